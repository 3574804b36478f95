"""One item at one warehouse as an event leaves it: the stock counted, what is due in
(open PO and transfer lines), what is promised out (open customer order lines and
transfers not shipped yet), and the replay that finds the order lines that go short.
Shared by the balancing and replenishment agents. Pure: the data comes in.

The newest stock count may be older or newer than the event. An event that changes the
stock (an adjustment, a short pick, a stockout, a receipt) is applied only to a count
taken before it happened; a count taken after it already holds it. An event that changes
a PO line (new quantity or date, rejection) replaces what the line says, so applying it
twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

TIER_PENALTY: Mapping[str, float] = {"gold": 2.0, "silver": 1.5, "bronze": 1.0}  # as the plan
DEFAULT_MARGIN_RATE = 0.3  # margin on cost when an item sells at or below cost (as the plan)
_TIER_RANK = {"gold": 0, "silver": 1, "bronze": 2}


@dataclass(frozen=True, slots=True)
class OrderLine:
    """An open customer order line at the warehouse."""

    order_number: str
    line_number: int
    customer_code: str
    tier: str | None
    requested_date: date
    open_quantity: float
    unit_price: float  # 0: not known


@dataclass(frozen=True, slots=True)
class Receipt:
    """An open PO line, inbound transfer line or open recommendation that adds supply:
    what is still to arrive, and when."""

    reference: str  # PO or transfer number, or "#<recommendation id>"
    line_number: int
    arrival: date | None
    open_quantity: float
    received_quantity: float = 0.0
    kind: str = "po"  # po, transfer or proposal


@dataclass(frozen=True, slots=True)
class Pending:
    """An open recommendation (the newest plan's or an agent's) that adds supply at the
    item-location: a buy, transfer or rebalance not executed, rejected or expired."""

    recommendation_id: int
    kind: str
    quantity: float
    arrival: date | None
    status: str
    origin: str  # "plan run #2", or the agent that proposed it

    def as_receipt(self) -> Receipt:
        return Receipt(
            f"#{self.recommendation_id}", 0, self.arrival, self.quantity, kind="proposal"
        )


@dataclass(frozen=True, slots=True)
class Stock:
    """An item at a warehouse: counted stock, receipts due in, demand promised out."""

    sku: str
    location_code: str
    on_hand: float
    on_hold: float
    counted_at: datetime | None
    receipts: tuple[Receipt, ...]
    orders: tuple[OrderLine, ...]
    unit_cost: float
    unit_price: float = 0.0  # list price; 0: not known
    transfers_out: float = 0.0  # units on transfers to other warehouses, not shipped yet

    @property
    def available(self) -> float:
        """On hand and not on hold."""
        return max(self.on_hand - self.on_hold, 0.0)

    @property
    def on_order(self) -> float:
        """Open PO and inbound transfer lines (not recommendations)."""
        return sum(r.open_quantity for r in self.receipts if r.kind != "proposal")

    def with_pending(self, pending: Sequence[Pending]) -> Stock:
        """The stock with open recommendations counted as receipts on their dates."""
        return replace(self, receipts=self.receipts + tuple(p.as_receipt() for p in pending))

    @property
    def committed(self) -> float:
        """Open customer order units plus transfers out not shipped yet."""
        return sum(o.open_quantity for o in self.orders) + self.transfers_out

    @property
    def inventory_position(self) -> float:
        """Available + on order - committed (recommendations not counted)."""
        return self.available + self.on_order - self.committed


def pooled(stocks: Sequence[Stock], location_code: str) -> Stock:
    """Several warehouses' stock of one item as one (a DC and the warehouses it
    replenishes): counts, receipts, orders and transfers out added up. A transfer between
    two of them that has not shipped is out at one and due in at the other: it nets out."""
    first = stocks[0]
    counted = [s.counted_at for s in stocks if s.counted_at is not None]
    return replace(
        first,
        location_code=location_code,
        on_hand=sum(s.on_hand for s in stocks),
        on_hold=sum(s.on_hold for s in stocks),
        counted_at=min(counted) if counted else None,
        receipts=tuple(r for s in stocks for r in s.receipts),
        orders=tuple(o for s in stocks for o in s.orders),
        transfers_out=sum(s.transfers_out for s in stocks),
    )


@dataclass(frozen=True, slots=True)
class AfterEvent:
    """The stock as the event leaves it, and what the event changed, in words ("" when
    it changed nothing the stock shows)."""

    stock: Stock
    change: str


def after_event(event: Mapping[str, Any], stock: Stock) -> AfterEvent:
    """Apply what `event` says to `stock` (see the module's note on counts)."""
    kind, data = event["event_type"], event.get("data") or {}
    if kind in ("po_changed", "po_rejected"):
        receipts, said = _po_lines_changed(stock.receipts, event)
        return AfterEvent(replace(stock, receipts=receipts), said)
    if kind not in _STOCK_EVENTS:
        return AfterEvent(stock, "")
    units = float(event.get("quantity") or 0.0)
    if kind == "inventory_adjusted" and data.get("on_hand_after") is not None:
        after = float(data["on_hand_after"])
        return AfterEvent(
            replace(stock, on_hand=after), f"a {units:+,.0f} adjustment left {after:,.0f} on hand"
        )
    counted = stock.counted_at
    if counted is not None and counted >= datetime.fromisoformat(str(event["occurred_at"])):
        return AfterEvent(stock, f"the count of {counted:%Y-%m-%d %H:%M} already holds the {kind}")
    return _applied(event, stock, units)


_STOCK_EVENTS = ("inventory_adjusted", "short_pick", "stockout", "goods_received")


def _applied(event: Mapping[str, Any], stock: Stock, units: float) -> AfterEvent:
    """A stock event applied to a count taken before it."""
    kind, receipts = event["event_type"], stock.receipts
    if kind == "inventory_adjusted":
        on_hand = max(stock.on_hand + units, 0.0)
        said = f"a {units:+,.0f} adjustment takes {stock.on_hand:,.0f} on hand to {on_hand:,.0f}"
    elif kind == "short_pick":
        on_hand = max(stock.on_hand - units, 0.0)
        said = f"a picker found {units:,.0f} fewer than the book's {stock.on_hand:,.0f}"
    elif kind == "stockout":
        on_hand, said = stock.on_hold, "the item ran out"
    else:  # goods_received
        on_hand = stock.on_hand + units
        receipts = _received(stock.receipts, event, units)
        said = f"{units:,.0f} received against {event.get('reference')}"
    return AfterEvent(replace(stock, on_hand=on_hand, receipts=receipts), said)


def _received(
    receipts: Sequence[Receipt], event: Mapping[str, Any], units: float
) -> tuple[Receipt, ...]:
    """The receipts with `units` taken off the line(s) the goods came in against."""
    line = (event.get("data") or {}).get("po_line")
    left, out = units, []
    for receipt in receipts:
        if receipt.reference == event.get("reference") and line in (None, receipt.line_number):
            taken = min(left, receipt.open_quantity)
            left -= taken
            out.append(replace(receipt, open_quantity=receipt.open_quantity - taken))
        else:
            out.append(receipt)
    return tuple(r for r in out if r.open_quantity > 0)


def _po_lines_changed(
    receipts: Sequence[Receipt], event: Mapping[str, Any]
) -> tuple[tuple[Receipt, ...], str]:
    """The receipts with the PO lines the event changes or rejects as it says."""
    data, po = event.get("data") or {}, event.get("reference")
    if event["event_type"] == "po_rejected":
        rejected = data.get("line_numbers")
        gone = [
            r for r in receipts if r.reference == po and (not rejected or r.line_number in rejected)
        ]
        lines = ", ".join(
            f"{r.reference} line {r.line_number} ({r.open_quantity:,.0f})" for r in gone
        )
        kept = tuple(r for r in receipts if r not in gone)
        return kept, f"the supplier rejected {lines}" if gone else ""
    changes = {int(line["line_number"]): line for line in data.get("lines", [])}
    out: list[Receipt] = []
    said: list[str] = []
    for receipt in receipts:
        line = changes.get(receipt.line_number) if receipt.reference == po else None
        if line is None:
            out.append(receipt)
            continue
        quantity, promised = line.get("quantity"), line.get("promised_date")
        changed = replace(
            receipt,
            open_quantity=receipt.open_quantity
            if quantity is None
            else max(float(quantity) - receipt.received_quantity, 0.0),
            arrival=receipt.arrival if not promised else date.fromisoformat(str(promised)),
        )
        out.append(changed)
        said.append(
            f"{po} line {receipt.line_number} now {changed.open_quantity:,.0f} open "
            f"(was {receipt.open_quantity:,.0f}) due {_day(changed.arrival)}"
        )
    return tuple(r for r in out if r.open_quantity > 0), "; ".join(said)


def queue(orders: Sequence[OrderLine]) -> list[OrderLine]:
    """First come first served: by requested date, gold before silver before bronze."""
    return sorted(
        orders,
        key=lambda o: (
            o.requested_date,
            _TIER_RANK.get(o.tier or "", 3),
            o.order_number,
            o.line_number,
        ),
    )


def shortages(stock: Stock, *, today: date) -> list[tuple[OrderLine, float]]:
    """Order lines short, with the units short, replaying the stock first come first
    served: a line is served from what is available plus what arrives by its date (by
    today for a line already late); transfers out not shipped go first."""
    used, out = stock.transfers_out, []
    for order in queue(stock.orders):
        by = max(order.requested_date, today)
        pool = stock.available + sum(
            r.open_quantity for r in stock.receipts if r.arrival is not None and r.arrival <= by
        )
        served = max(min(order.open_quantity, pool - used), 0.0)
        used += served
        if order.open_quantity - served > 1e-9:
            out.append((order, order.open_quantity - served))
    return out


def lost_margin_per_unit(order: OrderLine, unit_cost: float) -> float:
    """What a unit short costs, as the plan prices it: the margin (or 30% of cost when
    the item sells at or below cost) times the customer's tier factor (silver when the
    tier is not known)."""
    margin = order.unit_price - unit_cost
    if margin <= 0:
        margin = unit_cost * DEFAULT_MARGIN_RATE
    return margin * TIER_PENALTY.get(order.tier or "", TIER_PENALTY["silver"])


def _day(value: date | None) -> str:
    return value.isoformat() if value else "undated"
