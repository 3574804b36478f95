"""Joint decision at 10 warehouses x 10k SKUs: time end to end and expected cost vs a greedy rule.

Run: .venv/bin/python benchmarks/bench_joint_decision.py [--skus 10000 --warehouses 10]
[--write-results]. The network is synthetic and seeded (see `synthetic_network`): the
first two warehouses are DCs (35-day horizon), each replenishing half of the others
(branches, 14-day horizon), so every DC row is priced as its echelon; skewed stock (some
warehouses over, some short), a full mesh of lanes, one supplier per item-location with
MOQ, multiple, ordering cost and an expedite premium, and open PO lines with lateness
risk on 30% of item-locations, half of them not shipped yet (may be deferred or
cancelled). Holding is charged for a 7-day review period.

Baseline, in the same process (`greedy_cost`): DRP by rule. Each branch is topped up to
its reorder point from its DC while the DC has stock to spare, then by a buy; each DC buys
its echelon up to mean + 1.3 standard deviations of the echelon's demand (rounded to MOQ
and multiple); no expedites, lateral moves or deferrals. Both plans are priced by the same
exact cost model.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import time

import numpy as np
import pandas as pd

from crossdock.planning.decisions import build_problem, decide
from crossdock.planning.decisions.plan import item_location_costs
from crossdock.planning.policy import round_order_quantities
from results_file import write_section

STEM = "bench_joint_decision"


def synthetic_network(skus: int, warehouses: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    codes = [f"W{w:02d}" for w in range(warehouses)]
    n = skus * warehouses
    sku = np.repeat([f"S{i:05d}" for i in range(skus)], warehouses)
    loc = np.tile(codes, skus)
    daily = np.repeat(rng.lognormal(0.5, 1.0, skus), warehouses) * rng.uniform(0.3, 1.7, n)
    is_dc = np.isin(loc, codes[:2])
    horizon = np.where(is_dc, 35.0, 14.0)
    parent = np.array([None, None, *(codes[w % 2] for w in range(2, warehouses))], dtype=object)
    mean = daily * horizon
    std = np.sqrt(horizon) * daily * rng.uniform(0.5, 1.5, n)
    unit_cost = np.repeat(rng.lognormal(2.5, 0.8, skus), warehouses)
    reorder_point = mean + 1.3 * std
    available = np.floor(reorder_point * rng.gamma(1.2, 0.8, n))
    positions = pd.DataFrame(
        {
            "sku": sku,
            "location_code": loc,
            "available": available,
            "demand_mean": mean,
            "demand_std": std,
            "committed_demand": np.where(rng.random(n) < 0.1, np.floor(0.2 * mean), 0.0),
            "unit_cost": unit_cost,
            "holding_rate": 0.25,
            "shortage_penalty": unit_cost * rng.choice([0.3, 0.5, 1.0], n),
            "reorder_point": reorder_point,
            "horizon_days": horizon,
            "holding_days": 7.0,
            "parent_code": np.tile(parent[:warehouses], skus),
        }
    )
    pairs = [(a, b) for a in codes for b in codes if a != b]
    lanes = pd.DataFrame(
        {
            "from_code": [a for a, _ in pairs],
            "to_code": [b for _, b in pairs],
            "cost_per_unit": rng.uniform(0.3, 3.0, len(pairs)),
            "transit_days": rng.integers(1, 5, len(pairs)),
        }
    )
    supply = pd.DataFrame(
        {
            "sku": sku,
            "location_code": loc,
            "supplier_code": np.repeat([f"V{i % 50:02d}" for i in range(skus)], warehouses),
            "unit_price": unit_cost,
            "lead_time_days": rng.integers(5, 30, n),
            "moq": np.floor(daily * rng.choice([0.0, 5.0, 10.0], n)),
            "order_multiple": rng.choice([1, 5, 10], n),
            "p_late": rng.uniform(0.0, 0.3, n),
            "ordering_cost": rng.uniform(5.0, 30.0, n),
            "expedite_premium": unit_cost * rng.uniform(0.1, 0.4, n),
            "expedite_lead_time_days": rng.integers(2, 6, n),
        }
    )
    with_po = rng.random(n) < 0.3
    orders = pd.DataFrame(
        {
            "po_number": [f"PO{i}" for i in range(int(with_po.sum()))],
            "line_number": 1,
            "sku": sku[with_po],
            "location_code": loc[with_po],
            "quantity": np.ceil(mean[with_po]),
            "due_in_days": rng.integers(3, 20, int(with_po.sum())),
            "p_late": rng.beta(1.0, 3.0, int(with_po.sum())),
            "expedite_premium": unit_cost[with_po] * 0.15,
            "expedite_days": 2,
            "reschedulable": rng.random(int(with_po.sum())) < 0.5,
            "unit_price": unit_cost[with_po],
        }
    )
    return {
        "positions": positions,
        "lanes": lanes,
        "supply_options": supply,
        "purchase_orders": orders,
    }


def greedy_cost(frames: dict[str, pd.DataFrame]) -> float:
    """DRP by rule: each branch is topped up to its reorder point from its DC while the DC
    has stock above its own, then by a buy; each DC buys its echelon up to mean + 1.3
    standard deviations of the echelon's demand (the rule that set the reorder points);
    no expedites, no lateral moves, no deferrals."""
    positions = frames.pop("positions")
    problem = build_problem(positions, **frames)
    frames["positions"] = positions
    a = problem.actions
    kind, dest, source = a["kind"].to_numpy(), problem.dest, problem.source
    gain = a["gain"].to_numpy(np.float64)
    reorder = positions["reorder_point"].to_numpy(np.float64)
    target = np.where(
        problem.is_echelon, problem.demand.total_mean + 1.3 * problem.demand.std, reorder
    )
    shortfall = np.maximum(target - problem.base, 0.0)
    quantity = np.zeros(len(a))
    from_parent = np.flatnonzero(
        (kind == "transfer") & (source >= 0) & (source == problem.parent[dest])
    )
    spare = problem.spare.copy()
    for action in from_parent:  # one per branch and item: the lane from its DC
        moved = min(shortfall[dest[action]], spare[source[action]])
        quantity[action] = np.floor(moved)
        spare[source[action]] -= quantity[action]
        shortfall[dest[action]] -= quantity[action]
    buy = np.flatnonzero(kind == "buy")
    first = pd.Series(buy).groupby(dest[buy]).first().to_numpy()  # one supplier each
    quantity[first] = round_order_quantities(
        shortfall[dest[first]] / gain[first],
        order_multiple=a["order_multiple"].to_numpy(np.int64)[first],
        moq=a["moq"].to_numpy()[first],
    )
    return float(item_location_costs(problem, quantity)["planned_total"].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--warehouses", type=int, default=10)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    frames = synthetic_network(args.skus, args.warehouses)
    started = time.perf_counter()
    baseline = greedy_cost(dict(frames))
    baseline_time = time.perf_counter() - started
    started = time.perf_counter()
    positions = frames.pop("positions")
    decision = decide(positions, as_of="2026-03-02", **frames)
    elapsed = time.perf_counter() - started
    kinds = decision.actions["kind"].value_counts()
    n = args.skus * args.warehouses
    rows = [
        ("joint decision end to end", f"{elapsed:.1f} s", f"{n / elapsed:,.0f} item-locations/s"),
        (
            "baseline greedy (build + price)",
            f"{baseline_time:.1f} s",
            f"{elapsed / baseline_time:.1f}x time",
        ),
        ("LP size", "", f"{decision.lp_variables:,} variables, {decision.lp_constraints:,} rows"),
        ("expected cost, do nothing", "", f"{decision.do_nothing_cost:,.0f}"),
        ("expected cost, greedy baseline", "", f"{baseline:,.0f}"),
        ("expected cost, joint decision", "", f"{decision.total_cost:,.0f}"),
        ("ratio joint / greedy cost", "", f"{decision.total_cost / baseline:.3f}x"),
        (
            "actions",
            "",
            ", ".join(
                f"{k} {kinds.get(k, 0):,}"
                for k in ("buy", "transfer", "expedite", "defer", "cancel", "none")
            ),
        ),
        ("target: 10 x 10k in <= 30 s", "", "met" if elapsed <= 30 else "MISSED"),
    ]
    table = "| measurement | time | value |\n|---|---|---|\n" + "\n".join(
        f"| {a} | {b} | {c} |" for a, b, c in rows
    )
    print(table)
    if args.write_results:
        header = (
            f"Measured {dt.datetime.now(dt.UTC).date().isoformat()} on {platform.node()} "
            f"({platform.machine()}, "
            f"Python {platform.python_version()}), `python benchmarks/{STEM}.py --skus {args.skus} "
            f"--warehouses {args.warehouses}`:\n\n"
        )
        write_section(STEM, header + table, heading="Joint decision")


if __name__ == "__main__":
    main()
