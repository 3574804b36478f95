"""Delivering outbox messages to the consumers that subscribe to their topic.

At least once, in order per ordering key: a message is handed out only when every
earlier message with the same key has been delivered or dead-lettered. A consumer that
raises is retried with exponential backoff; after `max_attempts` the message goes to the
dead letters with the consumer and the error, and its key moves on. A consumer that
already handled a message (recorded per consumer and message id) is not called again,
so redelivery after a crash changes nothing it already did (markers are written per
claim, so consumers must also be idempotent on the event id).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from crossdock.service_layer.event_ports import DeadLetter, EventStore, OutboxMessage
from crossdock.service_layer.observing import NO_OBSERVER, DeliveryObserver

Handler = Callable[[Mapping[str, Any]], None]


@dataclass(frozen=True, slots=True)
class Consumer:
    """A named handler and the topics it reacts to (`events.po_acknowledged`, ...);
    a topic ending in `*` matches by prefix. `prepare`, when given, runs once before
    each batch that holds a message for it (an agent looks whether its data moved)."""

    name: str
    topics: tuple[str, ...]
    handle: Handler
    prepare: Callable[[], None] | None = None

    def wants(self, topic: str) -> bool:
        return any(topic.startswith(t[:-1]) if t.endswith("*") else topic == t for t in self.topics)


@dataclass
class DispatchReport:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead_lettered: int = 0
    by_consumer: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "claimed": self.claimed,
            "delivered": self.delivered,
            "retried": self.retried,
            "dead_lettered": self.dead_lettered,
            "by_consumer": self.by_consumer,
        }


def backoff(attempt: int, *, base: timedelta = timedelta(seconds=2)) -> timedelta:
    """2 s, 4 s, 8 s, ... capped at 10 minutes."""
    doublings = min(max(attempt - 1, 0), 20)
    return min(base * (1 << doublings), timedelta(minutes=10))


def dispatch(
    store: EventStore,
    consumers: Sequence[Consumer],
    *,
    now: datetime,
    limit: int = 500,
    max_attempts: int = 5,
    observer: DeliveryObserver = NO_OBSERVER,
) -> DispatchReport:
    """Deliver what is due once; call again (a worker loops) for what follows.

    The consumers' success markers and the delivered marks of one claim are written in
    one transaction after the claim is worked through; a crash before it delivers those
    messages again, and the consumers (idempotent on the event id) change nothing.
    """
    report = DispatchReport()
    messages = store.claim(now=now, limit=limit)
    report.claimed = len(messages)
    outcomes = deliver(
        store,
        messages,
        consumers,
        now=now,
        max_attempts=max_attempts,
        report=report,
        observer=observer,
    )
    # held behind a failure of their key: due again now, claimed after it gets through
    store.release([o.message for o in outcomes if o.result == "held"], at=now)
    return report


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one message: delivered; to retry after `retry_in` (the error is
    recorded); dead-lettered (`letter`); or held back because an earlier message of its
    key did not get through in this batch."""

    message: OutboxMessage
    result: Literal["delivered", "retry", "dead", "held"]
    retry_in: timedelta | None = None
    letter: DeadLetter | None = None


def deliver(
    store: EventStore,
    messages: Sequence[OutboxMessage],
    consumers: Sequence[Consumer],
    *,
    now: datetime,
    max_attempts: int,
    report: DispatchReport,
    observer: DeliveryObserver = NO_OBSERVER,
) -> list[Outcome]:
    """Hand `messages` (in order) to the consumers that want them; record retries and
    dead letters as they happen and the successes in one transaction at the end.

    Within the batch, a message whose key already had a failure is held back, so a key
    never overtakes itself."""
    done = store.consumed_of([message.message_id for message in messages])
    prepares = {
        c.prepare for c in consumers if c.prepare and any(c.wants(m.topic) for m in messages)
    }
    for prepare in prepares:  # consumers over the same data share one
        prepare()
    handled: list[tuple[str, str]] = []
    blocked: set[str] = set()
    outcomes: list[Outcome] = []
    for message in messages:
        if message.ordering_key in blocked:
            outcomes.append(Outcome(message, "held"))
            continue
        outcome = _deliver(
            store,
            message,
            consumers,
            done=done,
            handled=handled,
            now=now,
            max_attempts=max_attempts,
            report=report,
            observer=observer,
        )
        if outcome.result == "retry":
            blocked.add(message.ordering_key)
        outcomes.append(outcome)
    delivered = [o.message for o in outcomes if o.result == "delivered"]
    store.finish(handled, delivered, at=now)
    report.delivered += len(delivered)
    return outcomes


def _deliver(
    store: EventStore,
    message: OutboxMessage,
    consumers: Sequence[Consumer],
    *,
    done: set[tuple[str, str]],
    handled: list[tuple[str, str]],
    now: datetime,
    max_attempts: int,
    report: DispatchReport,
    observer: DeliveryObserver,
) -> Outcome:
    body = json.loads(message.payload)
    for consumer in consumers:
        key = (consumer.name, message.message_id)
        if not consumer.wants(message.topic) or key in done:
            continue
        started = time.perf_counter()
        try:
            consumer.handle(body)
        except Exception as error:  # noqa: BLE001 - any consumer failure is retried, then dead-lettered
            reason = f"{type(error).__name__}: {error}"
            attempt = message.attempts + 1
            observer.failed(consumer.name, message, reason, dead=attempt >= max_attempts)
            if attempt >= max_attempts:
                letter = DeadLetter(
                    stage="delivery",
                    channel=message.topic,
                    reason=reason,
                    raw=message.payload,
                    event_id=body.get("event_id"),
                    consumer=consumer.name,
                    attempts=attempt,
                )
                store.give_up(message, letter, at=now)
                report.dead_lettered += 1
                return Outcome(message, "dead", letter=letter)
            wait = backoff(attempt)
            store.retry_later(message, error=reason, retry_at=now + wait)
            report.retried += 1
            return Outcome(message, "retry", retry_in=wait)
        observer.handled(consumer.name, message, time.perf_counter() - started)
        handled.append(key)
        report.by_consumer[consumer.name] = report.by_consumer.get(consumer.name, 0) + 1
    return Outcome(message, "delivered")
