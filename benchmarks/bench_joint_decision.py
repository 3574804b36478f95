"""Joint decision at 10 warehouses x 10k SKUs: time end to end and expected cost vs a greedy rule.

Run: .venv/bin/python benchmarks/bench_joint_decision.py [--skus 10000 --warehouses 10]
[--write-results]. The network is synthetic and seeded (see `synthetic_network`): a
positions frame with skewed stock (some branches over, some short), a full mesh of lanes,
one supplier per item-location with MOQ, multiple, ordering cost and an expedite
premium, and open PO lines with lateness risk on 30% of item-locations.

Baseline, in the same process: every branch buys its own shortfall up to its reorder
point from its supplier (rounded to MOQ and multiple), no transfers, no expedites. Both
plans are priced by the same exact cost model.
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
    horizon = 21.0
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
            "sku": sku[with_po],
            "location_code": loc[with_po],
            "quantity": np.ceil(mean[with_po]),
            "due_in_days": rng.integers(3, 20, int(with_po.sum())),
            "p_late": rng.beta(1.0, 3.0, int(with_po.sum())),
            "expedite_premium": unit_cost[with_po] * 0.15,
            "expedite_days": 2,
        }
    )
    return {
        "positions": positions,
        "lanes": lanes,
        "supply_options": supply,
        "purchase_orders": orders,
    }


def greedy_cost(frames: dict[str, pd.DataFrame]) -> float:
    """Each branch buys up to its reorder point from its supplier; nothing else."""
    positions = frames.pop("positions")
    problem = build_problem(positions, **frames)
    frames["positions"] = positions
    a = problem.actions
    buy = (a["kind"] == "buy").to_numpy()
    reorder = positions["reorder_point"].to_numpy(np.float64)
    shortfall = np.maximum(reorder - problem.base, 0.0)[problem.dest]
    wanted = shortfall / a["gain"].to_numpy(np.float64)
    quantity = np.zeros(len(a))
    quantity[buy] = round_order_quantities(
        wanted[buy],
        order_multiple=a["order_multiple"].to_numpy(np.int64)[buy],
        moq=a["moq"].to_numpy()[buy],
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
            ", ".join(f"{k} {kinds.get(k, 0):,}" for k in ("buy", "transfer", "expedite", "none")),
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
