"""``python -m mlp_core`` on real problems (issue 14): each data set's own defaults train
well, ``--json`` reports confusion matrices or R² and RMSE, CSV files with 3 classes or a
real-valued target, and model files that carry their standardization.

The "Must show" scores run as a user would type them, in a subprocess with nothing but
``--data NAME --json`` (and a seed); the rest call ``cli.main`` in this process, which
is the same code without ~1 s of starting Python and compiling.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mlp_core import metrics
from mlp_core.cli import main
from mlp_core.datasets import make_dataset
from mlp_core.model_io import read
from mlp_core.problems import TRAINING_DEFAULTS

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_json(*args: str) -> tuple[dict, str]:
    """``python -m mlp_core ARGS --json`` in a subprocess: the result and stderr."""
    proc = subprocess.run([sys.executable, "-m", "mlp_core", *args, "--json"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0]), proc.stderr


def main_json(capsys, *args: str) -> tuple[dict, str]:
    assert main([*args, "--json"]) == 0
    out, err = capsys.readouterr()
    return json.loads(out), err


# --- the issue's "Must show": each data set's defaults, from the CLI ------------------------

# data set -> the score and the least it must reach on the default split (test 0.2)
MUST_SHOW = {
    "iris": ("test_accuracy", 0.9),
    "wine": ("test_accuracy", 0.9),
    "breast_cancer": ("test_accuracy", 0.9),
    "digits": ("test_accuracy", 0.93),
    "sine": ("test_r2", 0.9),
}
SEEDS = (0, 1, 2)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", [
    *[n for n in MUST_SHOW if n != "digits"],
    pytest.param("digits", marks=pytest.mark.slow),
])
def test_each_data_set_trains_well_with_its_defaults(name, seed):
    result, err = run_json("train", "--data", name, "--seed", str(seed))
    assert err == ""
    score, least = MUST_SHOW[name]
    assert result[score] >= least, (name, seed, result[score])
    assert not result["diverged"]
    model = result["model"]
    own = TRAINING_DEFAULTS[name]
    assert model["layer_sizes"][1:-1] == list(own.hidden)
    assert model["hidden_activation"] == own.activation
    assert model["training"]["loss"] == own.loss and result["epochs"] == own.epochs


def test_the_must_show_networks_are_the_issues():
    # digits with 32 hidden units, sine with 16 tanh units
    assert TRAINING_DEFAULTS["digits"].hidden == (32,)
    assert (TRAINING_DEFAULTS["sine"].hidden, TRAINING_DEFAULTS["sine"].activation) == (
        (16,), "tanh")


def test_the_gates_and_2d_shapes_keep_the_tutorial_defaults(capsys):
    for name in ("or", "xor", "moons", "circle", "spiral"):
        assert name not in TRAINING_DEFAULTS
    result, err = main_json(capsys, "train", "--data", "xor", "--init", "uniform",
                            "--epochs", "10")
    model = result["model"]
    assert (model["layer_sizes"], model["hidden_activation"], model["bias"]) == (
        [2, 3, 1], "sigmoid", False)
    assert model["training"]["lr"] == 0.05 and model["training"]["loss"] == "sse"


# --- --json fields -----------------------------------------------------------------------


def test_classification_json_has_the_confusion_matrix(capsys):
    result, _ = main_json(capsys, "train", "--data", "iris", "--epochs", "200")
    data = make_dataset("iris")
    assert result["task"] == "classify"
    assert result["classes"] == list(data.classes) == ["setosa", "versicolor", "virginica"]
    matrix = np.array(result["confusion_matrix"])
    assert matrix.shape == (3, 3) and matrix.sum() == data.n_test
    # rows are the true classes: each row adds up to that class's test rows
    assert matrix.sum(axis=1).tolist() == np.bincount(data.y_test.astype(int)).tolist()
    assert result["test_accuracy"] == pytest.approx(np.trace(matrix) / matrix.sum(), abs=1e-15)
    assert result["per_class_recall"] == pytest.approx(
        metrics.per_class_recall(matrix).tolist(), abs=1e-15)
    assert not {"test_r2", "test_rmse"} & set(result)
    assert result["model"]["output_activation"] == "softmax"
    assert result["model"]["classes"] == result["classes"]


def test_regression_json_has_r2_and_rmse(capsys):
    result, _ = main_json(capsys, "train", "--data", "plane", "--epochs", "300")
    assert result["task"] == "regress"
    for key in ("train_r2", "test_r2", "train_rmse", "test_rmse"):
        assert np.isfinite(result[key]), key
    assert not {"train_accuracy", "test_accuracy", "confusion_matrix"} & set(result)
    assert result["model"]["output_activation"] == "linear"
    assert result["model"]["task"] == "regress" and result["model"]["classes"] == []
    # RMSE is the root of the test loss (mse) on one target
    net = read(json.dumps(result["model"])).net
    data = make_dataset("plane", samples=200)
    out = net.outputs(data.X_test)
    assert result["test_rmse"] == pytest.approx(metrics.rmse(out, data.y_test), rel=1e-12)
    assert result["test_r2"] == pytest.approx(metrics.r2(out, data.y_test), rel=1e-12)


def test_human_output_prints_the_scores(capsys):
    assert main(["train", "--data", "wine", "--epochs", "100"]) == 0
    out = capsys.readouterr().out
    assert "softmax outputs, ce" in out
    assert "confusion matrix (rows: true class, columns: predicted class)" in out
    assert re.search(r"class_0 +\d+ +\d+ +\d+ +\d+%", out)
    assert main(["train", "--data", "sine", "--epochs", "100"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"train R² -?\d\.\d{4}, train RMSE .*test R² -?\d\.\d{4}, test RMSE", out)


def test_a_loss_that_does_not_fit_is_replaced_with_a_one_line_notice(capsys):
    result, err = main_json(capsys, "train", "--data", "iris", "--loss", "sse", "--epochs", "5")
    assert result["model"]["training"]["loss"] == "ce"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlp_core: note: iris has 3 classes")


def test_a_flag_beats_the_data_sets_default(capsys):
    result, _ = main_json(capsys, "train", "--data", "digits", "--hidden", "16", "--epochs",
                          "3", "--activation", "relu", "--no-bias", "--init", "he")
    model = result["model"]
    assert model["layer_sizes"] == [64, 16, 10] and model["hidden_activation"] == "relu"
    assert model["bias"] is False and result["epochs"] == 3
    assert model["training"]["lr"] == TRAINING_DEFAULTS["digits"].lr


def test_three_spiral_arms_train_with_their_own_defaults(capsys):
    result, _ = main_json(capsys, "train", "--data", "spiral", "--classes", "3")
    assert result["model"]["layer_sizes"] == [2, 32, 32, 3]
    assert result["model"]["training"]["samples"] == 300
    assert result["test_accuracy"] >= 0.9


def test_blobs_takes_classes(capsys):
    result, _ = main_json(capsys, "train", "--data", "blobs", "--classes", "5")
    assert result["model"]["layer_sizes"][-1] == 5 and len(result["classes"]) == 5
    assert result["test_accuracy"] >= 0.9


# --- CSV files ---------------------------------------------------------------------------


def _write_csv(path: Path, X: np.ndarray, y: np.ndarray, header: str) -> str:
    rows = [header] + [",".join(repr(float(v)) for v in x) + "," + (
        str(int(t)) if float(t).is_integer() else repr(float(t))) for x, t in zip(X, y)]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def _three_class_csv(tmp_path: Path) -> str:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0, 10.0], [3.0, 0.0, 10.0], [0.0, 3.0, 10.0]])
    y = np.repeat([0, 1, 2], 40)
    X = centres[y] + rng.normal(0, 0.5, (120, 3)) * [1, 1, 5]
    return _write_csv(tmp_path / "three.csv", X, y, "a,b,c,label")


def test_csv_with_three_classes(tmp_path, capsys):
    path = _three_class_csv(tmp_path)
    result, err = main_json(capsys, "train", "--csv", path)
    assert err == ""
    assert result["task"] == "classify" and len(result["classes"]) == 3
    assert result["model"]["layer_sizes"][-1] == 3
    assert result["model"]["output_activation"] == "softmax"
    assert result["model"]["feature_names"] == ["a", "b", "c"]
    assert np.array(result["confusion_matrix"]).sum() == 24
    assert result["test_accuracy"] >= 0.9
    # standardized by default, with the mean and scale in the model; --no-standardize: none
    assert result["model"]["standardize"]["mean"][2] == pytest.approx(10.0, abs=1.5)
    raw, _ = main_json(capsys, "train", "--csv", path, "--no-standardize", "--epochs", "5")
    assert raw["model"]["standardize"] is None
    assert raw["model"]["training"]["standardize"] is False


def test_csv_regression(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.uniform(-2, 2, (150, 2))
    y = 0.5 * X[:, 0] - X[:, 1] ** 2 + rng.normal(0, 0.05, 150) + 0.001
    path = _write_csv(tmp_path / "curve.csv", X, y, "x1,x2,height")
    result, err = main_json(capsys, "train", "--csv", path)
    assert err == ""
    assert result["task"] == "regress"
    assert result["model"]["output_activation"] == "linear"
    assert result["test_r2"] >= 0.9, result["test_r2"]
    # --task regress reads whole-number labels as a target
    labels = _three_class_csv(tmp_path)
    forced, _ = main_json(capsys, "train", "--csv", labels, "--task", "regress", "--epochs", "5")
    assert forced["task"] == "regress" and forced["model"]["layer_sizes"][-1] == 1


# --- model files: standardization stored and applied --------------------------------------


def test_model_in_standardizes_raw_features_as_the_file_says(tmp_path, capsys):
    path = tmp_path / "iris.json"
    main_json(capsys, "train", "--data", "iris", "--epochs", "200", "--model-out", str(path))
    model = read(path.read_bytes())
    assert model.data.standardized and model.data.classes == ("setosa", "versicolor",
                                                              "virginica")
    # Another seed's split: its own standardization would differ; the file's applies,
    # whatever --standardize says. lr 1e-300 leaves the weights as they are.
    again, _ = main_json(capsys, "train", "--data", "iris", "--seed", "5", "--no-standardize",
                         "--epochs", "1", "--lr", "1e-300", "--model-in", str(path))
    assert again["model"]["weights"] == json.loads(path.read_text())["weights"]
    assert again["model"]["standardize"] == json.loads(path.read_text())["standardize"]
    raw = make_dataset("iris", seed=5, standardize=False)
    predicted = model.net.predict(model.data.prepare(raw.X_test))
    expected = metrics.confusion_matrix(raw.y_test, predicted, 3)
    assert again["confusion_matrix"] == expected.tolist()
    assert again["test_accuracy"] == float(np.mean(predicted == raw.y_test))


def test_model_in_must_fit_the_data(tmp_path, capsys):
    path = tmp_path / "iris.json"
    main_json(capsys, "train", "--data", "iris", "--epochs", "5", "--model-out", str(path))
    csv = _write_csv(tmp_path / "two.csv", np.arange(40.0).reshape(10, 4) % 7,
                     np.arange(10) % 2, "a,b,c,d,label")
    for args, message in [
        (["--data", "wine"], r"the model takes 4 inputs but the data has 13 features$"),
        (["--csv", csv], r"the model has 3 softmax output\(s\) but .*two\.csv has 2 classes$"),
    ]:
        assert main(["train", *args, "--model-in", str(path), "--epochs", "1"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and re.search(message, err[0]), err


# --- bad arguments on the new data sets: one line, exit 2 ----------------------------------

BAD = {
    "sweep with one fold": (["sweep", "--data", "iris", "--folds", "1"],
                            r"folds must be an integer in \[2, 10\], got 1$"),
    "--classes 11": (["train", "--data", "blobs", "--classes", "11"], r"classes must be"),
    "--task guess": (["train", "--task", "guess"], r"CSV task must be one of"),
    "tutorial weights on a 3-class CSV": (["train", "--csv", "{three}", "--hidden", "3",
                                           "--init", "tutorial"],
                                          r"init 'tutorial' has fixed weights only for"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_arguments_on_new_data_exit_2_with_one_line(name, tmp_path, capsys):
    args, message = BAD[name]
    args = [a.format(three=_three_class_csv(tmp_path)) for a in args]
    try:
        code = main(args)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlp_core: error: ")
    assert re.search(message, lines[0]), lines[0]


def test_a_loaded_model_trains_with_a_loss_that_fits_it(tmp_path, capsys):
    # breast cancer with ce: two softmax outputs; the data set's own loss (bce) would not fit
    path = tmp_path / "two-softmax.json"
    main_json(capsys, "train", "--data", "breast_cancer", "--loss", "ce", "--epochs", "5",
              "--model-out", str(path))
    result, err = main_json(capsys, "train", "--data", "breast_cancer", "--epochs", "5",
                            "--model-in", str(path))
    assert err == "" and result["model"]["training"]["loss"] == "ce"
    assert result["model"]["output_activation"] == "softmax"
    result, err = main_json(capsys, "train", "--data", "breast_cancer", "--epochs", "5",
                            "--loss", "mse", "--model-in", str(path))
    assert result["model"]["training"]["loss"] == "ce"
    assert err.strip() == ("mlp_core: note: the model's softmax outputs train with ce; the "
                           "loss mse does not fit them.")


def test_sweep_scores_real_data_on_held_out_rows():
    # iris: 3 softmax outputs, scored on the test split; every width's runs are there and
    # the best width is one of them.
    result, _ = run_json("sweep", "--data", "iris", "--hidden", "1-4", "--seeds", "2",
                         "--epochs", "300", "--lr", "0.3", "--activation", "tanh")
    assert result["score"] == "accuracy"
    assert sorted({(r["hidden"], r["seed"]) for r in result["rows"]}) == \
        [(h, s) for h in range(1, 5) for s in range(2)]
    assert all(r["fold"] == -1 for r in result["rows"])
    assert result["best_width"] in range(1, 5)
    assert result["smallest_width_within_one_se"] <= result["best_width"]


def test_sweep_on_a_curve_uses_k_folds_and_r2():
    result, _ = run_json("sweep", "--data", "sine", "--hidden", "4-5", "--seeds", "1",
                         "--epochs", "500", "--lr", "0.1", "--activation", "tanh",
                         "--folds", "3")
    assert result["score"] == "R2"
    assert sorted(r["fold"] for r in result["rows"]) == [0, 0, 1, 1, 2, 2]
    assert all(r["heldout_score"] > 0.5 for r in result["rows"])
