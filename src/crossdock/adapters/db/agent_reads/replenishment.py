"""The replenishment agent's reads: a PO's item-locations, what the newest plan said
about an item-location, its recent daily demand, the item, its primary supplier's terms
and the location's service tier."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.agent_reads.planned import planned
from crossdock.adapters.db.agent_reads.stock import StockReads
from crossdock.adapters.db.tables import canonical_tables
from crossdock.agents.replenishment import ItemFacts, PlanRow, Supplier

_TIER_RANK = {"gold": 0, "silver": 1, "bronze": 2}


class ReplenishmentReads(StockReads):
    """`ReplenishmentData`'s reads over SQLAlchemy."""

    def po_item_locations(self, po_number: str) -> list[tuple[int, str, str]]:
        po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(pol.c.line_number, pol.c.sku, po.c.location_code)
                .join(po, po.c.po_number == pol.c.po_number)
                .where(pol.c.po_number == po_number)
                .order_by(pol.c.line_number)
            ).all()
        return [(int(r.line_number), r.sku, r.location_code) for r in rows]

    def echelon(self, sku: str, location_code: str) -> tuple[str, list[str]]:
        locations = canonical_tables["locations"]
        po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
        with self.engine.connect() as connection:
            here = connection.execute(
                select(locations.c.location_type, locations.c.parent_location_code).where(
                    locations.c.location_code == location_code
                )
            ).first()
            bought = connection.execute(
                select(pol.c.po_number)
                .join(po, po.c.po_number == pol.c.po_number)
                .where(pol.c.sku == sku, po.c.location_code == location_code)
                .limit(1)
            ).first()
            parent = None if here is None else here.parent_location_code
            buys = here is None or here.location_type == "dc" or parent is None or bought
            site = location_code if buys else str(parent)
            children = connection.execute(
                select(locations.c.location_code)
                .where(locations.c.parent_location_code == site)
                .order_by(locations.c.location_code)
            ).scalars()
            return site, [site, *children]

    def plan_row(self, sku: str, location_code: str) -> PlanRow | None:
        with self.engine.connect() as connection:
            return planned(connection, sku, location_code)

    def daily_demand(self, sku: str, location_code: str, *, until: date, days: int) -> list[float]:
        history = canonical_tables["demand_history"]
        first = until - timedelta(days=days - 1)
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(history.c.demand_date, history.c.quantity).where(
                    history.c.sku == sku,
                    history.c.location_code == location_code,
                    history.c.demand_date >= first,
                    history.c.demand_date <= until,
                )
            ).all()
        by_day: dict[date, float] = {}
        for row in rows:
            day = _day(row.demand_date)
            if day is not None:
                by_day[day] = by_day.get(day, 0.0) + float(row.quantity)
        return [by_day.get(first + timedelta(days=n), 0.0) for n in range(days)]

    def item_facts(self, sku: str) -> ItemFacts | None:
        items = canonical_tables["items"]
        with self.engine.connect() as connection:
            row = connection.execute(select(items).where(items.c.sku == sku)).first()
        if row is None:
            return None
        return ItemFacts(
            unit_cost=float(row.unit_cost or 0),
            unit_price=None if row.unit_price is None else float(row.unit_price),
            criticality=row.criticality,
            pack_size=int(row.pack_size or 1),
            order_multiple=int(row.order_multiple or 1),
        )

    def primary_supplier(self, sku: str) -> Supplier | None:
        terms, items = canonical_tables["supply_terms"], canonical_tables["items"]
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(terms, items.c.unit_cost, items.c.order_multiple.label("item_multiple"))
                .join(items, items.c.sku == terms.c.sku)
                .where(terms.c.sku == sku)
            ).all()
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

    def location_tier(self, location_code: str) -> str | None:
        so, sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
        customers = canonical_tables["customers"]
        with self.engine.connect() as connection:
            totals = connection.execute(
                select(customers.c.service_tier, func.sum(sol.c.ordered_quantity).label("units"))
                .join(so, so.c.order_number == sol.c.order_number)
                .join(customers, customers.c.customer_code == so.c.customer_code)
                .where(so.c.location_code == location_code)
                .group_by(customers.c.service_tier)
            ).all()
        if not totals:
            return None
        best = min(totals, key=lambda t: (-float(t.units or 0), _TIER_RANK.get(t.service_tier, 3)))
        return str(best.service_tier)
