"""Event intake and delivery on real databases: every path stores each event once or
dead-letters it with its reason; the outbox delivers in order per key, retries with
backoff, dead-letters what keeps failing, and never calls a consumer twice for one
message; two workers share the load without handling anything twice."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crossdock.bootstrap import Crossdock
from crossdock.service_layer.dispatching import Consumer, dispatch
from crossdock.service_layer.identity import add_person
from crossdock.service_layer.intake import ingest_events
from tests.conftest import REPO_ROOT
from tests.helpers import cli_json, run_cli

SAMPLE = REPO_ROOT / "examples" / "events" / "sample.jsonl"
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def _event(event_id: str, sku: str, quantity: float, *, minute: int = 0) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "event_type": "inventory_adjusted",
        "occurred_at": (NOW - timedelta(hours=3) + timedelta(minutes=minute)).isoformat(),
        "source": "wms",
        "location_code": "BR01",
        "sku": sku,
        "quantity": quantity,
        "reason_code": "cycle_count",
    }


def test_the_sample_file_lands_once_with_its_broken_lines_dead_lettered(crossdock: Crossdock):
    url = crossdock.engine.url.render_as_string(hide_password=False)
    add_person(crossdock.governance, username="ops", roles=["admin"], password=PASSWORD, now=NOW)
    lines = [line for line in SAMPLE.read_text().splitlines() if line.strip()]
    first = cli_json(url, "events", "ingest", str(SAMPLE), "--as", "ops")
    assert first["read"] == len(lines)
    assert first["dead_lettered"] == 3
    assert first["duplicates"] == 1
    assert first["accepted"] == len(lines) - 4
    assert {p["field"] for p in first["problems"]} >= {"occurred_at", "event_type"}
    again = cli_json(url, "events", "ingest", str(SAMPLE), "--as", "ops")
    assert again["accepted"] == 0
    assert again["duplicates"] == len(lines) - 3
    letters = cli_json(url, "events", "dead-letters", "--as", "ops", "--stage", "intake")
    assert len(letters["dead_letters"]) == 6  # the same 3 lines, refused twice
    assert all(letter["reason"] and letter["raw"] for letter in letters["dead_letters"])
    counts = cli_json(url, "events", "status")
    assert counts["events"] == len(lines) - 4
    assert counts["waiting"] == len(lines) - 4  # one outbox message per accepted event
    run_cli(url, "events", "ingest", str(SAMPLE), "--as", "ops", "--fail-on-dead-letter",
            expect=3)  # fmt: skip


def test_delivery_keeps_order_per_key_retries_then_dead_letters(crossdock: Crossdock):
    store = crossdock.events
    batch = [
        _event("A1", "SKU-1", 1, minute=1),
        _event("A2", "SKU-1", 2, minute=2),
        _event("B1", "SKU-2", 3, minute=1),
        _event("B2", "SKU-2", 4, minute=2),
    ]
    report = ingest_events(store, [(f"item {i}", e) for i, e in enumerate(batch)],
                           channel="test", now=NOW)  # fmt: skip
    assert report.accepted == 4
    seen: list[str] = []
    calls: dict[str, int] = defaultdict(int)

    def flaky(event: dict[str, Any]) -> None:
        calls[event["event_id"]] += 1
        if event["event_id"] == "A1":
            raise RuntimeError("ERP timeout")
        seen.append(event["event_id"])

    audit: list[str] = []
    consumers = [
        Consumer("auditor", ("events.*",), lambda e: audit.append(e["event_id"])),
        Consumer("balancer", ("events.inventory_adjusted",), flaky),
    ]
    now = NOW
    first = dispatch(store, consumers, now=now, max_attempts=3)
    assert first.claimed == 4  # each key's run of due messages, in arrival order
    assert seen == ["B1", "B2"]  # A1 failed, so A2 waits behind it
    assert first.retried == 1
    assert dispatch(store, consumers, now=now).claimed == 0  # A1 is backing off, A2 behind
    for _ in range(2):
        now += timedelta(minutes=11)
        dispatch(store, consumers, now=now, max_attempts=3)  # A1 again, with A2 behind it
    assert calls["A1"] == 3  # the third failure dead-letters it; A2 went on at once
    assert dispatch(store, consumers, now=now, max_attempts=3).claimed == 0
    assert audit.count("A1") == 1  # the consumer that succeeded is never called again
    letters = store.dead_letters(stage="delivery")
    assert [(d["event_id"], d["consumer"], d["attempts"]) for d in letters] == [
        ("A1", "balancer", 3)
    ]
    assert "ERP timeout" in letters[0]["reason"]
    assert seen == ["B1", "B2", "A2"]  # the key moved on after the dead letter
    assert store.event_counts()["waiting"] == 0


def test_a_claim_takes_each_keys_run_in_arrival_order(crossdock: Crossdock):
    store = crossdock.events
    batch = [_event(f"E{i}", f"SKU-{i % 2}", i + 1, minute=i) for i in range(5)]
    ingest_events(store, [(str(i), e) for i, e in enumerate(batch)], channel="t", now=NOW)
    first = store.claim(now=NOW, limit=3)  # the oldest three: a prefix of each key's run
    assert [json.loads(m.payload)["event_id"] for m in first] == ["E0", "E1", "E2"]
    assert store.claim(now=NOW, limit=10) == []  # both keys' oldest are leased: none split
    store.release(first[1:], at=NOW)  # SKU-1's E1 back; SKU-0's E0 still claimed
    again = store.claim(now=NOW, limit=10)
    assert [json.loads(m.payload)["event_id"] for m in again] == ["E1", "E3"]


def test_two_workers_share_the_load_and_handle_each_event_once(crossdock: Crossdock):
    store = crossdock.events
    batch = [_event(f"E{i}", f"SKU-{i % 7}", i + 1, minute=i) for i in range(140)]
    report = ingest_events(store, [(str(i), e) for i, e in enumerate(batch)], channel="t", now=NOW)
    assert report.accepted == len(batch)
    handled: list[tuple[str, str, float]] = []
    lock = threading.Lock()

    def record(event: dict[str, Any]) -> None:
        with lock:
            handled.append((event["event_id"], event["sku"], float(event["quantity"])))

    consumers = [Consumer("recorder", ("events.*",), record)]
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        for _ in range(60):
            if (
                dispatch(store, consumers, now=NOW, limit=10).claimed == 0
                and not (store.event_counts()["waiting"])
            ):
                return

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [event_id for event_id, _, _ in handled]
    assert sorted(ids) == sorted(e["event_id"] for e in batch)  # each once, none lost
    by_sku: dict[str, list[float]] = defaultdict(list)
    for _, sku, quantity in handled:
        by_sku[sku].append(quantity)
    assert all(q == sorted(q) for q in by_sku.values())  # in order per item-location


@pytest.mark.parametrize("bad", ["not json", "[1, 2]", json.dumps({"event_id": "X"})])
def test_anything_unreadable_is_dead_lettered_not_dropped(crossdock: Crossdock, bad: str):
    report = ingest_events(crossdock.events, [("line 1", bad)], channel="t", now=NOW)
    assert (report.accepted, report.dead_lettered) == (0, 1)
    (letter,) = crossdock.events.dead_letters()
    assert letter["raw"] == bad
