"""Sustained delivery through NATS JetStream with two `crossdock worker` processes on
PostgreSQL, against the in-process dispatcher on the same database as the same-run
baseline.

    python benchmarks/bench_bus.py --postgres URL [--nats nats://127.0.0.1:4222]
        [--events 20000] [--agent-events 4000] [--latency-events 100] [--write-results]

For each mix and each way of delivering, a fresh database gets the demo-sized network of
`examples/basic` (plus two large orders) and the events, with no worker running; then
the workers start and the run is timed from the first delivery to the last (the
outbox's own `dispatched_at` stamps, so process start-up is left out):
  - transport: `transfer_shipped` events over 1,000 transfers, which no agent handles:
    what the relay, the broker, the order check and the delivered marks cost;
  - agents: `inventory_adjusted` events over the network's item-locations, which the
    balancing, replenishment and allocation agents each read the network for.
Ways: in-process with one worker, in-process with two, NATS JetStream with two.
Latency: with two workers running, one supplier acknowledgment at a time is ingested and
the clock stops when its expedite is routed (the database polled every 2 ms).
Target (issue 6): >= 5,000 events/s on PostgreSQL + NATS with two workers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench_events import _known, _late_orders
from crossdock.adapters.bus.jetstream import JetStream, JetStreamConfig
from crossdock.adapters.db.tables import outbox, recommendations
from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.service_layer.intake import ingest_events
from results_file import write_section

CROSSDOCK = Path(sys.executable).with_name("crossdock")
NOW = datetime.now(UTC)
WAYS = (("in-process", 1), ("in-process", 2), ("NATS JetStream", 2))


def _transport(n: int) -> list[dict[str, Any]]:
    return [
        {"event_id": f"TS-{i:08d}", "event_type": "transfer_shipped",
         "occurred_at": (NOW - timedelta(hours=2)).isoformat(), "source": "wms",
         "reference": f"TO-{i % 1000:06d}", "location_code": "DC1",
         "data": {"to_location_code": "BR1", "expected_arrival": "2026-12-01"}}
        for i in range(n)
    ]  # fmt: skip


@contextmanager
def _database(admin_url: str) -> Iterator[Crossdock]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"crossdock_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    wired = bootstrap(Settings(database_url=url))
    try:
        wired.migrate()
        _late_orders(wired)
        yield wired
    finally:
        wired.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _ingest(wired: Crossdock, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), 1000):
        chunk = events[start : start + 1000]
        report = ingest_events(
            wired.events, [(str(i), e) for i, e in enumerate(chunk)], channel="bench", now=NOW
        )
        assert report.accepted == len(chunk), report.problems[:3]


def _env(wired: Crossdock, bus: JetStreamConfig | None) -> dict[str, str]:
    env = {
        **os.environ,
        "CROSSDOCK_DATABASE_URL": wired.engine.url.render_as_string(hide_password=False),
        "CROSSDOCK_LOG_LEVEL": "WARNING",
    }
    if bus is not None:
        env |= {"CROSSDOCK_BUS_URL": bus.url, "CROSSDOCK_BUS_NAMESPACE": bus.namespace}
    return env


@contextmanager
def _workers(wired: Crossdock, count: int, bus: JetStreamConfig | None) -> Iterator[None]:
    command = [str(CROSSDOCK), "worker", "--no-jobs", "--poll-seconds", "0.05"]
    processes = [
        subprocess.Popen(command, env=_env(wired, bus), stdout=subprocess.DEVNULL)  # noqa: S603
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        if bus is not None:
            asyncio.run(_delete_streams(bus))


async def _delete_streams(config: JetStreamConfig) -> None:
    bus = JetStream(config)
    await bus.connect()
    await bus.delete_streams()
    await bus.close()


def _scalar(wired: Crossdock, query: Any) -> Any:
    with wired.engine.connect() as connection:
        return connection.execute(query).scalar_one()


def _throughput(admin: str, nats: str, events: list[dict[str, Any]], way: str, n: int) -> float:
    with _database(admin) as wired:
        _ingest(wired, events)
        bus = (
            None
            if way == "in-process"
            else JetStreamConfig(url=nats, namespace=f"b{uuid.uuid4().hex[:8]}")
        )
        with _workers(wired, n, bus):
            deadline = time.monotonic() + 900
            waiting = select(func.count()).where(outbox.c.dispatched_at.is_(None))
            while _scalar(wired, waiting):
                assert time.monotonic() < deadline, f"{way} x{n}: not drained in 15 minutes"
                time.sleep(0.2)
        first = _scalar(wired, select(func.min(outbox.c.dispatched_at)))
        last = _scalar(wired, select(func.max(outbox.c.dispatched_at)))
    return len(events) / max((last - first).total_seconds(), 1e-3)


def _latency(admin: str, nats: str, way: str, samples: int) -> list[float]:
    with _database(admin) as wired:
        bus = (
            None
            if way == "in-process"
            else JetStreamConfig(url=nats, namespace=f"b{uuid.uuid4().hex[:8]}")
        )
        with _workers(wired, 2, bus):
            time.sleep(8)  # let both workers start and (NATS) create the consumer
            timings = []
            for i in range(samples):
                event = {
                    "event_id": f"EDI-855-{i:06d}", "event_type": "po_acknowledged",
                    "occurred_at": (NOW - timedelta(hours=1)).isoformat(), "source": "edi",
                    "reference": "PO-5004",
                    "data": {"supplier_code": "SUP1", "lines": [
                        {"line_number": 1, "status": "changed", "promised_date": "2026-12-10"}]},
                }  # fmt: skip
                routed = select(func.count()).where(
                    recommendations.c.source_event_id == event["event_id"],
                    recommendations.c.status != "proposed",
                )
                started = time.perf_counter()
                ingest_events(wired.events, [("bench", event)], channel="bench", now=NOW)
                while not _scalar(wired, routed):
                    assert time.perf_counter() - started < 30, f"{way}: nothing routed in 30 s"
                    time.sleep(0.002)
                timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="admin URL of a PostgreSQL server")
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--agent-events", type=int, default=4_000)
    parser.add_argument("--latency-events", type=int, default=100)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    mixes = {
        "transport": _transport(args.events),
        "agents": _known(args.agent_events, now=NOW),
    }
    rates: dict[tuple[str, str, int], float] = {}
    for mix, events in mixes.items():
        for way, n in WAYS:
            rates[(mix, way, n)] = _throughput(args.postgres, args.nats, events, way, n)
            print(f"{mix:9} {way:15} x{n}: {rates[(mix, way, n)]:,.0f} events/s", flush=True)
    latency = {
        way: _latency(args.postgres, args.nats, way, args.latency_events)
        for way in ("in-process", "NATS JetStream")
    }
    setting = (
        f"PostgreSQL on 127.0.0.1 and NATS JetStream ({args.nats}) on the same 2-core machine "
        f"as the workers; transport: {args.events:,} `transfer_shipped` events no agent "
        f"handles; agents: {args.agent_events:,} `inventory_adjusted` events over 12 "
        f"item-locations that three agents read the network for. "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"run {datetime.now(UTC).date().isoformat()}."
    )
    lines = [
        setting,
        "",
        "| mix | delivery | workers | events/s | vs. in-process, 1 worker | target |",
        "|---|---|---|---|---|---|",
    ]
    for (mix, way, n), rate in rates.items():
        base = rates[(mix, "in-process", 1)]
        target = ""
        if way.startswith("NATS"):
            target = ">= 5,000/s: " + ("met" if rate >= 5000 else "missed")
        lines.append(f"| {mix} | {way} | {n} | {rate:,.0f} | {rate / base:.2f}x | {target} |")
    lines += ["", "| delivery, 2 workers | p50 ms | p95 ms |", "|---|---|---|"]
    for way, timings in latency.items():
        p95 = statistics.quantiles(timings, n=20)[-1]
        lines.append(f"| {way} | {statistics.median(timings):.1f} | {p95:.1f} |")
    body = "\n".join(lines)
    print(body)
    if args.write_results:
        written = write_section("bench_bus", body, heading="Delivery through NATS JetStream")
        print(f"written to {written}")


if __name__ == "__main__":
    main()
