"""Database tables: one per canonical entity, plus import runs and the quarantine.

Canonical tables are derived from `crossdock.domain.canonical`, so the store cannot
drift from the documented model; each change to it needs an Alembic migration (a
test compares the migrated schema with this metadata). Natural keys are primary
keys, so re-importing a file upserts instead of duplicating. Referential integrity
is enforced by the importer, which quarantines rows with unknown references, rather
than by foreign keys: that keeps bulk loads order-independent and fast.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

from crossdock.domain.canonical import ENTITIES, Entity, FieldKind

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Big fact tables are clustered on their natural key (SQLite WITHOUT ROWID).
_CLUSTERED = {"demand_history", "inventory_positions"}

_SQL_TYPES: dict[FieldKind, TypeEngine[Any]] = {
    FieldKind.TEXT: String(),
    FieldKind.CODE: String(),
    FieldKind.INTEGER: Integer(),
    FieldKind.QUANTITY: Float(),
    FieldKind.MONEY: Numeric(18, 4, asdecimal=True),
    FieldKind.DATE: Date(),
    FieldKind.TIMESTAMP: DateTime(timezone=True),
    FieldKind.BOOLEAN: Boolean(),
}


def site_code_column(field_name: str) -> str:
    """The column that keeps the site's own text next to a mapped reason code."""
    return f"{field_name}_site_code"


def _canonical_table(entity: Entity) -> Table:
    columns: list[Column[Any]] = []
    for field in entity.fields:
        in_key = field.name in entity.natural_key
        columns.append(
            Column(
                field.name,
                _SQL_TYPES[field.kind],
                primary_key=in_key,
                nullable=not (in_key or field.required),
                comment=field.description,
            )
        )
        if field.reason_code:
            columns.append(
                Column(site_code_column(field.name), String(), comment="Code as the site wrote it.")
            )
    columns.append(Column("import_run_id", Integer(), comment="Import run that last wrote it."))
    return Table(
        entity.name,
        metadata,
        *columns,
        comment=entity.description,
        sqlite_with_rowid=entity.name not in _CLUSTERED,
    )


canonical_tables: dict[str, Table] = {entity.name: _canonical_table(entity) for entity in ENTITIES}

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("kind", String(), nullable=False, comment="import or demo"),
    Column("source", Text(), nullable=False, comment="Folder, file or demo options."),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(), nullable=False, comment="running, succeeded or failed"),
    Column("rows_read", Integer(), nullable=False, default=0),
    Column("rows_accepted", Integer(), nullable=False, default=0),
    Column("rows_quarantined", Integer(), nullable=False, default=0),
    Column("warnings", Integer(), nullable=False, default=0),
    Column("report", Text(), comment="The data-quality report as JSON."),
    comment="Every import or demo load, with its data-quality report.",
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("import_run_id", Integer(), nullable=False),
    Column("entity", String(), nullable=False),
    Column("source_file", Text(), nullable=False),
    Column("row_number", Integer(), nullable=False, comment="1-based data row, header not counted"),
    Column("natural_key", Text(), comment="The row's natural key as far as it could be read."),
    Column("field", String(), nullable=False),
    Column("value", Text()),
    Column("check_name", String(), nullable=False),
    Column("reason", Text(), nullable=False),
    Column("raw", Text(), comment="The whole row as read, JSON."),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column(
        "resolved_at", DateTime(timezone=True), comment="Set when a later import supersedes it."
    ),
    Column("resolved_by_run_id", Integer()),
    Index(None, "entity", "source_file", "resolved_at"),
    comment="Rows that did not land, with the field, value and reason.",
)
