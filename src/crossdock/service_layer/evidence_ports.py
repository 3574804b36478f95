"""What the recommendation page's evidence reads from the store: the recommendation
itself with its plan run, one item-location's demand, stock count and open inbound
supply, and a supplier's received PO lines. Quantities and dates only: no money."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class EvidenceSubject:
    """One recommendation as the evidence needs it.

    Attributes:
        quantity, arrival_date: as approved or modified when they were, else as proposed.
        supplier_code: who supplies it: the buy's supplier, the PO's for a PO line
            action; None for a transfer.
        plan_as_of, plan_settings: the plan run's day and recorded settings; None and
            empty for an agent's recommendation.
        drivers: the recommendation's drivers JSON, parsed.
    """

    recommendation_id: int
    kind: str
    sku: str
    from_code: str | None
    to_code: str
    quantity: float
    arrival_date: date | None
    po_number: str | None = None
    line_number: int | None = None
    supplier_code: str | None = None
    plan_run_id: int | None = None
    plan_as_of: date | None = None
    plan_settings: Mapping[str, Any] = field(default_factory=dict)
    drivers: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StockCount:
    """The newest inventory snapshot of one item-location on or before a day, with the
    units its open sales lines have on backorder."""

    counted_on: date
    on_hand: float
    allocated: float = 0.0
    on_hold: float = 0.0
    in_transit: float = 0.0
    on_order: float = 0.0
    backordered: float = 0.0


@dataclass(frozen=True, slots=True)
class InboundLine:
    """Open supply due at a warehouse: a PO line or a transfer line, its open units and
    when it is expected (the promised date of a PO line, the expected date of a
    transfer; None when the store has no date)."""

    source: str  # "po" or "transfer"
    document: str
    line_number: int
    quantity: float
    expected_date: date | None


@dataclass(frozen=True, slots=True)
class PurchaseReceipt:
    """One received PO line: when it was ordered, promised and received."""

    po_number: str
    line_number: int
    sku: str
    location_code: str
    order_date: date
    promised_date: date | None
    received_date: date


class EvidenceReads(Protocol):
    """The store's reads behind a recommendation's evidence."""

    def subject(self, recommendation_id: int) -> EvidenceSubject | None:
        """The recommendation, or None when there is none with that id."""
        ...

    def daily_demand(
        self, *, sku: str, location_code: str, through: date
    ) -> list[tuple[date, float]]:
        """Units demanded per day with demand, oldest first, up to `through`."""
        ...

    def stock(self, *, sku: str, location_code: str, as_of: date | None) -> StockCount | None:
        """The newest count on or before `as_of` (end of day, UTC), the newest of all when
        `as_of` is None; None when the item-location was never counted."""
        ...

    def inbound(self, *, sku: str, location_code: str, as_of: date) -> list[InboundLine]:
        """PO lines ordered and transfers created on or before `as_of`, still open then
        (not cancelled, not fully received by `as_of`), due at the warehouse."""
        ...

    def receipts(
        self, *, supplier_code: str, sku: str | None, through: date, limit: int
    ) -> list[PurchaseReceipt]:
        """The supplier's PO lines (of `sku`, or of every item when None) received on or
        before `through`, the newest `limit`, oldest first."""
        ...

    def quoted_lead_time(self, *, supplier_code: str, sku: str) -> float | None:
        """The supply terms' lead time in days, None when there are no terms."""
        ...
