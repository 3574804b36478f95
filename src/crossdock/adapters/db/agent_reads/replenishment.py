"""The replenishment agent's reads: a PO's item-locations, what the newest plan said
about an item-location, its recent daily demand, the item, its primary supplier's terms
and the location's service tier."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import BindParameter, bindparam, func, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.agent_reads.planned import planned
from crossdock.adapters.db.agent_reads.remembered import remembered
from crossdock.adapters.db.agent_reads.stock import StockReads
from crossdock.adapters.db.tables import canonical_tables
from crossdock.agents.replenishment import ItemFacts, PlanRow, Supplier

_TIER_RANK = {"gold": 0, "silver": 1, "bronze": 2}
_po, _pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
_so, _sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
_locations, _items = canonical_tables["locations"], canonical_tables["items"]
_history, _terms = canonical_tables["demand_history"], canonical_tables["supply_terms"]
_customers = canonical_tables["customers"]
_SKU: BindParameter[str] = bindparam("sku")
_SITE: BindParameter[str] = bindparam("site")

_PO_ITEM_LOCATIONS = (
    select(_pol.c.line_number, _pol.c.sku, _po.c.location_code)
    .join(_po, _po.c.po_number == _pol.c.po_number)
    .where(_pol.c.po_number == bindparam("po_number"))
    .order_by(_pol.c.line_number)
)
_LOCATION = select(_locations.c.location_type, _locations.c.parent_location_code).where(
    _locations.c.location_code == _SITE
)
_BOUGHT_HERE = (
    select(_pol.c.po_number)
    .join(_po, _po.c.po_number == _pol.c.po_number)
    .where(_pol.c.sku == _SKU, _po.c.location_code == _SITE)
    .limit(1)
)
_CHILDREN = (
    select(_locations.c.location_code)
    .where(_locations.c.parent_location_code == _SITE)
    .order_by(_locations.c.location_code)
)
_DEMAND = select(_history.c.demand_date, _history.c.quantity).where(
    _history.c.sku == _SKU,
    _history.c.location_code == _SITE,
    _history.c.demand_date >= bindparam("first"),
    _history.c.demand_date <= bindparam("until"),
)
_ITEM = select(_items).where(_items.c.sku == _SKU)
_TERMS = (
    select(_terms, _items.c.unit_cost, _items.c.order_multiple.label("item_multiple"))
    .join(_items, _items.c.sku == _terms.c.sku)
    .where(_terms.c.sku == _SKU)
)
_TIER_UNITS = (
    select(_customers.c.service_tier, func.sum(_sol.c.ordered_quantity).label("units"))
    .join(_so, _so.c.order_number == _sol.c.order_number)
    .join(_customers, _customers.c.customer_code == _so.c.customer_code)
    .where(_so.c.location_code == _SITE)
    .group_by(_customers.c.service_tier)
)


class ReplenishmentReads(StockReads):
    """`ReplenishmentData`'s reads over SQLAlchemy."""

    @remembered
    def po_item_locations(self, po_number: str) -> list[tuple[int, str, str]]:
        with self.engine.connect() as connection:
            rows = connection.execute(_PO_ITEM_LOCATIONS, {"po_number": po_number}).all()
        return [(int(r.line_number), r.sku, r.location_code) for r in rows]

    @remembered
    def echelon(self, sku: str, location_code: str) -> tuple[str, list[str]]:
        with self.engine.connect() as connection:
            here = connection.execute(_LOCATION, {"site": location_code}).first()
            bought = connection.execute(_BOUGHT_HERE, {"sku": sku, "site": location_code}).first()
            parent = None if here is None else here.parent_location_code
            buys = here is None or here.location_type == "dc" or parent is None or bought
            site = location_code if buys else str(parent)
            children = connection.execute(_CHILDREN, {"site": site}).scalars()
            return site, [site, *children]

    @remembered
    def plan_row(self, sku: str, location_code: str) -> PlanRow | None:
        with self.engine.connect() as connection:
            return planned(connection, sku, location_code)

    @remembered
    def daily_demand(self, sku: str, location_code: str, *, until: date, days: int) -> list[float]:
        first = until - timedelta(days=days - 1)
        with self.engine.connect() as connection:
            rows = connection.execute(
                _DEMAND, {"sku": sku, "site": location_code, "first": first, "until": until}
            ).all()
        by_day: dict[date, float] = {}
        for row in rows:
            day = _day(row.demand_date)
            if day is not None:
                by_day[day] = by_day.get(day, 0.0) + float(row.quantity)
        return [by_day.get(first + timedelta(days=n), 0.0) for n in range(days)]

    @remembered
    def item_facts(self, sku: str) -> ItemFacts | None:
        with self.engine.connect() as connection:
            row = connection.execute(_ITEM, {"sku": sku}).first()
        if row is None:
            return None
        return ItemFacts(
            unit_cost=float(row.unit_cost or 0),
            unit_price=None if row.unit_price is None else float(row.unit_price),
            criticality=row.criticality,
            pack_size=int(row.pack_size or 1),
            order_multiple=int(row.order_multiple or 1),
        )

    @remembered
    def primary_supplier(self, sku: str) -> Supplier | None:
        with self.engine.connect() as connection:
            rows = connection.execute(_TERMS, {"sku": sku}).all()
        if not rows:
            return None
        row = min(rows, key=lambda r: (r.is_primary is not True, r.lead_time_days, r.supplier_code))
        return Supplier(
            supplier_code=row.supplier_code,
            lead_time_days=int(row.lead_time_days),
            unit_price=float(row.unit_cost if row.unit_price is None else row.unit_price),
            moq=float(row.moq or 0),
            order_multiple=int(row.order_multiple or row.item_multiple or 1),
        )

    @remembered
    def location_tier(self, location_code: str) -> str | None:
        with self.engine.connect() as connection:
            totals = connection.execute(_TIER_UNITS, {"site": location_code}).all()
        if not totals:
            return None
        best = min(totals, key=lambda t: (-float(t.units or 0), _TIER_RANK.get(t.service_tier, 3)))
        return str(best.service_tier)
