"""Orders in flight and what happened to them: sales, purchase and transfer orders,
receipts and events."""

from __future__ import annotations

from crossdock.domain.canonical.common import (
    FROM_LOCATION,
    LOCATION,
    PURCHASE_ORDER_STATUSES,
    SALES_ORDER_STATUSES,
    SKU,
    TO_LOCATION,
    TRANSFER_ORDER_STATUSES,
    UOM,
    K,
    money,
    past_date,
    quantity,
)
from crossdock.domain.canonical.fields import Entity, Field
from crossdock.domain.reason_codes import EventType

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
        past_date("order_date", "Day the order was entered.", required=True),
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
        SKU,
        quantity("ordered_quantity", "Units ordered.", required=True),
        quantity("shipped_quantity", "Units shipped so far."),
        quantity("backordered_quantity", "Units waiting for stock."),
        money("unit_price", "Selling price per unit."),
        UOM,
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
        past_date("order_date", "Day the PO was sent.", required=True),
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
        SKU,
        quantity("ordered_quantity", "Units ordered.", required=True),
        money("unit_price", "Purchase price per unit."),
        Field("promised_date", K.DATE, "Delivery date the supplier promised (or the PO asked)."),
        past_date("acknowledged_date", "Day the supplier acknowledged (EDI 855)."),
        quantity("acknowledged_quantity", "Units the supplier confirmed."),
        Field("asn_number", K.TEXT, "Advance ship notice number (EDI 856)."),
        past_date("shipped_date", "Ship date on the ASN."),
        quantity("shipped_quantity", "Units on the ASN."),
        past_date("received_date", "Day the goods were received."),
        quantity("received_quantity", "Units received."),
        UOM,
    ),
    natural_key=("po_number", "line_number"),
    uom_field="uom",
)

TRANSFER_ORDERS = Entity(
    "transfer_orders",
    "Stock moves between the distributor's own warehouses.",
    (
        Field("transfer_number", K.TEXT, "Transfer order number.", required=True),
        FROM_LOCATION,
        TO_LOCATION,
        past_date("created_date", "Day the transfer was created.", required=True),
        Field("status", K.CODE, "Transfer status.", required=True, allowed=TRANSFER_ORDER_STATUSES),
        past_date("shipped_date", "Day it left the shipping warehouse."),
        Field("expected_date", K.DATE, "Day it is due at the receiving warehouse."),
        past_date("received_date", "Day it was received."),
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
        SKU,
        quantity("quantity", "Units to move.", required=True),
        quantity("shipped_quantity", "Units shipped."),
        quantity("received_quantity", "Units received."),
        UOM,
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
        LOCATION,
        SKU,
        Field(
            "received_at", K.TIMESTAMP, "When it was received.", required=True, not_in_future=True
        ),
        quantity("quantity", "Units received.", required=True),
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
        UOM,
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
