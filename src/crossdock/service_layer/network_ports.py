"""What the network view reads: the warehouses, each item-location's newest stock, the
open sales order lines due, recent demand, and the transfers open or recommended per
lane. The SQL is in `adapters/db/network_reads.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Warehouse:
    code: str
    name: str | None
    type: str | None
    parent: str | None
    region: str | None


@dataclass(frozen=True, slots=True)
class Position:
    """An item-location's newest snapshot on or before the day asked."""

    location: str
    sku: str
    on_hand: float
    available: float  # on hand less allocated and on hold


@dataclass(frozen=True, slots=True)
class ItemUnits:
    """Units of one item at one location: open order lines due, or demand."""

    location: str
    sku: str
    units: float


@dataclass(frozen=True, slots=True)
class LaneUnits:
    """Transfers on one lane: how many documents and units, at unit cost."""

    from_code: str
    to_code: str
    documents: int
    units: float
    value_at_cost: Decimal


class NetworkReads(Protocol):
    def warehouses(self) -> list[Warehouse]: ...

    def positions(self, *, as_of: date) -> list[Position]: ...

    def open_order_units(self, *, due_by: date) -> list[ItemUnits]:
        """Ordered less shipped on lines of open orders requested by `due_by`."""
        ...

    def demand(self, *, start: date, end: date) -> list[ItemUnits]:
        """Demand history summed per item-location from `start` to `end`."""
        ...

    def unit_costs(self) -> dict[str, Decimal]:
        """Each item's unit cost, where it has one."""
        ...

    def open_transfer_orders(self) -> list[LaneUnits]:
        """Planned, released and in-transit transfer orders: units not yet received."""
        ...

    def open_transfer_recommendations(self) -> list[LaneUnits]:
        """Transfer and rebalance recommendations proposed, pending, approved or
        modified (not yet executing): their quantity as approved."""
        ...
