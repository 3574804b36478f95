"""Time the inventory projection at 100k item-locations x 90 days.

Inputs are synthetic but shaped like a plan run: one position per item-location
(on hand, allocated, on hold, on order), a daily forecast with mean and hi-90 for every
day of the horizon, about one open receipt per two item-locations, and policy rows with
lead times (mean and std), order-up-to levels, demand classes and last demand dates.
The baseline, in the same process, is a plain per-row Python loop over a sample of
item-locations (domain `InventoryPosition.available`, a day loop for the path, the normal
tail for the stockout probability), scaled up to the full count.

    python benchmarks/bench_projection.py [--item-locations 100000] [--days 90] [--write-results]
"""

from __future__ import annotations

import argparse
import math
import platform
import resource
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from crossdock.domain.model import InventoryPosition
from crossdock.planning.projection import project_inventory
from results_file import write_section

REPO_ROOT = Path(__file__).resolve().parents[1]
STEM = Path(__file__).stem
AS_OF = date(2026, 3, 2)
Z90 = 1.6448536269514722
CLASSES = np.array(["smooth", "erratic", "intermittent", "lumpy", "dying", "no_demand"])


def make_inputs(n: int, days: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    sku = np.array([f"SKU{i // 10:06d}" for i in range(n)], dtype=object)
    location = np.array([f"WH{i % 10:02d}" for i in range(n)], dtype=object)
    level = rng.gamma(1.2, 4.0, n)
    on_hand = np.round(level * rng.uniform(0.0, 120.0, n))
    positions = pd.DataFrame(
        {
            "sku": sku,
            "location_code": location,
            "on_hand": on_hand,
            "allocated": np.round(on_hand * rng.uniform(0.0, 0.2, n)),
            "on_hold": np.where(rng.random(n) < 0.05, np.round(on_hand * 0.1), 0.0),
            "in_transit": 0.0,
            "on_order": 0.0,
        }
    )
    with_receipt = np.flatnonzero(rng.random(n) < 0.5)
    quantity = np.round(level[with_receipt] * rng.uniform(5.0, 30.0, with_receipt.size))
    positions.loc[with_receipt, "on_order"] = quantity
    receipts = pd.DataFrame(
        {
            "sku": sku[with_receipt],
            "location_code": location[with_receipt],
            "expected_date": pd.Timestamp(AS_OF)
            + pd.to_timedelta(rng.integers(-3, days + 20, with_receipt.size), unit="D"),
            "quantity": quantity,
        }
    )
    codes = np.repeat(np.arange(n), days)
    mean = level[codes] * rng.uniform(0.7, 1.3, n * days)
    forecasts = pd.DataFrame(
        {
            "sku": sku[codes],
            "location_code": location[codes],
            "ds": np.tile(
                pd.date_range(pd.Timestamp(AS_OF) + pd.Timedelta(days=1), periods=days), n
            ),
            "mean": mean,
            "hi-90": mean + Z90 * np.sqrt(mean) * 1.5,
        }
    )
    policy = pd.DataFrame(
        {
            "sku": sku,
            "location_code": location,
            "lead_time_days": rng.integers(3, 40, n).astype(np.float64),
            "lead_time_std_days": rng.uniform(0.0, 5.0, n),
            "order_up_to": level * rng.uniform(10.0, 40.0, n),
            "demand_class": CLASSES[rng.integers(0, len(CLASSES), n)],
            "last_demand_date": pd.Timestamp(AS_OF)
            - pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
        }
    )
    return {"positions": positions, "receipts": receipts, "forecasts": forecasts, "policy": policy}


def naive_projection(inputs: dict[str, pd.DataFrame], sample: int, days: int) -> int:
    """Per-row Python: the same path, stockout date and normal stockout probability."""
    positions = inputs["positions"].iloc[:sample]
    forecasts = inputs["forecasts"]
    policy = inputs["policy"].iloc[:sample]
    receipts = inputs["receipts"]
    keys = set(zip(positions["sku"], positions["location_code"], strict=True))
    by_key: dict[tuple[str, str], list[tuple[pd.Timestamp, float]]] = {}
    for sku, location, when, q in receipts.itertuples(index=False):
        if (sku, location) in keys:
            by_key.setdefault((sku, location), []).append((when, q))
    stockouts = 0
    snapshot = datetime(2026, 3, 2, 18, tzinfo=UTC)
    for i, record in enumerate(positions.to_dict("records")):
        position = InventoryPosition(
            sku=record["sku"],
            location_code=record["location_code"],
            snapshot_at=snapshot,
            on_hand=record["on_hand"],
            allocated=record["allocated"],
            on_hold=record["on_hold"],
            on_order=record["on_order"],
        )
        rows = forecasts.iloc[i * days : (i + 1) * days]
        due: dict[int, float] = {}
        for when, q in by_key.get((position.sku, position.location_code), []):
            d = max((when.date() - AS_OF).days, 1)
            due[d] = due.get(d, 0.0) + q
        stock, first_short = position.available, None
        means = rows["mean"].tolist()
        stds = ((rows["hi-90"] - rows["mean"]) / Z90).tolist()
        for d in range(1, days + 1):
            stock += due.get(d, 0.0) - means[d - 1]
            if first_short is None and stock < 0:
                first_short = AS_OF + timedelta(days=d)
        lead = float(policy["lead_time_days"].iloc[i])
        window = min(max(math.ceil(lead), 1), days)
        mu = sum(means[:window]) / window
        var = sum(s * s for s in stds[:window]) / window
        supply = position.available + sum(q for d, q in due.items() if d <= lead)
        sd = math.sqrt(lead * var + mu * mu * float(policy["lead_time_std_days"].iloc[i]) ** 2)
        p = 0.5 * math.erfc((supply - mu * lead) / sd / math.sqrt(2.0)) if sd > 0 else 0.0
        stockouts += first_short is not None and p > 0.5
    return stockouts


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(n: int, days: int, sample: int) -> str:
    started = time.perf_counter()
    inputs = make_inputs(n, days)
    build_seconds = time.perf_counter() - started
    rss_inputs = peak_rss_mb()

    started = time.perf_counter()
    projection = project_inventory(
        inputs["positions"],
        inputs["receipts"],
        inputs["forecasts"],
        as_of=AS_OF,
        horizon_days=days,
        policy=inputs["policy"],
    )
    summary_seconds = time.perf_counter() - started
    rss_summary = peak_rss_mb()

    started = time.perf_counter()
    daily_rows = sum(len(chunk) for chunk in projection.iter_daily(chunk_size=20_000))
    chunked_seconds = time.perf_counter() - started

    started = time.perf_counter()
    daily = projection.daily()
    full_daily_seconds = time.perf_counter() - started
    full_daily_mb = daily.memory_usage(deep=False).sum() / 2**20
    del daily
    rss_daily = peak_rss_mb()

    tracemalloc.start()
    project_inventory(
        inputs["positions"],
        inputs["receipts"],
        inputs["forecasts"],
        as_of=AS_OF,
        horizon_days=days,
        policy=inputs["policy"],
    )
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    started = time.perf_counter()
    naive_projection(inputs, sample, days)
    naive_seconds = (time.perf_counter() - started) * n / sample

    summary = projection.summary
    machine = f"{platform.node()} ({platform.machine()}, Python {platform.python_version()})"
    command = f"python benchmarks/bench_projection.py --item-locations {n} --days {days}"
    lines = [
        f"Measured {date.today().isoformat()} on {machine}, `{command}`:",  # noqa: DTZ011
        "",
        "| measurement | time | notes |",
        "|---|---|---|",
        (
            f"| summary + mean path, {n:,} item-locations x {days} days | {summary_seconds:.2f} s "
            f"| {n / summary_seconds:,.0f} item-locations/s |"
        ),
        (
            f"| daily frame in chunks of 20,000 item-locations | {chunked_seconds:.2f} s "
            f"| {daily_rows:,} rows |"
        ),
        f"| daily frame in one piece | {full_daily_seconds:.2f} s | {full_daily_mb:,.0f} MB |",
        (
            f"| baseline: per-row Python loop ({sample:,} rows, scaled x{n / sample:,.0f}) "
            f"| {naive_seconds:.1f} s | |"
        ),
        f"| ratio baseline / summary | | {naive_seconds / summary_seconds:,.0f}x faster |",
        f"| peak traced allocation during `project_inventory` | | {traced_peak / 2**20:,.0f} MB |",
        (
            f"| peak RSS: inputs / + summary / + daily | | {rss_inputs:,.0f} / {rss_summary:,.0f} "
            f"/ {rss_daily:,.0f} MB |"
        ),
        (
            f"| synthetic inputs built in | {build_seconds:.1f} s | {len(inputs['forecasts']):,} "
            "forecast rows |"
        ),
        "",
        (
            f"Flags on the synthetic network: {summary['excess'].mean():.1%} excess, "
            f"{summary['obsolete'].mean():.1%} obsolete, "
            f"{summary['first_stockout_date'].notna().mean():.1%} stock out on the mean path "
            f"within {days} days; median stockout probability over the lead time "
            f"{summary['stockout_probability'].median():.2f}."
        ),
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--item-locations", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--sample", type=int, default=1_000)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    text = run(args.item_locations, args.days, min(args.sample, args.item_locations))
    print(text)
    if args.write_results:
        write_section(STEM, text, heading="Inventory projection")
    return 0


if __name__ == "__main__":
    sys.exit(main())
