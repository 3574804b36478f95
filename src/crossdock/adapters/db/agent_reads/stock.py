"""One item at one warehouse, as the balancing and replenishment agents read it: the
newest count, open PO and inbound transfer lines, open customer order lines and
transfers out not shipped yet. Statements are built once, with bound parameters (see
fulfilment.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BindParameter, Connection, Engine, bindparam, or_, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.agent_reads.planned import newest_plan_run
from crossdock.adapters.db.agent_reads.remembered import RememberedReads, remembered
from crossdock.adapters.db.tables import canonical_tables, recommendations
from crossdock.agents.stock_position import OrderLine, Pending, Receipt, Stock
from crossdock.domain.lifecycle import Status

CLOSED_ORDERS = ("shipped", "cancelled", "closed")
CLOSED_POS = ("received", "cancelled", "closed")
CLOSED_TRANSFERS = ("received", "cancelled")
NOT_SHIPPED_TRANSFERS = ("planned", "released")
SUPPLY_KINDS = ("buy", "transfer", "rebalance")
OPEN_STATUSES = tuple(
    s.value
    for s in (Status.PROPOSED, Status.AUTO_APPROVED, Status.PENDING_APPROVAL, Status.APPROVED,
              Status.MODIFIED, Status.EXECUTING, Status.FAILED)
)  # fmt: skip

_positions, _items = canonical_tables["inventory_positions"], canonical_tables["items"]
_po, _pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
_to, _tol = canonical_tables["transfer_orders"], canonical_tables["transfer_order_lines"]
_so, _sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
_customers, _r = canonical_tables["customers"], recommendations
_SKU: BindParameter[str] = bindparam("sku")
_SITE: BindParameter[str] = bindparam("site")

_NEWEST_COUNT = (
    select(_positions.c.on_hand, _positions.c.on_hold, _positions.c.snapshot_at)
    .where(_positions.c.sku == _SKU, _positions.c.location_code == _SITE)
    .order_by(_positions.c.snapshot_at.desc())
    .limit(1)
)
_PRICES = select(_items.c.unit_cost, _items.c.unit_price).where(_items.c.sku == _SKU)
_PO_LINES = (
    select(_pol.c.po_number, _pol.c.line_number, _pol.c.promised_date,
           _pol.c.ordered_quantity, _pol.c.received_quantity)
    .join(_po, _po.c.po_number == _pol.c.po_number)
    .where(_pol.c.sku == _SKU, _po.c.location_code == _SITE, _po.c.status.not_in(CLOSED_POS))
    .order_by(_pol.c.po_number, _pol.c.line_number)
)  # fmt: skip
_TRANSFER_LINES = (
    select(_tol.c.transfer_number, _tol.c.line_number, _to.c.expected_date,
           _tol.c.quantity, _tol.c.received_quantity)
    .join(_to, _to.c.transfer_number == _tol.c.transfer_number)
    .where(_tol.c.sku == _SKU, _to.c.to_location_code == _SITE,
           _to.c.status.not_in(CLOSED_TRANSFERS))
    .order_by(_tol.c.transfer_number, _tol.c.line_number)
)  # fmt: skip
_ORDERS = (
    select(_sol.c.order_number, _sol.c.line_number, _so.c.customer_code,
           _customers.c.service_tier, _so.c.requested_date, _sol.c.ordered_quantity,
           _sol.c.shipped_quantity, _sol.c.unit_price)
    .join(_so, _so.c.order_number == _sol.c.order_number)
    .outerjoin(_customers, _customers.c.customer_code == _so.c.customer_code)
    .where(_sol.c.sku == _SKU, _so.c.location_code == _SITE,
           _so.c.status.not_in(CLOSED_ORDERS))
    .order_by(_sol.c.order_number, _sol.c.line_number)
)  # fmt: skip
_TRANSFERS_OUT = (
    select(_tol.c.quantity, _tol.c.shipped_quantity)
    .join(_to, _to.c.transfer_number == _tol.c.transfer_number)
    .where(_tol.c.sku == _SKU, _to.c.from_location_code == _SITE,
           _to.c.status.in_(NOT_SHIPPED_TRANSFERS))
)  # fmt: skip
_OPEN_SUPPLY = (
    select(_r.c.id, _r.c.kind, _r.c.quantity, _r.c.approved_quantity,
           _r.c.expected_arrival_date, _r.c.approved_arrival_date, _r.c.status,
           _r.c.plan_run_id, _r.c.agent)
    .where(_r.c.sku == _SKU, _r.c.to_code == _SITE,
           _r.c.kind.in_(SUPPLY_KINDS), _r.c.status.in_(OPEN_STATUSES),
           or_(_r.c.agent.is_not(None), _r.c.plan_run_id == bindparam("plan_run")))
    .order_by(_r.c.id)
)  # fmt: skip


class StockReads(RememberedReads):
    """`Stock` over SQLAlchemy."""

    engine: Engine

    @remembered
    def stock(self, sku: str, location_code: str) -> Stock:
        with self.engine.connect() as connection:
            return read_stock(connection, sku, location_code)

    def open_supply(self, sku: str, location_code: str) -> list[Pending]:
        """Buys, transfers and rebalances into the item-location that are still open:
        the newest plan's and the agents'."""
        newest = self._newest_plan_run()
        with self.engine.connect() as connection:
            rows = connection.execute(
                _OPEN_SUPPLY, {"sku": sku, "site": location_code, "plan_run": newest}
            ).all()
        return [
            Pending(
                recommendation_id=int(row.id),
                kind=row.kind,
                quantity=float(
                    row.quantity if row.approved_quantity is None else row.approved_quantity
                ),
                arrival=_day(row.approved_arrival_date or row.expected_arrival_date),
                status=row.status,
                origin=row.agent or f"plan run #{row.plan_run_id}",
            )
            for row in rows
        ]

    @remembered
    def _newest_plan_run(self) -> int | None:
        with self.engine.connect() as connection:
            return newest_plan_run(connection)


def read_stock(connection: Connection, sku: str, location_code: str) -> Stock:
    """The item at the warehouse (zero stock and no count when it was never counted)."""
    where = {"sku": sku, "site": location_code}
    count = connection.execute(_NEWEST_COUNT, where).first()
    item = connection.execute(_PRICES, where).first()
    list_price = float(item.unit_price or 0) if item is not None else 0.0
    return Stock(
        sku=sku,
        location_code=location_code,
        on_hand=float(count.on_hand) if count is not None else 0.0,
        on_hold=float(count.on_hold or 0) if count is not None else 0.0,
        counted_at=_aware(count.snapshot_at) if count is not None else None,
        receipts=_receipts(connection, sku, location_code),
        orders=_orders(connection, sku, location_code, list_price=list_price),
        unit_cost=float(item.unit_cost or 0) if item is not None else 0.0,
        unit_price=list_price,
        transfers_out=_transfers_out(connection, sku, location_code),
    )


def _receipts(connection: Connection, sku: str, location_code: str) -> tuple[Receipt, ...]:
    where = {"sku": sku, "site": location_code}
    po_lines = connection.execute(_PO_LINES, where).all()
    transfer_lines = connection.execute(_TRANSFER_LINES, where).all()
    receipts = [
        Receipt(r.po_number, int(r.line_number), _day(r.promised_date),
                float(r.ordered_quantity) - float(r.received_quantity or 0),
                float(r.received_quantity or 0))
        for r in po_lines
    ] + [
        Receipt(t.transfer_number, int(t.line_number), _day(t.expected_date),
                float(t.quantity) - float(t.received_quantity or 0),
                float(t.received_quantity or 0), kind="transfer")
        for t in transfer_lines
    ]  # fmt: skip
    return tuple(r for r in receipts if r.open_quantity > 0)


def _orders(
    connection: Connection, sku: str, location_code: str, *, list_price: float
) -> tuple[OrderLine, ...]:
    rows = connection.execute(_ORDERS, {"sku": sku, "site": location_code}).all()
    return tuple(
        OrderLine(
            order_number=o.order_number,
            line_number=int(o.line_number),
            customer_code=o.customer_code,
            tier=o.service_tier,
            requested_date=d,
            open_quantity=float(o.ordered_quantity) - float(o.shipped_quantity or 0),
            unit_price=float(o.unit_price) if o.unit_price is not None else list_price,
        )
        for o in rows
        if (d := _day(o.requested_date)) is not None
        and float(o.ordered_quantity) > float(o.shipped_quantity or 0)
    )


def _transfers_out(connection: Connection, sku: str, location_code: str) -> float:
    rows = connection.execute(_TRANSFERS_OUT, {"sku": sku, "site": location_code}).all()
    return float(sum(max(float(r.quantity) - float(r.shipped_quantity or 0), 0.0) for r in rows))


def _aware(moment: datetime | str) -> datetime:
    """SQLite gives times back naive (they were written in UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
