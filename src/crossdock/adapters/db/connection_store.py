"""Connections to systems of record, their sync cursors, and the recommendations as the
ERP write-back sees them (`ConnectionStore`, `DraftStore`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from crossdock.adapters.db.tables import connections, recommendations
from crossdock.domain.lifecycle import Status
from crossdock.service_layer.connector_ports import Connection, Draft, PendingDraft

_READY = (Status.APPROVED.value, Status.AUTO_APPROVED.value, Status.MODIFIED.value)


class SqlConnectionStore:
    """`ConnectionStore` and `DraftStore` over SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- connections ----------------------------------------------------------------

    def save_connection(self, connection: Connection) -> None:
        insert = (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert
        values = {
            "name": connection.name,
            "kind": connection.kind,
            "settings": json.dumps(dict(connection.settings), sort_keys=True),
            "created_at": connection.created_at,
        }
        statement = insert(connections).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"kind": statement.excluded.kind, "settings": statement.excluded.settings},
        )
        with self.engine.begin() as db:
            db.execute(statement)

    def connection(self, name: str) -> Connection | None:
        with self.engine.connect() as db:
            row = db.execute(select(connections).where(connections.c.name == name)).first()
        return None if row is None else _connection(row._mapping)

    def connections(self) -> list[Connection]:
        with self.engine.connect() as db:
            rows = db.execute(select(connections).order_by(connections.c.name)).all()
        return [_connection(row._mapping) for row in rows]

    def record_sync(
        self,
        name: str,
        *,
        at: datetime,
        status: str,
        cursor: str | None = None,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"last_sync_at": at, "last_status": status, "last_error": error}
        if cursor is not None:
            values["cursor"] = cursor
        with self.engine.begin() as db:
            db.execute(update(connections).where(connections.c.name == name).values(**values))

    # -- the write-back ---------------------------------------------------------------

    def drafts_to_write(self, kinds: Sequence[str], *, now: datetime) -> list[PendingDraft]:
        r = recommendations
        due = or_(r.c.erp_retry_at.is_(None), r.c.erp_retry_at <= now)
        query = (
            select(r)
            .where(
                r.c.kind.in_(list(kinds)),
                or_(
                    r.c.status.in_(_READY),
                    and_(r.c.status == Status.EXECUTING.value, r.c.erp_document.is_(None), due),
                ),
            )
            .order_by(r.c.id)
        )
        with self.engine.connect() as db:
            return [_pending(row._mapping) for row in db.execute(query)]

    def drafts_written(self, connection: str) -> list[PendingDraft]:
        r = recommendations
        query = (
            select(r)
            .where(
                r.c.status == Status.EXECUTING.value,
                r.c.erp_document.like(f"{connection}:%"),
            )
            .order_by(r.c.id)
        )
        with self.engine.connect() as db:
            return [_pending(row._mapping) for row in db.execute(query)]

    def record_erp_try(
        self, recommendation_id: int, *, error: str, attempts: int, retry_at: datetime | None
    ) -> None:
        with self.engine.begin() as db:
            db.execute(
                update(recommendations)
                .where(recommendations.c.id == recommendation_id)
                .values(erp_error=error, erp_attempts=attempts, erp_retry_at=retry_at)
            )


def _connection(row: Any) -> Connection:
    return Connection(
        name=row["name"],
        kind=row["kind"],
        settings=json.loads(row["settings"]),
        created_at=row["created_at"],
        cursor=row["cursor"],
        last_sync_at=row["last_sync_at"],
        last_status=row["last_status"],
        last_error=row["last_error"],
    )


def _pending(row: Any) -> PendingDraft:
    quantity = float(row["approved_quantity"] if row["approved_quantity"] is not None
                     else row["quantity"])  # fmt: skip
    value = row["order_value"]
    price = float(value) / float(row["quantity"]) if value and float(row["quantity"]) else None
    routing = json.loads(row["routing"]) if row["routing"] else {}
    return PendingDraft(
        draft=Draft(
            recommendation_id=int(row["id"]),
            kind=str(row["kind"]),
            sku=str(row["sku"]),
            quantity=quantity,
            from_code=row["from_code"],
            to_code=str(row["to_code"]),
            arrival=row["approved_arrival_date"] or row["expected_arrival_date"],
            unit_price=None if price is None else round(price, 4),
        ),
        status=str(row["status"]),
        version=int(row["version"]),
        erp_document=row["erp_document"],
        erp_attempts=int(row["erp_attempts"] or 0),
        erp_retry_at=row["erp_retry_at"],
        tier=routing.get("tier"),
    )
