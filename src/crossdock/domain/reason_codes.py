"""Canonical reason codes and event types, and the mapping from each site's own codes.

One warehouse's WMS writes `SHORT` for a short pick, another writes `SP`; both mean
`short_pick`. Sites keep their codes; Crossdock maps them once, through
configuration (the `reason_code_mappings` entity), and reasons in one vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from crossdock.domain.errors import UnknownReasonCode

ALL_SITES = "*"


class ReasonCode(StrEnum):
    """Why something happened, in one vocabulary across every site and system."""

    SHORT_PICK = "short_pick"  # picker found fewer units than the system said
    DAMAGED = "damaged"  # goods damaged in the warehouse or on arrival
    QUALITY_HOLD = "quality_hold"  # blocked pending QC inspection
    EXPIRED = "expired"  # past shelf life
    CREDIT_HOLD = "credit_hold"  # customer over credit limit or overdue
    PRICING_HOLD = "pricing_hold"  # price or margin needs approval
    ADDRESS_HOLD = "address_hold"  # ship-to incomplete or invalid
    CUSTOMER_REQUEST = "customer_request"  # customer asked to hold or change
    AWAITING_STOCK = "awaiting_stock"  # not enough available stock to ship
    SUPPLIER_LATE = "supplier_late"  # supplier missed the promised date
    SUPPLIER_SHORT_SHIP = "supplier_short_ship"  # supplier shipped less than ordered
    OVER_RECEIPT = "over_receipt"  # more received than ordered
    WRONG_ITEM = "wrong_item"  # received or picked the wrong SKU
    CARRIER_DELAY = "carrier_delay"  # transport late
    COUNT_ADJUSTMENT = "count_adjustment"  # cycle count corrected the book quantity
    DEMAND_SPIKE = "demand_spike"  # demand far above forecast for a short time
    DEMAND_SHIFT = "demand_shift"  # demand level changed and stayed changed


class EventType(StrEnum):
    """What happened, in one taxonomy across ERP, WMS, TMS and EDI feeds.

    `crossdock.domain.events` holds what each type must carry.
    """

    ORDER_CREATED = "order_created"
    ORDER_CHANGED = "order_changed"
    ORDER_HELD = "order_held"
    ORDER_RELEASED = "order_released"
    ORDER_SHIPPED = "order_shipped"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_BACKORDERED = "order_backordered"
    ORDER_EXCEPTION_RAISED = "order_exception_raised"  # the order exception agent's ask
    PO_CREATED = "po_created"
    PO_ACKNOWLEDGED = "po_acknowledged"  # EDI 855
    PO_CHANGED = "po_changed"  # EDI 855 accepted with changes, or 865
    PO_REJECTED = "po_rejected"  # EDI 855 rejected
    PO_UNACKNOWLEDGED = "po_unacknowledged"  # the daily acknowledgement check
    PO_SHIPPED = "po_shipped"  # advance ship notice, EDI 856
    ASN_RECEIVED = "asn_received"  # the full ship notice with its lines, EDI 856
    SHIPMENT_DELAYED = "shipment_delayed"  # carrier or supplier moved the ETA later
    GOODS_RECEIVED = "goods_received"
    INVOICE_RECEIVED = "invoice_received"  # EDI 810
    TRANSFER_CREATED = "transfer_created"
    TRANSFER_SHIPPED = "transfer_shipped"
    TRANSFER_RECEIVED = "transfer_received"
    SHORT_PICK = "short_pick"
    INVENTORY_ADJUSTED = "inventory_adjusted"
    STOCKOUT = "stockout"
    DEMAND_ANOMALY = "demand_anomaly"
    DEMAND_SPIKE = "demand_spike"


@dataclass(frozen=True, slots=True)
class ReasonCodeMapping:
    """One site code and the canonical reason it stands for."""

    scope: str  # a location code, or ALL_SITES
    site_code: str
    reason_code: ReasonCode


class ReasonCodeMap:
    """Translates site-specific reason codes into canonical ones.

    A mapping for the location itself wins over one for every site (`*`); a value
    that already is a canonical code passes through unchanged. Matching ignores case
    and surrounding blanks, because sites are not consistent about either.
    """

    def __init__(self, mappings: Iterable[ReasonCodeMapping] = ()) -> None:
        self._by_scope: dict[tuple[str, str], ReasonCode] = {}
        for mapping in mappings:
            key = (mapping.scope.strip(), _normalise(mapping.site_code))
            self._by_scope[key] = mapping.reason_code

    def __len__(self) -> int:
        return len(self._by_scope)

    def canonical(self, site_code: str, *, location_code: str | None = None) -> ReasonCode:
        """The canonical reason for `site_code` written at `location_code`.

        Raises:
            UnknownReasonCode: no mapping exists and the code is not canonical.
        """
        code = _normalise(site_code)
        if location_code is not None and (location_code, code) in self._by_scope:
            return self._by_scope[(location_code, code)]
        if (ALL_SITES, code) in self._by_scope:
            return self._by_scope[(ALL_SITES, code)]
        try:
            return ReasonCode(code.lower())
        except ValueError:
            raise UnknownReasonCode(site_code=site_code, location_code=location_code) from None


def _normalise(code: str) -> str:
    return code.strip().upper()
