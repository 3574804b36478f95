"""One item at one warehouse, as the balancing and replenishment agents read it: the
newest count, open PO and inbound transfer lines, open customer order lines and
transfers out not shipped yet."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, or_, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.agent_reads.planned import newest_plan_run
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


class StockReads:
    """`Stock` over SQLAlchemy."""

    engine: Engine

    def stock(self, sku: str, location_code: str) -> Stock:
        with self.engine.connect() as connection:
            return read_stock(connection, sku, location_code)

    def open_supply(self, sku: str, location_code: str) -> list[Pending]:
        """Buys, transfers and rebalances into the item-location that are still open:
        the newest plan's and the agents'."""
        r = recommendations
        with self.engine.connect() as connection:
            newest = newest_plan_run(connection)
            rows = connection.execute(
                select(r.c.id, r.c.kind, r.c.quantity, r.c.approved_quantity,
                       r.c.expected_arrival_date, r.c.approved_arrival_date, r.c.status,
                       r.c.plan_run_id, r.c.agent)
                .where(r.c.sku == sku, r.c.to_code == location_code,
                       r.c.kind.in_(SUPPLY_KINDS), r.c.status.in_(OPEN_STATUSES),
                       or_(r.c.agent.is_not(None), r.c.plan_run_id == newest))
                .order_by(r.c.id)
            ).all()  # fmt: skip
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


def read_stock(connection: Connection, sku: str, location_code: str) -> Stock:
    """The item at the warehouse (zero stock and no count when it was never counted)."""
    positions, items = canonical_tables["inventory_positions"], canonical_tables["items"]
    count = connection.execute(
        select(positions.c.on_hand, positions.c.on_hold, positions.c.snapshot_at)
        .where(positions.c.sku == sku, positions.c.location_code == location_code)
        .order_by(positions.c.snapshot_at.desc())
        .limit(1)
    ).first()
    item = connection.execute(
        select(items.c.unit_cost, items.c.unit_price).where(items.c.sku == sku)
    ).first()
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
    po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
    to, tol = canonical_tables["transfer_orders"], canonical_tables["transfer_order_lines"]
    po_lines = connection.execute(
        select(pol.c.po_number, pol.c.line_number, pol.c.promised_date,
               pol.c.ordered_quantity, pol.c.received_quantity)
        .join(po, po.c.po_number == pol.c.po_number)
        .where(pol.c.sku == sku, po.c.location_code == location_code,
               po.c.status.not_in(CLOSED_POS))
        .order_by(pol.c.po_number, pol.c.line_number)
    ).all()  # fmt: skip
    transfer_lines = connection.execute(
        select(tol.c.transfer_number, tol.c.line_number, to.c.expected_date,
               tol.c.quantity, tol.c.received_quantity)
        .join(to, to.c.transfer_number == tol.c.transfer_number)
        .where(tol.c.sku == sku, to.c.to_location_code == location_code,
               to.c.status.not_in(CLOSED_TRANSFERS))
        .order_by(tol.c.transfer_number, tol.c.line_number)
    ).all()  # fmt: skip
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
    so, sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
    customers = canonical_tables["customers"]
    rows = connection.execute(
        select(sol.c.order_number, sol.c.line_number, so.c.customer_code,
               customers.c.service_tier, so.c.requested_date, sol.c.ordered_quantity,
               sol.c.shipped_quantity, sol.c.unit_price)
        .join(so, so.c.order_number == sol.c.order_number)
        .outerjoin(customers, customers.c.customer_code == so.c.customer_code)
        .where(sol.c.sku == sku, so.c.location_code == location_code,
               so.c.status.not_in(CLOSED_ORDERS))
        .order_by(sol.c.order_number, sol.c.line_number)
    ).all()  # fmt: skip
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
    to, tol = canonical_tables["transfer_orders"], canonical_tables["transfer_order_lines"]
    rows = connection.execute(
        select(tol.c.quantity, tol.c.shipped_quantity)
        .join(to, to.c.transfer_number == tol.c.transfer_number)
        .where(
            tol.c.sku == sku,
            to.c.from_location_code == location_code,
            to.c.status.in_(NOT_SHIPPED_TRANSFERS),
        )
    ).all()
    return float(sum(max(float(r.quantity) - float(r.shipped_quantity or 0), 0.0) for r in rows))


def _aware(moment: datetime | str) -> datetime:
    """SQLite gives times back naive (they were written in UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
