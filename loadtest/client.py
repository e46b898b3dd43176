"""One simulated student: Streamlit's WebSocket protocol, spoken as the browser speaks it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .common import LoadTestError, _check_loopback, _now

EPOCH_LABEL = "Epoch"
LIVE_CHART = "mlp_live_chart"   # mlp_ui.live_chart's component (a test keeps the two equal)
# The app's mlp_ui.workspace.COOKIE (a test keeps them equal). Not imported: the load
# test also drives older checkouts (--app-dir), which are first on the path.
WORKSPACE_COOKIE = "mlp_workspace"
BUTTON_KEYS = {"Train": "btn-train", "Pause": "btn-pause", "Step": "btn-step",
               "Reset": "btn-reset"}
WIDGET_KINDS = {"button", "download_button", "checkbox", "number_input", "selectbox",
                "slider", "file_uploader", "radio", "text_input", "text_area",
                "multiselect", "color_picker", "date_input", "time_input"}




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
        # This tab's workspace, sent as the cookie a browser keeps: its runs are saved.
        self.workspace = secrets.token_urlsafe(18)
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
            open_timeout=30, close_timeout=5,
            additional_headers={"Cookie": f"{WORKSPACE_COOKIE}={self.workspace}"})
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
        elif kind == "bidi_component" and el.bidi_component.component_name == LIVE_CHART:
            # mlp_ui.live_chart: a chart the browser updates in place; its name is its kind
            data = json.loads(el.bidi_component.json)
            name = data.get("name", "?").removeprefix("playground-")
            self.events.append(Event(t, "chart", (name, len(data.get("fig", ""))), nbytes))
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
