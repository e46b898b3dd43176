"""``python -m mlp_core``: train, write a standalone script, sweep, benchmark.

Every bad argument ends the program with exit code 2 and one line on stderr,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from . import model_io
from ._validate import check_int
from .datasets import ALL_DATASET_NAMES, DATASET_INFO, load_csv, make_dataset
from .network import Network
from .script import standalone_script
from .settings import SPECS, Settings, Spec
from .sweep import SweepSpec, rows_to_csv, summarize, sweep_hidden_sizes
from .training import MAX_EPOCHS, TrainConfig, Trainer


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


def _range(text: str) -> tuple[int, int]:
    try:
        low, _, high = text.partition("-")
        return int(low), int(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden takes a range like 1-16, got {text!r}"
                                         ) from None


def _setting_type(spec: Spec):
    def convert(text: str):
        try:
            return spec.check(spec.parse(text))
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
    convert.__name__ = spec.what     # argparse names the type in some messages
    return convert


def _flag(p: argparse.ArgumentParser, name: str, default=None) -> None:
    """Add setting ``name``'s flag (``Spec.cli``) with its type, range and help."""
    spec = SPECS[name]
    default = getattr(Settings(), name) if default is None else default
    p.add_argument(spec.cli, type=_setting_type(spec), default=default,
                   metavar="NAME" if spec.choices else None,
                   help=f"{spec.what}: {spec.allowed()} (default {default})")


def _add_run_options(p: argparse.ArgumentParser, *, sweep: bool = False) -> None:
    p.add_argument("--data", default="or", choices=ALL_DATASET_NAMES, metavar="NAME",
                   help=f"data set: {', '.join(ALL_DATASET_NAMES)} (default or)")
    p.add_argument("--csv", metavar="FILE", help="train on a CSV file instead of --data")
    _flag(p, "task")
    _flag(p, "samples")
    _flag(p, "noise")
    _flag(p, "classes")
    standardize = p.add_mutually_exclusive_group()
    standardize.add_argument("--standardize", dest="standardize", action="store_true",
                             default=True, help="real data and CSV: features to mean 0, sd 1 "
                                                "on the training split (default)")
    standardize.add_argument("--no-standardize", dest="standardize", action="store_false")
    p.add_argument("--test", type=float, default=0.2, help="test fraction, 0..0.9 (default 0.2)")
    if sweep:
        p.add_argument("--hidden", type=_range, default=(1, 16), help="hidden sizes a-b")
        p.add_argument("--seeds", type=int, default=10, help="seeds per size (default 10)")
        p.add_argument("--layers", type=int, default=1, help="hidden layers (default 1)")
    else:
        p.add_argument("--hidden", type=_hidden, default=(3,),
                       help="hidden layer sizes: 3, 8,4 or none (default 3)")
        _flag(p, "seed")
    _flag(p, "activation")
    _flag(p, "loss")
    # A sweep trains many networks from random starts: faster defaults than the tutorial's.
    _flag(p, "lr", 0.5 if sweep else None)
    _flag(p, "epochs", 20_000 if sweep else None)
    _flag(p, "init", "xavier" if sweep else None)
    bias = p.add_mutually_exclusive_group()
    bias.add_argument("--bias", dest="bias", action="store_true", default=sweep)
    bias.add_argument("--no-bias", dest="bias", action="store_false")
    p.add_argument("--batch-size", type=int, default=None, help="mini-batch size (default: all)")
    p.add_argument("--reg", default="none", help="regularization: none, l1 or l2")
    p.add_argument("--reg-rate", type=float, default=0.0)
    p.add_argument("--json", action="store_true", help="print one JSON object")


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
    bench = sub.add_parser("bench", help="time the tutorial's loop, reference and fast paths")
    bench.add_argument("--epochs", type=int, default=200_000)
    bench.add_argument("--sweep", action="store_true", help="also time a 16x10x20,000 XOR sweep")
    bench.add_argument("--real", action="store_true",
                       help="wide nets on breast cancer and digits against scikit-learn")
    bench.add_argument("--json", action="store_true")
    sub.add_parser("warmup", help="compile the kernel into numba's on-disk cache")
    return parser


def _dataset(args, seed: int):
    if args.csv:
        try:
            with open(args.csv, "rb") as f:
                raw = f.read(2_000_001 + 1)
        except OSError as err:
            raise ValueError(f"cannot read {args.csv}: {err.strerror}") from None
        return load_csv(raw, name=args.csv, test_fraction=args.test, seed=seed,
                        standardize=args.standardize,
                        task=None if args.task == "auto" else args.task)
    real = DATASET_INFO[args.data].kind == "real"
    return make_dataset(args.data, samples=args.samples, noise=args.noise,
                        test_fraction=args.test, seed=seed, classes=args.classes or None,
                        standardize=args.standardize if real else None)


def _network_and_data(args):
    training = {}
    data = _dataset(args, args.seed)
    if getattr(args, "model_in", None):
        try:
            with open(args.model_in, "rb") as f:
                net, training = model_io.loads(f.read(model_io.MAX_MODEL_BYTES + 1))
        except OSError as err:
            raise ValueError(f"cannot read {args.model_in}: {err.strerror}") from None
        if net.layer_sizes[0] != data.n_features:
            raise ValueError(f"the model takes {net.layer_sizes[0]} inputs but the data has "
                             f"{data.n_features} features")
    else:
        net = Network.create(data.n_features, args.hidden, activation=args.activation,
                             bias=args.bias, init=args.init, seed=args.seed)
    config = TrainConfig(lr=args.lr, epochs=args.epochs, loss=args.loss,
                         batch_size=args.batch_size, reg=args.reg, reg_rate=args.reg_rate,
                         seed=args.seed)
    return net, data, config


def cmd_train(args) -> int:
    net, data, config = _network_and_data(args)
    trainer = Trainer(net, data.X_train, data.y_train, config, data.X_test, data.y_test)
    trainer.train()
    metrics = trainer.current_metrics()
    settings = {"data": data.name, "lr": config.lr, "epochs": trainer.epoch, "loss": config.loss,
                "batch_size": config.batch_size, "reg": config.reg,
                "reg_rate": config.reg_rate, "seed": config.seed}
    if not data.is_gate and not args.csv:
        settings.update(model_io.data_fields(args.samples, args.noise, args.test))
    model = model_io.to_dict(net, settings)
    if args.model_out:
        try:
            with open(args.model_out, "w") as f:
                f.write(model_io.dumps(net, settings))
        except OSError as err:
            raise ValueError(f"cannot write {args.model_out}: {err.strerror}") from None
    result = {
        "final_loss": trainer.last_loss,
        "epochs": trainer.epoch,
        "seconds": trainer.seconds,
        "train_accuracy": metrics["train_accuracy"],
        "test_accuracy": metrics["test_accuracy"],
        "diverged": trainer.diverged is not None,
        "divergence": trainer.diverged.message if trainer.diverged else None,
        "model": model,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"network {net.architecture()} on {data.name}: {trainer.epoch:,} epochs in "
              f"{trainer.seconds:.3f} s")
        if trainer.diverged:
            print(trainer.diverged.message)
        print(f"train accuracy {metrics['train_accuracy']:.1%}"
              + (f", test accuracy {metrics['test_accuracy']:.1%}"
                 if metrics["test_accuracy"] is not None else ""))
        print(f"final loss {trainer.last_loss!r}")
    return 0


def cmd_script(args) -> int:
    net, data, config = _network_and_data(args)
    print(standalone_script(net, data.X_train, data.y_train, config))
    return 0


def cmd_sweep(args) -> int:
    data = _dataset(args, 0)
    low, high = args.hidden
    spec = SweepSpec(low=low, high=high, seeds=args.seeds, layers=args.layers,
                     activation=args.activation, bias=args.bias, init=args.init,
                     success_accuracy=args.success)
    config = TrainConfig(lr=args.lr, epochs=args.epochs, loss=args.loss,
                         batch_size=args.batch_size, reg=args.reg, reg_rate=args.reg_rate)
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
    if not args.json:
        sys.stderr.write("(use --json for every row; CSV:\n" + rows_to_csv(rows)[:0] + ")\n"
                         if False else "")
    return 0


def cmd_bench(args) -> int:
    if args.real:
        from .bench import run_real_bench
        return run_real_bench(as_json=args.json)
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
    try:
        return COMMANDS[args.command](args)
    except ValueError as err:
        return _fail(str(err))
    except KeyboardInterrupt:
        return _fail("interrupted")
