"""Time demo-network generation alone (no database), at the default and at 10x size.

Run: .venv/bin/python benchmarks/bench_demo_generation.py [--skus 2000 20000]

Prints rows per entity, rows/s and item-locations/s for each size, the time spent
in each generation step, the process's peak resident memory after each size, and
the per-item-location cost of each size relative to the first (the baseline run
in the same process).
"""

from __future__ import annotations

import argparse
import datetime
import resource
import sys
import time

from crossdock.demo import DemoOptions, generate_demo_network

END_DATE = datetime.date(2025, 6, 30)


def measure(skus: int, warehouses: int, days: int) -> float:
    """Generate once, print what it made and how fast; return seconds per item-location."""
    options = DemoOptions(skus=skus, warehouses=warehouses, days=days, end_date=END_DATE)
    marks: list[tuple[str, float]] = []

    def progress(step: str, done: int, total: int) -> None:
        del done, total
        marks.append((step, time.perf_counter()))

    started = time.perf_counter()
    frames = generate_demo_network(options, progress=progress)
    seconds = time.perf_counter() - started

    rows = {name: len(frame) for name, frame in frames.items()}
    total_rows = sum(rows.values())
    item_locations = options.item_locations
    print(
        f"\n== skus={skus} warehouses={warehouses} days={days} ({item_locations:,} item-locations)"
    )
    for name, count in rows.items():
        print(f"  {name:<22} {count:>12,}")
    print(f"  {'total rows':<22} {total_rows:>12,}")
    print(f"  generation            {seconds:>12.2f} s")
    print(f"  rows/s                {total_rows / seconds:>12,.0f}")
    print(f"  item-locations/s      {item_locations / seconds:>12,.0f}")
    print(f"  peak RSS so far       {_peak_rss_mib():>12,.0f} MiB")
    print("  time per step:")
    previous = started
    spent: dict[str, float] = {}
    for step, moment in marks:
        spent[step] = spent.get(step, 0.0) + moment - previous
        previous = moment
    for step, step_seconds in spent.items():
        print(f"    {step:<20} {step_seconds:>8.2f} s")
    del frames
    return seconds / item_locations


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--warehouses", type=int, default=5)
    parser.add_argument("--days", type=int, default=730)
    args = parser.parse_args()
    costs = [measure(skus, args.warehouses, args.days) for skus in args.skus]
    print("\nper-item-location cost relative to the first size:")
    for skus, cost in zip(args.skus, costs, strict=True):
        print(f"  skus={skus:<8} {cost / costs[0]:.2f}x")


if __name__ == "__main__":
    main()
