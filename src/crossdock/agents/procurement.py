"""The procurement agent: a PO line that will come later, smaller or not at all. Which
customer orders does that hit, and what should the buyer do about it?

It reacts to a supplier's acknowledgment that changes or rejects lines, a PO change, a
rejected PO, an ASN later than promised, a delayed shipment and lines still not
acknowledged days after the PO was sent (Crossdock's own check). For each line it
replays the item's supply and open customer orders twice, first-come first-served by
requested date: with the line as promised, and as now announced. Orders that are short
only in the second replay are hit. A rejected line, and an unacknowledged one (it may
not come on time), is replayed as not coming. What to do about the hit orders (expedite,
split the delivery, another supplier, another warehouse's stock, or ask the supplier) is
weighed in money in `procurement_options`. It also answers the order exception agent's
ask about a short customer order line (`procurement_cover`). Pure: the data comes in.

Supply and demand are pooled over the receiving warehouse and the warehouses it
replenishes: a DC's stock reaches its branches' customers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

AGENT = "agent:procurement"
TOPICS = (
    "events.po_acknowledged",
    "events.po_changed",
    "events.po_rejected",
    "events.asn_received",
    "events.shipment_delayed",
    "events.po_unacknowledged",
    "events.order_exception_raised",  # the order exception agent's ask: procurement_cover
)
# The workflows it may propose in and the data it reads: declared, and checked when it
# proposes (service_layer/agent_runtime.py); `crossdock agents` lists them.
WORKFLOWS = frozenset({"expedite", "supplier_follow_up", "transfer", "buy"})
DATA = frozenset(
    {
        "purchase_orders",
        "sales_orders",
        "inventory",
        "customers",
        "network",
        "transfers",
        "supply_terms",
        "supplier_cost",
        "customer_pricing",
    }
)
TIER_PENALTY: Mapping[str, float] = {"gold": 2.0, "silver": 1.5, "bronze": 1.0}
EXPEDITE_PREMIUM_RATE = 0.15  # of the PO price, per unit expedited (as the planner)
_TIER_RANK = {"gold": 0, "silver": 1, "bronze": 2}

# A receipt in the replay: (document, line, arrival, units). A PO line, an inbound
# transfer (line 0), or an option's supply.
Receipt = tuple[str, int, date, float]


@dataclass(frozen=True, slots=True)
class LineChange:
    """What an event says about one PO line: the new date (None: it will not come) and
    the new quantity (None: unchanged). `waiting_days` is set when the supplier has not
    acknowledged the line that many days after the PO was sent: it may not come."""

    po_number: str | None
    line_number: int | None  # None: every line of the PO (or of the ASN)
    asn_number: str | None
    new_date: date | None
    new_quantity: float | None
    why: str
    rejected: bool = False
    waiting_days: int | None = None

    @property
    def unacknowledged(self) -> bool:
        return self.waiting_days is not None

    @property
    def may_not_come(self) -> bool:
        """Rejected, or unconfirmed: the orders that need it are at risk."""
        return self.rejected or self.unacknowledged

    @property
    def shipped(self) -> bool:
        """Announced by an ASN or a shipment: the goods have left the supplier."""
        return self.asn_number is not None


@dataclass(frozen=True, slots=True)
class OpenLine:
    po_number: str
    line_number: int
    sku: str
    location_code: str
    supplier_code: str
    open_quantity: float
    promised_date: date | None
    unit_price: float


@dataclass(frozen=True, slots=True)
class OrderLine:
    order_number: str
    line_number: int
    customer_code: str
    tier: str | None
    location_code: str
    requested_date: date
    open_quantity: float
    unit_price: float


@dataclass(frozen=True, slots=True)
class Position:
    """An item's pooled supply and demand over a warehouse and those it replenishes."""

    on_hand: float
    receipts: tuple[Receipt, ...]  # open PO lines and transfers in from outside the pool
    orders: tuple[OrderLine, ...]
    unit_cost: float


@dataclass(frozen=True, slots=True)
class Hit:
    order: OrderLine
    short_before: float
    short_after: float

    @property
    def extra(self) -> float:
        return self.short_after - self.short_before


def supply_changes(event: Mapping[str, Any]) -> list[LineChange]:
    """The PO lines an event changes, and how."""
    kind, data = event["event_type"], event.get("data") or {}
    reference = event.get("reference")
    if kind in ("po_acknowledged", "po_changed"):
        acknowledged = kind == "po_acknowledged"
        return [
            _po_line_change(reference, line, acknowledged=acknowledged)
            for line in data.get("lines", [])
            if not acknowledged or line["status"] in ("changed", "rejected")
        ]
    if kind == "po_rejected":
        numbers = data.get("line_numbers") or [None]
        return [
            LineChange(reference, n, None, None, 0.0, "the supplier rejected it", rejected=True)
            for n in numbers
        ]
    if kind == "asn_received":
        arrival = _day(data.get("expected_arrival"))
        return [
            LineChange(
                po_number=data.get("po_number"),
                line_number=int(line["po_line"]),
                asn_number=reference,
                new_date=arrival,
                new_quantity=_number(line.get("quantity")),
                why=f"ASN {reference} announces it for {arrival}",
            )
            for line in data.get("lines", [])
        ]
    if kind == "po_unacknowledged":
        days, sent = int(data["days_waiting"]), data["order_date"]
        why = f"the supplier has not acknowledged it, {days} days after the PO was sent on {sent}"
        return [
            LineChange(reference, int(n), None, None, None, why, waiting_days=days)
            for n in data.get("line_numbers", [])
        ]
    if kind == "shipment_delayed":
        eta = _day(data.get("new_eta"))
        return [LineChange(None, None, reference, eta, None, f"shipment {reference} now due {eta}")]
    return []


def _po_line_change(
    reference: str | None, line: Mapping[str, Any], *, acknowledged: bool
) -> LineChange:
    status = line.get("status", "changed")
    return LineChange(
        po_number=reference,
        line_number=int(line["line_number"]),
        asn_number=None,
        new_date=_day(line.get("promised_date")),
        new_quantity=_number(line.get("quantity")),
        why=f"the supplier {status} the line" + (" in its acknowledgment" if acknowledged else ""),
        rejected=status == "rejected",
    )


def hits(position: Position, line: OpenLine, change: LineChange) -> list[Hit]:
    """Customer order lines short only because of the change."""
    short_before = short_by_order(position, position.receipts)
    short_after = short_by_order(position, announced(position, line, change))
    return [
        Hit(order, short_before[key], short_after[key])
        for order in _queue(position.orders)
        if short_after[key := (order.order_number, order.line_number)] > short_before[key] + 1e-9
    ]


def still_coming(line: OpenLine, change: LineChange) -> float:
    """Units the line will still bring as now announced (0: rejected or unconfirmed)."""
    if change.may_not_come:
        return 0.0
    return line.open_quantity if change.new_quantity is None else change.new_quantity


def other_receipts(position: Position, line: OpenLine) -> list[Receipt]:
    """The position's receipts, all but the line's."""
    return [r for r in position.receipts if (r[0], r[1]) != (line.po_number, line.line_number)]


def announced(position: Position, line: OpenLine, change: LineChange) -> list[Receipt]:
    """The position's receipts with the line as now announced."""
    out = other_receipts(position, line)
    arrival, quantity = change.new_date or line.promised_date, still_coming(line, change)
    if arrival is not None and quantity > 0:
        out.append((line.po_number, line.line_number, arrival, quantity))
    return out


def short_by_order(position: Position, receipts: Sequence[Receipt]) -> dict[tuple[str, int], float]:
    """Units short per customer order line (order, line), first come first served."""
    queue = _queue(position.orders)
    return {
        (order.order_number, order.line_number): short
        for order, short in zip(queue, _shortages(queue, position.on_hand, receipts), strict=True)
    }


def lost_margin_per_unit(order: OrderLine, unit_cost: float) -> float:
    """A unit short: the order's margin over the item's cost, weighted by its tier."""
    return max(order.unit_price - unit_cost, 0.0) * _penalty(order.tier)


def _queue(orders: Sequence[OrderLine]) -> list[OrderLine]:
    return sorted(
        orders,
        key=lambda o: (
            o.requested_date,
            _TIER_RANK.get(o.tier or "", 3),
            o.order_number,
            o.line_number,
        ),
    )


def _shortages(
    queue: Sequence[OrderLine], on_hand: float, receipts: Sequence[Receipt]
) -> list[float]:
    """Units short per order line (in queue order), first come first served by date."""
    used, out = 0.0, []
    for order in queue:
        pool = on_hand + sum(q for _, _, day, q in receipts if day <= order.requested_date)
        served = max(min(order.open_quantity, pool - used), 0.0)
        used += served
        out.append(order.open_quantity - served)
    return out


def _penalty(tier: str | None) -> float:
    return TIER_PENALTY.get(tier or "", 1.0)


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _number(value: object) -> float | None:
    return None if value is None else float(str(value))
