"""Network simulation on real data: Dominick's (63 stores fed by one DC, weekly) and
Stallion (44 agencies fed by one DC, monthly), every policy side by side.

Each data set is written as a canonical import folder (benchmarks/simulation_datasets.py),
imported into a throw-away SQLite store with the product's importer, and replayed by
`compare_policies`, exactly what `crossdock simulate --network FOLDER` does. Targets
(issue 4, Dominick's): at the same fill rate (>= 97%), the engine's average inventory <=
0.75x the tuned min/max, its total cost <= 1.25x perfect foresight, and the full run (4
policies) within 60 s. Results go to benchmarks/RESULTS.md, reports to --out.

    python benchmarks/bench_simulate.py [--sweep] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crossdock.adapters.reports import write_simulation_report
from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.importing import import_sources
from crossdock.service_layer.simulating import SimulationSettings, compare_policies
from crossdock.service_layer.simulation_network import read_network
from results_file import write_section
from simulation_datasets import write_dominicks, write_stallion

FOUR = ("min_max", "normal", "crossdock", "oracle")  # the "4 policies"
ALL = ("min_max", "min_max_abc", "normal", "crossdock", "oracle")
SWEEP = (0.90, 0.95, 0.97, 0.99)


def run(name: str, folder_writer: Any, bucket: str, settings: SimulationSettings, out: Path | None):
    """Import the data set and replay it; returns the results and the seconds each part
    took."""
    with tempfile.TemporaryDirectory(prefix=f"sim-{name}-") as scratch:
        folder = Path(scratch) / "folder"
        folder_writer(folder)
        crossdock = bootstrap(Settings(database_url=f"sqlite:///{Path(scratch) / 'sim.db'}"))
        crossdock.migrate()
        sources, _ = crossdock.read_sources(folder)
        started = time.perf_counter()
        outcome = import_sources(
            sources,
            store=crossdock.store,
            kind="import",
            description=name,
            as_of=datetime.now(UTC),
        )
        imported = time.perf_counter() - started
        started = time.perf_counter()
        network = read_network(crossdock.store, bucket=bucket)
        read = time.perf_counter() - started
        started = time.perf_counter()
        results = compare_policies(network, settings, title=name)
        replayed = time.perf_counter() - started
        crossdock.engine.dispose()
    if out is not None:
        write_simulation_report(results, out / name.lower().replace("'", "").replace(" ", "-"))
    totals = outcome.to_dict()["totals"]
    return results, {
        "import": imported,
        "read": read,
        "replay": replayed,
        "quarantined": totals["rows_quarantined"],
    }


def table(results: dict[str, Any]) -> str:
    currency = results["settings"].get("currency", "")
    lines = [
        (
            "| policy | fill rate | cycle service | avg on hand (units) | avg on hand (value) "
            "| days of supply | POs | transfers | holding | transport | shortage | total cost "
            "| sized for | seconds |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in results["policies"]:
        n, c = p["network"], p["costs"]
        sized = p.get("sized_for") or p.get("multipliers") or ""
        lines.append(
            f"| {p['name']} | {n['fill_rate']:.1%} | {n['cycle_service_level']:.1%} "
            f"| {n['average_on_hand']:,.0f} | {n['average_on_hand_value']:,.0f}{currency} "
            f"| {n['days_of_supply']:,.1f} | {n['purchase_orders']:,.0f} | {n['transfers']:,.0f} "
            f"| {c['holding']:,.0f} | {c['transport']:,.0f} | {c['shortage']:,.0f} "
            f"| {c['total']:,.0f} | {sized} | {p['seconds']:.1f} |"
        )
    return "\n".join(lines)


def targets(results: dict[str, Any], four_seconds: float) -> list[dict[str, Any]]:
    by = {p["kind"]: p for p in results["policies"]}
    engine = by["crossdock"]
    fill = engine["network"]["fill_rate"]
    rows = []
    for base in ("min_max", "min_max_abc"):
        if base in by:
            ratio = (
                engine["network"]["average_on_hand_value"]
                / by[base]["network"]["average_on_hand_value"]
            )
            rows.append(
                {
                    "name": f"engine inventory / {by[base]['name']}, fill >= 97%",
                    "value": ratio,
                    "target": "<= 0.75",
                    "met": bool(ratio <= 0.75 and fill >= 0.97),
                }
            )
    cost = engine["costs"]["total"] / by["oracle"]["costs"]["total"]
    rows.append(
        {
            "name": "engine total cost / perfect foresight",
            "value": cost,
            "target": "<= 1.25",
            "met": bool(cost <= 1.25),
        }
    )
    rows.append(
        {
            "name": "full run, 4 policies (s)",
            "value": four_seconds,
            "target": "<= 60",
            "met": bool(four_seconds <= 60),
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="also draw the frontier")
    parser.add_argument("--out", type=Path, help="write each data set's report here")
    parser.add_argument("--refit-every", type=int, default=4)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    sections = []
    for name, writer, bucket, warmup in (
        ("Dominick's", write_dominicks, "W", 8),
        ("Stallion", write_stallion, "MS", 6),
    ):
        settings = SimulationSettings(
            warmup_periods=warmup,
            refit_every=args.refit_every if bucket == "W" else 3,
            policies=ALL,
            min_history=13 if bucket == "W" else 12,
            sweep=SWEEP if args.sweep else (),
        )
        results, timing = run(name, writer, bucket, settings, args.out)
        four_seconds = sum(p["seconds"] for p in results["policies"] if p["kind"] in FOUR)
        checks = targets(results, four_seconds)
        results["targets"] = checks
        if args.out is not None:
            write_simulation_report(results, args.out / name.lower().replace("'", ""))
        print(f"\n{name}: {results['network']}, {results['settings']['periods']} periods")
        print(table(results))
        for check in checks:
            print(
                f"  {check['name']}: {check['value']:.3f} (target {check['target']}, "
                f"{'met' if check['met'] else 'missed'})"
            )
        print(f"  timing: {timing}, four policies {four_seconds:.1f} s")
        frontier = ""
        if results["frontier"]:
            frontier = (
                "\n\nFrontier (fill rate reached, average on-hand value) per target:\n\n"
                + "\n".join(
                    f"- {curve['policy']}: "
                    + "; ".join(
                        f"{p['target']:.0%} -> {p['fill_rate']:.1%}, "
                        f"{p['average_on_hand_value']:,.0f}"
                        for p in curve["points"]
                    )
                    for curve in results["frontier"]
                )
            )
        sections.append(
            f"### {name}\n\n{results['network']['item_locations']} item-locations "
            f"({results['network']['branches']} branches, {results['network']['dcs']} DC), "
            f"{results['settings']['periods']} {results['settings']['bucket']}s from "
            f"{results['settings']['first_period']}, {warmup} warm-up, lost sales, seed 0; "
            f"import {timing['import']:.1f} s ({timing['quarantined']} quarantined), "
            f"read {timing['read']:.1f} s; {', '.join(FOUR)} took {four_seconds:.1f} s "
            f"together (the engine's forecasts and calibration included)."
            f"\n\n{table(results)}\n\n"
            + "\n".join(
                f"- {c['name']}: {c['value']:.3f} (target {c['target']}: "
                f"{'met' if c['met'] else 'missed'})"
                for c in checks
            )
            + frontier
        )
    write_section(
        "bench_simulate",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `python benchmarks/bench_simulate.py"
        f"{' --sweep' if args.sweep else ''}` on this 2-core machine.\n\n" + "\n\n".join(sections),
        heading="Network simulation (Dominick's, Stallion)",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
