"""``Settings``: the one serialisable object that a shared URL carries.

Like TensorFlow Playground's ``State``, every setting a person can change is
declared once, as a field of ``Settings`` whose ``Spec`` (its metadata) gives
its label, range or choices, help text and widget. Validation, URL parsing
(``from_query``, with plain-language notices about replaced values), short
links (``to_query``: only what differs from the defaults), the sidebar's
widgets (``mlp_ui.sidebar``) and the CLI's flags (``mlp_core.cli``) all read
that one declaration. ``docs/architecture.md`` says how to add a setting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace

from ._validate import (
    MAX_SEED,
    check_choice,
    check_float,
    check_int,
    float_range,
    int_range,
)
from .activations import ACTIVATIONS
from .datasets import (
    ALL_DATASET_NAMES,
    DATASET_INFO,
    DRAW,
    GATES,
    MAX_CLASSES,
    MAX_NOISE,
    MAX_SAMPLES,
    MAX_TEST_FRACTION,
    MIN_SAMPLES,
    Dataset,
    make_dataset,
)
from .features import FEATURE_LABELS, FEATURES, PLANE, canonical, parse_features
from .losses import LOSS_LABELS, LOSSES
from .network import INITIALIZERS, MAX_HIDDEN_LAYERS, MAX_HIDDEN_NODES
from .optimizers import (
    OPTIMIZER_LABELS,
    OPTIMIZER_PARAMS,
    OPTIMIZERS,
    SCHEDULE_LABELS,
    SCHEDULE_PARAMS,
    SCHEDULES,
)
from .problems import training_defaults
from .training import MAX_EPOCHS, MAX_LR, MAX_TARGET_LOSS, UPDATE_FIELDS, TrainConfig

UPLOAD = "upload"
DATASET_CHOICES = (*ALL_DATASET_NAMES, DRAW, UPLOAD)
DATASET_LABELS = {**{name: info.label for name, info in DATASET_INFO.items()},
                  DRAW: "Draw your own", UPLOAD: "Upload CSV"}
# Data that live in a person's session, not in the settings: a link or a saved run
# names them but cannot bring their points back.
OWN_DATA = (DRAW, UPLOAD)
TASK_LABELS = {"auto": "from the last column", "classify": "classify", "regress": "regress"}
INIT_LABELS = {
    "tutorial": "tutorial (fixed 2-3-1 weights)",
    "uniform": "uniform [0, 1)",
    "xavier": "xavier",
    "he": "he",
    "zeros": "zeros (to set by hand)",
}
# The sidebar's number box cannot show a smaller rate (links may carry one: it is
# replaced, with a notice).
MIN_SIDEBAR_LR = 1e-6
# The number boxes of the optimizer's decay rates stop short of their open end at 1
# (at 1 nothing decays: momentum never forgets, Adam's bias correction divides by 0).
MAX_SIDEBAR_DECAY = 0.999
MAX_SIDEBAR_SLOW_DECAY = 0.9999   # beta2 and alpha: averages over ~1,000 updates and more
MIN_SIDEBAR_EPS = 1e-12


@dataclass(frozen=True)
class Spec:
    """How one setting is named, checked, parsed from a URL and drawn as a widget.

    ``kind`` is the value's type (``int``, ``float``, ``str`` for a choice, ``bool``,
    ``tuple`` for a non-empty subset of ``choices``, kept in their order).
    ``what`` names it in error messages; ``label`` and ``help`` are the widget's;
    ``lo``/``hi`` (``lo_open``/``hi_open``: that end excluded) or ``choices`` give the
    range, ``labels`` how a choice reads. ``widget`` is ``number``, ``slider``,
    ``select``, ``multiselect`` or ``toggle``; ``step`` the widget's step and
    ``ui_lo``/``ui_hi`` its smallest/largest value when it differs from ``lo``/``hi``
    (an open end needs one).
    ``cli`` is the flag of ``python -m mlp_core`` that takes this setting as it is
    (None: the CLI has its own way, see ``mlp_core.cli``).
    """

    kind: type
    what: str
    label: str
    widget: str
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple[str, ...] = ()
    labels: Mapping[str, str] | None = None
    step: float | None = None
    ui_lo: float | None = None
    ui_hi: float | None = None
    help: str | None = None
    cli: str | None = None

    def check(self, value):
        """``value`` if it is valid, else a ``ValueError`` naming the setting and its range."""
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{self.what} must be true or false, got {value!r}")
            return value
        if self.kind is int:
            return check_int(self.what, value, self.lo, self.hi)
        if self.kind is float:
            return check_float(self.what, value, self.lo, self.hi, lo_open=self.lo_open,
                               hi_open=self.hi_open)
        if self.kind is tuple:
            if isinstance(value, str) or not isinstance(value, (tuple, list)):
                raise ValueError(f"{self.what} must be a list of names, got {value!r}")
            return canonical(value)
        return check_choice(self.what, value, self.choices)

    def allowed(self) -> str:
        """The values this setting takes, as its error messages write them."""
        if self.kind is tuple:
            return f"one or more of {','.join(self.choices)}"
        if self.choices:
            return ", ".join(self.choices)
        if self.kind is int:
            return int_range(self.lo, self.hi)
        if self.kind is float:
            return float_range(self.lo, self.hi, lo_open=self.lo_open, hi_open=self.hi_open)
        return "true, false"

    def parse(self, raw):
        """The value that a URL parameter's text stands for (unchecked)."""
        return _PARSERS[self.kind](raw, self)


def _setting(default, spec: Spec):
    return field(default=default, metadata={"spec": spec})


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run; defaults are the tutorial's OR network."""

    dataset: str = _setting("or", Spec(
        str, "dataset", "Dataset", "select", choices=DATASET_CHOICES, labels=DATASET_LABELS))
    features: tuple[str, ...] = _setting(PLANE, Spec(
        tuple, "input features", "Input features", "multiselect", choices=tuple(FEATURES),
        labels=FEATURE_LABELS,
        help="What the network's first layer sees of each point (x1, x2): with x1² and "
             "x2² a circle's edge is a straight line, learnt with no hidden layer. For data "
             "sets of 2 inputs only.", cli="--features"))
    hidden: int = _setting(3, Spec(
        int, "hidden nodes", "Hidden nodes", "number", lo=1, hi=MAX_HIDDEN_NODES, step=1))
    layers: int = _setting(1, Spec(
        int, "hidden layers", "Hidden layers", "number", lo=0, hi=MAX_HIDDEN_LAYERS, step=1,
        help="0: the inputs feed the output directly (one straight line per output)."))
    lr: float = _setting(0.05, Spec(
        float, "learning rate", "Learning rate", "number", lo=0.0, hi=MAX_LR, lo_open=True,
        step=0.01, ui_lo=MIN_SIDEBAR_LR, cli="--lr"))
    epochs: int = _setting(200_000, Spec(
        int, "epochs", "Epochs", "number", lo=1, hi=MAX_EPOCHS, step=1000, cli="--epochs"))
    activation: str = _setting("sigmoid", Spec(
        str, "activation", "Activation", "select", choices=tuple(ACTIVATIONS),
        help="Activation of the hidden layers; the output is always a sigmoid.",
        cli="--activation"))
    loss: str = _setting("sse", Spec(
        str, "loss", "Loss", "select", choices=tuple(LOSSES), labels=LOSS_LABELS,
        cli="--loss"))
    bias: bool = _setting(False, Spec(
        bool, "bias", "Bias", "toggle", help="The tutorial's networks have no bias."))
    init: str = _setting("tutorial", Spec(
        str, "initial weights", "Initial weights", "select", choices=tuple(INITIALIZERS),
        labels=INIT_LABELS, cli="--init"))
    seed: int = _setting(0, Spec(
        int, "seed", "Seed", "number", lo=0, hi=MAX_SEED, step=1, cli="--seed"))
    samples: int = _setting(200, Spec(
        int, "samples", "Samples", "number", lo=MIN_SAMPLES, hi=MAX_SAMPLES, step=10,
        cli="--samples"))
    noise: float = _setting(0.1, Spec(
        float, "noise", "Noise", "slider", lo=0.0, hi=MAX_NOISE, step=0.05, cli="--noise"))
    # Per cent of samples held out for testing (the CLI's --test is a fraction).
    test: int = _setting(20, Spec(
        int, "test %", "Test %", "slider", lo=0, hi=round(100 * MAX_TEST_FRACTION), step=5))
    # 0 leaves the count to the data set (3 blobs, 2 spiral arms): one default for both.
    classes: int = _setting(0, Spec(
        int, "classes", "Classes", "number", lo=0, hi=MAX_CLASSES, step=1,
        help="How many classes blobs and spiral draw, 2 to 10; 0 = the data set's own "
             "(3 blobs, 2 spiral arms).", cli="--classes"))
    standardize: bool = _setting(True, Spec(
        bool, "standardize", "Standardize features", "toggle",
        help="Real data sets and CSV files: shift and scale each feature to mean 0 and "
             "standard deviation 1 on the training split (the model file keeps both)."))
    task: str = _setting("auto", Spec(
        str, "CSV task", "CSV task", "select", choices=tuple(TASK_LABELS),
        labels=TASK_LABELS,
        help="Whole numbers 0-9 in the last column are classes, other numbers a target to "
             "regress; pick one to override.", cli="--task"))

    # --- How each update uses the gradient (optimizers.py has the rules) -----------
    # Only the parameters of the chosen optimizer and schedule apply
    # (``applies``); the others keep their values for when they do.
    optimizer: str = _setting("sgd", Spec(
        str, "optimizer", "Optimizer", "select", choices=OPTIMIZERS, labels=OPTIMIZER_LABELS,
        help="How each update uses the gradient, by PyTorch's rules: plain gradient descent "
             "(the tutorial's), momentum, Nesterov momentum, RMSprop or Adam."))
    momentum: float = _setting(0.9, Spec(
        float, "momentum", "Momentum μ", "number", lo=0.0, hi=1.0, hi_open=True, step=0.05,
        ui_hi=MAX_SIDEBAR_DECAY,
        help="Share of the last step carried into the next: 0.9 keeps a running sum of "
             "about the last 10 gradients."))
    beta1: float = _setting(0.9, Spec(
        float, "beta1", "β1", "number", lo=0.0, hi=1.0, hi_open=True, step=0.05,
        ui_hi=MAX_SIDEBAR_DECAY, help="Adam's decay of the gradient's running mean."))
    beta2: float = _setting(0.999, Spec(
        float, "beta2", "β2", "number", lo=0.0, hi=1.0, hi_open=True, step=0.001,
        ui_hi=MAX_SIDEBAR_SLOW_DECAY,
        help="Adam's decay of the squared gradient's running mean."))
    alpha: float = _setting(0.99, Spec(
        float, "alpha", "α", "number", lo=0.0, hi=1.0, hi_open=True, step=0.01,
        ui_hi=MAX_SIDEBAR_SLOW_DECAY,
        help="RMSprop's decay of the squared gradient's running mean."))
    eps: float = _setting(1e-8, Spec(
        float, "epsilon", "ε", "number", lo=0.0, hi=1.0, lo_open=True, step=1e-8,
        ui_lo=MIN_SIDEBAR_EPS,
        help="Added to the root of the squared-gradient average, so a weight whose "
             "gradient has been 0 is not divided by 0."))
    schedule: str = _setting("constant", Spec(
        str, "schedule", "Learning-rate schedule", "select", choices=SCHEDULES,
        labels=SCHEDULE_LABELS,
        help="The rate of each epoch: constant; step decay (times γ every S epochs); "
             "exponential (the same, smoothly); cosine (from lr down to 0 at the last "
             "epoch)."))
    step_size: int = _setting(0, Spec(
        int, "schedule step", "Decay every", "number", lo=0, hi=MAX_EPOCHS, step=100,
        help="Epochs S between decays: the rate is multiplied by γ every S epochs; "
             "0 = a quarter of the epochs."))
    gamma: float = _setting(0.5, Spec(
        float, "decay factor", "Decay γ", "number", lo=0.0, hi=1.0, lo_open=True, step=0.05,
        ui_lo=0.01))
    patience: int = _setting(0, Spec(
        int, "patience", "Patience", "number", lo=0, hi=MAX_EPOCHS, step=10,
        help="Early stopping: stop when the test loss has not gone lower for this many "
             "epochs, and keep the best epoch's weights. Needs a test split; 0 = off."))
    target_loss: float = _setting(0.0, Spec(
        float, "target loss", "Stop at loss", "number", lo=0.0, hi=MAX_TARGET_LOSS,
        step=0.001,
        help="Early stopping: stop after the first epoch whose training loss is at most "
             "this; 0 = off."))

    # --- How the plane is drawn (no effect on the network: see DISPLAY_FIELDS) --------
    show_test: bool = _setting(False, Spec(
        bool, "show test data", "Show test data", "toggle",
        help="Draw the held-out test points (diamonds) on the decision boundary."))
    discretize: bool = _setting(False, Spec(
        bool, "discretize output", "Discretize output", "toggle",
        help="Colour the plane by the predicted class only (output at 0.5, or the most "
             "probable class) instead of shading by the output."))

    def __post_init__(self):
        for name, spec in SPECS.items():
            object.__setattr__(self, name, spec.check(getattr(self, name)))

    @property
    def is_gate(self) -> bool:
        return self.dataset in GATES

    @property
    def hidden_layers(self) -> tuple[int, ...]:
        return (self.hidden,) * self.layers

    def train_config(self) -> TrainConfig:
        return TrainConfig(lr=self.lr, epochs=self.epochs, loss=self.loss, seed=self.seed,
                           **{name: getattr(self, name) for name in UPDATE_FIELDS})

    def applies(self, name: str) -> bool:
        """Whether setting ``name`` changes anything with the chosen optimizer and schedule
        (``momentum`` does for momentum and Nesterov only, ``gamma`` for a decay)."""
        if name in _OPTIMIZER_FIELDS:
            return name in OPTIMIZER_PARAMS[self.optimizer]
        if name in _SCHEDULE_FIELDS:
            return name in SCHEDULE_PARAMS[self.schedule]
        return True

    @property
    def has_features(self) -> bool:
        """Whether the input features are other than the point (x1, x2) itself."""
        return self.features != PLANE

    def architecture_key(self) -> tuple:
        """What, when changed, makes a new network: everything but lr, epochs, how the
        updates are made (``UPDATE_FIELDS``), which the trainer takes as they change, and
        how the plane is drawn (``DISPLAY_FIELDS``)."""
        d = asdict(self)
        for name in ("lr", "epochs", *UPDATE_FIELDS, *DISPLAY_FIELDS):
            del d[name]
        return tuple(sorted(d.items()))

    def to_query(self) -> dict[str, str]:
        """URL parameters for the fields that differ from the defaults."""
        default = Settings()
        return {
            f.name: format_value(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        }

    @classmethod
    def from_query(cls, params: dict[str, str | list[str]]) -> tuple[Settings, list[str]]:
        """Settings from URL parameters, and a notice for every value it could not use.

        Invalid, out-of-range and unknown parameters fall back to the defaults
        (never an exception); a preset named by ``preset=`` is the starting point.
        """
        notices: list[str] = []
        base = Settings()
        values = {}
        for name, raw in params.items():
            raw = raw[-1] if isinstance(raw, list) and raw else raw
            if name == "preset":
                if isinstance(raw, str) and raw in PRESETS:
                    base = PRESETS[raw].settings
                else:
                    notices.append(f"Unknown preset {raw!r} in the link; using the defaults.")
                continue
            if name not in SPECS:
                notices.append(f"Ignored unknown link parameter {name!r}.")
                continue
            try:
                values[name] = SPECS[name].check(SPECS[name].parse(raw))
            except (ValueError, TypeError, OverflowError) as err:
                notices.append(
                    f"Link parameter {name}={_short(raw)} is not valid ({_reason(err)}); "
                    f"using {format_value(getattr(base, name))}."
                )
        settings = replace(base, **values)
        problem = features_problem(settings)
        if problem:
            notices.append(f"{problem}; using x1,x2.")
            settings = replace(settings, features=PLANE)
        if settings.init == "tutorial" and not _tutorial_shape(settings):
            notices.append(
                "The tutorial's fixed weights exist only for its 2-3-1 network and the 2-1 "
                "one without a hidden layer; using xavier initial weights instead."
            )
            settings = replace(settings, init="xavier")
        return settings, notices


def features_problem(settings: Settings, n_inputs: int | None = None) -> str | None:
    """Why ``settings``' input features cannot apply, or None: they map points (x1, x2), so
    the data must have 2 inputs (``n_inputs``: the data's, else the named set's)."""
    if not settings.has_features:
        return None
    if n_inputs is None:
        info = DATASET_INFO.get(settings.dataset)
        if info is None:       # an upload: its columns are known once it is read
            return None
        n_inputs = info.n_inputs
    if n_inputs == 2:
        return None
    info = DATASET_INFO.get(settings.dataset)
    name = info.label if info is not None else "the uploaded CSV"
    return (f"Input features ({','.join(settings.features)}) apply to data sets of 2 inputs "
            f"(x1, x2) only; {name} has {n_inputs}")


def data_for(settings: Settings) -> Dataset:
    """The built-in data set ``settings`` name, drawn with its seed and options."""
    real = DATASET_INFO[settings.dataset].kind == "real"
    return make_dataset(settings.dataset, samples=settings.samples, noise=settings.noise,
                        test_fraction=settings.test / 100, seed=settings.seed,
                        classes=settings.classes or None,
                        standardize=settings.standardize if real else None)


def _tutorial_shape(s: Settings) -> bool:
    # network.TUTORIAL_WEIGHTS: 2-3-1 and 2-1, on the gates' two inputs (or two features)
    return (s.dataset in GATES and len(s.features) == 2
            and (s.layers == 0 or (s.layers == 1 and s.hidden == 3)))


def _parse_bool(raw, spec: Spec) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no"):
        return False
    raise ValueError(f"{spec.what} must be true or false")


def _parse_float(raw, spec: Spec | None = None) -> float:
    # float()'s own errors ("could not convert string to float: 'abc'") are Python's
    # words, not a sentence for the person who opened the link.
    try:
        return float(str(raw).strip())
    except ValueError:
        raise ValueError("not a number") from None


def _parse_names(raw, spec: Spec) -> tuple[str, ...]:
    if isinstance(raw, (tuple, list)):
        return canonical(raw)
    return parse_features(raw)


def _parse_int(raw, spec: Spec | None = None) -> int:
    text = str(raw).strip().replace("_", "").replace(",", "")
    number = _parse_float(text)
    if not math.isfinite(number) or number != int(number):
        raise ValueError(f"expected a whole number, got {text}")
    return int(number)


_PARSERS: dict[type, Callable] = {
    bool: _parse_bool, int: _parse_int, float: _parse_float, str: lambda raw, spec: str(raw),
    tuple: _parse_names,
}
SPECS: dict[str, Spec] = {f.name: f.metadata["spec"] for f in fields(Settings)}
# Settings that change only how the plane is drawn, never the network.
DISPLAY_FIELDS = ("show_test", "discretize")
_OPTIMIZER_FIELDS = {name for names in OPTIMIZER_PARAMS.values() for name in names}
_SCHEDULE_FIELDS = {name for names in SCHEDULE_PARAMS.values() for name in names}


def format_value(value) -> str:
    """A setting's value as a link writes it (``to_query``; saved runs keep the same text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, float):
        short = f"{value:g}"  # short links; repr where 6 digits would change the value
        return short if float(short) == value else repr(value)
    return str(value)


def _short(raw) -> str:
    text = str(raw)
    return repr(text if len(text) <= 24 else text[:21] + "...")


def _reason(err: Exception) -> str:
    text = str(err)
    return text if len(text) <= 120 else text[:117] + "..."


def data_defaults(dataset: str, classes: int = 0) -> dict | None:
    """The settings that train ``dataset`` well (``problems.TRAINING_DEFAULTS``), as far
    as the sidebar can show them, or None where the tutorial's defaults apply.

    The sidebar has no batch size: a set whose defaults use mini-batches trains with
    full batches there (slower, same network).
    """
    own = training_defaults(dataset, classes=classes or None)
    if own is None:
        return None
    extra = {"samples": own.samples} if own.samples else {}
    return dict(hidden=max(own.hidden), layers=len(own.hidden), activation=own.activation,
                lr=own.lr, epochs=own.epochs, loss=own.loss, bias=own.bias, init=own.init,
                **extra)


def _trained_well(dataset: str, classes: int = 0) -> Settings:
    """A preset of ``dataset`` with its training defaults (``problems.TRAINING_DEFAULTS``):
    declared once, for the CLI and the sidebar alike."""
    own = training_defaults(dataset, classes=classes or None)
    if own.batch_size is not None or len(set(own.hidden)) != 1:
        raise ValueError(f"{dataset}'s defaults need a batch size or unequal layers, which "
                         "the sidebar cannot show")
    return Settings(dataset=dataset, classes=classes, **data_defaults(dataset, classes))


@dataclass(frozen=True)
class Preset:
    label: str
    description: str
    settings: Settings
    edit_weights: bool = False      # the Playground opens with its weight tables to edit


PRESETS = {
    "tutorial-or": Preset(
        "Tutorial: OR (2-3-1)",
        "The tutorial's first network: OR gate, 3 hidden sigmoid nodes, no bias, its fixed "
        "starting weights, lr 0.05, 200,000 epochs, sum-of-squares error.",
        Settings(),
    ),
    "tutorial-xor": Preset(
        "Tutorial: XOR (2-4-1)",
        "The tutorial's XOR network: 4 hidden nodes, no bias, uniform [0, 1) starting "
        "weights, lr 0.05, 200,000 epochs.",
        Settings(dataset="xor", hidden=4, init="uniform"),
    ),
    "xor-one-node": Preset(
        "XOR with 1 hidden node (fails)",
        "One hidden unit draws one line: XOR needs two. Watch it stall at 3 of 4.",
        Settings(dataset="xor", hidden=1, init="xavier", bias=True, lr=0.5, epochs=20_000),
    ),
    "spiral-deep": Preset(
        "Spiral needs depth",
        "Two interleaved spirals: 2 hidden layers of 16 tanh units with bias and "
        "cross-entropy.",
        Settings(dataset="spiral", hidden=16, layers=2, activation="tanh", bias=True,
                 init="xavier", loss="bce", lr=0.3, epochs=20_000, samples=300, noise=0.05),
    ),
    "circle-relu": Preset(
        "Circle with ReLU",
        "Inner disk vs ring: 8 ReLU units with bias learn a closed boundary.",
        Settings(dataset="circle", hidden=8, activation="relu", bias=True, init="he",
                 loss="bce", lr=0.2, epochs=5_000),
    ),
    "too-high-lr": Preset(
        "Learning rate too high (diverges)",
        "XOR with cross-entropy and lr 1,000,000: the first update throws the weights "
        "out of range and training stops with a warning.",
        Settings(dataset="xor", hidden=4, init="xavier", bias=True, loss="bce", lr=1e6,
                 epochs=2_000),
    ),
    "or-by-hand": Preset(
        "Set OR by hand (2-1)",
        "No training: find weights that compute OR yourself. One sigmoid unit with bias, "
        "all weights 0 (every output 0.5): type w1, w2 and b in the Edit weights tables "
        "until the truth table says OR, e.g. w1 = w2 = 10, b = -5.",
        Settings(layers=0, bias=True, init="zeros"),
        edit_weights=True,
    ),
    "xor-hidden-space": Preset(
        "XOR: see the hidden space (2-2-1)",
        "Two tanh units with bias learn XOR; then Hidden space, under the weights, plays "
        "how the layer bent the plane until one straight line splits the two classes.",
        Settings(dataset="xor", hidden=2, activation="tanh", bias=True, init="xavier",
                 loss="bce", lr=0.5, epochs=2_000),
    ),
    **{key: Preset(label, description, _trained_well(dataset, classes))
       for key, (label, description, dataset, classes) in {
        "digits": (
            "Digits: 64-32-10 softmax",
            "8x8 handwritten digits: 64 pixels, 32 tanh units, 10 softmax outputs with "
            "cross-entropy: 96-98% of the test digits right after 300 epochs.",
            "digits", 0),
        "iris": (
            "Iris: 4-8-3 softmax",
            "Fisher's iris flowers: 4 measurements, 8 tanh units, 3 species as softmax "
            "outputs.",
            "iris", 0),
        "wine": (
            "Wine: 13-8-3 softmax",
            "13 chemical measurements of Italian wines -> 3 grape cultivars.",
            "wine", 0),
        "breast-cancer": (
            "Breast cancer: 30-16-1",
            "30 measurements of cell nuclei -> malignant or benign: one sigmoid output "
            "with cross-entropy.",
            "breast_cancer", 0),
        "sine-16-tanh": (
            "Sine with 16 tanh units",
            "Regression: a linear output fits y = sin(x) plus noise; each tanh unit adds "
            "a step, and 16 of them make the curve.",
            "sine", 0),
        "spiral-3-arms": (
            "Three-arm spiral",
            "Three interleaved spiral arms, one softmax output each: 2 layers of 32 tanh "
            "units draw the curled regions.",
            "spiral", 3),
        "blobs-5": (
            "Blobs, 5 classes",
            "Five round blobs on a circle: 8 tanh units and 5 softmax outputs split the "
            "plane into five regions.",
            "blobs", 5),
    }.items()},
    # --- Optimizers, schedules, early stopping ------------------------------------
    "momentum-or": Preset(
        "Momentum on the tutorial's OR",
        "The tutorial's OR network, starting weights and lr 0.05, with momentum 0.9: the "
        "loss reaches 0.01 after about 1,200 epochs instead of plain gradient descent's "
        "11,400, and early stopping ends the run there.",
        Settings(optimizer="momentum", target_loss=0.01),
    ),
    "adam-spiral": Preset(
        "Adam on the spiral",
        "The two-spiral network of \"Spiral needs depth\" with Adam at lr 0.01: every test "
        "point right after 1,000 epochs, where plain gradient descent at lr 0.3 is still "
        "near 75%.",
        Settings(dataset="spiral", hidden=16, layers=2, activation="tanh", bias=True,
                 init="xavier", loss="bce", lr=0.01, epochs=1_000, samples=300, noise=0.05,
                 optimizer="adam"),
    ),
    "deep-sigmoid": Preset(
        "Deep sigmoid net: vanishing gradients",
        "Four layers of 8 sigmoid units on the circle: the first layer's gradient starts "
        "thousands of times smaller than the last one's (see the gradient-norm chart), and plain "
        "gradient descent stays at chance. Switch the Optimizer to Adam with lr 0.01.",
        Settings(dataset="circle", hidden=8, layers=4, activation="sigmoid", bias=True,
                 init="xavier", loss="bce", lr=0.5, epochs=3_000),
    ),
}
