"""One item at one warehouse as the order exception and allocation agents read it: the
newest count, its open customer order lines, supply due in (open PO lines there and at
its parent DC, transfers into it) and the other warehouses that can send it over a lane,
with their free stock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Select, func, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.tables import canonical_tables
from crossdock.agents.fulfilment import Inbound, ItemSite, OrderLine, Source

CLOSED_ORDERS = ("shipped", "cancelled", "closed")
_CLOSED_POS = ("received", "cancelled", "closed")
_CLOSED_TRANSFERS = ("received", "cancelled")
_NOT_SHIPPED_TRANSFERS = ("planned", "released")


class FulfilmentReads:
    """`ItemSite` and customer order lines over SQLAlchemy."""

    engine: Engine

    def item_at_warehouse(self, sku: str, location_code: str) -> ItemSite:
        """The item at the warehouse (no stock and no count when it was never counted)."""
        items, locations = canonical_tables["items"], canonical_tables["locations"]
        with self.engine.connect() as connection:
            count = _count(connection, sku, [location_code]).get(location_code)
            item = connection.execute(
                select(items.c.unit_cost, items.c.unit_price).where(items.c.sku == sku)
            ).first()
            parent = connection.execute(
                select(locations.c.parent_location_code).where(
                    locations.c.location_code == location_code
                )
            ).scalar_one_or_none()
            return ItemSite(
                sku=sku,
                location_code=location_code,
                on_hand=count[0] if count else 0.0,
                on_hold=count[1] if count else 0.0,
                counted_at=count[2] if count else None,
                unit_cost=float(item.unit_cost or 0) if item else 0.0,
                unit_price=float(item.unit_price or 0) if item else 0.0,
                orders=tuple(
                    line
                    for line in order_lines(connection, _open_at(sku, [location_code]))
                    if line.is_open
                ),
                inbound=_inbound(connection, sku, location_code),
                parent_inbound=_parent_inbound(connection, sku, location_code, parent),
                sources=_sources(connection, sku, location_code),
            )


def order_lines(connection: Connection, query: Select[Any]) -> list[OrderLine]:
    """Customer order lines as `order_select()` narrowed by the caller reads them."""
    return [
        OrderLine(
            order_number=row.order_number,
            line_number=int(row.line_number),
            sku=row.sku,
            customer_code=row.customer_code,
            tier=row.service_tier,
            location_code=row.location_code,
            order_date=_day(row.order_date) or date.min,
            requested_date=_day(row.requested_date) or date.min,
            ordered_quantity=float(row.ordered_quantity),
            shipped_quantity=float(row.shipped_quantity or 0),
            unit_price=float(row.unit_price or 0),
            status=row.status,
        )
        for row in connection.execute(query).all()
    ]


def order_select() -> Select[Any]:
    """Order lines with their order's customer, tier, warehouse, dates and status."""
    so, sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
    customers = canonical_tables["customers"]
    return (
        select(sol.c.order_number, sol.c.line_number, sol.c.sku, sol.c.ordered_quantity,
               sol.c.shipped_quantity, sol.c.unit_price, so.c.customer_code,
               customers.c.service_tier, so.c.location_code, so.c.order_date,
               so.c.requested_date, so.c.status)
        .join(so, so.c.order_number == sol.c.order_number)
        .outerjoin(customers, customers.c.customer_code == so.c.customer_code)
        .order_by(sol.c.order_number, sol.c.line_number)
    )  # fmt: skip


def _open_at(sku: str, sites: Sequence[str]) -> Select[Any]:
    so, sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
    return order_select().where(
        sol.c.sku == sku, so.c.location_code.in_(sites), so.c.status.not_in(CLOSED_ORDERS)
    )


def _count(
    connection: Connection, sku: str, sites: Sequence[str]
) -> dict[str, tuple[float, float, datetime | None]]:
    """On hand, on hold and when counted, at the newest count per warehouse."""
    stock = canonical_tables["inventory_positions"]
    newest = (
        select(stock.c.location_code, func.max(stock.c.snapshot_at).label("at"))
        .where(stock.c.sku == sku, stock.c.location_code.in_(sites))
        .group_by(stock.c.location_code)
        .subquery()
    )
    rows = connection.execute(
        select(stock.c.location_code, stock.c.on_hand, stock.c.on_hold, stock.c.snapshot_at)
        .join(newest, (newest.c.location_code == stock.c.location_code)
              & (newest.c.at == stock.c.snapshot_at))
        .where(stock.c.sku == sku)
    ).all()  # fmt: skip
    return {
        row.location_code: (float(row.on_hand), float(row.on_hold or 0), _aware(row.snapshot_at))
        for row in rows
    }


def _po_lines(connection: Connection, sku: str, location_code: str) -> list[Any]:
    po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
    return list(
        connection.execute(
            select(pol.c.po_number, pol.c.line_number, pol.c.promised_date,
                   pol.c.ordered_quantity, pol.c.received_quantity)
            .join(po, po.c.po_number == pol.c.po_number)
            .where(pol.c.sku == sku, po.c.location_code == location_code,
                   po.c.status.not_in(_CLOSED_POS))
        ).all()
    )  # fmt: skip


def _inbound(connection: Connection, sku: str, location_code: str) -> tuple[Inbound, ...]:
    to, tol = canonical_tables["transfer_orders"], canonical_tables["transfer_order_lines"]
    transfers = connection.execute(
        select(tol.c.transfer_number, to.c.expected_date, tol.c.quantity, tol.c.received_quantity)
        .join(to, to.c.transfer_number == tol.c.transfer_number)
        .where(tol.c.sku == sku, to.c.to_location_code == location_code,
               to.c.status.not_in(_CLOSED_TRANSFERS))
    ).all()  # fmt: skip
    found = [
        (f"{r.po_number} line {r.line_number}", _day(r.promised_date),
         float(r.ordered_quantity) - float(r.received_quantity or 0))
        for r in _po_lines(connection, sku, location_code)
    ] + [
        (t.transfer_number, _day(t.expected_date),
         float(t.quantity) - float(t.received_quantity or 0))
        for t in transfers
    ]  # fmt: skip
    return tuple(
        Inbound(reference, day, units)
        for reference, day, units in sorted(found, key=lambda f: (f[1] or date.max, f[0]))
        if day is not None and units > 0
    )


def _parent_inbound(
    connection: Connection, sku: str, location_code: str, parent: str | None
) -> tuple[Inbound, ...]:
    """Open PO lines at the parent DC, landing here after the lane's transit."""
    lanes = canonical_tables["lanes"]
    if parent is None:
        return ()
    transit = connection.execute(
        select(lanes.c.transit_days).where(
            lanes.c.from_location_code == parent, lanes.c.to_location_code == location_code
        )
    ).scalar_one_or_none()
    if transit is None:
        return ()
    return tuple(
        Inbound(f"{r.po_number} line {r.line_number} at {parent}",
                day + timedelta(days=int(transit)),
                float(r.ordered_quantity) - float(r.received_quantity or 0))
        for r in _po_lines(connection, sku, parent)
        if (day := _day(r.promised_date)) is not None
        and float(r.ordered_quantity) > float(r.received_quantity or 0)
    )  # fmt: skip


def _sources(connection: Connection, sku: str, location_code: str) -> tuple[Source, ...]:
    """Warehouses with a lane here and free stock: on hand, less on hold, their own open
    order lines and their transfers out not shipped yet."""
    lanes = canonical_tables["lanes"]
    to, tol = canonical_tables["transfer_orders"], canonical_tables["transfer_order_lines"]
    lane_rows = connection.execute(
        select(lanes.c.from_location_code, lanes.c.transit_days, lanes.c.cost_per_unit).where(
            lanes.c.to_location_code == location_code,
            lanes.c.from_location_code != location_code,
        )
    ).all()
    sites = [lane.from_location_code for lane in lane_rows]
    if not sites:
        return ()
    counts = _count(connection, sku, sites)
    ordered: dict[str, float] = {}
    for line in order_lines(connection, _open_at(sku, sites)):
        ordered[line.location_code] = ordered.get(line.location_code, 0.0) + line.open_quantity
    leaving = {
        row[0]: row[1]
        for row in connection.execute(
            select(to.c.from_location_code,
                   func.sum(tol.c.quantity - func.coalesce(tol.c.shipped_quantity, 0)))
            .join(to, to.c.transfer_number == tol.c.transfer_number)
            .where(tol.c.sku == sku, to.c.from_location_code.in_(sites),
                   to.c.status.in_(_NOT_SHIPPED_TRANSFERS))
            .group_by(to.c.from_location_code)
        ).all()
    }  # fmt: skip
    out = []
    for lane in lane_rows:
        site = lane.from_location_code
        on_hand, on_hold, _ = counts.get(site, (0.0, 0.0, None))
        free = on_hand - on_hold - ordered.get(site, 0.0) - float(leaving.get(site) or 0)
        if free > 0:
            out.append(Source(site, free, int(lane.transit_days), float(lane.cost_per_unit or 0)))
    return tuple(out)


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None if value is None else datetime.fromisoformat(str(value))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
