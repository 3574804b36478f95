"""Fields and code lists shared by several entities."""

from __future__ import annotations

from crossdock.domain.canonical.fields import Field, FieldKind

K = FieldKind
NON_NEGATIVE = 0.0

SKU = Field(
    "sku",
    K.TEXT,
    "Stock-keeping unit code as the ERP knows it.",
    required=True,
    references=("items", "sku"),
)
LOCATION = Field(
    "location_code",
    K.TEXT,
    "Warehouse code (DC or branch).",
    required=True,
    references=("locations", "location_code"),
)
FROM_LOCATION = Field(
    "from_location_code",
    K.TEXT,
    "Shipping warehouse.",
    required=True,
    references=("locations", "location_code"),
)
TO_LOCATION = Field(
    "to_location_code",
    K.TEXT,
    "Receiving warehouse.",
    required=True,
    references=("locations", "location_code"),
)
UOM = Field(
    "uom",
    K.TEXT,
    "Unit of measure of the quantities on this row; must be the item's stocking unit when given.",
)


def quantity(name: str, description: str, *, required: bool = False) -> Field:
    return Field(
        name,
        K.QUANTITY,
        description,
        required=required,
        unit="stocking unit",
        minimum=NON_NEGATIVE,
    )


def money(name: str, description: str, *, required: bool = False) -> Field:
    return Field(
        name,
        K.MONEY,
        description,
        required=required,
        unit="currency per unit",
        minimum=NON_NEGATIVE,
    )


def past_date(name: str, description: str, *, required: bool = False) -> Field:
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
PROMOTION_KINDS = ("price_cut", "deal", "feature", "display")
PROMOTION_STATUSES = ("confirmed", "cancelled")
