"""``python -m mlp_core``: train, write a standalone script, sweep, benchmark.

Every bad argument ends the program with exit code 2 and one line on stderr,
never a traceback.

A training flag that is not given takes the data set's own default
(``problems.TRAINING_DEFAULTS``: e.g. digits trains 64-32-10 tanh, softmax, ce),
else the tutorial's (``Settings()``): the gates and the two-class 2-D shapes keep
the tutorial's 2-3-1 network. The output layer follows the data
(``problems.problem_for``); a model file given with ``--model-in`` decides the
network, its output layer and its standardization.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, replace

import numpy as np

from . import metrics, model_io
from ._validate import check_int
from .datasets import ALL_DATASET_NAMES, DATASET_INFO, Dataset, load_csv, make_dataset
from .dense import one_blas_thread
from .executors import EXECUTORS, SCHEDULER_ENV, check_scheduler, open_executor
from .features import PLANE
from .gridsweep import CellSummary, GridSpec, SweepFile, run_grid
from .losses import ALLOWED_LOSSES
from .network import Network
from .optimizers import OPTIMIZERS, SCHEDULES
from .problems import problem_for, training_defaults
from .script import standalone_script
from .settings import SPECS, Settings, Spec
from .sweep import (
    SweepSpec,
    best_width,
    score_matrix,
    summarize,
    sweep_hidden_sizes,
    sweep_scores,
)
from .training import MAX_EPOCHS, UPDATE_FIELDS, TrainConfig, Trainer


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise SystemExit(_fail(message))


def _fail(message: str) -> int:
    print(f"mlp_core: error: {message}", file=sys.stderr)
    return 2


def _hidden(text: str) -> tuple[int, ...]:
    if text.strip().lower() in ("none", "0", ""):
        return ()
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden takes sizes like 3 or 8,4 or none, got {text!r}") from None


@dataclass(frozen=True)
class SweepWidths:
    """``--hidden`` of a sweep: a range ``low-high``, a stepped one ``low-high:step``, or a
    list ``4,8,16`` (``listed``). A step or a list asks for the grid sweep."""

    low: int
    high: int
    step: int = 0
    listed: tuple[int, ...] = ()

    @property
    def grid_only(self) -> bool:
        return bool(self.step or self.listed)

    def sizes(self) -> tuple[int, ...]:
        if self.listed:
            return self.listed
        sizes = tuple(range(self.low, self.high + 1, self.step or 1))
        if not sizes:
            raise ValueError(f"--hidden {self.low}-{self.high} holds no width: the range "
                             "goes low to high")
        return sizes


def _range(text: str) -> SweepWidths:
    try:
        if "," in text:
            listed = tuple(int(part) for part in text.split(","))
            return SweepWidths(min(listed), max(listed), listed=listed)
        span, colon, step = text.partition(":")
        low, _, high = span.partition("-")
        widths = SweepWidths(int(low), int(high or low), int(step) if colon else 0)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden takes a range like 1-16, a stepped range like 4-64:4 or a list like "
            f"4,8,16, got {text!r}") from None
    if colon and widths.step < 1:
        raise argparse.ArgumentTypeError(f"--hidden's step must be at least 1, got {text!r}")
    return widths


def _listed(convert):
    """``convert`` for each comma-separated value of a flag: a tuple of values."""
    def convert_each(text: str) -> tuple:
        return tuple(convert(part.strip()) for part in text.split(","))
    convert_each.__name__ = convert.__name__
    return convert_each


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _setting_type(spec: Spec):
    def convert(text: str):
        try:
            return spec.check(spec.parse(text))
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
    convert.__name__ = spec.what     # argparse names the type in some messages
    return convert


def _scheduler(text: str) -> str:
    try:
        return check_scheduler(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


# The TrainConfig fields a grid sweep varies; the others are the same in every cell.
GRID_UPDATE_FIELDS = ("optimizer",)

_PER_DATA = object()   # a flag whose default is the data set's (``fill_defaults``)


def _flag(p: argparse.ArgumentParser, name: str, default=None, *, listed: bool = False) -> None:
    """Add setting ``name``'s flag (``Spec.cli``) with its type, range and help.

    ``default=_PER_DATA``: the flag stays None when not given, and ``fill_defaults``
    takes the data set's value, else the ``Settings`` default. ``listed``: the flag
    takes comma-separated values, each checked alike, as a tuple (a grid sweep's axis).
    """
    spec = SPECS[name]
    tutorial = getattr(Settings(), name)
    if default is _PER_DATA:
        default, said = None, f"the data set's, else {tutorial}"
    else:
        default = tutorial if default is None else default
        said = ",".join(default) if isinstance(default, tuple) else default
    convert = _setting_type(spec)
    if listed:
        convert, default = _listed(convert), (default,)
    p.add_argument(spec.cli, type=convert, default=default,
                   metavar=("NAME" if spec.choices else None) if not listed else "A,B,...",
                   help=f"{spec.what}: {spec.allowed()}{'; a list sweeps them' if listed else ''} "
                        f"(default {said})")


_UPDATE_HELP = {
    "optimizer": f"how each update uses the gradient: {', '.join(OPTIMIZERS)}",
    "momentum": "momentum and nesterov: share of the last step kept, in [0, 1)",
    "beta1": "adam: decay of the gradient's running mean, in [0, 1)",
    "beta2": "adam: decay of the squared gradient's running mean, in [0, 1)",
    "alpha": "rmsprop: decay of the squared gradient's running mean, in [0, 1)",
    "eps": "rmsprop and adam: added to the root of the mean square, in (0, 1]",
    "schedule": f"learning-rate schedule: {', '.join(SCHEDULES)}",
    "step_size": "step and exp schedules: multiply the rate by gamma every S epochs "
                 "(0: a quarter of the epochs)",
    "gamma": "step and exp schedules: the factor, in (0, 1]",
    "patience": "early stopping: stop when the test loss has not improved for N epochs and "
                "keep the best weights (needs --test > 0; 0: off)",
    "target_loss": "early stopping: stop once an epoch's training loss is at most X (0: off)",
}


def _update_flag(p: argparse.ArgumentParser, name: str, *, listed: bool = False) -> None:
    """Add ``TrainConfig`` field ``name``'s flag (``--step-size`` for ``step_size``),
    checked by ``TrainConfig`` itself, so its message is the engine's; ``listed`` as
    for ``_flag``."""
    default = getattr(TrainConfig(), name)

    def convert(text: str):
        try:
            return getattr(TrainConfig(**{name: text}), name)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
    convert.__name__ = name
    said = default
    if listed:
        convert, default = _listed(convert), (default,)
    p.add_argument("--" + name.replace("_", "-"), type=convert, default=default,
                   metavar=("NAME" if name in ("optimizer", "schedule") else None)
                   if not listed else "A,B,...",
                   help=f"{_UPDATE_HELP[name]}{'; a list sweeps them' if listed else ''} "
                        f"(default {said})")


def _update_settings(args) -> dict:
    """The update flags as ``TrainConfig`` keywords."""
    return {name: getattr(args, name) for name in UPDATE_FIELDS}


def _add_run_options(p: argparse.ArgumentParser, *, sweep: bool = False) -> None:
    p.add_argument("--data", default="or", choices=ALL_DATASET_NAMES, metavar="NAME",
                   help=f"data set: {', '.join(ALL_DATASET_NAMES)} (default or)")
    p.add_argument("--csv", metavar="FILE", help="train on a CSV file instead of --data")
    _flag(p, "task")
    _flag(p, "samples", None if sweep else _PER_DATA)
    _flag(p, "noise")
    _flag(p, "classes")
    standardize = p.add_mutually_exclusive_group()
    standardize.add_argument("--standardize", dest="standardize", action="store_true",
                             default=True, help="real data and CSV: features to mean 0, sd 1 "
                                                "on the training split (default)")
    standardize.add_argument("--no-standardize", dest="standardize", action="store_false")
    p.add_argument("--test", type=float, default=0.2, help="test fraction, 0..0.9 (default 0.2)")
    if sweep:
        p.add_argument("--hidden", type=_range, default=SweepWidths(1, 16),
                       help="hidden sizes: a-b, a-b:step or a,b,c (default 1-16)")
        p.add_argument("--seeds", type=int, default=10, help="seeds per size (default 10)")
        p.add_argument("--layers", type=_listed(_count), default=(1,), metavar="N[,M...]",
                       help="hidden layers; a list sweeps them (default 1)")
    else:
        p.add_argument("--hidden", type=_hidden, default=None,
                       help="hidden layer sizes: 3, 8,4 or none (default: the data set's, "
                            "else 3)")
        _flag(p, "seed")
        _flag(p, "features")
    own = None if sweep else _PER_DATA
    _flag(p, "activation", own, listed=sweep)
    _flag(p, "loss", _PER_DATA)
    # A sweep trains many networks from random starts: faster defaults than the tutorial's.
    _flag(p, "lr", 0.5 if sweep else own, listed=sweep)
    _flag(p, "epochs", 20_000 if sweep else own)
    _flag(p, "init", "xavier" if sweep else own)
    bias = p.add_mutually_exclusive_group()
    bias.add_argument("--bias", dest="bias", action="store_true",
                      default=True if sweep else None)
    bias.add_argument("--no-bias", dest="bias", action="store_false")
    p.add_argument("--batch-size", type=int, default=None,
                   help="mini-batch size (default: the data set's, else all rows)")
    p.add_argument("--reg", default="none", help="regularization: none, l1 or l2")
    p.add_argument("--reg-rate", type=float, default=0.0)
    for name in UPDATE_FIELDS:
        _update_flag(p, name, listed=sweep and name in GRID_UPDATE_FIELDS)
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (a grid sweep: one JSON object a line)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m mlp_core",
                     description="MLP Playground's engine, headless.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = sub.add_parser("train", help="train a network and report the result")
    _add_run_options(train)
    train.add_argument("--model-in", metavar="FILE",
                       help="start from this model file (architecture, activation, bias too)")
    train.add_argument("--model-out", metavar="FILE", help="write the trained model here")
    script = sub.add_parser("script", help="print a standalone NumPy script of the same run")
    _add_run_options(script)
    script.add_argument("--model-in", metavar="FILE")
    sweep = sub.add_parser("sweep", help="train every hidden size for several seeds")
    _add_run_options(sweep, sweep=True)
    sweep.add_argument("--success", type=float, default=1.0,
                       help="training accuracy that counts as success (default 1.0)")
    sweep.add_argument("--folds", type=int, default=0,
                       help="score on k-fold cross-validation of the training rows, 2..10 "
                            "(default 0: on the test split); real, multi-class and regression "
                            "data are always scored on held-out rows")
    grid = sweep.add_argument_group(
        "grid sweep", "every combination of the listed widths, layers, rates, activations and "
                      "optimizers, each for every seed and fold, scored on held-out rows; used "
                      "with --grid, or when any of these flags is given or a flag lists values")
    grid.add_argument("--grid", action="store_true", help="the grid sweep even for one value each")
    grid.add_argument("--executor", choices=tuple(EXECUTORS), default=None,
                      help="local: this machine's cores (default); dask: a Dask cluster")
    grid.add_argument("--scheduler", type=_scheduler, default=None, metavar="ADDRESS",
                      help=f"the Dask scheduler, tcp://HOST:PORT, or local:N for N worker "
                           f"processes here (implies --executor dask; --executor dask "
                           f"without it reads ${SCHEDULER_ENV})")
    grid.add_argument("--out", metavar="DIR", default=None,
                      help="store each finished cell in DIR/sweep-<hash>.jsonl; the same "
                           "sweep started again trains only the cells not there")
    bench = sub.add_parser("bench", help="time the tutorial's loop, reference and fast paths")
    bench.add_argument("--epochs", type=int, default=200_000)
    bench.add_argument("--sweep", action="store_true", help="also time a 16x10x20,000 XOR sweep")
    bench.add_argument("--real", action="store_true",
                       help="wide nets on breast cancer and digits against scikit-learn")
    bench.add_argument("--optimizers", action="store_true",
                       help="each optimizer's epoch against plain gradient descent's, on the "
                            "tutorial's OR net and a 2-16-16-1 spiral net")
    bench.add_argument("--grid", action="store_true",
                       help="a 40-training grid sweep on the local executor and on Dask with "
                            "one and two local workers (docs/sweeps-on-a-cluster.md)")
    bench.add_argument("--json", action="store_true")
    sub.add_parser("warmup", help="compile the kernel into numba's on-disk cache")
    return parser


def _dataset(args, seed: int, standardize: bool | None = None) -> Dataset:
    """The data ``args`` name; ``standardize`` None: as ``--standardize`` says."""
    standardize = args.standardize if standardize is None else standardize
    if args.csv:
        try:
            with open(args.csv, "rb") as f:
                raw = f.read(2_000_001 + 1)
        except OSError as err:
            raise ValueError(f"cannot read {args.csv}: {err.strerror}") from None
        return load_csv(raw, name=args.csv, test_fraction=args.test, seed=seed,
                        standardize=standardize,
                        task=None if args.task == "auto" else args.task)
    if args.samples is None:
        args.samples = _default_samples(args.data, args.classes)
    real = DATASET_INFO[args.data].kind == "real"
    return make_dataset(args.data, samples=args.samples, noise=args.noise,
                        test_fraction=args.test, seed=seed, classes=args.classes or None,
                        standardize=standardize if real else None)


_DEFAULTED = ("hidden", "activation", "loss", "lr", "epochs", "init", "bias", "batch_size")


def _default_samples(name: str, classes: int | None) -> int:
    own = training_defaults(name, classes=classes)
    return own.samples if own is not None and own.samples else Settings().samples


def fill_defaults(args, data: Dataset) -> None:
    """Set every training flag not given to ``data``'s default, else the tutorial's.

    The data set's defaults are ``problems.training_defaults``; the tutorial's are
    ``Settings()`` (the gates and two-class 2-D shapes have none of their own).
    """
    own = training_defaults(None if args.csv else data.name, data.task, data.n_classes)
    tutorial = Settings()
    if getattr(args, "samples", 0) is None:
        args.samples = _default_samples(data.name, data.n_classes)
    for name in _DEFAULTED:
        if getattr(args, name) is not None:
            continue
        if own is not None:
            value = getattr(own, name)
        elif name == "hidden":
            value = tutorial.hidden_layers
        else:
            value = getattr(tutorial, name, None)   # batch_size: full batch
        setattr(args, name, value)


def _notice(text: str | None) -> None:
    if text:
        print(f"mlp_core: note: {text}", file=sys.stderr)


def _standardized(data: Dataset, meaning: model_io.ModelData) -> Dataset:
    """Raw-feature ``data`` standardized as a model file says its network expects."""
    if meaning.mean is None:
        return data
    return replace(data, X_train=meaning.prepare(data.X_train),
                   X_test=meaning.prepare(data.X_test),
                   feature_mean=meaning.mean, feature_scale=meaning.scale)


def _check_fits(net: Network, data: Dataset) -> None:
    """Raise unless ``net``'s output layer can learn ``data``'s labels or targets."""
    if net.n_data_inputs != data.n_features:
        raise ValueError(f"the model takes {net.n_data_inputs} inputs but the data has "
                         f"{data.n_features} features")
    k = net.n_outputs
    needs = (data.n_targets if data.task == "regress" else 1 if data.n_classes == 2
             and net.output_activation == "sigmoid" else data.n_classes)
    if net.task != data.task or k != needs:
        what = (f"{data.n_targets} regression target(s)" if data.task == "regress"
                else f"{data.n_classes} classes")
        raise ValueError(f"the model has {k} {net.output_activation} output(s) but "
                         f"{data.name} has {what}")


def _network_and_data(args):
    """The network to train, its data (standardized as the network expects) and config."""
    if getattr(args, "model_in", None):
        try:
            with open(args.model_in, "rb") as f:
                model = model_io.read(f.read(model_io.MAX_MODEL_BYTES + 1))
        except OSError as err:
            raise ValueError(f"cannot read {args.model_in}: {err.strerror}") from None
        net = model.net
        if args.features != PLANE and args.features != (net.features or PLANE):
            raise ValueError(f"the model file's input features are "
                             f"{','.join(net.features or PLANE)}; leave --features out")
        # A version 2 file says how its inputs were scaled: the data follow it.
        data = _dataset(args, args.seed, False if model.version >= 2 else None)
        _check_fits(net, data)
        data = _standardized(data, model.data)
        asked = args.loss
        fill_defaults(args, data)
        args.loss, notice = _loss_for_model(net, asked, model.training.get("loss"), args.loss)
    else:
        data = _dataset(args, args.seed)
        if args.features != PLANE and data.n_features != 2:
            raise ValueError(f"--features applies to data sets of 2 inputs (x1, x2) only; "
                             f"{data.name} has {data.n_features}")
        fill_defaults(args, data)
        problem = problem_for(data, args.loss)
        args.loss, notice = problem.loss, problem.notice
        net = Network.create(data.n_features, args.hidden, n_outputs=problem.n_outputs,
                             output=problem.output, activation=args.activation,
                             bias=args.bias, init=args.init, seed=args.seed,
                             features=args.features)
    config = TrainConfig(lr=args.lr, epochs=args.epochs, loss=args.loss,
                         batch_size=args.batch_size, reg=args.reg, reg_rate=args.reg_rate,
                         seed=args.seed, **_update_settings(args))
    # Only once nothing can fail: a bad argument's error is the one line on stderr.
    _notice(notice)
    return net, data, config


def _loss_for_model(net: Network, asked: str | None, saved, default: str
                    ) -> tuple[str, str | None]:
    """The loss a loaded model trains with, and a notice when ``--loss`` had to give way.

    ``asked`` is ``--loss`` (None: not given), ``saved`` the file's training loss,
    ``default`` the data set's: the first of them that fits the model's outputs.
    """
    allowed = ALLOWED_LOSSES[net.output_activation]
    for loss in (asked, saved, default):
        if loss in allowed:
            break
    else:
        loss = allowed[-1]
    notice = None
    if asked is not None and asked != loss:
        notice = (f"the model's {net.output_activation} outputs train with {loss}; "
                  f"the loss {asked} does not fit them.")
    return loss, notice


def scores(net: Network, data: Dataset) -> dict:
    """What ``--json`` adds: test accuracy, the confusion matrix (rows true, columns
    predicted), class names and per-class recall for a classifier; R^2 and RMSE on both
    splits for a regression network. Test values are None without a test set."""
    def outputs_and_targets(X, y):
        return net.outputs(X), net.encode_targets(y)

    has_test = data.n_test > 0
    if net.task == "regress":
        result = {}
        for split, X, y in (("train", data.X_train, data.y_train),
                            ("test", data.X_test, data.y_test)):
            if split == "test" and not has_test:
                result.update(test_r2=None, test_rmse=None)
                continue
            out, Y = outputs_and_targets(X, y)
            result[f"{split}_r2"] = _number(metrics.r2(out, Y))
            result[f"{split}_rmse"] = _number(metrics.rmse(out, Y))
        return result
    result = {"classes": list(data.classes), "test_accuracy": None, "confusion_matrix": None,
              "per_class_recall": None}
    if not has_test or net.output_activation == "sigmoid" and net.n_outputs > 1:
        return result
    predicted = net.predict(data.X_test)
    matrix = metrics.confusion_matrix(data.y_test, predicted, data.n_classes)
    result.update(test_accuracy=float(np.mean(predicted == data.y_test)),
                  confusion_matrix=matrix.tolist(),
                  per_class_recall=[_number(r) for r in metrics.per_class_recall(matrix)])
    return result


def _number(value: float) -> float | None:
    """JSON has no NaN: a score that does not exist (no rows, a class never seen) is null."""
    return None if value != value else float(value)


def cmd_train(args) -> int:
    net, data, config = _network_and_data(args)
    trainer = Trainer(net, data.X_train, data.y_train, config, data.X_test, data.y_test)
    trainer.train()
    measured = trainer.current_metrics()
    settings = {"data": data.name, "lr": config.lr, "epochs": trainer.epoch, "loss": config.loss,
                "batch_size": config.batch_size, "reg": config.reg,
                "reg_rate": config.reg_rate, "seed": config.seed,
                **model_io.update_fields(config)}
    if not data.is_gate and not args.csv:
        settings.update(model_io.data_fields(args.samples, args.noise, args.test))
    if args.csv or DATASET_INFO[args.data].kind == "real":
        settings["standardize"] = data.feature_mean is not None
    model = model_io.to_dict(net, settings, data)
    if args.model_out:
        try:
            with open(args.model_out, "w") as f:
                f.write(model_io.dumps(net, settings, data))
        except OSError as err:
            raise ValueError(f"cannot write {args.model_out}: {err.strerror}") from None
    result = {
        "final_loss": trainer.last_loss,
        "epochs": trainer.epoch,
        "seconds": trainer.seconds,
        "task": net.task,
        **({"train_accuracy": measured["train_accuracy"]} if net.task == "classify" else {}),
        **scores(net, data),
        "diverged": trainer.diverged is not None,
        "divergence": trainer.diverged.message if trainer.diverged else None,
        "optimizer": config.optimizer,
        "stopped": dict(trainer.stopped.__dict__) if trainer.stopped else None,
        "model": model,
    }
    if args.json:
        print(json.dumps(result))
    else:
        _print_result(net, data, trainer, result)
    return 0


def _print_result(net: Network, data: Dataset, trainer: Trainer, result: dict) -> None:
    config = trainer.config
    print(f"network {net.architecture()} on {data.name}: {trainer.epoch:,} epochs in "
          f"{trainer.seconds:.3f} s ({net.hidden_activation} hidden units, "
          f"{net.output_activation} output{'s' if net.n_outputs > 1 else ''}, {config.loss})")
    if trainer.diverged:
        print(trainer.diverged.message)
    if trainer.stopped:
        print(trainer.stopped.message)
    if net.task == "regress":
        test = ("" if result["test_r2"] is None else
                f", test R² {result['test_r2']:.4f}, test RMSE {result['test_rmse']:.4g}")
        print(f"train R² {result['train_r2']:.4f}, train RMSE {result['train_rmse']:.4g}{test}")
    else:
        print(f"train accuracy {result['train_accuracy']:.1%}"
              + (f", test accuracy {result['test_accuracy']:.1%}"
                 if result["test_accuracy"] is not None else ""))
        if result["confusion_matrix"] is not None:
            names = result["classes"]
            width = max(len(n) for n in names)
            print("confusion matrix (rows: true class, columns: predicted class), recall:")
            print(f"  {'':>{width}} " + " ".join(f"{j:4d}" for j in range(len(names))))
            for name, row, recall in zip(names, result["confusion_matrix"],
                                         result["per_class_recall"]):
                shown = "-" if recall is None else f"{recall:.0%}"
                print(f"  {name:>{width}} " + " ".join(f"{c:4d}" for c in row) + f"  {shown}")
    print(f"final loss {trainer.last_loss!r}")


def cmd_script(args) -> int:
    net, data, config = _network_and_data(args)
    print(standalone_script(net, data.X_train, data.y_train, config,
                            standardize=(data.feature_mean, data.feature_scale)
                            if data.feature_mean is not None else None))
    return 0


def cmd_sweep(args) -> int:
    if args.patience:
        raise ValueError("a sweep cannot stop on patience: its runs do not watch a test "
                         "loss; leave --patience at 0")
    data = _dataset(args, 0)
    if args.loss is None:
        own = training_defaults(None if args.csv else data.name, data.task, data.n_classes)
        args.loss = own.loss if own is not None else Settings().loss
    # The success-rate sweep is the tutorial's question (does every point come out right?);
    # real data, k classes and curves ask which width scores best on rows it never saw.
    if _asks_for_grid(args):
        return _sweep_grid(args, data)
    for name in ("layers", "lr", "activation", *GRID_UPDATE_FIELDS):
        setattr(args, name, getattr(args, name)[0])
    real = getattr(DATASET_INFO.get(data.name), "kind", None) == "real"
    if args.folds or real or data.task != "classify" or data.n_classes != 2:
        return _sweep_held_out(args, data)
    low, high = args.hidden.low, args.hidden.high
    spec = SweepSpec(low=low, high=high, seeds=args.seeds, layers=args.layers,
                     activation=args.activation, bias=args.bias, init=args.init,
                     success_accuracy=args.success)
    config = TrainConfig(lr=args.lr, epochs=args.epochs, loss=args.loss,
                         batch_size=args.batch_size, reg=args.reg, reg_rate=args.reg_rate,
                         **_update_settings(args))
    t0 = time.perf_counter()
    rows = sweep_hidden_sizes(data, spec, config)
    seconds = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"seconds": seconds, "model_epochs": len(rows) * config.epochs,
                          "rows": [r.__dict__ for r in rows]}))
        return 0
    summary = summarize(rows)
    print(f"{len(rows)} runs, {len(rows) * config.epochs:,} model-epochs in {seconds:.2f} s")
    print(" hidden  params  success  median train loss  median epochs to success")
    for i, h in enumerate(summary["hidden"]):
        ets = summary["epochs_to_success_median"][i]
        print(f"{int(h):7d} {int(summary['params'][i]):7d} {summary['success_rate'][i]:8.0%} "
              f"{summary['final_train_loss_median'][i]:18.3g} "
              f"{'-' if ets != ets else f'{ets:,.0f}':>25}")
    return 0


def _sweep_held_out(args, data: Dataset) -> int:
    """Every width and seed (and fold) scored on held-out rows: the page's real-data sweep."""
    problem = problem_for(data, args.loss)
    low, high = args.hidden.low, args.hidden.high
    spec = SweepSpec(widths=tuple(range(low, high + 1)), seeds=args.seeds, layers=args.layers,
                     activation=args.activation, bias=args.bias, init=args.init,
                     folds=args.folds, output=problem.output, n_outputs=problem.n_outputs)
    config = TrainConfig(lr=args.lr, epochs=args.epochs, loss=problem.loss,
                         batch_size=args.batch_size, reg=args.reg, reg_rate=args.reg_rate,
                         **_update_settings(args))
    _notice(problem.notice)
    t0 = time.perf_counter()
    rows = sweep_scores(data, spec, config)
    seconds = time.perf_counter() - t0
    widths, _, scores = score_matrix(rows)
    best, one_se = best_width(widths, scores)
    score = "R2" if problem.task == "regress" else "accuracy"
    if args.json:
        print(json.dumps({"seconds": seconds, "score": score, "best_width": best,
                          "smallest_width_within_one_se": one_se,
                          "rows": [{k: v for k, v in r.__dict__.items()
                                    if k not in ("params", "history")} for r in rows]}))
        return 0
    held = f"{args.folds}-fold" if args.folds else "test split"
    print(f"{len(rows)} runs in {seconds:.2f} s; held-out {score} ({held}), over seeds:")
    print(" hidden  median     q25     q75")
    for w, row in zip(widths, scores):
        q = np.nanpercentile(row, [50, 25, 75]) if np.isfinite(row).any() else [np.nan] * 3
        print(f"{int(w):7d} {q[0]:7.3f} {q[1]:7.3f} {q[2]:7.3f}")
    print(f"best width {best}; smallest within one standard error of it {one_se}")
    return 0


def _asks_for_grid(args) -> bool:
    """The grid sweep: asked for by ``--grid``, a grid-only flag, a step or a list of values."""
    return (args.grid or args.executor is not None or args.scheduler is not None
            or args.out is not None or args.hidden.grid_only
            or any(len(getattr(args, name)) > 1
                   for name in ("layers", "lr", "activation", *GRID_UPDATE_FIELDS)))


def _sweep_grid(args, data: Dataset) -> int:
    """Every cell of the grid, each seed and fold scored on held-out rows (gridsweep.py)."""
    problem = problem_for(data, args.loss)
    fixed = {k: v for k, v in _update_settings(args).items() if k not in GRID_UPDATE_FIELDS}
    spec = GridSpec(widths=args.hidden.sizes(), layers=args.layers, lrs=args.lr,
                    activations=args.activation, optimizers=args.optimizer, seeds=args.seeds,
                    folds=args.folds, output=problem.output, n_outputs=problem.n_outputs,
                    bias=args.bias, init=args.init,
                    config=TrainConfig(epochs=args.epochs, loss=problem.loss,
                                       batch_size=args.batch_size, reg=args.reg,
                                       reg_rate=args.reg_rate, **fixed))
    if args.executor == "local" and args.scheduler:
        raise ValueError("--scheduler is the Dask scheduler's address: leave out "
                         "--executor local, or give --executor dask")
    name = args.executor or ("dask" if args.scheduler else "local")
    _notice(problem.notice)
    executor = open_executor(name, args.scheduler)
    stored = []
    t0 = time.perf_counter()
    try:
        result = run_grid(data, spec, executor, out=args.out,
                          on_cell=lambda cell, rows: stored.append(cell))
    except KeyboardInterrupt:
        kept = ""
        if args.out:
            store = SweepFile(args.out, data, spec)
            kept = (f"; {len(store.load())} of {len(spec.cells)} cells are finished and kept in "
                    f"{store.path}, and the same command trains only the others")
        raise ValueError(f"interrupted{kept}") from None
    finally:
        executor.close()
    seconds = time.perf_counter() - t0
    score = "R2" if problem.task == "regress" else "accuracy"
    summaries = result.summaries()
    reused = len(result.cells) - len(stored)
    if args.json:
        for cell in result.cells:
            for row in result.rows[cell.key]:
                print(json.dumps({"kind": "trial", "cell": cell.key, **row}))
            print(json.dumps({"kind": "cell", "cell": cell.key, **asdict(cell),
                              **{k: _number(v) if isinstance(v, float) else v
                                 for k, v in asdict(summaries[cell.key]).items()}}))
        print(json.dumps({"kind": "sweep", "score": score, "cells": len(result.cells),
                          "trainings_per_cell": spec.trials_per_cell, "trained": result.trained,
                          "cells_read_back": reused, "seconds": seconds,
                          "cpu_seconds": result.cpu_seconds, "executor": name,
                          "file": result.path}))
        return 0
    held = f"{args.folds}-fold" if args.folds else "test split"
    print(f"{len(result.cells)} cells x {spec.trials_per_cell} trainings on {name}: "
          f"{result.trained} trained in {seconds:.2f} s"
          + (f", {reused} cells read back from {result.path}" if reused else "")
          + (f"; stored in {result.path}" if result.path and not reused else ""))
    print(f"held-out {score} ({held}) over seeds and folds:")
    print(f"{'hidden':>6} {'layers':>6} {'lr':>8} {'activation':>10} {'optimizer':>9} "
          f"{'n':>4} {'mean':>7} {'sd':>7} {'median':>7} {'q25':>7} {'q75':>7}")
    for cell in result.cells:
        s = summaries[cell.key]
        print(f"{cell.hidden:6d} {cell.layers:6d} {cell.lr:8.4g} {cell.activation:>10} "
              f"{cell.optimizer:>9} {s.n:4d} {s.mean:7.3f} {s.sd:7.3f} {s.median:7.3f} "
              f"{s.q25:7.3f} {s.q75:7.3f}")
    best = _best_cell(summaries)
    if best is not None:
        print(f"best mean: {best} ({summaries[best].mean:.3f})")
    return 0


def _best_cell(summaries: dict[str, CellSummary]) -> str | None:
    """The key of the cell with the highest mean held-out score (None if none has one)."""
    scored = {k: s.mean for k, s in summaries.items() if s.n}
    return max(scored, key=scored.get) if scored else None


def cmd_bench(args) -> int:
    if args.real:
        from .bench import run_real_bench
        return run_real_bench(as_json=args.json)
    if args.grid:
        from .bench import run_grid_bench
        return run_grid_bench(as_json=args.json)
    if args.optimizers:
        from .bench import run_optimizers_bench
        return run_optimizers_bench(as_json=args.json)
    from .bench import run_bench
    check_int("epochs", args.epochs, 1, MAX_EPOCHS)
    return run_bench(epochs=args.epochs, sweep=args.sweep, as_json=args.json)


def cmd_warmup(args) -> int:
    from .bench import warmup
    seconds = warmup()
    print(f"kernel ready in {seconds:.2f} s")
    return 0


COMMANDS = {"train": cmd_train, "script": cmd_script, "sweep": cmd_sweep,
            "bench": cmd_bench, "warmup": cmd_warmup}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("train", "script", "sweep"):
        one_blas_thread()
    try:
        return COMMANDS[args.command](args)
    except ValueError as err:
        return _fail(str(err))
    except KeyboardInterrupt:
        return _fail("interrupted")
    except BrokenPipeError:
        # The reader left (`... | head`): nothing more to say, and no traceback.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (Python flushes it at exit)
        return 0
