"""The network view's reads in SQL: warehouses, newest stock per item-location, open
order lines due, demand, unit costs and transfers per lane, summed by the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, and_, distinct, func, select

from crossdock.adapters.db.tables import canonical_tables, recommendations
from crossdock.service_layer.network_ports import ItemUnits, LaneUnits, Position, Warehouse

_locations = canonical_tables["locations"]
_positions = canonical_tables["inventory_positions"]
_orders = canonical_tables["sales_orders"]
_lines = canonical_tables["sales_order_lines"]
_demand = canonical_tables["demand_history"]
_items = canonical_tables["items"]
_transfers = canonical_tables["transfer_orders"]
_transfer_lines = canonical_tables["transfer_order_lines"]
_OPEN_ORDERS = ("open", "released", "on_hold", "backordered", "partially_shipped")
_OPEN_TRANSFERS = ("planned", "released", "in_transit")
_TRANSFER_KINDS = ("transfer", "rebalance")
_NOT_YET_EXECUTING = ("proposed", "pending_approval", "auto_approved", "approved", "modified")


class SqlNetworkReads:
    """`NetworkReads` over SQLAlchemy, on SQLite and PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def warehouses(self) -> list[Warehouse]:
        c = _locations.c
        query = select(
            c.location_code, c.name, c.location_type, c.parent_location_code, c.region
        ).order_by(c.location_code)
        return [
            Warehouse(code=code, name=name, type=kind, parent=parent, region=region)
            for code, name, kind, parent, region in self._all(query)
        ]

    def positions(self, *, as_of: date) -> list[Position]:
        until = datetime.combine(as_of + timedelta(days=1), time.min, UTC)
        c = _positions.c
        newest = (
            select(c.sku, c.location_code, func.max(c.snapshot_at).label("snapshot_at"))
            .where(c.snapshot_at < until)
            .group_by(c.sku, c.location_code)
            .subquery()
        )
        query = (
            select(
                c.location_code,
                c.sku,
                c.on_hand,
                c.on_hand - func.coalesce(c.allocated, 0.0) - func.coalesce(c.on_hold, 0.0),
            )
            .join(
                newest,
                and_(
                    newest.c.sku == c.sku,
                    newest.c.location_code == c.location_code,
                    newest.c.snapshot_at == c.snapshot_at,
                ),
            )
            .order_by(c.location_code, c.sku)
        )
        return [
            Position(location=loc, sku=sku, on_hand=float(on_hand), available=float(available))
            for loc, sku, on_hand, available in self._all(query)
        ]

    def open_order_units(self, *, due_by: date) -> list[ItemUnits]:
        open_units = _lines.c.ordered_quantity - func.coalesce(_lines.c.shipped_quantity, 0.0)
        query = (
            select(_orders.c.location_code, _lines.c.sku, func.sum(open_units))
            .join(_orders, _orders.c.order_number == _lines.c.order_number)
            .where(
                _orders.c.status.in_(_OPEN_ORDERS),
                _orders.c.requested_date <= due_by,
                open_units > 0,
            )
            .group_by(_orders.c.location_code, _lines.c.sku)
        )
        return [
            ItemUnits(location=loc, sku=sku, units=float(n)) for loc, sku, n in self._all(query)
        ]

    def demand(self, *, start: date, end: date) -> list[ItemUnits]:
        c = _demand.c
        query = (
            select(c.location_code, c.sku, func.sum(c.quantity))
            .where(c.demand_date >= start, c.demand_date <= end)
            .group_by(c.location_code, c.sku)
        )
        return [
            ItemUnits(location=loc, sku=sku, units=float(n)) for loc, sku, n in self._all(query)
        ]

    def unit_costs(self) -> dict[str, Decimal]:
        query = select(_items.c.sku, _items.c.unit_cost).where(_items.c.unit_cost.is_not(None))
        return {str(sku): Decimal(str(cost)) for sku, cost in self._all(query)}

    def open_transfer_orders(self) -> list[LaneUnits]:
        open_units = _transfer_lines.c.quantity - func.coalesce(
            _transfer_lines.c.received_quantity, 0.0
        )
        query = (
            select(
                _transfers.c.from_location_code,
                _transfers.c.to_location_code,
                func.count(distinct(_transfers.c.transfer_number)),
                func.sum(open_units),
                func.sum(open_units * func.coalesce(_items.c.unit_cost, 0)),
            )
            .join(_transfers, _transfers.c.transfer_number == _transfer_lines.c.transfer_number)
            .outerjoin(_items, _items.c.sku == _transfer_lines.c.sku)
            .where(_transfers.c.status.in_(_OPEN_TRANSFERS), open_units > 0)
            .group_by(_transfers.c.from_location_code, _transfers.c.to_location_code)
        )
        return _lanes(self._all(query))

    def open_transfer_recommendations(self) -> list[LaneUnits]:
        c = recommendations.c
        units = func.coalesce(c.approved_quantity, c.quantity)
        query = (
            select(
                c.from_code,
                c.to_code,
                func.count(),
                func.sum(units),
                func.sum(units * func.coalesce(_items.c.unit_cost, 0)),
            )
            .outerjoin(_items, _items.c.sku == c.sku)
            .where(
                c.kind.in_(_TRANSFER_KINDS),
                c.status.in_(_NOT_YET_EXECUTING),
                c.from_code.is_not(None),
            )
            .group_by(c.from_code, c.to_code)
        )
        return _lanes(self._all(query))

    def _all(self, query: Any) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(query).all())


def _lanes(rows: list[Any]) -> list[LaneUnits]:
    return sorted(
        (
            LaneUnits(
                from_code=str(source),
                to_code=str(target),
                documents=int(count),
                units=float(units or 0),
                value_at_cost=Decimal(str(value or 0)),
            )
            for source, target, count, units, value in rows
        ),
        key=lambda lane: (lane.from_code, lane.to_code),
    )
