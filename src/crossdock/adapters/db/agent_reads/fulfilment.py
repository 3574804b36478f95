"""One item at one warehouse as the order exception and allocation agents read it: the
newest count, its open customer order lines, supply due in (open PO lines there and at
its parent DC, transfers into it) and the other warehouses that can send it over a lane,
with their free stock.

The statements are built once, at import, with bound parameters: building a SELECT
costs several times what SQLite takes to run it, and agents run these per event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Connection, Engine, Select, bindparam, func, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.agent_reads.remembered import RememberedReads, remembered
from crossdock.adapters.db.tables import canonical_tables
from crossdock.agents.fulfilment import Inbound, ItemSite, OrderLine, Source

CLOSED_ORDERS = ("shipped", "cancelled", "closed")
_CLOSED_POS = ("received", "cancelled", "closed")
_CLOSED_TRANSFERS = ("received", "cancelled")
_NOT_SHIPPED_TRANSFERS = ("planned", "released")

_items, _locations = canonical_tables["items"], canonical_tables["locations"]
_lanes, _stock = canonical_tables["lanes"], canonical_tables["inventory_positions"]
_so, _sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
_po, _pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
_to, _tol = canonical_tables["transfer_orders"], canonical_tables["transfer_order_lines"]
_SKU: BindParameter[str] = bindparam("sku")
_SITE: BindParameter[str] = bindparam("site")
_SITES: BindParameter[list[str]] = bindparam("sites", expanding=True)


def order_select() -> Select[Any]:
    """Order lines with their order's customer, tier, warehouse, dates and status."""
    customers = canonical_tables["customers"]
    return (
        select(_sol.c.order_number, _sol.c.line_number, _sol.c.sku, _sol.c.ordered_quantity,
               _sol.c.shipped_quantity, _sol.c.unit_price, _so.c.customer_code,
               customers.c.service_tier, _so.c.location_code, _so.c.order_date,
               _so.c.requested_date, _so.c.status)
        .join(_so, _so.c.order_number == _sol.c.order_number)
        .outerjoin(customers, customers.c.customer_code == _so.c.customer_code)
        .order_by(_sol.c.order_number, _sol.c.line_number)
    )  # fmt: skip


_newest = (
    select(_stock.c.location_code, func.max(_stock.c.snapshot_at).label("at"))
    .where(_stock.c.sku == _SKU, _stock.c.location_code.in_(_SITES))
    .group_by(_stock.c.location_code)
    .subquery()
)
_COUNTS = (
    select(_stock.c.location_code, _stock.c.on_hand, _stock.c.on_hold, _stock.c.snapshot_at)
    .join(_newest, (_newest.c.location_code == _stock.c.location_code)
          & (_newest.c.at == _stock.c.snapshot_at))
    .where(_stock.c.sku == _SKU)
)  # fmt: skip
_PRICES = select(_items.c.unit_cost, _items.c.unit_price).where(_items.c.sku == _SKU)
_PARENT = select(_locations.c.parent_location_code).where(_locations.c.location_code == _SITE)
_OPEN_ORDERS = order_select().where(
    _sol.c.sku == _SKU, _so.c.location_code.in_(_SITES), _so.c.status.not_in(CLOSED_ORDERS)
)
_PO_LINES = (
    select(_pol.c.po_number, _pol.c.line_number, _pol.c.promised_date,
           _pol.c.ordered_quantity, _pol.c.received_quantity)
    .join(_po, _po.c.po_number == _pol.c.po_number)
    .where(_pol.c.sku == _SKU, _po.c.location_code == _SITE, _po.c.status.not_in(_CLOSED_POS))
)  # fmt: skip
_TRANSFERS_IN = (
    select(_tol.c.transfer_number, _to.c.expected_date, _tol.c.quantity,
           _tol.c.received_quantity)
    .join(_to, _to.c.transfer_number == _tol.c.transfer_number)
    .where(_tol.c.sku == _SKU, _to.c.to_location_code == _SITE,
           _to.c.status.not_in(_CLOSED_TRANSFERS))
)  # fmt: skip
_TRANSIT = select(_lanes.c.transit_days).where(
    _lanes.c.from_location_code == bindparam("parent"), _lanes.c.to_location_code == _SITE
)
_LANES_IN = select(
    _lanes.c.from_location_code, _lanes.c.transit_days, _lanes.c.cost_per_unit
).where(_lanes.c.to_location_code == _SITE, _lanes.c.from_location_code != _SITE)
_LEAVING = (
    select(_to.c.from_location_code,
           func.sum(_tol.c.quantity - func.coalesce(_tol.c.shipped_quantity, 0)))
    .join(_to, _to.c.transfer_number == _tol.c.transfer_number)
    .where(_tol.c.sku == _SKU, _to.c.from_location_code.in_(_SITES),
           _to.c.status.in_(_NOT_SHIPPED_TRANSFERS))
    .group_by(_to.c.from_location_code)
)  # fmt: skip


class FulfilmentReads(RememberedReads):
    """`ItemSite` and customer order lines over SQLAlchemy."""

    engine: Engine

    def item_at_warehouse(self, sku: str, location_code: str) -> ItemSite:
        """The item at the warehouse (no stock and no count when it was never counted)."""
        return self.with_supply(self.item_orders_at_warehouse(sku, location_code))

    @remembered
    def item_orders_at_warehouse(self, sku: str, location_code: str) -> ItemSite:
        """The item at the warehouse, its newest count and open order lines, and no supply
        read yet (`with_supply`): most events leave nothing to allocate, and this is
        enough to tell."""
        with self.engine.connect() as connection:
            count = _count(connection, sku, [location_code]).get(location_code)
            item = connection.execute(_PRICES, {"sku": sku}).first()
            orders = order_lines(connection, _OPEN_ORDERS, sku=sku, sites=[location_code])
        return ItemSite(
            sku=sku,
            location_code=location_code,
            on_hand=count[0] if count else 0.0,
            on_hold=count[1] if count else 0.0,
            counted_at=count[2] if count else None,
            unit_cost=float(item.unit_cost or 0) if item else 0.0,
            unit_price=float(item.unit_price or 0) if item else 0.0,
            orders=tuple(line for line in orders if line.is_open),
            inbound=(),
            parent_inbound=(),
            sources=(),
        )

    def with_supply(self, site: ItemSite) -> ItemSite:
        """`site` with the supply due in (here and at its parent DC) and the warehouses
        that can send it."""
        inbound, parent_inbound, sources = self._supply(site.sku, site.location_code)
        return replace(site, inbound=inbound, parent_inbound=parent_inbound, sources=sources)

    @remembered
    def _supply(
        self, sku: str, location_code: str
    ) -> tuple[tuple[Inbound, ...], tuple[Inbound, ...], tuple[Source, ...]]:
        with self.engine.connect() as connection:
            parent = connection.execute(_PARENT, {"site": location_code}).scalar_one_or_none()
            return (
                _inbound(connection, sku, location_code),
                _parent_inbound(connection, sku, location_code, parent),
                sources_into(connection, sku, location_code),
            )


def order_lines(connection: Connection, query: Select[Any], **parameters: Any) -> list[OrderLine]:
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
        for row in connection.execute(query, parameters).all()
    ]


def _count(
    connection: Connection, sku: str, sites: Sequence[str]
) -> dict[str, tuple[float, float, datetime | None]]:
    """On hand, on hold and when counted, at the newest count per warehouse."""
    rows = connection.execute(_COUNTS, {"sku": sku, "sites": list(sites)}).all()
    return {
        row.location_code: (float(row.on_hand), float(row.on_hold or 0), _aware(row.snapshot_at))
        for row in rows
    }


def _po_lines(connection: Connection, sku: str, location_code: str) -> list[Any]:
    return list(connection.execute(_PO_LINES, {"sku": sku, "site": location_code}).all())


def _inbound(connection: Connection, sku: str, location_code: str) -> tuple[Inbound, ...]:
    transfers = connection.execute(_TRANSFERS_IN, {"sku": sku, "site": location_code}).all()
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
    if parent is None:
        return ()
    transit = connection.execute(
        _TRANSIT, {"parent": parent, "site": location_code}
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


def sources_into(connection: Connection, sku: str, location_code: str) -> tuple[Source, ...]:
    """Warehouses with a lane here and free stock: on hand, less on hold, their own open
    order lines and their transfers out not shipped yet."""
    lane_rows = connection.execute(_LANES_IN, {"site": location_code}).all()
    sites = [lane.from_location_code for lane in lane_rows]
    if not sites:
        return ()
    counts = _count(connection, sku, sites)
    ordered: dict[str, float] = {}
    for line in order_lines(connection, _OPEN_ORDERS, sku=sku, sites=sites):
        ordered[line.location_code] = ordered.get(line.location_code, 0.0) + line.open_quantity
    leaving = {
        row[0]: row[1] for row in connection.execute(_LEAVING, {"sku": sku, "sites": sites}).all()
    }
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
