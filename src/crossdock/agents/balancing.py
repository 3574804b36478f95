"""The inventory balancing agent: a warehouse is short of an item its customers ordered.
Can another warehouse send it in time, and is it worth the freight?

It reacts to a stockout, a short pick, a count that takes stock away, and an order
exception raised for units short. It replays the warehouse's stock (after the event)
against its open customer order lines due in the next four weeks, first come first
served, to find the lines short, or takes the exception's line as it is. For every
sibling or parent warehouse with a lane to it, the free stock is what it holds less its
own orders due within the lane's transit time and the safety stock the newest plan gave
it. Each source is priced: the tier-weighted lost margin it avoids (on the lines it can
reach in time) against its freight. It proposes the transfer that saves the most, in
time for every line when one can; when none can, the one that still saves money, saying
which lines it cannot reach; otherwise nothing. Pure: the data comes in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from crossdock.agents.stock_position import (
    OrderLine,
    Stock,
    lost_margin_per_unit,
    queue,
    shortages,
)

AGENT = "agent:balancing"
TOPICS = (
    "events.stockout",
    "events.short_pick",
    "events.inventory_adjusted",
    "events.order_exception_raised",
)
# The workflows it may propose in and the data it reads: declared, and checked when it
# proposes (service_layer/agent_runtime.py); `crossdock agents` lists them.
WORKFLOWS = frozenset({"transfer"})
DATA = frozenset(
    {
        "sales_orders",
        "inventory",
        "purchase_orders",
        "transfers",
        "customers",
        "network",
        "plans",
        "supplier_cost",
        "customer_pricing",
    }
)
HORIZON_DAYS = 28  # order lines due within four weeks of the event are looked at
DEFAULT_LANE_COST = 0.5  # per unit, for a lane without a cost (as the plan)


@dataclass(frozen=True, slots=True)
class Need:
    """Units an order line is short at the short warehouse."""

    order: OrderLine
    units: float
    lost_margin_per_unit: float  # tier-weighted
    late: bool  # its requested date had passed at the event: needed as soon as possible

    @property
    def lost_margin(self) -> float:
        return self.units * self.lost_margin_per_unit


@dataclass(frozen=True, slots=True)
class Source:
    """A warehouse that could send the item, over its lane to the short warehouse."""

    location_code: str
    relation: str  # parent or sibling
    available: float  # on hand, not on hold
    orders_due: float  # its own open orders (and transfers out) due within the transit
    safety_stock: float | None  # the newest plan's, if it sized one
    transit_days: int
    cost_per_unit: float
    daily_demand: float | None  # its recent average, for the cover it keeps

    @property
    def free(self) -> float:
        return max(self.available - self.orders_due - (self.safety_stock or 0.0), 0.0)


@dataclass(frozen=True, slots=True)
class Option:
    """Moving stock from one source: what it reaches in time and what it costs."""

    source: Source
    arrival: date
    covered: tuple[tuple[Need, float], ...]
    missed: tuple[Need, ...]  # needed before it can arrive
    in_time: bool  # reaches every line short by its date

    @property
    def quantity(self) -> float:
        return sum(units for _, units in self.covered)

    @property
    def lost_margin_avoided(self) -> float:
        return sum(units * need.lost_margin_per_unit for need, units in self.covered)

    @property
    def transport_cost(self) -> float:
        return self.quantity * self.source.cost_per_unit

    @property
    def savings(self) -> float:
        return self.lost_margin_avoided - self.transport_cost

    @property
    def cover_days(self) -> float | None:
        """Days the source's stock lasts after the move, over its own orders due, at its
        recent daily demand (None without recent demand)."""
        demand = self.source.daily_demand
        left = self.source.available - self.source.orders_due - self.quantity
        return left / demand if demand else None


def needs_from_stock(stock: Stock, *, today: date) -> list[Need]:
    """Order lines due within the horizon that the stock leaves short."""
    until = today + timedelta(days=HORIZON_DAYS)
    return [
        Need(
            order, units, lost_margin_per_unit(order, stock.unit_cost), order.requested_date < today
        )
        for order, units in shortages(stock, today=today)
        if order.requested_date <= until
    ]


def need_from_exception(event: Mapping[str, Any], stock: Stock, *, today: date) -> list[Need]:
    """The order line an order exception names, short by its units less what open
    recommendations bring by the day it is needed (the customer's tier and price from
    the open order line when it is there, else silver and the list price)."""
    data = event.get("data") or {}
    number, line_number = str(event.get("reference")), int(data["line_number"])
    needed_by = date.fromisoformat(str(data["needed_by"]))
    coming = sum(
        r.open_quantity
        for r in stock.receipts
        if r.kind == "proposal" and r.arrival is not None and r.arrival <= needed_by
    )
    units = float(event.get("quantity") or 0.0) - coming
    if units <= 1e-9:
        return []
    known = [o for o in stock.orders if (o.order_number, o.line_number) == (number, line_number)]
    tier = known[0].tier if known else None
    price = known[0].unit_price if known else stock.unit_price
    order = OrderLine(
        number, line_number, str(data["customer_code"]), tier, needed_by, units, price
    )
    return [Need(order, units, lost_margin_per_unit(order, stock.unit_cost), needed_by < today)]


def options(needs: Sequence[Need], sources: Sequence[Source], *, today: date) -> list[Option]:
    """Each source with free stock, moving what it can to the lines it reaches in time.

    A line already late is needed as soon as possible: by the day the fastest source
    with free stock can get there.
    """
    stocked = [s for s in sources if s.free > 0]
    if not needs or not stocked:
        return []
    soonest = today + timedelta(days=min(s.transit_days for s in stocked))
    ordered = queue([n.order for n in needs])
    by_order = {(n.order.order_number, n.order.line_number): n for n in needs}
    found = []
    for source in stocked:
        arrival = today + timedelta(days=source.transit_days)
        left, covered, missed = source.free, [], []
        for order in ordered:
            need = by_order[(order.order_number, order.line_number)]
            if arrival > (soonest if need.late else order.requested_date):
                missed.append(need)
                continue
            units = min(need.units, left)
            if units > 0:
                covered.append((need, units))
                left -= units
        if covered:
            found.append(Option(source, arrival, tuple(covered), tuple(missed), not missed))
    return found


def choose(found: Sequence[Option]) -> Option | None:
    """The option that saves the most, in time if any saving one is; among equals the
    cheapest, then the fastest. None when no option saves money."""
    paying = [o for o in found if o.savings > 0]
    if not paying:
        return None
    return min(
        paying,
        key=lambda o: (
            not o.in_time,
            -round(o.savings, 6),
            o.transport_cost,
            o.source.transit_days,
            o.source.location_code,
        ),
    )


@dataclass(frozen=True, slots=True)
class Proposal:
    option: Option
    needs: tuple[Need, ...]
    rationale: str

    @property
    def do_nothing_cost(self) -> float:
        return sum(n.lost_margin for n in self.needs)

    @property
    def residual_shortage(self) -> float:
        return self.do_nothing_cost - self.option.lost_margin_avoided


def propose(
    stock: Stock, change: str, needs: Sequence[Need], found: Sequence[Option]
) -> Proposal | None:
    """The transfer to propose, with its rationale; None when nothing saves money."""
    chosen = choose(found)
    if chosen is None:
        return None
    src = chosen.source
    lines = "; ".join(
        f"{n.order.order_number} ({n.order.customer_code}, {n.order.tier or 'no tier'}, "
        f"{n.units:,.0f} short {'since' if n.late else 'on'} {n.order.requested_date.isoformat()})"
        for n in needs
    )
    head = (
        f"{stock.location_code} is short of {stock.sku}"
        + (f" ({change})" if change else "")
        + f": {lines}, {sum(n.lost_margin for n in needs):,.2f} of lost margin."
    )
    move = (
        f" Moving {chosen.quantity:,.0f} from {src.location_code} ({src.relation}, "
        f"{src.transit_days} day(s), {src.cost_per_unit:,.2f} a unit) arrives "
        f"{chosen.arrival.isoformat()}"
    )
    if chosen.in_time:
        move += (
            f", in time: {chosen.lost_margin_avoided:,.2f} of lost margin avoided for "
            f"{chosen.transport_cost:,.2f} of transport."
        )
    else:
        missed = ", ".join(n.order.order_number for n in chosen.missed)
        move = (
            f" No source that pays can get it there in time for {missed}."
            + move
            + f", still in time for the rest: {chosen.lost_margin_avoided:,.2f} of lost "
            f"margin avoided for {chosen.transport_cost:,.2f} of transport."
        )
    days = chosen.cover_days
    keeps = (
        f" {src.location_code} keeps {src.available - chosen.quantity:,.0f} on hand, "
        f"{src.free - chosen.quantity:,.0f} above its own orders due and "
        + ("the plan's safety stock" if src.safety_stock is not None else "no planned safety stock")
        + (f", about {days:,.0f} days of its recent demand." if days is not None else ".")
    )
    others = [o for o in found if o is not chosen]
    rest = (
        " Other sources: "
        + "; ".join(
            f"{o.source.location_code} ({o.quantity:,.0f} by {o.arrival.isoformat()}, "
            f"saves {o.savings:,.2f})"
            for o in others
        )
        + "."
        if others
        else ""
    )
    return Proposal(chosen, tuple(needs), head + move + keeps + rest)
