"""Domain records with the arithmetic planners rely on.

These are the canonical entities as frozen values, with the rules that belong to
them: what stock is available, what the inventory position is, how late a PO line
is, how an order quantity rounds to packs and multiples. Money is `Decimal`;
quantities are in the item's stocking unit; times are timezone-aware.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from crossdock.domain.errors import InvalidRecord


class LocationType(StrEnum):
    DC = "dc"
    BRANCH = "branch"


@dataclass(frozen=True, slots=True)
class Item:
    """Something the distributor stocks."""

    sku: str
    uom: str
    unit_cost: Decimal
    pack_size: int = 1
    order_multiple: int = 1
    unit_price: Decimal | None = None
    criticality: str = "medium"

    def __post_init__(self) -> None:
        for name in ("pack_size", "order_multiple"):
            value = getattr(self, name)
            if value < 1:
                raise InvalidRecord(
                    entity="items", key=self.sku, field=name, value=value, reason="must be >= 1"
                )
        if self.unit_cost < 0:
            raise InvalidRecord(
                entity="items",
                key=self.sku,
                field="unit_cost",
                value=self.unit_cost,
                reason="must not be negative",
            )

    def round_order_quantity(self, quantity: float, *, moq: float = 0.0) -> int:
        """The smallest orderable quantity >= `quantity` and >= `moq`.

        Orderable means a whole number of packs and a multiple of the order multiple,
        so the step is their least common multiple. Zero stays zero: no order.
        """
        if quantity <= 0:
            return 0
        step = math.lcm(self.pack_size, self.order_multiple)
        wanted = max(quantity, moq)
        return int(math.ceil(wanted / step - 1e-9) * step)


@dataclass(frozen=True, slots=True)
class Location:
    """A warehouse, and the DC that replenishes it."""

    location_code: str
    location_type: LocationType
    parent_location_code: str | None = None
    region: str | None = None

    @property
    def is_dc(self) -> bool:
        return self.location_type is LocationType.DC


def echelon_of(location_code: str, parents: dict[str, str | None]) -> int:
    """Echelon number: 1 for a top-level DC, 2 for what it feeds, and so on.

    Raises:
        InvalidRecord: the parent chain loops or names an unknown location.
    """
    seen: list[str] = []
    current: str | None = location_code
    while current is not None:
        if current in seen:
            chain = " -> ".join([*seen, current])
            raise InvalidRecord(
                entity="locations",
                key=location_code,
                field="parent_location_code",
                value=current,
                reason=f"replenishment chain loops: {chain}",
            )
        if current not in parents:
            raise InvalidRecord(
                entity="locations",
                key=seen[-1] if seen else location_code,
                field="parent_location_code",
                value=current,
                reason="unknown location",
            )
        seen.append(current)
        current = parents[current]
    return len(seen)


@dataclass(frozen=True, slots=True)
class InventoryPosition:
    """Stock of one item at one warehouse, as counted at `snapshot_at`."""

    sku: str
    location_code: str
    snapshot_at: datetime
    on_hand: float
    allocated: float = 0.0
    on_hold: float = 0.0
    in_transit: float = 0.0
    on_order: float = 0.0
    backordered: float = 0.0

    def __post_init__(self) -> None:
        if self.snapshot_at.tzinfo is None:
            raise InvalidRecord(
                entity="inventory_positions",
                key=f"{self.sku}@{self.location_code}",
                field="snapshot_at",
                value=self.snapshot_at,
                reason="needs a time zone",
            )

    @property
    def available(self) -> float:
        """On hand that can ship today: not allocated, not held. Never below zero."""
        return max(self.on_hand - self.allocated - self.on_hold, 0.0)

    @property
    def inventory_position(self) -> float:
        """What reorder decisions compare with the reorder point.

        On hand + in transit + on order - allocated - on hold - backordered: all
        stock the warehouse can count on, less what is already promised or blocked.
        """
        return (
            self.on_hand
            + self.in_transit
            + self.on_order
            - self.allocated
            - self.on_hold
            - self.backordered
        )

    def days_of_supply(self, average_daily_demand: float) -> float:
        """Days the available stock lasts at `average_daily_demand`; inf when no demand."""
        if average_daily_demand <= 0:
            return math.inf
        return self.available / average_daily_demand


@dataclass(frozen=True, slots=True)
class PurchaseOrderLine:
    """One PO line's journey from order to receipt."""

    po_number: str
    line_number: int
    sku: str
    order_date: date
    ordered_quantity: float
    promised_date: date | None = None
    acknowledged_date: date | None = None
    shipped_date: date | None = None
    received_date: date | None = None
    received_quantity: float = 0.0

    @property
    def is_open(self) -> bool:
        return self.received_date is None or self.received_quantity < self.ordered_quantity

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_date is not None

    def days_late(self, as_of: date) -> int:
        """Days past the promised date: at receipt if received, else as of `as_of`.

        Zero when on time, early, or with no promised date to be late against.
        """
        if self.promised_date is None:
            return 0
        reference = self.received_date if self.received_date is not None else as_of
        return max((reference - self.promised_date).days, 0)

    def lead_time_days(self) -> int | None:
        """Order-to-receipt days, once received."""
        if self.received_date is None:
            return None
        return (self.received_date - self.order_date).days
