"""The allocation agent: a warehouse's stock of an item cannot cover every open order
line. Who gets what, and why?

It reacts to a new or changed order, a short pick, a stock adjustment and a stockout,
and looks at the item at the warehouse as the event leaves it. Stock on hand, and what
lands before a line's requested date, is allocated by policy: held orders last, then
gold before silver before bronze (the contractual service level), then the earliest
requested date, then the better margin, then first come. Each line takes the latest
supply that still lands in time, so the earlier supply stays for lines that need it
sooner; a line whose customer takes no partial shipment gets all or nothing. For the
lines left short, another warehouse may land the units in time over its lane when the
freight is below the tier-weighted margin lost. The money compares first come first
served (what the warehouse does when nobody decides) with the policy.

Taking stock from a strategic customer (a gold line left short, or any line that first
come first served would have served) must never run on its own: the proposal's customer
tier says "gold" or "strategic" so the approval policy can hold it. Pure: the data
comes in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from crossdock.agents.fulfilment import (
    TIER_RANK,
    Fill,
    ItemSite,
    OrderLine,
    fills,
    lost_margin_per_unit,
)

AGENT = "agent:allocation"
TOPICS = (
    "events.order_created",
    "events.order_changed",
    "events.short_pick",
    "events.inventory_adjusted",
    "events.stockout",
)
# The workflows it may propose in and the data it reads: declared, and checked when it
# proposes (service_layer/agent_runtime.py); `crossdock agents` lists them.
WORKFLOWS = frozenset({"allocation"})
DATA = frozenset(
    {
        "sales_orders",
        "inventory",
        "purchase_orders",
        "customers",
        "network",
        "supplier_cost",
        "customer_pricing",
    }
)
STRATEGIC = "strategic"  # the customer tier fact when it shorts a line out of turn
_ORDER_EVENTS = ("order_created", "order_changed")


def item_sites(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (item, warehouse) pairs an event concerns."""
    location = event.get("location_code")
    if location is None:
        return []
    if event["event_type"] in _ORDER_EVENTS:
        skus = {str(line["sku"]) for line in (event.get("data") or {}).get("lines", [])}
        return [(sku, str(location)) for sku in sorted(skus)]
    sku = event.get("sku")
    return [] if sku is None else [(str(sku), str(location))]


def as_left_by(event: Mapping[str, Any], site: ItemSite, *, tier: str | None) -> ItemSite:
    """The item at the warehouse as the event leaves it. A count taken after the event
    already holds what it changed; an order event's lines replace the stored ones
    (`tier`: the ordering customer's)."""
    kind, data = event["event_type"], event.get("data") or {}
    at = datetime.fromisoformat(str(event["occurred_at"]))
    if kind in _ORDER_EVENTS:
        return replace(site, orders=_with_order(site, event, tier=tier, today=at.date()))
    if site.counted_at is not None and site.counted_at >= at:
        return site
    units = float(event.get("quantity") or 0.0)
    if kind == "inventory_adjusted":
        after = data.get("on_hand_after")
        on_hand = float(after) if after is not None else site.on_hand + units
    elif kind == "short_pick":
        on_hand = site.on_hand - units
    else:  # stockout: what is left is what is on hold
        on_hand = site.on_hold
    return replace(site, on_hand=max(on_hand, 0.0))


def _with_order(
    site: ItemSite, event: Mapping[str, Any], *, tier: str | None, today: date
) -> tuple[OrderLine, ...]:
    number, data = str(event["reference"]), event.get("data") or {}
    stored = {o.line_number: o for o in site.orders if o.order_number == number}
    kept = [o for o in site.orders if o.order_number != number or o.sku != site.sku]
    for line in data.get("lines", []):
        if line["sku"] != site.sku:
            continue
        old = stored.get(int(line["line_number"]))
        kept.append(
            OrderLine(
                order_number=number,
                line_number=int(line["line_number"]),
                sku=site.sku,
                customer_code=str(data["customer_code"]),
                tier=tier,
                location_code=site.location_code,
                order_date=old.order_date if old else today,
                requested_date=date.fromisoformat(str(line["requested_date"])),
                ordered_quantity=float(line["quantity"]),
                shipped_quantity=old.shipped_quantity if old else 0.0,
                unit_price=old.unit_price if old else site.unit_price,
                status=old.status if old else "open",
            )
        )
    return tuple(kept)


def by_policy(lines: Sequence[OrderLine]) -> list[OrderLine]:
    """Held last; gold, silver, bronze, no tier; earliest requested; best price; first come."""
    return sorted(
        lines,
        key=lambda o: (o.on_hold, TIER_RANK.get(o.tier or "", 3), o.requested_date,
                       -o.unit_price, o.order_date, o.order_number, o.line_number),
    )  # fmt: skip


def first_come(lines: Sequence[OrderLine]) -> list[OrderLine]:
    """Held last; then in the order the orders came."""
    return sorted(lines, key=lambda o: (o.on_hold, o.order_date, o.order_number, o.line_number))


def allocate(queue: Sequence[OrderLine], site: ItemSite, *, today: date) -> dict[Any, float]:
    """Units per line (by key), in queue order. A line is served from the stock and the
    supply landing by its requested date (by today when already late), latest first."""
    buckets = sorted(
        [(today, site.available), *((max(r.arrival, today), r.units) for r in site.inbound)],
        key=lambda bucket: bucket[0],
    )
    left = [units for _, units in buckets]
    out: dict[Any, float] = {}
    for line in queue:
        by = max(line.requested_date, today)
        usable = [i for i, (day, _) in enumerate(buckets) if day <= by]
        give = min(line.open_quantity, sum(left[i] for i in usable))
        if give < line.open_quantity - 1e-9 and not line.accepts_partials:
            give = 0.0
        out[line.key], need = give, give
        for i in reversed(usable):
            taken = min(need, left[i])
            left[i], need = left[i] - taken, need - taken
    return out


@dataclass(frozen=True, slots=True)
class Share:
    """What one order line gets, what first come would give it, and why."""

    line: OrderLine
    allocated: float
    first_come: float
    fills: tuple[Fill, ...]
    reason: str

    @property
    def short(self) -> float:
        return self.line.open_quantity - self.allocated

    @property
    def taken(self) -> float:
        """Units first come first served would have given it that the policy does not."""
        return max(self.first_come - self.allocated, 0.0)


@dataclass(frozen=True, slots=True)
class Allocation:
    """The allocation proposed for one item at one warehouse, with its money."""

    shares: tuple[Share, ...]  # in policy order
    first_come_cost: float  # tier-weighted margin lost first come first served
    policy_cost: float  # the same by policy, before any transfer
    lost_margin: float  # by policy, after the transfers in time
    freight: float
    customer_tier: str | None  # the approval policy's fact: gold, strategic, or lowest
    rationale: str

    @property
    def allocated(self) -> float:
        return sum(share.allocated for share in self.shares)

    @property
    def savings(self) -> float:
        return self.first_come_cost - self.lost_margin - self.freight


def propose(site: ItemSite, *, today: date) -> Allocation | None:
    """The policy's allocation when the supply cannot cover every open line; else None."""
    lines = [line for line in site.orders if line.is_open]
    policy = allocate(by_policy(lines), site, today=today)
    fifo = allocate(first_come(lines), site, today=today)
    if all(line.open_quantity - policy[line.key] <= 1e-9 for line in lines):
        return None
    per_unit = {line.key: lost_margin_per_unit(line, site.unit_cost) for line in lines}
    used: dict[str, float] = {}
    shares: list[Share] = []
    for line in by_policy(lines):
        short = line.open_quantity - policy[line.key]
        sent = (
            fills(short, line.requested_date, site.sources, today=today,
                  worth_per_unit=per_unit[line.key], used=used)
            if short > 1e-9
            else []
        )  # fmt: skip
        for fill in sent:
            used[fill.from_code] = used.get(fill.from_code, 0.0) + fill.units
        share = Share(line, policy[line.key], fifo[line.key], tuple(sent), "")
        shares.append(replace(share, reason=_reason(share, shares)))

    def cost(units: Mapping[Any, float]) -> float:
        return sum((line.open_quantity - units[line.key]) * per_unit[line.key] for line in lines)

    moved = {s.line.key: s.allocated + sum(f.units for f in s.fills) for s in shares}
    freight = sum(f.freight for s in shares for f in s.fills)
    draft = Allocation(tuple(shares), cost(fifo), cost(policy), cost(moved), freight,
                       _tier_fact(shares), "")  # fmt: skip
    return replace(draft, rationale=_rationale(draft, site))


def _tier_fact(shares: Sequence[Share]) -> str | None:
    """gold when a gold line is left short; strategic when a line gets less than first
    come would give it; else the most protected tier left short (None: not known)."""
    short = [s for s in shares if s.short > 1e-9]
    if any(s.line.tier == "gold" for s in short):
        return "gold"
    if any(s.taken > 1e-9 for s in shares):
        return STRATEGIC
    if not short or any(s.line.tier is None for s in short):
        return None
    return min((s.line.tier or "" for s in short), key=lambda t: TIER_RANK.get(t, 3))


def strategic(share: Share) -> bool:
    """A share that takes stock from a strategic customer."""
    return share.taken > 1e-9 or (share.line.tier == "gold" and share.short > 1e-9)


def _reason(share: Share, ahead: Sequence[Share]) -> str:
    line = share.line
    if share.short <= 1e-9:
        why = "served in full"
    elif line.on_hold:
        why = f"short {share.short:,.0f}: on hold, released orders come first"
    elif share.allocated == 0 and not line.accepts_partials:
        why = f"short {share.short:,.0f}: takes no partial shipment"
    else:
        first = [s for s in ahead if s.allocated > 0][:3]
        names = ", ".join(f"{s.line.order_number} ({s.line.tier or 'no tier'})" for s in first)
        why = f"short {share.short:,.0f}" + (f": stock went first to {names}" if names else "")
    for fill in share.fills:
        why += f"; {fill.units:,.0f} can come from {fill.from_code} by {fill.arrives.isoformat()}"
        why += f" for {fill.freight:,.2f}"
    if share.taken > 1e-9:
        why += f"; first come would give it {share.first_come:,.0f}"
    return why


def _rationale(allocation: Allocation, site: ItemSite) -> str:
    shares = allocation.shares
    asked = sum(s.line.open_quantity for s in shares)
    arriving = sum(r.units for r in site.inbound)
    lines = "; ".join(
        f"{s.line.order_number} ({s.line.customer_code}, {s.line.tier or 'no tier'}) "
        f"{s.allocated:,.0f} of {s.line.open_quantity:,.0f}"
        for s in shares
    )
    text = (
        f"{site.sku} at {site.location_code}: {asked:,.0f} units asked by {len(shares)} open "
        f"line(s), {site.available:,.0f} on hand and {arriving:,.0f} on the way: not enough "
        f"for every line in time. By policy (held orders last, then gold, silver, bronze, "
        f"then the earliest requested date, the best margin, first come): {lines}."
    )
    moved = [(s, f) for s in shares for f in s.fills]
    if moved:
        text += " " + "; ".join(
            f"{f.from_code} can land {f.units:,.0f} for {s.line.order_number} by "
            f"{f.arrives.isoformat()} for {f.freight:,.2f}"
            for s, f in moved
        ) + "."  # fmt: skip
    text += (
        f" First come first served loses {allocation.first_come_cost:,.2f} of tier-weighted "
        f"margin; the policy {allocation.policy_cost:,.2f}"
    )
    if moved:
        text += (
            f"; with the transfers {allocation.lost_margin:,.2f} and "
            f"{allocation.freight:,.2f} of freight"
        )
    text += "."
    taken = [s for s in shares if strategic(s)]
    if taken:
        names = ", ".join(f"{s.line.order_number} ({s.line.customer_code})" for s in taken)
        text += f" It takes stock from a strategic customer ({names}): a person must approve."
    return text
