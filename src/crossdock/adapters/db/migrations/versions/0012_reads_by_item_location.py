"""recommendations are found by item and receiving warehouse: the agents read the open
buys, transfers and allocations of an item-location for every event; outbox messages by
ordering key: a claim reads each key's run of waiting messages in order

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 22:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_recommendations_sku_to_code", "recommendations", ["sku", "to_code"])
    op.create_index(
        "ix_outbox_ordering_key_dispatched_at_id", "outbox", ["ordering_key", "dispatched_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_ordering_key_dispatched_at_id", table_name="outbox")
    op.drop_index("ix_recommendations_sku_to_code", table_name="recommendations")
