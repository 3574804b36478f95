"""856 ship notices, 940/945 warehouse shipping order and advice, and 997 functional
acknowledgments as canonical documents.

The 856 is a hierarchy of HL segments: shipment (S), order (O), pack (P) or tare (T),
item (I), each HL naming its parent. An item belongs to the order and the pack above
it, whichever way the sender nests them (shipment-order-pack-item or
shipment-order-item).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crossdock.ingest.edi.documents import (
    AcknowledgedTransaction,
    FunctionalAcknowledgment,
    ItemIds,
    ShipNotice,
    ShippedItem,
    ShippedOrder,
    WarehouseLine,
    WarehouseShippingAdvice,
    WarehouseShippingOrder,
)
from crossdock.ingest.edi.envelope import Interchange, TransactionSet
from crossdock.ingest.edi.tokenizer import Segment
from crossdock.ingest.edi.values import SetReader, item_ids, loops, parties


@dataclass
class _Level:
    """One HL of a ship notice and the segments under it (before the next HL)."""

    hl: Segment
    members: list[Segment] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.hl[3]

    def first(self, tag: str) -> Segment | None:
        return next((s for s in self.members if s.tag == tag), None)


def read_ship_notice(transaction: TransactionSet, interchange: Interchange) -> ShipNotice:
    """856: BSN, shipment-level TD5, REF, DTM 011 (shipped) and 017 (expected
    delivery), N1 parties; PRF per order, MAN per pack, LIN and SN1 per item."""
    reader = SetReader(transaction)
    bsn = reader.first("BSN")
    if bsn is None or not bsn[2]:
        raise reader.refuse(transaction.segments[0], "856 without a BSN02 shipment id")
    levels: dict[str, _Level] = {}
    order: list[_Level] = []
    for hl, members in loops(reader.body, "HL"):
        if hl[1] in levels:
            raise reader.refuse(hl, f"HL01 {hl[1]!r} is used twice")
        if hl[2] and hl[2] not in levels:
            raise reader.refuse(hl, f"HL02 parent {hl[2]!r} is not an earlier HL")
        levels[hl[1]] = _Level(hl, members)
        order.append(levels[hl[1]])
    shipment = [s for level in order if level.code == "S" for s in level.members]
    td5 = next((s for s in shipment if s.tag == "TD5"), None)
    bill = next((s[2] for s in shipment if s.tag == "REF" and s[1] == "BM"), "")
    items = tuple(_item(reader, level, levels) for level in order if level.code == "I")
    return ShipNotice(
        origin=reader.origin(interchange),
        asn_number=bsn[2],
        purpose=bsn[1],
        notice_date=reader.day(bsn, 3),
        shipped_date=reader.dated(shipment, "011"),
        expected_arrival=reader.dated(shipment, "017", "067"),
        carrier=reader.text(td5, 3) or reader.text(td5, 5),
        bill_of_lading=bill,
        parties=parties(reader.body),
        orders=tuple(_order(reader, level, levels) for level in order if level.code == "O"),
        items=items,
    )


def read_shipping_order(
    transaction: TransactionSet, interchange: Interchange
) -> WarehouseShippingOrder:
    """940: W05 order numbers, N1 parties, W01 lines (numbered by LX), W76 totals."""
    reader = SetReader(transaction)
    w05 = reader.first("W05")
    if w05 is None or not w05[2]:
        raise reader.refuse(transaction.segments[0], "940 without a W05 depositor order number")
    lines = []
    line_number = ""
    for segment in reader.body:
        if segment.tag == "LX":
            line_number = segment[1]
        elif segment.tag == "W01":
            lines.append(
                WarehouseLine(
                    line_number=line_number,
                    quantity=reader.number(segment, 1),
                    uom=segment[2],
                    item=_with_case_code(item_ids(segment, 4), segment[3]),
                )
            )
    w76 = reader.first("W76")
    return WarehouseShippingOrder(
        origin=reader.origin(interchange),
        order_number=w05[2],
        purchase_order=w05[3],
        parties=parties(reader.body),
        lines=tuple(lines),
        total_quantity=reader.number(w76, 1),
        total_weight=reader.number(w76, 2),
    )


def read_shipping_advice(
    transaction: TransactionSet, interchange: Interchange
) -> WarehouseShippingAdvice:
    """945: W06 order and shipment numbers, N1 parties, W27 carrier, W12 lines, W03."""
    reader = SetReader(transaction)
    w06 = reader.first("W06")
    if w06 is None or not w06[2]:
        raise reader.refuse(transaction.segments[0], "945 without a W06 depositor order number")
    lines = []
    line_number = ""
    for segment in reader.body:
        if segment.tag == "LX":
            line_number = segment[1]
        elif segment.tag == "W12":
            lines.append(
                WarehouseLine(
                    line_number=line_number,
                    quantity=reader.number(segment, 2),
                    uom=segment[5],
                    item=_with_case_code(item_ids(segment, 7), segment[6]),
                    shipped_quantity=reader.number(segment, 3),
                    status=segment[1],
                )
            )
    return WarehouseShippingAdvice(
        origin=reader.origin(interchange),
        order_number=w06[2],
        shipment_number=w06[4],
        purchase_order=w06[6],
        shipped_date=reader.day(w06, 3),
        carrier=reader.text(reader.first("W27"), 2),
        parties=parties(reader.body),
        lines=tuple(lines),
        total_quantity=reader.number(reader.first("W03"), 1),
    )


def read_functional_acknowledgment(
    transaction: TransactionSet, interchange: Interchange
) -> FunctionalAcknowledgment:
    """997: AK1 (the group acknowledged), AK2/AK5 per transaction set, AK9."""
    reader = SetReader(transaction)
    ak1 = reader.first("AK1")
    if ak1 is None:
        raise reader.refuse(transaction.segments[0], "997 without an AK1 segment")
    acknowledged = tuple(
        AcknowledgedTransaction(
            code=ak2[1],
            control_number=ak2[2],
            status=next((s[1] for s in members if s.tag == "AK5"), ""),
        )
        for ak2, members in loops(reader.body, "AK2")
    )
    return FunctionalAcknowledgment(
        origin=reader.origin(interchange),
        functional_code=ak1[1],
        group_control_number=ak1[2],
        group_status=reader.text(reader.first("AK9"), 1),
        transactions=acknowledged,
    )


def _item(reader: SetReader, level: _Level, levels: dict[str, _Level]) -> ShippedItem:
    lin, sn1 = level.first("LIN"), level.first("SN1")
    order = _ancestor(level, levels, {"O"})
    pack = level if level.first("MAN") else _ancestor(level, levels, {"P", "T"})
    return ShippedItem(
        hl_id=level.hl[1],
        po_number=_po_number(order),
        pack_id=_marks(pack),
        po_line=reader.text(lin, 1) or reader.text(sn1, 1),
        item=item_ids(lin, 2) if lin is not None else ItemIds(()),
        quantity=reader.number(sn1, 2),
        uom=reader.text(sn1, 3),
    )


def _order(reader: SetReader, level: _Level, levels: dict[str, _Level]) -> ShippedOrder:
    packs = [
        other
        for other in levels.values()
        if other.code in {"P", "T"} and _ancestor(other, levels, {"O"}) is level
    ]
    return ShippedOrder(
        hl_id=level.hl[1],
        po_number=_po_number(level),
        po_date=reader.day(level.first("PRF"), 4),
        pack_ids=tuple(marks for marks in map(_marks, packs) if marks),
    )


def _ancestor(level: _Level, levels: dict[str, _Level], codes: set[str]) -> _Level | None:
    parent = levels.get(level.hl[2])
    while parent is not None and parent.code not in codes:
        parent = levels.get(parent.hl[2])
    return parent


def _po_number(order: _Level | None) -> str:
    prf = None if order is None else order.first("PRF")
    return "" if prf is None else prf[1]


def _marks(pack: _Level | None) -> str:
    man = None if pack is None else pack.first("MAN")
    return "" if man is None else man[2]


def _with_case_code(ids: ItemIds, case_code: str) -> ItemIds:
    """Add a W01/W12 U.P.C. case code (its own element, no qualifier) as `UA`."""
    return ItemIds(((("UA", case_code),) if case_code else ()) + ids.by_qualifier)
