"""The finance agent: three-way match of a supplier's invoice against its PO and what
was received (less what earlier invoices billed), within the usual tolerances.

A line billed above the PO price beyond tolerance, for more than was received, or not on
the PO, and an invoice for a PO that is not the supplier's or whose total is not the sum
of its lines, is held, with what paying as invoiced costs above paying as matched. A line
billed before any of its goods arrived, within what the PO still expects, waits for them
(matched again when they are received). A clean invoice proposes nothing. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from crossdock.domain.errors import InvalidRecord

AGENT = "agent:finance"
TOPICS = ("events.invoice_received", "events.goods_received")
# The workflows it may propose in and the data it reads: declared, and checked when it
# proposes (service_layer/agent_runtime.py); `crossdock agents` lists them.
WORKFLOWS = frozenset({"invoice_match"})
DATA = frozenset({"purchase_orders", "receipts", "invoices", "supplier_cost"})

# Tolerances, as accounts payable at a distributor usually sets them.
PRICE_TOLERANCE_RATE: Final = Decimal("0.02")  # 2% above the PO price is accepted ...
PRICE_TOLERANCE_PER_UNIT: Final = Decimal("0.05")  # ... or 0.05 a unit, whichever is more
QUANTITY_TOLERANCE: Final = Decimal("0")  # never pay for units not received
TOTAL_TOLERANCE: Final = Decimal("1.00")  # stated total vs the sum of the lines (rounding)
ALL_ITEMS: Final = "*"  # the item of a hold on a whole invoice
_CLOSED_POS = ("received", "closed", "cancelled")
_CENT = Decimal("0.01")
_ZERO = Decimal("0")

PRICE_OVER_PO = "price_over_po"
BILLED_OVER_RECEIVED = "billed_over_received"
NOT_ON_PO = "not_on_po"
UNKNOWN_PO = "unknown_po"
TOTAL_DIFFERS = "total_differs"


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    po_line: int
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class Invoice:
    invoice_number: str
    supplier_code: str
    po_number: str
    total: Decimal
    currency: str | None
    lines: tuple[InvoiceLine, ...]
    event_id: str
    occurred_at: str  # ISO 8601 UTC, as the event carries it

    @property
    def order(self) -> tuple[str, str]:
        return (self.occurred_at, self.event_id)


@dataclass(frozen=True, slots=True)
class PoLine:
    line_number: int
    sku: str
    ordered_quantity: Decimal
    unit_price: Decimal
    received_quantity: Decimal  # as the ERP counts it


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    po_number: str
    supplier_code: str
    location_code: str
    status: str
    lines: tuple[PoLine, ...]


@dataclass(frozen=True, slots=True)
class Receipt:
    """Goods received against the PO: a receipts row, or a goods_received event."""

    receipt: str  # receipt number, or the event id when the event gave none
    sku: str | None
    quantity: Decimal
    po_line: int | None = None


@dataclass(frozen=True, slots=True)
class LineMatch:
    line: InvoiceLine
    po_line: PoLine | None
    received: Decimal
    billed_before: Decimal  # on earlier invoices for the same PO line
    matched_quantity: Decimal
    matched_price: Decimal
    awaited: Decimal  # billed units the PO still expects to receive
    problems: tuple[str, ...]

    @property
    def billed(self) -> Decimal:
        return (self.line.quantity * self.line.unit_price).quantize(_CENT)

    @property
    def matched(self) -> Decimal:
        return (self.matched_quantity * self.matched_price).quantize(_CENT)

    @property
    def overbilled(self) -> Decimal:
        return self.billed - self.matched


@dataclass(frozen=True, slots=True)
class Hold:
    """An invoice line (or the whole invoice, `po_line` None) to hold, and why."""

    po_line: int | None
    sku: str
    quantity: Decimal
    billed: Decimal  # paying as invoiced
    matched: Decimal  # paying as matched
    problems: tuple[str, ...]
    rationale: str

    @property
    def overbilled(self) -> Decimal:
        return self.billed - self.matched


def invoice_from_event(event: Mapping[str, Any]) -> Invoice:
    """The invoice an invoice_received event carries."""
    data = event.get("data") or {}
    return Invoice(
        invoice_number=str(event["reference"]),  # the catalogue requires these three
        supplier_code=str(data["supplier_code"]),
        po_number=str(data["po_number"]),
        total=_decimal(event, "data.total", data.get("total")),
        currency=data.get("currency"),
        lines=tuple(
            InvoiceLine(
                po_line=int(line["po_line"]),
                quantity=_decimal(event, f"data.lines[{i}].quantity", line.get("quantity")),
                unit_price=_decimal(event, f"data.lines[{i}].unit_price", line.get("unit_price")),
            )
            for i, line in enumerate(data.get("lines") or [])
        ),
        event_id=str(event["event_id"]),
        occurred_at=str(event["occurred_at"]),
    )


def receipts_received(
    rows: Iterable[Receipt], events: Iterable[Mapping[str, Any]]
) -> list[Receipt]:
    """The receipts rows plus the goods_received events they do not hold yet (an event
    counts once, and not at all once its receipt number is among the rows)."""
    found = list(rows)
    seen = {(r.receipt, r.sku) for r in found}
    for event in events:
        data = event.get("data") or {}
        key = (str(data.get("receipt_number") or event["event_id"]), event.get("sku"))
        if key not in seen and event.get("quantity") is not None:
            seen.add(key)
            found.append(Receipt(*key, Decimal(str(event["quantity"])), data.get("po_line")))
    return found


def distinct_invoices(invoices: Iterable[Invoice]) -> list[Invoice]:
    """Each invoice once, by supplier and number (a re-sent invoice is the first one), in
    the order they arrived."""
    first: dict[tuple[str, str], Invoice] = {}
    for invoice in sorted(invoices, key=lambda i: i.order):
        first.setdefault((invoice.supplier_code, invoice.invoice_number), invoice)
    return list(first.values())


def earlier_invoices(invoice: Invoice, invoices: Iterable[Invoice]) -> list[Invoice]:
    """Other invoices on the same PO that arrived before `invoice` (before its first
    copy, when it was sent more than once)."""
    mine = (invoice.supplier_code, invoice.invoice_number)
    distinct = distinct_invoices([*invoices, invoice])
    first = next(i for i in distinct if (i.supplier_code, i.invoice_number) == mine)
    return [i for i in distinct if i is not first and i.order < first.order]


def match(
    invoice: Invoice,
    po: PurchaseOrder,
    receipts: Sequence[Receipt],
    earlier: Sequence[Invoice] = (),
) -> list[LineMatch]:
    """Each invoice line against its PO line and what was received for it."""
    lines = {line.line_number: line for line in po.lines}
    skus = [line.sku for line in po.lines]
    out = []
    for billed in invoice.lines:
        po_line = lines.get(billed.po_line)
        if po_line is None:
            out.append(LineMatch(billed, None, _ZERO, _ZERO, _ZERO, billed.unit_price, _ZERO,
                                 (NOT_ON_PO,)))  # fmt: skip
            continue
        counted = sum(
            (r.quantity for r in receipts
             if r.po_line == billed.po_line
             or (r.po_line is None and r.sku == po_line.sku and skus.count(po_line.sku) == 1)),
            _ZERO,
        )  # fmt: skip
        received = max(po_line.received_quantity, counted)
        before = sum(
            (x.quantity for i in earlier for x in i.lines if x.po_line == billed.po_line), _ZERO
        )
        out.append(
            _match_line(billed, po_line, received, before, expecting=po.status not in _CLOSED_POS)
        )
    return out


def _match_line(
    billed: InvoiceLine, po_line: PoLine, received: Decimal, before: Decimal, *, expecting: bool
) -> LineMatch:
    problems = []
    price = billed.unit_price
    if price > price_limit(po_line.unit_price):
        problems.append(PRICE_OVER_PO)
        price = po_line.unit_price
    payable = max(received - before, _ZERO)
    quantity, awaited = billed.quantity, _ZERO
    if billed.quantity > payable + QUANTITY_TOLERANCE:
        still_ordered = po_line.ordered_quantity - before
        if expecting and payable == 0 and billed.quantity <= still_ordered:
            awaited = billed.quantity - payable
        else:
            problems.append(BILLED_OVER_RECEIVED)
            quantity = payable
    return LineMatch(billed, po_line, received, before, quantity, price, awaited, tuple(problems))


def price_limit(po_price: Decimal) -> Decimal:
    """The highest unit price accepted against `po_price`."""
    return po_price + max(po_price * PRICE_TOLERANCE_RATE, PRICE_TOLERANCE_PER_UNIT)


def holds(invoice: Invoice, po: PurchaseOrder | None, matches: Sequence[LineMatch]) -> list[Hold]:
    """What to hold: each line with a problem, and the whole invoice when its PO is not
    the supplier's or its total is not the sum of its lines."""
    head = f"Invoice {invoice.invoice_number} from {invoice.supplier_code} for {invoice.po_number}"
    units = sum((line.quantity for line in invoice.lines), _ZERO)
    if po is None or po.supplier_code != invoice.supplier_code:
        why = "is not a PO Crossdock knows" if po is None else f"is {po.supplier_code}'s PO"
        return [Hold(None, ALL_ITEMS, units, invoice.total, _ZERO, (UNKNOWN_PO,), (
            f"{head}: {invoice.po_number} {why}. Nothing on it can be matched: paying it as "
            f"invoiced would pay {_money(invoice.total)} for goods not ordered from them. "
            "Hold the whole invoice."
        ))]  # fmt: skip
    found = [_line_hold(head, m) for m in matches if m.problems]
    lines_total = sum((m.billed for m in matches), _ZERO)
    difference = invoice.total - lines_total
    if abs(difference) > TOTAL_TOLERANCE:
        found.append(Hold(None, ALL_ITEMS, units, invoice.total, lines_total, (TOTAL_DIFFERS,), (
            f"{head}: the stated total {_money(invoice.total)} is not the sum of its lines "
            f"{_money(lines_total)} ({_money(difference)} apart, {_money(TOTAL_TOLERANCE)} "
            "tolerated). Hold the invoice until the supplier sends a corrected one."
        )))  # fmt: skip
    return found


def _line_hold(head: str, m: LineMatch) -> Hold:
    billed = m.line
    if m.po_line is None:
        return Hold(billed.po_line, ALL_ITEMS, billed.quantity, m.billed, _ZERO, m.problems, (
            f"{head} line {billed.po_line}: the PO has no line {billed.po_line}. "
            f"{_units(billed.quantity)} billed at {_money(billed.unit_price)}: paying as invoiced "
            f"costs {_money(m.billed)} for goods not ordered. Hold the line."
        ))  # fmt: skip
    po_line, facts = m.po_line, []
    if PRICE_OVER_PO in m.problems:
        facts.append(
            f"billed at {_money(billed.unit_price)} a unit against {_money(po_line.unit_price)} "
            f"on the PO (accepted up to {_money(price_limit(po_line.unit_price))})"
        )
    if BILLED_OVER_RECEIVED in m.problems:
        facts.append(
            f"billed {_units(billed.quantity)} units when {_units(m.received)} were received"
            + (f" and {_units(m.billed_before)} already billed" if m.billed_before else "")
            + f" ({_units(billed.quantity - m.matched_quantity)} more than received)"
        )
    if m.awaited:
        facts.append(f"{_units(m.awaited)} of the units billed are still to be received")
    return Hold(billed.po_line, po_line.sku, billed.quantity, m.billed, m.matched, m.problems, (
        f"{head} line {billed.po_line} ({po_line.sku}): " + "; ".join(facts) + ". "
        f"Paying as invoiced costs {_money(m.billed)}, as matched "
        f"({_units(m.matched_quantity)} at {_money(m.matched_price)}) {_money(m.matched)}: "
        f"{_money(m.overbilled)} overbilled. Hold the line until the supplier credits it."
    ))  # fmt: skip


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _units(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def _decimal(event: Mapping[str, Any], field: str, value: object) -> Decimal:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0:
        key = str(event.get("event_id"))
        raise InvalidRecord(entity="invoice_received event", key=key, field=field, value=value,
                            reason="not a decimal amount >= 0")  # fmt: skip
    return number
