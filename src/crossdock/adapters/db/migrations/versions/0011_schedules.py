"""schedules: one row per scheduled job (the slot claimed, compare-and-set) and every run

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_jobs",
        sa.Column("job", sa.String(), nullable=False, comment="plan, po_acknowledgement ..."),
        sa.Column(
            "last_slot",
            sa.DateTime(timezone=True),
            comment="Latest slot claimed: a worker claims a slot only while this is older.",
        ),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("claimed_by", sa.String(), comment="host:pid of the worker that claimed it."),
        sa.PrimaryKeyConstraint("job", name="pk_scheduled_jobs"),
        comment="One row per scheduled job: the compare-and-set that runs each slot once.",
    )
    op.create_table(
        "schedule_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job", sa.String(), nullable=False),
        sa.Column(
            "trigger", sa.String(), nullable=False, comment="schedule, or manual (schedule run)."
        ),
        sa.Column("slot", sa.DateTime(timezone=True), comment="The slot it ran for; null: manual."),
        sa.Column(
            "runner", sa.String(), nullable=False, comment="host:pid of the worker or command."
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.String(), nullable=False, comment="running, succeeded or failed"),
        sa.Column("error", sa.Text(), comment="Why it failed."),
        sa.Column("summary", sa.Text(), comment="What it did, JSON."),
        sa.PrimaryKeyConstraint("id", name="pk_schedule_runs"),
        comment="Every run of a scheduled job: started, finished, outcome, error.",
    )
    op.create_index("ix_schedule_runs_job_id", "schedule_runs", ["job", "id"])


def downgrade() -> None:
    op.drop_index("ix_schedule_runs_job_id", table_name="schedule_runs")
    op.drop_table("schedule_runs")
    op.drop_table("scheduled_jobs")
