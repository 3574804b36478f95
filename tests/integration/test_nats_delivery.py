"""Delivery through NATS JetStream on PostgreSQL: events reach the agents through the
broker; two workers share the load and keep the order per item-location; a poison
message and a consumer that always fails land in the dead-letter stream with their
reason; a worker killed with SIGKILL mid-stream and a broker restart lose no event and
duplicate no recommendation."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crossdock.adapters.bus.jetstream import JetStream, JetStreamConfig
from crossdock.adapters.bus.worker import BrokeredWorker
from crossdock.adapters.db.tables import consumed, dead_letters, outbox, recommendations
from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.service_layer.dispatching import Consumer
from crossdock.service_layer.intake import ingest_events
from tests.helpers import CROSSDOCK, cli_json, run_cli
from tests.integration.broker_fixtures import NatsServer
from tests.integration.test_procurement_agent import LATE, _network


def _setup(database_url: str, tmp_path: Path) -> Crossdock:
    run_cli(database_url, "init")
    assert (
        cli_json(database_url, "import", str(_network(tmp_path)))["totals"]["rows_quarantined"] == 0
    )
    return bootstrap(Settings(database_url=database_url))


def _acknowledgments(n: int, *, start: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """`n` acknowledgments that each move PO-5004 line 1 late: one expedite each."""
    return [
        (f"test {i}", {**LATE, "event_id": f"EDI-855-{i:06d}"}) for i in range(start, start + n)
    ]


def _ingest(wired: Crossdock, items: list[tuple[str, dict[str, Any]]]) -> None:
    report = ingest_events(wired.events, items, channel="test", now=datetime.now(UTC))
    assert report.accepted == len(items)


def _env(database_url: str, config: JetStreamConfig) -> dict[str, str]:
    return {
        **os.environ,
        "CROSSDOCK_DATABASE_URL": database_url,
        "CROSSDOCK_BUS_URL": config.url,
        "CROSSDOCK_BUS_NAMESPACE": config.namespace,
        "CROSSDOCK_BUS_ACK_WAIT_SECONDS": str(config.ack_wait_seconds),
    }


def _count(wired: Crossdock, query: Any) -> int:
    with wired.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _proposals(wired: Crossdock) -> int:
    return _count(
        wired,
        select(func.count()).where(recommendations.c.agent == "agent:procurement"),
    )


def _waiting(wired: Crossdock) -> int:
    return _count(wired, select(func.count()).where(outbox.c.dispatched_at.is_(None)))


def _wait_for(check: Any, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        time.sleep(0.05)


def test_events_reach_the_agents_through_jetstream(
    postgres_url: str, bus_config: JetStreamConfig, tmp_path: Path
):
    wired = _setup(postgres_url, tmp_path)
    _ingest(wired, _acknowledgments(3))
    done = subprocess.run(
        [str(CROSSDOCK), "worker", "--once", "--poll-seconds", "0.2", "--json"],
        env=_env(postgres_url, bus_config),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["broker"]["published"] == 3
    assert report["dispatch"]["by_consumer"] == {"agent:procurement": 3}
    assert report["routing"]["by_status"] == {"pending_approval": 3}
    assert _proposals(wired) == 3
    assert _waiting(wired) == 0
    stream = asyncio.run(_stream_messages(bus_config, bus_config.events_stream))
    assert stream == 3  # each outbox message published once
    wired.engine.dispose()


async def _stream_messages(config: JetStreamConfig, stream: str) -> int:
    bus = JetStream(config)
    await bus.connect()
    try:
        info = await bus._jetstream().stream_info(stream)
        return int(info.state.messages)
    finally:
        await bus.close()


class _Recorder:
    """A consumer that writes down what it saw, in order, and can be told to fail."""

    def __init__(self, *, fail_on: str | None = None) -> None:
        self.seen: list[tuple[str, str]] = []
        self.fail_on = fail_on

    def handle(self, event: Mapping[str, Any]) -> None:
        if event["event_id"] == self.fail_on:
            raise RuntimeError(f"cannot handle {event['event_id']}")
        self.seen.append((f"{event['sku']}@{event['location_code']}", event["event_id"]))


def _adjustments(keys: int, per_key: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            f"adj {k}/{n}",
            {
                "event_id": f"ADJ-{k:02d}-{n:04d}",
                "event_type": "inventory_adjusted",
                "occurred_at": "2026-11-24T07:48:20Z",
                "source": "wms",
                "sku": f"SKU-{k:02d}",
                "location_code": "DC1",
                "quantity": 1,
                "reason_code": "CC",
            },
        )
        for n in range(per_key)
        for k in range(keys)
    ]


async def _drain(workers: list[BrokeredWorker], *, idle_rounds: int = 3) -> None:
    async def run(worker: BrokeredWorker) -> None:
        idle = 0
        while idle < idle_rounds:
            step = await worker.step()
            idle = idle + 1 if step.idle else 0

    await asyncio.gather(*(run(w) for w in workers))


def test_two_workers_share_the_stream_and_keep_the_order_per_key(
    postgres_url: str, bus_config: JetStreamConfig
):
    wired = bootstrap(Settings(database_url=postgres_url))
    wired.migrate()
    items = _adjustments(keys=6, per_key=40)
    _ingest(wired, items)
    recorders = [_Recorder(), _Recorder()]

    async def scenario() -> None:
        buses = [JetStream(bus_config), JetStream(bus_config)]
        for bus in buses:
            await bus.connect()
        workers = [
            BrokeredWorker(bus, wired.events, [Consumer("test:recorder", ("events.*",), r.handle)],
                           batch=16, fetch_timeout=0.2)
            for bus, r in zip(buses, recorders, strict=True)
        ]  # fmt: skip
        await _drain(workers)
        for bus in buses:
            await bus.close()

    asyncio.run(scenario())
    seen = recorders[0].seen + recorders[1].seen
    assert sorted(e for _, e in seen) == sorted(str(i["event_id"]) for _, i in items)  # once each
    assert all(r.seen for r in recorders), "both workers took a share"
    for worker_seen in recorders:  # each worker sees a key's events in the order they came
        for key in {k for k, _ in worker_seen.seen}:
            mine = [e for k, e in worker_seen.seen if k == key]
            assert mine == sorted(mine)
    # across workers: the delivered marks follow the outbox order within each key
    with wired.engine.connect() as connection:
        rows = connection.execute(
            select(outbox.c.ordering_key, outbox.c.id, consumed.c.at)
            .join(consumed, consumed.c.message_id == outbox.c.message_id)
            .order_by(outbox.c.id)
        ).all()
    assert len(rows) == len(items)
    by_key: dict[str, list[datetime]] = {}
    for row in rows:
        by_key.setdefault(row.ordering_key, []).append(row.at)
    assert all(times == sorted(times) for times in by_key.values())
    assert _waiting(wired) == 0
    wired.engine.dispose()


def test_poison_and_failing_messages_land_in_the_dead_letter_stream_with_their_reason(
    postgres_url: str, bus_config: JetStreamConfig
):
    wired = bootstrap(Settings(database_url=postgres_url))
    wired.migrate()
    items = _adjustments(keys=1, per_key=3)
    _ingest(wired, items)
    recorder = _Recorder(fail_on="ADJ-00-0001")  # the second of its key always fails

    async def scenario() -> list[tuple[dict[str, str], bytes]]:
        bus = JetStream(bus_config)
        await bus.connect()
        js = bus._jetstream()
        await js.publish(bus_config.subject("events.inventory_adjusted"), b"{not json")
        worker = BrokeredWorker(
            bus,
            wired.events,
            [Consumer("test:recorder", ("events.*",), recorder.handle)],
            fetch_timeout=0.2,
            max_attempts=2,
        )
        deadline = time.monotonic() + 30
        while _waiting(wired) and time.monotonic() < deadline:
            await worker.step()
        letters = await bus.dead_letters()
        await bus.close()
        return letters

    letters = asyncio.run(scenario())
    reasons = {headers["Crossdock-Reason"]: payload for headers, payload in letters}
    assert len(letters) == 2
    poison = next(r for r in reasons if r.startswith("not from the outbox"))
    assert reasons[poison] == b"{not json"
    failed = next(h for h, _ in letters if h["Crossdock-Consumer"] == "test:recorder")
    assert failed["Crossdock-Reason"] == "RuntimeError: cannot handle ADJ-00-0001"
    assert failed["Crossdock-Event-Id"] == "ADJ-00-0001"
    assert failed["Crossdock-Attempts"] == "2"
    # the key moved on: the third event was delivered after the second was given up
    assert [e for _, e in recorder.seen] == ["ADJ-00-0000", "ADJ-00-0002"]
    # and the database keeps both with the same reasons
    with wired.engine.connect() as connection:
        stored = connection.execute(select(dead_letters.c.reason, dead_letters.c.consumer)).all()
    assert sorted(r.consumer or "" for r in stored) == ["", "test:recorder"]
    wired.engine.dispose()


@pytest.mark.slow
def test_a_worker_killed_mid_stream_loses_nothing_and_duplicates_nothing(
    postgres_url: str, bus_config: JetStreamConfig, tmp_path: Path
):
    wired = _setup(postgres_url, tmp_path)
    total = 400
    _ingest(wired, _acknowledgments(total))
    env = _env(postgres_url, bus_config)
    command = [str(CROSSDOCK), "worker", "--no-jobs", "--poll-seconds", "0.2"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_for(lambda: _proposals(wired) >= 20, seconds=60, what="the first proposals")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    done_at_kill = _proposals(wired)
    assert done_at_kill < total, "the worker finished before it could be killed"

    others = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        _wait_for(lambda: _waiting(wired) == 0, seconds=120, what="every event delivered")
    finally:
        for process in others:
            process.terminate()
            process.wait(timeout=10)
    assert _proposals(wired) == total  # one expedite per acknowledgment: none lost
    keys = _count(wired, select(func.count(func.distinct(recommendations.c.idempotency_key))))
    assert keys == _count(wired, select(func.count()).select_from(recommendations))
    assert _count(wired, select(func.count()).select_from(dead_letters)) == 0
    assert _count(wired, select(func.count()).select_from(consumed)) == total
    wired.engine.dispose()


@pytest.mark.slow
def test_a_broker_restart_loses_nothing(
    postgres_url: str, private_nats: NatsServer, tmp_path: Path
):
    wired = _setup(postgres_url, tmp_path)
    config = JetStreamConfig(url=private_nats.url, namespace="restart", ack_wait_seconds=3.0)
    env = _env(postgres_url, config)
    _ingest(wired, _acknowledgments(100))
    worker = subprocess.Popen(
        [str(CROSSDOCK), "worker", "--no-jobs", "--poll-seconds", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(lambda: _proposals(wired) == 100, seconds=60, what="the first 100")
        private_nats.stop()
        _ingest(wired, _acknowledgments(100, start=100))  # intake needs no broker
        time.sleep(2)  # the worker keeps trying while the broker is down
        assert worker.poll() is None, "the worker died with the broker"
        assert _proposals(wired) == 100
        private_nats.start()  # same port, same store
        _wait_for(lambda: _waiting(wired) == 0, seconds=90, what="the rest after the restart")
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    assert _proposals(wired) == 200
    assert _count(wired, select(func.count()).select_from(dead_letters)) == 0
    wired.engine.dispose()
