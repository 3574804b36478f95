"""The finance agent's handler: match an invoice when it arrives, and the invoices of a
PO again when its goods arrive; hold what does not match, once per invoice line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from crossdock.agents import finance
from crossdock.agents.finance import Hold, Invoice, LineMatch, PurchaseOrder, Receipt
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.agent_ports import ProposalSink
from crossdock.service_layer.dispatching import Consumer

MODEL_VERSION = "finance agent 1: three-way match of invoice, PO and receipts"
POLICY_VERSION = (
    f"price up to the PO's + max({finance.PRICE_TOLERANCE_RATE:%}, "
    f"{finance.PRICE_TOLERANCE_PER_UNIT} a unit); billed <= received + "
    f"{finance.QUANTITY_TOLERANCE} units; total within {finance.TOTAL_TOLERANCE} of the lines"
)
CONFIDENCE = 0.9  # receipts the ERP has not reported yet can make a line look short


class FinanceData(ProposalSink, Protocol):
    def purchase_order(self, po_number: str) -> PurchaseOrder | None:
        """The PO with every line, or None when there is no such PO."""
        ...

    def po_receipts(self, po_number: str) -> list[Receipt]:
        """The receipts rows of the PO."""
        ...

    def po_events(self, po_number: str, event_type: str) -> list[Mapping[str, Any]]:
        """Events stored for the PO: invoices (`invoice_received` naming it in
        data.po_number) or receipts (`goods_received` with it as reference)."""
        ...


def consumer(data: FinanceData) -> Consumer:
    """The finance agent as an outbox consumer."""

    def handle(event: Mapping[str, Any]) -> None:
        arrived: Invoice | None = None
        if event["event_type"] == "invoice_received":
            arrived = finance.invoice_from_event(event)
            po_number = arrived.po_number
        elif event.get("reference"):  # goods_received: invoices that came before the goods
            po_number = str(event["reference"])
        else:
            return
        po = data.purchase_order(po_number)
        if po is None and arrived is None:
            return  # a transfer's receipt, or a PO Crossdock does not know
        stored = [
            finance.invoice_from_event(e) for e in data.po_events(po_number, "invoice_received")
        ]
        invoices = finance.distinct_invoices([*stored, *([arrived] if arrived else [])])
        to_match = [i for i in invoices if arrived is None or _same(i, arrived)]
        goods = [*data.po_events(po_number, "goods_received")]
        if arrived is None:
            goods.append(event)
        receipts = finance.receipts_received(data.po_receipts(po_number), goods)
        for invoice in to_match:
            earlier = finance.earlier_invoices(invoice, invoices)
            matches = finance.match(invoice, po, receipts, earlier) if po is not None else []
            for hold in finance.holds(invoice, po, matches):
                data.save_proposal(_row(event, invoice, po, hold, matches, receipts, earlier))

    return Consumer(finance.AGENT, finance.TOPICS, handle)


def _same(a: Invoice, b: Invoice) -> bool:
    return (a.supplier_code, a.invoice_number) == (b.supplier_code, b.invoice_number)


def _row(
    event: Mapping[str, Any],
    invoice: Invoice,
    po: PurchaseOrder | None,
    hold: Hold,
    matches: Sequence[LineMatch],
    receipts: Sequence[Receipt],
    earlier: Sequence[Invoice],
) -> dict[str, Any]:
    about = str(hold.po_line) if hold.po_line is not None else hold.problems[0]
    evidence = {
        "invoice": {"invoice_number": invoice.invoice_number,
                    "supplier_code": invoice.supplier_code, "po_number": invoice.po_number,
                    "currency": invoice.currency, "total": str(invoice.total),
                    "lines_total": str(sum((m.billed for m in matches), Decimal(0))),
                    "invoice_event_id": invoice.event_id},
        "hold": {"po_line": hold.po_line, "problems": list(hold.problems),
                 "billed": str(hold.billed), "matched": str(hold.matched),
                 "overbilled": str(hold.overbilled)},
        "lines": [_line_evidence(m) for m in matches],
        "receipts": [{"receipt": r.receipt, "sku": r.sku, "po_line": r.po_line,
                      "quantity": float(r.quantity)} for r in receipts],
        "earlier_invoices": [i.invoice_number for i in earlier],
        "tolerances": {"price_rate": str(finance.PRICE_TOLERANCE_RATE),
                       "price_per_unit": str(finance.PRICE_TOLERANCE_PER_UNIT),
                       "quantity": str(finance.QUANTITY_TOLERANCE),
                       "total": str(finance.TOTAL_TOLERANCE)},
    }  # fmt: skip
    alternatives = [
        {"alternative": "pay as invoiced", "kind": "none", "cost": str(hold.billed),
         "chosen": False},
        {"alternative": "hold, pay as matched", "kind": "invoice_hold", "cost": str(hold.matched),
         "chosen": True},
    ]  # fmt: skip
    row = proposal_row(
        agent=finance.AGENT,
        event=event,
        key=(invoice.invoice_number, about),
        kind="invoice_hold",
        sku=hold.sku,
        from_code=invoice.supplier_code,
        to_code=po.location_code if po is not None else event.get("location_code") or "*",
        po_number=invoice.po_number,
        line_number=hold.po_line,
        quantity=float(hold.quantity),
        rationale=hold.rationale,
        evidence=evidence,
        alternatives=alternatives,
        confidence=CONFIDENCE,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=f"invoice {invoice.invoice_number} from {invoice.supplier_code}"
        + (f" line {hold.po_line}" if hold.po_line is not None else ""),
        expected_cost=float(hold.matched),
        purchase_cost=float(hold.matched),
        do_nothing_cost=float(hold.billed),
        savings=float(hold.overbilled),
        marginal_savings=float(hold.overbilled),
        order_value=float(hold.billed),
    )
    # One hold per invoice line, whichever event revealed it: the invoice itself, or the
    # goods that arrived after it (or the invoice sent again under another event id).
    row["idempotency_key"] = ":".join(
        (finance.AGENT, invoice.supplier_code, invoice.invoice_number, about)
    )
    return row


def _line_evidence(m: LineMatch) -> dict[str, Any]:
    po_line = m.po_line
    return {
        "po_line": m.line.po_line,
        "sku": po_line.sku if po_line else None,
        "billed_quantity": float(m.line.quantity),
        "billed_price": str(m.line.unit_price),
        "po_price": str(po_line.unit_price) if po_line else None,
        "price_limit": str(finance.price_limit(po_line.unit_price)) if po_line else None,
        "ordered": float(po_line.ordered_quantity) if po_line else None,
        "received": float(m.received),
        "billed_before": float(m.billed_before),
        "matched_quantity": float(m.matched_quantity),
        "matched_price": str(m.matched_price),
        "awaited": float(m.awaited),
        "billed": str(m.billed),
        "matched": str(m.matched),
        "overbilled": str(m.overbilled),
        "problems": list(m.problems),
    }
