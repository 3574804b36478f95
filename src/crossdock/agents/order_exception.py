"""The order exception agent: a customer order is held, backordered, picked short or
shipped late. What kind of exception is it, what are the options, and what do we tell
the customer?

A hold is classified from its reason code: a credit hold (or any hold that is not about
stock) goes to customer service with the order value at risk, and nothing is moved. A
stock hold, a backorder and a short pick leave a line short: another warehouse may
land the units by the requested date over its lane (cheapest lane first, when the
freight is below the tier-weighted margin a unit short loses); otherwise the line ships
split, what is there on time and the rest by the next open receipt, or whole at that
revised date. A late shipment arrives at the carrier's new date. The customer is told
only when the order will not arrive complete and on time. Pure: the data comes in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from crossdock.agents.fulfilment import (
    Fill,
    ItemSite,
    OrderLine,
    fills,
    lost_margin_per_unit,
    revised_date,
    say_day,
)

AGENT = "agent:order_exception"
TOPICS = (
    "events.order_held",
    "events.order_backordered",
    "events.short_pick",
    "events.shipment_delayed",
)
# The workflows it may propose in and the data it reads: declared, and checked when it
# proposes (service_layer/agent_runtime.py); `crossdock agents` lists them.
WORKFLOWS = frozenset({"order_exception", "customer_message"})
DATA = frozenset(
    {
        "sales_orders",
        "inventory",
        "purchase_orders",
        "transfers",
        "customers",
        "network",
        "supplier_cost",
        "customer_pricing",
    }
)
CREDIT_HOLD, STOCK_HOLD, OTHER_HOLD = "credit_hold", "stock_hold", "other_hold"
BACKORDER, SHORT_PICK, LATE_SHIPMENT = "backorder", "short_pick", "late_shipment"
STOCK_EXCEPTIONS = (STOCK_HOLD, BACKORDER, SHORT_PICK)  # raise order_exception_raised
_STOCK_REASONS = frozenset(
    {"awaiting_stock", "short_pick", "supplier_late", "supplier_short_ship", "damaged",
     "quality_hold", "expired", "wrong_item"}
)  # fmt: skip
NO_SUBSTITUTE = "the data has no notion of a substitute item"


@dataclass(frozen=True, slots=True)
class Trigger:
    """What an event says about a customer order."""

    event_type: str
    order_number: str
    today: date
    sku: str | None = None
    location_code: str | None = None
    units: float | None = None
    line_number: int | None = None
    picked: float | None = None
    reason_code: str | None = None  # as the site wrote it
    new_eta: date | None = None
    previous_eta: date | None = None


def trigger(event: Mapping[str, Any]) -> Trigger | None:
    """The order an event concerns, and what it says; None for an event without one."""
    if f"events.{event['event_type']}" not in TOPICS or not event.get("reference"):
        return None
    data = event.get("data") or {}
    eta, before = data.get("new_eta"), data.get("previous_eta")
    return Trigger(
        event_type=event["event_type"],
        order_number=str(event["reference"]),
        today=datetime.fromisoformat(str(event["occurred_at"])).date(),
        sku=event.get("sku"),
        location_code=event.get("location_code"),
        units=None if event.get("quantity") is None else float(event["quantity"]),
        line_number=data.get("line_number"),
        picked=None if data.get("picked_quantity") is None else float(data["picked_quantity"]),
        reason_code=event.get("reason_code"),
        new_eta=date.fromisoformat(eta) if eta else None,
        previous_eta=date.fromisoformat(before) if before else None,
    )


def classify_hold(reason: str | None) -> str:
    """credit_hold, stock_hold (the goods are not there) or other_hold, from the hold's
    canonical reason code (None: not mapped)."""
    if reason == "credit_hold":
        return CREDIT_HOLD
    return STOCK_HOLD if reason in _STOCK_REASONS else OTHER_HOLD


@dataclass(frozen=True, slots=True)
class Shortfall:
    """Units of an order line that will not reach the customer by the requested date."""

    line: OrderLine
    exception: str
    units: float
    on_time: float  # units of the line that can still ship on time
    late_until: date | None = None  # a late shipment's new arrival
    movable: bool = True  # False: the units are already on the (late) truck


def shortfalls(
    trig: Trigger, lines: Sequence[OrderLine], sites: Mapping[str, ItemSite], *, exception: str
) -> list[Shortfall]:
    """The order lines the exception leaves short. `sites` holds each item at the order's
    warehouse (for a stock hold: what the shelf has for the line)."""
    if exception == LATE_SHIPMENT:
        eta = trig.new_eta
        return [
            Shortfall(line, exception, line.open_quantity or line.shipped_quantity, 0.0, eta,
                      movable=line.open_quantity > 0)
            for line in lines
            if eta is not None and line.status != "cancelled" and eta > line.requested_date
            and (line.open_quantity or line.shipped_quantity) > 0
        ]  # fmt: skip
    open_lines = [line for line in lines if line.is_open]
    if exception == STOCK_HOLD:
        out = []
        for line in open_lines:
            here = _available_for(line, sites[line.sku]) if line.sku in sites else 0.0
            if line.open_quantity - here > 1e-9:
                out.append(Shortfall(line, exception, line.open_quantity - here, here))
        return out
    matching = [
        line
        for line in open_lines
        if line.sku == trig.sku and trig.line_number in (None, line.line_number)
    ]
    if not matching or not trig.units:
        return []
    line = matching[0]
    units = min(trig.units, line.open_quantity)
    on_time = line.open_quantity - units
    if trig.picked is not None:
        on_time = min(trig.picked, on_time)
    return [Shortfall(line, exception, units, on_time)]


def _available_for(line: OrderLine, site: ItemSite) -> float:
    """What the shelf holds for `line` after the open lines due before it."""
    ahead = sum(
        other.open_quantity
        for other in site.orders
        if other.key != line.key
        and (other.requested_date, other.order_number, other.line_number)
        < (line.requested_date, line.order_number, line.line_number)
    )
    return min(max(site.available - ahead, 0.0), line.open_quantity)


@dataclass(frozen=True, slots=True)
class Plan:
    """The best option for one short line, with every option compared in money."""

    shortfall: Shortfall
    action: str  # transfer, split or revised_date
    fills: tuple[Fill, ...]
    late_units: float  # units that still miss the requested date
    revised: date | None  # the day they arrive (None: no open supply covers them)
    revised_by: str | None  # the receipt (PO or transfer) or the carrier's new ETA
    lost_margin_per_unit: float
    rationale: str

    @property
    def do_nothing_cost(self) -> float:
        return self.shortfall.units * self.lost_margin_per_unit

    @property
    def freight(self) -> float:
        return sum(fill.freight for fill in self.fills)

    @property
    def lost_margin(self) -> float:
        return self.late_units * self.lost_margin_per_unit

    @property
    def savings(self) -> float:
        return self.do_nothing_cost - self.freight - self.lost_margin


def plan(short: Shortfall, site: ItemSite, *, today: date, why: str) -> Plan:
    """Compare shipping from another warehouse, splitting and a revised date; choose the
    cheapest in money (freight + tier-weighted margin of the units still late), then the
    one that gets the customer the most on time."""
    line, per_unit = short.line, lost_margin_per_unit(short.line, site.unit_cost)
    moved = (
        fills(short.units, line.requested_date, site.sources, today=today, worth_per_unit=per_unit)
        if short.movable
        else []
    )
    if not line.accepts_partials and sum(f.units for f in moved) < short.units - 1e-9:
        moved = []  # the line ships complete: a part landing in time changes nothing
    late = short.units - sum(f.units for f in moved)
    revised: date | None = short.late_until
    revised_by = "the carrier's new ETA" if revised else None
    if revised is None and late > 1e-9:
        receipt = revised_date(late, (*site.inbound, *site.parent_inbound), today=today)
        revised = receipt.arrival if receipt else None
        revised_by = receipt.reference if receipt else None
    if late <= 1e-9:
        action = "transfer"
    elif line.accepts_partials and short.on_time + sum(f.units for f in moved) > 1e-9:
        action = "split"
    else:
        action = "revised_date"
    draft = Plan(short, action, tuple(moved), max(late, 0.0), revised, revised_by, per_unit, "")
    return replace(draft, rationale=_rationale(draft, why))


def _rationale(chosen: Plan, why: str) -> str:
    short, line = chosen.shortfall, chosen.shortfall.line
    head = (
        f"{line.named()} ({line.sku}, {line.open_quantity:,.0f} open at {line.location_code}, "
        f"wanted {line.requested_date.isoformat()}; {line.customer_code}, "
        f"{line.tier or 'no tier'}): {why}; {short.units:,.0f} would miss the date. "
    )
    money = (
        f"{chosen.do_nothing_cost:,.2f} of margin at risk ({short.units:,.0f} x "
        f"{chosen.lost_margin_per_unit:,.2f}, weighted for {line.tier or 'no tier'})"
    )
    moved = "; ".join(
        f"{f.units:,.0f} from {f.from_code} landing {f.arrives.isoformat()} for {f.freight:,.2f}"
        for f in chosen.fills
    )
    when = (
        f"by {chosen.revised.isoformat()} ({chosen.revised_by})"
        if chosen.revised
        else "when stock comes: no open PO or transfer covers them yet"
    )
    if chosen.action == "transfer":
        body = f"Ship {moved}: {chosen.freight:,.2f} of freight against {money}."
    elif chosen.action == "split":
        sent = f" plus {moved}" if moved else ""
        body = (
            f"Split: ship the {short.on_time:,.0f} on the shelf{sent} on time and the other "
            f"{chosen.late_units:,.0f} {when}; no other warehouse lands them in time for "
            f"less than the {money}."
        )
    else:
        body = (
            f"Revised date: the line is ready {when}; no other warehouse lands it in time for "
            f"less than the {money}."
        )
    return f"{head}{body} No substitute is offered: {NO_SUBSTITUTE}."


def customer_message(plans: Sequence[Plan]) -> str | None:
    """A short, factual note for the customer of one order: each line that will not
    arrive complete and on time, with what ships on time and the revised date; None when
    every line arrives in time."""
    parts = []
    for chosen in plans:
        short, line = chosen.shortfall, chosen.shortfall.line
        if chosen.late_units <= 1e-9:
            continue
        when = f"by {say_day(chosen.revised)}" if chosen.revised else "as soon as stock arrives"
        item = f"line {line.line_number} ({line.sku})"
        if short.late_until is not None:
            parts.append(f"{item} now arrives {when} instead of {say_day(line.requested_date)}")
        elif chosen.action == "split":
            on_time = line.open_quantity - chosen.late_units
            parts.append(
                f"{item}: {on_time:,.0f} of {line.open_quantity:,.0f} arrive on time, "
                f"the other {chosen.late_units:,.0f} follow {when}"
            )
        else:
            parts.append(f"{item}: all {line.open_quantity:,.0f} ship together {when}")
    if not parts:
        return None
    unknown = any(p.revised is None and p.late_units > 1e-9 for p in plans)
    confirm = " We will confirm the date as soon as we have it." if unknown else ""
    return f"Order {plans[0].shortfall.line.order_number}: " + "; ".join(parts) + "." + confirm


@dataclass(frozen=True, slots=True)
class HoldReview:
    """A hold that is not a stock problem, for customer service (and credit)."""

    exception: str  # credit_hold or other_hold
    reason: str
    lines: tuple[OrderLine, ...]
    value_at_risk: float  # open units x price
    margin_at_risk: float  # tier-weighted
    rationale: str


def hold_review(
    exception: str, reason: str, lines: Sequence[OrderLine], unit_costs: Mapping[str, float]
) -> HoldReview | None:
    """The order value at risk while the order is held; None when nothing is open."""
    held = tuple(line for line in lines if line.is_open)
    if not held:
        return None
    value = sum(line.open_quantity * line.unit_price for line in held)
    margin = sum(
        line.open_quantity * lost_margin_per_unit(line, unit_costs.get(line.sku, 0.0))
        for line in held
    )
    first = held[0]
    who = "customer service and credit to release or cancel it" if exception == CREDIT_HOLD else (
        "customer service to clear the hold"
    )  # fmt: skip
    rationale = (
        f"{first.order_number} ({first.customer_code}, {first.tier or 'no tier'}, "
        f"{first.location_code}) is on {exception.replace('_', ' ')} ({reason}): "
        f"{len(held)} open line(s), {sum(x.open_quantity for x in held):,.0f} units, "
        f"{value:,.2f} of order value at risk ({margin:,.2f} of margin weighted for the "
        f"tier). Not a stock problem: nothing is moved and no date changes; for {who}."
    )
    return HoldReview(exception, reason, held, value, margin, rationale)
