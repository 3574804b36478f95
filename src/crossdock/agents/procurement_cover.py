"""The procurement agent's answer to the order exception agent: a customer order line is
short (`order_exception_raised`); can supply cover it in time, and at what cost?

The order exception agent asks the inventory and procurement agents for options. The
inventory balancing agent answers with stock moved between warehouses; this answers
from the supply side, for the pool the order's warehouse belongs to (the warehouse that
replenishes it, or itself, with the warehouses it replenishes), as the procurement
agent pools a PO line change:

- the pooled position is replayed first come first served by requested date, as for a
  PO line change. When the pool's stock and receipts serve the line by its date, supply
  is not the problem (moving the stock is the balancing agent's answer) and nothing is
  proposed. Otherwise the units to cover are what the replay leaves short, at most the
  units the exception names;
- **expedite** an open PO line into the pool promised after the line's date: the units
  the line needs by its date, at the expedite premium on the PO price (as for a PO line
  change). Each such line is an option; undated lines and lines already in time are not;
- **buy** from any supplier of the item (its supply terms) whose quoted lead time from
  today lands by the line's date: the units it needs (at least the minimum order, in
  the order multiple), priced at the price difference over the item's unit cost, the
  margin the lost-margin figure was counted on;
- **doing nothing**: the units' lost margin, weighted by the customer's tier.

Each option is replayed against the pool, so units an expedite or a buy brings go
first to any earlier order short too. The cheapest total that can be done is proposed;
when nothing beats doing nothing, the procurement agent proposes nothing (the order
exception agent's own proposal already carries the revised date). Pure: the data
comes in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from crossdock.agents.procurement import (
    Hit,
    LineChange,
    OpenLine,
    OrderLine,
    Position,
    lost_margin_per_unit,
    short_by_order,
)
from crossdock.agents.procurement_options import (
    Need,
    Option,
    SupplierOffer,
    buy,
    cheapest,
    expedite,
)


@dataclass(frozen=True, slots=True)
class Shortfall:
    """What the order exception agent asks about: an order line short by `units`."""

    order_number: str
    line_number: int
    sku: str
    location_code: str
    units: float
    needed_by: date
    exception: str  # backorder, short_pick, stock_hold

    @property
    def key(self) -> tuple[str, int]:
        return (self.order_number, self.line_number)


@dataclass(frozen=True, slots=True)
class Cover:
    """The option chosen for the short line, with every option weighed."""

    shortfall: Shortfall
    order: OrderLine
    chosen: Option
    options: tuple[Option, ...]
    units: float  # what the pooled replay leaves short, capped by the ask
    do_nothing_cost: float
    lines: tuple[OpenLine, ...]  # the PO lines weighed for an expedite
    rationale: str

    @property
    def acting(self) -> bool:
        return self.chosen.action != "none"

    @property
    def line(self) -> OpenLine | None:
        """The PO line the chosen expedite is about (None for a buy)."""
        if self.chosen.action != "expedite":
            return None
        return next(line for line in self.lines if _expedite_name(line) == self.chosen.name)

    @property
    def savings(self) -> float:
        return self.do_nothing_cost - self.chosen.total


def shortfall(event: Mapping[str, Any]) -> Shortfall | None:
    """The short order line an `order_exception_raised` event asks about."""
    data = event.get("data") or {}
    if event.get("event_type") != "order_exception_raised" or "needed_by" not in data:
        return None
    return Shortfall(
        order_number=str(event["reference"]),
        line_number=int(data["line_number"]),
        sku=str(event["sku"]),
        location_code=str(event["location_code"]),
        units=float(event["quantity"]),
        needed_by=date.fromisoformat(str(data["needed_by"])),
        exception=str(data.get("exception", "")),
    )


def cover(
    short: Shortfall,
    position: Position,
    *,
    pool: str,
    lines: Sequence[OpenLine],
    offers: Sequence[SupplierOffer],
    today: date,
) -> Cover | None:
    """The options supply has for the short line over `pool` and the warehouses it
    replenishes; nothing when the line is not open there or the pool serves it in time."""
    order = next((o for o in position.orders if (o.order_number, o.line_number) == short.key), None)
    if order is None:
        return None
    left = short_by_order(position, position.receipts)[short.key]
    units = min(left, short.units)
    if units <= 1e-9:
        return None
    need = Need(
        position=position,
        found=(Hit(order, left - units, left),),
        today=today,
        current=position.receipts,
        before={short.key: left - units},
        reference_price=position.unit_cost,
        reference="the item's cost",
    )
    do_nothing = need.at_risk(need.current)
    late = sorted(
        (
            ln
            for ln in lines
            if ln.promised_date is not None and ln.promised_date > order.requested_date
        ),
        key=lambda ln: (ln.promised_date, ln.po_number, ln.line_number),
    )
    options = (
        Option("none", "none", "nobody acts", shortage=do_nothing),
        *(expedite(need, ln, _as_promised(ln), name=_expedite_name(ln)) for ln in late),
        *(buy(need, o) for o in sorted(offers, key=lambda o: (o.lead_time_days, o.supplier_code))),
    )
    chosen = cheapest(options)
    return Cover(
        shortfall=short,
        order=order,
        chosen=chosen,
        options=options,
        units=units,
        do_nothing_cost=do_nothing,
        lines=tuple(late),
        rationale=_rationale(short, order, pool, units, chosen, options, position),
    )


def _as_promised(line: OpenLine) -> LineChange:
    return LineChange(line.po_number, line.line_number, None, None, None, "as promised")


def _expedite_name(line: OpenLine) -> str:
    return f"expedite {line.po_number} line {line.line_number}"


def _rationale(
    short: Shortfall,
    order: OrderLine,
    pool: str,
    units: float,
    chosen: Option,
    options: Sequence[Option],
    position: Position,
) -> str:
    per_unit = lost_margin_per_unit(order, position.unit_cost)
    head = (
        f"{short.order_number} line {short.line_number} ({order.customer_code}, "
        f"{order.tier or 'no tier'}) at {short.location_code} is {short.units:,.0f} short of "
        f"{short.sku} for {order.requested_date.isoformat()} ({short.exception or 'exception'}); "
        f"the order exception agent asked for options. Over {pool} and the warehouses it "
        f"replenishes, supply serves {units:,.0f} of them too late, "
        f"{units * per_unit:,.2f} of lost margin."
    )
    do_nothing = options[0].total
    weighed = [
        f"{o.name} {o.total:,.2f}" if o.available else f"{o.name} not possible ({o.note})"
        for o in options[1:]
        if o is not chosen
    ]
    if not any(o.action == "expedite" for o in options):
        weighed.append(f"no open PO line for {short.sku} into {pool} promised after the date")
    if not any(o.action == "buy" for o in options):
        weighed.append(f"no supplier of {short.sku} in the supply terms")
    weighed.append("stock from another warehouse is the balancing agent's answer")
    arrives = chosen.arrives.isoformat() if chosen.arrives else ""
    against = f"against {do_nothing:,.2f} of lost margin"
    if chosen.action == "expedite":
        tail = (
            f" Expediting {chosen.units:,.0f} units of {chosen.name.removeprefix('expedite ')} "
            f"to arrive by {arrives} costs {chosen.cost:,.2f} {against}."
        )
    elif chosen.action == "buy":
        tail = (
            f" Buying {chosen.units:,.0f} units from {chosen.from_code} ({chosen.note}), "
            f"landing {arrives}, costs {chosen.cost:,.2f} more {against}."
        )
    else:
        tail = (
            f" Nothing from supply brings the units in time for less than the "
            f"{do_nothing:,.2f} at risk."
        )
    left = (
        f" {chosen.shortage:,.2f} of lost margin stays at risk."
        if chosen.action != "none" and chosen.shortage > 0.005
        else ""
    )
    return head + tail + left + f" Weighed: {'; '.join(weighed)}."
