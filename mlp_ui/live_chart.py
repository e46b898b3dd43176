"""A Plotly chart that updates in place while a run trains.

``st.plotly_chart`` gives a chart an id that hashes its figure, key or not, so
every live frame made the browser build each chart anew: 2-3 drawn frames a
second and a busy core for one student (docs/live-view.md). This component keeps
its identity under a stable key, and its page calls ``Plotly.react`` with each new
figure. A key can be drawn once per script run, so the live view draws each frame
in a fragment run of its own (``pages/playground.py``).

The component's page (``live_chart/index.html``) loads Plotly's own bundle from
the installed ``plotly`` package, copied beside it once per Plotly version into
a folder Streamlit serves.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import plotly
import streamlit.components.v1 as components
from plotly.offline import get_plotlyjs

from .views import CHART_CONFIG

_PAGE = Path(__file__).with_name("live_chart") / "index.html"


def _served_folder() -> Path:
    """A folder holding the component's page and ``plotly.min.js``, made once."""
    page = _PAGE.read_bytes()
    tag = hashlib.sha256(page).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"mlp-playground-live-chart-{plotly.__version__}-{tag}"
    if not (folder / "index.html").exists():
        folder.mkdir(parents=True, exist_ok=True)
        # Written under temporary names and renamed, so that a second process
        # starting at the same moment never serves half a file.
        for name, data in (("plotly.min.js", get_plotlyjs().encode()), ("index.html", page)):
            partial = folder / f".{name}.{os.getpid()}"
            partial.write_bytes(data)
            os.replace(partial, folder / name)
    return folder


_component = components.declare_component("live_chart", path=str(_served_folder()))


def live_chart(container, fig, key: str) -> None:
    """Draw ``fig`` in ``container`` as the live chart named ``key``, updated in place."""
    # One string argument: Streamlit inspects every argument (a data frame?) and
    # serialises it again; a string costs it almost nothing.
    spec = json.dumps(fig.to_dict(), separators=(",", ":"))
    with container:
        _component(spec=spec, config=CHART_CONFIG, key=key, default=None)
