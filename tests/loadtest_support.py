"""The load-test package, for the tests that reuse its protocol client."""

from __future__ import annotations

import pytest


def load_loadtest():
    """The ``loadtest`` package (skips the test without ``websockets``)."""
    pytest.importorskip("websockets")
    import loadtest

    return loadtest
