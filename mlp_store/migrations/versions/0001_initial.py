"""Runs, classes, students, lesson progress and the shared signing key.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from mlp_store.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("controls", sa.JSON(), nullable=False),
        sa.Column("secret_salt", sa.LargeBinary(32), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(64), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("code", name="uq_classes_code"),
    )
    op.create_table(
        "students",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("class_id", sa.Integer(),
                  sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("nickname", sa.String(24), nullable=False),
        sa.Column("nickname_key", sa.String(96), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("joined", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("class_id", "workspace", name="uq_students_class_workspace"),
        sa.UniqueConstraint("class_id", "nickname_key", name="uq_students_class_nickname"),
    )
    op.create_index("ix_students_class_id", "students", ["class_id"])
    op.create_table(
        "runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("run_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("epochs", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("class_id", sa.Integer(),
                  sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=True),
        sa.Column("student_id", sa.Integer(),
                  sa.ForeignKey("students.id", ondelete="SET NULL"), nullable=True),
        sa.Column("nickname", sa.String(24), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("updated", UTCDateTime(), nullable=False),
        sa.Column("data_spec", sa.JSON(), nullable=False),
        sa.Column("seeds", sa.JSON(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("loss_epochs", sa.JSON(), nullable=False),
        sa.Column("loss_values", sa.JSON(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.UniqueConstraint("workspace", "run_key", name="uq_runs_workspace_key"),
    )
    op.create_index("ix_runs_workspace", "runs", ["workspace"])
    op.create_index("ix_runs_class_id", "runs", ["class_id"])
    op.create_index("ix_runs_updated", "runs", ["updated"])
    op.create_table(
        "progress",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("lesson_id", sa.String(64), nullable=False),
        sa.Column("class_id", sa.Integer(),
                  sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=True),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("updated", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("workspace", "lesson_id", name="uq_progress_lesson"),
    )
    op.create_index("ix_progress_class_id", "progress", ["class_id"])
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    for table in ("store_meta", "progress", "runs", "students", "classes"):
        op.drop_table(table)
