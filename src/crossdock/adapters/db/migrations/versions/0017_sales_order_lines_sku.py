"""customer order lines by item: the agents' and the copilot's reads of one item's open
customer order lines (the demo's shipped order history made a scan per item too slow)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 08:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sales_order_lines_sku", "sales_order_lines", ["sku"])


def downgrade() -> None:
    op.drop_index("ix_sales_order_lines_sku", table_name="sales_order_lines")
