"""The receiving prioritisation agent: which inbound shipment should the dock receive
first, given the customer orders that wait for it?

It reacts to an ASN, a shipped PO and a delayed shipment. For the warehouse the
shipment is going to, it takes every open inbound shipment due there by the day it
arrives (the dock's queue) and the customer orders of that warehouse and the branches
it replenishes that are short of stock (first come first served by requested date, gold
before silver before bronze on the same day). It ranks the shipments greedily: first the
one whose units fill the most waiting margin, weighted by customer tier and by
cross-dock potential (units for orders due now, that go straight to an outbound order or
onto a branch transfer without putaway), then the best of the rest, and so on. When
first come first served at the dock would receive another shipment first, it proposes
receiving the best one first, with the margin of the orders that would wait. Pure: the
data comes in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Final

from crossdock.agents.procurement import TIER_PENALTY

AGENT = "agent:receiving"
TOPICS = ("events.asn_received", "events.po_shipped", "events.shipment_delayed")
# The workflows it may propose in and the data it reads: declared, and checked when it
# proposes (service_layer/agent_runtime.py); `crossdock agents` lists them.
WORKFLOWS = frozenset({"receiving"})
DATA = frozenset(
    {
        "purchase_orders",
        "sales_orders",
        "inventory",
        "customers",
        "network",
        "supplier_cost",
        "customer_pricing",
    }
)
# The planner's weights of a customer's shortage (gold 2.0, silver 1.5, bronze 1.0): the
# dock serves the same customers the planner protects, so it ranks them alike.
WEIGHTS: Final = TIER_PENALTY
DEMAND_HORIZON_DAYS: Final = 7  # orders due within a week of the dock day wait on it
CROSS_DOCK_WEIGHT: Final = 1.25  # a unit that leaves the dock the day it arrives
EVENT_LOOKBACK_DAYS: Final = 30  # inbound events older than this no longer shape the queue
_TIER_RANK = {"gold": 0, "silver": 1, "bronze": 2}


@dataclass(frozen=True, slots=True)
class InboundLine:
    """An open PO line due at the warehouse, as the ERP holds it."""

    po_number: str
    line_number: int
    sku: str
    supplier_code: str
    open_quantity: float  # ordered less received
    in_transit: float | None  # shipped less received; None: not shipped
    asn_number: str | None
    promised_date: date | None


@dataclass(frozen=True, slots=True)
class Shipment:
    """An inbound truck: an ASN, or a PO shipped without one."""

    reference: str
    po_number: str
    supplier_code: str
    arrival: date | None
    lines: tuple[tuple[int, str, float], ...]  # (PO line, sku, units)
    noticed: str = ""  # when the event announcing it occurred; "": known from the ERP

    @property
    def units(self) -> float:
        return sum(q for _, _, q in self.lines)

    @property
    def fifo(self) -> tuple[date, str, str]:
        return (self.arrival or date.max, self.noticed, self.reference)


@dataclass(frozen=True, slots=True)
class OrderLine:
    order_number: str
    line_number: int
    customer_code: str
    tier: str | None
    location_code: str
    requested_date: date
    sku: str
    open_quantity: float
    unit_price: float
    unit_margin: float


@dataclass(frozen=True, slots=True)
class Demand:
    """Open customer order lines over the warehouse and the branches it replenishes."""

    on_hand: Mapping[str, float]  # pooled, by sku
    orders: tuple[OrderLine, ...]
    transit_days: Mapping[str, int]  # from the warehouse to each branch


@dataclass(frozen=True, slots=True)
class Fill:
    order: OrderLine
    units: float
    cross_dock: bool  # due now: straight to an outbound order or a branch transfer

    @property
    def margin(self) -> float:
        return self.units * max(self.order.unit_margin, 0.0)

    @property
    def weight(self) -> float:
        tier = WEIGHTS.get(self.order.tier or "", 1.0)
        return self.margin * tier * (CROSS_DOCK_WEIGHT if self.cross_dock else 1.0)


@dataclass(frozen=True, slots=True)
class Ranked:
    shipment: Shipment
    fills: tuple[Fill, ...]

    @property
    def score(self) -> float:
        return sum(f.weight for f in self.fills)


def shipments(lines: Sequence[InboundLine], events: Sequence[Mapping[str, Any]]) -> list[Shipment]:
    """The open inbound shipments: the ERP's shipped lines, then the inbound events in
    the order they occurred (an ASN's lines, a shipped PO, a new ETA, goods received)."""
    by_line = {(line.po_number, line.line_number): line for line in lines}
    found: dict[str, Shipment] = {}
    for line in lines:
        if line.in_transit is None or line.in_transit <= 0:
            continue
        reference = line.asn_number or line.po_number
        old = found.get(reference)
        units = (line.line_number, line.sku, min(line.in_transit, line.open_quantity))
        found[reference] = (
            replace(old, lines=(*old.lines, units))
            if old
            else Shipment(reference, line.po_number, line.supplier_code, line.promised_date,
                          (units,))
        )  # fmt: skip
    seen: set[str] = set()
    for event in sorted(events, key=lambda e: (e["occurred_at"], e["event_id"])):
        if event["event_id"] not in seen:
            seen.add(event["event_id"])
            _fold(found, event, by_line)
    return list(found.values())


def _fold(
    found: dict[str, Shipment],
    event: Mapping[str, Any],
    by_line: Mapping[tuple[str, int], InboundLine],
) -> None:
    kind, data, reference = event["event_type"], event.get("data") or {}, event.get("reference")
    if kind == "goods_received":
        found.pop(str(data.get("asn_number")), None)
        return
    if reference is None:
        return
    day = _day(data.get("expected_arrival") or data.get("new_eta"))
    if kind == "asn_received":
        po = str(data.get("po_number"))
        units = [
            (n, str(x["sku"]), min(float(x["quantity"]), by_line[(po, n)].open_quantity))
            for x in data.get("lines", [])
            if (po, n := int(x["po_line"])) in by_line
        ]
        if units:
            supplier = by_line[(po, units[0][0])].supplier_code
            found[reference] = Shipment(
                reference, po, supplier, day, tuple(units), event["occurred_at"]
            )
        return
    moved = [s for s in found.values() if reference in (s.reference, s.po_number)]
    for shipment in moved:
        found[shipment.reference] = replace(shipment, arrival=day or shipment.arrival)
    if kind == "po_shipped" and not moved:
        po = str(data.get("po_number") or reference)
        units = [
            (x.line_number, x.sku, x.open_quantity) for x in by_line.values() if x.po_number == po
        ]
        if units:
            supplier = by_line[(po, units[0][0])].supplier_code
            arrival = day or _day(event["occurred_at"])
            found[reference] = Shipment(
                reference, po, supplier, arrival, tuple(units), event["occurred_at"]
            )


def waiting(demand: Demand, dock_day: date) -> dict[str, list[Fill]]:
    """Per item, the order lines due within the horizon that stock does not cover, in
    the order they will be served, with the units they are short."""
    until = dock_day + timedelta(days=DEMAND_HORIZON_DAYS)
    queue = sorted(
        (o for o in demand.orders if o.requested_date <= until),
        key=lambda o: (o.requested_date, _TIER_RANK.get(o.tier or "", 3), o.order_number,
                       o.line_number),
    )  # fmt: skip
    left = dict(demand.on_hand)
    short: dict[str, list[Fill]] = {}
    for order in queue:
        served = max(min(order.open_quantity, left.get(order.sku, 0.0)), 0.0)
        left[order.sku] = left.get(order.sku, 0.0) - served
        if order.open_quantity - served > 1e-9:
            due_now = order.requested_date <= dock_day + timedelta(
                days=demand.transit_days.get(order.location_code, 0)
            )
            short.setdefault(order.sku, []).append(
                Fill(order, order.open_quantity - served, cross_dock=due_now)
            )
    return short


def _fill(shipment: Shipment, short: Mapping[str, list[Fill]]) -> tuple[Fill, ...]:
    """The waiting order lines the shipment's units fill, in serving order."""
    fills: list[Fill] = []
    for sku in dict.fromkeys(s for _, s, _ in shipment.lines):
        units = sum(q for _, s, q in shipment.lines if s == sku)
        for wait in short.get(sku, []):
            if units <= 1e-9:
                break
            take = min(units, wait.units)
            units -= take
            fills.append(replace(wait, units=take))
    return tuple(fills)


def _consume(short: Mapping[str, list[Fill]], fills: Sequence[Fill]) -> dict[str, list[Fill]]:
    taken: dict[tuple[str, int], float] = {}
    for f in fills:
        key = (f.order.order_number, f.order.line_number)
        taken[key] = taken.get(key, 0.0) + f.units
    out: dict[str, list[Fill]] = {}
    for sku, waits in short.items():
        for w in waits:
            left = w.units - taken.get((w.order.order_number, w.order.line_number), 0.0)
            if left > 1e-9:
                out.setdefault(sku, []).append(replace(w, units=left))
    return out


def rank(queue: Sequence[Shipment], short: Mapping[str, list[Fill]]) -> list[Ranked]:
    """The shipments best first: each time, the one whose units fill the most weighted
    waiting margin after those ranked before it (first come first served on a tie)."""
    left, state, ranked = sorted(queue, key=lambda s: s.fifo), dict(short), []
    while left:
        best = max(left, key=lambda s: (sum(f.weight for f in _fill(s, state)), -left.index(s)))
        fills = _fill(best, state)
        ranked.append(Ranked(best, fills))
        state = _consume(state, fills)
        left.remove(best)
    return ranked


@dataclass(frozen=True, slots=True)
class Proposal:
    first: Ranked
    ahead: tuple[Shipment, ...]  # received before it, first come first served
    waits: tuple[Fill, ...]  # order lines that would wait for those
    ranked: tuple[Ranked, ...]
    rationale: str

    @property
    def margin_waiting(self) -> float:
        return sum(f.margin for f in self.waits)


def propose(
    warehouse: str, queue: Sequence[Shipment], short: Mapping[str, list[Fill]]
) -> Proposal | None:
    """Receive the best shipment first, when first come first served would not, and the
    orders it fills would wait for the shipments received before it."""
    ranked = rank(queue, short)
    fifo = sorted(queue, key=lambda s: s.fifo)
    if not ranked or ranked[0].score <= 0 or fifo[0] is ranked[0].shipment:
        return None
    first = ranked[0].shipment
    ahead = tuple(fifo[: fifo.index(first)])
    state = dict(short)
    for shipment in ahead:
        state = _consume(state, _fill(shipment, state))
    waits = _fill(first, state)
    if not waits:
        return None
    margin = sum(f.margin for f in waits)
    orders = "; ".join(
        f"{f.order.order_number} ({f.order.customer_code}, {f.order.tier or 'no tier'}, "
        f"{f.units:,.0f} {f.order.sku} for {f.order.location_code} due "
        f"{f.order.requested_date.isoformat()}{', cross-dock' if f.cross_dock else ''})"
        for f in waits
    )
    rationale = (
        f"Receive {first.reference} ({first.po_number} from {first.supplier_code}, "
        f"{first.units:,.0f} units, due {_iso(first.arrival)}) first at {warehouse}: first come "
        f"first served puts it behind {len(ahead)} shipment(s) "
        f"({', '.join(s.reference for s in ahead)}), and {len(waits)} customer order line(s) "
        f"short of stock wait for it: {orders}. Their margin, {margin:,.2f}, waits if it is "
        f"received in turn."
    )
    return Proposal(ranked[0], ahead, waits, tuple(ranked), rationale)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "undated"


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None
