"""governance: recommendation status and version, approvals, the audit ledger, users,
API tokens, approval policies and outcomes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MONEY = sa.Numeric(18, 4, asdecimal=True)
_GENESIS = "0" * 64  # the empty chain: crossdock.governance.ledger.GENESIS

_RECOMMENDATION_COLUMNS = (
    sa.Column(
        "status",
        sa.String(),
        nullable=False,
        server_default="proposed",
        comment="Lifecycle status, see crossdock.domain.lifecycle.",
    ),
    sa.Column(
        "version",
        sa.Integer(),
        nullable=False,
        server_default="1",
        comment="Bumped by every change: a decision applies only to the version it read.",
    ),
    sa.Column("status_changed_at", sa.DateTime(timezone=True)),
    sa.Column("proposed_by", sa.String(), comment="The agent or user that proposed it."),
    sa.Column("modified_by", sa.String(), comment="Who last changed its quantity or date."),
    sa.Column("approved_quantity", sa.Float(), comment="Quantity as modified; null: as proposed."),
    sa.Column(
        "approved_arrival_date", sa.Date(), comment="Arrival as modified; null: as proposed."
    ),
    sa.Column("approval_policy_version", sa.String(), comment="Approval policy that routed it."),
    sa.Column("routing", sa.Text(), comment="Tier, rule, reasons and approvers, JSON."),
    sa.Column("erp_document", sa.String(), comment="The ERP draft written for it."),
    sa.Column("status_reason", sa.Text(), comment="Why it was last moved: reason or error."),
)


def upgrade() -> None:
    for column in _RECOMMENDATION_COLUMNS:
        op.add_column("recommendations", column)
    op.create_index("ix_recommendations_status", "recommendations", ["status"])
    if op.get_bind().dialect.supports_comments:
        op.alter_column(
            "recommendations",
            "policy_version",
            existing_type=sa.String(),
            existing_nullable=False,
            comment="Sizing policy of the plan.",
        )
    op.create_table(
        "recommendation_approvals",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("approver", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False, comment="The role the approver acted in."),
        sa.Column("step", sa.Integer(), nullable=False, comment="1: first approval, 2: second."),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "approver", name="pk_recommendation_approvals"
        ),
        comment="Who approved a recommendation, one row per approver.",
    )
    op.create_table(
        "audit_ledger",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False, comment="1, 2, 3, ..."),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False, comment="User, agent account or system."),
        sa.Column(
            "event", sa.String(), nullable=False, comment="created, approve, reject, modify, ..."
        ),
        sa.Column("recommendation_id", sa.Integer()),
        sa.Column("from_status", sa.String()),
        sa.Column("to_status", sa.String()),
        sa.Column("reason", sa.Text()),
        sa.Column("snapshot_id", sa.Integer(), comment="Import run whose data the decision read."),
        sa.Column("model_version", sa.Text()),
        sa.Column("policy_version", sa.Text(), comment="Approval policy version in force."),
        sa.Column("erp_document", sa.String()),
        sa.Column("detail", sa.Text(), nullable=False, comment="Everything else, canonical JSON."),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column(
            "hash", sa.String(64), nullable=False, comment="sha256 over the entry and prev_hash."
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_ledger"),
        comment="Append-only, hash-chained record of every step (docs/governance.md).",
    )
    op.create_index("ix_audit_ledger_recommendation_id", "audit_ledger", ["recommendation_id"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False, comment="Always 1."),
        sa.Column("seq", sa.Integer(), nullable=False, comment="Newest entry's seq."),
        sa.Column("hash", sa.String(64), nullable=False, comment="Newest entry's hash."),
        sa.Column(
            "anchor_seq", sa.Integer(), nullable=False, comment="Last entry purged by retention."
        ),
        sa.Column(
            "anchor_hash", sa.String(64), nullable=False, comment="Its hash: the chain's start."
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
        comment="The chain's newest entry, locked by every append; the retention anchor.",
    )
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer()),
            sa.column("seq", sa.Integer()),
            sa.column("hash", sa.String()),
            sa.column("anchor_seq", sa.Integer()),
            sa.column("anchor_hash", sa.String()),
        ),
        [{"id": 1, "seq": 0, "hash": _GENESIS, "anchor_seq": 0, "anchor_hash": _GENESIS}],
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False, comment="person or agent"),
        sa.Column("roles", sa.Text(), nullable=False, comment="JSON list of roles."),
        sa.Column("sites", sa.Text(), comment="JSON list of sites; null: every site."),
        sa.Column("permissions", sa.Text(), comment="Agents: JSON of actions and data allowed."),
        sa.Column("password_hash", sa.Text(), comment="argon2; people only."),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", name="pk_users"),
        comment="People and agent service accounts.",
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, comment="sha256 of the token."),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        comment="Machine tokens; only their hashes are kept.",
    )
    op.create_table(
        "approval_policies",
        sa.Column("version", sa.String(), nullable=False, comment="name@version#sha256 prefix"),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(), nullable=False),
        sa.Column(
            "documents", sa.Text(), nullable=False, comment="The YAML files as loaded, JSON."
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_approval_policies"),
        comment="Every approval policy ever loaded; the active one routes new recommendations.",
    )
    op.create_table(
        "recommendation_outcomes",
        sa.Column("recommendation_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "through", sa.Date(), nullable=False, comment="Demand and receipts read up to here."
        ),
        sa.Column("decision", sa.String(), nullable=False, comment="executed or rejected"),
        sa.Column("stockout_units", sa.Float(), nullable=False),
        sa.Column("excess_units", sa.Float(), nullable=False),
        sa.Column("expedite_cost", _MONEY, nullable=False),
        sa.Column("realised_cost", _MONEY, nullable=False, comment="What the decision cost."),
        sa.Column("alternative_cost", _MONEY, nullable=False, comment="The other choice, likely."),
        sa.Column("realised_value", _MONEY, nullable=False, comment="alternative - realised"),
        sa.Column("detail", sa.Text(), nullable=False, comment="How it was scored, JSON."),
        sa.PrimaryKeyConstraint("recommendation_id", name="pk_recommendation_outcomes"),
        comment="What happened after each decided recommendation.",
    )


def downgrade() -> None:
    for table in (
        "recommendation_outcomes",
        "approval_policies",
        "api_tokens",
        "users",
        "audit_head",
        "audit_ledger",
        "recommendation_approvals",
    ):
        op.drop_table(table)
    op.drop_index("ix_recommendations_status", table_name="recommendations")
    with op.batch_alter_table("recommendations") as batch:
        for column in reversed(_RECOMMENDATION_COLUMNS):
            batch.drop_column(column.name)
