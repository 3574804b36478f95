"""The façade: frames in, the joint decision and its money explanation out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.planning.decisions.costs import position_costs
from crossdock.planning.decisions.inputs import Problem, build_problem
from crossdock.planning.decisions.optimise import solve
from crossdock.planning.decisions.plan import (
    COST_PARTS,
    action_money,
    action_rows,
    item_location_costs,
    round_actions,
    single_action_quantity,
)

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
        actions: one row per recommended action (kind buy / transfer / expedite) and
            one `none` row per item-location that receives nothing: kind, sku,
            from_code (supplier, PO number or shipping warehouse), to_code, po_number,
            quantity, expected_arrival_date, the action's transport, ordering,
            purchase and expedite money and their sum action_cost.
        item_locations: per item-location, do-nothing and planned expected position,
            do_nothing_holding/shortage/total, planned_holding/shortage/transport/
            ordering/purchase/expedite/total (action money counted at the receiver)
            and savings = do_nothing_total - planned_total.
        alternatives: per receiving item-location with a candidate: `none`, each
            candidate alone (sized by the newsvendor rule at the receiver) and `plan`,
            each with its money parts over `scope` (the receiver, plus the shipper for
            transfers), total = sum of parts, do_nothing_total over the same scope and
            savings = do_nothing_total - total; `chosen` marks the plan's actions.
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
) -> JointDecision:
    """Choose buys, transfers, expedites or nothing for every item across the network.

    Args:
        positions, purchase_orders, lanes, supply_options: see
            `crossdock.planning.decisions.inputs` for the columns.
        as_of: the planning day; expected arrival dates count from it.

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
    )
    lp = solve(problem)
    quantity = round_actions(problem, lp.quantity)
    costs = item_location_costs(problem, quantity)
    return JointDecision(
        actions=action_rows(problem, quantity),
        item_locations=costs,
        alternatives=alternatives(problem, quantity, lp.considered, costs),
        lp_variables=lp.variables,
        lp_constraints=lp.constraints,
    )


def _money_at(problem: Problem, rows: np.ndarray, position: np.ndarray) -> np.ndarray:
    holding, shortage = position_costs(
        problem.demand.take(rows),
        position,
        holding_per_unit=problem.holding_per_unit[rows],
        shortage_penalty=problem.shortage_penalty[rows],
    )
    return np.stack([holding, shortage])


def alternatives(
    problem: Problem, quantity: np.ndarray, considered: np.ndarray, costs: pd.DataFrame
) -> pd.DataFrame:
    """The `alternatives` frame of `JointDecision` (see there)."""
    keys = problem.positions["sku"] + "@" + problem.positions["location_code"]
    rows = np.flatnonzero(considered)
    a = problem.actions.iloc[rows]
    dest, source = problem.dest[rows], problem.source[rows]
    q = single_action_quantity(problem, rows)
    gain = a["gain"].to_numpy(np.float64)
    ships = source >= 0
    src = np.where(ships, source, dest)
    base = problem.base
    at_dest = _money_at(problem, dest, base[dest] + gain * q)
    at_src = np.where(ships, _money_at(problem, src, base[src] - q), 0.0)
    nothing = costs["do_nothing_total"].to_numpy(np.float64)
    single = np.zeros(len(problem.actions))
    single[rows] = q
    money = {k: v[rows] for k, v in action_money(problem, single).items()}
    one = pd.DataFrame(
        {
            "sku": a["sku"].to_numpy(),
            "location_code": a["to_code"].to_numpy(),
            "alternative": (a["kind"] + " " + a["from_code"]).to_numpy(),
            "kind": a["kind"].to_numpy(),
            "from_code": a["from_code"].to_numpy(),
            "quantity": q,
            "scope": np.where(
                ships, keys.to_numpy()[dest] + "|" + keys.to_numpy()[src], keys.to_numpy()[dest]
            ),
            "holding": at_dest[0] + at_src[0],
            "shortage": at_dest[1] + at_src[1],
            **money,
            "do_nothing_total": nothing[dest] + np.where(ships, nothing[src], 0.0),
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
            "scope": keys.to_numpy()[receivers],
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
    order = {"none": 0, "plan": 1}
    frame["_order"] = frame["alternative"].map(order).fillna(2)
    frame = frame.sort_values(["sku", "location_code", "_order", "alternative"], kind="stable")
    return frame[list(ALTERNATIVE_COLUMNS)].reset_index(drop=True)


def _plan_rows(
    problem: Problem,
    quantity: np.ndarray,
    receivers: np.ndarray,
    keys: pd.Series,
    costs: pd.DataFrame,
) -> pd.DataFrame:
    """The whole plan seen from each receiver: it plus the warehouses shipping to it."""
    taken = (quantity > 0.0) & (problem.source >= 0)
    pairs = pd.DataFrame({"member": receivers, "receiver": receivers})
    shipped = pd.DataFrame({"member": problem.source[taken], "receiver": problem.dest[taken]})
    pairs = pd.concat([pairs, shipped[shipped["receiver"].isin(receivers)]]).drop_duplicates()
    parts = ["planned_" + p for p in COST_PARTS] + ["do_nothing_total"]
    values = costs[parts].to_numpy()[pairs["member"].to_numpy()]
    grouped = pd.DataFrame(values, columns=[*COST_PARTS, "do_nothing_total"]).assign(
        receiver=pairs["receiver"].to_numpy(), scope=keys.to_numpy()[pairs["member"].to_numpy()]
    )
    summed = grouped.groupby("receiver", sort=True).agg(
        {**dict.fromkeys((*COST_PARTS, "do_nothing_total"), "sum"), "scope": "|".join}
    )
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
