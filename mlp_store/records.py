"""What the store takes and gives back: frozen dataclasses, and the size limits on every field.

Limits are checked before anything is written, so a refused save leaves nothing behind.
JSON fields are measured as their UTF-8 JSON text; ``model`` as UTF-8 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("playground", "race", "sweep")
STATUSES = ("finished", "paused", "diverged", "stopped")

KEY_MAX = 64                    # workspace ids, run keys, lesson ids
TITLE_MAX = 200
LINK_MAX = 8 * 1024             # a query string reproducing a run
JSON_MAX = 20 * 1024            # settings, metrics, seeds, versions, data_spec, class controls
EXTRA_MAX = 2 * 1024 * 1024     # kind-specific JSON (race paths, sweep rows)
MODEL_MAX = 12 * 1024 * 1024    # the model file text
LOSS_POINTS_MAX = 500
NICKNAME_MAX = 24
CLASS_NAME_MAX = 100
SAVES_PER_MINUTE = 30           # per workspace, per process


@dataclass(frozen=True)
class RunIn:
    """One run as a page saves it; saving the same ``(workspace, run_key)`` again updates it."""

    workspace: str
    run_key: str
    kind: str
    status: str
    title: str
    settings: dict
    link: str
    data_spec: dict
    seeds: dict
    versions: dict
    metrics: dict
    loss_epochs: list[int]
    loss_values: list[float]
    model: str
    epochs: int
    seconds: float
    extra: dict = field(default_factory=dict)
    class_code: str | None = None
    nickname: str | None = None


@dataclass(frozen=True)
class RunSummary:
    """A run without its heavy parts (model, loss history), as lists and the board show it.

    ``class_id`` is the code of the class the run was saved in (None outside a class);
    ``nickname`` is the student's current nickname in that class, else the one saved.
    """

    id: str
    created: datetime
    updated: datetime
    workspace: str
    kind: str
    status: str
    title: str
    settings: dict
    link: str
    metrics: dict
    epochs: int
    seconds: float
    class_id: str | None
    nickname: str | None
    hidden: bool


@dataclass(frozen=True)
class RunRecord(RunSummary):
    """A whole run. Non-finite loss values were stored as null and come back as NaN."""

    data_spec: dict
    seeds: dict
    versions: dict
    loss_epochs: list[int]
    loss_values: list[float]
    model: str
    extra: dict


@dataclass(frozen=True)
class ClassInfo:
    """A class: ``link`` is its preset query string.

    ``controls`` is {"hidden": [...], "locked": [...]}: the sidebar settings its link
    hides or locks.
    """

    code: str
    name: str
    created: datetime
    link: str
    controls: dict


@dataclass(frozen=True)
class Student:
    """A nickname in one class, tied to the browser workspace that picked it."""

    id: int
    class_code: str
    nickname: str
    workspace: str
    joined: datetime
