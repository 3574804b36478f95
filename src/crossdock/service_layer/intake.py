"""Event intake: every path (REST batch, JSON-lines files, connectors) lands here.

Each event is validated against the catalogue (`crossdock.domain.events`). Valid ones are
stored once per event id, each with an outbox message in the same transaction; a
repeated id is counted as a duplicate and changes nothing; anything invalid goes to the
dead letters with the field, the value and the reason. Nothing is dropped silently and
one bad event never stops the batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crossdock.domain.events import InvalidEvent, parse_event
from crossdock.service_layer.event_ports import DeadLetter, EventStore, NewEvent

_SAMPLE = 20  # problems kept in the report


@dataclass
class IntakeReport:
    """What a batch did: read, stored, duplicates, dead letters and the first problems."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "dead_lettered": self.dead_lettered,
            "problems": self.problems,
        }


def ingest_events(
    store: EventStore,
    items: Iterable[tuple[str, str | dict[str, Any]]],
    *,
    channel: str,
    now: datetime,
) -> IntakeReport:
    """Validate and store events; `items` are (where, raw) pairs: where says which file
    line or request item it was, raw is the JSON text or the already-parsed object."""
    report = IntakeReport()
    fresh: list[NewEvent] = []
    dead: list[DeadLetter] = []
    seen: set[str] = set()
    for where, raw in items:
        report.read += 1
        text = raw if isinstance(raw, str) else json.dumps(raw, default=str)
        try:
            parsed = json.loads(raw) if isinstance(raw, str) else raw
            if not isinstance(parsed, dict):
                raise TypeError(f"expected a JSON object, got {type(parsed).__name__}")
            event = parse_event(parsed, line=_line(where), now=now)
        except InvalidEvent as error:
            dead.append(
                DeadLetter(
                    stage="intake",
                    channel=where,
                    reason=error.reason,
                    raw=text,
                    event_id=error.event_id,
                    field=error.field,
                    value=None if error.value is None else str(error.value),
                )
            )
            continue
        except (ValueError, TypeError) as error:
            dead.append(
                DeadLetter(stage="intake", channel=where, reason=f"not JSON: {error}", raw=text)
            )
            continue
        if event.event_id in seen:
            report.duplicates += 1
            continue
        seen.add(event.event_id)
        fresh.append(
            NewEvent(
                event_id=event.event_id,
                event_type=event.event_type.value,
                ordering_key=event.ordering_key,
                occurred_at=event.occurred_at,
                source=event.source,
                channel=channel,
                payload=json.dumps(event.to_json(), sort_keys=True),
            )
        )
    stored = store.accept(fresh, dead, at=now)
    report.accepted = len(stored)
    report.duplicates += len(fresh) - len(stored)
    report.dead_lettered = len(dead)
    report.problems = [
        {"where": d.channel, "event_id": d.event_id, "field": d.field, "value": d.value,
         "reason": d.reason}
        for d in dead[:_SAMPLE]
    ]  # fmt: skip
    return report


def _line(where: str) -> int | None:
    tail = where.rsplit(" line ", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else None
