"""the copilot's knowledge base: documents, every ingested version, and the passages of
each version

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "knowledge_documents",
        sa.Column("key", sa.String(), nullable=False, comment="Stable across versions."),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("doc_type", sa.String(), nullable=False, comment="sop, supplier_agreement, ..."),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("site", sa.String()),
        sa.Column("supplier", sa.String()),
        sa.Column("customer", sa.String()),
        sa.Column("effective_from", sa.Date()),
        sa.Column("effective_to", sa.Date()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_knowledge_documents"),
        comment="Copilot documents: the current version's metadata, one row per document.",
    )
    op.create_table(
        "knowledge_versions",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "content_hash", sa.String(), nullable=False, comment="sha256 of the bytes ingested."
        ),
        sa.Column("meta", sa.Text(), nullable=False, comment="The version's DocumentMeta, JSON."),
        sa.Column("source", sa.String(), nullable=False, comment="The file name, or api."),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False, comment="Who ingested it."),
        sa.PrimaryKeyConstraint("key", "version", name="pk_knowledge_versions"),
        comment="Every ingested version of every copilot document; the newest is current.",
    )
    op.create_table(
        "knowledge_passages",
        sa.Column("passage_id", sa.String(), nullable=False, comment="<key>@v<version>#<ordinal>"),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=False, comment="The heading path."),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("money_class", sa.String(), comment="supplier_cost, customer_pricing or null."),
        sa.PrimaryKeyConstraint("passage_id", name="pk_knowledge_passages"),
        comment="The chunks of each document version that retrieval searches and answers cite.",
    )
    op.create_index(
        "ix_knowledge_passages_key_version_ordinal",
        "knowledge_passages",
        ["key", "version", "ordinal"],
    )


def downgrade() -> None:
    op.drop_index("ix_knowledge_passages_key_version_ordinal", table_name="knowledge_passages")
    op.drop_table("knowledge_passages")
    op.drop_table("knowledge_versions")
    op.drop_table("knowledge_documents")
