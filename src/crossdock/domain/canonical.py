"""The canonical data model: every entity Crossdock reads, field by field.

This module is the one place that says what a distributor's data looks like to
Crossdock. The importer validates against it, the database tables mirror it
(a test keeps them in step), the demo generator produces it and
`docs/data-format.md` documents it. Entities are listed in load order: an entity
only references entities listed before it (or itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crossdock.domain.reason_codes import EventType, ReasonCode


class FieldKind(StrEnum):
    """How a field's text is read and checked."""

    TEXT = "text"
    CODE = "code"  # one of a fixed list of values
    INTEGER = "integer"
    QUANTITY = "quantity"  # a count in the item's unit of measure; may be fractional
    MONEY = "money"  # in the distributor's reporting currency, 4 decimals kept
    DATE = "date"  # ISO 8601 calendar date, YYYY-MM-DD
    TIMESTAMP = "timestamp"  # ISO 8601 with offset; naive values are read as UTC
    BOOLEAN = "boolean"  # true/false, 1/0, yes/no, y/n


@dataclass(frozen=True, slots=True)
class Field:
    """One column of an entity file."""

    name: str
    kind: FieldKind
    description: str
    required: bool = False
    unit: str | None = None
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    references: tuple[str, str] | None = None  # (entity, field) that must hold the value
    not_in_future: bool = False
    reason_code: bool = False  # site-specific codes are mapped to canonical ones
    stale_after_days: int | None = None  # warn when the newest value is older than this


@dataclass(frozen=True, slots=True)
class Entity:
    """One kind of record, imported from one file named after it."""

    name: str
    description: str
    fields: tuple[Field, ...]
    natural_key: tuple[str, ...]
    uom_field: str | None = None  # when present, must match the item's unit of measure
    freshness_field: str | None = None  # the date that says how current the data is

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


K = FieldKind
_NON_NEGATIVE = 0.0

_SKU = Field(
    "sku",
    K.TEXT,
    "Stock-keeping unit code as the ERP knows it.",
    required=True,
    references=("items", "sku"),
)
_LOCATION = Field(
    "location_code",
    K.TEXT,
    "Warehouse code (DC or branch).",
    required=True,
    references=("locations", "location_code"),
)
_UOM = Field(
    "uom",
    K.TEXT,
    "Unit of measure of the quantities on this row; must be the item's stocking unit when given.",
)


def _qty(name: str, description: str, *, required: bool = False) -> Field:
    return Field(
        name,
        K.QUANTITY,
        description,
        required=required,
        unit="stocking unit",
        minimum=_NON_NEGATIVE,
    )


def _money(name: str, description: str, *, required: bool = False) -> Field:
    return Field(
        name,
        K.MONEY,
        description,
        required=required,
        unit="currency per unit",
        minimum=_NON_NEGATIVE,
    )


def _past_date(name: str, description: str, *, required: bool = False) -> Field:
    return Field(name, K.DATE, description, required=required, not_in_future=True)


CRITICALITY = ("high", "medium", "low")
LIFECYCLE = ("new", "active", "phase_out", "discontinued")
LOCATION_TYPES = ("dc", "branch")
SERVICE_TIERS = ("gold", "silver", "bronze")
SALES_ORDER_STATUSES = (
    "open",
    "released",
    "on_hold",
    "backordered",
    "partially_shipped",
    "shipped",
    "cancelled",
)
PURCHASE_ORDER_STATUSES = (
    "draft",
    "sent",
    "acknowledged",
    "shipped",
    "partially_received",
    "received",
    "cancelled",
)
TRANSFER_ORDER_STATUSES = ("planned", "released", "in_transit", "received", "cancelled")

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
        _money(
            "unit_cost",
            "What one unit costs the distributor (standard or average cost).",
            required=True,
        ),
        _money("unit_price", "List selling price of one unit."),
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
        Field(
            "from_location_code",
            K.TEXT,
            "Shipping warehouse.",
            required=True,
            references=("locations", "location_code"),
        ),
        Field(
            "to_location_code",
            K.TEXT,
            "Receiving warehouse.",
            required=True,
            references=("locations", "location_code"),
        ),
        Field(
            "transit_days",
            K.INTEGER,
            "Door-to-door transit lead time.",
            required=True,
            unit="days",
            minimum=0,
        ),
        _money("cost_per_unit", "Freight and handling cost per unit moved."),
        _qty("capacity_units_per_day", "Most units the lane can move in a day; empty = no limit."),
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
        _SKU,
        Field(
            "lead_time_days",
            K.INTEGER,
            "Quoted lead time from order to receipt.",
            required=True,
            unit="days",
            minimum=0,
        ),
        _qty("moq", "Minimum order quantity."),
        Field(
            "order_multiple",
            K.INTEGER,
            "Order quantities are multiples of this.",
            unit="stocking units",
            minimum=1,
        ),
        _money("unit_price", "Purchase price per unit."),
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

INVENTORY_POSITIONS = Entity(
    "inventory_positions",
    "Stock of one item at one warehouse at a snapshot time.",
    (
        _SKU,
        _LOCATION,
        Field(
            "snapshot_at",
            K.TIMESTAMP,
            "When the ERP/WMS counted this.",
            required=True,
            not_in_future=True,
            stale_after_days=2,
        ),
        _qty(
            "on_hand",
            "Physically in the warehouse, including allocated and held stock.",
            required=True,
        ),
        _qty("allocated", "On hand but promised to sales orders."),
        _qty("on_hold", "On hand but blocked (QC, damage, quarantine)."),
        _qty("in_transit", "Shipped to this warehouse and not yet received."),
        _qty("on_order", "On open purchase orders, not yet shipped."),
        _UOM,
    ),
    natural_key=("sku", "location_code", "snapshot_at"),
    uom_field="uom",
    freshness_field="snapshot_at",
)

DEMAND_HISTORY = Entity(
    "demand_history",
    "Units demanded per item, warehouse and day (or week: the date is the bucket start).",
    (
        _SKU,
        _LOCATION,
        _past_date("demand_date", "Day of demand, or first day of the bucket.", required=True),
        _qty(
            "quantity",
            "Units demanded (ordered), including what could not be shipped.",
            required=True,
        ),
        _money("unit_price", "Average selling price that day, where known."),
        Field("on_promotion", K.BOOLEAN, "A promotion, deal or feature ran that day."),
        _UOM,
    ),
    natural_key=("sku", "location_code", "demand_date"),
    uom_field="uom",
    freshness_field="demand_date",
)

SALES_ORDERS = Entity(
    "sales_orders",
    "Customer orders, with their status and hold reason.",
    (
        Field("order_number", K.TEXT, "Sales order number.", required=True),
        Field(
            "customer_code",
            K.TEXT,
            "Ordering customer.",
            required=True,
            references=("customers", "customer_code"),
        ),
        Field(
            "location_code",
            K.TEXT,
            "Shipping warehouse.",
            required=True,
            references=("locations", "location_code"),
        ),
        _past_date("order_date", "Day the order was entered.", required=True),
        Field("requested_date", K.DATE, "Day the customer wants it.", required=True),
        Field("status", K.CODE, "Order status.", required=True, allowed=SALES_ORDER_STATUSES),
        Field(
            "hold_reason",
            K.TEXT,
            "Why the order is held (site code or canonical code).",
            reason_code=True,
        ),
    ),
    natural_key=("order_number",),
    freshness_field="order_date",
)

SALES_ORDER_LINES = Entity(
    "sales_order_lines",
    "What each customer order asks for.",
    (
        Field(
            "order_number",
            K.TEXT,
            "Sales order number.",
            required=True,
            references=("sales_orders", "order_number"),
        ),
        Field("line_number", K.INTEGER, "Line within the order.", required=True, minimum=1),
        _SKU,
        _qty("ordered_quantity", "Units ordered.", required=True),
        _qty("shipped_quantity", "Units shipped so far."),
        _qty("backordered_quantity", "Units waiting for stock."),
        _money("unit_price", "Selling price per unit."),
        _UOM,
    ),
    natural_key=("order_number", "line_number"),
    uom_field="uom",
)

PURCHASE_ORDERS = Entity(
    "purchase_orders",
    "Orders placed with suppliers.",
    (
        Field("po_number", K.TEXT, "Purchase order number.", required=True),
        Field(
            "supplier_code",
            K.TEXT,
            "Supplier.",
            required=True,
            references=("suppliers", "supplier_code"),
        ),
        Field(
            "location_code",
            K.TEXT,
            "Receiving warehouse.",
            required=True,
            references=("locations", "location_code"),
        ),
        _past_date("order_date", "Day the PO was sent.", required=True),
        Field("status", K.CODE, "PO status.", required=True, allowed=PURCHASE_ORDER_STATUSES),
    ),
    natural_key=("po_number",),
    freshness_field="order_date",
)

PURCHASE_ORDER_LINES = Entity(
    "purchase_order_lines",
    "Each PO line's journey: ordered, promised, acknowledged, shipped (ASN), received.",
    (
        Field(
            "po_number",
            K.TEXT,
            "Purchase order number.",
            required=True,
            references=("purchase_orders", "po_number"),
        ),
        Field("line_number", K.INTEGER, "Line within the PO.", required=True, minimum=1),
        _SKU,
        _qty("ordered_quantity", "Units ordered.", required=True),
        _money("unit_price", "Purchase price per unit."),
        Field("promised_date", K.DATE, "Delivery date the supplier promised (or the PO asked)."),
        _past_date("acknowledged_date", "Day the supplier acknowledged (EDI 855)."),
        _qty("acknowledged_quantity", "Units the supplier confirmed."),
        Field("asn_number", K.TEXT, "Advance ship notice number (EDI 856)."),
        _past_date("shipped_date", "Ship date on the ASN."),
        _qty("shipped_quantity", "Units on the ASN."),
        _past_date("received_date", "Day the goods were received."),
        _qty("received_quantity", "Units received."),
        _UOM,
    ),
    natural_key=("po_number", "line_number"),
    uom_field="uom",
)

TRANSFER_ORDERS = Entity(
    "transfer_orders",
    "Stock moves between the distributor's own warehouses.",
    (
        Field("transfer_number", K.TEXT, "Transfer order number.", required=True),
        Field(
            "from_location_code",
            K.TEXT,
            "Shipping warehouse.",
            required=True,
            references=("locations", "location_code"),
        ),
        Field(
            "to_location_code",
            K.TEXT,
            "Receiving warehouse.",
            required=True,
            references=("locations", "location_code"),
        ),
        _past_date("created_date", "Day the transfer was created.", required=True),
        Field("status", K.CODE, "Transfer status.", required=True, allowed=TRANSFER_ORDER_STATUSES),
        _past_date("shipped_date", "Day it left the shipping warehouse."),
        Field("expected_date", K.DATE, "Day it is due at the receiving warehouse."),
        _past_date("received_date", "Day it was received."),
    ),
    natural_key=("transfer_number",),
    freshness_field="created_date",
)

TRANSFER_ORDER_LINES = Entity(
    "transfer_order_lines",
    "Items and quantities on each transfer.",
    (
        Field(
            "transfer_number",
            K.TEXT,
            "Transfer order number.",
            required=True,
            references=("transfer_orders", "transfer_number"),
        ),
        Field("line_number", K.INTEGER, "Line within the transfer.", required=True, minimum=1),
        _SKU,
        _qty("quantity", "Units to move.", required=True),
        _qty("shipped_quantity", "Units shipped."),
        _qty("received_quantity", "Units received."),
        _UOM,
    ),
    natural_key=("transfer_number", "line_number"),
    uom_field="uom",
)

RECEIPTS = Entity(
    "receipts",
    "Goods received at a warehouse, from a supplier or another warehouse.",
    (
        Field("receipt_number", K.TEXT, "Receipt (goods-received note) number.", required=True),
        Field("line_number", K.INTEGER, "Line within the receipt.", required=True, minimum=1),
        _LOCATION,
        _SKU,
        Field(
            "received_at", K.TIMESTAMP, "When it was received.", required=True, not_in_future=True
        ),
        _qty("quantity", "Units received.", required=True),
        Field(
            "po_number",
            K.TEXT,
            "The PO received against, if any.",
            references=("purchase_orders", "po_number"),
        ),
        Field(
            "transfer_number",
            K.TEXT,
            "The transfer received against, if any.",
            references=("transfer_orders", "transfer_number"),
        ),
        Field(
            "reason_code",
            K.TEXT,
            "Receiving exception (damaged, over receipt...), if any.",
            reason_code=True,
        ),
        _UOM,
    ),
    natural_key=("receipt_number", "line_number"),
    uom_field="uom",
    freshness_field="received_at",
)

EVENTS = Entity(
    "events",
    "Operational events from any source, in one taxonomy with canonical reason codes.",
    (
        Field("event_id", K.TEXT, "Unique id from the source system.", required=True),
        Field(
            "event_type",
            K.CODE,
            "What happened.",
            required=True,
            allowed=tuple(kind.value for kind in EventType),
        ),
        Field("occurred_at", K.TIMESTAMP, "When it happened.", required=True, not_in_future=True),
        Field(
            "location_code", K.TEXT, "Where it happened.", references=("locations", "location_code")
        ),
        Field("sku", K.TEXT, "Item concerned, if any.", references=("items", "sku")),
        Field("reference", K.TEXT, "Order, PO, transfer or shipment number concerned."),
        Field(
            "quantity",
            K.QUANTITY,
            "Units concerned; may be negative for adjustments.",
            unit="stocking unit",
        ),
        Field("reason_code", K.TEXT, "Why (site code or canonical code).", reason_code=True),
        Field("source", K.TEXT, "Which system reported it (erp, wms, edi...)."),
    ),
    natural_key=("event_id",),
    freshness_field="occurred_at",
)

ENTITIES: tuple[Entity, ...] = (
    ITEMS,
    LOCATIONS,
    SUPPLIERS,
    CUSTOMERS,
    LANES,
    SUPPLY_TERMS,
    REASON_CODE_MAPPINGS,
    INVENTORY_POSITIONS,
    DEMAND_HISTORY,
    SALES_ORDERS,
    SALES_ORDER_LINES,
    PURCHASE_ORDERS,
    PURCHASE_ORDER_LINES,
    TRANSFER_ORDERS,
    TRANSFER_ORDER_LINES,
    RECEIPTS,
    EVENTS,
)

ENTITIES_BY_NAME: dict[str, Entity] = {entity.name: entity for entity in ENTITIES}


def entity(name: str) -> Entity:
    """The entity called `name`, or a KeyError listing the known ones."""
    try:
        return ENTITIES_BY_NAME[name]
    except KeyError:
        known = ", ".join(ENTITIES_BY_NAME)
        raise KeyError(f"unknown entity {name!r}; known entities: {known}") from None
