"""Import layering and banned-construct checks, done on the source with ``ast``.

Layers, top to bottom: app.py / pages -> mlp_ui -> mlp_figures -> mlp_core.
A module may import from its own layer or any lower one, never from a higher one.
On top of that:
  * mlp_core imports neither streamlit, plotly nor pandas (pure engine);
  * mlp_figures does not import streamlit (figures are plain Plotly objects).
No source file outside tests/ may use pickle (or its relatives), ``eval(``,
``exec(`` or ``allow_pickle=True``, and none may render raw HTML
(``unsafe_allow_html`` other than False, ``st.html``, ``components.html``):
the app has no HTML of its own, so raw HTML could only carry a user's text.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# Higher number = higher layer.
LAYERS: dict[str, int] = {"mlp_core": 0, "mlp_figures": 1, "mlp_ui": 2, "pages": 3, "app": 3}
FORBIDDEN_THIRD_PARTY: dict[str, set[str]] = {
    "mlp_core": {"streamlit", "plotly", "pandas"},
    "mlp_figures": {"streamlit"},
}
PICKLE_MODULES = {"pickle", "cPickle", "_pickle", "cloudpickle", "dill", "shelve", "jsonpickle"}
PICKLE_ATTRS = {"read_pickle", "to_pickle"}
BANNED_CALLS = {"eval", "exec"}
HTML_CALLS = {"html"}       # st.html(...), components.html(...), st.components.v1.html(...)
SKIP_DIRS = {
    "tests", "bench_out", "__pycache__", "node_modules", "venv", ".venv", "env",
    "build", "dist", "site-packages",
}  # fmt: skip


@dataclass(frozen=True, order=True)
class Violation:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _source_files(root: Path) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        files.append(path)
    return files


def _layer_of(rel: Path) -> str | None:
    """Layer name of a file (by its top folder; ``app.py`` at the root is "app")."""
    if len(rel.parts) == 1:
        return "app" if rel.stem == "app" else None
    return rel.parts[0] if rel.parts[0] in LAYERS else None


def _imported_modules(tree: ast.AST, rel: Path) -> list[tuple[int, str]]:
    """(line, absolute dotted module name) for every import, relative ones resolved."""
    package = list(rel.parts[:-1])  # package of this module (for relative imports)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = [node.module or ""]
            else:
                up = node.level - 1
                parts = package[: len(package) - up] if up <= len(package) else []
                base = parts + ([node.module] if node.module else [])
            if base and base != [""]:
                found.append((node.lineno, ".".join(base)))
            if not node.module:  # "from . import x" / "from .. import pkg"
                prefix = ".".join(base)
                found.extend(
                    (node.lineno, f"{prefix}.{a.name}" if prefix else a.name) for a in node.names
                )
        elif isinstance(node, ast.Call):
            # importlib.import_module("x") / __import__("x") with a literal name
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if (
                name in {"import_module", "__import__"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((node.lineno, node.args[0].value))
    return found


def _banned_constructs(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in BANNED_CALLS:
                found.append((node.lineno, f"uses {func.id}()"))
            elif (
                isinstance(func, ast.Attribute)
                and func.attr in BANNED_CALLS
                and isinstance(func.value, ast.Name)
                and func.value.id == "builtins"
            ):
                found.append((node.lineno, f"uses builtins.{func.attr}()"))
            elif isinstance(func, ast.Attribute) and func.attr in HTML_CALLS:
                found.append((node.lineno, f"renders raw HTML with .{func.attr}()"))
            for kw in node.keywords:
                if kw.arg in ("allow_pickle", "unsafe_allow_html") and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    found.append((node.lineno, f"passes {kw.arg} (only False is allowed)"))
        elif isinstance(node, ast.Attribute) and node.attr in PICKLE_ATTRS:
            found.append((node.lineno, f"uses .{node.attr}"))
    return found


def find_violations(root: Path) -> list[Violation]:
    """All layering / banned-construct violations in the source tree under ``root``."""
    root = Path(root)
    violations: list[Violation] = []
    for path in _source_files(root):
        rel = path.relative_to(root)
        shown = rel.as_posix()
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=shown)
        except SyntaxError as e:
            violations.append(Violation(shown, e.lineno or 0, f"cannot parse: {e.msg}"))
            continue
        layer = _layer_of(rel)
        for line, module in _imported_modules(tree, rel):
            top = module.split(".")[0]
            if top in PICKLE_MODULES:
                violations.append(Violation(shown, line, f"imports {module} (pickle is banned)"))
            if layer is None:
                continue
            if top in FORBIDDEN_THIRD_PARTY.get(layer, set()):
                violations.append(Violation(shown, line, f"{layer} must not import {module}"))
            if top in LAYERS and top != layer and LAYERS[top] > LAYERS[layer]:
                violations.append(
                    Violation(shown, line, f"{layer} (lower layer) must not import {module}")
                )
        for line, message in _banned_constructs(tree):
            violations.append(Violation(shown, line, message))
    return sorted(set(violations))


# --------------------------------------------------------------------------- the real repo


def test_repository_respects_layering_and_bans():
    violations = find_violations(REPO_ROOT)
    assert not violations, "layering/ban violations:\n" + "\n".join(map(str, violations))


# --------------------------------------------------------------------------- the checker itself


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _clean_tree(root: Path) -> None:
    _write(root, "mlp_core/__init__.py", "")
    _write(root, "mlp_core/engine.py", "import math\nimport numpy as np\nfrom numba import njit\n")
    _write(root, "mlp_core/sub/deep.py", "from .. import engine\nfrom ..engine import np\n")
    _write(root, "mlp_figures/__init__.py", "")
    _write(
        root,
        "mlp_figures/loss.py",
        "import plotly.graph_objects as go\nimport pandas as pd\nfrom mlp_core import engine\n",
    )
    _write(root, "mlp_ui/__init__.py", "")
    _write(
        root,
        "mlp_ui/widgets.py",
        "import streamlit as st\nfrom mlp_figures.loss import go\nfrom mlp_core.engine import np\n"
        "model.eval()\nnp.load('x.npz', allow_pickle=False)\n"
        "st.markdown('**x**', unsafe_allow_html=False)\n",
    )
    _write(root, "pages/1_Train.py", "import streamlit as st\nfrom mlp_ui import widgets\n")
    _write(root, "app.py", "import streamlit as st\nimport mlp_ui\nimport mlp_core\n")
    # tests may do anything
    _write(root, "tests/test_x.py", "import pickle\nimport streamlit\neval('1')\n")


def test_checker_passes_on_empty_packages(tmp_path):
    for pkg in ("mlp_core", "mlp_figures", "mlp_ui", "pages"):
        (tmp_path / pkg).mkdir()
    assert find_violations(tmp_path) == []


def test_checker_passes_on_clean_tree(tmp_path):
    _clean_tree(tmp_path)
    assert find_violations(tmp_path) == []


@pytest.mark.parametrize(
    ("rel", "source", "expected"),
    [
        ("mlp_core/bad.py", "import streamlit as st\n", "mlp_core must not import streamlit"),
        ("mlp_core/bad.py", "from plotly import graph_objects\n", "must not import plotly"),
        ("mlp_core/bad.py", "import pandas\n", "mlp_core must not import pandas"),
        ("mlp_core/bad.py", "from mlp_figures import loss\n", "lower layer"),
        ("mlp_core/bad.py", "import mlp_ui.widgets\n", "lower layer"),
        ("mlp_core/bad.py", "from .. import mlp_ui\n", "lower layer"),
        ("mlp_core/sub/bad.py", "from ...mlp_figures import loss\n", "lower layer"),
        ("mlp_core/bad.py", "import importlib\nimportlib.import_module('streamlit')\n",
         "must not import streamlit"),
        ("mlp_figures/bad.py", "import streamlit\n", "mlp_figures must not import streamlit"),
        ("mlp_figures/bad.py", "from mlp_ui.widgets import x\n", "lower layer"),
        ("mlp_ui/bad.py", "from pages import something\n", "lower layer"),
        ("mlp_ui/bad.py", "import app\n", "lower layer"),
        ("mlp_core/io.py", "import pickle\n", "pickle is banned"),
        ("pages/2_x.py", "from cloudpickle import dumps\n", "pickle is banned"),
        ("scripts/tool.py", "import pandas as pd\npd.read_pickle('f')\n", "read_pickle"),
        ("mlp_ui/bad.py", "x = eval('1 + 1')\n", "uses eval()"),
        ("app.py", "exec('print(1)')\n", "uses exec()"),
        ("mlp_core/bad.py", "import builtins\nbuiltins.eval('1')\n", "builtins.eval"),
        ("mlp_core/io.py", "import numpy as np\nnp.load('f.npy', allow_pickle=True)\n",
         "allow_pickle"),
        ("pages/x.py", "import streamlit as st\nst.markdown(text, unsafe_allow_html=True)\n",
         "unsafe_allow_html"),
        ("mlp_ui/bad.py", "import streamlit as st\nst.html(user_text)\n", "raw HTML"),
        ("mlp_ui/bad.py", "import streamlit.components.v1 as components\ncomponents.html(t)\n",
         "raw HTML"),
        ("mlp_core/broken.py", "def f(:\n", "cannot parse"),
    ],
)  # fmt: skip
def test_checker_detects_violation(tmp_path, rel, source, expected):
    _clean_tree(tmp_path)
    _write(tmp_path, rel, source)
    violations = find_violations(tmp_path)
    assert violations, f"no violation found for {rel}: {source!r}"
    assert all(v.path == rel for v in violations), violations
    assert any(expected in v.message for v in violations), violations
