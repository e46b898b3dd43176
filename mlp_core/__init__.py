"""MLP Playground's engine: networks trained from scratch with NumPy, from the tutorial's
2-3-1 sigmoid network to softmax classifiers and regression on real data.

Imports only NumPy (and numba for the compiled training loop); never a UI library.
"""

from .datasets import DATASET_NAMES, GATES, CSVError, Dataset, load_csv, make_dataset
from .gradcheck import GradientCheck, gradient_check
from .grid import decision_grid, neuron_lines
from .model_io import ModelData, ModelFileError
from .network import INITIALIZERS, Network, parameter_breakdown
from .problems import TRAINING_DEFAULTS, Problem, problem_for, training_defaults
from .reference import Trace, backprop, evaluate
from .rules import rules_of_thumb
from .settings import PRESETS, Settings
from .training import Divergence, Progress, TrainConfig, Trainer, downsample_indices, train

__all__ = [
    "CSVError", "DATASET_NAMES", "Dataset", "Divergence", "GATES", "GradientCheck",
    "INITIALIZERS", "ModelData", "ModelFileError", "Network", "PRESETS", "Problem", "Progress",
    "Settings", "TRAINING_DEFAULTS", "Trace", "TrainConfig", "Trainer", "backprop",
    "decision_grid", "downsample_indices", "evaluate", "gradient_check", "load_csv",
    "make_dataset", "neuron_lines", "parameter_breakdown", "problem_for", "rules_of_thumb",
    "train", "training_defaults",
]
