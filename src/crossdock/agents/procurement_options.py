"""What the buyer can do about the customer orders a PO line change hits, each option
priced in money, and the cheapest one that can be done (`propose`).

For the hit order lines (short only because of the change) it weighs:

- **doing nothing**: the hit units' lost margin, weighted by the customer's tier;
- **expedite** the line: the units the hit orders need, by the first of their dates, at
  a premium of 15% of the PO price per unit (as the planner). Only for a line that will
  still come, later than needed: a rejected line has nothing to expedite, an
  unacknowledged one no promised date, and a line cut short but on time brings no more
  units however fast it comes;
- **split** the delivery: the supplier ships the units the hit orders need as a partial
  delivery on the date it first promised, the rest as now announced, for one more
  inbound delivery (`SPLIT_DELIVERY_COST`). Only when the change is a later date given
  before the goods leave (an acknowledgment or a PO change): a rejection or a cut
  quantity leaves nothing to split off, goods an ASN or a shipment announces already
  travel as one delivery, and a first promised date already past cannot be kept;
- **buy from another supplier** of the item (its supply terms) whose quoted lead time
  from today lands the units by the orders' dates: the units the orders it reaches in
  time need (at least its minimum order, in its multiple) cost the price difference
  over the PO line's price. A cheaper supplier counts as no extra cost, not as a gain
  (the PO's supplier was chosen for reasons the data does not hold), the terms carry no
  order cost so none is charged, and the buyer is expected to cut a line that still
  comes by as many units;
- **transfer** another warehouse's free stock (a warehouse outside the pooled ones, with
  a lane to the PO's receiving warehouse) landing in time: the units the orders it
  reaches in time need, at the lane's freight per unit.

Each option is replayed against the pooled position, first come first served as the
hits were found: what it still leaves short on the hit orders stays counted as lost
margin, so an option that reaches only some orders in time is priced with the rest.
The cheapest total that can be done is chosen; on equal money doing nothing comes first
(the proposal is then a follow-up with the supplier, with the money at risk), then
expedite, split, transfer, buy. One action per proposal: options are not combined.
Pure: the data comes in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from crossdock.agents.procurement import (
    EXPEDITE_PREMIUM_RATE,
    Hit,
    LineChange,
    OpenLine,
    Position,
    Receipt,
    announced,
    lost_margin_per_unit,
    other_receipts,
    short_by_order,
    still_coming,
)

# One more inbound delivery to book, receive and put away, priced like the planner's
# ordering cost per purchase order (plan settings `ordering_cost`): the data holds no
# cost of a delivery, and the supply terms no order cost.
SPLIT_DELIVERY_COST = 50.0
_PREFERENCE = {"none": 0, "expedite": 1, "split": 2, "transfer": 3, "buy": 4}
# an option's own cost, by the name `alternatives` gives it
_COST_PART = {"expedite": "expedite", "split": "freight", "transfer": "freight", "buy": "purchase"}


@dataclass(frozen=True, slots=True)
class SupplierOffer:
    """Another supplier's terms for the item (`supply_terms`)."""

    supplier_code: str
    lead_time_days: int
    unit_price: float | None  # None: its terms carry no price
    moq: float = 0.0
    order_multiple: int = 1

    def order_quantity(self, units: float) -> float:
        """`units`, at least the minimum order, rounded up to the order multiple."""
        multiple = max(self.order_multiple, 1)
        return float(math.ceil(max(units, self.moq) / multiple - 1e-9) * multiple)


@dataclass(frozen=True, slots=True)
class SpareStock:
    """Another warehouse's free stock of the item (on hand less on hold, its own open
    orders and transfers out) and its lane to the PO's receiving warehouse."""

    location_code: str
    free_units: float
    transit_days: int
    freight_per_unit: float


@dataclass(frozen=True, slots=True)
class Option:
    """One thing the buyer could do: what it costs, and the lost margin it still leaves
    at risk on the hit orders."""

    name: str  # "none", "expedite", "split", "transfer from DC2", "buy from SUP3"
    action: str  # none, expedite, split, transfer or buy
    note: str  # why it costs what it costs, or why it cannot be done
    available: bool = True
    units: float = 0.0
    arrives: date | None = None
    from_code: str | None = None
    cost: float = 0.0
    shortage: float = 0.0
    unit_price: float | None = None  # a buy's price per unit

    @property
    def kind(self) -> str:
        """The recommendation kind: a split is asked of the supplier as an expedite of
        part of the line (the rest stays as announced)."""
        return "expedite" if self.action == "split" else self.action

    @property
    def total(self) -> float:
        return self.cost + self.shortage

    def to_json(self, *, chosen: bool) -> dict[str, Any]:
        """The option as a recommendation's `alternatives` lists it, money to the cent;
        its own cost under the name masking knows (a buy's is supplier money)."""
        out: dict[str, Any] = {
            "alternative": self.name,
            "kind": self.kind,
            "action": self.action,
            "available": self.available,
            "note": self.note,
        }
        if self.available:
            out["units"] = self.units
            out["arrives"] = self.arrives.isoformat() if self.arrives else None
            out["from_code"] = self.from_code
            if self.action in _COST_PART:
                out[_COST_PART[self.action]] = round(self.cost, 2)
            out["shortage"] = round(self.shortage, 2)
            out["total"] = round(self.total, 2)
        out["chosen"] = chosen
        return out


@dataclass(frozen=True, slots=True)
class Proposal:
    """The option chosen, in the recommendation's own terms, with every option weighed."""

    kind: str  # expedite (an expedite or a split), transfer, buy or follow_up
    chosen: Option  # "none" for a follow-up
    options: tuple[Option, ...]
    quantity: float
    arrival: date
    needed_by: date
    do_nothing_cost: float
    rationale: str
    hits: tuple[Hit, ...]

    @property
    def action_cost(self) -> float:
        return self.chosen.cost

    @property
    def shortage_cost(self) -> float:
        """Lost margin still at risk once the chosen option is done."""
        return self.chosen.shortage

    @property
    def expected_cost(self) -> float:
        return self.chosen.total

    @property
    def expedite_cost(self) -> float:
        return self.chosen.cost if self.chosen.action == "expedite" else 0.0

    @property
    def savings(self) -> float:
        return self.do_nothing_cost - self.expected_cost


@dataclass(frozen=True, slots=True)
class Need:
    """What the hit orders need, and how to price what an option leaves short: the
    receipts as now announced (`current`), what each hit order line was short before
    anything went wrong (`before`, by order and line), and the price a buy elsewhere is
    weighed against (`reference_price`, named by `reference`)."""

    position: Position
    found: tuple[Hit, ...]
    today: date
    current: tuple[Receipt, ...]
    before: Mapping[tuple[str, int], float]
    reference_price: float
    reference: str

    @classmethod
    def for_change(
        cls,
        position: Position,
        line: OpenLine,
        change: LineChange,
        found: Sequence[Hit],
        *,
        today: date,
    ) -> Need:
        """A PO line change: the receipts with the line as announced, against the
        shortages with the line as promised; a buy weighed against the PO's price."""
        return cls(
            position=position,
            found=tuple(found),
            today=today,
            current=tuple(announced(position, line, change)),
            before=short_by_order(position, position.receipts),
            reference_price=line.unit_price,
            reference="the PO's",
        )

    @property
    def units(self) -> float:
        return sum(hit.extra for hit in self.found)

    def units_from(self, arrives: date) -> float:
        """Units the hit orders due on or after `arrives` need: all a late option helps."""
        return sum(hit.extra for hit in self.found if hit.order.requested_date >= arrives)

    @property
    def first(self) -> date:
        return min(hit.order.requested_date for hit in self.found)

    @property
    def last(self) -> date:
        return max(hit.order.requested_date for hit in self.found)

    def at_risk(self, receipts: Sequence[Receipt]) -> float:
        """Tier-weighted lost margin of what the hit orders are still short with
        `receipts`, over what they were short `before`."""
        after = short_by_order(self.position, receipts)
        total = 0.0
        for hit in self.found:
            key = (hit.order.order_number, hit.order.line_number)
            per_unit = lost_margin_per_unit(hit.order, self.position.unit_cost)
            total += max(after[key] - self.before.get(key, 0.0), 0.0) * per_unit
        return total


def propose(
    line: OpenLine,
    change: LineChange,
    position: Position,
    found: Sequence[Hit],
    *,
    today: date,
    offers: Sequence[SupplierOffer] = (),
    spare: Sequence[SpareStock] = (),
) -> Proposal | None:
    """The cheapest option for the hit orders (a follow-up when nothing beats doing
    nothing); nothing when no order is hit."""
    if not found:
        return None
    need = Need.for_change(position, line, change, found, today=today)
    do_nothing = need.at_risk(need.current)
    options = (
        Option("none", "none", "nobody acts", shortage=do_nothing),
        expedite(need, line, change),
        _split(need, line, change),
        *(
            transfer(need, s)
            for s in sorted(spare, key=lambda s: (s.freight_per_unit, s.transit_days))
        ),
        *(
            buy(need, o)
            for o in sorted(offers, key=lambda o: (o.lead_time_days, o.supplier_code))
            if o.supplier_code != line.supplier_code
        ),
    )
    chosen = cheapest(options)
    acting = chosen.action != "none"
    return Proposal(
        kind=chosen.kind if acting else "follow_up",
        chosen=chosen,
        options=options,
        quantity=chosen.units if acting else min(need.units, line.open_quantity),
        arrival=chosen.arrives if acting and chosen.arrives else need.first,
        needed_by=need.first,
        do_nothing_cost=do_nothing,
        rationale=_rationale(
            need, line, change, chosen, options, offers=bool(offers), spare=bool(spare)
        ),
        hits=need.found,
    )


def cheapest(options: Sequence[Option]) -> Option:
    """The cheapest option that can be done; on equal money, the simplest."""
    return min(
        (o for o in options if o.available),
        key=lambda o: (round(o.total, 6), _PREFERENCE[o.action]),
    )


def expedite(need: Need, line: OpenLine, change: LineChange, *, name: str = "expedite") -> Option:
    """Bring the units the hit orders need of `line` (as `change` announces it) by the
    first hit order's date, at the expedite premium."""
    arrival, coming = change.new_date or line.promised_date, still_coming(line, change)
    if change.rejected:
        return _cannot(name, "expedite", "the line is rejected: nothing to expedite")
    if change.unacknowledged:
        return _cannot(name, "expedite", "nobody has promised a date to expedite")
    if coming <= 0 or arrival is None or arrival <= need.first:
        return _cannot(name, "expedite", "the units still coming land in time: no faster helps")
    units, arrives = min(need.units, coming), max(need.first, need.today)
    receipts = _moved(need, line, units, arrives, coming, arrival)
    return Option(
        name, "expedite", f"{EXPEDITE_PREMIUM_RATE:.0%} of the PO price per unit",
        units=units, arrives=arrives, from_code=line.supplier_code,
        cost=units * line.unit_price * EXPEDITE_PREMIUM_RATE, shortage=need.at_risk(receipts),
    )  # fmt: skip


def _split(need: Need, line: OpenLine, change: LineChange) -> Option:
    promised, new, coming = line.promised_date, change.new_date, still_coming(line, change)
    if change.may_not_come or coming <= 0:
        return _cannot("split", "split", "nothing announced to split")
    if change.shipped:
        return _cannot("split", "split", "the goods have shipped as one delivery")
    if promised is None or new is None or new <= promised:
        return _cannot(
            "split", "split", "not a later date: the units cut will not come on any date"
        )
    if promised < need.today:
        return _cannot(
            "split", "split", f"the first promised date {promised.isoformat()} has passed"
        )
    units = min(need.units, coming)
    receipts = _moved(need, line, units, promised, coming, new)
    return Option(
        "split", "split", f"one more inbound delivery ({SPLIT_DELIVERY_COST:,.2f})",
        units=units, arrives=promised, from_code=line.supplier_code, cost=SPLIT_DELIVERY_COST,
        shortage=need.at_risk(receipts),
    )  # fmt: skip


def transfer(need: Need, source: SpareStock) -> Option:
    """Move another warehouse's free stock, landing for the hit orders it reaches."""
    name = f"transfer from {source.location_code}"
    arrives = need.today + timedelta(days=source.transit_days)
    if arrives > need.last:
        return _cannot(name, "transfer", _too_late(arrives, need.last))
    units = min(need.units_from(arrives), source.free_units)
    receipts = [*need.current, (name, 0, arrives, units)]
    return Option(
        name, "transfer",
        f"{source.free_units:,.0f} free, {source.transit_days} days over the lane at "
        f"{source.freight_per_unit:,.2f} a unit",
        units=units, arrives=arrives, from_code=source.location_code,
        cost=units * source.freight_per_unit, shortage=need.at_risk(receipts),
    )  # fmt: skip


def buy(need: Need, offer: SupplierOffer) -> Option:
    """Buy from `offer`'s supplier, landing for the hit orders its lead time reaches."""
    name = f"buy from {offer.supplier_code}"
    arrives = need.today + timedelta(days=offer.lead_time_days)
    if offer.unit_price is None:
        return _cannot(name, "buy", "its supply terms carry no price")
    if arrives > need.last:
        return _cannot(name, "buy", f"{offer.lead_time_days} days' lead time: " + (
            _too_late(arrives, need.last)
        ))  # fmt: skip
    units = offer.order_quantity(need.units_from(arrives))
    receipts = [*need.current, (name, 0, arrives, units)]
    return Option(
        name, "buy",
        f"{offer.lead_time_days} days' lead time at {offer.unit_price:,.2f} a unit against "
        f"{need.reference} {need.reference_price:,.2f}",
        units=units, arrives=arrives, from_code=offer.supplier_code,
        cost=max(offer.unit_price - need.reference_price, 0.0) * units,
        shortage=need.at_risk(receipts), unit_price=offer.unit_price,
    )  # fmt: skip


def _cannot(name: str, action: str, why: str) -> Option:
    return Option(name, action, why, available=False)


def _moved(
    need: Need, line: OpenLine, units: float, early: date, coming: float, late: date
) -> list[Receipt]:
    """The line's units still coming, `units` of them moved to `early`."""
    key = (line.po_number, line.line_number)
    rest = [(*key, late, coming - units)] if coming - units > 1e-9 else []
    return [*other_receipts(need.position, line), (*key, early, units), *rest]


def _too_late(arrives: date, last: date) -> str:
    return f"lands {arrives.isoformat()}, after the last hit order's date {last.isoformat()}"


def _rationale(
    need: Need,
    line: OpenLine,
    change: LineChange,
    chosen: Option,
    options: Sequence[Option],
    *,
    offers: bool,
    spare: bool,
) -> str:
    found = need.found
    orders = "; ".join(
        f"{h.order.order_number} ({h.order.customer_code}, {h.order.tier or 'no tier'}, "
        f"{h.extra:,.0f} short on {h.order.requested_date.isoformat()})"
        for h in found
    )
    head = (
        f"{line.po_number} line {line.line_number} ({line.sku}, {line.open_quantity:,.0f} open, "
        f"promised {line.promised_date.isoformat() if line.promised_date else 'undated'}): "
        f"{change.why}. {len(found)} customer order line(s) hit: {orders}."
    )
    weighed = [
        f"{o.name} {o.total:,.2f}" if o.available else f"{o.name} not possible ({o.note})"
        for o in options[1:]
        if o is not chosen
    ]
    if not offers:
        weighed.append(f"no other supplier of {line.sku} in the supply terms")
    if not spare:
        weighed.append(
            f"no other warehouse with free {line.sku} and a lane to {line.location_code}"
        )
    left = (
        f" {chosen.shortage:,.2f} of lost margin stays at risk."
        if chosen.action != "none" and chosen.shortage > 0.005
        else ""
    )
    tail = _chosen(need, line, change, chosen, options)
    return head + tail + left + f" Weighed: {'; '.join(weighed)}."


def _chosen(
    need: Need, line: OpenLine, change: LineChange, chosen: Option, options: Sequence[Option]
) -> str:
    """What the chosen option does, in money."""
    do_nothing = options[0].total
    units, against = f"{chosen.units:,.0f} units", f"against {do_nothing:,.2f} of lost margin"
    arrives = chosen.arrives.isoformat() if chosen.arrives else ""
    if chosen.action == "expedite":
        return f" Expediting {units} to arrive by {arrives} costs {chosen.cost:,.2f} {against}."
    if chosen.action == "split":
        new = change.new_date.isoformat() if change.new_date else "later"
        return (
            f" Asking the supplier to ship {units} as a partial delivery on {arrives}, the date "
            f"first promised, and the rest on {new} costs one more inbound delivery "
            f"({chosen.cost:,.2f}) {against}."
        )
    if chosen.action == "transfer":
        return (
            f" Moving {units} of free stock from {chosen.from_code} to {line.location_code}, "
            f"landing {arrives}, costs {chosen.cost:,.2f} of freight {against}."
        )
    if chosen.action == "buy":
        cut = "" if change.rejected else f"; cut the PO line by {units}"
        return (
            f" Buying {units} from {chosen.from_code} ({chosen.note}), landing {arrives}, "
            f"costs {chosen.cost:,.2f} more {against}{cut}."
        )
    return _follow_up(need, line, change, options)


def _follow_up(need: Need, line: OpenLine, change: LineChange, options: Sequence[Option]) -> str:
    """Why the supplier is asked instead, with the money at risk."""
    do_nothing, expedited = options[0].total, options[1]
    if change.rejected:
        return f" Nothing replaces it yet: {do_nothing:,.2f} of lost margin at risk; find supply."
    if change.unacknowledged:
        return (
            f" Until the supplier confirms it, {min(need.units, line.open_quantity):,.0f} "
            f"units needed by {need.first.isoformat()} and {do_nothing:,.2f} of lost margin are "
            "at risk: ask the supplier to confirm quantity and date."
        )
    if expedited.available:
        return (
            f" Expediting would cost {expedited.total:,.2f}, more than the {do_nothing:,.2f} at "
            "risk: ask the supplier instead."
        )
    return (
        f" Nothing brings the units in time for less than the {do_nothing:,.2f} at risk: "
        "ask the supplier instead."
    )
