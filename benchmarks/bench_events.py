"""Event intake, delivery and event-to-recommendation latency, against the raw driver
as a same-run baseline.

    python benchmarks/bench_events.py [--events 20000] [--latency-events 200]
                                      [--postgres URL] [--write-results]

Measures on the embedded store (SQLite), and on PostgreSQL when `--postgres` names an
admin URL:
  1. intake: canonical events validated, stored once per id with their outbox message,
     in batches of 1,000 (what `crossdock events ingest` does), events/s;
  2. the baseline: the SQLite driver alone inserting the same events as ready-made rows
     into a table of the same shape (no parsing, no validation, no outbox): the floor;
  3. delivery: the outbox drained by worker cycles in order per item-location, events/s,
     the agents included (balancing, replenishment and allocation each handle
     `inventory_adjusted`), three ways:
     a. a backlog, 20 events per item-location: the agents read an item-location once per
        data version and remember it (service_layer/remembering.py);
     b. cold: every event a different item-location, so nothing read is used twice;
     c. the known network (examples/basic, 12 item-locations with stock, orders, supply
        and history): the agents size levels with the plan's engine and propose;
     in (a) and (b) the item-locations are unknown to the store: the agents read and find
     nothing to do, the floor of what an agent costs per event;
  4. latency: one supplier acknowledgment at a time, from the intake call to its
     expedite routed by the approval policy (one worker cycle), p50 and p95.
Targets (issue 6): >= 2,000 events/s and p95 <= 100 ms embedded. The PostgreSQL + NATS
target (5,000 events/s with two workers) is measured by bench_bus.py.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.service_layer.agent_runtime import agents, run_cycle
from crossdock.service_layer.dispatching import dispatch
from crossdock.service_layer.importing import import_sources
from crossdock.service_layer.intake import ingest_events
from results_file import write_section

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "examples" / "basic"
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
BATCH = 1_000
KEYS = 1_000  # item-locations the backlog's events spread over
KNOWN_EVENTS = 2_000
KNOWN_SKUS, KNOWN_SITES = ("A100", "A200", "B300", "B400"), ("DC1", "BR1", "BR2")


def _events(n: int, *, keys: int = KEYS, prefix: str = "WMS") -> list[dict[str, Any]]:
    start = NOW - timedelta(days=2)
    return [
        {
            "event_id": f"{prefix}-{i:08d}",
            "event_type": "inventory_adjusted",
            "occurred_at": (start + timedelta(seconds=i)).isoformat(),
            "source": "wms",
            "location_code": f"BR{i % 4 + 1:02d}",
            "sku": f"SKU-{i % keys:06d}",
            "quantity": float(i % 7 + 1),
            "reason_code": "cycle_count",
        }
        for i in range(n)
    ]


def _intake(wired: Crossdock, events: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for start in range(0, len(events), BATCH):
        chunk = events[start : start + BATCH]
        report = ingest_events(
            wired.events, [(str(i), e) for i, e in enumerate(chunk)], channel="bench", now=NOW
        )
        assert report.accepted == len(chunk), report.problems[:3]
    return time.perf_counter() - started


def _baseline(path: Path, events: list[dict[str, Any]]) -> float:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE inbound (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, event_type TEXT,"
        " ordering_key TEXT, occurred_at TEXT, payload TEXT)"
    )
    rows = [
        (e["event_id"], e["event_type"], f"{e['sku']}@{e['location_code']}", e["occurred_at"],
         json.dumps(e))
        for e in events
    ]  # fmt: skip
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        with connection:
            connection.executemany(
                "INSERT INTO inbound (event_id, event_type, ordering_key, occurred_at, payload)"
                " VALUES (?, ?, ?, ?, ?)",
                rows[start : start + BATCH],
            )
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def _drain(wired: Crossdock, n: int, *, with_agents: bool = True) -> float:
    consumers = agents(wired.agent_data) if with_agents else []
    started = time.perf_counter()
    delivered = 0
    while delivered < n:
        report = dispatch(wired.events, consumers, now=NOW, limit=BATCH)
        if report.claimed == 0:
            break
        delivered += report.delivered
    seconds = time.perf_counter() - started
    assert delivered == n, f"delivered {delivered} of {n}"
    return seconds


def _known(n: int, *, now: datetime = NOW) -> list[dict[str, Any]]:
    """Cycle-count corrections over examples/basic's item-locations, a unit at a time
    (bench_bus.py's agents mix too)."""
    return [
        {"event_id": f"ADJ-{i:08d}", "event_type": "inventory_adjusted",
         "occurred_at": (now - timedelta(hours=2)).isoformat(), "source": "wms",
         "sku": KNOWN_SKUS[i % 4], "location_code": KNOWN_SITES[(i // 4) % 3],
         "quantity": -1.0, "reason_code": "cycle_count"}
        for i in range(n)
    ]  # fmt: skip


def _latency(wired: Crossdock, n: int) -> list[float]:
    """Milliseconds from intake to a routed expedite, one acknowledgment at a time."""
    _late_orders(wired)
    consumers = agents(wired.agent_data)
    policy = wired.approval_policy()
    timings = []
    for i in range(n):
        event = {
            "event_id": f"EDI-855-{i:06d}",
            "event_type": "po_acknowledged",
            "occurred_at": (NOW - timedelta(hours=1)).isoformat(),
            "source": "edi",
            "reference": "PO-5004",
            "data": {"supplier_code": "SUP1", "lines": [
                {"line_number": 1, "status": "changed", "promised_date": "2026-12-10"}]},
        }  # fmt: skip
        started = time.perf_counter()
        ingest_events(wired.events, [("bench", event)], channel="bench", now=NOW)
        cycle = run_cycle(wired.events, wired.governance, consumers, policy=policy, now=NOW)
        timings.append((time.perf_counter() - started) * 1000)
        assert cycle.routed.routed == 1, cycle.to_json()
    return timings


def _late_orders(wired: Crossdock) -> None:
    """examples/basic plus the two orders a late PO-5004 hits (tests/integration)."""
    work = Path(tempfile.mkdtemp(prefix="crossdock-bench-basic-"))
    try:
        folder = work / "basic"
        shutil.copytree(BASIC, folder)
        with (folder / "sales_orders.csv").open("a") as handle:
            handle.write("SO-2001,C001,BR1,2026-11-19,2026-11-28,released,\n")
            handle.write("SO-2002,C002,BR2,2026-11-19,2026-12-02,released,\n")
        with (folder / "sales_order_lines.csv").open("a") as handle:
            handle.write("SO-2001,1,A100,300,0,0,11.50,BX\nSO-2002,1,A100,250,0,0,11.50,BX\n")
        frames, _ = wired.read_sources(folder)
        import_sources(frames, store=wired.store, kind="import", description=str(folder), as_of=NOW)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(url: str, events: list[dict[str, Any]], latency_events: int) -> dict[str, float]:
    wired = bootstrap(Settings(database_url=url))
    wired.migrate()
    try:
        bare = _events(len(events), prefix="BARE")
        _intake(wired, bare)
        drain_bare = _drain(wired, len(bare), with_agents=False)  # the dispatcher alone
        intake = _intake(wired, events)
        drain = _drain(wired, len(events))
        cold = _events(len(events), keys=len(events), prefix="COLD")
        _intake(wired, cold)
        drain_cold = _drain(wired, len(cold))
        timings = _latency(wired, latency_events)  # imports examples/basic
        known = _known(KNOWN_EVENTS)
        _intake(wired, known)
        drain_known = _drain(wired, len(known))
    finally:
        wired.engine.dispose()
    return {
        "intake_s": intake,
        "bare_s": drain_bare,
        "drain_s": drain,
        "cold_s": drain_cold,
        "known_s": drain_known,
        "p50_ms": statistics.median(timings),
        "p95_ms": statistics.quantiles(timings, n=20)[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--latency-events", type=int, default=200)
    parser.add_argument(
        "--postgres", help="admin URL, e.g. postgresql+psycopg://postgres@127.0.0.1/postgres"
    )
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    events = _events(args.events)
    work = Path(tempfile.mkdtemp(prefix="crossdock-bench-events-"))
    try:
        floor = _baseline(work / "floor.db", events)
        print(f"baseline (sqlite3 executemany): {len(events) / floor:,.0f} events/s")
        results = {
            "SQLite": _measure(f"sqlite:///{work / 'events.db'}", events, args.latency_events)
        }
        if args.postgres:
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            name = f"crossdock_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = (
                    make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
                )
                results["PostgreSQL"] = _measure(url, events, args.latency_events)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = len(events)
    setting = (
        f"{n:,} `inventory_adjusted` events: a backlog over {KEYS:,} item-locations, and cold,"
        f" each a different item-location (both unknown to the store); {KNOWN_EVENTS:,} over"
        f" the {len(KNOWN_SKUS) * len(KNOWN_SITES)} item-locations of examples/basic; batches of"
        f" {BATCH:,}; latency over {args.latency_events} supplier acknowledgments, each to a"
        f" routed expedite. {platform.processor() or platform.machine()}, Python"
        f" {platform.python_version()}, run {datetime.now(UTC).date().isoformat()}."
    )
    header = (
        "| store | intake events/s | vs. raw driver | dispatcher alone events/s"
        " | delivery, backlog | delivery, cold | delivery, known network | p50 ms | p95 ms"
        " | targets |"
    )
    lines = [setting, "", header, "|---|---|---|---|---|---|---|---|---|---|"]
    for store, r in results.items():
        intake_rate, bare = n / r["intake_s"], n / r["bare_s"]
        rates = {"backlog": n / r["drain_s"], "cold": n / r["cold_s"],
                 "known": KNOWN_EVENTS / r["known_s"]}  # fmt: skip
        met = "no target yet"
        if store == "SQLite":
            met = "intake >= 2,000/s: " + ("met" if intake_rate >= 2000 else "missed")
            met += "; delivery >= 2,000/s: " + ", ".join(
                f"{name} {'met' if rate >= 2000 else 'missed'}" for name, rate in rates.items()
            )
            met += "; p95 <= 100 ms: " + ("met" if r["p95_ms"] <= 100 else "missed")
        delivery = " | ".join(f"{rate:,.0f} ({rate / bare:.2f}x)" for rate in rates.values())
        lines.append(
            f"| {store} | {intake_rate:,.0f} | {r['intake_s'] / floor:.1f}x slower | {bare:,.0f}"
            f" | {delivery} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {met} |"
        )
    floor_note = (
        f"The baseline inserts the same {n:,} rows with the SQLite driver alone:"
        f" {n / floor:,.0f} events/s. The ratio is Crossdock's intake time over that floor"
        " (validation of every field, the canonical JSON, the de-duplicating insert and the"
        " outbox row in the same transaction). Each delivery figure's ratio is against the"
        " dispatcher alone in the same run (the same claims and marks, no agent)."
    )
    lines += ["", floor_note]
    body = "\n".join(lines)
    print(body)
    if args.write_results:
        print(
            f"written to {write_section('bench_events', body, heading='Event intake and delivery')}"
        )


if __name__ == "__main__":
    main()
