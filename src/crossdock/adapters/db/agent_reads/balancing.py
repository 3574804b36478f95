"""The balancing agent's reads: the warehouses that could send an item to a short one
(its parent and siblings with a lane to it), with what each holds and keeps back."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from crossdock.adapters.db.agent_reads.planned import planned
from crossdock.adapters.db.agent_reads.stock import StockReads, read_stock
from crossdock.adapters.db.tables import canonical_tables
from crossdock.agents.balancing import DEFAULT_LANE_COST, Source

DEMAND_DAYS = 28  # recent demand, for the cover a source keeps


class BalancingReads(StockReads):
    """`BalancingData`'s reads over SQLAlchemy."""

    def sources(self, sku: str, location_code: str, *, today: date) -> list[Source]:
        locations, lanes = canonical_tables["locations"], canonical_tables["lanes"]
        with self.engine.connect() as connection:
            parent = connection.execute(
                select(locations.c.parent_location_code).where(
                    locations.c.location_code == location_code
                )
            ).scalar_one_or_none()
            same_parent = (
                locations.c.parent_location_code == parent
                if parent is not None
                else locations.c.parent_location_code.is_(None)
            )
            siblings = connection.execute(
                select(locations.c.location_code).where(
                    same_parent, locations.c.location_code != location_code
                )
            ).scalars()
            relations = dict.fromkeys(siblings, "sibling")
            if parent is not None:
                relations[parent] = "parent"
            found = connection.execute(
                select(lanes.c.from_location_code, lanes.c.transit_days, lanes.c.cost_per_unit)
                .where(
                    lanes.c.to_location_code == location_code,
                    lanes.c.from_location_code.in_(sorted(relations)),
                )
                .order_by(lanes.c.from_location_code)
            ).all()
            return [
                _source(
                    connection,
                    sku,
                    lane.from_location_code,
                    relation=relations[lane.from_location_code],
                    transit_days=int(lane.transit_days),
                    cost_per_unit=(
                        DEFAULT_LANE_COST
                        if lane.cost_per_unit is None
                        else float(lane.cost_per_unit)
                    ),
                    today=today,
                )
                for lane in found
            ]


def _source(
    connection: Connection,
    sku: str,
    location_code: str,
    *,
    relation: str,
    transit_days: int,
    cost_per_unit: float,
    today: date,
) -> Source:
    stock = read_stock(connection, sku, location_code)
    until = today + timedelta(days=transit_days)
    due = float(sum(o.open_quantity for o in stock.orders if o.requested_date <= until))
    plan = planned(connection, sku, location_code)
    safety = (plan.drivers.get("policy") or {}).get("safety_stock") if plan else None
    history = canonical_tables["demand_history"]
    recent = connection.execute(
        select(func.coalesce(func.sum(history.c.quantity), 0)).where(
            history.c.sku == sku,
            history.c.location_code == location_code,
            history.c.demand_date > today - timedelta(days=DEMAND_DAYS),
            history.c.demand_date <= today,
        )
    ).scalar_one()
    return Source(
        location_code=location_code,
        relation=relation,
        available=stock.available,
        orders_due=due + stock.transfers_out,
        safety_stock=None if safety is None else float(safety),
        transit_days=transit_days,
        cost_per_unit=cost_per_unit,
        daily_demand=float(recent) / DEMAND_DAYS if float(recent) > 0 else None,
    )
