"""Delivery through a broker (NATS JetStream): what a worker does with the messages the
broker hands it, whatever the broker.

The outbox stays the record. A relay hands each outbox message to the broker once
(`claim_unpublished`, then `mark_published`); the broker spreads them over the workers
and redelivers what a dead worker never acknowledged. The broker does not know the
ordering keys, so the worker checks the outbox before it delivers: a message goes to
the agents only when every earlier message of its key is delivered or dead-lettered,
else it is parked and looked at again. A message the outbox already settled is a
repeat and is acknowledged unseen. Failures are retried with the backoff of
`dispatching` and dead-lettered after `max_attempts`; a message delivered
`max_deliveries` times without being settled (a worker died on it each time) is
dead-lettered too, so it cannot stop its key for ever.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from crossdock.service_layer.dispatching import Consumer, DispatchReport, deliver
from crossdock.service_layer.event_ports import DeadLetter, EventStore, OutboxMessage
from crossdock.service_layer.observing import NO_OBSERVER, DeliveryObserver

Verdict = Literal["ack", "nak", "dead", "park"]
_VERDICTS: dict[str, Verdict] = {"delivered": "ack", "retry": "nak", "dead": "dead", "held": "park"}


@dataclass(frozen=True, slots=True)
class Received:
    """One message as the broker delivered it; `handle` is the broker's own, opaque."""

    subject: str
    payload: bytes
    deliveries: int
    outbox_id: int | None
    message_id: str | None
    topic: str | None
    ordering_key: str | None
    handle: object = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Decision:
    """What to tell the broker: ack, nak after `delay`, dead (publish `letter` to the
    dead-letter stream, then stop redelivery) or park (keep and look again)."""

    received: Received
    verdict: Verdict
    delay: timedelta | None = None
    letter: DeadLetter | None = None


@dataclass
class Settled:
    decisions: list[Decision]
    report: DispatchReport
    repeats: int = 0
    parked: int = 0


def settle(
    store: EventStore,
    received: Sequence[Received],
    consumers: Sequence[Consumer],
    *,
    now: datetime,
    max_attempts: int = 5,
    max_deliveries: int = 20,
    observer: DeliveryObserver = NO_OBSERVER,
) -> Settled:
    """Deliver what is ready of `received` to the consumers; a decision for each."""
    report = DispatchReport(claimed=len(received))
    decisions: list[Decision] = []
    valid: list[tuple[Received, int, str]] = []
    poison: list[DeadLetter] = []
    for item in received:
        problem = _problem(item)
        if problem is None and item.outbox_id is not None and item.ordering_key is not None:
            valid.append((item, item.outbox_id, item.ordering_key))
            continue
        letter = DeadLetter(
            stage="delivery",
            channel=item.subject,
            reason=problem or "no outbox id or ordering key",
            raw=item.payload.decode("utf-8", "replace"),
            event_id=item.message_id,
            attempts=item.deliveries,
        )
        poison.append(letter)
        decisions.append(Decision(item, "dead", letter=letter))
    if poison:
        store.accept([], poison, at=now)
        report.dead_lettered += len(poison)
    pending = store.unsettled(
        [key for _, _, key in valid], up_to=max((i for _, i, _ in valid), default=0)
    )
    by_id = {item_id: item for item, item_id, _ in valid}
    ready, parked, repeats = _ready(valid, pending)
    decisions += [Decision(by_id[i], "ack") for i in repeats]
    decisions += [Decision(by_id[i], "park") for i in parked]
    attempts = {item_id: tried for _, item_id, tried in pending}
    to_deliver: list[OutboxMessage] = []
    for item_id in ready:
        item = by_id[item_id]
        message = _message(item, attempts[item_id])
        if item.deliveries > max_deliveries:
            letter = DeadLetter(
                stage="delivery",
                channel=message.topic,
                reason=f"delivered {item.deliveries} times without an answer "
                "(a worker died on it each time?)",
                raw=message.payload,
                event_id=_event_id(message.payload),
                attempts=item.deliveries,
            )
            store.give_up(message, letter, at=now)
            report.dead_lettered += 1
            decisions.append(Decision(item, "dead", letter=letter))
        else:
            to_deliver.append(message)
    for outcome in deliver(
        store,
        to_deliver,
        consumers,
        now=now,
        max_attempts=max_attempts,
        report=report,
        observer=observer,
    ):
        item = by_id[outcome.message.id]
        verdict = _VERDICTS[outcome.result]
        decisions.append(Decision(item, verdict, delay=outcome.retry_in, letter=outcome.letter))
    return Settled(
        decisions=decisions,
        report=report,
        repeats=len(repeats),
        parked=sum(1 for d in decisions if d.verdict == "park"),
    )


def _ready(
    valid: Sequence[tuple[Received, int, str]], pending: Sequence[tuple[str, int, int]]
) -> tuple[list[int], list[int], list[int]]:
    """Ids ready to deliver (oldest first), parked behind an earlier message of their
    key, and repeats of messages already settled."""
    here = {item_id for _, item_id, _ in valid}
    waiting = {item_id for _, item_id, _ in pending}
    repeats = sorted(here - waiting)
    ready: list[int] = []
    blocked: set[str] = set()
    for key, item_id, _ in pending:  # oldest first
        if key in blocked:
            continue
        if item_id in here:
            ready.append(item_id)
        else:
            blocked.add(key)  # an earlier message of the key is elsewhere
    parked = sorted(here - waiting.intersection(ready) - set(repeats))
    return ready, parked, repeats


def _problem(item: Received) -> str | None:
    if item.outbox_id is None or item.message_id is None or item.ordering_key is None:
        return "not from the outbox: no Crossdock-Outbox-Id, Nats-Msg-Id or ordering key"
    try:
        body = json.loads(item.payload)
    except (UnicodeDecodeError, ValueError) as error:
        return f"payload is not JSON: {error}"
    if not isinstance(body, dict) or "event_id" not in body:
        return "payload is not an event (a JSON object with an event_id)"
    return None


def _message(item: Received, attempts: int) -> OutboxMessage:
    return OutboxMessage(  # _problem checked the ids are there
        id=item.outbox_id or 0,
        message_id=item.message_id or "",
        topic=item.topic or "",
        ordering_key=item.ordering_key or "",
        payload=item.payload.decode(),
        attempts=attempts,
    )


def _event_id(payload: str) -> str | None:
    event_id = json.loads(payload).get("event_id")
    return None if event_id is None else str(event_id)
