"""Defer or cancel open PO lines that are not needed when they come (after the LP).

This is MRP's reschedule-out and cancel message, priced. Once the plan's buys,
transfers and expedites are fixed, each item-location's open lines that have not shipped
yet are looked at latest-due first. A line is **surplus** when the expected position
without it (and without the later lines already taken out) is still at least the
newsvendor position for holding versus shortage: the level below which one more unit
would pay for itself. A surplus line is needed only when the stock without it falls to
that level's safety stock, which at the horizon's average daily demand is

    need_days = (position without it - committed - safety stock) / demand per day.

If it is needed at least `min_deferral_days` after it is due, it is **deferred** to the
need date; if it is needed only after `cancel_after_days`, not at all, or the item is
obsolete, it is **cancelled**. Either only when keeping the line costs more than the
change does (below).

Money. Keeping a surplus line costs what carrying its units costs until they are needed
(holding per unit and day x units x days between due and need date), or, when they are not
expected to sell within a year (or the item is obsolete), their whole value: this is
added to the item-location's do-nothing holding. Deferring costs `reschedule_cost`;
cancelling that plus `cancellation_rate` x the line's value; both also change the
horizon's holding and shortage, priced exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossdock.planning.decisions.costs import optimal_position
from crossdock.planning.decisions.inputs import Problem
from crossdock.planning.decisions.plan import position_after
from crossdock.planning.policy._arrays import BoolArray, FloatArray

WRITE_OFF_AFTER_DAYS = 365.0


@dataclass(frozen=True, slots=True)
class Rescheduled:
    """The plan's quantities with defers and cancels set, and what keeping them costs.

    Attributes:
        quantity: per candidate action, the plan's units (defers and cancels: the
            whole line or 0).
        arrival_days: per candidate action, days to arrival; a deferred line's new date.
        chosen: defers and cancels taken.
        keeping: per candidate action, what keeping its line as it is would cost
            beyond the horizon (defers and cancels taken; 0 elsewhere).
        do_nothing_holding: per item-location, the sum of `keeping` of its lines.
    """

    quantity: FloatArray
    arrival_days: FloatArray
    chosen: BoolArray
    keeping: FloatArray
    do_nothing_holding: FloatArray


def reschedule(problem: Problem, quantity: FloatArray) -> Rescheduled:
    """Defers and cancels for the plan `quantity` (see the module docstring)."""
    a = problem.actions
    kind = a["kind"].to_numpy()
    arrival = a["arrival_days"].to_numpy(np.float64).copy()
    out = quantity.copy()
    extra = np.zeros(len(problem.base))
    defer = np.flatnonzero(kind == "defer")
    cancel = np.flatnonzero(kind == "cancel")
    chosen = np.zeros(len(a), dtype=np.bool_)
    kept = np.zeros(len(a))
    if defer.size == 0:
        return Rescheduled(out, arrival, chosen, kept, extra)
    if not np.array_equal(problem.dest[defer], problem.dest[cancel]):
        raise ValueError("defer and cancel candidates must come in pairs, line by line")
    rules = problem.rescheduling
    position = position_after(problem, quantity)
    rows = problem.dest[defer]
    demand = problem.demand.take(rows)
    level = optimal_position(
        demand,
        holding_per_unit=problem.holding_per_unit[rows],
        shortage_penalty=problem.shortage_penalty[rows],
        unit_action_cost=np.zeros(rows.size),
    )
    in_horizon = -problem.gain[defer] * a["upper"].to_numpy(np.float64)[defer]
    due = arrival[defer]
    latest_first = _LatestFirst(rows, due)
    taken_out = latest_first.cumulative(in_horizon)
    left = position[rows] - taken_out
    surplus = left >= level
    safety = np.where(np.isfinite(level), np.maximum(level - demand.total_mean, 0.0), 0.0)
    rate = demand.mean / problem.horizon[rows]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        need = np.where(rate > 0.0, (left - demand.committed - safety) / rate, np.inf)
    obsolete = problem.obsolete[rows]
    lines = a["upper"].to_numpy(np.float64)[defer]
    write_off = obsolete | (need > WRITE_OFF_AFTER_DAYS)
    carrying = in_horizon * problem.holding_per_day[rows] * np.maximum(need - due, 0.0)
    value = lines * a["unit_value"].to_numpy(np.float64)[defer]
    keeping = np.where(write_off, value, carrying)
    cancelling = obsolete | (need > rules.cancel_after_days)
    charge = rules.reschedule_cost + np.where(cancelling, rules.cancellation_rate * value, 0.0)
    # each line is judged with every later line of its item-location taken out: stop at
    # the first one that stays
    worth = latest_first.while_all(
        surplus & (need >= due + rules.min_deferral_days) & (keeping > charge)
    )
    cancel_it = worth & cancelling
    defer_it = worth & ~cancel_it
    out[defer[defer_it]] = lines[defer_it]
    out[cancel[cancel_it]] = lines[cancel_it]
    arrival[defer[defer_it]] = np.ceil(need[defer_it])
    chosen[defer[defer_it]] = True
    chosen[cancel[cancel_it]] = True
    np.add.at(extra, rows[worth], keeping[worth])
    kept[defer[defer_it]] = keeping[defer_it]
    kept[cancel[cancel_it]] = keeping[cancel_it]
    return Rescheduled(out, arrival, chosen, kept, extra)


class _LatestFirst:
    """Lines grouped by item-location, latest due first."""

    def __init__(self, rows: np.ndarray, due: FloatArray) -> None:
        self.order = np.lexsort((-due, rows))
        sorted_rows = rows[self.order]
        starts = np.r_[0, np.flatnonzero(np.diff(sorted_rows)) + 1]
        self.group_start = np.repeat(starts, np.diff(np.r_[starts, rows.size]))

    def cumulative(self, values: FloatArray) -> FloatArray:
        """Per line, the sum over its item-location's lines due on or after it."""
        total = np.cumsum(values[self.order])
        out = np.empty(values.size)
        out[self.order] = total - np.r_[0.0, total][self.group_start]
        return out

    def while_all(self, flags: BoolArray) -> BoolArray:
        """Per line, whether it and every line due after it at its item-location hold."""
        failed = self.cumulative((~flags).astype(np.float64))
        return np.asarray(failed == 0.0, dtype=np.bool_)
