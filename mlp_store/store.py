"""The store: runs, classes, students, lesson progress and the signing key, over one engine.

Every method opens its own short session. Writes on SQLite go one at a time per process
(a lock around ``BEGIN IMMEDIATE``), so forty students pressing Train at once queue in
Python instead of racing for the file; another process's write is waited for by
``busy_timeout`` and, past that, retried. PostgreSQL writes run concurrently.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import hmac
import json
import math
import numbers
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, undefer_group

from mlp_store import records as r
from mlp_store.engine import IMMEDIATE
from mlp_store.errors import SaveRefused, StoreUnavailable
from mlp_store.models import ClassRow, MetaRow, ProgressRow, RunRow, StudentRow, utcnow

SIGNING_KEY = "signing_key"
BUSY_RETRIES = 5
RATE_WINDOW_S = 60.0
# hashlib.scrypt cost: about 16 MB and tens of milliseconds per check.
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


# After the database was found unreachable, calls fail at once for this long instead of
# each waiting for a connect timeout (a page would freeze on every save).
RETRY_AFTER_S = 10.0


def _translate_errors(method):
    """Turn "cannot reach the database" into StoreUnavailable, with one sentence."""

    @functools.wraps(method)
    def wrapper(store: Store, *args, **kwargs):
        down = store._down
        if down is not None and time.monotonic() < down[0]:
            raise down[1]
        try:
            return method(store, *args, **kwargs)
        except (OperationalError, InterfaceError, PoolTimeout, DBAPIError) as error:
            lost = isinstance(error, OperationalError | InterfaceError | PoolTimeout)
            if not (lost or getattr(error, "connection_invalidated", False)):
                raise
            unavailable = StoreUnavailable(
                f"The runs database is not available ({reason_of(error)}).")
            if not (isinstance(error, OperationalError) and _is_busy(error)):
                store._down = (time.monotonic() + store.retry_after, unavailable)
            raise unavailable from error

    return wrapper


class RateLimiter:
    """At most ``limit`` events per key in any ``window`` seconds (a sliding window)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._times: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()
        self._next_prune = 0.0

    def allow(self, key: str) -> bool:
        """Record one event for ``key`` and say whether it is within the limit."""
        now = self.clock()
        with self._lock:
            times = self._times[key]
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            if now >= self._next_prune:   # forget workspaces quiet for a whole window
                self._next_prune = now + self.window
                for quiet in [k for k, ts in self._times.items() if now - ts[-1] >= self.window]:
                    del self._times[quiet]
            return True


_file_locks: dict[str, threading.Lock] = {}
_file_locks_guard = threading.Lock()


def _lock_for(engine: Engine) -> threading.Lock:
    """One write lock per database in this process, however many Stores or URL spellings."""
    database = engine.url.database or ""
    key = str(Path(database).resolve()) if database not in ("", ":memory:") else repr(engine)
    with _file_locks_guard:
        return _file_locks.setdefault(key, threading.Lock())


# One limiter per process, whatever the number of Store objects: the limit is on the browser.
SAVE_LIMITER = RateLimiter(r.SAVES_PER_MINUTE, RATE_WINDOW_S)


class Store:
    """Runs, classes, students, lesson progress and the signing key in one database.

    Runs: ``save_run`` (insert, or update the same workspace and run_key), ``list_runs``,
    ``get_run``, ``delete_run``, ``count_runs``. Classes: ``create_class``, ``class_by_code``,
    ``teacher_ok``, ``join_class``, ``student``, ``class_students``, ``class_runs``,
    ``set_hidden``, ``delete_class``. Lessons: ``save_progress``, ``progress``,
    ``class_progress``. ``signing_key`` for classroom links.

    Every method raises ``StoreUnavailable`` when the database cannot be reached; saves raise
    ``SaveRefused`` for a field over its limit (``mlp_store.records``) or too many saves.
    Make one with ``mlp_store.open_store``, which also migrates the database.
    """

    def __init__(self, engine: Engine, *, limiter: RateLimiter = SAVE_LIMITER):
        self.engine = engine
        self.limiter = limiter
        self._serialise_writes = engine.dialect.name == "sqlite"
        self._write_lock = _lock_for(engine) if self._serialise_writes else None
        self._write_engine = engine.execution_options(**{IMMEDIATE: True})
        self._signing_key: bytes | None = None
        self._teacher_ok: set[tuple[str, bytes]] = set()
        self._on_close: list[Callable[[], object]] = []
        self._down: tuple[float, StoreUnavailable] | None = None   # (until, why)
        self.retry_after = RETRY_AFTER_S

    def close(self) -> None:
        """Close the pool's connections; ``open_store`` then opens the URL afresh (tests)."""
        for forget in self._on_close:
            forget()
        self.engine.dispose()

    # ---- sessions -------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def _write(self, work: Callable[[Session], object]) -> object:
        """Run ``work(session)`` in one write transaction, committed, retried while busy."""
        for attempt in range(BUSY_RETRIES + 1):
            try:
                with (self._write_guard(),
                      Session(self._write_engine, expire_on_commit=False) as session,
                      session.begin()):
                    return work(session)
            except OperationalError as error:
                if attempt == BUSY_RETRIES or not _is_busy(error):
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def _upsert(self, work: Callable[[Session], object]) -> object:
        """``_write`` for a find-then-insert-or-update: if another process (a replica) inserted
        the same unique row in between, the insert fails; the second try finds and updates it."""
        try:
            return self._write(work)
        except IntegrityError:
            return self._write(work)

    @contextmanager
    def _write_guard(self):
        if self._serialise_writes:
            with self._write_lock:
                yield
        else:
            yield

    # ---- runs -----------------------------------------------------------------------------

    @_translate_errors
    def save_run(self, run: r.RunIn) -> str:
        """Save ``run`` (or update the one with its workspace and run_key); return its id."""
        values = _run_values(run)
        nickname = _clean_optional_nickname(run)
        if not self.limiter.allow(run.workspace):
            raise SaveRefused(
                f"Too many saves: at most {r.SAVES_PER_MINUTE} a minute; this run was not saved."
            )

        def work(session: Session) -> str:
            class_row = student = None
            if run.class_code:
                class_row = _class_row(session, run.class_code)
            if class_row is not None:
                student = session.scalars(select(StudentRow).where(
                    StudentRow.class_id == class_row.id,
                    StudentRow.workspace == run.workspace)).first()
            row = session.scalars(select(RunRow).where(
                RunRow.workspace == run.workspace, RunRow.run_key == run.run_key)).first()
            now = utcnow()
            if row is None:
                row = RunRow(id=str(uuid.uuid4()), workspace=run.workspace,
                             run_key=run.run_key, hidden=False, created=now)
                session.add(row)
            for name, value in values.items():
                setattr(row, name, value)
            row.class_id = class_row.id if class_row else None
            row.student_id = student.id if student else None
            row.nickname = student.nickname if student else nickname
            row.updated = now
            session.flush()
            return row.id

        return self._upsert(work)

    @_translate_errors
    def list_runs(self, workspace: str, *, kind: str | None = None,
                  limit: int = 500) -> list[r.RunSummary]:
        """This workspace's runs, newest first."""
        limit = max(0, min(int(limit), 10_000))
        query = _summary_query().where(RunRow.workspace == workspace)
        if kind is not None:
            query = query.where(RunRow.kind == kind)
        with self._read() as session:
            rows = session.execute(query.order_by(RunRow.updated.desc()).limit(limit)).all()
            return [_summary(row, code, nick) for row, code, nick in rows]

    @_translate_errors
    def get_run(self, run_id: str, workspace: str | None = None) -> r.RunRecord | None:
        """The whole run, or None; with ``workspace``, only if that workspace owns it."""
        query = _summary_query().where(RunRow.id == run_id).options(undefer_group("full"))
        if workspace is not None:
            query = query.where(RunRow.workspace == workspace)
        with self._read() as session:
            found = session.execute(query).first()
            return None if found is None else _record(*found)

    @_translate_errors
    def delete_run(self, run_id: str, workspace: str) -> bool:
        """Delete a run this workspace owns; say whether there was one."""

        def work(session: Session) -> bool:
            result = session.execute(delete(RunRow).where(
                RunRow.id == run_id, RunRow.workspace == workspace))
            return result.rowcount > 0

        return self._write(work)

    @_translate_errors
    def count_runs(self) -> int:
        with self._read() as session:
            return session.scalar(select(func.count()).select_from(RunRow))

    # ---- classes --------------------------------------------------------------------------

    @_translate_errors
    def create_class(self, name: str, link: str, controls: dict) -> tuple[r.ClassInfo, str]:
        """Make a class; return it and the teacher secret, which is stored only hashed."""
        name = _text(name.strip(), "The class name", r.CLASS_NAME_MAX, ValueError, empty=False)
        link = _text(link, "The class link", r.LINK_MAX, ValueError)
        controls = _json(controls, "The class controls", r.JSON_MAX, ValueError)
        secret = secrets.token_urlsafe(24)
        salt = secrets.token_bytes(16)

        def work(session: Session) -> r.ClassInfo:
            row = ClassRow(code=secrets.token_urlsafe(9), name=name, link=link,
                           controls=controls, secret_salt=salt,
                           secret_hash=_secret_hash(secret, salt), created=utcnow())
            session.add(row)
            session.flush()
            return _class_info(row)

        return self._write(work), secret

    @_translate_errors
    def class_by_code(self, code: str) -> r.ClassInfo | None:
        with self._read() as session:
            row = _class_row(session, code)
            return None if row is None else _class_info(row)

    @_translate_errors
    def teacher_ok(self, code: str, secret: str) -> bool:
        """Whether ``secret`` is this class's teacher secret (compared in constant time)."""
        if not isinstance(code, str) or not isinstance(secret, str) or not secret:
            return False
        # Boards re-check every few seconds: remember verified pairs, not the secret itself.
        remembered = (code, hashlib.sha256(secret.encode()).digest())
        if remembered in self._teacher_ok:
            return True
        with self._read() as session:
            row = _class_row(session, code)
        if row is None:
            return False
        ok = hmac.compare_digest(_secret_hash(secret, row.secret_salt), row.secret_hash)
        if ok:
            self._teacher_ok.add(remembered)
        return ok

    @_translate_errors
    def join_class(self, code: str, nickname: str, workspace: str) -> r.Student:
        """Join (or rejoin, maybe renamed) a class; ValueError with a sentence when refused."""
        nickname = clean_nickname(nickname)
        _key(workspace, "The workspace id", ValueError)

        def work(session: Session) -> r.Student:
            class_row = _class_row(session, code)
            if class_row is None:
                raise ValueError("There is no class with that code; check the link.")
            taken = session.scalars(select(StudentRow).where(
                StudentRow.class_id == class_row.id,
                StudentRow.nickname_key == nickname.casefold(),
                StudentRow.workspace != workspace)).first()
            if taken is not None:
                raise ValueError(f"The nickname {nickname!r} is taken in this class; "
                                 "please pick another.")
            student = session.scalars(select(StudentRow).where(
                StudentRow.class_id == class_row.id,
                StudentRow.workspace == workspace)).first()
            if student is None:
                student = StudentRow(class_id=class_row.id, workspace=workspace,
                                     joined=utcnow())
                session.add(student)
            student.nickname, student.nickname_key = nickname, nickname.casefold()
            session.flush()
            return _student(student, class_row.code)

        try:
            return self._write(work)
        except IntegrityError:
            pass   # joined at the same moment by another request: look again
        try:
            return self._write(work)
        except IntegrityError as error:
            raise ValueError(f"The nickname {nickname!r} is taken in this class; "
                             "please pick another.") from error

    @_translate_errors
    def student(self, code: str, workspace: str) -> r.Student | None:
        with self._read() as session:
            row = session.scalars(select(StudentRow).join(ClassRow).where(
                ClassRow.code == code, StudentRow.workspace == workspace)).first()
            return None if row is None else _student(row, code)

    @_translate_errors
    def class_students(self, code: str) -> list[r.Student]:
        with self._read() as session:
            rows = session.scalars(select(StudentRow).join(ClassRow).where(
                ClassRow.code == code).order_by(StudentRow.joined, StudentRow.id)).all()
            return [_student(row, code) for row in rows]

    @_translate_errors
    def class_runs(self, code: str, *, include_hidden: bool = True) -> list[r.RunSummary]:
        """The class's runs, newest first, each with its student's nickname."""
        query = _summary_query().where(ClassRow.code == code)
        if not include_hidden:
            query = query.where(RunRow.hidden.is_(False))
        with self._read() as session:
            rows = session.execute(query.order_by(RunRow.updated.desc())).all()
            return [_summary(row, class_code, nick) for row, class_code, nick in rows]

    @_translate_errors
    def set_hidden(self, code: str, run_id: str, hidden: bool) -> None:
        """Hide a run of this class from its board (or show it again)."""

        def work(session: Session) -> None:
            class_row = _class_row(session, code)
            if class_row is None:
                return
            row = session.scalars(select(RunRow).where(
                RunRow.id == run_id, RunRow.class_id == class_row.id)).first()
            if row is not None:
                row.hidden = bool(hidden)

        self._write(work)

    @_translate_errors
    def delete_class(self, code: str) -> None:
        """Delete a class with its students, its runs and its lesson progress."""

        def work(session: Session) -> None:
            class_row = _class_row(session, code)
            if class_row is None:
                return
            for table in (ProgressRow, RunRow, StudentRow):
                session.execute(delete(table).where(table.class_id == class_row.id))
            session.delete(class_row)

        self._write(work)
        self._teacher_ok = {pair for pair in self._teacher_ok if pair[0] != code}

    # ---- lesson progress ------------------------------------------------------------------

    @_translate_errors
    def save_progress(self, code: str | None, workspace: str, lesson_id: str, step: int,
                      done: bool) -> None:
        """Record where this workspace is in a lesson (in a class when ``code`` names one)."""
        _key(workspace, "The workspace id", ValueError)
        _key(lesson_id, "The lesson id", ValueError)
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < 10_000:
            raise ValueError("The lesson step must be a whole number from 0 to 9999.")

        def work(session: Session) -> None:
            class_row = _class_row(session, code) if code else None
            row = session.scalars(select(ProgressRow).where(
                ProgressRow.workspace == workspace, ProgressRow.lesson_id == lesson_id)).first()
            if row is None:
                row = ProgressRow(workspace=workspace, lesson_id=lesson_id)
                session.add(row)
            row.class_id = class_row.id if class_row else None
            row.step, row.done, row.updated = step, bool(done), utcnow()

        self._upsert(work)

    @_translate_errors
    def progress(self, workspace: str) -> dict[str, tuple[int, bool]]:
        """lesson_id -> (step, done) for this workspace."""
        with self._read() as session:
            rows = session.scalars(select(ProgressRow).where(
                ProgressRow.workspace == workspace)).all()
            return {row.lesson_id: (row.step, row.done) for row in rows}

    @_translate_errors
    def class_progress(self, code: str) -> dict[str, dict[str, tuple[int, bool]]]:
        """nickname -> {lesson_id: (step, done)} for the class's students."""
        query = (select(StudentRow.nickname, ProgressRow)
                 .join(ClassRow, ClassRow.id == StudentRow.class_id)
                 .join(ProgressRow, (ProgressRow.class_id == StudentRow.class_id)
                       & (ProgressRow.workspace == StudentRow.workspace))
                 .where(ClassRow.code == code))
        result: dict[str, dict[str, tuple[int, bool]]] = {}
        with self._read() as session:
            for nickname, row in session.execute(query).all():
                result.setdefault(nickname, {})[row.lesson_id] = (row.step, row.done)
        return result

    # ---- the signing key ------------------------------------------------------------------

    @_translate_errors
    def signing_key(self) -> bytes:
        """The server-side key for classroom links: made once, kept in the database."""
        if self._signing_key is None:
            self._signing_key = self._load_key() or self._make_key()
        return self._signing_key

    def _load_key(self) -> bytes | None:
        with self._read() as session:
            return session.scalar(select(MetaRow.value).where(MetaRow.key == SIGNING_KEY))

    def _make_key(self) -> bytes:
        def work(session: Session) -> bytes:
            session.add(MetaRow(key=SIGNING_KEY, value=secrets.token_bytes(32)))
            session.flush()
            return session.scalar(select(MetaRow.value).where(MetaRow.key == SIGNING_KEY))

        try:
            return self._write(work)
        except IntegrityError:
            return self._load_key()   # another replica made it first: use theirs


# ---- validation ----------------------------------------------------------------------------


def _text(value, what: str, limit: int, error=SaveRefused, *, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise error(f"{what} must be text.")
    if not empty and not value:
        raise error(f"{what} must not be empty.")
    if len(value) > limit:
        raise error(f"{what} is longer than {limit} characters.")
    return value


def _key(value, what: str, error=SaveRefused) -> str:
    _text(value, what, r.KEY_MAX, error, empty=False)
    if not value.isprintable():
        raise error(f"{what} must be printable characters.")
    return value


def _json(value, what: str, limit: int, error=SaveRefused):
    """``value`` as plain JSON data (see ``plain``), refused with a sentence when too big."""
    if not isinstance(value, dict):
        raise error(f"{what} must be a mapping.")
    try:
        value = plain(value)
    except (TypeError, ValueError) as problem:
        raise error(f"{what} cannot be stored as JSON ({problem}).") from problem
    size = len(json.dumps(value).encode())
    if size > limit:
        raise error(f"{what} is {size // 1024} KB, more than the {limit // 1024} KB allowed.")
    return value


def plain(value):
    """JSON-ready data: NumPy scalars and arrays as numbers and lists, tuples as lists, keys
    as text, and a non-finite float (a diverged run's inf/NaN, which neither JSON nor
    PostgreSQL has) as None. TypeError for anything else."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "tolist"):          # a NumPy array or scalar, without importing NumPy
        return plain(value.tolist())
    raise TypeError(f"{type(value).__name__} is not JSON data")


def _run_values(run: r.RunIn) -> dict:
    """The run's columns, checked: SaveRefused with a sentence for the first bad field."""
    if not isinstance(run, r.RunIn):
        raise SaveRefused("Only a RunIn can be saved.")
    _key(run.workspace, "The workspace id")
    _key(run.run_key, "The run key")
    if run.kind not in r.KINDS:
        raise SaveRefused(f"The run kind must be one of {', '.join(r.KINDS)}.")
    if run.status not in r.STATUSES:
        raise SaveRefused(f"The run status must be one of {', '.join(r.STATUSES)}.")
    values = {"kind": run.kind, "status": run.status,
              "title": _text(run.title, "The title", r.TITLE_MAX),
              "link": _text(run.link, "The link", r.LINK_MAX)}
    for name in ("settings", "metrics", "data_spec", "seeds", "versions"):
        values[name] = _json(getattr(run, name), f"The {name.replace('_', ' ')}", r.JSON_MAX)
    values["extra"] = _json(run.extra, "The extra data", r.EXTRA_MAX)
    try:
        epochs, losses = plain(list(run.loss_epochs)), plain(list(run.loss_values))
        epochs = [int(e) for e in epochs]
        losses = [None if v is None else float(v) for v in losses]
    except (TypeError, ValueError) as problem:
        raise SaveRefused("The loss history must be numbers.") from problem
    if len(epochs) != len(losses):
        raise SaveRefused("The loss history needs one epoch per value.")
    if len(losses) > r.LOSS_POINTS_MAX:
        raise SaveRefused(f"The loss history has more than {r.LOSS_POINTS_MAX} points.")
    if not isinstance(run.model, str):
        raise SaveRefused("The model file must be text.")
    if len(run.model.encode()) > r.MODEL_MAX:
        raise SaveRefused(f"The model file is larger than {r.MODEL_MAX // 2**20} MB.")
    try:
        epochs_total, seconds = int(run.epochs), float(run.seconds)
    except (TypeError, ValueError) as problem:
        raise SaveRefused("Epochs and seconds must be numbers.") from problem
    if run.class_code is not None:
        _text(run.class_code, "The class code", 32)
    return values | {"loss_epochs": epochs, "loss_values": losses, "model": run.model,
                     "epochs": epochs_total, "seconds": seconds if math.isfinite(seconds) else 0.0}


def clean_nickname(nickname) -> str:
    """A nickname stripped of surrounding spaces; ValueError unless 1-24 printable characters."""
    if not isinstance(nickname, str):
        raise ValueError("The nickname must be text.")
    nickname = nickname.strip()
    if not 1 <= len(nickname) <= r.NICKNAME_MAX:
        raise ValueError(f"A nickname has 1 to {r.NICKNAME_MAX} characters.")
    if not nickname.isprintable():
        raise ValueError("A nickname can only have printable characters.")
    return nickname


def _clean_optional_nickname(run: r.RunIn) -> str | None:
    if run.nickname is None:
        return None
    try:
        return clean_nickname(run.nickname)
    except ValueError as problem:
        raise SaveRefused(str(problem)) from problem


def _secret_hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, **SCRYPT)


# ---- rows to records -----------------------------------------------------------------------


def _class_row(session: Session, code) -> ClassRow | None:
    if not isinstance(code, str) or not code or len(code) > 32:
        return None
    return session.scalars(select(ClassRow).where(ClassRow.code == code)).first()


def _summary_query():
    """Runs with their class code and the nickname to show (the student's current one)."""
    return (select(RunRow, ClassRow.code, func.coalesce(StudentRow.nickname, RunRow.nickname))
            .outerjoin(ClassRow, ClassRow.id == RunRow.class_id)
            .outerjoin(StudentRow, StudentRow.id == RunRow.student_id))


def _summary_fields(row: RunRow, class_code: str | None, nickname: str | None) -> dict:
    return {"id": row.id, "created": row.created, "updated": row.updated,
            "workspace": row.workspace, "kind": row.kind, "status": row.status,
            "title": row.title, "settings": row.settings, "link": row.link,
            "metrics": row.metrics, "epochs": row.epochs, "seconds": row.seconds,
            "class_id": class_code, "nickname": nickname, "hidden": bool(row.hidden)}


def _summary(row: RunRow, class_code: str | None, nickname: str | None) -> r.RunSummary:
    return r.RunSummary(**_summary_fields(row, class_code, nickname))


def _record(row: RunRow, class_code: str | None, nickname: str | None) -> r.RunRecord:
    values = [math.nan if v is None else float(v) for v in row.loss_values]
    return r.RunRecord(**_summary_fields(row, class_code, nickname),
                       data_spec=row.data_spec, seeds=row.seeds, versions=row.versions,
                       loss_epochs=list(row.loss_epochs), loss_values=values,
                       model=row.model, extra=row.extra)


def _class_info(row: ClassRow) -> r.ClassInfo:
    return r.ClassInfo(code=row.code, name=row.name, created=row.created, link=row.link,
                       controls=row.controls)


def _student(row: StudentRow, code: str) -> r.Student:
    return r.Student(id=row.id, class_code=code, nickname=row.nickname,
                     workspace=row.workspace, joined=row.joined)


def reason_of(error: BaseException) -> str:
    """The driver's own first line for ``error`` (what went wrong, without SQL or traceback)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return (text.splitlines() or ["unknown error"])[0].rstrip(".")


def _is_busy(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "database is busy" in text
