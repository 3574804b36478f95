"""The procurement agent's reads: open PO lines, an item's pooled position over a
warehouse and the warehouses it replenishes, the item's other suppliers, other
warehouses' free stock, its proposals still waiting, and for a short order line the
warehouse that supplies the order's and the open PO lines into its pool."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, Select, func, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.agent_reads.fulfilment import sources_into
from crossdock.adapters.db.tables import canonical_tables, recommendations
from crossdock.agents.procurement import AGENT, OpenLine, OrderLine, Position, Receipt
from crossdock.agents.procurement_options import SpareStock, SupplierOffer
from crossdock.domain.lifecycle import Status

_CLOSED_ORDERS = ("shipped", "cancelled", "closed")
_CLOSED_POS = ("received", "cancelled", "closed")
_CLOSED_TRANSFERS = ("received", "cancelled")
_UNDECIDED = (Status.PROPOSED.value, Status.PENDING_APPROVAL.value)


class ProcurementReads:
    """`ProcurementData`'s reads over SQLAlchemy."""

    engine: Engine

    def open_po_lines(
        self, *, po_number: str | None, asn_number: str | None, line_number: int | None
    ) -> list[OpenLine]:
        query = _open_lines()
        pol = canonical_tables["purchase_order_lines"]
        if po_number is not None:
            query = query.where(pol.c.po_number == po_number)
        if asn_number is not None:
            query = query.where(pol.c.asn_number == asn_number)
        if line_number is not None:
            query = query.where(pol.c.line_number == line_number)
        with self.engine.connect() as connection:
            return _lines(connection, query)

    def pooled_po_lines(self, sku: str, location_code: str) -> list[OpenLine]:
        po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
        with self.engine.connect() as connection:
            sites = _pool(connection, location_code)
            query = _open_lines().where(pol.c.sku == sku, po.c.location_code.in_(sites))
            return _lines(connection, query)

    def supplying_warehouse(self, location_code: str) -> str:
        locations = canonical_tables["locations"]
        query = select(locations.c.parent_location_code).where(
            locations.c.location_code == location_code
        )
        with self.engine.connect() as connection:
            parent = connection.execute(query).scalar_one_or_none()
        return parent or location_code

    def answer_waiting(self, scope: str) -> bool:
        query = select(recommendations.c.id).where(
            recommendations.c.agent == AGENT,
            recommendations.c.scope == scope,
            recommendations.c.status.in_(_UNDECIDED),
        )
        with self.engine.connect() as connection:
            return connection.execute(query.limit(1)).first() is not None

    def position(self, sku: str, location_code: str) -> Position:
        stock = canonical_tables["inventory_positions"]
        po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
        so, sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
        customers, items = canonical_tables["customers"], canonical_tables["items"]
        with self.engine.connect() as connection:
            sites = _pool(connection, location_code)
            newest = (
                select(stock.c.location_code, func.max(stock.c.snapshot_at).label("at"))
                .where(stock.c.sku == sku, stock.c.location_code.in_(sites))
                .group_by(stock.c.location_code)
                .subquery()
            )
            on_hand = connection.execute(
                select(
                    func.coalesce(func.sum(stock.c.on_hand - func.coalesce(stock.c.on_hold, 0)), 0)
                )
                .join(
                    newest,
                    (newest.c.location_code == stock.c.location_code)
                    & (newest.c.at == stock.c.snapshot_at),
                )
                .where(stock.c.sku == sku)
            ).scalar_one()
            receipts = connection.execute(
                select(
                    pol.c.po_number,
                    pol.c.line_number,
                    pol.c.promised_date,
                    pol.c.ordered_quantity,
                    pol.c.received_quantity,
                )
                .join(po, po.c.po_number == pol.c.po_number)
                .where(
                    pol.c.sku == sku, po.c.location_code.in_(sites), po.c.status.not_in(_CLOSED_POS)
                )
            ).all()
            orders = connection.execute(
                select(
                    sol.c.order_number,
                    sol.c.line_number,
                    so.c.customer_code,
                    customers.c.service_tier,
                    so.c.location_code,
                    so.c.requested_date,
                    sol.c.ordered_quantity,
                    sol.c.shipped_quantity,
                    sol.c.unit_price,
                )
                .join(so, so.c.order_number == sol.c.order_number)
                .outerjoin(customers, customers.c.customer_code == so.c.customer_code)
                .where(
                    sol.c.sku == sku,
                    so.c.location_code.in_(sites),
                    so.c.status.not_in(_CLOSED_ORDERS),
                )
            ).all()
            unit_cost = connection.execute(
                select(items.c.unit_cost).where(items.c.sku == sku)
            ).scalar_one_or_none()
            transfers = _transfers_in(connection, sku, sites)
        return Position(
            on_hand=float(on_hand),
            receipts=tuple(
                (
                    r.po_number,
                    int(r.line_number),
                    d,
                    float(r.ordered_quantity) - float(r.received_quantity or 0),
                )
                for r in receipts
                if (d := _day(r.promised_date)) is not None
                and float(r.ordered_quantity) > float(r.received_quantity or 0)
            )
            + transfers,
            orders=tuple(
                OrderLine(
                    order_number=o.order_number,
                    line_number=int(o.line_number),
                    customer_code=o.customer_code,
                    tier=o.service_tier,
                    location_code=o.location_code,
                    requested_date=d,
                    open_quantity=float(o.ordered_quantity) - float(o.shipped_quantity or 0),
                    unit_price=float(o.unit_price or 0),
                )
                for o in orders
                if (d := _day(o.requested_date)) is not None
                and float(o.ordered_quantity) > float(o.shipped_quantity or 0)
            ),
            unit_cost=float(unit_cost or 0),
        )

    def supplier_offers(self, sku: str, *, excluding: str | None = None) -> list[SupplierOffer]:
        terms = canonical_tables["supply_terms"]
        query = select(terms).where(terms.c.sku == sku).order_by(terms.c.supplier_code)
        if excluding is not None:
            query = query.where(terms.c.supplier_code != excluding)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            SupplierOffer(
                supplier_code=row.supplier_code,
                lead_time_days=int(row.lead_time_days),
                unit_price=None if row.unit_price is None else float(row.unit_price),
                moq=float(row.moq or 0),
                order_multiple=int(row.order_multiple or 1),
            )
            for row in rows
        ]

    def spare_stock(self, sku: str, location_code: str) -> list[SpareStock]:
        with self.engine.connect() as connection:
            pooled = set(_pool(connection, location_code))
            sources = sources_into(connection, sku, location_code)
        return [
            SpareStock(s.location_code, s.free_units, s.transit_days, s.cost_per_unit)
            for s in sources
            if s.location_code not in pooled
        ]

    def proposal_waiting(self, po_number: str, line_number: int) -> bool:
        query = select(recommendations.c.id).where(
            recommendations.c.agent == AGENT,
            recommendations.c.po_number == po_number,
            recommendations.c.line_number == line_number,
            recommendations.c.status.in_(_UNDECIDED),
        )
        with self.engine.connect() as connection:
            return connection.execute(query.limit(1)).first() is not None


def _open_lines() -> Select[Any]:
    """Lines of POs still open, with the PO's warehouse and supplier."""
    po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
    return (
        select(pol, po.c.location_code, po.c.supplier_code)
        .join(po, po.c.po_number == pol.c.po_number)
        .where(po.c.status.not_in(_CLOSED_POS))
    )


def _lines(connection: Connection, query: Select[Any]) -> list[OpenLine]:
    """The lines `query` finds with units still to come, by PO and line."""
    pol = canonical_tables["purchase_order_lines"]
    rows = connection.execute(query.order_by(pol.c.po_number, pol.c.line_number)).all()
    return [
        OpenLine(
            po_number=row.po_number,
            line_number=int(row.line_number),
            sku=row.sku,
            location_code=row.location_code,
            supplier_code=row.supplier_code,
            open_quantity=left,
            promised_date=_day(row.promised_date),
            unit_price=float(row.unit_price or 0),
        )
        for row in rows
        if (left := float(row.ordered_quantity) - float(row.received_quantity or 0)) > 0
    ]


def _pool(connection: Connection, location_code: str) -> list[str]:
    """The warehouse and the warehouses it replenishes."""
    locations = canonical_tables["locations"]
    children = connection.execute(
        select(locations.c.location_code).where(locations.c.parent_location_code == location_code)
    ).scalars()
    return [location_code, *children]


def _transfers_in(connection: Connection, sku: str, sites: list[str]) -> tuple[Receipt, ...]:
    """Open transfers of the item into the pool from a warehouse outside it (a move
    within the pool adds nothing to it)."""
    to, tol = canonical_tables["transfer_orders"], canonical_tables["transfer_order_lines"]
    rows = connection.execute(
        select(to.c.transfer_number, tol.c.line_number, to.c.expected_date, tol.c.quantity,
               tol.c.received_quantity)
        .join(to, to.c.transfer_number == tol.c.transfer_number)
        .where(tol.c.sku == sku, to.c.to_location_code.in_(sites),
               to.c.from_location_code.not_in(sites), to.c.status.not_in(_CLOSED_TRANSFERS))
    ).all()  # fmt: skip
    return tuple(
        (r.transfer_number, int(r.line_number), day, left)
        for r in rows
        if (day := _day(r.expected_date)) is not None
        and (left := float(r.quantity) - float(r.received_quantity or 0)) > 0
    )
