"""recommendation detail: PO line number, marginal savings, order value; new kinds

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=18, scale=4)


def upgrade() -> None:
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=sa.String(),
            existing_nullable=False,
            comment="buy, transfer, rebalance, expedite, defer or cancel",
            existing_comment="buy, transfer or expedite",
        )
        batch_op.alter_column(
            "po_number",
            existing_type=sa.String(),
            existing_nullable=True,
            comment="The open PO line expedited, deferred or cancelled.",
            existing_comment="The open PO line expedited, if any.",
        )
        batch_op.add_column(
            sa.Column(
                "line_number",
                sa.Integer(),
                nullable=True,
                comment="That line's number within its PO.",
            )
        )
        batch_op.add_column(
            sa.Column(
                "marginal_savings",
                MONEY,
                nullable=False,
                server_default="0",
                comment="What the plan would lose without this action alone.",
            )
        )
        batch_op.add_column(
            sa.Column(
                "order_value",
                MONEY,
                nullable=True,
                comment="Quantity x unit price of the goods bought or moved out.",
            )
        )
    # the default only filled rows written before this revision
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.alter_column("marginal_savings", existing_type=MONEY, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_column("order_value")
        batch_op.drop_column("marginal_savings")
        batch_op.drop_column("line_number")
        batch_op.alter_column(
            "po_number",
            existing_type=sa.String(),
            existing_nullable=True,
            comment="The open PO line expedited, if any.",
            existing_comment="The open PO line expedited, deferred or cancelled.",
        )
        batch_op.alter_column(
            "kind",
            existing_type=sa.String(),
            existing_nullable=False,
            comment="buy, transfer or expedite",
            existing_comment="buy, transfer, rebalance, expedite, defer or cancel",
        )
