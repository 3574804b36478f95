"""What the copilot's read-only tools read: customer orders and their lines, an item at
a warehouse (stock, supply due in, the other warehouses), a supplier's PO lines, the
newest plan's levels, recommendations that concern an order or a PO line, and the
small master tables the questions name. SQL in `adapters/db/copilot_reads.py`; nothing
here writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from crossdock.agents.fulfilment import ItemSite
from crossdock.agents.replenishment import PlanRow
from crossdock.agents.stock_position import Stock


@dataclass(frozen=True, slots=True)
class OrderHeader:
    """A customer order's header with its customer. `hold_reason` is the canonical
    reason code the import mapped, `hold_reason_site_code` the code as the site wrote it."""

    order_number: str
    customer_code: str
    customer_name: str | None
    tier: str | None
    location_code: str
    order_date: date | None
    requested_date: date | None
    status: str
    hold_reason: str | None
    hold_reason_site_code: str | None


@dataclass(frozen=True, slots=True)
class CustomerLine:
    """A customer order line with its order's customer, warehouse, date and status."""

    order_number: str
    line_number: int
    sku: str
    customer_code: str
    customer_name: str | None
    tier: str | None
    location_code: str
    requested_date: date | None
    status: str
    ordered_quantity: float
    shipped_quantity: float
    backordered_quantity: float
    unit_price: float | None  # the selling price; None: not known

    @property
    def open_quantity(self) -> float:
        return max(self.ordered_quantity - self.shipped_quantity, 0.0)


@dataclass(frozen=True, slots=True)
class StockCount:
    """The newest count of an item at a warehouse, as the ERP/WMS reported it."""

    sku: str
    location_code: str
    counted_at: datetime | None
    on_hand: float
    allocated: float
    on_hold: float
    in_transit: float
    on_order: float

    @property
    def available(self) -> float:
        """On hand and not on hold (allocated stock is still on the shelf)."""
        return max(self.on_hand - self.on_hold, 0.0)


@dataclass(frozen=True, slots=True)
class PoLine:
    """A purchase order line with its PO's supplier, warehouse, date and status."""

    po_number: str
    line_number: int
    sku: str
    supplier_code: str
    location_code: str
    order_date: date | None
    status: str
    ordered_quantity: float
    received_quantity: float
    unit_price: float | None  # the supplier's price: supplier cost
    promised_date: date | None
    acknowledged_date: date | None
    acknowledged_quantity: float | None
    shipped_date: date | None
    received_date: date | None

    @property
    def open_quantity(self) -> float:
        return max(self.ordered_quantity - self.received_quantity, 0.0)


@dataclass(frozen=True, slots=True)
class Named:
    """A master record the questions may name: its code and name."""

    code: str
    name: str | None


@dataclass(frozen=True, slots=True)
class MasterData:
    """The small master tables, read once per set of tools."""

    suppliers: tuple[Named, ...]
    customers: tuple[Named, ...]
    items: tuple[Named, ...]  # sku and description
    locations: tuple[Named, ...]
    parents: dict[str, str]  # location -> the DC that replenishes it


class CopilotReads(Protocol):
    """The reads behind the copilot's tools."""

    def order_header(self, order_number: str) -> OrderHeader | None:
        """The order with exactly this number, or None."""
        ...

    def order_numbers_ending(self, digits: str) -> list[str]:
        """Order numbers that end in `digits` (to match SO-1042 to SO-0001042)."""
        ...

    def po_numbers_ending(self, digits: str) -> list[str]:
        """PO numbers that end in `digits`."""
        ...

    def order_lines(self, order_number: str) -> list[CustomerLine]:
        """Every line of the order, by line number."""
        ...

    def open_customer_lines(self, sku: str, locations: Sequence[str]) -> list[CustomerLine]:
        """Open customer order lines (not shipped, cancelled or closed) of the item at
        these warehouses, by requested date, order and line."""
        ...

    def item_at_warehouse(self, sku: str, location_code: str) -> ItemSite:
        """The item at the warehouse: newest count, open order lines, supply due in
        (there and at its parent DC) and the warehouses that can send it."""
        ...

    def stock(self, sku: str, location_code: str) -> Stock:
        """The item at the warehouse: count, receipts due in, committed demand."""
        ...

    def stock_counts(self, sku: str, locations: Sequence[str] | None) -> list[StockCount]:
        """The newest count per warehouse (None: every warehouse), by warehouse."""
        ...

    def plan_levels(self, sku: str, location_code: str) -> PlanRow | None:
        """The newest succeeded plan's drivers for the item-location, if it has any."""
        ...

    def units_demanded(self, sku: str, location_code: str, *, start: date, end: date) -> float:
        """Units demanded from `start` to `end` inclusive."""
        ...

    def supplier_po_lines(
        self, supplier_code: str, *, open_only: bool, sites: Sequence[str] | None
    ) -> list[PoLine]:
        """The supplier's PO lines (only open POs with units to come, or every line),
        at `sites` (None: every warehouse), by PO and line."""
        ...

    def replenished_by(self, location_code: str) -> list[str]:
        """The warehouses this one replenishes (its child branches)."""
        ...

    def order_recommendation_ids(self, order_number: str) -> list[int]:
        """Open recommendations that concern the order (the order exception agent's
        order exceptions and customer messages), most money at risk first."""
        ...

    def po_line_recommendation_ids(self, po_number: str, line_number: int) -> list[int]:
        """Open recommendations acting on the PO line, most money at risk first."""
        ...

    def open_recommendation_ids(
        self,
        *,
        sku: str | None,
        location_code: str | None,
        kind: str | None,
        sites: frozenset[str] | None,
        limit: int,
    ) -> list[int]:
        """Open recommendations, most money at risk first, narrowed to the item, the
        receiving or shipping warehouse and the kind, received at `sites` (None: all)."""
        ...

    def master_data(self) -> MasterData:
        """Suppliers, customers, items and warehouses with their names."""
        ...
