"""Draft messages, composed from a tool's facts only: a reply to a customer about an
order, a follow-up to a supplier about its purchase order lines.

A draft states the facts the records give (order, dates, units) and nothing else: no
promise the records do not make, no money. It is never sent from here: the assistant
turns it into a recommendation that the approval policy routes to a person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Draft:
    """A message to approve: who it is for, its subject and its text."""

    addressee_kind: str  # "customer" or "supplier"
    addressee: str  # the customer or supplier code
    subject: str
    body: str
    about: str  # the order or PO number it is about
    site: str | None = None  # the warehouse it concerns (whose people may approve it)
    sku: str | None = None  # the first item it is about
    units: float = 0.0  # the units it is about (late for a customer, at risk for a PO)


def customer_reply(order: Mapping[str, Any]) -> Draft | None:
    """A reply to the customer about order `order` (the `order_status` tool's facts),
    or None when the facts name no order."""
    number = order.get("order_number")
    customer = order.get("customer_code")
    if not number or not customer:
        return None
    name = order.get("customer_name") or customer
    short = [line for line in _lines(order) if _short(line) > 0]
    revised = order.get("revised_ship_date")
    requested = order.get("requested_date")
    paragraphs = [f"Dear {name},", f"Thank you for your order {number}."]
    if short:
        items = ", ".join(f"{_units(_short(line))} of {line.get('sku')}" for line in short)
        if revised and requested and str(revised) <= str(requested):
            paragraphs.append(
                f"{items} {'are' if len(short) > 1 or _short(short[0]) != 1 else 'is'} due in "
                f"by {revised}, so we expect to ship your order by the date you asked for "
                f"({requested}). We will tell you at once if that changes."
            )
        elif revised:
            paragraphs.append(
                f"We are sorry: {items} will not ship by the date you asked for"
                f"{f' ({requested})' if requested else ''}. Our revised ship date for "
                f"{'them' if len(short) > 1 else 'it'} is {revised}."
            )
        else:
            paragraphs.append(
                f"We are sorry: {items} will not ship by the date you asked for"
                f"{f' ({requested})' if requested else ''}, and we do not yet have a "
                "confirmed date. We will write again as soon as we have one."
            )
        ready = [line for line in _lines(order) if _short(line) <= 0]
        if ready:
            paragraphs.append(
                "The rest of the order is ready. Please tell us whether you would like us "
                "to ship what is ready now and the rest when it arrives, or to ship the "
                "order complete."
            )
    elif order.get("status") == "on_hold":
        paragraphs.append(
            "Your order is on hold while we complete a check on our side; we will confirm "
            f"the ship date{f' (you asked for {requested})' if requested else ''} as soon as "
            "it is released."
        )
    else:
        paragraphs.append(
            f"It is {str(order.get('status') or 'open').replace('_', ' ')}"
            f"{f' and due to ship on {revised or requested}' if revised or requested else ''}."
        )
    paragraphs.append("Kind regards,\nCustomer Service")
    return Draft(
        addressee_kind="customer",
        addressee=str(customer),
        subject=f"Your order {number}: ship date",
        body="\n\n".join(paragraphs),
        about=str(number),
        site=_text(order.get("location_code")),
        sku=_text((short or _lines(order) or [{}])[0].get("sku")),
        units=sum(_short(line) for line in short),
    )


def supplier_follow_up(risk: Mapping[str, Any]) -> Draft | None:
    """A follow-up to the supplier about its purchase order lines at risk (the
    `supplier_po_risk` tool's facts), or None when no line is at risk."""
    supplier = risk.get("supplier_code")
    lines = [line for line in risk.get("lines") or () if isinstance(line, Mapping)]
    if not supplier or not lines:
        return None
    name = risk.get("supplier_name") or supplier
    asks = []
    for line in lines[:10]:
        reasons = "; ".join(str(r) for r in line.get("reasons") or ()) or "at risk"
        asks.append(
            f"- {line.get('po_number')} line {line.get('line_number')}: "
            f"{_units(float(line.get('ordered_quantity') or 0))} of {line.get('sku')}, "
            f"promised {line.get('promised_date') or 'without a date'} ({reasons})"
        )
    body = "\n\n".join(
        [
            f"Dear {name},",
            "We are reviewing these purchase order lines and need your confirmation:",
            "\n".join(asks),
            (
                "Please confirm each line's quantity and ship date (EDI 855 or a reply to "
                "this message), and tell us at once of any change."
            ),
            "Kind regards,\nPurchasing",
        ]
    )
    first = lines[0].get("po_number")
    return Draft(
        addressee_kind="supplier",
        addressee=str(supplier),
        subject=f"Purchase orders to confirm: {', '.join(_pos(lines))}",
        body=body,
        about=str(first),
        site=_text(lines[0].get("location_code")),
        sku=_text(lines[0].get("sku")),
        units=sum(float(line.get("ordered_quantity") or 0) for line in lines),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _lines(order: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    return [line for line in order.get("lines") or () if isinstance(line, Mapping)]


def _short(line: Mapping[str, Any]) -> float:
    ordered = float(line.get("ordered_quantity") or 0)
    shipped = float(line.get("shipped_quantity") or 0)
    backordered = line.get("backordered_quantity")
    if backordered:
        return float(backordered)
    available = line.get("available")
    if available is None:
        return 0.0
    return max(0.0, ordered - shipped - max(0.0, float(available)))


def _units(value: float) -> str:
    whole = round(value)
    return f"{whole:,} unit{'s' if whole != 1 else ''}" if whole == value else f"{value:,.2f} units"


def _pos(lines: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(str(line.get("po_number")) for line in lines))[:5]
