"""plan runs that fail are recorded with status failed

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "succeeded (failed runs write nothing)"
_AFTER = "succeeded or failed (a failed run: no recommendations; step, error in summary)"


def _comment(comment: str, existing: str) -> None:
    # SQLite keeps no column comments; only the status column's comment changes.
    if op.get_bind().dialect.supports_comments:
        op.alter_column(
            "plan_runs",
            "status",
            existing_type=sa.String(),
            existing_nullable=False,
            comment=comment,
            existing_comment=existing,
        )


def upgrade() -> None:
    _comment(_AFTER, _BEFORE)


def downgrade() -> None:
    _comment(_BEFORE, _AFTER)
