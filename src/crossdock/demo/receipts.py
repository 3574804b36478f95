"""Goods-received notes: one per received PO or transfer, numbered in time order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.demo.catalogue import Catalogue
from crossdock.demo.frames import (
    NO_DAY,
    SECONDS_PER_DAY,
    FloatArray,
    IntArray,
    TextArray,
    as_timestamps,
    entity_frame,
    numbered,
)
from crossdock.demo.network import Network
from crossdock.demo.purchasing import Purchasing
from crossdock.demo.site_codes import site_codes_by_location
from crossdock.demo.transfers import Transfers
from crossdock.domain.reason_codes import ReasonCode


@dataclass(frozen=True, slots=True)
class Receipts:
    """Receipt lines as parallel arrays, ordered by receipt then line."""

    receipt: IntArray
    line_number: IntArray
    location: IntArray
    sku: IntArray
    received_second: IntArray  # seconds from the history start
    quantity: FloatArray
    po_number: TextArray
    transfer_number: TextArray
    reason: TextArray  # the site's own code, or None

    @property
    def numbers(self) -> TextArray:
        count = int(self.receipt.max()) + 1 if len(self.receipt) else 0
        return numbered("GR-", count, width=7)


def receive_goods(purchasing: Purchasing, transfers: Transfers, network: Network) -> Receipts:
    p, t = purchasing, transfers
    from_po = np.flatnonzero(p.received_day != NO_DAY)
    from_transfer = np.flatnonzero(t.received_day[t.line_transfer] != NO_DAY)
    po, transfer = p.line_po[from_po], t.line_transfer[from_transfer]
    location = np.r_[p.po_location[po], network.lane_to[t.lane[transfer]]]
    second = np.r_[
        p.received_day[from_po] * SECONDS_PER_DAY + p.po_receipt_second[po],
        t.received_day[transfer] * SECONDS_PER_DAY + t.receipt_second[transfer],
    ]
    document = np.r_[po, transfer + len(p.po_order_day)]  # one receipt per document
    sku = np.r_[p.line_sku[from_po], t.line_sku[from_transfer]]
    order = np.lexsort((sku, document, second))
    document, location, second, sku = document[order], location[order], second[order], sku[order]
    new_receipt = np.ones(len(document), dtype=bool)
    new_receipt[1:] = document[1:] != document[:-1]
    receipt = np.cumsum(new_receipt) - 1
    start = np.flatnonzero(new_receipt)
    line_number = np.arange(len(receipt)) - start[receipt] + 1 if len(receipt) else receipt

    po_numbers = np.r_[p.numbers[po], np.full(len(transfer), None, dtype=object)][order]
    transfer_numbers = np.r_[np.full(len(po), None, dtype=object), t.numbers[transfer]][order]
    exception = np.r_[p.exception[from_po], np.full(len(transfer), None, dtype=object)][order]
    return Receipts(
        receipt=receipt.astype(np.int64),
        line_number=line_number.astype(np.int64),
        location=location,
        sku=sku,
        received_second=second,
        quantity=np.r_[p.received_quantity[from_po], t.received_quantity[from_transfer]][order],
        po_number=po_numbers.astype(object),
        transfer_number=transfer_numbers.astype(object),
        reason=_site_reasons(exception, location, network.size),
    )


def receipt_frame(
    receipts: Receipts, *, network: Network, catalogue: Catalogue, origin: np.datetime64
) -> pd.DataFrame:
    r = receipts
    return entity_frame(
        "receipts",
        {
            "receipt_number": r.numbers[r.receipt],
            "line_number": r.line_number,
            "location_code": np.array(network.codes, dtype=object)[r.location],
            "sku": catalogue.skus[r.sku],
            "received_at": as_timestamps(r.received_second, origin),
            "quantity": r.quantity,
            "po_number": r.po_number,
            "transfer_number": r.transfer_number,
            "reason_code": r.reason,
            "uom": catalogue.uoms[r.sku],
        },
    )


def _site_reasons(canonical: TextArray, location: IntArray, warehouses: int) -> TextArray:
    """Each canonical exception as the receiving site writes it."""
    out = np.full(len(canonical), None, dtype=object)
    for reason in (ReasonCode.DAMAGED, ReasonCode.OVER_RECEIPT, ReasonCode.SUPPLIER_SHORT_SHIP):
        here = canonical == reason.value
        out[here] = site_codes_by_location(reason, warehouses)[location[here]]
    return out
