"""demand signals sensed by plan runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demand_signals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column(
            "event_id",
            sa.String(),
            nullable=False,
            comment="Stable id: the same anomaly, the same id.",
        ),
        sa.Column(
            "reason_code", sa.String(), nullable=False, comment="demand_spike or demand_shift"
        ),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("location_code", sa.String(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column(
            "actual", sa.Float(), nullable=False, comment="Units sold over the anomaly's days."
        ),
        sa.Column(
            "expected", sa.Float(), nullable=False, comment="Units expected over those days."
        ),
        sa.Column("evidence", sa.Text(), nullable=False, comment="The tests' numbers, JSON."),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_signals")),
        comment="Demand spikes and shifts sensed by a plan run, with their evidence.",
    )
    with op.batch_alter_table("demand_signals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_demand_signals_plan_run_id_reason_code"),
            ["plan_run_id", "reason_code"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("demand_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demand_signals_plan_run_id_reason_code"))
    op.drop_table("demand_signals")
