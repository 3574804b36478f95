"""The SQL store: canonical records, import runs and the quarantine, on SQLite or PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from crossdock.adapters.db.bulk import upsert_frame
from crossdock.adapters.db.migrate import current_revision
from crossdock.adapters.db.tables import canonical_tables, import_runs, quarantine
from crossdock.domain.canonical import ENTITIES, Entity
from crossdock.domain.reason_codes import ReasonCode, ReasonCodeMapping
from crossdock.service_layer.ports import (
    EntityStatus,
    QuarantineLine,
    RowsWritten,
    StoreStatus,
)

_QUARANTINE_BATCH = 5_000


class SqlCanonicalStore:
    """Implements `CanonicalStore` over one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- import runs -------------------------------------------------------------

    def start_run(self, *, kind: str, source: str, started_at: datetime) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(import_runs).values(
                    kind=kind, source=source, started_at=started_at, status="running"
                )
            )
            run_id = result.inserted_primary_key
            assert run_id is not None
            return int(run_id[0])

    def finish_run(
        self, run_id: int, *, status: str, finished_at: datetime, report: Mapping[str, Any]
    ) -> None:
        totals = report.get("totals", {})
        with self.engine.begin() as connection:
            connection.execute(
                update(import_runs)
                .where(import_runs.c.id == run_id)
                .values(
                    status=status,
                    finished_at=finished_at,
                    rows_read=totals.get("rows_read", 0),
                    rows_accepted=totals.get("rows_accepted", 0),
                    rows_quarantined=totals.get("rows_quarantined", 0),
                    warnings=totals.get("warnings", 0),
                    report=json.dumps(report, default=str),
                )
            )

    # -- what is already known ---------------------------------------------------

    def existing_values(self, entity: str, field: str) -> set[str]:
        column = canonical_tables[entity].c[field]
        with self.engine.connect() as connection:
            values = connection.execute(select(column).distinct().where(column.is_not(None)))
            return {str(value) for (value,) in values}

    def item_uoms(self) -> dict[str, str]:
        items = canonical_tables["items"]
        with self.engine.connect() as connection:
            return dict(connection.execute(select(items.c.sku, items.c.uom)).tuples().all())

    def reason_code_mappings(self) -> list[ReasonCodeMapping]:
        table = canonical_tables["reason_code_mappings"]
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.scope, table.c.site_code, table.c.reason_code)
            ).all()
        return [ReasonCodeMapping(scope, site, ReasonCode(code)) for scope, site, code in rows]

    # -- landing a file ------------------------------------------------------------

    def land(
        self,
        entity: Entity,
        accepted: pd.DataFrame,
        issues: pd.DataFrame,
        *,
        source: str,
        run_id: int,
        at: datetime,
        progress: RowsWritten | None = None,
    ) -> None:
        with self.engine.begin() as connection:
            upsert_frame(
                connection,
                canonical_tables[entity.name],
                entity,
                accepted,
                import_run_id=run_id,
                progress=progress,
            )
            connection.execute(
                update(quarantine)
                .where(
                    quarantine.c.entity == entity.name,
                    quarantine.c.source_file == source,
                    quarantine.c.resolved_at.is_(None),
                )
                .values(resolved_at=at, resolved_by_run_id=run_id)
            )
            errors = issues[issues["severity"] == "error"] if not issues.empty else issues
            records = [
                {
                    "import_run_id": run_id,
                    "entity": entity.name,
                    "source_file": source,
                    "row_number": int(issue.row_number),  # type: ignore[arg-type]
                    "natural_key": issue.key,
                    "field": issue.field,
                    "value": None if pd.isna(issue.value) else str(issue.value),  # type: ignore[arg-type]
                    "check_name": issue.check,
                    "reason": issue.reason,
                    "raw": issue.raw,
                    "created_at": at,
                }
                for issue in errors.itertuples(index=False)
            ]
            for start in range(0, len(records), _QUARANTINE_BATCH):
                connection.execute(insert(quarantine), records[start : start + _QUARANTINE_BATCH])

    def delete_canonical_records(self) -> None:
        with self.engine.begin() as connection:
            for table in reversed(list(canonical_tables.values())):
                connection.execute(delete(table))

    # -- status --------------------------------------------------------------------

    def status(self) -> StoreStatus:
        entities: dict[str, EntityStatus] = {}
        with self.engine.connect() as connection:
            for entity in ENTITIES:
                table = canonical_tables[entity.name]
                rows = connection.execute(select(func.count()).select_from(table)).scalar_one()
                latest = None
                if entity.freshness_field is not None:
                    newest = connection.execute(
                        select(func.max(table.c[entity.freshness_field]))
                    ).scalar_one()
                    latest = None if newest is None else _iso(newest)
                entities[entity.name] = EntityStatus(rows=int(rows), latest=latest)
            open_issues: dict[str, dict[str, int]] = {}
            open_rows = (
                select(
                    quarantine.c.entity,
                    quarantine.c.check_name,
                    quarantine.c.source_file,
                    quarantine.c.row_number,
                )
                .where(quarantine.c.resolved_at.is_(None))
                .distinct()
                .subquery()
            )
            grouped = connection.execute(
                select(open_rows.c.entity, open_rows.c.check_name, func.count()).group_by(
                    open_rows.c.entity, open_rows.c.check_name
                )
            ).all()
            for entity_name, check, count in grouped:
                open_issues.setdefault(entity_name, {})[check] = int(count)
            last = (
                connection.execute(select(import_runs).order_by(import_runs.c.id.desc()).limit(1))
                .mappings()
                .first()
            )
        last_run = None
        if last is not None:
            last_run = {
                key: _iso(value) if isinstance(value, datetime) else value
                for key, value in last.items()
                if key != "report"
            }
        return StoreStatus(
            database=self.engine.url.render_as_string(hide_password=True),
            schema_revision=current_revision(self.engine),
            entities=entities,
            open_quality_issues=open_issues,
            last_run=last_run,
        )

    def open_quarantine(
        self, *, entity: str | None = None, check: str | None = None, limit: int = 100
    ) -> list[QuarantineLine]:
        query = select(quarantine).where(quarantine.c.resolved_at.is_(None))
        if entity is not None:
            query = query.where(quarantine.c.entity == entity)
        if check is not None:
            query = query.where(quarantine.c.check_name == check)
        query = query.order_by(
            quarantine.c.entity, quarantine.c.source_file, quarantine.c.row_number, quarantine.c.id
        ).limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            QuarantineLine(
                import_run_id=row["import_run_id"],
                entity=row["entity"],
                source_file=row["source_file"],
                row_number=row["row_number"],
                natural_key=row["natural_key"],
                field=row["field"],
                value=row["value"],
                check=row["check_name"],
                reason=row["reason"],
            )
            for row in rows
        ]


def _iso(value: object) -> str:
    """ISO 8601; timestamps always carry their offset (SQLite hands them back naive, in UTC)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat()) if callable(isoformat) else str(value)
