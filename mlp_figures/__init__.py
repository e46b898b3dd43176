"""Pure plotly figure builders for MLP Playground.

Every builder takes numpy arrays and plain Python values and returns a
``plotly.graph_objects.Figure``; nothing here imports streamlit or
``mlp_core``.  Figures have a fixed height, a constant ``uirevision``,
floats rounded to 4 significant digits and no NaN / inf.  Figures are
assembled from plain dicts without plotly's (slow) property validation;
``tests/test_figures.py`` re-validates every builder's output instead.
"""

from ._util import finite_max_abs
from .bars import comparison_bars
from .boundary import boundary_animation, class_regions, clip_line_to_box, decision_boundary
from .confusion import confusion_matrix_figure, per_class_accuracy_figure
from .drawing import drawing_plane
from .gradnorms import gradient_norms_chart
from .grid import GridLine, grid_heatmap, grid_width_scores, width_quartiles
from .hiddenspace import hidden_space_animation
from .images import digit_weight_images, misclassified_images, weight_images
from .loss import loss_curve
from .network import network_diagram
from .regression import regression_fit_1d, regression_surface_2d
from .runs import Axis, SeedGroup, group_quantiles, seed_spread, settings_parallel
from .sweeps import RuleMark, best_widths, hidden_size_scores, success_rate, sweep_summary
from .unitmaps import unit_curves, unit_map_detail, unit_maps
from .weights import weight_heatmap

__all__ = [
    "Axis",
    "GridLine",
    "RuleMark",
    "SeedGroup",
    "best_widths",
    "boundary_animation",
    "class_regions",
    "clip_line_to_box",
    "comparison_bars",
    "confusion_matrix_figure",
    "decision_boundary",
    "digit_weight_images",
    "finite_max_abs",
    "drawing_plane",
    "gradient_norms_chart",
    "grid_heatmap",
    "grid_width_scores",
    "hidden_size_scores",
    "hidden_space_animation",
    "loss_curve",
    "group_quantiles",
    "misclassified_images",
    "network_diagram",
    "per_class_accuracy_figure",
    "regression_fit_1d",
    "regression_surface_2d",
    "seed_spread",
    "settings_parallel",
    "success_rate",
    "sweep_summary",
    "unit_curves",
    "unit_map_detail",
    "unit_maps",
    "weight_heatmap",
    "weight_images",
    "width_quartiles",
]
