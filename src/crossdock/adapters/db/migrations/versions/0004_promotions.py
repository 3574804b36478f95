"""promotions: past and planned promotions of an item at a warehouse

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 08:27:57.321963
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promotions",
        sa.Column(
            "promotion_code",
            sa.String(),
            nullable=False,
            comment="The promotion's code; one promotion may cover many items and warehouses.",
        ),
        sa.Column(
            "sku",
            sa.String(),
            nullable=False,
            comment="Stock-keeping unit code as the ERP knows it.",
        ),
        sa.Column(
            "location_code",
            sa.String(),
            nullable=False,
            comment="Warehouse where it runs; a promotion at every warehouse has a row for each.",
        ),
        sa.Column(
            "start_date",
            sa.Date(),
            nullable=False,
            comment="First day of the promotion; may be in the future.",
        ),
        sa.Column(
            "end_date", sa.Date(), nullable=False, comment="Last day of the promotion, included."
        ),
        sa.Column(
            "promo_price",
            sa.Numeric(precision=18, scale=4),
            nullable=True,
            comment="Selling price of one unit during the promotion.",
        ),
        sa.Column(
            "discount_rate",
            sa.Float(),
            nullable=True,
            comment="Discount off the regular selling price: 0.15 for 15%.",
        ),
        sa.Column(
            "kind",
            sa.String(),
            nullable=True,
            comment="price_cut (a lower price), deal (a coupon or negotiated deal), feature (advertised in a flyer or catalogue) or display (an extra display).",
        ),
        sa.Column(
            "status",
            sa.String(),
            nullable=True,
            comment="confirmed (also when empty) or cancelled: imports never delete rows, so a called-off promotion is sent again as cancelled.",
        ),
        sa.Column(
            "import_run_id", sa.Integer(), nullable=True, comment="Import run that last wrote it."
        ),
        sa.PrimaryKeyConstraint(
            "promotion_code", "sku", "location_code", name=op.f("pk_promotions")
        ),
        comment="Promotions of one item at one warehouse, past and planned: price cuts, deals, features and displays.",
        sqlite_with_rowid=True,
    )


def downgrade() -> None:
    op.drop_table("promotions")
