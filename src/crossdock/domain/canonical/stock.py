"""Stock and demand: inventory positions, demand history and promotions."""

from __future__ import annotations

from crossdock.domain.canonical.common import (
    LOCATION,
    PROMOTION_KINDS,
    PROMOTION_STATUSES,
    SKU,
    UOM,
    K,
    money,
    past_date,
    quantity,
)
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

PROMOTIONS = Entity(
    "promotions",
    "Promotions of one item at one warehouse, past and planned: price cuts, deals, "
    "features and displays.",
    (
        Field(
            "promotion_code",
            K.TEXT,
            "The promotion's code; one promotion may cover many items and warehouses.",
            required=True,
        ),
        SKU,
        Field(
            "location_code",
            K.TEXT,
            "Warehouse where it runs; a promotion at every warehouse has a row for each.",
            required=True,
            references=("locations", "location_code"),
        ),
        Field(
            "start_date",
            K.DATE,
            "First day of the promotion; may be in the future.",
            required=True,
        ),
        Field(
            "end_date",
            K.DATE,
            "Last day of the promotion, included.",
            required=True,
            not_before="start_date",
        ),
        money("promo_price", "Selling price of one unit during the promotion."),
        Field(
            "discount_rate",
            K.RATE,
            "Discount off the regular selling price: 0.15 for 15%.",
            unit="share of the price",
            minimum=0.0,
            maximum=1.0,
        ),
        Field(
            "kind",
            K.CODE,
            "price_cut (a lower price), deal (a coupon or negotiated deal), feature "
            "(advertised in a flyer or catalogue) or display (an extra display).",
            allowed=PROMOTION_KINDS,
        ),
        Field(
            "status",
            K.CODE,
            "confirmed (also when empty) or cancelled: imports never delete rows, so a "
            "called-off promotion is sent again as cancelled.",
            allowed=PROMOTION_STATUSES,
        ),
    ),
    natural_key=("promotion_code", "sku", "location_code"),
    freshness_field="end_date",
)
