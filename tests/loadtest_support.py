"""``scripts/loadtest.py`` as a module, for the tests that reuse its protocol client."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

LOADTEST = Path(__file__).resolve().parents[1] / "scripts" / "loadtest.py"
MODULE_NAME = "mlp_loadtest"


def load_loadtest():
    """The load-test script's module (loaded once; skips the test without ``websockets``)."""
    pytest.importorskip("websockets")
    if MODULE_NAME in sys.modules:
        return sys.modules[MODULE_NAME]
    spec = importlib.util.spec_from_file_location(MODULE_NAME, LOADTEST)
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module       # dataclasses look their module up
    spec.loader.exec_module(module)
    return module
