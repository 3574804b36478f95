"""The work queue's SQL: open recommendations ranked by money at risk with keyset
pagination, rows by id, and the newest audit entries.

The ranking is `ORDER BY do_nothing_cost DESC, id DESC` and a page starts after the
last one with the row value `(do_nothing_cost, id) < (:money, :id)`, which both
databases answer from one index without counting the rows before it. The index
(migration 0014) is partial, over the open statuses only, so decided history does not
slow the queue:

    CREATE INDEX ix_recommendations_work_queue ON recommendations (do_nothing_cost, id)
    WHERE status IN ('proposed', 'pending_approval', 'auto_approved', 'approved',
                     'modified', 'failed')

The statuses are written into the statement as literals: SQLite uses a partial index
only when it can see that the query's WHERE implies the index's. On SQLite the term is
wrapped in `likely()`: without ANALYZE statistics its planner takes the equality on the
`status` index for selective and sorts every open row; `likely` tells it most rows
pass, so it walks the queue index in order and stops after one page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Engine,
    Float,
    String,
    bindparam,
    desc,
    func,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from crossdock.adapters.db.tables import approvals, audit_ledger, canonical_tables, recommendations
from crossdock.service_layer.governance_ports import Approval
from crossdock.service_layer.work_queue import (
    OPEN_STATUSES,
    OpenRecommendation,
    QueueFilters,
    QueueKey,
)

_JSON_COLUMNS = ("alternatives", "drivers", "routing")


class SqlWorkQueueReads:
    """`WorkQueueReads` over SQLAlchemy; the same statements on SQLite and PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite keeps money as REAL: read it unrounded so a cursor compares exactly
        self._sqlite = engine.dialect.name == "sqlite"
        money = recommendations.c.do_nothing_cost
        self._money: ColumnElement[Any] = type_coerce(money, Float()) if self._sqlite else money

    def open_page(
        self,
        *,
        filters: QueueFilters,
        sites: frozenset[str] | None,
        after: QueueKey | None,
        limit: int,
    ) -> list[OpenRecommendation]:
        open_statuses = bindparam(
            "open_statuses",
            value=[status.value for status in OPEN_STATUSES],
            expanding=True,
            literal_execute=True,
            type_=String(),
        )
        is_open: ColumnElement[bool] = recommendations.c.status.in_(open_statuses)
        if self._sqlite:  # without ANALYZE statistics SQLite would sort the status index
            is_open = type_coerce(func.likely(is_open), Boolean())
        query = (
            select(recommendations, self._money.label("queue_money"))
            .where(is_open, *_conditions(filters))
            .order_by(desc(recommendations.c.do_nothing_cost), desc(recommendations.c.id))
            .limit(limit)
        )
        if sites is not None:
            query = query.where(recommendations.c.to_code.in_(sorted(sites)))
        if after is not None:
            money: float | Decimal = (
                float(after.money_at_risk) if self._sqlite else Decimal(after.money_at_risk)
            )
            query = query.where(
                tuple_(recommendations.c.do_nothing_cost, recommendations.c.id)
                < tuple_(literal(money, type_=self._money.type), literal(after.id))
            )
        return self._found(query)

    def by_ids(self, ids: Sequence[int]) -> list[OpenRecommendation]:
        if not ids:
            return []
        query = select(recommendations, self._money.label("queue_money")).where(
            recommendations.c.id.in_(list(ids))
        )
        found = {item.key.id: item for item in self._found(query)}
        return [found[given] for given in ids if given in found]

    def ledger_page(
        self, *, recommendation_id: int | None, before_seq: int | None, limit: int
    ) -> list[dict[str, Any]]:
        query = (
            select(audit_ledger, recommendations.c.order_value.label("recommendation_order_value"))
            .outerjoin(recommendations, recommendations.c.id == audit_ledger.c.recommendation_id)
            .order_by(desc(audit_ledger.c.seq))
            .limit(limit)
        )
        if recommendation_id is not None:
            query = query.where(audit_ledger.c.recommendation_id == recommendation_id)
        if before_seq is not None:
            query = query.where(audit_ledger.c.seq < before_seq)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [_readable(dict(row._mapping)) for row in rows]

    def _found(self, query: Any) -> list[OpenRecommendation]:
        with self.engine.connect() as connection:
            rows = [dict(row._mapping) for row in connection.execute(query).all()]
            ids = [int(row["id"]) for row in rows]
            given = (
                connection.execute(
                    select(approvals)
                    .where(approvals.c.recommendation_id.in_(ids))
                    .order_by(approvals.c.recommendation_id, approvals.c.step)
                ).all()
                if ids
                else []
            )
        by_recommendation: dict[int, list[Approval]] = {}
        for approval in given:
            by_recommendation.setdefault(int(approval.recommendation_id), []).append(
                Approval(
                    approver=approval.approver,
                    role=approval.role,
                    step=approval.step,
                    at=_aware(approval.at),
                )
            )
        found = []
        for row in rows:
            money = row.pop("queue_money")
            found.append(
                OpenRecommendation(
                    key=QueueKey(money_at_risk=_exact(money), id=int(row["id"])),
                    row=_readable(row),
                    approvals=tuple(by_recommendation.get(int(row["id"]), ())),
                )
            )
        return found


def _conditions(filters: QueueFilters) -> list[ColumnElement[bool]]:
    """The filters as SQL conditions; each is None-safe and uses bound parameters."""
    rec = recommendations.c
    out: list[ColumnElement[bool]] = []
    if filters.site:
        out.append(or_(rec.to_code == filters.site, rec.from_code == filters.site))
    if filters.kind:
        out.append(rec.kind == filters.kind)
    if filters.status:
        out.append(rec.status == filters.status)
    if filters.agent:
        name = filters.agent.removeprefix("agent:")
        names = [name, f"agent:{name}"]
        out.append(or_(rec.agent.in_(names), rec.proposed_by.in_(names)))
    if filters.supplier:
        orders = canonical_tables["purchase_orders"]
        of_supplier = select(orders.c.po_number).where(orders.c.supplier_code == filters.supplier)
        out.append(or_(rec.from_code == filters.supplier, rec.po_number.in_(of_supplier)))
    if filters.customer_tier:
        tier = json.dumps(filters.customer_tier)
        escaped = tier.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        out.append(
            or_(
                rec.drivers.like(f'%"customer_tier": {escaped}%', escape="\\"),
                rec.drivers.like(f'%"customer_tier":{escaped}%', escape="\\"),
            )
        )
    return out


def _exact(money: Any) -> str:
    """The rank value as text that reads back as exactly the stored number."""
    if isinstance(money, float):
        return repr(money)
    return str(Decimal(money))


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    """Money as float, dates as ISO text, the JSON columns parsed."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, Decimal):
            out[key] = float(value)
        elif isinstance(value, datetime):
            out[key] = _aware(value).isoformat()
        elif isinstance(value, date):
            out[key] = value.isoformat()
        elif key in _JSON_COLUMNS and isinstance(value, str):
            out[key] = json.loads(value)
        else:
            out[key] = value
    return out


def _aware(moment: datetime) -> datetime:
    # SQLite gives times back naive; they were written in UTC
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
