"""Guards for the CI entry point, the test script and the Streamlit server config."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CI_RUN = REPO_ROOT / ".ci" / "run"
TEST_SH = REPO_ROOT / "scripts" / "test.sh"
README = REPO_ROOT / "README.md"
STREAMLIT_CONFIG = REPO_ROOT / ".streamlit" / "config.toml"


def _code_lines(script: Path) -> list[str]:
    """Non-empty lines of a shell script with full-line comments and the shebang removed."""
    lines = []
    for raw in script.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def _readme_test_command(text: str) -> str:
    """The command in README's quick start (falls back to the whole README) that runs
    scripts/test.sh, from a fenced code block; a leading "$ " prompt is dropped."""
    quick = re.search(r"^#+\s*quick[\s-]*start.*?$(.*?)(?=^#+\s|\Z)", text, re.I | re.M | re.S)
    for section in ([quick.group(1)] if quick else []) + [text]:
        for block in re.findall(r"^```[^\n]*\n(.*?)^```", section, re.M | re.S):
            for line in block.splitlines():
                line = re.sub(r"^\s*\$\s*", "", line).strip()
                if "scripts/test.sh" in line:
                    return line
    raise AssertionError("README.md has no code block with a scripts/test.sh command")


# --------------------------------------------------------------------------- .ci/run


def test_ci_run_is_a_strict_bash_script():
    assert CI_RUN.is_file()
    text = CI_RUN.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in _code_lines(CI_RUN)
    assert 'cd "$(dirname "$0")/.."' in _code_lines(CI_RUN)
    assert os.access(CI_RUN, os.X_OK), ".ci/run must be executable (chmod +x)"


def test_ci_run_execs_the_test_script_once():
    execs = [line for line in _code_lines(CI_RUN) if line.startswith("exec ")]
    assert execs == ["exec bash scripts/test.sh"], execs
    assert sum("scripts/test.sh" in line for line in _code_lines(CI_RUN)) == 1


def test_ci_run_uses_readmes_quick_start_command():
    if not README.exists():
        pytest.skip("README.md does not exist yet")
    command = _readme_test_command(README.read_text())
    runs = [line for line in _code_lines(CI_RUN) if "scripts/test.sh" in line]
    assert runs == [f"exec {command}"], (runs, command)


# --------------------------------------------------------------------------- scripts/test.sh


def test_test_script_is_strict_and_valid_bash():
    assert TEST_SH.is_file()
    assert os.access(TEST_SH, os.X_OK), "scripts/test.sh must be executable (chmod +x)"
    code = _code_lines(TEST_SH)
    assert code[0] == "set -euo pipefail"
    subprocess.run(["bash", "-n", str(TEST_SH)], check=True)


def test_test_script_installs_chromium_with_apt_and_never_downloads_browsers():
    code = "\n".join(_code_lines(TEST_SH))
    assert re.search(r"apt-get\b[^\n]*\binstall\b[^\n]*\bchromium\b", code), code
    assert "apt-get" in code and "update" in code
    assert not re.search(r"playwright\s+install", code), "browsers cannot be downloaded"
    assert "requirements-dev.txt" in code
    assert "ruff check ." in code
    assert 'python3 -m pytest "$@"' in code


# --------------------------------------------------------------------------- streamlit config


def _streamlit_config() -> dict:
    return tomllib.loads(STREAMLIT_CONFIG.read_text())


def test_streamlit_server_settings_are_classroom_safe():
    server = _streamlit_config()["server"]
    assert server["headless"] is True
    assert server["fileWatcherType"] == "none"
    assert server["enableXsrfProtection"] is True
    assert server["maxUploadSize"] == 2
    assert server["runOnSave"] is False


def test_streamlit_hides_error_details_and_dev_tools():
    cfg = _streamlit_config()
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["client"]["toolbarMode"] == "viewer"
    assert cfg["global"]["developmentMode"] is False
    assert cfg["browser"]["gatherUsageStats"] is False


def test_streamlit_accepts_every_config_key():
    """Every key in config.toml is a real option of the installed Streamlit."""
    streamlit_config = pytest.importorskip("streamlit.config")
    known = set(streamlit_config._config_options_template)
    unknown = []
    for section, values in _streamlit_config().items():
        for key, value in values.items():
            if isinstance(value, dict):  # e.g. [theme.sidebar]
                continue
            if f"{section}.{key}" not in known:
                unknown.append(f"{section}.{key}")
    assert not unknown, f"unknown Streamlit config keys: {unknown}"


# --------------------------------------------------------------------------- misc


def test_screenshots_are_git_ignored():
    assert "tests/screenshots/" in (REPO_ROOT / ".gitignore").read_text().splitlines()
