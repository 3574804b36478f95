"""850 purchase orders, 855 acknowledgments and 810 invoices as canonical documents.

Tolerant of what is optional: a segment Crossdock does not use is skipped, an absent
optional element reads as empty. A value present but malformed (a date that is no
date, a quantity that is no number) is refused with its position.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crossdock.ingest.edi.documents import (
    AcknowledgedLine,
    Invoice,
    InvoiceLine,
    PoAcknowledgment,
    PurchaseOrder,
    PurchaseOrderLine,
)
from crossdock.ingest.edi.envelope import Interchange, TransactionSet
from crossdock.ingest.edi.tokenizer import Segment
from crossdock.ingest.edi.values import SetReader, header, item_ids, loops, parties

# ACK01 codes that mean the line stands as ordered, or is refused; any other code
# (IC, IQ, IP, DR, IB, IS...) changes the line's quantity, date, price or item.
ACCEPTED_CODES = frozenset({"IA", "AC", "AR", "IE"})
REJECTED_CODES = frozenset({"IR", "ID", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"})
# BAK02 acknowledgment types, for a line that carries no ACK of its own.
_REJECTING_TYPES = frozenset({"RJ", "RD", "RF", "RO", "RV"})
_CHANGING_TYPES = frozenset({"AC", "AE"})
# DTM qualifiers a supplier promises with: 067 current schedule delivery, 068 current
# schedule ship, 069 promised for delivery, 002 delivery requested, 017 estimated delivery.
_PROMISED = ("069", "067", "017", "068", "002")


def read_purchase_order(transaction: TransactionSet, interchange: Interchange) -> PurchaseOrder:
    """850: BEG, CUR, header DTM and N1 parties, PO1 lines with PID and DTM, CTT."""
    reader = SetReader(transaction)
    beg = reader.first("BEG")
    if beg is None or not beg[3]:
        raise reader.refuse(transaction.segments[0], "850 without a BEG03 purchase order number")
    heading = header(reader.body, "PO1")
    lines = tuple(
        PurchaseOrderLine(
            line_number=po1[1],
            quantity=reader.number(po1, 2),
            uom=po1[3],
            unit_price=reader.number(po1, 4),
            item=item_ids(po1, 6),
            description=_description(members),
            requested_date=reader.dated(members, "002", "010", "037"),
        )
        for po1, members in loops(reader.body, "PO1")
    )
    return PurchaseOrder(
        origin=reader.origin(interchange),
        po_number=beg[3],
        purpose=beg[1],
        order_type=beg[2],
        order_date=reader.day(beg, 5),
        currency=reader.text(reader.first("CUR"), 2),
        requested_date=reader.dated(heading, "002", "010", "037"),
        parties=parties(heading),
        lines=lines,
        stated_line_count=reader.integer(reader.first("CTT"), 1),
    )


def read_acknowledgment(transaction: TransactionSet, interchange: Interchange) -> PoAcknowledgment:
    """855: BAK, N1 parties, PO1 lines each answered by ACK segments (or by BAK02)."""
    reader = SetReader(transaction)
    bak = reader.first("BAK")
    if bak is None or not bak[3]:
        raise reader.refuse(transaction.segments[0], "855 without a BAK03 purchase order number")
    heading = header(reader.body, "PO1")
    header_promise = reader.dated(heading, *_PROMISED)
    lines = tuple(
        _acknowledged_line(reader, po1, members, bak[2], header_promise)
        for po1, members in loops(reader.body, "PO1")
    )
    return PoAcknowledgment(
        origin=reader.origin(interchange),
        po_number=bak[3],
        acknowledgment_type=bak[2],
        po_date=reader.day(bak, 4),
        acknowledged_on=reader.day(bak, 9),
        parties=parties(heading),
        lines=lines,
    )


def read_invoice(transaction: TransactionSet, interchange: Interchange) -> Invoice:
    """810: BIG, CUR, N1 parties, IT1 lines, TDS total (two implied decimals)."""
    reader = SetReader(transaction)
    big = reader.first("BIG")
    if big is None or not big[2]:
        raise reader.refuse(transaction.segments[0], "810 without a BIG02 invoice number")
    lines = tuple(
        InvoiceLine(
            line_number=it1[1],
            quantity=reader.number(it1, 2),
            uom=it1[3],
            unit_price=reader.number(it1, 4),
            item=item_ids(it1, 6),
        )
        for it1, _ in loops(reader.body, "IT1")
    )
    # no BIG04: the lines may name the PO (qualifier PO), if they all name the same one
    named = {line.item.get("PO") for line in lines}
    po_number = big[4] or (named.pop() or "" if len(named) == 1 else "")
    tds = reader.first("TDS")
    total = reader.number(tds, 1)
    if total is not None and "." not in reader.text(tds, 1):
        total = total / 100
    return Invoice(
        origin=reader.origin(interchange),
        invoice_number=big[2],
        invoice_date=reader.day(big, 1),
        po_number=po_number,
        po_date=reader.day(big, 3),
        currency=reader.text(reader.first("CUR"), 2),
        parties=parties(header(reader.body, "IT1")),
        lines=lines,
        total=total,
    )


def _acknowledged_line(
    reader: SetReader,
    po1: Segment,
    members: list[Segment],
    acknowledgment_type: str,
    header_promise: date | None,
) -> AcknowledgedLine:
    acks = [s for s in members if s.tag == "ACK"]
    codes = tuple(ack[1] for ack in acks)
    kept = [ack for ack in acks if ack[1] not in REJECTED_CODES]
    quantities = [q for q in (reader.number(ack, 2) for ack in kept) if q is not None]
    promised = (
        next((reader.day(ack, 5) for ack in kept if ack[5]), None)
        or reader.dated(members, *_PROMISED)
        or header_promise
    )
    return AcknowledgedLine(
        line_number=po1[1],
        ordered_quantity=reader.number(po1, 2),
        uom=po1[3],
        unit_price=reader.number(po1, 4),
        item=item_ids(po1, 6),
        status=_status(codes, acknowledgment_type),
        ack_codes=codes,
        quantity=sum(quantities, Decimal(0)) if quantities else None,
        promised_date=promised,
    )


def _status(codes: tuple[str, ...], acknowledgment_type: str) -> str:
    if not codes:
        if acknowledgment_type in _REJECTING_TYPES:
            return "rejected"
        return "changed" if acknowledgment_type in _CHANGING_TYPES else "accepted"
    if all(code in REJECTED_CODES for code in codes):
        return "rejected"
    if all(code in ACCEPTED_CODES for code in codes):
        return "accepted"
    return "changed"


def _description(members: list[Segment]) -> str:
    return next((s[5] for s in members if s.tag == "PID" and s[5]), "")
