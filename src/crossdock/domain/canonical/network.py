"""The network: items, warehouses, lanes, suppliers, customers, reason-code mappings."""

from __future__ import annotations

from crossdock.domain.canonical.common import (
    CRITICALITY,
    FROM_LOCATION,
    LIFECYCLE,
    LOCATION_TYPES,
    SERVICE_TIERS,
    SKU,
    TO_LOCATION,
    K,
    money,
    quantity,
)
from crossdock.domain.canonical.fields import Entity, Field
from crossdock.domain.reason_codes import ReasonCode

ITEMS = Entity(
    "items",
    "What the distributor stocks and sells.",
    (
        Field("sku", K.TEXT, "Stock-keeping unit code as the ERP knows it.", required=True),
        Field("description", K.TEXT, "Human-readable name."),
        Field("uom", K.TEXT, "Stocking unit of measure (EA, CS, KG...).", required=True),
        Field(
            "pack_size",
            K.INTEGER,
            "Units in one pack; picks and orders come in packs.",
            unit="stocking units",
            minimum=1,
        ),
        Field(
            "order_multiple",
            K.INTEGER,
            "Replenishment quantities are multiples of this.",
            unit="stocking units",
            minimum=1,
        ),
        money(
            "unit_cost",
            "What one unit costs the distributor (standard or average cost).",
            required=True,
        ),
        money("unit_price", "List selling price of one unit."),
        Field("criticality", K.CODE, "How much a stockout hurts.", allowed=CRITICALITY),
        Field("lifecycle", K.CODE, "Where the item is in its life.", allowed=LIFECYCLE),
        Field("category", K.TEXT, "Product family, for reporting."),
    ),
    natural_key=("sku",),
)

LOCATIONS = Entity(
    "locations",
    "Warehouses: distribution centres (DC) and the branches they feed.",
    (
        Field("location_code", K.TEXT, "Warehouse code.", required=True),
        Field("name", K.TEXT, "Warehouse name."),
        Field("location_type", K.CODE, "dc or branch.", required=True, allowed=LOCATION_TYPES),
        Field("region", K.TEXT, "Sales or logistics region."),
        Field(
            "parent_location_code",
            K.TEXT,
            "The DC that replenishes this location (its echelon parent); empty for a top-level DC.",
            references=("locations", "location_code"),
        ),
    ),
    natural_key=("location_code",),
)

SUPPLIERS = Entity(
    "suppliers",
    "Vendors the distributor buys from.",
    (
        Field("supplier_code", K.TEXT, "Vendor code.", required=True),
        Field("name", K.TEXT, "Vendor name."),
        Field("country", K.TEXT, "Country the vendor ships from."),
        Field(
            "default_lead_time_days",
            K.INTEGER,
            "Quoted lead time when an item has none.",
            unit="days",
            minimum=0,
        ),
    ),
    natural_key=("supplier_code",),
)

CUSTOMERS = Entity(
    "customers",
    "Who buys from the distributor, with the service they are promised.",
    (
        Field("customer_code", K.TEXT, "Customer account code.", required=True),
        Field("name", K.TEXT, "Customer name."),
        Field(
            "service_tier",
            K.CODE,
            "Promised service: gold, silver or bronze.",
            required=True,
            allowed=SERVICE_TIERS,
        ),
        Field("region", K.TEXT, "Region served."),
    ),
    natural_key=("customer_code",),
)

LANES = Entity(
    "lanes",
    "Transport lanes between two warehouses, used for replenishment and transfers.",
    (
        FROM_LOCATION,
        TO_LOCATION,
        Field(
            "transit_days",
            K.INTEGER,
            "Door-to-door transit lead time.",
            required=True,
            unit="days",
            minimum=0,
        ),
        money("cost_per_unit", "Freight and handling cost per unit moved."),
        quantity(
            "capacity_units_per_day", "Most units the lane can move in a day; empty = no limit."
        ),
        Field("mode", K.TEXT, "Shipment mode (truck, ltl, parcel...)."),
    ),
    natural_key=("from_location_code", "to_location_code"),
)

SUPPLY_TERMS = Entity(
    "supply_terms",
    "What a supplier offers for an item: lead time, MOQ, order multiple and price.",
    (
        Field(
            "supplier_code",
            K.TEXT,
            "Vendor code.",
            required=True,
            references=("suppliers", "supplier_code"),
        ),
        SKU,
        Field(
            "lead_time_days",
            K.INTEGER,
            "Quoted lead time from order to receipt.",
            required=True,
            unit="days",
            minimum=0,
        ),
        quantity("moq", "Minimum order quantity."),
        Field(
            "order_multiple",
            K.INTEGER,
            "Order quantities are multiples of this.",
            unit="stocking units",
            minimum=1,
        ),
        money("unit_price", "Purchase price per unit."),
        Field("is_primary", K.BOOLEAN, "The supplier normally used for this item."),
    ),
    natural_key=("supplier_code", "sku"),
)

REASON_CODE_MAPPINGS = Entity(
    "reason_code_mappings",
    "How each site's own codes map onto Crossdock's canonical reason codes.",
    (
        Field("scope", K.TEXT, "A location code, or * for every site.", required=True),
        Field("site_code", K.TEXT, "The code as the site's system writes it.", required=True),
        Field(
            "reason_code",
            K.CODE,
            "The canonical reason code it means.",
            required=True,
            allowed=tuple(code.value for code in ReasonCode),
        ),
    ),
    natural_key=("scope", "site_code"),
)
