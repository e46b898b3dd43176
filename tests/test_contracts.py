"""The project's import contracts and bans, kept by maintained tools.

* ``lint-imports`` (import-linter, contracts in ``pyproject.toml``): imports flow
  one way, mlp_ui -> mlp_figures -> mlp_core; the engine imports neither
  Streamlit, Plotly nor pandas; the figures never import Streamlit.
* ruff (``pyproject.toml``): no pickle or its relatives, no ``eval``/``exec``,
  no raw HTML (``st.html``, ``components.html``).
* Here: the two keywords no tool bans, ``allow_pickle`` and ``unsafe_allow_html``,
  are never passed anything but ``False`` outside the tests.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BANNED_KEYWORDS = ("allow_pickle", "unsafe_allow_html")


def _run(*cmd: str) -> subprocess.CompletedProcess:
    exe = shutil.which(cmd[0])
    assert exe, f"{cmd[0]} is not installed (requirements-dev.txt)"
    return subprocess.run([exe, *cmd[1:]], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=300)


def test_imports_flow_one_way():
    result = _run("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_pickle_eval_exec_or_raw_html():
    result = _run("ruff", "check", "--select", "TID251,S102,S301,S307", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def banned_keywords(source: str) -> list[tuple[int, str]]:
    """(line, keyword) of every call passing a banned keyword anything but ``False``."""
    return [(node.lineno, kw.arg) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) for kw in node.keywords
            if kw.arg in BANNED_KEYWORDS
            and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)]


def test_banned_keywords_are_found():
    source = ("np.load(f, allow_pickle=True)\nnp.load(f, allow_pickle=False)\n"
              "st.markdown(t, unsafe_allow_html=flag)\n")
    assert banned_keywords(source) == [(1, "allow_pickle"), (3, "unsafe_allow_html")]


def test_no_source_file_passes_a_banned_keyword():
    tracked = _run("git", "ls-files", "*.py").stdout.split()
    sources = [p for p in tracked if not p.startswith("tests/")]
    assert "app.py" in sources
    found = [f"{p}:{line}: {kw}" for p in sources
             for line, kw in banned_keywords((REPO_ROOT / p).read_text(encoding="utf-8"))]
    assert not found, found
