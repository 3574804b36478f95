"""connections to systems of record with their sync cursors; a recommendation being
written into the ERP keeps the last error, the tries and when to try again

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "connections",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False, comment="The connector: tryton, file_drop."),
        sa.Column("settings", sa.Text(), nullable=False, comment="JSON; secrets by env var name."),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cursor", sa.String(), comment="Where the next incremental read starts."),
        sa.Column("last_sync_at", sa.DateTime(timezone=True)),
        sa.Column("last_status", sa.String(), comment="succeeded or failed"),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("name", name="pk_connections"),
        comment="Configured connections to systems of record.",
    )
    with op.batch_alter_table("recommendations") as batch:
        batch.add_column(sa.Column("erp_error", sa.Text(), comment="Last failure to write it."))
        batch.add_column(
            sa.Column("erp_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("erp_retry_at", sa.DateTime(timezone=True), comment="Next try, if any.")
        )


def downgrade() -> None:
    with op.batch_alter_table("recommendations") as batch:
        batch.drop_column("erp_retry_at")
        batch.drop_column("erp_attempts")
        batch.drop_column("erp_error")
    op.drop_table("connections")
