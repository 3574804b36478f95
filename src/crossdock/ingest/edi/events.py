"""Canonical events from EDI documents, for the event intake.

| Document | Event |
|---|---|
| 850 purchase order | `po_created` |
| 855 acknowledgment | `po_acknowledged` (line statuses accepted / changed / rejected) |
| 856 ship notice | `asn_received` per PO on it; `po_shipped` per PO when it has no delivery date |
| 810 invoice | `invoice_received` |
| 945 warehouse shipping advice | `order_shipped` |
| 940, 997 | none: a 940 is the distributor's own instruction to its warehouse (the order
  arrives from the ERP as `order_created`), a 997 only confirms receipt of a file |

The events are plain JSON objects, not yet validated: the intake validates every one
with `crossdock.domain.events.parse_event`, so one the file cannot complete (an 850
without a ship-to, a ship notice line without its PO line number) is dead-lettered with
the field and the reason, not dropped. Ids are built from the sender, the three
control numbers and the document's number, so the same file ingested twice is
recognised as delivered twice.
`occurred_at` is the group's date and time (GS04/GS05), read as UTC since X12 carries
no time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from crossdock.ingest.edi.documents import (
    Document,
    Invoice,
    Origin,
    Party,
    PoAcknowledgment,
    PurchaseOrder,
    ShipNotice,
    WarehouseShippingAdvice,
)
from crossdock.ingest.edi.values import party_code

SOURCE = "edi"
_SUPPLIER_ROLES = ("SU", "VN", "SE", "II", "SF", "SH")


def edi_events(documents: Iterable[Document]) -> list[dict[str, Any]]:
    """The canonical events the documents stand for, in document order (see the module
    docstring for which document gives which event)."""
    events: list[dict[str, Any]] = []
    for document in documents:
        if isinstance(document, PurchaseOrder):
            events.append(_po_created(document))
        elif isinstance(document, PoAcknowledgment):
            events.append(_po_acknowledged(document))
        elif isinstance(document, ShipNotice):
            events.extend(_ship_notice(document))
        elif isinstance(document, Invoice):
            events.append(_invoice_received(document))
        elif isinstance(document, WarehouseShippingAdvice):
            events.append(_order_shipped(document))
    return events


def _po_created(po: PurchaseOrder) -> dict[str, Any]:
    supplier = party_code(po.parties, *_SUPPLIER_ROLES) or po.origin.receiver
    lines = [
        _without_none(
            line_number=_line_number(line.line_number, position),
            sku=line.item.sku,
            quantity=_number(line.quantity),
            due_date=_iso(line.requested_date or po.requested_date),
        )
        for position, line in enumerate(po.lines, start=1)
    ]
    return _event(
        po.origin,
        "po_created",
        reference=po.po_number,
        location_code=party_code(po.parties, "ST"),
        data={"supplier_code": supplier, "lines": lines},
    )


def _po_acknowledged(ack: PoAcknowledgment) -> dict[str, Any]:
    lines = [
        _without_none(
            line_number=_line_number(line.line_number, position),
            status=line.status,
            quantity=_number(line.quantity),
            promised_date=_iso(line.promised_date),
        )
        for position, line in enumerate(ack.lines, start=1)
    ]
    return _event(
        ack.origin,
        "po_acknowledged",
        reference=ack.po_number,
        data={"supplier_code": _supplier(ack.parties, ack.origin), "lines": lines},
    )


def _ship_notice(asn: ShipNotice) -> list[dict[str, Any]]:
    supplier = _supplier(asn.parties, asn.origin)
    po_numbers = list(dict.fromkeys(item.po_number for item in asn.items))
    po_numbers += [o.po_number for o in asn.orders if o.po_number not in po_numbers]
    events = []
    for po_number in po_numbers or [""]:
        common = {"reference": asn.asn_number, "location_code": party_code(asn.parties, "ST")}
        suffix = po_number
        if asn.expected_arrival is None:
            data = _without_none(po_number=po_number or None, supplier_code=supplier)
            events.append(_event(asn.origin, "po_shipped", suffix=suffix, data=data, **common))
            continue
        lines = [
            _without_none(
                po_line=int(item.po_line) if item.po_line.isdigit() else None,
                sku=item.item.sku,
                quantity=_number(item.quantity),
            )
            for item in asn.items
            if item.po_number == po_number
        ]
        data = {
            "po_number": po_number or None,
            "supplier_code": supplier,
            "expected_arrival": _iso(asn.expected_arrival),
            "lines": lines,
        }
        events.append(_event(asn.origin, "asn_received", suffix=suffix, data=data, **common))
    return events


def _invoice_received(invoice: Invoice) -> dict[str, Any]:
    lines = [
        _without_none(
            po_line=_line_number(line.line_number, position),
            quantity=_number(line.quantity),
            unit_price=_money(line.unit_price),
        )
        for position, line in enumerate(invoice.lines, start=1)
    ]
    data = _without_none(
        po_number=invoice.po_number or None,
        supplier_code=_supplier(invoice.parties, invoice.origin),
        lines=lines,
        total=_money(invoice.total),
        currency=invoice.currency or None,
    )
    return _event(invoice.origin, "invoice_received", reference=invoice.invoice_number, data=data)


def _order_shipped(advice: WarehouseShippingAdvice) -> dict[str, Any]:
    data = _without_none(
        shipment_number=advice.shipment_number or None, carrier=advice.carrier or None
    )
    return _event(advice.origin, "order_shipped", reference=advice.order_number, data=data)


# ---------------------------------------------------------------- helpers


def _event(
    origin: Origin, event_type: str, *, suffix: str = "", data: dict[str, Any], **envelope: Any
) -> dict[str, Any]:
    # senders reuse ST02 within a group (EDI.Net's issue 135 sample): the document's
    # own number keeps two documents apart, and the same document the same
    reference = envelope.get("reference") or ""
    identity = [origin.sender, origin.interchange, origin.group, origin.transaction]
    parts = [*identity, event_type, reference, *([suffix] if suffix else [])]
    return {
        "event_id": "edi:" + ":".join(parts),
        "event_type": event_type,
        "occurred_at": _occurred_at(origin),
        "source": SOURCE,
        **{key: value for key, value in envelope.items() if value},
        "data": data,
    }


def _occurred_at(origin: Origin) -> str | None:
    if origin.sent_on is None:
        return None
    digits = origin.sent_at if origin.sent_at.isdigit() else ""
    hour, minute = (int(digits[:2]), int(digits[2:4])) if len(digits) >= 4 else (0, 0)
    second = int(digits[4:6]) if len(digits) >= 6 else 0
    try:
        moment = datetime.combine(origin.sent_on, time(hour, minute, second), UTC)
    except ValueError:
        moment = datetime.combine(origin.sent_on, time(), UTC)
    return moment.isoformat().replace("+00:00", "Z")


def _supplier(parties: Sequence[Party], origin: Origin) -> str:
    return party_code(parties, *_SUPPLIER_ROLES) or origin.sender


def _line_number(text: str, position: int) -> int:
    """PO101 / IT101 as a number; its position when the sender left it out or it is no
    whole number (the element is optional in X12)."""
    return int(text) if text.isdigit() and int(text) > 0 else position


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _without_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}
