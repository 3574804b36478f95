"""The replenishment agent: demand or supply at an item-location changed. Is its
inventory position still above the reorder point the plan sized for it, and if not,
what should be bought, and what is that worth?

It reacts to a demand spike or anomaly, a count adjustment, goods received, and a PO
line changed or rejected. It takes the item-location's safety stock and reorder point
from the newest plan (re-sized by the plan's engine when demand has shifted level), or
has the engine size them for that one item-location; the service layer does that, this
module gets the levels. It compares the inventory position after the event (available +
on order - open orders, less what open recommendations already add) with the reorder
point; below it, it proposes a buy from the primary supplier up to the reorder point,
rounded to the supplier's MOQ and order multiple, priced with the plan's cost terms:
shortage cost avoided against holding, ordering and purchase premium. At or above it,
nothing. Pure: the data comes in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from crossdock.agents.stock_position import AfterEvent, Pending
from crossdock.domain.model import Item

AGENT = "agent:replenishment"
TOPICS = (
    "events.demand_spike",
    "events.demand_anomaly",
    "events.inventory_adjusted",
    "events.goods_received",
    "events.po_changed",
    "events.po_rejected",
)
# The workflows it may propose in and the data it reads: declared, and checked when it
# proposes (service_layer/agent_runtime.py); `crossdock agents` lists them.
WORKFLOWS = frozenset({"buy"})
DATA = frozenset(
    {
        "demand",
        "inventory",
        "purchase_orders",
        "transfers",
        "sales_orders",
        "customers",
        "network",
        "supply_terms",
        "plans",
        "supplier_cost",
        "customer_pricing",
    }
)
DEMAND_EVENTS = ("demand_spike", "demand_anomaly")

Shortfall = Callable[[float], float]
"""Expected units short over the protection interval, from a starting position."""


@dataclass(frozen=True, slots=True)
class PlanRow:
    """What the newest plan recorded for an item-location (drivers and run settings)."""

    plan_run_id: int
    as_of: date
    settings: Mapping[str, Any]
    drivers: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ItemFacts:
    unit_cost: float
    unit_price: float | None
    criticality: str | None
    pack_size: int
    order_multiple: int


@dataclass(frozen=True, slots=True)
class Levels:
    """The policy the position is compared with, and the demand it protects against."""

    safety_stock: float
    reorder_point: float
    demand_mean: float  # forecast units over the protection interval
    demand_std: float
    protection_days: int
    fill_rate: float
    basis: str  # where they come from, in words


@dataclass(frozen=True, slots=True)
class Costs:
    """The plan's cost terms for the item-location."""

    unit_cost: float
    shortage_penalty: float  # per unit short
    holding_per_unit: float  # per unit left over at the end of the protection interval
    ordering_cost: float  # per purchase order


@dataclass(frozen=True, slots=True)
class Supplier:
    supplier_code: str
    lead_time_days: int
    unit_price: float
    moq: float
    order_multiple: int


def demand_shift(event: Mapping[str, Any]) -> float | None:
    """actual / expected when the event says demand moved to a new level and stays
    there (a demand anomaly with reason demand_shift); None otherwise: a spike leaves the
    level where it was."""
    data = event.get("data") or {}
    reason = str(event.get("reason_code") or "").strip().lower()
    actual, expected = data.get("actual"), data.get("expected")
    if event["event_type"] != "demand_anomaly" or reason != "demand_shift":
        return None
    if actual is None or not expected:
        return None
    return float(actual) / float(expected)


def trigger(event: Mapping[str, Any], after: AfterEvent) -> str:
    """What happened, in words."""
    data = event.get("data") or {}
    if event["event_type"] in DEMAND_EVENTS:
        kind = "shifted" if demand_shift(event) is not None else "spiked"
        if data.get("actual") is not None and data.get("expected") is not None:
            window = f" over {data['window_days']} days" if data.get("window_days") else ""
            return (
                f"demand {kind}: {float(data['actual']):,.0f} against "
                f"{float(data['expected']):,.0f} expected{window}"
            )
        return f"demand {kind}"
    return after.change or event["event_type"].replace("_", " ")


@dataclass(frozen=True, slots=True)
class Money:
    shortage_before: float
    holding_before: float
    shortage_after: float
    holding_after: float
    ordering: float
    purchase: float

    @property
    def do_nothing(self) -> float:
        return self.shortage_before + self.holding_before

    @property
    def expected(self) -> float:
        return self.shortage_after + self.holding_after + self.ordering + self.purchase

    @property
    def savings(self) -> float:
        return self.do_nothing - self.expected


def position_cost(
    position: float, levels: Levels, costs: Costs, shortfall: Shortfall
) -> tuple[float, float]:
    """(holding, shortage) money at the end of the protection interval, as the plan
    prices a position: holding on the units left over, the penalty on the units short."""
    short = shortfall(position)
    leftover = max(position - levels.demand_mean + short, 0.0)
    return costs.holding_per_unit * leftover, costs.shortage_penalty * short


@dataclass(frozen=True, slots=True)
class Proposal:
    quantity: int
    arrival: date
    position: float
    pending: tuple[Pending, ...]
    money: Money
    rationale: str


def propose(
    after: AfterEvent,
    *,
    event: Mapping[str, Any],
    levels: Levels,
    costs: Costs,
    item: ItemFacts,
    supplier: Supplier,
    pending: Sequence[Pending],
    shortfall: Shortfall,
    today: date,
    members: Sequence[str] = (),
) -> Proposal | None:
    """A buy up to the reorder point when the position (with what open recommendations
    add) is below it; None at or above it. `members`: the warehouses the stock pools
    (a DC and those it replenishes), for the rationale."""
    stock = after.stock
    position = stock.inventory_position
    adding = sum(p.quantity for p in pending)
    if position + adding >= levels.reorder_point - 1e-9:
        return None
    step = Item(
        sku=stock.sku,
        uom="",
        unit_cost=Decimal(str(costs.unit_cost)),
        pack_size=item.pack_size,
        order_multiple=supplier.order_multiple or item.order_multiple,
    )
    quantity = step.round_order_quantity(levels.reorder_point - position - adding, moq=supplier.moq)
    holding_before, shortage_before = position_cost(position + adding, levels, costs, shortfall)
    holding_after, shortage_after = position_cost(
        position + adding + quantity, levels, costs, shortfall
    )
    money = Money(
        shortage_before=shortage_before,
        holding_before=holding_before,
        shortage_after=shortage_after,
        holding_after=holding_after,
        ordering=costs.ordering_cost,
        purchase=quantity * max(supplier.unit_price - costs.unit_cost, 0.0),
    )
    arrival = today + timedelta(days=supplier.lead_time_days)
    return Proposal(
        quantity=quantity,
        arrival=arrival,
        position=position,
        pending=tuple(pending),
        money=money,
        rationale=_rationale(event, after, levels, supplier, pending, position, quantity,
                             arrival, money, members),
    )  # fmt: skip


def _rationale(
    event: Mapping[str, Any],
    after: AfterEvent,
    levels: Levels,
    supplier: Supplier,
    pending: Sequence[Pending],
    position: float,
    quantity: int,
    arrival: date,
    money: Money,
    members: Sequence[str],
) -> str:
    stock = after.stock
    others = [m for m in members if m != stock.location_code]
    where = stock.location_code + (f" with {', '.join(others)}" if others else "")
    head = (
        f"{stock.sku} at {where} after {trigger(event, after)}: inventory "
        f"position {position:,.0f} ({stock.available:,.0f} available + {stock.on_order:,.0f} "
        f"on order - {stock.committed:,.0f} on open orders)"
    )
    if pending:
        open_ones = ", ".join(
            f"{p.kind} #{p.recommendation_id} of {p.quantity:,.0f} ({p.origin}, {p.status})"
            for p in pending
        )
        head += f", plus {open_ones} still open"
    head += (
        f", is below the reorder point of {levels.reorder_point:,.0f} (safety stock "
        f"{levels.safety_stock:,.0f} for a {levels.fill_rate:.1%} fill rate over "
        f"{levels.protection_days} days; {levels.basis})."
    )
    buy = (
        f" Buying {quantity:,} from {supplier.supplier_code} (MOQ {supplier.moq:,.0f}, "
        f"multiple {supplier.order_multiple}), arriving {arrival.isoformat()}, cuts the "
        f"expected shortage cost from {money.shortage_before:,.2f} to "
        f"{money.shortage_after:,.2f} for {money.holding_after - money.holding_before:,.2f} "
        f"more holding, {money.ordering:,.2f} ordering and {money.purchase:,.2f} above "
        f"standard cost: "
    )
    if money.savings >= 0:
        buy += f"it saves {money.savings:,.2f}."
    else:
        buy += (
            f"it costs {-money.savings:,.2f} more than it saves; the fill-rate target asks for it."
        )
    return head + buy
