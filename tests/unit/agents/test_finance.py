"""The finance agent's three-way match, by hand-checked numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crossdock.agents.finance import (
    ALL_ITEMS,
    BILLED_OVER_RECEIVED,
    NOT_ON_PO,
    PRICE_OVER_PO,
    TOTAL_DIFFERS,
    UNKNOWN_PO,
    Invoice,
    InvoiceLine,
    PoLine,
    PurchaseOrder,
    Receipt,
    earlier_invoices,
    holds,
    invoice_from_event,
    match,
    price_limit,
    receipts_received,
)
from crossdock.domain.errors import InvalidRecord

BOLTS = PoLine(1, "A100", Decimal(200), Decimal("6.20"), Decimal(0))
WASHERS = PoLine(2, "W10", Decimal(1000), Decimal("0.50"), Decimal(0))


def _po(*lines: PoLine, status: str = "sent", supplier: str = "SUP1") -> PurchaseOrder:
    return PurchaseOrder("PO-1", supplier, "DC1", status, lines or (BOLTS, WASHERS))


def _invoice(*lines: tuple[int, str, str], total: str | None = None, number: str = "INV-1",
             at: str = "2026-11-28T08:00:00Z") -> Invoice:  # fmt: skip
    billed = tuple(InvoiceLine(n, Decimal(q), Decimal(p)) for n, q, p in lines)
    stated = (
        Decimal(total) if total else sum((x.quantity * x.unit_price for x in billed), Decimal(0))
    )
    return Invoice(number, "SUP1", "PO-1", stated, "EUR", billed, f"EV-{number}", at)


def _received(*quantities: tuple[str, int]) -> list[Receipt]:
    return [Receipt(f"GR-{i}", sku, Decimal(q)) for i, (sku, q) in enumerate(quantities)]


def _holds(invoice: Invoice, po: PurchaseOrder | None, receipts=(), earlier=()):
    found = match(invoice, po, receipts, earlier) if po else []
    return holds(invoice, po, found)


def test_the_price_tolerance_is_two_percent_or_five_cents_a_unit_whichever_is_more():
    assert price_limit(Decimal("6.20")) == Decimal("6.3240")  # 2% = 0.124 > 0.05
    assert price_limit(Decimal("0.50")) == Decimal("0.55")  # 2% = 0.01 < 0.05


def test_an_invoice_within_tolerance_and_received_proposes_nothing():
    invoice = _invoice((1, "200", "6.32"), (2, "1000", "0.55"))
    assert _holds(invoice, _po(), _received(("A100", 200), ("W10", 1000))) == []


def test_a_price_over_tolerance_holds_the_line_for_the_difference():
    invoice = _invoice((1, "200", "6.45"), (2, "1000", "0.50"))
    (hold,) = _holds(invoice, _po(), _received(("A100", 200), ("W10", 1000)))
    assert (hold.po_line, hold.sku, hold.problems) == (1, "A100", (PRICE_OVER_PO,))
    assert (hold.billed, hold.matched, hold.overbilled) == (
        Decimal("1290.00"),
        Decimal("1240.00"),
        Decimal("50.00"),
    )
    assert "billed at 6.45 a unit against 6.20 on the PO (accepted up to 6.32)" in hold.rationale
    assert "50.00 overbilled" in hold.rationale


def test_a_cheap_item_is_held_only_beyond_five_cents_a_unit():
    ok = _invoice((2, "1000", "0.55"))
    over = _invoice((2, "1000", "0.56"))
    receipts = _received(("W10", 1000))
    assert _holds(ok, _po(), receipts) == []
    (hold,) = _holds(over, _po(), receipts)
    assert hold.overbilled == Decimal("60.00")  # 1000 x (0.56 - 0.50)


def test_billed_before_the_goods_arrived_waits_for_them_while_the_po_expects_them():
    invoice = _invoice((1, "200", "6.20"))
    assert _holds(invoice, _po(), _received(("W10", 1000))) == []
    (line,) = match(invoice, _po(), _received(("W10", 1000)))
    assert (line.awaited, line.matched_quantity, line.problems) == (Decimal(200), Decimal(200), ())


def test_once_goods_arrive_billing_more_than_arrived_is_held():
    invoice = _invoice((1, "200", "6.20"))
    (hold,) = _holds(invoice, _po(), _received(("A100", 150)))
    assert (hold.problems, hold.overbilled) == ((BILLED_OVER_RECEIVED,), Decimal("310.00"))


def test_a_price_over_po_is_held_at_once_while_the_goods_are_awaited():
    invoice = _invoice((1, "200", "6.45"))
    (hold,) = _holds(invoice, _po(), [])
    assert (hold.problems, hold.overbilled) == ((PRICE_OVER_PO,), Decimal("50.00"))
    assert "200 of the units billed are still to be received" in hold.rationale


def test_billed_more_than_received_on_a_closed_po_is_held_for_the_units_not_received():
    invoice = _invoice((1, "200", "6.20"))
    (hold,) = _holds(invoice, _po(status="received"), _received(("A100", 150)))
    assert hold.problems == (BILLED_OVER_RECEIVED,)
    assert (hold.billed, hold.matched, hold.overbilled) == (
        Decimal("1240.00"),
        Decimal("930.00"),
        Decimal("310.00"),
    )
    assert "billed 200 units when 150 were received (50 more than received)" in hold.rationale


def test_billed_more_than_ordered_is_held_even_while_goods_are_expected():
    invoice = _invoice((1, "220", "6.20"))
    (hold,) = _holds(invoice, _po(), _received(("A100", 150)))
    assert hold.problems == (BILLED_OVER_RECEIVED,)
    assert hold.overbilled == Decimal("434.00")  # 70 x 6.20


def test_units_an_earlier_invoice_billed_cannot_be_billed_again():
    first = _invoice((1, "150", "6.20"), number="INV-1", at="2026-11-20T08:00:00Z")
    second = _invoice((1, "50", "6.20"), number="INV-2")
    receipts = _received(("A100", 150))
    earlier = earlier_invoices(second, [first, second])
    assert earlier == [first]
    (hold,) = _holds(second, _po(status="closed"), receipts, earlier)
    assert hold.overbilled == Decimal("310.00")
    assert "and 150 already billed" in hold.rationale
    # the first invoice sent again under another event id is not an earlier invoice
    resent = Invoice(
        **{**_fields(first), "event_id": "EV-2", "occurred_at": "2026-11-29T00:00:00Z"}
    )
    assert earlier_invoices(resent, [first, resent, second]) == []


def test_a_line_not_on_the_po_is_held_whole():
    invoice = _invoice((1, "200", "6.20"), (7, "10", "12.00"))
    (hold,) = _holds(invoice, _po(), _received(("A100", 200)))
    assert (hold.po_line, hold.sku, hold.problems) == (7, ALL_ITEMS, (NOT_ON_PO,))
    assert (hold.billed, hold.matched) == (Decimal("120.00"), Decimal(0))


def test_an_invoice_for_an_unknown_po_or_another_suppliers_po_is_held_whole():
    invoice = _invoice((1, "200", "6.20"), total="1240.00")
    (unknown,) = _holds(invoice, None)
    assert (unknown.po_line, unknown.problems) == (None, (UNKNOWN_PO,))
    assert (unknown.billed, unknown.matched, unknown.overbilled) == (
        Decimal("1240.00"), Decimal(0), Decimal("1240.00")
    )  # fmt: skip
    (theirs,) = _holds(invoice, _po(supplier="SUP9"), _received(("A100", 200)))
    assert "PO-1 is SUP9's PO" in theirs.rationale


def test_a_total_that_is_not_the_sum_of_the_lines_holds_the_invoice():
    within = _invoice((1, "200", "6.20"), total="1241.00")
    beyond = _invoice((1, "200", "6.20"), total="1290.00")
    receipts = _received(("A100", 200))
    assert _holds(within, _po(), receipts) == []
    (hold,) = _holds(beyond, _po(), receipts)
    assert (hold.po_line, hold.problems, hold.overbilled) == (
        None,
        (TOTAL_DIFFERS,),
        Decimal("50.00"),
    )


def test_receipts_count_the_erp_figure_or_the_receipts_whichever_is_more():
    po = _po(PoLine(1, "A100", Decimal(200), Decimal("6.20"), Decimal(180)))
    invoice = _invoice((1, "200", "6.20"))
    (line,) = match(invoice, po, _received(("A100", 120)))
    assert line.received == Decimal(180)
    (line,) = match(invoice, po, _received(("A100", 120), ("A100", 80), ("W10", 5)))
    assert line.received == Decimal(200)


def test_goods_received_events_add_only_receipts_not_yet_in_the_table():
    rows = [Receipt("GR-1", "A100", Decimal(100))]
    events = [
        {"event_id": "E1", "sku": "A100", "quantity": 100.0, "data": {"receipt_number": "GR-1"}},
        {"event_id": "E2", "sku": "A100", "quantity": 60.0, "data": {"po_line": 1}},
        {"event_id": "E2", "sku": "A100", "quantity": 60.0, "data": {"po_line": 1}},
    ]
    found = receipts_received(rows, events)
    assert [(r.receipt, r.quantity, r.po_line) for r in found] == [
        ("GR-1", Decimal(100), None),
        ("E2", Decimal(60), 1),
    ]


def test_an_invoice_event_becomes_an_invoice_and_a_bad_amount_is_named():
    event = {"event_id": "EV-9", "event_type": "invoice_received", "reference": "INV-9",
             "occurred_at": "2026-11-28T08:01:00Z",
             "data": {"po_number": "PO-1", "supplier_code": "SUP1", "total": "3432.00",
                      "lines": [{"po_line": 1, "quantity": 480.0,
                                 "unit_price": "4.65"}]}}  # fmt: skip
    invoice = invoice_from_event(event)
    assert (invoice.invoice_number, invoice.total, invoice.lines) == (
        "INV-9", Decimal("3432.00"), (InvoiceLine(1, Decimal("480.0"), Decimal("4.65")),)
    )  # fmt: skip
    event["data"]["lines"][0]["unit_price"] = "4,65"
    with pytest.raises(InvalidRecord, match=r"EV-9: data.lines\[0\].unit_price='4,65'"):
        invoice_from_event(event)


def _fields(invoice: Invoice) -> dict[str, object]:
    return {name: getattr(invoice, name) for name in Invoice.__slots__}
