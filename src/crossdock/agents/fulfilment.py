"""What the agents that serve customer orders (order exception, allocation) share: an
order line as they see it, one item at one warehouse, the stock another warehouse can
send over its lane, supply on its way, and the money of a unit short: its margin
weighted by the customer's tier, priced as the plan prices it. Pure: the data comes in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from crossdock.agents.procurement import TIER_PENALTY

# The data has no field saying whether a customer takes partial shipments: every
# customer is taken to accept them (ship what is there, the rest later) unless the
# reads say otherwise for a line. docs/agents.md says so.
ACCEPTS_PARTIALS_DEFAULT = True
DEFAULT_MARGIN_RATE = 0.3  # margin on cost when an item sells at or below cost (as the plan)
TIER_RANK: Mapping[str, int] = {"gold": 0, "silver": 1, "bronze": 2}
_CLOSED = ("shipped", "cancelled", "closed")


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A customer order line, with its order's customer, warehouse, dates and status."""

    order_number: str
    line_number: int
    sku: str
    customer_code: str
    tier: str | None
    location_code: str
    order_date: date
    requested_date: date
    ordered_quantity: float
    shipped_quantity: float
    unit_price: float  # 0: not known
    status: str
    accepts_partials: bool = ACCEPTS_PARTIALS_DEFAULT

    @property
    def open_quantity(self) -> float:
        return max(self.ordered_quantity - self.shipped_quantity, 0.0)

    @property
    def is_open(self) -> bool:
        return self.status not in _CLOSED and self.open_quantity > 0

    @property
    def on_hold(self) -> bool:
        return self.status == "on_hold"

    @property
    def key(self) -> tuple[str, int]:
        return (self.order_number, self.line_number)

    def named(self) -> str:
        return f"{self.order_number} line {self.line_number}"


@dataclass(frozen=True, slots=True)
class Inbound:
    """Supply on its way to the warehouse: an open PO line or transfer, and the day it
    lands there (a PO line at the parent DC lands after the lane's transit)."""

    reference: str
    arrival: date
    units: float


@dataclass(frozen=True, slots=True)
class Source:
    """Another warehouse's free stock of the item (on hand, less on hold, its own open
    orders and transfers out not shipped) and its lane to the warehouse short."""

    location_code: str
    free_units: float
    transit_days: int
    cost_per_unit: float

    def arrives(self, today: date) -> date:
        return today + timedelta(days=self.transit_days)


@dataclass(frozen=True, slots=True)
class ItemSite:
    """One item at one warehouse: the newest stock count, supply due in, its open order
    lines, the item's cost and list price, and the other warehouses that can send it."""

    sku: str
    location_code: str
    on_hand: float
    on_hold: float
    counted_at: datetime | None
    unit_cost: float
    unit_price: float
    orders: tuple[OrderLine, ...]
    inbound: tuple[Inbound, ...]  # PO lines at the warehouse, transfers into it
    parent_inbound: tuple[Inbound, ...]  # PO lines at its parent DC, after the lane
    sources: tuple[Source, ...]

    @property
    def available(self) -> float:
        """On hand and not on hold."""
        return max(self.on_hand - self.on_hold, 0.0)

    @property
    def covers_open_orders(self) -> bool:
        """The stock available now serves every open order line in full: no supply due
        in and no other warehouse changes what the lines get."""
        return sum(line.open_quantity for line in self.orders if line.is_open) <= (
            self.available + 1e-9
        )


@dataclass(frozen=True, slots=True)
class Fill:
    """Units another warehouse sends over its lane in time for one line."""

    from_code: str
    units: float
    arrives: date
    freight: float


def tier_weight(tier: str | None) -> float:
    """The tier's shortage factor, as the plan (silver when the tier is not known)."""
    return TIER_PENALTY.get(tier or "", TIER_PENALTY["silver"])


def lost_margin_per_unit(line: OrderLine, unit_cost: float) -> float:
    """What a unit short costs, as the plan prices it: the margin (30% of cost when the
    item sells at or below cost or its price is not known) times the tier's factor."""
    margin = line.unit_price - unit_cost
    if margin <= 0:
        margin = unit_cost * DEFAULT_MARGIN_RATE
    return margin * tier_weight(line.tier)


def fills(
    units: float,
    needed_by: date,
    sources: Sequence[Source],
    *,
    today: date,
    worth_per_unit: float,
    used: Mapping[str, float] | None = None,
) -> list[Fill]:
    """Cheapest lane first: what other warehouses can land by `needed_by`, where the
    freight per unit is below what a unit short costs (`worth_per_unit`). `used` is what
    earlier lines already took from each warehouse."""
    taken = dict(used or {})
    out: list[Fill] = []
    for source in sorted(sources, key=lambda s: (s.cost_per_unit, s.transit_days)):
        arrives = source.arrives(today)
        free = source.free_units - taken.get(source.location_code, 0.0)
        if units <= 1e-9 or arrives > needed_by or free <= 0:
            continue
        if source.cost_per_unit >= worth_per_unit:
            continue
        moved = min(units, free)
        out.append(Fill(source.location_code, moved, arrives, moved * source.cost_per_unit))
        taken[source.location_code] = taken.get(source.location_code, 0.0) + moved
        units -= moved
    return out


def revised_date(units: float, inbound: Sequence[Inbound], *, today: date) -> Inbound | None:
    """The receipt by which `units` have arrived, counting receipts in the order they
    land (an overdue one as landing today); None when the open supply does not cover
    them. Other lines waiting for the same receipts are not queued ahead."""
    landed = 0.0
    for receipt in sorted(inbound, key=lambda r: (r.arrival, r.reference)):
        landed += receipt.units
        if landed >= units - 1e-9:
            return Inbound(receipt.reference, max(receipt.arrival, today), receipt.units)
    return None


def say_day(day: date) -> str:
    """A day as a customer reads it: 23 November 2026."""
    return f"{day.day} {day:%B %Y}"
