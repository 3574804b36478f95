"""An X12 file in, canonical documents out: envelopes checked, syntax notes checked,
each transaction set mapped by its code (ST01)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from crossdock.ingest.edi.documents import (
    Document,
    FunctionalAcknowledgment,
    Invoice,
    PoAcknowledgment,
    PurchaseOrder,
    ShipNotice,
    WarehouseShippingAdvice,
    WarehouseShippingOrder,
)
from crossdock.ingest.edi.envelope import Interchange, TransactionSet, read_interchanges
from crossdock.ingest.edi.errors import InvalidEdi, Position
from crossdock.ingest.edi.purchasing import (
    read_acknowledgment,
    read_invoice,
    read_purchase_order,
)
from crossdock.ingest.edi.shipping import (
    read_functional_acknowledgment,
    read_ship_notice,
    read_shipping_advice,
    read_shipping_order,
)
from crossdock.ingest.edi.syntax_notes import violations

Mapper = Callable[[TransactionSet, Interchange], Document]

MAPPERS: dict[str, Mapper] = {
    "850": read_purchase_order,
    "855": read_acknowledgment,
    "856": read_ship_notice,
    "810": read_invoice,
    "940": read_shipping_order,
    "945": read_shipping_advice,
    "997": read_functional_acknowledgment,
}

DOCUMENT_KINDS: dict[type[Any], str] = {
    PurchaseOrder: "purchase_order",
    PoAcknowledgment: "po_acknowledgment",
    ShipNotice: "ship_notice",
    Invoice: "invoice",
    WarehouseShippingOrder: "warehouse_shipping_order",
    WarehouseShippingAdvice: "warehouse_shipping_advice",
    FunctionalAcknowledgment: "functional_acknowledgment",
}


@dataclass(frozen=True, slots=True)
class UnreadTransaction:
    """A transaction set of a kind Crossdock does not map (an 846, a 214...)."""

    code: str
    control_number: str
    position: Position


@dataclass(frozen=True, slots=True)
class EdiFile:
    """What one X12 file holds: the documents read, in file order, and the sets skipped."""

    interchanges: tuple[Interchange, ...]
    documents: tuple[Document, ...]
    unread: tuple[UnreadTransaction, ...]


def read_edi(text: str) -> EdiFile:
    """Read an X12 file: envelopes, syntax notes, then each set as a document.

    Args:
        text: the file's text (decode bytes with `decode_edi`).

    Raises:
        InvalidEdi: the first envelope error; or the first syntax-note violation, with
            every violation in the file in `.problems`; or a malformed value.
    """
    interchanges = read_interchanges(text)
    pairs = [
        (transaction, interchange)
        for interchange in interchanges
        for group in interchange.groups
        for transaction in group.transactions
    ]
    broken = [
        (transaction.position(segment), reason)
        for transaction, _ in pairs
        for segment in transaction.body
        for reason in violations(segment)
    ]
    if broken:
        raise InvalidEdi(broken[0][0], broken[0][1], problems=tuple(broken))
    documents: list[Document] = []
    unread: list[UnreadTransaction] = []
    for transaction, interchange in pairs:
        mapper = MAPPERS.get(transaction.code)
        if mapper is None:
            header = transaction.segments[0]
            unread.append(
                UnreadTransaction(
                    transaction.code, transaction.control_number, transaction.position(header)
                )
            )
        else:
            documents.append(mapper(transaction, interchange))
    return EdiFile(tuple(interchanges), tuple(documents), tuple(unread))


def decode_edi(raw: bytes) -> str:
    """The text of an X12 file: UTF-8 (with or without a byte-order mark), else Latin-1,
    which every byte decodes as."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def document_json(document: Document) -> dict[str, Any]:
    """A document as JSON-ready fields, named by its kind (`purchase_order`...); dates
    and decimals stay `date` and `Decimal` for the caller's encoder."""
    return {"document": DOCUMENT_KINDS[type(document)], **asdict(document)}
