"""The canonical documents read from X12 transaction sets.

Plain frozen dataclasses in Crossdock's words (po_number, promised_date, quantity,
unit_price), one per transaction set Crossdock reads. Every document keeps where it
came from (`Origin`), so an event or an error can point back at the file. Quantities
and money are `Decimal`; dates are `datetime.date`; X12 carries no time zone, so none
is invented here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a document came from: the trading partners (GS02 sender, GS03 receiver),
    the group's date and time, and the three control numbers."""

    transaction_set: str
    sender: str
    receiver: str
    sent_on: date | None
    sent_at: str
    interchange: str
    group: str
    transaction: str
    first_segment: int


@dataclass(frozen=True, slots=True)
class Party:
    """An N1 loop: role (ST ship-to, SU supplier, BY buyer, SF ship-from...), name, id."""

    role: str
    name: str
    id_qualifier: str = ""
    id: str = ""

    @property
    def code(self) -> str:
        """The party's id when it has one, else its name."""
        return self.id or self.name


# Buyer's part number, SKU, buyer's catalogue number; then the vendor's; then barcodes.
_SKU_QUALIFIERS = ("BP", "IN", "SK", "CB", "VP", "VN", "VC", "UP", "UK", "EN", "UI", "UA")
# Qualifiers that name something other than the item (PO number, description...).
_NOT_ITEMS = frozenset({"PO", "PD", "B3", "B4", "B6", "PR"})


@dataclass(frozen=True, slots=True)
class ItemIds:
    """An item's identifiers by X12 qualifier: BP/IN buyer's, VP/VN vendor's, UP/UK/EN
    barcodes..."""

    by_qualifier: tuple[tuple[str, str], ...]

    def get(self, *qualifiers: str) -> str | None:
        found = dict(self.by_qualifier)
        return next((found[q] for q in qualifiers if q in found), None)

    @property
    def sku(self) -> str | None:
        """The distributor's item number: the buyer's part number first, then the
        vendor's, then a barcode, else the first id given."""
        preferred = self.get(*_SKU_QUALIFIERS)
        others = (value for qualifier, value in self.by_qualifier if qualifier not in _NOT_ITEMS)
        return preferred or next(others, None)


@dataclass(frozen=True, slots=True)
class PurchaseOrderLine:
    line_number: str
    quantity: Decimal | None
    uom: str
    unit_price: Decimal | None
    item: ItemIds
    description: str = ""
    requested_date: date | None = None


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    """850: an order the buyer placed."""

    origin: Origin
    po_number: str
    purpose: str
    order_type: str
    order_date: date | None
    currency: str
    requested_date: date | None
    parties: tuple[Party, ...]
    lines: tuple[PurchaseOrderLine, ...]
    stated_line_count: int | None


@dataclass(frozen=True, slots=True)
class AcknowledgedLine:
    """A PO line and the supplier's answer: `status` is accepted, changed or rejected,
    from the ACK codes (IA accepted; IR, ID, R1-R8 rejected; any other code, such as
    IC, IQ, DR, IB, a change)."""

    line_number: str
    ordered_quantity: Decimal | None
    uom: str
    unit_price: Decimal | None
    item: ItemIds
    status: str
    ack_codes: tuple[str, ...]
    quantity: Decimal | None
    promised_date: date | None


@dataclass(frozen=True, slots=True)
class PoAcknowledgment:
    """855: the supplier's answer to a PO, line by line."""

    origin: Origin
    po_number: str
    acknowledgment_type: str
    po_date: date | None
    acknowledged_on: date | None
    parties: tuple[Party, ...]
    lines: tuple[AcknowledgedLine, ...]


@dataclass(frozen=True, slots=True)
class ShippedItem:
    """An item (HL level I) on a ship notice, with the order and pack it sits under."""

    hl_id: str
    po_number: str
    pack_id: str
    po_line: str
    item: ItemIds
    quantity: Decimal | None
    uom: str


@dataclass(frozen=True, slots=True)
class ShippedOrder:
    """An order (HL level O) on a ship notice: its PO and the packs (MAN marks) under it."""

    hl_id: str
    po_number: str
    po_date: date | None
    pack_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShipNotice:
    """856: an advance ship notice (ASN): shipment, orders, packs and items."""

    origin: Origin
    asn_number: str
    purpose: str
    notice_date: date | None
    shipped_date: date | None
    expected_arrival: date | None
    carrier: str
    bill_of_lading: str
    parties: tuple[Party, ...]
    orders: tuple[ShippedOrder, ...]
    items: tuple[ShippedItem, ...]


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    line_number: str
    quantity: Decimal | None
    uom: str
    unit_price: Decimal | None
    item: ItemIds


@dataclass(frozen=True, slots=True)
class Invoice:
    """810: a supplier's invoice; `total` is TDS01 with its two implied decimals."""

    origin: Origin
    invoice_number: str
    invoice_date: date | None
    po_number: str
    po_date: date | None
    currency: str
    parties: tuple[Party, ...]
    lines: tuple[InvoiceLine, ...]
    total: Decimal | None


@dataclass(frozen=True, slots=True)
class WarehouseLine:
    """A W01 (940) or W12 (945) line: quantities and the item."""

    line_number: str
    quantity: Decimal | None
    uom: str
    item: ItemIds
    shipped_quantity: Decimal | None = None
    status: str = ""


@dataclass(frozen=True, slots=True)
class WarehouseShippingOrder:
    """940: the depositor asks its warehouse (3PL) to ship an order."""

    origin: Origin
    order_number: str
    purchase_order: str
    parties: tuple[Party, ...]
    lines: tuple[WarehouseLine, ...]
    total_quantity: Decimal | None
    total_weight: Decimal | None


@dataclass(frozen=True, slots=True)
class WarehouseShippingAdvice:
    """945: the warehouse says what it shipped for a depositor order."""

    origin: Origin
    order_number: str
    shipment_number: str
    purchase_order: str
    shipped_date: date | None
    carrier: str
    parties: tuple[Party, ...]
    lines: tuple[WarehouseLine, ...]
    total_quantity: Decimal | None


@dataclass(frozen=True, slots=True)
class AcknowledgedTransaction:
    code: str
    control_number: str
    status: str


@dataclass(frozen=True, slots=True)
class FunctionalAcknowledgment:
    """997: the partner's receipt of one of our groups (AK1) and its sets (AK2/AK5);
    status A accepted, E accepted with errors, P partially accepted, R rejected."""

    origin: Origin
    functional_code: str
    group_control_number: str
    group_status: str
    transactions: tuple[AcknowledgedTransaction, ...]


Document = (
    PurchaseOrder
    | PoAcknowledgment
    | ShipNotice
    | Invoice
    | WarehouseShippingOrder
    | WarehouseShippingAdvice
    | FunctionalAcknowledgment
)
