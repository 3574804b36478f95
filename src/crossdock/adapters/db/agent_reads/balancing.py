"""The balancing agent's reads: the warehouses that could send an item to a short one
(its parent and siblings with a lane to it), with what each holds and keeps back."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import BindParameter, Connection, bindparam, func, select

from crossdock.adapters.db.agent_reads.planned import planned
from crossdock.adapters.db.agent_reads.remembered import remembered
from crossdock.adapters.db.agent_reads.stock import StockReads, read_stock
from crossdock.adapters.db.tables import canonical_tables
from crossdock.agents.balancing import DEFAULT_LANE_COST, Source

DEMAND_DAYS = 28  # recent demand, for the cover a source keeps


_locations, _lanes = canonical_tables["locations"], canonical_tables["lanes"]
_history = canonical_tables["demand_history"]
_SITE: BindParameter[str] = bindparam("site")
_PARENT = select(_locations.c.parent_location_code).where(_locations.c.location_code == _SITE)
_SIBLINGS = select(_locations.c.location_code).where(
    _locations.c.parent_location_code == bindparam("parent"),
    _locations.c.location_code != _SITE,
)
_TOP_LEVEL = select(_locations.c.location_code).where(
    _locations.c.parent_location_code.is_(None), _locations.c.location_code != _SITE
)
_LANES_FROM = (
    select(_lanes.c.from_location_code, _lanes.c.transit_days, _lanes.c.cost_per_unit)
    .where(
        _lanes.c.to_location_code == _SITE,
        _lanes.c.from_location_code.in_(bindparam("sources", expanding=True)),
    )
    .order_by(_lanes.c.from_location_code)
)
_RECENT_DEMAND = select(func.coalesce(func.sum(_history.c.quantity), 0)).where(
    _history.c.sku == bindparam("sku"),
    _history.c.location_code == _SITE,
    _history.c.demand_date > bindparam("since"),
    _history.c.demand_date <= bindparam("until"),
)


class BalancingReads(StockReads):
    """`BalancingData`'s reads over SQLAlchemy."""

    @remembered
    def sources(self, sku: str, location_code: str, *, today: date) -> list[Source]:
        with self.engine.connect() as connection:
            parent = connection.execute(_PARENT, {"site": location_code}).scalar_one_or_none()
            siblings = connection.execute(
                _TOP_LEVEL if parent is None else _SIBLINGS,
                {"site": location_code, "parent": parent},
            ).scalars()
            relations = dict.fromkeys(siblings, "sibling")
            if parent is not None:
                relations[parent] = "parent"
            found = connection.execute(
                _LANES_FROM, {"site": location_code, "sources": sorted(relations)}
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
    recent = connection.execute(
        _RECENT_DEMAND,
        {"sku": sku, "site": location_code,
         "since": today - timedelta(days=DEMAND_DAYS), "until": today},
    ).scalar_one()  # fmt: skip
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
