"""the planner's work queue: open recommendations by money at risk, one page at a time
(a partial index over the open statuses)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = (
    "status IN ('proposed', 'pending_approval', 'auto_approved', 'approved', 'modified', 'failed')"
)


def upgrade() -> None:
    op.create_index(
        "ix_recommendations_work_queue",
        "recommendations",
        ["do_nothing_cost", "id"],
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_recommendations_work_queue", table_name="recommendations")
