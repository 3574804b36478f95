"""Replay over a fake store: in arrival order, only the agent's topics, a failure holds
back the later events of its key and nothing else, and markers are written."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from crossdock.service_layer.dispatching import Consumer
from crossdock.service_layer.event_ports import EventStore, StoredEvent
from crossdock.service_layer.replaying import replay

NOW = datetime(2026, 11, 28, tzinfo=UTC)


class _Store:
    def __init__(self, events: list[StoredEvent]) -> None:
        self.events = events
        self.marked: list[tuple[str, str]] = []

    def not_handled_by(
        self, consumer: str, *, since: datetime | None, after_id: int, limit: int
    ) -> list[StoredEvent]:
        done = {m for c, m in self.marked if c == consumer}
        return [e for e in self.events if e.id > after_id and f"event:{e.event_id}" not in done][
            :limit
        ]

    def finish(
        self, handled: Sequence[tuple[str, str]], delivered: Sequence[Any], *, at: datetime
    ) -> None:
        self.marked += handled


def _event(n: int, kind: str, key: str) -> StoredEvent:
    body = {"event_id": f"E{n}", "event_type": kind}
    return StoredEvent(n, f"E{n}", kind, key, json.dumps(body))


def test_replay_keeps_order_per_key_and_holds_back_after_a_failure():
    store = _Store([
        _event(1, "po_changed", "PO-1"), _event(2, "order_held", "SO-1"),
        _event(3, "po_changed", "PO-2"), _event(4, "po_changed", "PO-1"),
        _event(5, "po_changed", "PO-2"),
    ])  # fmt: skip
    seen: list[str] = []

    def handle(event: Mapping[str, Any]) -> None:
        if event["event_id"] == "E3":
            raise ValueError("PO-2 is not known")
        seen.append(event["event_id"])

    consumer = Consumer("agent:test", ("events.po_changed",), handle)
    report = replay(cast("EventStore", store), consumer, since=None, now=NOW)
    assert seen == ["E1", "E4"]  # E2 is not its topic; E5 waits behind E3
    assert (report.read, report.handled, report.failed, report.held_back) == (4, 2, 1, 1)
    assert report.problems == [{"event_id": "E3", "reason": "ValueError: PO-2 is not known"}]
    assert store.marked == [("agent:test", "event:E1"), ("agent:test", "event:E4")]
    again = replay(cast("EventStore", store), consumer, since=None, now=NOW)
    assert (again.read, again.handled, again.failed, again.held_back) == (2, 0, 1, 1)
