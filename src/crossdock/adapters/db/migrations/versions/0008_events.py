"""event intake: inbound events, dead letters, the transactional outbox, consumed messages

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 16:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False, comment="Arrival order."),
        sa.Column("event_id", sa.String(), nullable=False, comment="The source's id."),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("ordering_key", sa.String(), nullable=False, comment="Handled in order per key."),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False, comment="api, file, connector ..."),
        sa.Column("payload", sa.Text(), nullable=False, comment="The canonical event, JSON."),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_events"),
        sa.UniqueConstraint("event_id", name="uq_inbound_events_event_id"),
        comment="Every canonical event accepted, once per event id.",
    )
    op.create_index("ix_inbound_events_ordering_key_id", "inbound_events", ["ordering_key", "id"])
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage", sa.String(), nullable=False, comment="intake or delivery"),
        sa.Column(
            "channel", sa.String(), nullable=False, comment="Where it came from: file, line, api."
        ),
        sa.Column("event_id", sa.String(), comment="When it could be read."),
        sa.Column("consumer", sa.String(), comment="delivery: the consumer that gave up."),
        sa.Column("field", sa.String()),
        sa.Column("value", sa.Text()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False, comment="What arrived, as it arrived."),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letters"),
        comment="Events that could not be accepted or delivered, with the reason.",
    )
    op.create_index("ix_dead_letters_stage_at", "dead_letters", ["stage", "at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(), nullable=False, comment="events.<event_type>, ..."),
        sa.Column("ordering_key", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False, comment="Idempotency key."),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "available_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="Due from: now, after a retry's backoff, or when a claim's lease ends.",
        ),
        sa.Column("claimed_by", sa.String(), comment="The worker's claim while it delivers."),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("message_id", name="uq_outbox_message_id"),
        comment="Messages written with the change that caused them, delivered after commit.",
    )
    op.create_index("ix_outbox_dispatched_at_id", "outbox", ["dispatched_at", "id"])
    op.create_table(
        "consumed_messages",
        sa.Column("consumer", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "message_id", name="pk_consumed_messages"),
        comment="Which consumer handled which message: redelivery changes nothing.",
    )


def downgrade() -> None:
    for table in ("consumed_messages", "outbox", "dead_letters", "inbound_events"):
        op.drop_table(table)
