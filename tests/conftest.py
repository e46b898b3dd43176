import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test as _app_test_module

from tests.apptest_support import NavigationPagesManager


@pytest.fixture
def navigation_app(monkeypatch):
    """Run AppTest the way the real server runs the app (see NavigationPagesManager)."""
    monkeypatch.setattr(_app_test_module, "PagesManager", NavigationPagesManager)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", PagesManager.uses_pages_directory)
