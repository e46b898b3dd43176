"""Classroom load test: many simulated students on one MLP Playground server.

    python -m loadtest --sessions 40 --start-server [--browsers 3] [--json out.json]
    python -m loadtest --sessions 40 --url http://127.0.0.1:8501

Each simulated session speaks Streamlit's own protocol over the WebSocket
``/_stcore/stream`` (subprotocol ``streamlit``), as the browser does: it sends
``BackMsg.rerun_script`` with a ``ClientState`` (query string, page script hash
and the value of every widget on the page) and reads ``ForwardMsg``s (deltas,
``navigation``, ``page_info_changed``, ``script_finished``). A few real headless
Chromium pages (``--browsers N``) do the same through the UI at the same time.

Scenario (the protocol sessions move in step: each phase is a barrier):

0. warm  one session loads the page and runs one epoch (imports, compiled kernel);
         the server's memory after it is the baseline.
1. load  every session connects with the default link (all at once, or spread
         over ``--ramp`` s); time to its first plotly chart.
2. XOR   each sets the sidebar widgets to ``?dataset=xor&hidden=4&init=uniform``
         (one rerun; the link the app writes back is checked); all press Train
         at once; time from Train to the final result (Epoch metric at the
         target, then ``script_finished``).
3. moons each sets ``?dataset=moons&samples=200&hidden=8&bias=true&init=xavier
         &loss=bce&lr=0.3&epochs=1000000``; all press Train at once; live frames
         (Epoch metric redraws) are counted in a window while every session
         trains; then each presses Pause at its own moment (spread over
         ``--pause-spread`` s) and times the answer (``script_finished``).
4. leave all sessions idle (memory per session); all disconnect; memory
         ``--leave-wait`` s later (the app keeps a closed tab's session for
         ``server.disconnectedSessionTTL`` = 60 s, then its janitor frees it
         within 10 s), and again after one more visitor.

Browser tabs open the same links in new tabs and click the same buttons on their
own clock, pressing Train once the sessions have, so that a slow browser does not
hold the classroom back, except before the live run: the classroom waits (bounded)
until the tabs show its link, so that they train among the sessions; in the
sessions' live window each tab counts what it draws (animation frames, Epoch
changes, in-place chart updates) and the fleet takes Chromium's CPU per drawn
update. The server's resident memory (``VmRSS``) is sampled
every 0.2 s. Only 127.0.0.1 is ever contacted; every wait is bounded in time.

The package: ``client`` (the protocol), ``scenario`` (the phases), ``browsers`` (the
Chromium tabs), ``tab_counts`` (what a tab drew, Chromium's CPU), ``stats`` (process
and machine figures, via psutil), ``report`` (summary and targets), ``server`` and
``common``. ``tests/test_load_small.py`` runs the same code with 8 sessions
(``tests/test_load_small_browser.py`` with 2 and a tab); docs/performance-classroom.md
has the results, docs/live-view-classroom.md the tabs'.
"""

from .browsers import BROWSER_ARGS
from .client import Session, epoch_value
from .common import LIVE_EPOCHS, TARGET_EPOCHS, TARGETS, LoadTestError, Options
from .report import browsers_compete, format_report, summarize
from .run import main, run
from .scenario import step_load

__all__ = [
    "BROWSER_ARGS", "LIVE_EPOCHS", "TARGETS", "TARGET_EPOCHS", "LoadTestError", "Options",
    "Session", "browsers_compete", "epoch_value", "format_report", "main", "run", "step_load",
    "summarize",
]
