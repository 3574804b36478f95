"""What the agents remember: nothing before a data version is seen, each key read once
per version, everything forgotten when the version moves, the oldest dropped beyond the
bound; and a batch prepares each agent's data once, only when it holds a message for it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from crossdock.service_layer.dispatching import Consumer, DispatchReport, deliver
from crossdock.service_layer.event_ports import EventStore, OutboxMessage
from crossdock.service_layer.remembering import Memo

NOW = datetime(2026, 11, 28, tzinfo=UTC)


class _Reads:
    def __init__(self) -> None:
        self.made: list[str] = []

    def read(self, key: str) -> str:
        self.made.append(key)
        return f"value of {key} #{len(self.made)}"


def test_nothing_is_remembered_before_a_version_is_seen():
    memo, reads = Memo(), _Reads()
    assert memo.recall("A100@BR1", lambda: reads.read("A100@BR1")) == "value of A100@BR1 #1"
    assert memo.recall("A100@BR1", lambda: reads.read("A100@BR1")) == "value of A100@BR1 #2"
    assert len(memo) == 0


def test_a_key_is_read_once_per_version_and_forgotten_when_it_moves():
    memo, reads = Memo(), _Reads()
    assert memo.see((7, "succeeded", 3)) is True
    for _ in range(3):
        assert memo.recall("A100@BR1", lambda: reads.read("A100@BR1")) == "value of A100@BR1 #1"
    assert (memo.hits, memo.misses) == (2, 1)
    assert memo.see((7, "succeeded", 3)) is False  # the same version: kept
    assert memo.recall("A100@BR1", lambda: reads.read("A100@BR1")) == "value of A100@BR1 #1"
    assert memo.see((8, "running", 3)) is True  # an import started: forgotten
    assert memo.recall("A100@BR1", lambda: reads.read("A100@BR1")) == "value of A100@BR1 #2"


def test_the_least_recently_used_goes_beyond_the_bound():
    memo, reads = Memo(entries=2), _Reads()
    memo.see(1)
    for key in ("A", "B", "A", "C"):  # A used again before C: B goes
        memo.recall(key, lambda key=key: reads.read(key))
    memo.recall("A", lambda: reads.read("A"))
    memo.recall("B", lambda: reads.read("B"))
    assert reads.made == ["A", "B", "C", "B"]
    assert len(memo) == 2


def test_a_memo_of_no_entries_reads_every_time_and_a_negative_bound_is_refused():
    memo, reads = Memo(entries=0), _Reads()
    memo.see(1)
    memo.recall("A", lambda: reads.read("A"))
    memo.recall("A", lambda: reads.read("A"))
    assert reads.made == ["A", "A"]
    with pytest.raises(ValueError, match="-1"):
        Memo(entries=-1)


class _Outbox:
    def __init__(self) -> None:
        self.finished: list[OutboxMessage] = []

    def consumed_of(self, message_ids: Sequence[str]) -> set[tuple[str, str]]:
        return set()

    def finish(self, handled: Any, delivered: Sequence[OutboxMessage], *, at: datetime) -> None:
        self.finished += delivered


def _message(n: int, topic: str) -> OutboxMessage:
    body = {"event_id": f"E{n}", "event_type": topic.removeprefix("events.")}
    return OutboxMessage(n, f"event:E{n}", topic, f"SKU-{n}@BR1", json.dumps(body), 0)


def test_a_batch_prepares_each_agents_data_once_and_only_when_it_has_work():
    prepared: list[str] = []

    def prepare_stock() -> None:
        prepared.append("stock")

    def prepare_invoices() -> None:
        prepared.append("invoices")

    handled: list[str] = []
    consumers = [
        Consumer("agent:balancing", ("events.inventory_adjusted",),
                 lambda body: handled.append(body["event_id"]), prepare_stock),
        Consumer("agent:replenishment", ("events.inventory_adjusted",),
                 lambda body: handled.append(body["event_id"]), prepare_stock),
        Consumer("agent:finance", ("events.invoice_received",), lambda body: None,
                 prepare_invoices),
    ]  # fmt: skip
    outbox = _Outbox()
    messages = [_message(1, "events.inventory_adjusted"), _message(2, "events.inventory_adjusted")]
    deliver(cast("EventStore", outbox), messages, consumers, now=NOW, max_attempts=5,
            report=DispatchReport())  # fmt: skip
    assert prepared == ["stock"]  # the two stock agents share their data; finance had none
    assert handled == ["E1", "E1", "E2", "E2"]
    assert [m.id for m in outbox.finished] == [1, 2]
