"""outbox messages handed to a broker (NATS JetStream) are marked published; the kinds
of recommendation are the governance's list, agents included

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BEFORE = "buy, transfer, rebalance, expedite, defer, cancel or follow_up"
_KINDS_AFTER = "What it proposes: one of governance.policy.KIND_WORKFLOWS (buy, transfer, ...)"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column(
                "published_at",
                sa.DateTime(timezone=True),
                comment="Handed to the broker; null: not yet, or delivered in-process.",
            )
        )
        batch.create_index("ix_outbox_published_at_id", ["published_at", "id"])
    with op.batch_alter_table("recommendations") as batch:
        batch.alter_column(
            "kind",
            existing_type=sa.String(),
            existing_nullable=False,
            comment=_KINDS_AFTER,
            existing_comment=_KINDS_BEFORE,
        )


def downgrade() -> None:
    with op.batch_alter_table("recommendations") as batch:
        batch.alter_column(
            "kind",
            existing_type=sa.String(),
            existing_nullable=False,
            comment=_KINDS_BEFORE,
            existing_comment=_KINDS_AFTER,
        )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_published_at_id")
        batch.drop_column("published_at")
