"""The recommendation page's evidence reads in SQL (`EvidenceReads`): one
recommendation with its plan run, and one item-location's demand, newest stock count,
open inbound supply and its supplier's received PO lines. Every query names one item
(or one supplier), so it reads a few hundred rows at most."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, Table, func, select

from crossdock.adapters.db.tables import canonical_tables, plan_runs, recommendations
from crossdock.service_layer.evidence_ports import (
    EvidenceSubject,
    InboundLine,
    PurchaseReceipt,
    StockCount,
)

_positions = canonical_tables["inventory_positions"]
_demand = canonical_tables["demand_history"]
_po = canonical_tables["purchase_orders"]
_po_lines = canonical_tables["purchase_order_lines"]
_transfers = canonical_tables["transfer_orders"]
_transfer_lines = canonical_tables["transfer_order_lines"]
_sales = canonical_tables["sales_orders"]
_sales_lines = canonical_tables["sales_order_lines"]
_terms = canonical_tables["supply_terms"]
_OPEN_SALES = ("open", "released", "on_hold", "backordered", "partially_shipped")
_LINE_KINDS = ("expedite", "defer", "cancel")


class SqlEvidenceReads:
    """`EvidenceReads` over SQLAlchemy, on SQLite and PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def subject(self, recommendation_id: int) -> EvidenceSubject | None:
        r = recommendations.c
        query = (
            select(recommendations, plan_runs.c.as_of, plan_runs.c.settings)
            .outerjoin(plan_runs, plan_runs.c.id == r.plan_run_id)
            .where(r.id == recommendation_id)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
            if row is None:
                return None
            supplier = row["from_code"] if row["kind"] == "buy" else None
            if row["kind"] in _LINE_KINDS and row["po_number"]:
                supplier = connection.execute(
                    select(_po.c.supplier_code).where(_po.c.po_number == row["po_number"])
                ).scalar()
        quantity = row["approved_quantity"]
        return EvidenceSubject(
            recommendation_id=int(row["id"]),
            kind=str(row["kind"]),
            sku=str(row["sku"]),
            from_code=row["from_code"],
            to_code=str(row["to_code"]),
            quantity=float(row["quantity"] if quantity is None else quantity),
            arrival_date=row["approved_arrival_date"] or row["expected_arrival_date"],
            po_number=row["po_number"],
            line_number=row["line_number"],
            supplier_code=supplier,
            plan_run_id=row["plan_run_id"],
            plan_as_of=row["as_of"],
            plan_settings=_parsed(row["settings"]),
            drivers=_parsed(row["drivers"]),
        )

    def daily_demand(
        self, *, sku: str, location_code: str, through: date
    ) -> list[tuple[date, float]]:
        c = _demand.c
        query = (
            select(c.demand_date, c.quantity)
            .where(c.sku == sku, c.location_code == location_code, c.demand_date <= through)
            .order_by(c.demand_date)
        )
        return [(day, float(quantity)) for day, quantity in self._all(query)]

    def stock(self, *, sku: str, location_code: str, as_of: date | None) -> StockCount | None:
        c = _positions.c
        query = (
            select(_positions)
            .where(c.sku == sku, c.location_code == location_code)
            .order_by(c.snapshot_at.desc())
            .limit(1)
        )
        if as_of is not None:
            query = query.where(c.snapshot_at < _end_of(as_of))
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
            if row is None:
                return None
            counted_on = _utc(row["snapshot_at"]).date()
            backordered = connection.execute(
                select(func.coalesce(func.sum(_sales_lines.c.backordered_quantity), 0.0))
                .join(_sales, _sales.c.order_number == _sales_lines.c.order_number)
                .where(
                    _sales_lines.c.sku == sku,
                    _sales.c.location_code == location_code,
                    _sales.c.status.in_(_OPEN_SALES),
                    _sales.c.order_date <= (as_of or counted_on),
                )
            ).scalar_one()
        return StockCount(
            counted_on=counted_on,
            on_hand=float(row["on_hand"]),
            allocated=float(row["allocated"] or 0.0),
            on_hold=float(row["on_hold"] or 0.0),
            in_transit=float(row["in_transit"] or 0.0),
            on_order=float(row["on_order"] or 0.0),
            backordered=float(backordered),
        )

    def inbound(self, *, sku: str, location_code: str, as_of: date) -> list[InboundLine]:
        """Open as the plan reads them: what was received after `as_of` is still open."""
        lines: list[InboundLine] = []
        for supply in (_PO_SUPPLY, _TRANSFER_SUPPLY):
            query = _inbound_query(supply, sku=sku, location_code=location_code, as_of=as_of)
            for number, line, ordered, received, received_on, due, status in self._all(query):
                closed = status == "received" and received_on and received_on <= as_of
                if closed:
                    continue  # done by then, short or not
                got = float(received or 0.0) if received_on and received_on <= as_of else 0.0
                if received_on and received_on <= as_of and received is None:
                    got = float(ordered)  # received by then, quantity not given: all of it
                open_units = max(float(ordered) - got, 0.0)
                if open_units > 0.0:
                    lines.append(
                        InboundLine(supply.source, str(number), int(line), open_units, due)
                    )
        return lines

    def receipts(
        self, *, supplier_code: str, sku: str | None, through: date, limit: int
    ) -> list[PurchaseReceipt]:
        c = _po_lines.c
        query = (
            select(
                c.po_number,
                c.line_number,
                c.sku,
                _po.c.location_code,
                _po.c.order_date,
                c.promised_date,
                c.received_date,
            )
            .join(_po, _po.c.po_number == c.po_number)
            .where(
                _po.c.supplier_code == supplier_code,
                c.received_date.is_not(None),
                c.received_date <= through,
            )
            .order_by(c.received_date.desc(), c.po_number.desc(), c.line_number.desc())
            .limit(limit)
        )
        if sku is not None:
            query = query.where(c.sku == sku)
        rows = [
            PurchaseReceipt(
                po_number=str(po_number),
                line_number=int(line),
                sku=str(item),
                location_code=str(location),
                order_date=ordered,
                promised_date=promised,
                received_date=received,
            )
            for po_number, line, item, location, ordered, promised, received in self._all(query)
        ]
        return rows[::-1]

    def quoted_lead_time(self, *, supplier_code: str, sku: str) -> float | None:
        query = select(func.avg(_terms.c.lead_time_days)).where(
            _terms.c.supplier_code == supplier_code, _terms.c.sku == sku
        )
        with self.engine.connect() as connection:
            value = connection.execute(query).scalar()
        return None if value is None else float(value)

    def _all(self, query: Any) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(query).all())


@dataclass(frozen=True)
class _InboundSupply:
    """Where one kind of inbound supply lives: PO lines and transfer lines keep the same
    facts in differently named columns, some on the line and some on its header."""

    source: str  # InboundLine.source
    lines: Table
    header: Table
    number: str  # the document number column, in both tables
    ordered: ColumnElement[Any]  # units ordered on the line
    received_on: ColumnElement[Any]
    due: ColumnElement[Any]  # the day it is expected
    to_location: ColumnElement[Any]  # the receiving warehouse
    raised_on: ColumnElement[Any]  # the day the document was raised


_PO_SUPPLY = _InboundSupply(
    source="po",
    lines=_po_lines,
    header=_po,
    number="po_number",
    ordered=_po_lines.c.ordered_quantity,
    received_on=_po_lines.c.received_date,
    due=_po_lines.c.promised_date,
    to_location=_po.c.location_code,
    raised_on=_po.c.order_date,
)
_TRANSFER_SUPPLY = _InboundSupply(
    source="transfer",
    lines=_transfer_lines,
    header=_transfers,
    number="transfer_number",
    ordered=_transfer_lines.c.quantity,
    received_on=_transfers.c.received_date,
    due=_transfers.c.expected_date,
    to_location=_transfers.c.to_location_code,
    raised_on=_transfers.c.created_date,
)


def _inbound_query(
    supply: _InboundSupply, *, sku: str, location_code: str, as_of: date
) -> Select[Any]:
    """The item's lines into `location_code` on documents raised by `as_of` and not
    cancelled: number, line, ordered, received units and day, due day, status."""
    line, header = supply.lines.c, supply.header.c
    number = line[supply.number]
    return (
        select(
            number,
            line.line_number,
            supply.ordered,
            line.received_quantity,
            supply.received_on,
            supply.due,
            header.status,
        )
        .join(supply.header, header[supply.number] == number)
        .where(
            line.sku == sku,
            supply.to_location == location_code,
            supply.raised_on <= as_of,
            header.status != "cancelled",
        )
        .order_by(number, line.line_number)
    )


def _parsed(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, UTC)


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
