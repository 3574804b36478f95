"""The event catalogue: per type, what the envelope must carry and which payload model
its `data` follows; `event_catalogue()` describes it for the docs and the CLI."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Final, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
)

from crossdock.domain.event_payloads import (
    MAX_ID_LENGTH,
    AsnReceived,
    DemandAnomaly,
    DemandSpike,
    GoodsReceived,
    InventoryAdjusted,
    InvoiceReceived,
    NoPayload,
    OrderChanged,
    OrderCreated,
    OrderExceptionRaised,
    OrderShipped,
    Payload,
    PoAcknowledged,
    PoChanged,
    PoCreated,
    PoRejected,
    PoShipped,
    PoUnacknowledged,
    ShipmentDelayed,
    ShortPick,
    TransferCreated,
    TransferReceived,
    TransferShipped,
)
from crossdock.domain.reason_codes import EventType

# ---------------------------------------------------------------- the catalogue


class QuantityRule(StrEnum):
    ANY = "any finite number"
    POSITIVE = "> 0"
    NON_ZERO = "not 0; negative takes stock away"


@dataclass(frozen=True, slots=True)
class EnvelopeField:
    name: str
    kind: str
    description: str
    required: bool = False


ENVELOPE: Final[tuple[EnvelopeField, ...]] = (
    EnvelopeField(
        "event_id",
        "text",
        f"Unique id from the source system, at most {MAX_ID_LENGTH} characters. "
        "The same id again is the same event delivered again.",
        required=True,
    ),
    EnvelopeField(
        "event_type", "code", "What happened: one of the catalogue's types.", required=True
    ),
    EnvelopeField(
        "occurred_at",
        "timestamp",
        "When it happened: ISO 8601 with a time zone (Z or +01:00); kept in UTC; "
        "at most 5 minutes in the future.",
        required=True,
    ),
    EnvelopeField(
        "source",
        "text",
        "System that reported it: erp, wms, tms, edi, crossdock... (kept in lower case).",
        required=True,
    ),
    EnvelopeField("location_code", "text", "Site where it happened (DC01, BR03)."),
    EnvelopeField("sku", "text", "Item concerned."),
    EnvelopeField(
        "reference", "text", "Document concerned: order, PO, ASN, shipment, invoice number..."
    ),
    EnvelopeField("quantity", "number", "Units concerned, in the stocking unit; finite."),
    EnvelopeField("reason_code", "text", "Why: the site's own code or a canonical reason code."),
    EnvelopeField("data", "object", "What only this type carries; absent or null means {}."),
)
ALWAYS_REQUIRED: Final = tuple(spec.name for spec in ENVELOPE if spec.required)
TEXT_FIELDS: Final = ("source", "location_code", "sku", "reference", "reason_code")


@dataclass(frozen=True, slots=True)
class EventSpec:
    """What one event type means and must carry."""

    event_type: EventType
    description: str
    payload: type[Payload]
    required: tuple[str, ...] = ()  # envelope fields needed beyond ALWAYS_REQUIRED
    meanings: Mapping[str, str] = field(default_factory=dict)  # envelope fields, for this type
    quantity_rule: QuantityRule = QuantityRule.ANY


def _spec(
    event_type: EventType,
    description: str,
    payload: type[Payload] = NoPayload,
    *,
    quantity_rule: QuantityRule = QuantityRule.ANY,
    **fields: tuple[bool, str],
) -> EventSpec:
    """`fields` maps an envelope field to (required, what it stands for here)."""
    return EventSpec(
        event_type,
        description,
        payload,
        required=tuple(name for name, (required, _) in fields.items() if required),
        meanings={name: meaning for name, (_, meaning) in fields.items()},
        quantity_rule=quantity_rule,
    )


_ORDER = (True, "sales order number")
_PO = (True, "PO number")
_SHIP_FROM = (True, "shipping warehouse")
_ITEM = (True, "item")
_SITE = (True, "site")

SPECS: Final[Mapping[EventType, EventSpec]] = {
    spec.event_type: spec
    for spec in (
        _spec(
            EventType.ORDER_CREATED,
            "A customer order was entered.",
            OrderCreated,
            reference=_ORDER,
            location_code=_SHIP_FROM,
        ),
        _spec(
            EventType.ORDER_CHANGED,
            "A customer order's lines, quantities or dates changed; data is the order "
            "as it now stands.",
            OrderChanged,
            reference=_ORDER,
            location_code=_SHIP_FROM,
        ),
        _spec(
            EventType.ORDER_HELD,
            "An order was put on hold and will not ship until released.",
            reference=_ORDER,
            reason_code=(True, "why it is held (credit_hold, pricing_hold...)"),
            location_code=(False, "shipping warehouse"),
        ),
        _spec(EventType.ORDER_RELEASED, "A held order was released.", reference=_ORDER),
        _spec(
            EventType.ORDER_SHIPPED,
            "An order left the warehouse.",
            OrderShipped,
            reference=_ORDER,
            location_code=(False, "shipping warehouse"),
        ),
        _spec(
            EventType.ORDER_CANCELLED,
            "An order was cancelled.",
            reference=_ORDER,
            reason_code=(False, "why (customer_request...)"),
        ),
        _spec(
            EventType.ORDER_BACKORDERED,
            "An order line waits for stock.",
            quantity_rule=QuantityRule.POSITIVE,
            reference=_ORDER,
            sku=_ITEM,
            location_code=_SHIP_FROM,
            quantity=(True, "units waiting for stock"),
            reason_code=(False, "why (awaiting_stock...)"),
        ),
        _spec(
            EventType.ORDER_EXCEPTION_RAISED,
            "The order exception agent found a customer order line short and asks the "
            "inventory and procurement agents for options (raised with its proposal).",
            OrderExceptionRaised,
            quantity_rule=QuantityRule.POSITIVE,
            reference=_ORDER,
            sku=_ITEM,
            location_code=_SHIP_FROM,
            quantity=(True, "units short"),
        ),
        _spec(
            EventType.PO_CREATED,
            "A purchase order was placed.",
            PoCreated,
            reference=_PO,
            location_code=(True, "receiving warehouse"),
        ),
        _spec(
            EventType.PO_ACKNOWLEDGED,
            "The supplier answered a PO line by line (EDI 855).",
            PoAcknowledged,
            reference=_PO,
        ),
        _spec(
            EventType.PO_CHANGED,
            "A PO's quantities or promised dates changed (EDI 855 with changes, 865, or "
            "a buyer's amendment); data lists only the changed lines.",
            PoChanged,
            reference=_PO,
        ),
        _spec(
            EventType.PO_REJECTED,
            "The supplier rejected a PO, whole or in part.",
            PoRejected,
            reference=_PO,
            reason_code=(False, "why, if the supplier said"),
        ),
        _spec(
            EventType.PO_UNACKNOWLEDGED,
            "Crossdock's acknowledgement check: PO lines the supplier has not acknowledged "
            "some days after the PO was sent (raised once per PO per day).",
            PoUnacknowledged,
            reference=_PO,
            location_code=(False, "receiving warehouse"),
        ),
        _spec(
            EventType.PO_SHIPPED,
            "The supplier says a PO shipped (ship notice header only; see asn_received).",
            PoShipped,
            reference=(True, "ASN or PO number"),
            location_code=(False, "receiving warehouse"),
        ),
        _spec(
            EventType.ASN_RECEIVED,
            "An advance ship notice arrived with its lines (EDI 856).",
            AsnReceived,
            reference=(True, "ASN id"),
            location_code=(False, "receiving warehouse"),
        ),
        _spec(
            EventType.SHIPMENT_DELAYED,
            "A carrier or supplier moved a shipment's ETA later.",
            ShipmentDelayed,
            reference=(True, "shipment, ASN, PO or transfer number"),
            location_code=(False, "receiving site"),
            reason_code=(False, "why (carrier_delay, supplier_late...)"),
        ),
        _spec(
            EventType.GOODS_RECEIVED,
            "Goods were put into stock at a site.",
            GoodsReceived,
            quantity_rule=QuantityRule.POSITIVE,
            sku=_ITEM,
            location_code=(True, "receiving site"),
            reference=(True, "PO or transfer number"),
            quantity=(True, "units received"),
            reason_code=(False, "receiving exception (damaged, over_receipt...)"),
        ),
        _spec(
            EventType.INVOICE_RECEIVED,
            "A supplier invoice arrived (EDI 810), for matching against PO and receipts.",
            InvoiceReceived,
            reference=(True, "invoice number"),
        ),
        _spec(
            EventType.TRANSFER_CREATED,
            "A transfer order between two sites was created.",
            TransferCreated,
            reference=(True, "transfer number"),
            location_code=(True, "shipping site"),
        ),
        _spec(
            EventType.TRANSFER_SHIPPED,
            "A transfer left the shipping site.",
            TransferShipped,
            reference=(True, "transfer number"),
            location_code=(True, "shipping site"),
        ),
        _spec(
            EventType.TRANSFER_RECEIVED,
            "A transfer arrived at the receiving site.",
            TransferReceived,
            reference=(True, "transfer number"),
            location_code=(True, "receiving site"),
            sku=(False, "item, when reported line by line"),
            quantity=(False, "units received, when reported line by line"),
        ),
        _spec(
            EventType.SHORT_PICK,
            "A picker found fewer units than the system said.",
            ShortPick,
            quantity_rule=QuantityRule.POSITIVE,
            sku=_ITEM,
            location_code=(True, "picking site"),
            reference=(True, "sales or transfer order being picked"),
            quantity=(True, "units short"),
            reason_code=(False, "the site's short-pick code"),
        ),
        _spec(
            EventType.INVENTORY_ADJUSTED,
            "The book quantity was corrected (count, damage, short pick, expiry...).",
            InventoryAdjusted,
            quantity_rule=QuantityRule.NON_ZERO,
            sku=_ITEM,
            location_code=_SITE,
            quantity=(True, "change in units"),
            reason_code=(False, "why (count_adjustment, damaged...)"),
            reference=(False, "document behind it, if any"),
        ),
        _spec(
            EventType.STOCKOUT,
            "An item ran out at a site.",
            sku=_ITEM,
            location_code=_SITE,
        ),
        _spec(
            EventType.DEMAND_ANOMALY,
            "Demand at a site behaves unlike its forecast (spike, drop or shift).",
            DemandAnomaly,
            location_code=_SITE,
            sku=(False, "item, if the anomaly is one item's"),
            reference=(False, "cause, as free text (WEATHER NORTH ...)"),
            reason_code=(False, "demand_spike, demand_shift..."),
        ),
        _spec(
            EventType.DEMAND_SPIKE,
            "An item's demand at a site ran far above its forecast for a short window.",
            DemandSpike,
            sku=_ITEM,
            location_code=_SITE,
        ),
    )
}


def event_catalogue() -> list[dict[str, Any]]:
    """One row per event type, in `EventType` order: what it means, the envelope fields
    it requires, what its envelope fields stand for and its `data` fields (nested ones
    as `lines[].sku`)."""
    rows = []
    for event_type in EventType:
        spec = SPECS[event_type]
        meanings = dict(spec.meanings)
        if "quantity" in meanings and spec.quantity_rule is not QuantityRule.ANY:
            meanings["quantity"] = f"{meanings['quantity']} ({spec.quantity_rule})"
        rows.append(
            {
                "type": event_type.value,
                "description": spec.description,
                "required": [*ALWAYS_REQUIRED, *spec.required],
                "envelope": meanings,
                "data": _data_fields(spec.payload),
            }
        )
    return rows


def envelope_fields() -> list[dict[str, Any]]:
    """The fields every event shares, for the docs."""
    return [
        {"name": f.name, "type": f.kind, "required": f.required, "description": f.description}
        for f in ENVELOPE
    ]


def _data_fields(model: type[BaseModel], prefix: str = "") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, info in model.model_fields.items():
        kind, nested = field_kind(info.annotation)
        rows.append(
            {
                "name": prefix + name,
                "type": kind,
                "required": info.is_required(),
                "description": info.description or "",
            }
        )
        if nested is not None:
            rows.extend(_data_fields(nested, f"{prefix}{name}[]."))
    return rows


_KINDS: Final[dict[object, str]] = {
    str: "text",
    int: "integer",
    float: "number",
    Decimal: "decimal",
    date: "date (YYYY-MM-DD)",
}


def field_kind(annotation: object) -> tuple[str, type[BaseModel] | None]:
    """A readable type name, and the model of a nested object or list of objects."""
    origin = get_origin(annotation)
    arguments = get_args(annotation)
    if origin is Annotated:
        return field_kind(arguments[0])
    if origin in (Union, types.UnionType):
        return field_kind(next(a for a in arguments if a is not type(None)))
    if origin is Literal:
        return "one of " + " | ".join(str(a) for a in arguments), None
    if origin is list:
        inner, nested = field_kind(arguments[0])
        return ("list of objects" if nested else f"list of {inner}"), nested
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object", annotation
    return _KINDS.get(annotation, str(annotation)), None
