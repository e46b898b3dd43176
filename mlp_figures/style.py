"""Visual constants shared by every figure builder.

The palette is colourblind-safe (orange / blue, as in TensorFlow
Playground): *negative* values and *class 0* are orange, *positive*
values and *class 1* are blue, white is zero / "undecided".  Sizes are
chosen for a classroom projector (large fonts, thick lines).
"""

from __future__ import annotations

import plotly.graph_objects as go

# --------------------------------------------------------------------------
# Core colours (Okabe-Ito derived, safe for the common colour-vision types)
# --------------------------------------------------------------------------
NEG_COLOR = "#E66100"  #: negative weights, class 0 (orange)
POS_COLOR = "#1A66B0"  #: positive weights, class 1 (blue)
ZERO_COLOR = "#9A9A9A"  #: exactly-zero / undefined values (grey)
DIVERGED_COLOR = "#C0142B"  #: the "diverged" marker line (red)
EDITED_COLOR = "#7A5195"  #: where the weights were set by hand (purple)
STOPPED_COLOR = "#008060"  #: early stopping's line and the best epoch's ring (green)
MARKER_COLOR = "#222222"  #: timeline scrubber line and dot
RULE_COLOR = "#6A3D9A"  #: rule-of-thumb marks in sweep plots (purple)
PARAM_COLOR = "#7F7F7F"  #: parameter count on the secondary axis (grey)
TEXT_DARK = "#1E1E1E"  #: text on light backgrounds
TEXT_LIGHT = "#FFFFFF"  #: text on dark backgrounds
GRID_COLOR = "#E3E3E3"
AXIS_LINE_COLOR = "#555555"
NODE_FILL = "#FFFFFF"  #: node fill when no activations are given
NODE_OUTLINE = "#333333"
BOUNDARY_LINE_COLOR = "#1E1E1E"  #: the P = 0.5 contour
NEURON_LINE_COLOR = "#333333"  #: hidden-neuron lines w1*x + w2*y + b = 0

#: Qualitative series colours (Okabe-Ito): blue, orange, green, pink, sky, vermilion.
SERIES_COLORS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
)

#: Diverging scale for weights / activations: -max -> orange, 0 -> white, +max -> blue.
DIVERGING_SCALE = [
    [0.0, "#B35806"],
    [0.25, "#F1A340"],
    [0.5, "#F7F7F7"],
    [0.75, "#67A9CF"],
    [1.0, "#1A5796"],
]

#: Paler diverging scale for the decision-boundary background (P(class 1) in 0..1)
#: so that the saturated class-coloured points stand out on it.
BOUNDARY_SCALE = [
    [0.0, "#F6B57A"],
    [0.25, "#FBDABA"],
    [0.5, "#F7F7F7"],
    [0.75, "#BCD7EC"],
    [1.0, "#7FB2DC"],
]

#: Class colours (index = class label).
CLASS_COLORS = (NEG_COLOR, POS_COLOR)

#: Colours of k = 2..10 classes (index = class label), distinct on white and when
#: paled for decision regions; starts with the binary pair so class 0 and 1 keep
#: their colours when a data set gains classes. Okabe-Ito and Tableau derived.
CLASS_PALETTE = (
    NEG_COLOR,  # orange
    POS_COLOR,  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#C9A400",  # dark yellow (plain yellow vanishes on white)
    "#56B4E9",  # sky blue
    "#8C564B",  # brown
    "#B2182B",  # dark red
    "#6A51A3",  # violet
    "#2F2F2F",  # near-black (pales to grey in regions)
)

#: Sequential scale for shares 0..1 (confusion-matrix cells): white -> blue.
SHARE_SCALE = [[0.0, "#FFFFFF"], [0.5, "#9CC3E4"], [1.0, "#1A5796"]]

#: Sequential scale for a regression target / prediction: Viridis (colourblind-safe),
#: spelled out because plotly expands a named scale when it validates a figure.
TARGET_SCALE = [
    [0.0, "#440154"],
    [0.1111, "#482878"],
    [0.2222, "#3E4989"],
    [0.3333, "#31688E"],
    [0.4444, "#26828E"],
    [0.5556, "#1F9E89"],
    [0.6667, "#35B779"],
    [0.7778, "#6ECE58"],
    [0.8889, "#B5DE2B"],
    [1.0, "#FDE725"],
]

#: Greyscale for input images: low values white (paper), high values black (ink).
IMAGE_SCALE = [[0.0, "#FFFFFF"], [1.0, "#000000"]]
#: Outline of training points (filled circles) and test points (diamonds).
TRAIN_OUTLINE = "#FFFFFF"
TEST_OUTLINE = "#000000"

# --------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------
DEFAULT_HEIGHT = 360  #: px; every figure has a fixed height
DIAGRAM_HEIGHT = 380  #: px; network diagram
BOUNDARY_HEIGHT = 380  #: px; decision boundary (square plot + legend row)
ANIMATION_HEIGHT = 500  #: px; boundary replay (needs room for buttons + slider rows)
MARGIN = {"l": 60, "r": 20, "t": 52, "b": 50}
DIAGRAM_MARGIN = {"l": 20, "r": 20, "t": 52, "b": 40}

FONT_FAMILY = "Source Sans Pro, Arial, sans-serif"
FONT_SIZE = 14
TITLE_FONT_SIZE = 18
ANNOTATION_FONT_SIZE = 13
CELL_FONT_SIZE = 14  #: weight-heatmap cell text
HOVER_FONT_SIZE = 14

LINE_WIDTH = 2.5  #: loss curves, median lines
BOUNDARY_LINE_WIDTH = 2.5
NEURON_LINE_WIDTH = 1.5
TRAIN_MARKER_SIZE = 9
TEST_MARKER_SIZE = 10
MARKER_DOT_SIZE = 11  #: timeline-scrubber dot

EDGE_MIN_WIDTH = 0.5  #: px, network-diagram edge for w = 0
EDGE_MAX_WIDTH = 8.0  #: px, network-diagram edge for the largest |w|
EDGE_WIDTH_BUCKETS = 8  #: distinct edge widths per sign (keeps trace count low)
#: Two layers joined by more edges than this get thinner edges (max width times
#: sqrt(this / edges), 2 px for 16x16): 256 edges at 8 px hid each other.
EDGE_FULL_WIDTH_EDGES = 16
NODE_MAX_SIZE = 34  #: px
NODE_MIN_SIZE = 10  #: px
MAX_NODES_SHOWN = 16  #: wider layers are truncated with a "+N more" label
#: Heatmaps wider or taller than this get no cell text (hover only): past 8
#: columns a cell of a half-page chart is narrower than "-0.558".
MAX_COLS_ANNOTATED = 8
MAX_ROWS_ANNOTATED = 16
ROW_HEATMAP_HEIGHT = 210  #: px; a one-row matrix (a bias vector) needs no more

#: Constant ``uirevision`` so user zoom / pan survives data updates.
UIREVISION = "mlp-playground"

#: Minimal template (the default plotly template alone is ~7 KB of JSON).
TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT_DARK},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "hoverlabel": {"font": {"size": HOVER_FONT_SIZE}},
        "xaxis": {
            "gridcolor": GRID_COLOR,
            "linecolor": AXIS_LINE_COLOR,
            "showline": True,
            "zeroline": False,
            "ticks": "outside",
            "automargin": True,
        },
        "yaxis": {
            "gridcolor": GRID_COLOR,
            "linecolor": AXIS_LINE_COLOR,
            "showline": True,
            "zeroline": False,
            "ticks": "outside",
            "automargin": True,
        },
    }
)
