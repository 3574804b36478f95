"""the work queue filtered by kind: open recommendations of one kind by money at risk
(a partial index over the open statuses, as 0014's)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = (
    "status IN ('proposed', 'pending_approval', 'auto_approved', 'approved', 'modified', 'failed')"
)


def upgrade() -> None:
    op.create_index(
        "ix_recommendations_work_queue_kind",
        "recommendations",
        ["kind", "do_nothing_cost", "id"],
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_recommendations_work_queue_kind", table_name="recommendations")
