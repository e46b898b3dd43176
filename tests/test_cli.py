"""``python -m mlp_core``, run as a user would: a subprocess from the repository root.

Checks that need only ``main``'s code, not a fresh process, call ``cli.main`` here
instead: starting Python and importing numba costs ~0.5 s a run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from mlp_core.cli import main
from mlp_core.model_io import dumps, loads, read
from mlp_core.network import Network
from mlp_core.sweep import SweepRow

REPO_ROOT = Path(__file__).resolve().parents[1]
TUTORIAL_FINAL_LOSS = 0.00026501585489401594  # tests/data/seed_tutorial_numbers.json
TUTORIAL_OR = ["--data", "or", "--hidden", "3", "--activation", "sigmoid", "--loss", "sse",
               "--lr", "0.05", "--init", "tutorial", "--no-bias", "--seed", "0"]
RESULT_KEYS = {"final_loss", "epochs", "seconds", "task", "train_accuracy", "test_accuracy",
               "classes", "confusion_matrix", "per_class_recall", "diverged", "divergence",
               "optimizer", "stopped", "model"}


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlp_core", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def run_json(*args: str) -> dict:
    proc = run_cli(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def main_json(capsys, *args: str) -> dict:
    """``main([... "--json"])`` in this process: the same code as the subprocess, minus
    the ~0.5 s of starting Python and importing numba."""
    assert main([*args, "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return json.loads(out)


@pytest.mark.parametrize("command", [[], ["train"], ["script"], ["sweep"], ["bench"],
                                     ["warmup"]], ids=lambda c: c[0] if c else "main")
def test_help(command):
    proc = run_cli(*command, "--help")
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert proc.stdout.startswith(f"usage: python -m mlp_core {' '.join(command)}".rstrip())
    if not command:
        for name in ("train", "script", "sweep", "bench", "warmup"):
            assert name in proc.stdout


def test_train_tutorial_or_json():
    result = run_json("train", *TUTORIAL_OR, "--epochs", "200000")
    assert set(result) == RESULT_KEYS
    np.testing.assert_allclose(result["final_loss"], TUTORIAL_FINAL_LOSS, rtol=1e-9)
    assert result["epochs"] == 200_000
    assert result["seconds"] >= 0
    assert result["train_accuracy"] == 1.0
    assert result["test_accuracy"] is None
    # a gate has no test set: nothing to count in a confusion matrix
    assert result["task"] == "classify" and result["classes"] == ["0", "1"]
    assert result["confusion_matrix"] is None and result["per_class_recall"] is None
    assert result["diverged"] is False and result["divergence"] is None
    model = result["model"]
    assert model["layer_sizes"] == [2, 3, 1] and model["bias"] is False
    assert model["training"]["lr"] == 0.05 and model["training"]["epochs"] == 200_000
    net, _ = loads(json.dumps(model))
    assert net.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]])).tolist() == [0, 1, 1, 1]


def test_train_text_output(capsys):
    assert main(["train", *TUTORIAL_OR, "--epochs", "1000"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "network 2-3-1 on or: 1,000 epochs" in out
    assert out.strip().splitlines()[-1].startswith("final loss ")


def test_train_reports_divergence(capsys):
    result = main_json(capsys, "train", "--data", "xor", "--hidden", "4", "--init", "xavier",
                       "--bias", "--loss", "bce", "--lr", "1e6", "--epochs", "100")
    assert result["diverged"] is True
    assert "learning rate" in result["divergence"]
    assert result["epochs"] == 0


def test_model_out_then_model_in_continues(tmp_path, capsys):
    first_file = tmp_path / "first.json"
    options = ["--data", "xor", "--init", "xavier", "--seed", "3", "--lr", "0.3", "--loss", "bce"]
    first = run_json("train", *options, "--hidden", "4,3", "--activation", "tanh", "--bias",
                     "--epochs", "500", "--model-out", str(first_file))
    saved, training, meaning, _ = read(first_file.read_bytes())
    assert training["epochs"] == 500
    assert json.loads(dumps(saved, training, meaning)) == first["model"]

    # The file decides the architecture: these --hidden/--activation/--no-bias are ignored.
    second = run_json("train", *options, "--hidden", "7", "--activation", "relu", "--no-bias",
                      "--epochs", "500", "--model-in", str(first_file))
    model = second["model"]
    assert model["layer_sizes"] == [2, 4, 3, 1]
    assert model["hidden_activation"] == "tanh" and model["bias"] is True
    assert second["epochs"] == 500

    # Full-batch training has no state but the weights: 500 + 500 epochs is one 1,000 run.
    whole = main_json(capsys, "train", *options, "--hidden", "4,3", "--activation", "tanh",
                      "--bias", "--epochs", "1000")
    assert model["weights"] == whole["model"]["weights"]
    assert model["biases"] == whole["model"]["biases"]
    assert second["final_loss"] == whole["final_loss"]


SCRIPT_CONFIGS = {
    "tutorial-or": [*TUTORIAL_OR, "--epochs", "2000"],
    "tanh-bce-2-layers": ["--data", "xor", "--hidden", "4,3", "--activation", "tanh", "--loss",
                          "bce", "--lr", "0.3", "--init", "xavier", "--bias", "--seed", "1",
                          "--epochs", "2000"],
    "moons-minibatch": ["--data", "moons", "--samples", "60", "--hidden", "5", "--activation",
                        "relu", "--loss", "mse", "--lr", "0.2", "--init", "he", "--bias",
                        "--batch-size", "16", "--seed", "2", "--epochs", "300"],
    "moons-minibatch-l2": ["--data", "moons", "--samples", "60", "--hidden", "5", "--loss", "sse",
                           "--lr", "0.2", "--init", "he", "--bias", "--batch-size", "7",
                           "--reg", "l2", "--reg-rate", "0.01", "--seed", "2", "--epochs", "300"],
    "no-hidden-layer": ["--data", "and", "--hidden", "none", "--init", "xavier", "--bias",
                        "--loss", "bce", "--lr", "0.5", "--epochs", "500"],
    "features-no-hidden": ["--data", "circle", "--hidden", "none", "--features", "x1sq,x2sq",
                           "--bias", "--loss", "bce", "--epochs", "300"],
    "all-features": ["--data", "moons", "--hidden", "4", "--init", "xavier", "--bias",
                     "--features", "sinx2,x1x2,x1,x2sq,sinx1,x1sq,x2", "--activation", "tanh",
                     "--loss", "bce", "--lr", "0.3", "--epochs", "200"],
    "four-layers-l1": ["--data", "xor", "--hidden", "3,4,2,3", "--activation", "linear",
                       "--init", "he", "--bias", "--loss", "mse", "--lr", "0.1", "--epochs", "300",
                       "--reg", "l1", "--reg-rate", "0.01"],
}


@pytest.mark.parametrize("name", list(SCRIPT_CONFIGS))
def test_script_reproduces_train(name, tmp_path, capsys):
    options = SCRIPT_CONFIGS[name]
    trained = main_json(capsys, "train", *options)
    proc = run_cli("script", *options)
    assert proc.returncode == 0 and proc.stderr == ""
    script = tmp_path / "train_script.py"
    script.write_text(proc.stdout)
    assert "import numpy as np" in proc.stdout and "mlp_core" not in proc.stdout
    ran = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    last_line = ran.stdout.strip().splitlines()[-1]
    np.testing.assert_allclose(float(last_line), trained["final_loss"], rtol=1e-12)


def test_script_from_model_file(tmp_path, capsys):
    model = tmp_path / "start.json"
    model.write_text(dumps(Network.create(2, (3,), init="tutorial")))
    assert main(["script", "--data", "or", "--epochs", "10", "--model-in", str(model)]) == 0
    out, _ = capsys.readouterr()
    assert "weight_hidden = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])" in out


def _bad_model_file(tmp_path: Path) -> str:
    path = tmp_path / "bad.json"
    path.write_text('{"format": "mlp-playground-model", "version": 1, "layer_sizes": [2, 3]}')
    return str(path)


def _bad_csv(tmp_path: Path) -> str:
    path = tmp_path / "bad.csv"
    path.write_text("x1,x2,label\n1,2,3\n")
    return str(path)


def _fill(args: list[str], tmp_path: Path) -> list[str]:
    (tmp_path / "plane.json").write_text(dumps(Network.create(2, (3,), init="xavier")))
    paths = {"tmp": str(tmp_path), "bad_model": _bad_model_file(tmp_path),
             "bad_csv": _bad_csv(tmp_path)}
    return [a.format(**paths) for a in args]


def _assert_one_error_line(returncode, stdout: str, stderr: str, message: str) -> None:
    assert returncode == 2
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("mlp_core: error: ")
    assert re.search(message, lines[0]), lines[0]
    assert stdout == ""


# Each runs as a subprocess, as a user would type it.
BAD_ARGS = {
    "--lr -1": (["train", "--lr", "-1"],
                r"--lr: learning rate must be a number in \(0, 1e\+06\], got -1$"),
    "--hidden 300": (["train", "--hidden", "300"],
                     r"hidden nodes must be an integer in \[1, 256\], got 300$"),
    "--hidden x": (["train", "--hidden", "x"], r"--hidden takes sizes like 3 or 8,4 or none"),
    "--epochs 0": (["train", "--epochs", "0"], r"epochs must be an integer in \[1, "),
    "--data nope": (["train", "--data", "nope"], r"argument --data: invalid choice: 'nope'"),
    "missing --csv": (["train", "--csv", "{tmp}/missing.csv"],
                      r"cannot read .*missing\.csv: No such file or directory$"),
    "bad --model-in": (["train", "--model-in", "{bad_model}"],
                       r"the output layer must have 1 node, got 3$"),
    "--features on iris": (["train", "--data", "iris", "--features", "x1sq"],
                           r"--features applies to data sets of 2 inputs \(x1, x2\) only; "
                           r"iris has 4$"),
    "--features foo": (["train", "--data", "circle", "--features", "x1sq,foo"],
                       r"argument --features: unknown input feature 'foo'; the input "
                       r"features are x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2$"),
}
# The same checks in this process (``cli.main``), which is much cheaper than a subprocess;
# an exception escaping ``main`` would fail the test just as a traceback would.
MORE_BAD_ARGS = {
    "--lr nan": (["train", "--lr", "nan"], r"learning rate must be a finite number"),
    "--hidden 3,3,3,3,3": (["train", "--hidden", "3,3,3,3,3", "--init", "xavier"],
                           r"hidden layers must be between 0 and 4"),
    "--epochs x": (["train", "--epochs", "x"], r"argument --epochs: not a number"),
    "--init tutorial 2-4-1": (["train", "--hidden", "4"], r"init 'tutorial' has fixed weights"),
    "--activation softmax": (["train", "--activation", "softmax"], r"activation must be one of"),
    "--loss hinge": (["train", "--loss", "hinge"], r"loss must be one of"),
    "--batch-size 0": (["train", "--batch-size", "0"], r"batch size must be"),
    "--reg l3": (["train", "--reg", "l3"], r"reg must be one of"),
    "--samples 5": (["train", "--data", "moons", "--samples", "5", "--init", "xavier"],
                    r"samples must be"),
    "--test 0.95": (["train", "--data", "moons", "--test", "0.95", "--init", "xavier"],
                    r"test_fraction must be a number in \[0, 0\.9\], got 0\.95$"),
    "bad --csv": (["train", "--csv", "{bad_csv}"], r"only 1 data row; at least 4 are needed"),
    "missing --model-in": (["train", "--model-in", "{tmp}/missing.json"],
                           r"cannot read .*missing\.json"),
    "--model-in a directory": (["train", "--model-in", "{tmp}"], r"cannot read"),
    "--model-out unwritable": (["train", "--epochs", "10", "--model-out", "{tmp}/no/dir.json"],
                               r"cannot write .*dir\.json: No such file or directory$"),
    "--features on sine": (["train", "--data", "sine", "--features", "sinx1"],
                           r"--features applies to data sets of 2 inputs \(x1, x2\) only; "
                           r"sine has 1$"),
    "--features empty": (["train", "--features", ","],
                         r"choose at least one input feature"),
    "--features against a model file": (
        ["train", "--data", "circle", "--features", "x1sq", "--model-in", "{tmp}/plane.json"],
        r"the model file's input features are x1,x2; leave --features out$"),
    "script --lr -1": (["script", "--lr", "-1"], r"learning rate must be"),
    "script bad --model-in": (["script", "--model-in", "{bad_model}"], r"output layer"),
    "sweep high < low": (["sweep", "--hidden", "3-1"], r"sweep high must be"),
    "sweep --seeds 0": (["sweep", "--seeds", "0"], r"seeds must be"),
    "sweep --hidden a-b": (["sweep", "--hidden", "a-b"], r"--hidden takes a range like 1-16"),
    "sweep too many runs": (["sweep", "--hidden", "1-64", "--seeds", "100"],
                            r"at most 2,000 runs"),
    "bench --epochs 0": (["bench", "--epochs", "0"], r"epochs must be an integer"),
    "no command": ([], r"the following arguments are required: command"),
    "unknown command": (["fit"], r"invalid choice: 'fit'"),
}


@pytest.mark.parametrize("name", list(BAD_ARGS))
def test_bad_arguments_exit_2_with_one_line(name, tmp_path):
    args, message = BAD_ARGS[name]
    proc = run_cli(*_fill(args, tmp_path))
    _assert_one_error_line(proc.returncode, proc.stdout, proc.stderr, message)


@pytest.mark.parametrize("name", list(MORE_BAD_ARGS))
def test_more_bad_arguments_in_process(name, tmp_path, capsys):
    args, message = MORE_BAD_ARGS[name]
    try:
        code = main(_fill(args, tmp_path))
    except SystemExit as stop:  # argparse errors exit from inside parse_args
        code = stop.code
    out, err = capsys.readouterr()
    _assert_one_error_line(code, out, err, message)


def test_sweep_json():
    result = run_json("sweep", "--data", "xor", "--hidden", "1-3", "--seeds", "2",
                      "--epochs", "2000")
    assert set(result) == {"seconds", "model_epochs", "rows"}
    assert result["model_epochs"] == 6 * 2000
    rows = result["rows"]
    assert len(rows) == 6
    assert all(set(row) == {f.name for f in fields(SweepRow)} for row in rows)
    assert [(r["hidden"], r["seed"]) for r in rows] == [(h, s) for h in (1, 2, 3) for s in (0, 1)]
    assert [r["params"] for r in rows] == [5, 5, 9, 9, 13, 13]
    assert all(r["test_accuracy"] is None and r["final_test_loss"] is None for r in rows)
    assert not any(r["success"] for r in rows if r["hidden"] == 1)


def test_sweep_table(capsys):
    assert main(["sweep", "--data", "xor", "--hidden", "2-3", "--seeds", "2",
                 "--epochs", "500"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("4 runs, 2,000 model-epochs")
    assert len(out.strip().splitlines()) == 2 + 2


def test_model_out_records_the_data_the_app_can_draw_again(tmp_path):
    out = tmp_path / "moons.json"
    run_json("train", "--data", "moons", "--samples", "100", "--noise", "0.2", "--test", "0.3",
             "--seed", "4", "--epochs", "5", "--init", "xavier", "--model-out", str(out))
    _, training = loads(out.read_bytes())
    assert {k: training[k] for k in ("data", "samples", "noise", "test", "seed")} == {
        "data": "moons", "samples": 100, "noise": 0.2, "test": 30, "seed": 4}
    # a split the app cannot show (12.3 %) is left out; a gate has no such fields
    run_json("train", "--data", "moons", "--test", "0.123", "--epochs", "5", "--init", "xavier",
             "--model-out", str(out))
    assert "test" not in loads(out.read_bytes())[1]
    run_json("train", "--data", "xor", "--epochs", "5", "--model-out", str(out))
    assert not {"samples", "noise", "test"} & set(loads(out.read_bytes())[1])


# Issue 16's lesson: x1² and x2² make the circle's edge a straight line, so a network with
# no hidden layer learns it; on x1, x2 its one line cannot (the command as a user types it).
CIRCLE_NO_HIDDEN = ["train", "--data", "circle", "--hidden", "none", "--bias", "--loss", "bce",
                    "--seed", "0"]


def test_circle_needs_no_hidden_layer_on_squared_features():
    squares = run_json(*CIRCLE_NO_HIDDEN, "--features", "x1sq,x2sq")
    plane = run_json(*CIRCLE_NO_HIDDEN, "--features", "x1,x2")
    for result in (squares, plane):
        assert set(result) == RESULT_KEYS
        assert result["model"]["layer_sizes"] == [2, 1]
    assert squares["train_accuracy"] >= 0.95 and squares["test_accuracy"] >= 0.95
    assert plane["train_accuracy"] <= 0.75
    assert squares["model"]["features"] == ["x1sq", "x2sq"]
    assert squares["model"]["version"] == 3
    assert "features" not in plane["model"] and plane["model"]["version"] == 2


def test_features_are_kept_in_their_canonical_order(capsys):
    result = main_json(capsys, "train", "--data", "circle", "--hidden", "none", "--epochs", "10",
                       "--init", "xavier",
                       "--features", "x2sq,sinx1,x1sq,x2sq")
    assert result["model"]["features"] == ["x1sq", "x2sq", "sinx1"]
    assert result["model"]["layer_sizes"][0] == 3


def test_a_model_file_with_features_trains_on_with_them(tmp_path, capsys):
    model = tmp_path / "squares.json"
    first = main_json(capsys, *CIRCLE_NO_HIDDEN, "--features", "x1sq,x2sq", "--epochs", "50",
                      "--model-out", str(model))
    again = main_json(capsys, "train", "--data", "circle", "--epochs", "50", "--model-in",
                      str(model), "--lr", "0.05")
    assert again["model"]["features"] == ["x1sq", "x2sq"]
    assert again["final_loss"] < first["final_loss"]


def test_zeros_init_starts_every_output_at_one_half(capsys):
    # All-zero weights: every output is sigmoid(0) = 0.5, so the first epoch's SSE is
    # 4 * 0.5 * 0.5**2 = 0.5 on any gate, and one step moves the weights off zero.
    result = main_json(capsys, "train", "--data", "or", "--hidden", "none", "--bias",
                       "--init", "zeros", "--epochs", "1", "--lr", "0.05")
    assert result["final_loss"] == pytest.approx(0.5, rel=1e-12)
    assert result["model"]["layer_sizes"] == [2, 1] and result["model"]["bias"]
    assert np.all(np.array(result["model"]["weights"][0]) > 0)
