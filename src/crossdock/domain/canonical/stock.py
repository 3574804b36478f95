"""Stock and demand: inventory positions and demand history."""

from __future__ import annotations

from crossdock.domain.canonical.common import LOCATION, SKU, UOM, K, money, past_date, quantity
from crossdock.domain.canonical.fields import Entity, Field

INVENTORY_POSITIONS = Entity(
    "inventory_positions",
    "Stock of one item at one warehouse at a snapshot time.",
    (
        SKU,
        LOCATION,
        Field(
            "snapshot_at",
            K.TIMESTAMP,
            "When the ERP/WMS counted this.",
            required=True,
            not_in_future=True,
            stale_after_days=2,
        ),
        quantity(
            "on_hand",
            "Physically in the warehouse, including allocated and held stock.",
            required=True,
        ),
        quantity("allocated", "On hand but promised to sales orders."),
        quantity("on_hold", "On hand but blocked (QC, damage, quarantine)."),
        quantity("in_transit", "Shipped to this warehouse and not yet received."),
        quantity("on_order", "On open purchase orders, not yet shipped."),
        UOM,
    ),
    natural_key=("sku", "location_code", "snapshot_at"),
    uom_field="uom",
    freshness_field="snapshot_at",
)

DEMAND_HISTORY = Entity(
    "demand_history",
    "Units demanded per item, warehouse and day (or week: the date is the bucket start).",
    (
        SKU,
        LOCATION,
        past_date("demand_date", "Day of demand, or first day of the bucket.", required=True),
        quantity(
            "quantity",
            "Units demanded (ordered), including what could not be shipped.",
            required=True,
        ),
        money("unit_price", "Average selling price that day, where known."),
        Field("on_promotion", K.BOOLEAN, "A promotion, deal or feature ran that day."),
        UOM,
    ),
    natural_key=("sku", "location_code", "demand_date"),
    uom_field="uom",
    freshness_field="demand_date",
)
