"""Replay: hand an agent the stored events it never handled. An agent added later, or
run for a site added later, sees only what arrives after it; replay catches it up from
the events table, in arrival order (so in order per key). What it handles gets its
success marker as in delivery, so a second replay, or the worker, changes nothing; a
failed event is reported and the later events of its key are left for the next replay,
so a key never overtakes itself."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crossdock.service_layer.dispatching import Consumer
from crossdock.service_layer.event_ports import EventStore

_BATCH = 500


@dataclass
class ReplayReport:
    agent: str
    read: int = 0
    handled: int = 0
    failed: int = 0
    held_back: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"agent": self.agent, "read": self.read, "handled": self.handled,
                "failed": self.failed, "held_back": self.held_back,
                "problems": self.problems}  # fmt: skip


def replay(
    store: EventStore, consumer: Consumer, *, since: datetime | None, now: datetime
) -> ReplayReport:
    """Hand `consumer` every stored event of its topics it has no marker for."""
    report = ReplayReport(agent=consumer.name)
    failed_keys: set[str] = set()
    after = 0
    while batch := store.not_handled_by(consumer.name, since=since, after_id=after, limit=_BATCH):
        handled: list[tuple[str, str]] = []
        if consumer.prepare is not None:
            consumer.prepare()
        for event in batch:
            after = event.id
            if not consumer.wants(f"events.{event.event_type}"):
                continue
            report.read += 1
            if event.ordering_key in failed_keys:
                report.held_back += 1
                continue
            try:
                consumer.handle(json.loads(event.payload))
            except Exception as error:  # noqa: BLE001 - reported; the key waits for the next replay
                failed_keys.add(event.ordering_key)
                report.failed += 1
                if len(report.problems) < 20:
                    report.problems.append(
                        {"event_id": event.event_id, "reason": f"{type(error).__name__}: {error}"}
                    )
                continue
            handled.append((consumer.name, f"event:{event.event_id}"))
        store.finish(handled, [], at=now)
        report.handled += len(handled)
    return report
