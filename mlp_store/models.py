"""The tables (SQLAlchemy 2 declarative). Migrations under ``migrations/versions`` create them.

Heavy columns of a run (model, loss history, extra, specs) are deferred: lists and boards load
only what a table row shows, and ``get_run`` asks for the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite keeps no time zone, so one is put back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class ClassRow(Base):
    __tablename__ = "classes"
    __table_args__ = (UniqueConstraint("code", name="uq_classes_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    link: Mapped[str] = mapped_column(Text)
    controls: Mapped[dict] = mapped_column(JSON)
    secret_salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(64))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StudentRow(Base):
    __tablename__ = "students"
    __table_args__ = (
        UniqueConstraint("class_id", "workspace", name="uq_students_class_workspace"),
        # casefolded, so "Ada" and "ada" cannot both sit in one class
        UniqueConstraint("class_id", "nickname_key", name="uq_students_class_nickname"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    nickname: Mapped[str] = mapped_column(String(24))
    nickname_key: Mapped[str] = mapped_column(String(96))
    workspace: Mapped[str] = mapped_column(String(64))
    joined: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RunRow(Base):
    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("workspace", "run_key", name="uq_runs_workspace_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(64), index=True)
    run_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict] = mapped_column(JSON)
    link: Mapped[str] = mapped_column(Text)
    metrics: Mapped[dict] = mapped_column(JSON)
    epochs: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("classes.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id", ondelete="SET NULL"))
    nickname: Mapped[str | None] = mapped_column(String(24))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    data_spec: Mapped[dict] = mapped_column(JSON, deferred=True, deferred_group="full")
    seeds: Mapped[dict] = mapped_column(JSON, deferred=True, deferred_group="full")
    versions: Mapped[dict] = mapped_column(JSON, deferred=True, deferred_group="full")
    loss_epochs: Mapped[list] = mapped_column(JSON, deferred=True, deferred_group="full")
    loss_values: Mapped[list] = mapped_column(JSON, deferred=True, deferred_group="full")
    model: Mapped[str] = mapped_column(Text, deferred=True, deferred_group="full")
    extra: Mapped[dict] = mapped_column(JSON, deferred=True, deferred_group="full")


class ProgressRow(Base):
    """Where a workspace is in a lesson; ``class_id`` is the class it last worked on it in."""

    __tablename__ = "progress"
    __table_args__ = (UniqueConstraint("workspace", "lesson_id", name="uq_progress_lesson"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(64))
    lesson_id: Mapped[str] = mapped_column(String(64))
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("classes.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[int] = mapped_column(Integer)
    done: Mapped[bool] = mapped_column(Boolean)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MetaRow(Base):
    """Server-side values made once and shared by every replica (the link signing key)."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
