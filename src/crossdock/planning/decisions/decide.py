"""The façade: frames in, the joint decision and its money explanation out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.planning.decisions.candidates import ReschedulingRules
from crossdock.planning.decisions.costs import position_costs
from crossdock.planning.decisions.inputs import Problem, build_problem
from crossdock.planning.decisions.optimise import solve
from crossdock.planning.decisions.plan import (
    COST_PARTS,
    action_money,
    action_rows,
    drop_unprofitable,
    item_location_costs,
    marginal_savings,
    round_actions,
    single_action_quantity,
)
from crossdock.planning.decisions.reschedule import reschedule

ALTERNATIVE_COLUMNS = (
    "sku",
    "location_code",
    "alternative",  # none | plan | <kind> <from_code>
    "kind",
    "from_code",
    "quantity",
    "scope",  # the item-locations whose money is counted, "|"-separated
    *COST_PARTS,
    "total",
    "do_nothing_total",
    "savings",
    "chosen",
)


@dataclass(frozen=True)
class JointDecision:
    """The plan and why.

    Attributes:
        actions: one row per recommended action (kind buy / transfer / expedite /
            defer / cancel) and one `none` row per item-location that gets nothing:
            kind, sku, from_code (supplier, PO number or shipping warehouse), to_code,
            po_number and line_number (open lines), quantity, expected_arrival_date (a
            deferred line: its new date), the action's transport, ordering, purchase
            and expedite money and their sum action_cost, unit_value (what a unit of
            the goods costs; 0 for transfers) and marginal_savings (what the plan would
            lose without this action alone, everything else in place).
        item_locations: per item-location, `echelon` (True: the row is priced as its
            echelon, the warehouse plus those it replenishes), the demand it is priced
            on (demand_mean, demand_std, committed_demand: pooled for echelons),
            do-nothing and planned expected position,
            do_nothing_holding/shortage/total, planned_holding/shortage/transport/
            ordering/purchase/expedite/total (action money counted at the receiver)
            and savings = do_nothing_total - planned_total.
        alternatives: per receiving item-location with a candidate: `none`, each
            candidate alone (sized by the newsvendor rule at the receiver) and `plan`,
            each with its money parts over `scope` (the receiver first, then every
            other position the option changes: the shipper of a transfer, the echelon
            of the receiver), total = sum of parts, do_nothing_total over the same scope
            and savings = do_nothing_total - total; `chosen` marks the plan's actions.
        lp_variables, lp_constraints: size of the LP solved.
    """

    actions: pd.DataFrame
    item_locations: pd.DataFrame
    alternatives: pd.DataFrame
    lp_variables: int
    lp_constraints: int

    @property
    def total_cost(self) -> float:
        return float(self.item_locations["planned_total"].sum())

    @property
    def do_nothing_cost(self) -> float:
        return float(self.item_locations["do_nothing_total"].sum())


def decide(
    positions: pd.DataFrame,
    *,
    purchase_orders: pd.DataFrame | None = None,
    lanes: pd.DataFrame | None = None,
    supply_options: pd.DataFrame | None = None,
    as_of: object = "1970-01-01",
    rescheduling: ReschedulingRules | None = None,
) -> JointDecision:
    """Choose buys, transfers, expedites or nothing for every item across the network.

    Args:
        positions, purchase_orders, lanes, supply_options: see
            `crossdock.planning.decisions.inputs` for the columns.
        as_of: the planning day; expected arrival dates count from it.
        rescheduling: when open PO lines are deferred or cancelled, and the cost.

    Returns:
        The actions, per item-location money and the alternatives considered.

    Raises:
        PolicyInputError: a missing column or bad value (frame, column and row named).
        DecisionSolveError: the LP solver failed.
    """
    problem = build_problem(
        positions,
        purchase_orders=purchase_orders,
        lanes=lanes,
        supply_options=supply_options,
        as_of=as_of,
        rescheduling=rescheduling,
    )
    lp = solve(problem)
    moved = reschedule(problem, round_actions(problem, lp.quantity))
    quantity = drop_unprofitable(problem, moved.quantity, moved.keeping)
    costs = item_location_costs(problem, quantity, do_nothing_holding=moved.do_nothing_holding)
    return JointDecision(
        actions=action_rows(
            problem,
            quantity,
            arrival_days=moved.arrival_days,
            marginal=marginal_savings(problem, quantity, moved.keeping),
        ),
        item_locations=costs,
        alternatives=alternatives(problem, quantity, lp.considered | moved.chosen, costs),
        lp_variables=lp.variables,
        lp_constraints=lp.constraints,
    )


def alternatives(
    problem: Problem, quantity: np.ndarray, considered: np.ndarray, costs: pd.DataFrame
) -> pd.DataFrame:
    """The `alternatives` frame of `JointDecision` (see there)."""
    keys = (problem.positions["sku"] + "@" + problem.positions["location_code"]).to_numpy()
    rows = np.flatnonzero(considered)
    a = problem.actions.iloc[rows]
    dest = problem.dest[rows]
    q = single_action_quantity(problem, rows)
    single = np.zeros(len(problem.actions))
    single[rows] = q
    # every position each option changes on its own, and the money there
    at, action, effect = problem.effects()
    taken = considered[action]
    at, action, effect = at[taken], action[taken], effect[taken]
    position = problem.base[at] + effect * single[action]
    holding, shortage = position_costs(
        problem.demand.take(at),
        position,
        holding_per_unit=problem.holding_per_unit[at],
        shortage_penalty=problem.shortage_penalty[at],
    )
    nothing = costs["do_nothing_total"].to_numpy(np.float64)
    order = np.lexsort((at != problem.dest[action], action))  # by option, receiver first
    touched = pd.DataFrame(
        {
            "action": action[order],
            "holding": holding[order],
            "shortage": shortage[order],
            "do_nothing_total": nothing[at][order],
        }
    )
    per_option = touched.groupby("action", sort=True).sum().reindex(rows)
    per_option["scope"] = pd.Series(
        join_in_groups(action[order], keys[at][order]), index=np.unique(action[order])
    ).reindex(rows)
    money = {k: v[rows] for k, v in action_money(problem, single).items()}
    one = pd.DataFrame(
        {
            "sku": a["sku"].to_numpy(),
            "location_code": a["to_code"].to_numpy(),
            "alternative": (a["kind"] + " " + a["from_code"]).to_numpy(),
            "kind": a["kind"].to_numpy(),
            "from_code": a["from_code"].to_numpy(),
            "quantity": q,
            "scope": per_option["scope"].to_numpy(),
            "holding": per_option["holding"].to_numpy(),
            "shortage": per_option["shortage"].to_numpy(),
            **money,
            "do_nothing_total": per_option["do_nothing_total"].to_numpy(),
            "chosen": quantity[rows] > 0.0,
        }
    )
    receivers = np.unique(dest)
    none = pd.DataFrame(
        {
            "sku": problem.positions["sku"].to_numpy()[receivers],
            "location_code": problem.positions["location_code"].to_numpy()[receivers],
            "alternative": "none",
            "kind": "none",
            "from_code": None,
            "quantity": 0.0,
            "scope": keys[receivers],
            "holding": costs["do_nothing_holding"].to_numpy()[receivers],
            "shortage": costs["do_nothing_shortage"].to_numpy()[receivers],
            **dict.fromkeys(COST_PARTS[2:], 0.0),
            "do_nothing_total": nothing[receivers],
            "chosen": ~np.isin(receivers, problem.dest[quantity > 0]),
        }
    )
    frame = pd.concat([none, _plan_rows(problem, quantity, receivers, keys, costs), one])
    frame["total"] = frame[list(COST_PARTS)].sum(axis=1)
    frame["savings"] = frame["do_nothing_total"] - frame["total"]
    frame["chosen"] = frame["chosen"].astype(bool)
    rank = {"none": 0, "plan": 1}
    frame["_order"] = frame["alternative"].map(rank).fillna(2)
    frame = frame.sort_values(["sku", "location_code", "_order", "alternative"], kind="stable")
    return frame[list(ALTERNATIVE_COLUMNS)].reset_index(drop=True)


def join_in_groups(groups: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """`texts` joined with "|" per run of equal `groups` (sorted), one per group in order."""
    if groups.size == 0:
        return np.asarray([], dtype=object)
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    sizes = np.diff(np.r_[starts, groups.size])
    out = texts[starts].astype(object)
    for offset in range(1, int(sizes.max())):
        more = sizes > offset
        out[more] = out[more] + "|" + texts[starts[more] + offset]
    return np.asarray(out)


def plan_scopes(problem: Problem, quantity: np.ndarray, receivers: np.ndarray) -> pd.DataFrame:
    """Pairs (receiver, member): each receiver and every position the actions landing at
    it change (the warehouses shipping to it, its echelon), receiver first."""
    at, action, _ = problem.effects()
    taken = quantity[action] > 0.0
    changed = pd.DataFrame({"receiver": problem.dest[action[taken]], "member": at[taken]})
    pairs = pd.concat(
        [
            pd.DataFrame({"receiver": receivers, "member": receivers}),
            changed[changed["receiver"].isin(receivers)],
        ]
    ).drop_duplicates()
    return pairs.reset_index(drop=True)


def _plan_rows(
    problem: Problem,
    quantity: np.ndarray,
    receivers: np.ndarray,
    keys: np.ndarray,
    costs: pd.DataFrame,
) -> pd.DataFrame:
    """The whole plan seen from each receiver: it plus every position its actions change."""
    pairs = plan_scopes(problem, quantity, receivers)
    parts = ["planned_" + p for p in COST_PARTS] + ["do_nothing_total"]
    values = costs[parts].to_numpy()[pairs["member"].to_numpy()]
    grouped = pd.DataFrame(values, columns=[*COST_PARTS, "do_nothing_total"]).assign(
        receiver=pairs["receiver"].to_numpy()
    )
    summed = grouped.groupby("receiver", sort=True).sum()
    receiver = pairs["receiver"].to_numpy()
    order = np.argsort(receiver, kind="stable")
    summed["scope"] = join_in_groups(receiver[order], keys[pairs["member"].to_numpy()][order])
    index = summed.index.to_numpy()
    return summed.reset_index(drop=True).assign(
        sku=problem.positions["sku"].to_numpy()[index],
        location_code=problem.positions["location_code"].to_numpy()[index],
        alternative="plan",
        kind="plan",
        from_code=None,
        quantity=np.bincount(problem.dest, quantity, minlength=len(problem.base))[index],
        chosen=np.isin(index, problem.dest[quantity > 0]),
    )
