"""What the AppTest modules share: the app's path, the navigation workaround, small helpers."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from mlp_ui.live_chart import COMPONENT as LIVE_CHART

APP = Path(__file__).resolve().parents[1] / "app.py"


class NavigationPagesManager(PagesManager):
    """AppTest 1.67 resets ``PagesManager.uses_pages_directory`` before every run.

    Because the repo has a ``pages/`` folder that makes it True again, every run
    after the first would take the legacy pages-directory path and execute the
    page file alone: no app.py, so no sidebar. The real server sets the flag once
    (``st.navigation`` turns it off for good); this does the same for AppTest.
    Installed by the ``navigation_app`` fixture in tests/conftest.py.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def open_app(**query: str) -> AppTest:
    """The app as a fresh session opening a link with these query parameters."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert_clean(at)
    return at


def open_on_page(page: str, title: str, **query: str) -> AppTest:
    """The app opened on a link with ``query``, then switched to ``page`` (titled ``title``).

    The first run lands on the default page, the Playground, which has its own tests;
    only this page's run must be clean.
    """
    at = AppTest.from_file(str(APP), default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(page).run()
    assert_clean(at)
    assert [t.value for t in at.title] == [title]
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def metrics(at: AppTest) -> dict[str, str]:
    """Main-area metrics, label -> value (the Predict tab's "Output" included)."""
    out = {}
    for m in at.main.metric:
        assert m.label not in out, f"two metrics labelled {m.label!r}"
        out[m.label] = m.value
    return out


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert_clean(at)
    return at


def chart_texts(at: AppTest) -> list[str]:
    """The JSON of every figure in the page's main area, in page order.

    Both kinds of chart: ``st.plotly_chart``'s, and the Playground's charts updated in
    place (``mlp_ui.live_chart``), whose figure rides in the component's data.
    """
    def walk(node):
        if node.type == "plotly_chart":
            yield node.proto.spec
        elif node.type == "bidi_component" and node.proto.component_name == LIVE_CHART:
            yield json.loads(node.proto.json)["fig"]
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return list(walk(at.main))


def chart_specs(at: AppTest) -> list[dict]:
    """Every figure in the page's main area (``chart_texts``), as dicts."""
    return [json.loads(text) for text in chart_texts(at)]
