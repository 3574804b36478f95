"""The copilot's reads (`CopilotReads`) over the canonical tables and recommendations.

An item at a warehouse is read as the agents read it (`FulfilmentReads` for the order
exception agent's view, `StockReads` for the stock position, `planned` for the newest
plan's levels), so the copilot and the agents state the same facts. Nothing is
remembered between calls: a question reads the data as it is now."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine, Select, desc, func, literal, or_, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.agent_reads.fulfilment import CLOSED_ORDERS
from crossdock.adapters.db.agent_reads.fulfilment import _aware as _moment
from crossdock.adapters.db.agent_reads.order_exception import OrderExceptionReads
from crossdock.adapters.db.agent_reads.planned import planned
from crossdock.adapters.db.agent_reads.stock import CLOSED_POS, StockReads
from crossdock.adapters.db.tables import canonical_tables, recommendations
from crossdock.agents.replenishment import PlanRow
from crossdock.service_layer.copilot_ports import (
    CustomerLine,
    MasterData,
    Named,
    OrderHeader,
    PoLine,
    StockCount,
)
from crossdock.service_layer.remembering import Memo
from crossdock.service_layer.work_queue import OPEN_STATUSES

_so, _sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
_po, _pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
_customers, _items = canonical_tables["customers"], canonical_tables["items"]
_suppliers, _locations = canonical_tables["suppliers"], canonical_tables["locations"]
_stock, _demand = canonical_tables["inventory_positions"], canonical_tables["demand_history"]
_r = recommendations
ORDER_AGENT = "agent:order_exception"
_OPEN = [status.value for status in OPEN_STATUSES]  # as the work queue: a person may act
_RANKED = (desc(_r.c.do_nothing_cost), desc(_r.c.id))


class SqlCopilotReads(OrderExceptionReads, StockReads):
    """`CopilotReads` over SQLAlchemy; the same statements on SQLite and PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.memo = Memo()  # never sees a version: every read goes to the database

    # -- customer orders ---------------------------------------------------------------

    def order_header(self, order_number: str) -> OrderHeader | None:
        query = (
            select(_so, _customers.c.name.label("customer_name"), _customers.c.service_tier)
            .outerjoin(_customers, _customers.c.customer_code == _so.c.customer_code)
            .where(_so.c.order_number == order_number)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return OrderHeader(
            order_number=row.order_number,
            customer_code=row.customer_code,
            customer_name=row.customer_name,
            tier=row.service_tier,
            location_code=row.location_code,
            order_date=_day(row.order_date),
            requested_date=_day(row.requested_date),
            status=row.status,
            hold_reason=row.hold_reason,
            hold_reason_site_code=row.hold_reason_site_code,
        )

    def order_numbers_ending(self, digits: str) -> list[str]:
        return self._ending(_so.c.order_number, digits)

    def po_numbers_ending(self, digits: str) -> list[str]:
        return self._ending(_po.c.po_number, digits)

    def _ending(self, column: Any, digits: str) -> list[str]:
        if not digits.isdigit():
            return []
        query = select(column).where(column.like("%" + digits)).order_by(column).limit(50)
        with self.engine.connect() as connection:
            return [str(found) for found in connection.execute(query).scalars()]

    def order_lines(self, order_number: str) -> list[CustomerLine]:
        return self._customer_lines(_customer_lines().where(_sol.c.order_number == order_number))

    def open_customer_lines(self, sku: str, locations: Sequence[str]) -> list[CustomerLine]:
        if not locations:
            return []
        query = _customer_lines().where(
            _sol.c.sku == sku,
            _so.c.location_code.in_(list(locations)),
            _so.c.status.not_in(CLOSED_ORDERS),
        )
        lines = self._customer_lines(query)
        lines = [line for line in lines if line.open_quantity > 0]
        return sorted(
            lines, key=lambda x: (x.requested_date or date.max, x.order_number, x.line_number)
        )

    def _customer_lines(self, query: Select[Any]) -> list[CustomerLine]:
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            CustomerLine(
                order_number=row.order_number,
                line_number=int(row.line_number),
                sku=row.sku,
                customer_code=row.customer_code,
                customer_name=row.customer_name,
                tier=row.service_tier,
                location_code=row.location_code,
                requested_date=_day(row.requested_date),
                status=row.status,
                ordered_quantity=float(row.ordered_quantity),
                shipped_quantity=float(row.shipped_quantity or 0),
                backordered_quantity=float(row.backordered_quantity or 0),
                unit_price=None if row.unit_price is None else float(row.unit_price),
            )
            for row in rows
        ]

    # -- stock and the plan ------------------------------------------------------------

    def stock_counts(self, sku: str, locations: Sequence[str] | None) -> list[StockCount]:
        newest = select(_stock.c.location_code, func.max(_stock.c.snapshot_at).label("at")).where(
            _stock.c.sku == sku
        )
        if locations is not None:
            newest = newest.where(_stock.c.location_code.in_(list(locations)))
        latest = newest.group_by(_stock.c.location_code).subquery()
        query = (
            select(_stock)
            .join(
                latest,
                (latest.c.location_code == _stock.c.location_code)
                & (latest.c.at == _stock.c.snapshot_at),
            )
            .where(_stock.c.sku == sku)
            .order_by(_stock.c.location_code)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            StockCount(
                sku=row.sku,
                location_code=row.location_code,
                counted_at=_moment(row.snapshot_at),
                on_hand=float(row.on_hand),
                allocated=float(row.allocated or 0),
                on_hold=float(row.on_hold or 0),
                in_transit=float(row.in_transit or 0),
                on_order=float(row.on_order or 0),
            )
            for row in rows
        ]

    def plan_levels(self, sku: str, location_code: str) -> PlanRow | None:
        with self.engine.connect() as connection:
            return planned(connection, sku, location_code)

    def units_demanded(self, sku: str, location_code: str, *, start: date, end: date) -> float:
        query = select(func.coalesce(func.sum(_demand.c.quantity), 0)).where(
            _demand.c.sku == sku,
            _demand.c.location_code == location_code,
            _demand.c.demand_date >= start,
            _demand.c.demand_date <= end,
        )
        with self.engine.connect() as connection:
            return float(connection.execute(query).scalar_one())

    # -- purchase orders ---------------------------------------------------------------

    def supplier_po_lines(
        self, supplier_code: str, *, open_only: bool, sites: Sequence[str] | None
    ) -> list[PoLine]:
        query = (
            select(_pol, _po.c.supplier_code, _po.c.location_code, _po.c.order_date,
                   _po.c.status)
            .join(_po, _po.c.po_number == _pol.c.po_number)
            .where(_po.c.supplier_code == supplier_code)
            .order_by(_pol.c.po_number, _pol.c.line_number)
        )  # fmt: skip
        if open_only:
            query = query.where(_po.c.status.not_in(CLOSED_POS))
        if sites is not None:
            query = query.where(_po.c.location_code.in_(list(sites)))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        lines = [
            PoLine(
                po_number=row.po_number,
                line_number=int(row.line_number),
                sku=row.sku,
                supplier_code=row.supplier_code,
                location_code=row.location_code,
                order_date=_day(row.order_date),
                status=row.status,
                ordered_quantity=float(row.ordered_quantity),
                received_quantity=float(row.received_quantity or 0),
                unit_price=None if row.unit_price is None else float(row.unit_price),
                promised_date=_day(row.promised_date),
                acknowledged_date=_day(row.acknowledged_date),
                acknowledged_quantity=(
                    None if row.acknowledged_quantity is None else float(row.acknowledged_quantity)
                ),
                shipped_date=_day(row.shipped_date),
                received_date=_day(row.received_date),
            )
            for row in rows
        ]
        return [line for line in lines if line.open_quantity > 0] if open_only else lines

    def replenished_by(self, location_code: str) -> list[str]:
        query = (
            select(_locations.c.location_code)
            .where(_locations.c.parent_location_code == location_code)
            .order_by(_locations.c.location_code)
        )
        with self.engine.connect() as connection:
            return [str(code) for code in connection.execute(query).scalars()]

    # -- recommendations ---------------------------------------------------------------

    def order_recommendation_ids(self, order_number: str) -> list[int]:
        """The order exception agent writes the order number into the drivers (as a
        JSON string: `"order_number": "SO-..."`) and the scope (`order SO-...` or
        `SO-... line 2 (...)`); the quoted form does not match a longer number."""
        quoted = '%"' + _escaped(order_number) + '"%'
        query = (
            select(_r.c.id)
            .where(
                _r.c.status.in_(_OPEN),
                or_(
                    _r.c.scope == literal("order ") + order_number,
                    _r.c.scope.like(_escaped(order_number) + " line %", escape="\\"),
                    (_r.c.agent == ORDER_AGENT) & _r.c.drivers.like(quoted, escape="\\"),
                ),
            )
            .order_by(*_RANKED)
        )
        with self.engine.connect() as connection:
            return [int(found) for found in connection.execute(query).scalars()]

    def po_line_recommendation_ids(self, po_number: str, line_number: int) -> list[int]:
        query = (
            select(_r.c.id)
            .where(
                _r.c.status.in_(_OPEN),
                _r.c.po_number == po_number,
                _r.c.line_number == line_number,
            )
            .order_by(*_RANKED)
        )
        with self.engine.connect() as connection:
            return [int(found) for found in connection.execute(query).scalars()]

    def open_recommendation_ids(
        self,
        *,
        sku: str | None,
        location_code: str | None,
        kind: str | None,
        sites: frozenset[str] | None,
        limit: int,
    ) -> list[int]:
        query = select(_r.c.id).where(_r.c.status.in_(_OPEN)).order_by(*_RANKED).limit(limit)
        if sku is not None:
            query = query.where(_r.c.sku == sku)
        if location_code is not None:
            query = query.where(or_(_r.c.to_code == location_code, _r.c.from_code == location_code))
        if kind is not None:
            query = query.where(_r.c.kind == kind)
        if sites is not None:
            query = query.where(_r.c.to_code.in_(sorted(sites)))
        with self.engine.connect() as connection:
            return [int(found) for found in connection.execute(query).scalars()]

    # -- master data -------------------------------------------------------------------

    def master_data(self) -> MasterData:
        with self.engine.connect() as connection:
            suppliers = connection.execute(
                select(_suppliers.c.supplier_code, _suppliers.c.name)
            ).all()
            customers = connection.execute(
                select(_customers.c.customer_code, _customers.c.name)
            ).all()
            items = connection.execute(select(_items.c.sku, _items.c.description)).all()
            locations = connection.execute(
                select(_locations.c.location_code, _locations.c.name,
                       _locations.c.parent_location_code)
            ).all()  # fmt: skip
        return MasterData(
            suppliers=tuple(Named(str(code), name) for code, name in sorted(suppliers)),
            customers=tuple(Named(str(code), name) for code, name in sorted(customers)),
            items=tuple(Named(str(sku), text) for sku, text in sorted(items)),
            locations=tuple(Named(str(code), name) for code, name, _ in sorted(locations)),
            parents={str(code): str(parent) for code, _, parent in locations if parent},
        )


def _customer_lines() -> Select[Any]:
    return (
        select(_sol.c.order_number, _sol.c.line_number, _sol.c.sku, _sol.c.ordered_quantity,
               _sol.c.shipped_quantity, _sol.c.backordered_quantity, _sol.c.unit_price,
               _so.c.customer_code, _customers.c.name.label("customer_name"),
               _customers.c.service_tier, _so.c.location_code, _so.c.requested_date,
               _so.c.status)
        .join(_so, _so.c.order_number == _sol.c.order_number)
        .outerjoin(_customers, _customers.c.customer_code == _so.c.customer_code)
        .order_by(_sol.c.order_number, _sol.c.line_number)
    )  # fmt: skip


def _escaped(text: str) -> str:
    """`text` for a LIKE pattern with `\\` as the escape character."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
