"""Full replan speed and peak memory at 10k and 100k item-locations, against AutoETS-for-all.

Run: .venv/bin/python benchmarks/bench_replan.py [--sizes 2000 20000] [--warehouses 5]
     [--baseline-series 500] [--plan-timeout 720] [--forecast-jobs 1] [--write-results]

For each size (SKUs x 5 warehouses, two years of daily demand ending 2026-11-20) the demo
network is loaded into a temporary SQLite file, then `plan` (the use case behind
`crossdock plan`, default settings, as_of 2026-11-20) runs in a fresh subprocess, so its
peak RSS is the plan's alone (not the load's, nor another size's). Phase times come from
the plan's progress sink. The plan runs in one process (the `forecast_jobs` setting, 1 by
default); with `--forecast-jobs N` statsforecast forks N worker processes, whose largest
peak RSS is reported beside the plan's (the two together bound the memory in use).

Memory: the plan's peak is the kernel's peak RSS of its process (`ru_maxrss`). Per phase,
a thread samples RSS every 20 ms for the phase's own peak (a spike shorter than that can
be missed; the process peak cannot) and the RSS the phase leaves behind (memory freed to
the allocator but not to the system still counts there).

Baseline, same run, own subprocess: AutoETS (statsforecast, season_length 7, daily,
h=28, 90% interval, n_jobs=1) fitted and forecast for every series of the smallest
network. At ~0.2 s a series that takes longer than the plan itself, so it is timed on a
random sample of `--baseline-series` series (seed 0) and scaled linearly to all series.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, Naive

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.demo import DemoOptions
from crossdock.planning.forecasting import densify
from crossdock.service_layer.demo import load_demo_network
from crossdock.service_layer.plan_settings import PlanSettings
from crossdock.service_layer.planning import plan
from results_file import write_section

STEM = "bench_replan"
END = date(2026, 11, 20)
TARGET_SECONDS, TARGET_MB, TARGET_ROWS = 600.0, 4096.0, 100_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    """Resident memory now (Linux)."""
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class _RssSampler(threading.Thread):
    """The highest RSS seen since the last `restart`, sampled every `interval` seconds."""

    def __init__(self, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.highest = _rss_mb()

    def restart(self) -> None:
        self.highest = _rss_mb()

    def run(self) -> None:
        while True:
            self.highest = max(self.highest, _rss_mb())
            time.sleep(self.interval)


def child_load(db: Path, skus: int, warehouses: int, out: Path) -> None:

    wired = bootstrap(Settings(database_url=f"sqlite:///{db}"))
    wired.migrate()
    started = time.perf_counter()
    options = DemoOptions(skus=skus, warehouses=warehouses, end_date=END)
    load_demo_network(options, store=wired.store)
    out.write_text(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}))


def child_plan(db: Path, out: Path, forecast_jobs: int = 1) -> None:
    """Plan as `crossdock plan --as-of 2026-11-20` does; write phases to `out` as they end."""
    warnings.simplefilter("ignore")
    store = bootstrap(Settings(database_url=f"sqlite:///{db}")).store
    phases: dict[str, float] = {}
    peaks: dict[str, float] = {}  # highest RSS sampled during each phase
    left: dict[str, float] = {}  # RSS at the end of each phase
    result: dict[str, object] = {"phases": phases, "peaks": peaks, "left": left}
    result |= {"start_mb": _rss_mb(), "finished": False}
    sampler = _RssSampler()
    sampler.start()

    def progress(name: str, _total: int):  # type: ignore[no-untyped-def]
        sampler.restart()
        started = time.perf_counter()
        result["running"] = name
        out.write_text(json.dumps(result))

        def advance(_rows: int) -> None:
            phases[name] = time.perf_counter() - started
            left[name] = _rss_mb()
            peaks[name] = max(sampler.highest, left[name])
            result["peak_mb"] = _peak_mb()
            out.write_text(json.dumps(result))

        return advance

    started = time.perf_counter()
    settings = PlanSettings(forecast_jobs=forecast_jobs)
    outcome = plan(store, as_of=END, settings=settings, progress=progress)
    result |= {
        "seconds": time.perf_counter() - started,
        "peak_mb": _peak_mb(),
        "workers_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "finished": True,
        "recommendations": outcome.summary["recommendations"],
        "lp": outcome.summary["lp"],
    }
    out.write_text(json.dumps(result))


def child_baseline(db: Path, sample: int, out: Path) -> None:

    warnings.simplefilter("ignore")
    with sqlite3.connect(db) as connection:
        raw = pd.read_sql(
            "SELECT sku || '@' || location_code AS unique_id, demand_date AS ds, quantity AS y "
            "FROM demand_history WHERE demand_date <= ?",
            connection,
            params=[END.isoformat()],
            parse_dates=["ds"],
        )
    dense = densify(raw, as_of=END, freq="D")
    ids = sorted(dense["unique_id"].unique())
    chosen = random.Random(0).sample(ids, min(sample, len(ids)))
    data = dense[dense["unique_id"].isin(chosen)]
    engine = StatsForecast(
        models=[AutoETS(season_length=7)], freq="D", n_jobs=1, fallback_model=Naive()
    )
    started = time.perf_counter()
    engine.forecast(df=data, h=28, level=[90])
    seconds = time.perf_counter() - started
    out.write_text(
        json.dumps(
            {"seconds": seconds, "sampled": len(chosen), "series": len(ids), "peak_mb": _peak_mb()}
        )
    )


def _child(args: list[str], out: Path, timeout: float | None = None) -> dict[str, object]:
    """Run this script in a fresh process; return what it wrote (partial on timeout)."""
    command = [sys.executable, __file__, "--child", *args, str(out)]
    stopped = None
    try:
        code = subprocess.run(command, check=False, timeout=timeout).returncode  # noqa: S603
        stopped = f"failed, exit code {code}" if code else None
    except subprocess.TimeoutExpired:
        stopped = f"stopped after {timeout:.0f} s"
    result = json.loads(out.read_text()) if out.exists() else {}
    return result | ({"stopped": stopped} if stopped else {})


def run(  # type: ignore[type-arg]
    sizes: list[int], warehouses: int, sample: int, timeout: float, jobs: int = 1
) -> list[dict]:
    work = Path(tempfile.mkdtemp(prefix="crossdock-replan-"))
    results = []
    try:
        for skus in sizes:
            rows = skus * warehouses
            db = work / f"{rows}.db"
            print(f"{rows:,} item-locations: loading the demo network", file=sys.stderr)
            load = _child(["load", str(db), str(skus), str(warehouses)], work / f"load{rows}")
            print(f"  loaded in {load['seconds']:.0f} s; planning", file=sys.stderr)
            planned = _child(["plan", str(db), str(jobs)], work / f"plan{rows}", timeout)
            results.append({"rows": rows, "load": load, "plan": planned})
            print(f"  {json.dumps(planned)}", file=sys.stderr)
            if skus == min(sizes):
                print("baseline: AutoETS on a sample of series", file=sys.stderr)
                base = _child(["baseline", str(db), str(sample)], work / "baseline")
                results[-1]["baseline"] = base
                print(f"  {json.dumps(base)}", file=sys.stderr)
            db.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def table(results: list[dict]) -> str:  # type: ignore[type-arg]
    base = next(r["baseline"] for r in results if "baseline" in r)
    base_seconds = base["seconds"] * base["series"] / base["sampled"]
    label = f"{base['series']:,} series"
    if base["sampled"] < base["series"]:
        label += f", extrapolated from {base['sampled']} series ({base['seconds']:.0f} s)"
    lines = [
        "| measurement | time | ratio to baseline | peak memory | memory left after |",
        "|---|---|---|---|---|",
        (
            f"| baseline: AutoETS for every series of the {results[0]['rows']:,} network"
            f" ({label}) | {base_seconds:,.0f} s | 1.00x | {base['peak_mb']:,.0f} MB | |"
        ),
    ]
    for r in results:
        p = r["plan"]
        done = "" if p.get("finished") else f" (NOT FINISHED: {p.get('stopped')})"
        total = p.get("seconds", sum(p.get("phases", {}).values()))
        lines.append(
            f"| **full replan, {r['rows']:,} item-locations**{done} | {total:,.1f} s"
            f" | {total / base_seconds:.3f}x | {p.get('peak_mb', 0):,.0f} MB"
            f" | (started at {p.get('start_mb', 0):,.0f} MB) |"
        )
        if p.get("workers_peak_mb"):
            lines.append(
                f"| &nbsp;&nbsp;(largest forecasting worker process) | | |"
                f" {p['workers_peak_mb']:,.0f} MB | |"
            )
        for name, seconds in p.get("phases", {}).items():
            lines.append(
                f"| &nbsp;&nbsp;{name} | {seconds:,.1f} s | | {p['peaks'][name]:,.0f} MB"
                f" | {p['left'][name]:,.0f} MB |"
            )
        if not p.get("finished") and p.get("running"):
            lines.append(f"| &nbsp;&nbsp;{p['running']} (unfinished) | | | | |")
        lines.append(
            f"| (demo load before it, not part of the replan) | {r['load']['seconds']:,.0f} s"
            f" | | {r['load']['peak_mb']:,.0f} MB | |"
        )
    big = next((r for r in results if r["rows"] >= TARGET_ROWS), None)
    if big is None or not big["plan"].get("finished"):
        verdict = "not measured" if big is None else "missed (did not finish)"
    else:
        p = big["plan"]
        ok = p["seconds"] <= TARGET_SECONDS and p["peak_mb"] <= TARGET_MB
        verdict = (
            f"{'met' if ok else 'missed'}: {p['seconds'] / 60:.1f} min, {p['peak_mb']:,.0f} MB"
        )
    lines += [
        "",
        (
            "Peak memory per phase: the highest RSS sampled (every 20 ms) during the phase; on"
            " the replan's own row, the process peak (`ru_maxrss`). Memory left after: RSS when"
            " the phase ends."
        ),
        "",
        f"Target, 100k item-locations replanned in <= 10 minutes within 4 GB: {verdict}",
    ]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, *rest = sys.argv[2:]
        *params, out = rest
        if kind == "load":
            child_load(Path(params[0]), int(params[1]), int(params[2]), Path(out))
        elif kind == "plan":
            child_plan(Path(params[0]), Path(out), int(params[1]))
        else:
            child_baseline(Path(params[0]), int(params[1]), Path(out))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000], help="SKUs")
    parser.add_argument("--warehouses", type=int, default=5)
    parser.add_argument("--baseline-series", type=int, default=500)
    parser.add_argument("--plan-timeout", type=float, default=720.0, help="seconds per plan")
    parser.add_argument("--forecast-jobs", type=int, default=1)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(
        sorted(args.sizes),
        args.warehouses,
        args.baseline_series,
        args.plan_timeout,
        args.forecast_jobs,
    )
    text = (
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.node()} ({platform.machine()}, "
        f"Python {platform.python_version()}), `python benchmarks/{STEM}.py --sizes "
        f"{' '.join(map(str, args.sizes))} --warehouses {args.warehouses} --baseline-series "
        f"{args.baseline_series}"
        + (f" --forecast-jobs {args.forecast_jobs}" if args.forecast_jobs != 1 else "")
        + f"`, {time.perf_counter() - started:,.0f} s in all:\n\n"
        + table(results)
    )
    print(text)
    if args.write_results:
        print(f"wrote {write_section(STEM, text, heading='Full replan speed')}")


if __name__ == "__main__":
    main()
