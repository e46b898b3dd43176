import os
import tempfile

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test as _app_test_module

from tests.apptest_support import NavigationPagesManager

# Pages save every run they train. Tests (and the servers they start, which inherit the
# environment) save into a throwaway database, never the checkout's data/playground.db;
# a test that needs its own database sets MLP_PLAYGROUND_DB itself.
os.environ.setdefault("MLP_PLAYGROUND_DB", "sqlite:///" + os.path.join(
    tempfile.mkdtemp(prefix="mlp-test-db-"), "runs.db"))
# The Grid sweep page stores finished cells (and resumes from them): in a throwaway folder too.
os.environ.setdefault("MLP_PLAYGROUND_SWEEPS", tempfile.mkdtemp(prefix="mlp-test-sweeps-"))


@pytest.fixture
def navigation_app(monkeypatch):
    """Run AppTest the way the real server runs the app (see NavigationPagesManager)."""
    monkeypatch.setattr(_app_test_module, "PagesManager", NavigationPagesManager)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", PagesManager.uses_pages_directory)


# ---- databases for mlp_store (tests/test_store.py; usable by any test that saves runs) -------

@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster for the whole session (see tests/postgres_support.py).

    Skipped with the reason when this machine cannot run one; a failure under CI=true.
    """
    import os

    from tests.postgres_support import PostgresServer, unavailable_reason

    reason = unavailable_reason()
    if reason is None:
        try:
            server = PostgresServer.start()
        except (OSError, RuntimeError) as error:
            reason = f"the PostgreSQL test server did not start: {error}"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests must run under CI: {reason}")
        pytest.skip(reason)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of an empty database: a SQLite file, then a new schema on the test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'runs.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_schema()
    yield url
    server.drop_schema(url)
