"""Pure plotly figure builders for MLP Playground.

Every builder takes numpy arrays and plain Python values and returns a
``plotly.graph_objects.Figure``; nothing here imports streamlit or
``mlp_core``.  Figures have a fixed height, a constant ``uirevision``,
floats rounded to 4 significant digits and no NaN / inf.  Figures are
assembled from plain dicts without plotly's (slow) property validation;
``tests/test_figures.py`` re-validates every builder's output instead.
"""

from .boundary import boundary_animation, clip_line_to_box, decision_boundary
from .curves import comparison_bars, loss_curve, success_rate, sweep_summary
from .weights import network_diagram, weight_heatmap

__all__ = [
    "boundary_animation",
    "clip_line_to_box",
    "comparison_bars",
    "decision_boundary",
    "loss_curve",
    "network_diagram",
    "success_rate",
    "sweep_summary",
    "weight_heatmap",
]
