"""Classroom load test: many simulated students on one MLP Playground server.

    python scripts/loadtest.py --sessions 40 --start-server [--browsers 3] [--json out.json]
    python scripts/loadtest.py --sessions 40 --url http://127.0.0.1:8501

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
hold the classroom back. The server's resident memory (``VmRSS``) is sampled
every 0.2 s. Only 127.0.0.1 is ever contacted; every wait is bounded in time.

``tests/test_load_small.py`` runs the same code with 8 sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]

DEFAULT_LINK = ""
XOR_LINK = "dataset=xor&hidden=4&init=uniform"
# The live run is long enough that no session finishes it before its Pause, even
# with the classroom spread over several replicas.
MOONS_LINK = ("dataset=moons&samples=200&hidden=8&bias=true&init=xavier&loss=bce"
              "&lr=0.3&epochs=1000000")
TARGET_EPOCHS = 200_000             # the XOR link trains to the default 200,000 epochs
LIVE_EPOCHS = 1_000_000             # the moons link's target

# Pass/fail targets for a classroom of 40.
TARGETS = {
    "first_chart_s": 3.0,           # every session sees its first chart within
    "final_s": 10.0,                # Train -> final result, every session
    "live_fps": 1.0,                # live frames per second, every session, all training
    "pause_s": 0.5,                 # Pause -> script_finished, every session
    "idle_mb_per_session": 10.0,    # (idle RSS - baseline) / sessions
    "leave_slack_mb": 50.0,         # after leaving: <= baseline * (1 + frac) + slack
    "leave_slack_frac": 0.10,
}

EPOCH_LABEL = "Epoch"
BUTTON_KEYS = {"Train": "btn-train", "Pause": "btn-pause", "Step": "btn-step",
               "Reset": "btn-reset"}
WIDGET_KINDS = {"button", "download_button", "checkbox", "number_input", "selectbox",
                "slider", "file_uploader", "radio", "text_input", "text_area",
                "multiselect", "color_picker", "date_input", "time_input"}
_LOOPBACK = re.compile(r"^(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?::\d+)?(?:/|$)")


class LoadTestError(RuntimeError):
    pass


def _now() -> float:
    return time.monotonic()


def _check_loopback(url: str) -> None:
    if not _LOOPBACK.match(url):
        raise LoadTestError(f"only 127.0.0.1 / localhost servers may be load-tested, not {url}")


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = _now() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise LoadTestError(f"streamlit exited with code {proc.returncode} before healthy")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if _now() > deadline:
            raise LoadTestError(f"{url} not healthy after {timeout:.0f} s")
        time.sleep(0.25)


@dataclass
class Server:
    url: str
    pid: int | None
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None:
            return ""
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def start_server(app_dir: Path = REPO_ROOT, extra_args: tuple[str, ...] = (),
                 timeout: float = 60.0) -> Server:
    """``streamlit run app.py`` on a free loopback port, from ``app_dir``; waits for health."""
    port = free_port()
    log_fd, log_name = tempfile.mkstemp(prefix="loadtest-streamlit-", suffix=".log")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py",
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           *extra_args]
    with os.fdopen(log_fd, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=app_dir, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                env=dict(os.environ, PYTHONUNBUFFERED="1"))
    server = Server(f"http://127.0.0.1:{port}", proc.pid, proc, Path(log_name))
    try:
        wait_healthy(server.url, timeout, proc)
    except BaseException:
        tail = server.log_tail()
        server.stop()
        raise LoadTestError(f"server did not start:\n{tail}") from None
    return server


def find_listening_pid(port: int) -> int | None:
    """The pid of the process listening on 127.0.0.1:``port`` (read from /proc), or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            for line in f.readlines()[1:]:
                parts = line.split()
                if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
    if not inodes:
        return None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:[") and link[8:-1] in inodes:
                        return int(pid)
    return None


# --------------------------------------------------------------------------- memory


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds the process has used so far (from /proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _descendants(root: int) -> list[int]:
    """Pids of every live process below ``root``, found through /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # the name field may hold spaces and parentheses: split after the last ')'
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue                            # gone meanwhile
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def descendants_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by every live descendant of ``root`` (the browsers)."""
    return sum(cpu for cpu in map(cpu_seconds, _descendants(root)) if cpu is not None)


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs so far, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def total(measure: Callable[[int], float | None], pids: tuple[int, ...]) -> float | None:
    """``measure`` summed over the server's processes (replicas); None if any is unknown."""
    values = [measure(pid) for pid in pids]
    return sum(values) if values and None not in values else None


class MemorySampler:
    """Samples the servers' summed VmRSS every ``period`` seconds in a thread; keeps the peak."""

    def __init__(self, pids: tuple[int, ...], period: float = 0.2):
        self.pids, self.period = pids, period
        self.samples: list[tuple[float, float]] = []
        self.marks: dict[str, float | None] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="rss-sampler")

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            self.sample()

    def sample(self) -> float | None:
        value = total(rss_mb, self.pids)
        if value is not None:
            self.samples.append((_now(), value))
        return value

    def mark(self, name: str) -> float | None:
        self.marks[name] = value = self.sample()
        return value

    def peak(self, since: float = 0.0) -> float | None:
        values = [v for t, v in self.samples if t >= since]
        return max(values) if values else None

    def __enter__(self):
        if self.pids:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)


# --------------------------------------------------------------------------- protocol


def _protos():
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.proto.NumberInput_pb2 import NumberInput
    from streamlit.proto.Slider_pb2 import Slider

    return BackMsg, ForwardMsg, NumberInput, Slider


def _has(msg, name: str) -> bool:
    try:
        return msg.HasField(name)
    except ValueError:          # a field without presence
        return True


def _user_key(element_id: str) -> str:
    """The ``key=`` part of a widget/element id ``$$ID-<hash>-<key>`` ('' if none)."""
    parts = element_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" else ""


def _chart_kind(element_id: str) -> str:
    """``bd-12`` -> ``bd``: which chart a plotly element is (its key without the frame)."""
    key = _user_key(element_id)
    return re.sub(r"-(?:\d+|static)$", "", key) or "?"


@dataclass
class Widget:
    id: str
    kind: str
    label: str
    field: str | None           # WidgetState value field, "trigger_value", or None (not sent)
    value: Any
    options: list[str] = field(default_factory=list)
    disabled: bool = False
    data_int: bool = False


def _widget_from_element(kind: str, el, old: Widget | None) -> Widget:
    """The browser's view of a widget after the server drew ``el``.

    Like the frontend: a widget keeps the value it has unless the server sets one
    (``set_value``); a widget seen for the first time starts at its default.
    """
    _, _, NumberInput, Slider = _protos()
    label = getattr(el, "label", "")
    disabled = bool(getattr(el, "disabled", False))
    fld: str | None = None
    value: Any = None
    options: list[str] = list(getattr(el, "options", []))
    data_int = False
    if kind in ("button", "download_button"):
        fld = "trigger_value"
    elif kind == "checkbox":
        fld, value = "bool_value", bool(el.value if el.set_value else el.default)
    elif kind == "number_input":
        data_int = el.data_type == NumberInput.INT
        fld = "int_value" if data_int else "double_value"
        if el.set_value and _has(el, "value"):
            value = el.value
        elif _has(el, "default"):
            value = el.default
        if value is not None:
            value = int(value) if data_int else float(value)
    elif kind == "selectbox":
        fld = "string_value"
        if el.set_value and _has(el, "raw_value"):
            value = el.raw_value
        elif _has(el, "default") and 0 <= el.default < len(options):
            value = options[el.default]
    elif kind == "slider":
        if el.type == Slider.SELECT_SLIDER:
            fld = "string_array_value"
            value = (list(el.raw_value) if el.set_value
                     else [options[int(i)] for i in el.default if 0 <= int(i) < len(options)])
        else:
            fld = "double_array_value"
            value = [float(v) for v in (el.value if el.set_value else el.default)]
    if old is not None and old.field == fld and fld != "trigger_value" and not getattr(
            el, "set_value", False) and old.value is not None:
        value = old.value        # the client's own value survives redraws
    return Widget(el.id, kind, label, fld, value, options, disabled, data_int)


def _select_choices() -> dict[str, tuple[str, ...]]:
    """URL value order of the sidebar's selectboxes (the options the labels format)."""
    from mlp_core.activations import ACTIVATIONS
    from mlp_core.losses import LOSS_LABELS
    from mlp_core.network import INITIALIZERS
    from mlp_core.settings import DATASET_CHOICES

    return {"dataset": tuple(DATASET_CHOICES), "init": tuple(INITIALIZERS),
            "loss": tuple(LOSS_LABELS), "activation": tuple(ACTIVATIONS)}


def settings_of_query(query: str):
    """The app's Settings for a link's query string (raises if it names bad values)."""
    from mlp_core.settings import Settings

    params = dict(urllib.parse.parse_qsl(query.lstrip("?"), keep_blank_values=True))
    settings, notices = Settings.from_query(params)
    if notices:
        raise LoadTestError(f"link {query!r}: {notices}")
    return settings


@dataclass
class Event:
    t: float
    kind: str           # chart | epoch | finished | new_session | exception | ...
    data: Any = None
    nbytes: int = 0


class Session:
    """One simulated browser tab, speaking the Streamlit protocol."""

    def __init__(self, index: int, base_url: str):
        self.index = index
        self.ws_url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        _check_loopback(self.ws_url)
        self.ws = None
        self.query_string = ""
        self.page_script_hash = ""
        self.widgets: dict[str, Widget] = {}
        self.run_widgets: set[str] = set()
        self.active_widgets: set[str] = set()
        self.events: list[Event] = []
        self.errors: list[str] = []
        self.exceptions: list[str] = []
        self.epoch_text = ""
        self.bytes_in = 0
        self.msgs_in = 0
        self.results: dict[str, Any] = {}
        self._cond = asyncio.Condition()
        self._reader: asyncio.Task | None = None
        self._frame_bytes = 0

    # -- connection -------------------------------------------------------------
    async def connect(self) -> None:
        import websockets

        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, ping_interval=None,
            open_timeout=30, close_timeout=5)
        self._reader = asyncio.create_task(self._read(), name=f"reader-{self.index}")

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 10)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader

    async def _read(self) -> None:
        _, ForwardMsg, _, _ = _protos()
        try:
            async for data in self.ws:
                t = _now()
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._on_message(msg, t, len(data))
                async with self._cond:
                    self._cond.notify_all()
        except Exception as err:  # connection lost: waiting coroutines see it
            self.errors.append(f"connection: {type(err).__name__}: {err}")
        finally:
            self.events.append(Event(_now(), "closed"))
            async with self._cond:
                self._cond.notify_all()

    # -- incoming ---------------------------------------------------------------
    def _on_message(self, msg, t: float, nbytes: int) -> None:
        _, ForwardMsg, _, _ = _protos()
        self.bytes_in += nbytes
        self.msgs_in += 1
        self._frame_bytes += nbytes
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.run_widgets = set()
            self.events.append(Event(t, "new_session"))
        elif kind == "navigation":
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.active_widgets = set(self.run_widgets)
            else:
                self.active_widgets |= self.run_widgets
            self.events.append(Event(t, "finished", int(status)))
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._on_element(msg.delta.new_element, t, nbytes)
        elif kind == "ref_hash":     # not expected: this client never reports a cache
            self.events.append(Event(t, "ref_hash"))

    def _on_element(self, el, t: float, nbytes: int) -> None:
        kind = el.WhichOneof("type")
        if kind == "plotly_chart":
            pc = el.plotly_chart
            self.events.append(Event(t, "chart", (_chart_kind(pc.id), len(pc.spec)), nbytes))
        elif kind == "metric":
            if el.metric.label == EPOCH_LABEL:
                self.epoch_text = el.metric.body
                self.events.append(Event(t, "epoch", el.metric.body, self._frame_bytes))
                self._frame_bytes = 0
        elif kind == "exception":
            ex = el.exception
            self.exceptions.append(f"{ex.type}: {ex.message}".strip())
            self.events.append(Event(t, "exception", ex.message))
        elif kind in WIDGET_KINDS:
            w = getattr(el, kind)
            if w.id:
                self.widgets[w.id] = _widget_from_element(kind, w, self.widgets.get(w.id))
                self.run_widgets.add(w.id)

    # -- outgoing ---------------------------------------------------------------
    def _live_widget_ids(self) -> list[str]:
        return [wid for wid in self.widgets if wid in self.active_widgets | self.run_widgets]

    async def rerun(self, trigger: str | None = None) -> float:
        """Send ``rerun_script`` with every widget's value (and ``trigger`` pressed)."""
        BackMsg, _, _, _ = _protos()
        bm = BackMsg()
        cs = bm.rerun_script
        cs.query_string = self.query_string
        cs.page_script_hash = self.page_script_hash
        for wid in self._live_widget_ids():
            w = self.widgets[wid]
            if w.field is None:
                continue
            if w.field == "trigger_value":
                if wid == trigger:
                    cs.widget_states.widgets.add(id=wid, trigger_value=True)
                continue
            if w.value is None:
                continue
            ws = cs.widget_states.widgets.add(id=wid)
            if w.field in ("double_array_value", "string_array_value"):
                getattr(ws, w.field).data.extend(w.value)
            else:
                setattr(ws, w.field, w.value)
        if trigger is not None and trigger not in self.widgets:
            raise LoadTestError(f"no widget {trigger!r} to press")
        t = _now()
        await self.ws.send(bm.SerializeToString())
        return t

    async def open_page(self, query: str = "") -> float:
        """First ``rerun_script`` of a new tab: the link's query string, no widgets."""
        BackMsg, _, _, _ = _protos()
        bm = BackMsg()
        bm.rerun_script.query_string = query
        self.query_string = query
        t = _now()
        await self.ws.send(bm.SerializeToString())
        return t

    def find_widget(self, key: str, kind: str | None = None, label: str | None = None) -> Widget:
        found = [w for w in self.widgets.values()
                 if w.id in self.active_widgets | self.run_widgets
                 and (_user_key(w.id) == key or (label is not None and w.label == label))
                 and (kind is None or w.kind == kind)]
        if len(found) != 1:
            raise LoadTestError(f"expected one widget {key!r}/{label!r}, found {len(found)}")
        return found[0]

    def button(self, label: str) -> Widget:
        return self.find_widget(BUTTON_KEYS.get(label, label), "button", label)

    async def press(self, label: str) -> float:
        b = self.button(label)
        if b.disabled:
            raise LoadTestError(f"button {label!r} is disabled")
        return await self.rerun(trigger=b.id)

    def set_from_link(self, query: str) -> None:
        """Change the sidebar widgets to what ``query`` names (like a student would)."""
        choices = _select_choices()
        for key, raw in urllib.parse.parse_qsl(query):
            w = self.find_widget(key)
            if w.kind == "selectbox":
                order = choices[key]
                if len(order) != len(w.options):
                    raise LoadTestError(f"{key}: {len(w.options)} options, expected {order}")
                w.value = w.options[order.index(raw)]
            elif w.kind == "number_input":
                w.value = int(raw) if w.data_int else float(raw)
            elif w.kind == "checkbox":
                w.value = raw.lower() in ("1", "true", "on", "yes")
            elif w.kind == "slider" and w.field == "double_array_value":
                w.value = [float(raw)]
            else:
                raise LoadTestError(f"cannot set {w.kind} {key!r} from a link")

    # -- waiting ----------------------------------------------------------------
    async def wait_for(self, pred: Callable[[], Any], timeout: float, what: str):
        """Wait until ``pred()`` is truthy (re-checked on every message); return it."""
        async def _wait():
            async with self._cond:
                while True:
                    value = pred()
                    if value:
                        return value
                    if self.ws is None or self._reader is None or self._reader.done():
                        raise LoadTestError(f"connection closed while waiting for {what}")
                    await self._cond.wait()

        try:
            return await asyncio.wait_for(_wait(), max(0.01, timeout))
        except TimeoutError:
            raise LoadTestError(f"timed out after {timeout:.1f} s waiting for {what}") from None

    def first(self, kind: str, since: float, test: Callable[[Event], bool] = lambda e: True):
        for e in self.events:
            if e.t >= since and e.kind == kind and test(e):
                return e
        return None

    def finished_ok(self, since: float) -> Event | None:
        _, ForwardMsg, _, _ = _protos()
        return self.first("finished", since, lambda e: e.data == ForwardMsg.FINISHED_SUCCESSFULLY)

    def between(self, kind: str, t0: float, t1: float) -> list[Event]:
        return [e for e in self.events if e.kind == kind and t0 <= e.t <= t1]


def epoch_value(text: str) -> int | None:
    digits = text.replace(",", "").strip()
    return int(digits) if digits.isdigit() else None


# --------------------------------------------------------------------------- scenario steps


async def step_load(s: Session, query: str, timeout: float) -> None:
    await s.connect()
    t0 = await s.open_page(query)
    chart = await s.wait_for(lambda: s.first("chart", t0), timeout, "the first chart")
    done = await s.wait_for(lambda: s.finished_ok(t0), timeout - (chart.t - t0), "page load")
    s.results["first_chart_s"] = chart.t - t0
    s.results["load_s"] = done.t - t0


async def step_link(s: Session, query: str, timeout: float) -> None:
    """Set the sidebar to ``query``'s settings in one rerun; check the URL the app writes."""
    s.set_from_link(query)
    t0 = await s.rerun()
    await s.wait_for(lambda: s.finished_ok(t0), timeout, f"the rerun for {query}")
    got = settings_of_query(s.query_string)
    if got != settings_of_query(query):
        raise LoadTestError(f"after setting {query!r} the app's link is {s.query_string!r}")
    b = s.button("Train")
    if b.disabled:
        raise LoadTestError("Train is disabled after setting the link")


async def step_train_to_end(s: Session, t0: float, timeout: float) -> None:
    target = f"{TARGET_EPOCHS:,}"
    final = await s.wait_for(lambda: s.first("epoch", t0, lambda e: e.data == target),
                             timeout, f"Epoch {target}")
    done = await s.wait_for(lambda: s.finished_ok(final.t), timeout - (final.t - t0),
                            "script_finished after the final epoch")
    live = s.between("epoch", t0, final.t)
    s.results["xor_final_epoch"] = epoch_value(final.data)
    s.results["xor_final_s"] = done.t - t0
    s.results["xor_epoch_seen_s"] = final.t - t0
    s.results["xor_frames"] = len(live)


async def step_pause(s: Session, timeout: float) -> None:
    t0 = await s.press("Pause")
    s.results["t_pause"] = t0
    new_run = await s.wait_for(lambda: s.first("new_session", t0), timeout, "the Pause rerun")
    done = await s.wait_for(lambda: s.finished_ok(t0), timeout, "script_finished after Pause")
    s.results["pause_s"] = done.t - t0
    s.results["pause_start_s"] = new_run.t - t0
    epoch = epoch_value(s.epoch_text)
    s.results["paused_epoch"] = epoch
    if epoch is None or epoch >= LIVE_EPOCHS:
        raise LoadTestError(f"after Pause the Epoch metric reads {s.epoch_text!r}")
    if s.button("Train").disabled or not s.button("Pause").disabled:
        raise LoadTestError("after Pause the page still shows a run in progress")


def live_metrics(s: Session, w0: float, w1: float) -> None:
    """Frames per second in the window [w0, w1]; payloads over the whole live run."""
    t_train = s.results.get("t_train")
    if t_train is None:
        return
    t_end = s.results.get("t_pause") or _now()
    frames = s.between("epoch", w0, w1)
    s.results["live_frames"] = len(frames)
    s.results["live_fps"] = len(frames) / (w1 - w0)
    s.results["live_charts_per_s"] = len(s.between("chart", w0, w1)) / (w1 - w0)
    run_frames = s.between("epoch", t_train, t_end)
    first = run_frames[0] if run_frames else None
    s.results["first_live_frame_s"] = first.t - t_train if first else None
    # An Epoch event's byte count covers everything since the previous one: the
    # previous frame's charts. The first one in the run also holds the run's start.
    s.results["live_frame_bytes_max"] = max((e.nbytes for e in run_frames[1:]), default=0)
    by_kind: dict[str, int] = {}
    for e in s.between("chart", t_train, t_end):
        by_kind[e.data[0]] = max(by_kind.get(e.data[0], 0), e.data[1])
    s.results["live_chart_spec_max"] = by_kind
    s.results["live_finished_early"] = any(
        (epoch_value(e.data) or 0) >= LIVE_EPOCHS for e in s.between("epoch", t_train, w1))
    s.results.pop("t_train")
    s.results["pause_sent_at"] = s.results.pop("t_pause", None)


# --------------------------------------------------------------------------- browsers


# The tabs may reach the server on loopback and nothing else. Chromium enforces it
# (names other than localhost do not resolve; any other address goes to a proxy
# that is not there, while loopback bypasses proxies), not a Playwright route:
# routing turns off the HTTP cache, and every tab then fetched the page's ~130
# script files again at each of its three page loads, ~1,200 requests that
# Streamlit's event loop served in the middle of the other sessions' runs.
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1;localhost"]
_EPOCH_WATCH_JS = """
() => {
  window.__epochChanges = [];
  let last = null;
  const read = () => {
    for (const m of document.querySelectorAll('[data-testid=stMetric]')) {
      const l = m.querySelector('[data-testid=stMetricLabel]');
      if (l && l.textContent.trim() === 'Epoch') {
        const v = m.querySelector('[data-testid=stMetricValue]');
        return v ? v.textContent.trim() : null;
      }
    }
    return null;
  };
  window.__epochTimer = setInterval(() => {
    const v = read();
    if (v !== null && v !== last) { last = v; window.__epochChanges.push([Date.now(), v]); }
  }, 20);
}
"""
_APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


class BrowserUser:
    """One headless Chromium tab doing the scenario through the UI."""

    def __init__(self, index: int, base_url: str, context):
        self.index, self.base_url, self.context = index, base_url.rstrip("/"), context
        self.page = None
        self.results: dict[str, Any] = {}
        self.errors: list[str] = []

    async def _goto(self, query: str, timeout: float) -> float:
        url = self.base_url + "/" + (f"?{query}" if query else "")
        t0 = _now()
        await self.page.goto(url, timeout=timeout * 1000)
        await self.page.locator("[data-testid=stPlotlyChart] .main-svg").first.wait_for(
            timeout=timeout * 1000)
        return _now() - t0

    async def _idle(self, timeout: float) -> None:
        await self.page.wait_for_selector(_APP_IDLE, state="attached", timeout=timeout * 1000)

    def _button(self, label: str):
        return self.page.get_by_role("button", name=label, exact=True)

    async def _epoch(self) -> str:
        return await self.page.evaluate("""() => {
          for (const m of document.querySelectorAll('[data-testid=stMetric]')) {
            const l = m.querySelector('[data-testid=stMetricLabel]');
            if (l && l.textContent.trim() === 'Epoch')
              return m.querySelector('[data-testid=stMetricValue]').textContent.trim();
          }
          return '';
        }""")

    async def _new_tab(self) -> None:
        # A new tab, as a student opens a shared link: the same tab would resume its
        # Streamlit session (the frontend keeps the session id), ignoring the link.
        if self.page is not None:
            await self.page.close()
        self.page = await self.context.new_page()
        self.page.on("pageerror", lambda err: self.errors.append(f"pageerror: {err}"))

    async def load(self, timeout: float) -> None:
        await self._new_tab()
        self.results["first_chart_s"] = await self._goto(DEFAULT_LINK, timeout)

    async def open_link(self, query: str, timeout: float) -> None:
        await self._new_tab()
        await self._goto(query, timeout)
        await self.page.wait_for_timeout(300)
        await self._idle(timeout)

    async def train_to_end(self, timeout: float) -> None:
        t0 = _now()
        await self._button("Train").click(timeout=timeout * 1000, force=True, no_wait_after=True)
        target = f"{TARGET_EPOCHS:,}"
        await self.page.wait_for_function(
            """(target) => [...document.querySelectorAll('[data-testid=stMetric]')].some(m =>
              m.querySelector('[data-testid=stMetricLabel]')?.textContent.trim() === 'Epoch'
              && m.querySelector('[data-testid=stMetricValue]')?.textContent.trim() === target)""",
            arg=target, timeout=timeout * 1000)
        await self._idle(max(1.0, timeout - (_now() - t0)))
        self.results["xor_final_s"] = _now() - t0
        self.results["xor_final_epoch"] = epoch_value(await self._epoch())

    async def start_live(self, timeout: float) -> None:
        await self.page.evaluate(_EPOCH_WATCH_JS)
        await self._button("Train").click(timeout=timeout * 1000, force=True, no_wait_after=True)

    async def live_fps(self, wall0: float, wall1: float) -> None:
        changes = await self.page.evaluate("() => window.__epochChanges || []")
        n = sum(1 for ms, _ in changes if wall0 * 1000 <= ms <= wall1 * 1000)
        self.results["live_frames"] = n
        self.results["live_fps"] = n / (wall1 - wall0)

    async def pause(self, timeout: float) -> None:
        before = epoch_value(await self._epoch())
        if before is None or before >= LIVE_EPOCHS:
            raise LoadTestError(f"the run was over before Pause (Epoch {before})")
        t0 = _now()
        await self._button("Pause").click(timeout=timeout * 1000, force=True, no_wait_after=True)
        await self.page.wait_for_function(
            """() => {
              const app = document.querySelector('[data-testid=stApp]');
              if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
              const b = [...document.querySelectorAll('button')].find(
                  x => x.textContent.trim() === 'Train');
              return b && !b.disabled;
            }""", timeout=timeout * 1000)
        self.results["pause_s"] = _now() - t0
        await self.page.evaluate("() => clearInterval(window.__epochTimer)")
        self.results["paused_epoch"] = epoch_value(await self._epoch())
        exceptions = await self.page.locator("[data-testid=stException]").count()
        if exceptions:
            self.errors.append(f"{exceptions} exception box(es) on the page")


async def _wait_event(event: threading.Event, timeout: float, what: str) -> None:
    if not await asyncio.to_thread(event.wait, timeout):
        raise LoadTestError(f"the classroom never reached {what}")


async def browser_flow(b: BrowserUser, opts, xor_go: threading.Event, moons_go: threading.Event,
                       left: Callable[[float], float]) -> None:
    """One browser tab's scenario: the sessions' steps, through the UI."""
    await b.load(left(120))
    await b.open_link(XOR_LINK, left(120))
    await _wait_event(xor_go, left(120), "XOR's Train")
    await b.train_to_end(left(120))
    await b.open_link(MOONS_LINK, left(120))
    await _wait_event(moons_go, left(120), "the live run's Train")
    await b.start_live(left(30))
    wall0 = time.time() + opts.live_warmup
    await asyncio.sleep(opts.live_warmup + opts.live_seconds)
    await b.live_fps(wall0, time.time())
    await b.pause(left(30))


class BrowserFleet:
    """The Chromium tabs, driven by a process of their own (``--browser-fleet``).

    Playwright's traffic then no longer shares the protocol sessions' event loop or
    GIL (on that loop it ran with them, and their timings included its work). The
    fleet process gets its signals on stdin (``go DEADLINE``, ``xor``, ``moons``)
    and prints ``ready``, then its tabs' results as one JSON line.
    """

    def __init__(self, opts, url: str):
        self.opts, self.url = opts, url
        self.users: list[dict[str, Any]] = []   # per tab: index, results, errors
        self._proc: subprocess.Popen | None = None

    async def start(self, timeout: float = 120.0) -> None:
        spec = {"url": self.url, "browsers": self.opts.browsers,
                "live_warmup": self.opts.live_warmup, "live_seconds": self.opts.live_seconds}
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--browser-fleet", json.dumps(spec)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
            start_new_session=True)
        line = await self._line(timeout)
        if line != "ready":
            raise LoadTestError(f"Chromium did not start ({line or 'no answer'})")

    async def _line(self, timeout: float) -> str:
        """The fleet's next protocol line (``ready``, ``results ...``, ``error ...``)."""
        end = _now() + timeout
        while _now() < end:
            try:
                line = await asyncio.wait_for(
                    asyncio.to_thread(self._proc.stdout.readline), end - _now())
            except TimeoutError:
                return ""
            if not line:
                return ""                       # the process has ended
            if line.split(" ", 1)[0].strip() in ("ready", "results", "error"):
                return line.strip()
        return ""

    def signal(self, word: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._proc.stdin.write(word + "\n")
            self._proc.stdin.flush()

    async def finish(self, timeout: float) -> None:
        """The tabs' results, waiting at most ``timeout`` s for them."""
        if self._proc is None:
            return
        if not self.users:
            line = await self._line(timeout)
            if line.startswith("results "):
                self.users = json.loads(line[len("results "):])
            else:
                self.users = [{"index": i, "errors": ["browser: no results within the "
                                                      "--duration-limit"]}
                              for i in range(self.opts.browsers)]
        self.stop()

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                self._proc.stdin.close()
            try:
                self._proc.wait(30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)


def fleet_main(spec: dict) -> int:
    """The ``--browser-fleet`` process: the tabs' side of the scenario (see BrowserFleet)."""
    opts = Options(browsers=spec["browsers"],
                   live_warmup=spec["live_warmup"], live_seconds=spec["live_seconds"])
    signals = {word: threading.Event() for word in ("go", "xor", "moons")}
    deadline = [_now() + 600.0]

    def read_signals() -> None:
        for line in sys.stdin:
            word, *rest = line.split()
            if word == "go" and rest:
                deadline[0] = float(rest[0])    # time.monotonic() is system-wide
            if word in signals:
                signals[word].set()
        for event in signals.values():          # the classroom is over
            event.set()

    def left(cap: float) -> float:
        return max(1.0, min(cap, deadline[0] - _now()))

    async def run() -> list[BrowserUser]:
        users: list[BrowserUser] = []
        pw, browser = await _launch_browser()
        try:
            for i in range(opts.browsers):
                ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
                users.append(BrowserUser(i, spec["url"], ctx))
            print("ready", flush=True)
            threading.Thread(target=read_signals, daemon=True, name="signals").start()
            await _wait_event(signals["go"], 600, "its start")
            await asyncio.gather(*(
                _guard(b, browser_flow(b, opts, signals["xor"], signals["moons"], left),
                       "browser") for b in users))
            return users
        finally:
            for b in users:
                with contextlib.suppress(Exception):
                    await b.context.close()
            with contextlib.suppress(Exception):
                await browser.close()
            with contextlib.suppress(Exception):
                await pw.stop()

    try:
        users = asyncio.run(run())
    except Exception as err:  # noqa: BLE001 - reported to the parent in one line
        print(f"error {type(err).__name__}: {err}".replace("\n", " "), flush=True)
        return 2
    results = [{"index": b.index, **b.results, "errors": b.errors} for b in users]
    print("results " + json.dumps(results, default=str), flush=True)
    return 0


# --------------------------------------------------------------------------- orchestration


@dataclass
class Options:
    sessions: int = 40
    browsers: int = 0
    duration_limit: float = 120.0
    ramp: float = 0.0               # seconds over which the sessions connect
    live_seconds: float = 10.0      # the window in which every session trains
    live_warmup: float = 1.0        # after Train, before the window opens
    pause_spread: float = 5.0       # Pause presses spread over this many seconds
    leave_wait: float = 75.0         # > disconnectedSessionTTL + the janitor's period
    idle_settle: float = 3.0
    warm_urls: tuple[str, ...] = ()  # each replica directly (default: the url itself)
    seed: int = 0
    verbose: bool = True


# A bystander process: it sleeps 2 ms at a time and notes how late it wakes, until
# its stdin closes. It shares nothing with the server but the machine, so its delays
# are the operating system's (three Chromium tabs on this 2-core box, even at idle
# priority, delayed it by up to ~0.4 s; without them, by at most ~15 ms).
_SCHED_PROBE = """
import json, sys, threading, time
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
late = []
while not done.is_set():
    t = time.perf_counter()
    time.sleep(0.002)
    late.append(time.perf_counter() - t - 0.002)
late = sorted(late) or [0.0]
print(json.dumps({"n": len(late), "p99_ms": 1000 * late[int(0.99 * (len(late) - 1))],
                  "max_ms": 1000 * late[-1], "over_50ms": sum(x > 0.05 for x in late)}))
"""


class SchedProbe:
    """Runs ``_SCHED_PROBE`` from construction until ``result()``."""

    def __init__(self):
        self._proc = subprocess.Popen([sys.executable, "-c", _SCHED_PROBE], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)

    def result(self) -> dict[str, float] | None:
        try:
            out, _ = self._proc.communicate("", timeout=30)
            return json.loads(out)
        except (subprocess.TimeoutExpired, ValueError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()


class LoopLag:
    """How late this client's own event loop runs: every latency it reports includes it.

    A task asks to wake every ``period`` s and records how late it woke: time the
    report would otherwise blame on the server. With three Chromium tabs on the
    same two cores it measured 1.2-1.5 s at worst, with the tabs in a process of
    their own and this client at a higher CPU priority alike.
    """

    def __init__(self, period: float = 0.01):
        self.period = period
        self.samples: list[tuple[float, float]] = []
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            t0 = _now()
            await asyncio.sleep(self.period)
            self.samples.append((t0, _now() - t0 - self.period))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    def by_phase(self, starts: dict[str, float], end: float) -> dict[str, float | None]:
        """The worst lag in each phase (a phase runs until the next one starts)."""
        bounds = sorted(starts.items(), key=lambda kv: kv[1]) + [("", end)]
        return {name: max((lag for t, lag in self.samples if t0 <= t < t1), default=None)
                for (name, t0), (_, t1) in zip(bounds, bounds[1:])}

    def max_since(self, t0: float) -> float | None:
        values = [lag for t, lag in self.samples if t >= t0]
        return max(values) if values else None


def _log(opts: Options, text: str) -> None:
    if opts.verbose:
        print(f"[loadtest {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


async def _guard(s, coro, what: str) -> None:
    """Run one session's step; a failure marks the session failed instead of raising."""
    if s.errors:
        coro.close()
        return
    try:
        await coro
    except Exception as err:  # noqa: BLE001 - every failure is reported per session
        s.errors.append(f"{what}: {type(err).__name__}: {err}")


async def run_scenario(url: str, opts: Options, server_pids: tuple[int, ...]) -> dict:
    """The whole scenario against a running server; returns the report dict."""
    _check_loopback(url)
    started = _now()
    deadline = started + opts.duration_limit

    def left(cap: float) -> float:
        return max(1.0, min(cap, deadline - _now()))

    rng = random.Random(opts.seed)
    sessions = [Session(i, url) for i in range(opts.sessions)]
    report: dict[str, Any] = {"sessions": opts.sessions, "browsers": opts.browsers,
                              "url": url, "options": opts.__dict__.copy()}
    fleet = BrowserFleet(opts, url) if opts.browsers else None
    probe: SchedProbe | None = None
    with MemorySampler(server_pids) as mem:
        mem.mark("cold")
        report["loadavg_start"] = os.getloadavg()
        try:
            if fleet is not None:
                await fleet.start()
            # Warm-up: one session per server loads the page and runs one epoch, so
            # imports and the compiled kernel's load are not charged to the classroom.
            for warm_url in opts.warm_urls or (url,):
                _check_loopback(warm_url)
                warm = Session(-1, warm_url.rstrip("/"))
                await step_load(warm, DEFAULT_LINK, 60)
                t0 = await warm.press("Step")
                await warm.wait_for(lambda w=warm, t=t0: w.finished_ok(t), 60, "warm-up step")
                await warm.close()
            await asyncio.sleep(1.0)
            baseline = mem.mark("baseline")
            t_begin = _now()
            deadline = t_begin + opts.duration_limit
            cpu0 = total(cpu_seconds, server_pids)
            probe = SchedProbe()
            busy0 = machine_busy()
            own0 = time.process_time()
            kids0 = descendants_cpu_seconds(os.getpid())

            # The browsers follow the same steps on their own clock (a slow browser must
            # not hold the classroom back); they press Train once the sessions have.
            lag = LoopLag()
            lag.start()
            phases: dict[str, float] = {}
            if fleet is not None:
                fleet.signal(f"go {deadline!r}")

            # 1. load -----------------------------------------------------------------
            phases["load"] = _now()
            _log(opts, f"load: {opts.sessions} sessions (ramp {opts.ramp:g} s), "
                       f"{opts.browsers} browsers")

            async def load_one(s: Session) -> None:
                if opts.ramp and opts.sessions > 1:
                    await asyncio.sleep(opts.ramp * s.index / (opts.sessions - 1))
                await step_load(s, DEFAULT_LINK, left(60))

            await asyncio.gather(*(_guard(s, load_one(s), "load") for s in sessions))

            # 2. XOR: everyone presses Train at the same moment ------------------------
            phases["xor"] = _now()
            _log(opts, "xor: set link")
            await asyncio.gather(*(_guard(s, step_link(s, XOR_LINK, left(60)), "xor link")
                                   for s in sessions))
            _log(opts, "xor: Train")

            async def xor_train(s: Session) -> None:
                t0 = await s.press("Train")     # every send goes out in the same tick
                await step_train_to_end(s, t0, left(60))

            if fleet is not None:
                fleet.signal("xor")
            await asyncio.gather(*(_guard(s, xor_train(s), "xor train") for s in sessions))

            # 3. moons: all train live; then each pauses at its own moment -------------
            phases["moons"] = _now()
            _log(opts, "moons: set link")
            await asyncio.gather(*(_guard(s, step_link(s, MOONS_LINK, left(60)), "moons link")
                                   for s in sessions))
            _log(opts, "moons: Train")
            ok = [s for s in sessions if not s.errors]

            async def moons_train(s: Session) -> None:
                s.results["t_train"] = await s.press("Train")

            if fleet is not None:
                fleet.signal("moons")
            await asyncio.gather(*(_guard(s, moons_train(s), "moons train") for s in ok))
            t_live = _now()
            w0 = t_live + opts.live_warmup
            w1 = w0 + opts.live_seconds
            await asyncio.sleep(max(0.0, w1 - _now()))
            peak_train = mem.peak(since=t_begin)

            phases["pause"] = _now()
            _log(opts, f"moons: Pause spread over {opts.pause_spread:g} s")
            order = list(range(len(ok)))
            rng.shuffle(order)
            slot = opts.pause_spread / max(1, len(order) - 1)

            async def pause_one(s: Session, k: int) -> None:
                await asyncio.sleep(max(0.0, w1 + k * slot - _now()))
                await step_pause(s, left(30))

            await asyncio.gather(*(_guard(s, pause_one(s, order[i]), "pause")
                                   for i, s in enumerate(ok)))
            for s in ok:
                live_metrics(s, w0, w1)
            elapsed = _now() - t_begin          # CPU use while the sessions were busy
            busy1 = machine_busy()
            report["sched_probe"] = probe.result()     # ended: not among the descendants
            cores = os.cpu_count() or 1
            report["cpu"] = {
                "cores": cores,
                "server_cores_used": ((total(cpu_seconds, server_pids) - cpu0) / elapsed
                                      if cpu0 is not None else None),
                "machine_cores_busy": cores * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]),
                "client_cores_used": (time.process_time() - own0) / elapsed,
                # browsers (and a server started by this script) are our descendants
                "descendants_cores_used": (descendants_cpu_seconds(os.getpid()) - kids0)
                / elapsed,
                "loadavg_end": os.getloadavg(),
                "client_loop_lag_max_s": lag.max_since(t_begin),
                "client_loop_lag_by_phase_s": lag.by_phase(phases, _now()),
            }
            await lag.stop()
            if fleet is not None:
                _log(opts, "waiting for the browsers")
                await fleet.finish(max(1.0, deadline - _now()) + 30)

            # 4. idle, then leave -------------------------------------------------------
            await asyncio.sleep(opts.idle_settle)
            idle = mem.mark("idle")
            report["scenario_s"] = _now() - started
        finally:
            await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
            if fleet is not None:
                fleet.stop()
            if probe is not None:
                probe.close()
        peak = mem.peak()
        _log(opts, f"left; waiting {opts.leave_wait:g} s for memory")
        await asyncio.sleep(opts.leave_wait)
        after = mem.mark("after_leave")
        # A visitor after that: Streamlit itself also expires stored sessions when
        # its session store is next written (when someone disconnects).
        visitor = Session(-2, url)
        with contextlib.suppress(Exception):
            await step_load(visitor, DEFAULT_LINK, 30)
        await visitor.close()
        await asyncio.sleep(2.0)
        after_visitor = mem.mark("after_visitor")

    report["memory_mb"] = {
        "cold": mem.marks.get("cold"), "baseline": baseline, "peak": peak,
        "peak_during_training": peak_train, "idle": idle, "after_leave": after,
        "after_visitor": after_visitor,
        "idle_per_session": ((idle - baseline) / opts.sessions
                             if idle is not None and baseline is not None else None),
    }
    report["per_session"] = [
        {"index": s.index, **s.results, "errors": s.errors, "exceptions": s.exceptions,
         "bytes_in": s.bytes_in, "messages_in": s.msgs_in} for s in sessions]
    report["per_browser"] = fleet.users if fleet is not None else []
    report["summary"] = summarize(report)
    return report


async def _launch_browser():
    """Headless Debian Chromium (never a downloaded one)."""
    from playwright.async_api import async_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise LoadTestError("no 'chromium' on PATH for --browsers")
    pw = await async_playwright().start()
    try:
        browser = await pw.chromium.launch(executable_path=executable, headless=True,
                                           args=BROWSER_ARGS)
    except Exception:
        await pw.stop()
        raise
    return pw, browser


# --------------------------------------------------------------------------- report


def _stats(values: list[float]) -> dict[str, float | None]:
    values = [v for v in values if v is not None]
    if not values:
        return {"n": 0, "min": None, "p50": None, "max": None}
    return {"n": len(values), "min": min(values), "p50": statistics.median(values),
            "max": max(values)}


def summarize(report: dict) -> dict:
    rows = report["per_session"]
    n = report["sessions"]
    failed = [r for r in rows if r["errors"]]
    s = {
        "sessions_ok": n - len(failed),
        "sessions_failed": len(failed),
        "exceptions": sum(len(r["exceptions"]) for r in rows),
        "first_chart_s": _stats([r.get("first_chart_s") for r in rows]),
        "xor_final_s": _stats([r.get("xor_final_s") for r in rows]),
        "xor_frames": _stats([r.get("xor_frames") for r in rows]),
        "live_fps": _stats([r.get("live_fps") for r in rows]),
        "live_charts_per_s": _stats([r.get("live_charts_per_s") for r in rows]),
        "pause_s": _stats([r.get("pause_s") for r in rows]),
        "pause_start_s": _stats([r.get("pause_start_s") for r in rows]),
        "max_frame_bytes": max((r.get("live_frame_bytes_max", 0) for r in rows), default=0),
        "max_chart_spec_bytes": {},
        "live_finished_early": sum(1 for r in rows if r.get("live_finished_early")),
        "first_live_frame_s": _stats([r.get("first_live_frame_s") for r in rows]),
    }
    for r in rows:
        for kind, size in (r.get("live_chart_spec_max") or {}).items():
            s["max_chart_spec_bytes"][kind] = max(s["max_chart_spec_bytes"].get(kind, 0), size)
    if report["per_browser"]:
        b = report["per_browser"]
        s["browser"] = {k: _stats([r.get(k) for r in b])
                        for k in ("first_chart_s", "xor_final_s", "live_fps", "pause_s")}
        s["browser"]["failed"] = sum(1 for r in b if r["errors"])
    mem = report["memory_mb"]
    t = TARGETS
    checks = {
        "all sessions completed": s["sessions_failed"] == 0 and s["exceptions"] == 0,
        f"first chart <= {t['first_chart_s']:g} s": _le(s["first_chart_s"]["max"],
                                                        t["first_chart_s"]),
        f"final result <= {t['final_s']:g} s": _le(s["xor_final_s"]["max"], t["final_s"]),
        f">= {t['live_fps']:g} live frame/s per session": (
            s["live_fps"]["min"] is not None and s["live_fps"]["min"] >= t["live_fps"]
            and s["live_finished_early"] == 0),
        f"Pause <= {t['pause_s']:g} s": _le(s["pause_s"]["max"], t["pause_s"]),
    }
    if report["per_browser"]:
        checks["browser tabs completed"] = s["browser"]["failed"] == 0
    if mem["baseline"] is not None:
        checks[f"idle memory < {t['idle_mb_per_session']:g} MB/session"] = _le(
            mem["idle_per_session"], t["idle_mb_per_session"])
        limit = mem["baseline"] * (1 + t["leave_slack_frac"]) + t["leave_slack_mb"]
        checks[f"after leaving <= {limit:.0f} MB (baseline +10 % +50 MB)"] = _le(
            mem["after_leave"], limit)
    s["checks"] = checks
    s["passed"] = all(checks.values())
    return s


def _le(value, limit) -> bool:
    return value is not None and value <= limit


def _fmt(v, unit: str = "", digits: int = 2) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}{unit}"
    return f"{v}{unit}"


def browsers_compete(browsers: float, server: float, cores: int) -> str | None:
    """A warning when the Chromium tabs took CPU the server under test needed, else None.

    The tabs stand in for students' own machines but run on the test box: once
    they and the server together fill its cores, the server's numbers are the
    box's, not the app's. (The load test does not reprioritise them.)
    """
    if browsers < 0.1 or browsers + server < 0.9 * cores:
        return None
    return (f"the browsers took {browsers:.2f} of this machine's {cores} cores while the "
            f"server used {server:.2f}: they compete with the server under test, so its "
            "latencies include theirs; run fewer --browsers")


def format_report(report: dict) -> str:
    s = report["summary"]
    m = report["memory_mb"]
    lines = [
        f"MLP Playground load test: {report['sessions']} protocol sessions, "
        f"{report['browsers']} browsers, {report['url']}",
        f"  sessions ok / failed       {s['sessions_ok']} / {s['sessions_failed']}"
        f"   exception elements: {s['exceptions']}",
        f"  first chart      p50/max   {_fmt(s['first_chart_s']['p50'], ' s')} / "
        f"{_fmt(s['first_chart_s']['max'], ' s')}",
        f"  Train->final     p50/max   {_fmt(s['xor_final_s']['p50'], ' s')} / "
        f"{_fmt(s['xor_final_s']['max'], ' s')}   (live frames during XOR p50 "
        f"{_fmt(s['xor_frames']['p50'])})",
        f"  live fps/session min/med   {_fmt(s['live_fps']['min'])} / "
        f"{_fmt(s['live_fps']['p50'])}   (charts/s med {_fmt(s['live_charts_per_s']['p50'])};"
        f" first live frame after Train "
        f"p50/max {_fmt(s['first_live_frame_s']['p50'], ' s')} / "
        f"{_fmt(s['first_live_frame_s']['max'], ' s')})",
        f"  Pause            p50/max   {_fmt(s['pause_s']['p50'], ' s')} / "
        f"{_fmt(s['pause_s']['max'], ' s')}   (its rerun began p50/max "
        f"{_fmt(s['pause_start_s']['p50'], ' s')} / {_fmt(s['pause_start_s']['max'], ' s')})",
        f"  max redraw payload         {s['max_frame_bytes']:,} B per frame; chart specs "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(s["max_chart_spec_bytes"].items())),
        f"  memory MB                  cold {_fmt(m['cold'], '', 0)}, baseline "
        f"{_fmt(m['baseline'], '', 0)}, peak {_fmt(m['peak'], '', 0)}, idle "
        f"{_fmt(m['idle'], '', 0)} ({_fmt(m['idle_per_session'], ' MB/session', 2)}), "
        f"{report['options']['leave_wait']:g} s after leaving {_fmt(m['after_leave'], '', 0)}"
        f" (after one more visitor {_fmt(m['after_visitor'], '', 0)})",
    ]
    if "browser" in s:
        b = s["browser"]
        lines.append(
            f"  browsers (UI)              first chart max {_fmt(b['first_chart_s']['max'], ' s')},"
            f" Train->final max {_fmt(b['xor_final_s']['max'], ' s')}, live fps min "
            f"{_fmt(b['live_fps']['min'])}, Pause max {_fmt(b['pause_s']['max'], ' s')}, "
            f"failed {b['failed']}")
    cpu = report.get("cpu") or {}
    if cpu:
        server = cpu.get("server_cores_used") or 0
        # A server we started is one of our descendants; the rest of them are browsers.
        browsers = max(0.0, cpu["descendants_cores_used"]
                       - (server if report.get("server_started") else 0))
        rest = cpu["machine_cores_busy"] - cpu["client_cores_used"] - server - browsers
        lines.append(
            f"  CPU (cores of {cpu['cores']})           server {_fmt(server)}, this client "
            f"{_fmt(cpu['client_cores_used'])}, its browsers {_fmt(browsers)}, other "
            f"processes {_fmt(rest)}; load avg {report['loadavg_start'][0]:.1f} -> "
            f"{cpu['loadavg_end'][0]:.1f}")
        note = browsers_compete(browsers, server, cpu["cores"])
        if note:
            lines.append(f"  note: {note}")
        lag = _fmt(cpu.get("client_loop_lag_max_s"), " s")
        by_phase = ", ".join(f"{k} {_fmt(v, ' s')}"
                             for k, v in (cpu.get("client_loop_lag_by_phase_s") or {}).items())
        lines.append(f"  client event loop lag max   {lag} (in every latency above; {by_phase})")
    sched = report.get("sched_probe")
    if sched:
        lines.append(f"  OS wake-up delay p99/max    {sched['p99_ms']:.1f} / "
                     f"{sched['max_ms']:.0f} ms, {sched['over_50ms']} over 50 ms (a bystander "
                     f"process sleeping 2 ms at a time: the machine's own delays)")
    lines.append("  targets:")
    for name, ok in s["checks"].items():
        lines.append(f"    [{'PASS' if ok else 'FAIL'}] {name}")
    if report.get("server_tracebacks"):
        lines.append(f"  server log: {report['server_tracebacks']} traceback(s), see "
                     f"{report.get('server_log')}")
    errors = [(r["index"], e) for r in report["per_session"] for e in r["errors"]]
    errors += [(f"browser {r['index']}", e) for r in report["per_browser"] for e in r["errors"]]
    for who, e in errors[:10]:
        lines.append(f"  error (session {who}): {e}")
    if len(errors) > 10:
        lines.append(f"  ... {len(errors) - 10} more errors")
    lines.append(f"  RESULT: {'PASS' if s['passed'] else 'FAIL'}")
    return "\n".join(lines)


def run(url: str | None = None, *, start: bool = False, app_dir: Path = REPO_ROOT,
        server_args: tuple[str, ...] = (), server_pids: tuple[int, ...] = (),
        opts: Options | None = None) -> dict:
    """Run the load test (starting a server if ``start``); return the report dict."""
    opts = opts or Options()
    server = None
    if start:
        server = start_server(app_dir, server_args)
        url, server_pids = server.url, (server.pid,)
    elif url is None:
        raise LoadTestError("give a --url or --start-server")
    else:
        url = url.rstrip("/")
        _check_loopback(url)
        wait_healthy(url, 10)
        if not server_pids:
            found = find_listening_pid(urllib.parse.urlsplit(url).port or 80)
            server_pids = (found,) if found is not None else ()
    if str(app_dir) not in sys.path:
        sys.path.insert(0, str(app_dir))        # mlp_core, for the link <-> widget mapping
    keep_log = True
    try:
        try:
            report = asyncio.run(asyncio.wait_for(
                run_scenario(url, opts, server_pids),
                opts.duration_limit + opts.leave_wait + 120))
        except TimeoutError:
            raise LoadTestError("the scenario overran its overall time limit") from None
        report["server_started"] = server is not None
        if server is not None:
            report["server_tracebacks"] = server.log_tail(100_000).count("Traceback")
            keep_log = bool(report["server_tracebacks"])
            if keep_log:
                report["server_log"] = str(server.log_path)
                report["server_log_tail"] = server.log_tail(60)
        return report
    finally:
        if server is not None:
            server.stop()
            if not keep_log and server.log_path is not None:
                with contextlib.suppress(OSError):
                    server.log_path.unlink()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--browser-fleet"]:         # the tabs' own process (BrowserFleet)
        return fleet_main(json.loads(argv[1]))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, default=40)
    p.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8501 (loopback only)")
    p.add_argument("--start-server", action="store_true",
                   help="start `streamlit run app.py` on a free port and stop it at the end")
    p.add_argument("--app-dir", type=Path, default=REPO_ROOT,
                   help="directory holding app.py for --start-server (default: this repo)")
    p.add_argument("--server-arg", action="append", default=[],
                   help="extra option for the started server, e.g. "
                        "--server-arg=--server.disconnectedSessionTTL=20")
    p.add_argument("--server-pid", type=int, action="append", default=[],
                   help="pid whose memory and CPU to sample (with --url; repeat for replicas, "
                        "which are then summed)")
    p.add_argument("--browsers", type=int, default=0, help="real headless Chromium tabs")
    p.add_argument("--duration-limit", type=float, default=120.0,
                   help="seconds for the scenario (connect .. Pause); memory waits come after")
    p.add_argument("--ramp", type=float, default=0.0,
                   help="seconds over which the sessions connect (0: all at once)")
    p.add_argument("--live-seconds", type=float, default=10.0)
    p.add_argument("--pause-spread", type=float, default=5.0)
    p.add_argument("--leave-wait", type=float, default=75.0,
                   help="seconds to wait after the sessions leave before measuring memory "
                        "(the app frees sessions 60-70 s after they disconnect)")
    p.add_argument("--warm-url", action="append", default=[],
                   help="warm this server before the classroom arrives (repeat for each "
                        "replica behind a proxy; default: --url itself)")
    p.add_argument("--json", type=Path, help="write the full report here")
    p.add_argument("-q", "--quiet", action="store_true")
    a = p.parse_args(argv)
    if a.sessions < 1 or a.browsers < 0:
        p.error("--sessions must be >= 1 and --browsers >= 0")
    opts = Options(sessions=a.sessions, browsers=a.browsers, duration_limit=a.duration_limit,
                   ramp=a.ramp, live_seconds=a.live_seconds, pause_spread=a.pause_spread,
                   leave_wait=a.leave_wait,
                   warm_urls=tuple(a.warm_url),
                   verbose=not a.quiet)
    try:
        report = run(a.url, start=a.start_server, app_dir=a.app_dir.resolve(),
                     server_args=tuple(a.server_arg), server_pids=tuple(a.server_pid), opts=opts)
    except LoadTestError as err:
        print(f"loadtest: {err}", file=sys.stderr)
        return 2
    print(format_report(report))
    if a.json:
        a.json.write_text(json.dumps(report, indent=2, default=str))
    return 0 if report["summary"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
