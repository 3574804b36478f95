"""recommendations proposed by agents from events: no plan run, the agent, the event,
the rationale and an idempotency key

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BEFORE = "buy, transfer, rebalance, expedite, defer or cancel"
_KINDS_AFTER = "buy, transfer, rebalance, expedite, defer, cancel or follow_up"


def upgrade() -> None:
    with op.batch_alter_table("recommendations") as batch:
        batch.alter_column(
            "plan_run_id",
            existing_type=sa.Integer(),
            nullable=True,
            comment="The plan run that made it; null: an agent.",
        )
        batch.alter_column(
            "kind",
            existing_type=sa.String(),
            existing_nullable=False,
            comment=_KINDS_AFTER,
            existing_comment=_KINDS_BEFORE,
        )
        batch.add_column(
            sa.Column("agent", sa.String(), comment="The agent that proposed it from an event.")
        )
        batch.add_column(sa.Column("source_event_id", sa.String(), comment="The event it answers."))
        batch.add_column(
            sa.Column("rationale", sa.Text(), comment="The agent's explanation, in words.")
        )
        batch.add_column(
            sa.Column(
                "idempotency_key",
                sa.String(),
                comment="agent:event:document: a redelivered event proposes nothing twice.",
            )
        )
        batch.create_unique_constraint("uq_recommendations_idempotency_key", ["idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table("recommendations") as batch:
        batch.drop_constraint("uq_recommendations_idempotency_key", type_="unique")
        for column in ("idempotency_key", "rationale", "source_event_id", "agent"):
            batch.drop_column(column)
        batch.alter_column("plan_run_id", existing_type=sa.Integer(), nullable=False)
