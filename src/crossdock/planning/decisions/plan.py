"""From LP quantities to orderable actions, and the money explanation of each decision.

Rounding (after the LP, documented heuristic): transfers go to the nearest whole unit
(down, for a source whose spare stock would be exceeded); each buy, expedited buy and
expedite of an open line is priced at three quantities holding the rest of the plan
fixed: none, the LP quantity rounded down to the order step (if still >= MOQ) and
rounded up to MOQ and the step; the cheapest, its fixed cost per order included, wins. All money
is then recomputed with the exact loss functions, so every total is the sum of its
parts and every saving a difference of totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crossdock.planning.decisions.costs import optimal_position, position_costs
from crossdock.planning.decisions.inputs import Problem
from crossdock.planning.policy import round_order_quantities
from crossdock.planning.policy._arrays import FloatArray

COST_PARTS = ("holding", "shortage", "transport", "ordering", "purchase", "expedite")
_BUYS = ("buy", "expedite")
RESCHEDULES = ("defer", "cancel")


def position_after(problem: Problem, quantity: FloatArray) -> FloatArray:
    """Expected position per item-location (echelon rows: per echelon) once the given
    action quantities are taken."""
    rows, actions, effect = problem.effects()
    position = problem.base.copy()
    np.add.at(position, rows, effect * quantity[actions])
    return position


def action_money(problem: Problem, quantity: FloatArray) -> dict[str, FloatArray]:
    """transport, ordering, purchase, expedite money per action at these quantities."""
    a = problem.actions
    placed = quantity > 0.0
    return {
        "transport": quantity * a["transport_per_unit"].to_numpy(np.float64),
        "ordering": np.where(placed, a["ordering_cost"].to_numpy(np.float64), 0.0),
        "purchase": quantity * a["purchase_per_unit"].to_numpy(np.float64),
        "expedite": quantity * a["expedite_per_unit"].to_numpy(np.float64),
    }


def _location_cost(problem: Problem, position: FloatArray, rows: np.ndarray) -> FloatArray:
    holding, shortage = position_costs(
        problem.demand.take(rows),
        position[rows],
        holding_per_unit=problem.holding_per_unit[rows],
        shortage_penalty=problem.shortage_penalty[rows],
    )
    return np.asarray(holding + shortage, dtype=np.float64)


def _is_buy(problem: Problem) -> np.ndarray:
    """Buys and expedites: actions with a fixed cost per order, rounded after the LP."""
    return np.asarray(np.isin(problem.actions["kind"].to_numpy(), _BUYS))


def round_actions(problem: Problem, quantity: FloatArray) -> FloatArray:
    """Orderable quantities from the LP's (see the module docstring)."""
    out = np.minimum(np.round(quantity), problem.actions["upper"].to_numpy(np.float64))
    ships = problem.source >= 0
    shipped = np.bincount(problem.source[ships], out[ships], minlength=len(problem.base))
    over = ships & (shipped[np.maximum(problem.source, 0)] > problem.spare[problem.source] + 1e-9)
    out[over] = np.floor(quantity[over] + 1e-6)
    buys = np.flatnonzero(_is_buy(problem) & (quantity > 1e-6))
    if buys.size == 0:
        return np.asarray(out, dtype=np.float64)
    a = problem.actions.iloc[buys]
    moq = a["moq"].to_numpy(np.float64)
    step = a["order_multiple"].to_numpy(np.int64).astype(np.float64)
    up = round_order_quantities(quantity[buys], order_multiple=step.astype(np.int64), moq=moq)
    down = np.floor(quantity[buys] / step + 1e-9) * step
    down = np.where(down >= moq, down, 0.0)
    out[buys] = 0.0
    rest = position_after(problem, out)
    dest = problem.dest[buys]
    gain = a["gain"].to_numpy(np.float64)
    per_unit = problem.unit_cost[buys]
    ordering = a["ordering_cost"].to_numpy(np.float64)
    best_cost = _location_cost(problem, rest, dest)
    best = np.zeros(buys.size)
    for candidate in (down, up.astype(np.float64)):
        trial = rest.copy()
        trial[dest] = rest[dest] + gain * candidate
        cost = (
            _location_cost(problem, trial, dest)
            + per_unit * candidate
            + np.where(candidate > 0, ordering, 0.0)
        )
        better = cost < best_cost - 1e-9
        best = np.where(better, candidate, best)
        best_cost = np.where(better, cost, best_cost)
    out[buys] = best
    return np.asarray(out, dtype=np.float64)


def item_location_costs(
    problem: Problem, quantity: FloatArray, *, do_nothing_holding: FloatArray | None = None
) -> pd.DataFrame:
    """Per item-location: do-nothing and planned money, parts and totals, and the saving.

    `do_nothing_holding` is holding that doing nothing costs beyond the horizon (keeping
    surplus PO lines, see `reschedule.py`); it is added to the do-nothing holding.
    """
    rows = np.arange(len(problem.base))
    planned = position_after(problem, quantity)
    frame = problem.positions.copy()
    frame["echelon"] = problem.is_echelon
    frame["demand_mean"] = problem.demand.mean
    frame["demand_std"] = problem.demand.std
    frame["committed_demand"] = problem.demand.committed
    frame["do_nothing_position"] = problem.base
    frame["planned_position"] = planned
    for label, position in (("do_nothing", problem.base), ("planned", planned)):
        holding, shortage = position_costs(
            problem.demand,
            position,
            holding_per_unit=problem.holding_per_unit,
            shortage_penalty=problem.shortage_penalty,
        )
        frame[f"{label}_holding"] = holding
        frame[f"{label}_shortage"] = shortage
    if do_nothing_holding is not None:
        frame["do_nothing_holding"] += do_nothing_holding
    money = action_money(problem, quantity)
    for part in COST_PARTS[2:]:
        frame[f"planned_{part}"] = np.bincount(problem.dest, money[part], minlength=rows.size)
    frame["do_nothing_total"] = frame["do_nothing_holding"] + frame["do_nothing_shortage"]
    frame["planned_total"] = frame[[f"planned_{p}" for p in COST_PARTS]].sum(axis=1)
    frame["savings"] = frame["do_nothing_total"] - frame["planned_total"]
    return frame


def action_rows(
    problem: Problem,
    quantity: FloatArray,
    *,
    arrival_days: FloatArray | None = None,
    marginal: FloatArray | None = None,
) -> pd.DataFrame:
    """One row per recommended action, then one `none` row per item-location without one."""
    taken = quantity > 0.0
    a = problem.actions.loc[taken]
    days = a["arrival_days"].to_numpy(np.float64) if arrival_days is None else arrival_days[taken]
    money = {k: v[taken] for k, v in action_money(problem, quantity).items()}
    frame = pd.DataFrame(
        {
            "kind": a["kind"].to_numpy(),
            "sku": a["sku"].to_numpy(),
            "from_code": a["from_code"].to_numpy(),
            "to_code": a["to_code"].to_numpy(),
            "po_number": a["po_number"].to_numpy(),
            "line_number": a["line_number"].to_numpy(),
            "quantity": quantity[taken],
            "expected_arrival_date": problem.as_of + pd.to_timedelta(days, unit="D"),
            **money,
        }
    )
    frame["action_cost"] = frame[list(COST_PARTS[2:])].sum(axis=1)
    frame["unit_value"] = a["unit_value"].to_numpy(np.float64)
    frame["marginal_savings"] = 0.0 if marginal is None else marginal[taken]
    served = np.zeros(len(problem.base), dtype=bool)
    served[problem.dest[taken]] = True
    idle = problem.positions.loc[~served]
    none = pd.DataFrame(
        {
            "kind": "none",
            "sku": idle["sku"].to_numpy(),
            "from_code": None,
            "to_code": idle["location_code"].to_numpy(),
            "po_number": None,
            "line_number": None,
            "quantity": 0.0,
            "expected_arrival_date": pd.NaT,
            **dict.fromkeys(COST_PARTS[2:], 0.0),
            "action_cost": 0.0,
            "unit_value": 0.0,
            "marginal_savings": 0.0,
        }
    )
    pieces = [f.dropna(axis=1, how="all") for f in (frame, none) if len(f)]
    out = pd.concat(pieces, ignore_index=True).reindex(columns=frame.columns) if pieces else frame
    out["expected_arrival_date"] = pd.to_datetime(out["expected_arrival_date"])
    return out.sort_values(["sku", "to_code", "kind"], kind="stable").reset_index(drop=True)


def single_action_quantity(problem: Problem, rows: np.ndarray) -> FloatArray:
    """For each candidate alone: the newsvendor quantity at its destination, orderable;
    a defer or cancel takes its whole line."""
    a = problem.actions.iloc[rows]
    dest = problem.dest[rows]
    gain = a["gain"].to_numpy(np.float64)
    target = optimal_position(
        problem.demand.take(dest),
        holding_per_unit=problem.holding_per_unit[dest],
        shortage_penalty=problem.shortage_penalty[dest],
        unit_action_cost=problem.unit_cost[rows] / gain,
    )
    wanted = np.clip((target - problem.base[dest]) / gain, 0.0, a["upper"].to_numpy(np.float64))
    wanted = np.nan_to_num(wanted, nan=0.0, posinf=0.0)
    out = np.floor(wanted + 1e-6)
    buy = _is_buy(problem)[rows] & (wanted > 0)
    if buy.any():
        out[buy] = round_order_quantities(
            wanted[buy],
            order_multiple=a["order_multiple"].to_numpy(np.int64)[buy],
            moq=a["moq"].to_numpy(np.float64)[buy],
        )
    whole_line = a["kind"].isin(RESCHEDULES).to_numpy()
    out[whole_line] = a["upper"].to_numpy(np.float64)[whole_line]
    return np.asarray(out, dtype=np.float64)


def marginal_savings(problem: Problem, quantity: FloatArray, keeping: FloatArray) -> FloatArray:
    """Per action: what the plan would lose without it, the rest of the plan unchanged.

    The holding and shortage it saves at every position it changes, plus what keeping
    its line would have cost (defers and cancels, `keeping`), minus its own money.
    Actions not taken get 0. Savings of actions at one item-location do not add up to
    the item-location's saving: each is counted with all the others in place.
    """
    rows, action, effect = problem.effects()
    taken = quantity[action] > 0.0
    rows, action, effect = rows[taken], action[taken], effect[taken]
    planned = position_after(problem, quantity)
    demand = problem.demand.take(rows)
    prices = {
        "holding_per_unit": problem.holding_per_unit[rows],
        "shortage_penalty": problem.shortage_penalty[rows],
    }
    with_it = position_costs(demand, planned[rows], **prices)
    without = position_costs(demand, planned[rows] - effect * quantity[action], **prices)
    saved = (without[0] + without[1]) - (with_it[0] + with_it[1])
    own = sum(action_money(problem, quantity).values())
    total = np.bincount(action, saved, minlength=quantity.size) + keeping - own
    return np.asarray(np.where(quantity > 0.0, total, 0.0), dtype=np.float64)


def drop_unprofitable(
    problem: Problem, quantity: FloatArray, keeping: FloatArray, *, rounds: int = 10
) -> FloatArray:
    """The plan without actions worth nothing: while some action's marginal savings is
    not positive (the LP's chords and the rounding can leave one a little under water),
    drop the worst of them at each item-location it touches, and look again."""
    out = quantity.copy()
    rows, action, _ = problem.effects()
    for _ in range(rounds):
        worth = marginal_savings(problem, out, keeping)
        losing = (out > 0.0) & (worth <= 1e-9)
        if not losing.any():
            break
        # per item-location, only its most losing action goes in this round
        touched = losing[action]
        order = np.lexsort((worth[action[touched]], rows[touched]))
        first = np.r_[True, np.diff(rows[touched][order]) != 0]
        worst_here = np.zeros(out.size, dtype=np.bool_)
        worst_here[action[touched][order][first]] = True
        # an action goes when it is the worst at every item-location it touches
        blocked = np.zeros(out.size, dtype=np.bool_)
        blocked[action[touched][order][~first]] = True
        out[losing & worst_here & ~blocked] = 0.0
        if not (losing & worst_here & ~blocked).any():
            out[np.flatnonzero(losing)[np.argmin(worth[losing])]] = 0.0
    return out
