"""Outcome scoring: what a decided recommendation did, replayed on the demand that came.

One item-location is replayed day by day from the plan's `as_of` to the end of the
scoring window on the demand actually recorded there, twice: in the world *with* the
action (its receipt added, moved or removed) and in the world *without* it. Demand not
served from stock on the day is lost (no backorders carried), and nothing is re-planned
in between. The world that happened is the realised one (with the action for an executed
recommendation, without it for a rejected one); the other is the alternative.

    cost(world) = holding + tail holding + shortage + the action's own money
    holding     = sum over days of end-of-day stock x holding per unit-day
    tail        = stock left at the end x holding per unit-day x tail days
    shortage    = units not served x shortage penalty per unit
    realised_value = cost(alternative) - cost(realised)   (> 0: the decision paid off)

See docs/governance.md, "Outcomes and decision KPIs".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from crossdock.domain.errors import CrossdockError

EXECUTED = "executed"
REJECTED = "rejected"
DECISIONS = (EXECUTED, REJECTED)

STOCKOUT_AVOIDED = "stockout avoided"
STOCKOUT_SUFFERED = "stockout suffered"
EXCESS_CREATED = "excess created"
EXCESS_AVOIDED = "excess avoided"
NO_EFFECT = "no effect"
LABELS = (STOCKOUT_AVOIDED, STOCKOUT_SUFFERED, EXCESS_CREATED, EXCESS_AVOIDED, NO_EFFECT)

ADDING_KINDS = ("buy", "transfer", "rebalance")
LINE_KINDS = ("expedite", "defer", "cancel")
_UNITS_EPSILON = 1e-6


class UnscorableAction(CrossdockError):
    """An action that cannot be replayed: a field is missing or out of range."""

    def __init__(self, *, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}={value!r}: {reason}")


@dataclass(frozen=True, slots=True)
class Receipt:
    """Units that reach the item-location on one day."""

    arrival: date
    quantity: float


@dataclass(frozen=True, slots=True)
class OpenLine:
    """An open PO line an expedite, defer or cancel acts on: its units and due date."""

    open_quantity: float
    due: date


@dataclass(frozen=True, slots=True)
class SupplyChange:
    """The receipts that differ between the two worlds.

    Receipts common to both (the other open PO lines) are passed to `score_outcome`
    separately; these are the ones only the world with the action, or only the world
    without it, receives. `action_cost` is the action's own money, charged only in the
    world with the action; `expedite_cost` is the part of it that buys speed.
    """

    with_action: tuple[Receipt, ...] = ()
    without_action: tuple[Receipt, ...] = ()
    action_cost: float = 0.0
    expedite_cost: float = 0.0


@dataclass(frozen=True, slots=True)
class CostRates:
    """Money rates of one item-location.

    Attributes:
        holding_per_unit_day: carrying one unit for one day (unit cost x annual rate / 365).
        shortage_penalty: money lost per unit of demand not served (the plan's penalty).
        tail_days: days the stock left at the window's end is charged for (the plan
            charges leftovers for one review period).
    """

    holding_per_unit_day: float
    shortage_penalty: float
    tail_days: float = 7.0

    @classmethod
    def from_unit_cost(
        cls, *, unit_cost: float, holding_rate: float, shortage_penalty: float, tail_days: float
    ) -> CostRates:
        """Rates from a unit cost and an annual holding rate (0.25 = 25% a year)."""
        return cls(
            holding_per_unit_day=unit_cost * holding_rate / 365.0,
            shortage_penalty=shortage_penalty,
            tail_days=tail_days,
        )


@dataclass(frozen=True, slots=True)
class StartingPosition:
    """The item-location on the plan's as-of day, as the plan saw it.

    Attributes:
        as_of: the replay starts the day after.
        available: on hand less allocated and held units.
        backordered: units owed to customers, served first on the first day.
        cover_level: stock above it at the window's end is excess (the policy's
            reorder point, the (R, S) order-up-to level).
    """

    as_of: date
    available: float
    backordered: float = 0.0
    cover_level: float = 0.0


@dataclass(frozen=True, slots=True)
class WorldResult:
    """One world's replay: units and money."""

    demand_units: float
    served_units: float
    stockout_units: float
    first_stockout: date | None
    end_stock: float
    excess_units: float
    holding_cost: float
    tail_holding_cost: float
    shortage_cost: float
    action_cost: float
    expedite_cost: float
    received_units: float
    due_after_window_units: float

    @property
    def total_cost(self) -> float:
        """holding + tail holding + shortage + the action's own money."""
        return self.holding_cost + self.tail_holding_cost + self.shortage_cost + self.action_cost

    def to_json(self) -> dict[str, Any]:
        return {
            "demand_units": _round(self.demand_units),
            "served_units": _round(self.served_units),
            "stockout_units": _round(self.stockout_units),
            "first_stockout": None
            if self.first_stockout is None
            else self.first_stockout.isoformat(),
            "end_stock": _round(self.end_stock),
            "excess_units": _round(self.excess_units),
            "received_units": _round(self.received_units),
            "due_after_window_units": _round(self.due_after_window_units),
            "holding_cost": _round(self.holding_cost),
            "tail_holding_cost": _round(self.tail_holding_cost),
            "shortage_cost": _round(self.shortage_cost),
            "action_cost": _round(self.action_cost),
            "expedite_cost": _round(self.expedite_cost),
            "total_cost": _round(self.total_cost),
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one decision did, in the realised world against the alternative.

    Attributes:
        decision: executed (the action happened) or rejected (it did not).
        label: stockout avoided, stockout suffered, excess created, excess avoided or
            no effect (the realised world against the alternative).
        stockout_units: demand not served in the realised world.
        excess_units: stock above the cover level at the window's end, realised world.
        expedite_cost: expedite money spent in the realised world.
        realised_cost: the realised world's cost.
        alternative_cost: the other choice's world's cost.
        realised_value: alternative_cost - realised_cost; positive: the decision paid off.
        detail: the window and both worlds in full, JSON-ready.
    """

    decision: str
    label: str
    stockout_units: float
    excess_units: float
    expedite_cost: float
    realised_cost: float
    alternative_cost: float
    realised_value: float
    detail: Mapping[str, Any] = field(default_factory=dict)


def supply_change(
    *,
    kind: str,
    quantity: float,
    arrival: date | None,
    line: OpenLine | None = None,
    action_cost: float = 0.0,
) -> SupplyChange:
    """The receipts an action of `kind` adds, moves or removes.

    buy, transfer, rebalance (and an expedited new buy: an expedite without a line) add
    `quantity` on `arrival`. An expedite or defer of an open line moves `quantity` of its
    units from the line's due date to `arrival` (the rest stays due); a cancel removes
    them. The whole action cost of an expedite is its expedite cost.

    Raises:
        UnscorableAction: quantity not positive, arrival missing for an action that
            needs it, a line action without its line, or an unknown kind.
    """
    if not (math.isfinite(quantity) and quantity > 0.0):
        raise UnscorableAction(field="quantity", value=quantity, reason="must be above 0")
    expedite_cost = action_cost if kind == "expedite" else 0.0
    if kind in ADDING_KINDS or (kind == "expedite" and line is None):
        if arrival is None:
            raise UnscorableAction(
                field="expected_arrival_date", value=None, reason=f"a {kind} needs its arrival"
            )
        return SupplyChange(
            with_action=(Receipt(arrival, quantity),),
            action_cost=action_cost,
            expedite_cost=expedite_cost,
        )
    if kind not in LINE_KINDS:
        raise UnscorableAction(
            field="kind", value=kind, reason=f"not one of {ADDING_KINDS + LINE_KINDS}"
        )
    if line is None:
        raise UnscorableAction(field="po_line", value=None, reason=f"a {kind} needs its open line")
    moved = min(quantity, line.open_quantity)
    kept = line.open_quantity - moved
    stays = (Receipt(line.due, kept),) if kept > _UNITS_EPSILON else ()
    if kind == "cancel":
        arrives: tuple[Receipt, ...] = ()
    elif arrival is None:
        raise UnscorableAction(
            field="expected_arrival_date", value=None, reason=f"a {kind} needs its new date"
        )
    else:
        arrives = (Receipt(arrival, moved),)
    return SupplyChange(
        with_action=stays + arrives,
        without_action=(Receipt(line.due, line.open_quantity),),
        action_cost=action_cost,
        expedite_cost=expedite_cost,
    )


def replay(
    *,
    start: StartingPosition,
    end: date,
    demand: Mapping[date, float],
    receipts: Sequence[Receipt],
    rates: CostRates,
    action_cost: float = 0.0,
    expedite_cost: float = 0.0,
) -> WorldResult:
    """Replay one world from the day after `start.as_of` to `end` (included), lost sales.

    Each day: receipts arrive (a receipt dated on or before as_of arrives on the first
    day; one after `end` never does), then the day's demand (plus, on the first day, the
    backorders) is served from stock; what cannot be served is lost. End-of-day stock is
    charged holding.
    """
    days = (end - start.as_of).days
    if days < 1:
        raise UnscorableAction(
            field="end", value=end.isoformat(), reason=f"must be after as_of {start.as_of}"
        )
    first = start.as_of + timedelta(days=1)
    arriving = np.zeros(days)
    due_after = 0.0
    for receipt in receipts:
        offset = max((receipt.arrival - first).days, 0)
        if offset >= days:
            due_after += receipt.quantity
        else:
            arriving[offset] += receipt.quantity
    wanted = np.array([float(demand.get(first + timedelta(days=d), 0.0)) for d in range(days)])
    wanted[0] += max(start.backordered, 0.0)
    stock = max(start.available, 0.0)
    short = np.zeros(days)
    end_of_day = np.zeros(days)
    for day in range(days):
        stock += arriving[day]
        served = min(stock, wanted[day])
        short[day] = wanted[day] - served
        stock -= served
        end_of_day[day] = stock
    stockout = float(short.sum())
    short_days = np.flatnonzero(short > _UNITS_EPSILON)
    return WorldResult(
        demand_units=float(wanted.sum()),
        served_units=float(wanted.sum()) - stockout,
        stockout_units=stockout,
        first_stockout=None if not short_days.size else first + timedelta(days=int(short_days[0])),
        end_stock=stock,
        excess_units=max(stock - start.cover_level, 0.0),
        holding_cost=float(end_of_day.sum()) * rates.holding_per_unit_day,
        tail_holding_cost=stock * rates.holding_per_unit_day * rates.tail_days,
        shortage_cost=stockout * rates.shortage_penalty,
        action_cost=action_cost,
        expedite_cost=expedite_cost,
        received_units=float(arriving.sum()),
        due_after_window_units=due_after,
    )


def score_outcome(
    *,
    decision: str,
    start: StartingPosition,
    end: date,
    demand: Mapping[date, float],
    receipts: Sequence[Receipt],
    change: SupplyChange,
    rates: CostRates,
) -> Outcome:
    """Score one decision: replay with and without the action; the decision picks which
    world happened.

    Args:
        decision: executed (the world with the action happened) or rejected.
        start: the item-location on the plan's as-of day.
        end: the window's last day (included).
        demand: units demanded per day, as recorded after the decision; days missing
            had no demand.
        receipts: receipts both worlds get (the other open PO lines).
        change: what the action changes (`supply_change`).
        rates: the money rates.

    Raises:
        UnscorableAction: an unknown decision, or an `end` not after as_of.
    """
    if decision not in DECISIONS:
        raise UnscorableAction(field="decision", value=decision, reason=f"not one of {DECISIONS}")
    with_action = replay(
        start=start,
        end=end,
        demand=demand,
        receipts=[*receipts, *change.with_action],
        rates=rates,
        action_cost=change.action_cost,
        expedite_cost=change.expedite_cost,
    )
    without_action = replay(
        start=start,
        end=end,
        demand=demand,
        receipts=[*receipts, *change.without_action],
        rates=rates,
    )
    executed = decision == EXECUTED
    realised, alternative = (
        (with_action, without_action) if executed else (without_action, with_action)
    )
    label = outcome_label(realised=realised, alternative=alternative)
    return Outcome(
        decision=decision,
        label=label,
        stockout_units=realised.stockout_units,
        excess_units=realised.excess_units,
        expedite_cost=realised.expedite_cost,
        realised_cost=realised.total_cost,
        alternative_cost=alternative.total_cost,
        realised_value=alternative.total_cost - realised.total_cost,
        detail={
            "window": {
                "from": (start.as_of + timedelta(days=1)).isoformat(),
                "through": end.isoformat(),
                "days": (end - start.as_of).days,
            },
            "start": {
                "available": _round(start.available),
                "backordered": _round(start.backordered),
                "cover_level": _round(start.cover_level),
            },
            "rates": {
                "holding_per_unit_day": _round(rates.holding_per_unit_day, 6),
                "shortage_penalty": _round(rates.shortage_penalty),
                "tail_days": _round(rates.tail_days),
            },
            "realised_world": "with_action" if executed else "without_action",
            "with_action": with_action.to_json(),
            "without_action": without_action.to_json(),
        },
    )


def outcome_label(*, realised: WorldResult, alternative: WorldResult) -> str:
    """Fewer units short than the alternative: stockout avoided; more: suffered. Same
    shortage: more excess is excess created, less is excess avoided; else no effect."""
    short = realised.stockout_units - alternative.stockout_units
    if short < -_UNITS_EPSILON:
        return STOCKOUT_AVOIDED
    if short > _UNITS_EPSILON:
        return STOCKOUT_SUFFERED
    excess = realised.excess_units - alternative.excess_units
    if excess > _UNITS_EPSILON:
        return EXCESS_CREATED
    if excess < -_UNITS_EPSILON:
        return EXCESS_AVOIDED
    return NO_EFFECT


def _round(value: float, places: int = 4) -> float:
    return round(float(value), places)
