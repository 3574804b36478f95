"""What event intake and delivery need from storage: accept events with their outbox
messages in one transaction, keep dead letters, and hand out messages in order per key.
The SQL store in `adapters/db/event_store.py` implements it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event that passed validation, as it will be stored and announced."""

    event_id: str
    event_type: str
    ordering_key: str
    occurred_at: datetime
    source: str
    channel: str
    payload: str  # canonical JSON


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """Something that could not be accepted or delivered, and why."""

    stage: str  # intake or delivery
    channel: str  # file and line, api, or the topic for delivery
    reason: str
    raw: str
    event_id: str | None = None
    consumer: str | None = None
    field: str | None = None
    value: str | None = None
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message waiting for delivery."""

    id: int
    message_id: str
    topic: str
    ordering_key: str
    payload: str
    attempts: int


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An accepted event as stored, in arrival order (`id`)."""

    id: int
    event_id: str
    event_type: str
    ordering_key: str
    payload: str


class EventStore(Protocol):
    def accept(
        self, events: Sequence[NewEvent], dead: Sequence[DeadLetter], *, at: datetime
    ) -> list[str]:
        """Store new events and one outbox message each, and the dead letters, in one
        transaction; an event id already stored is skipped. Returns the ids stored."""
        ...

    def claim(self, *, now: datetime, limit: int) -> list[OutboxMessage]:
        """Up to `limit` due messages, in arrival order: for each key whose oldest
        undelivered message is due, that message and those after it up to the first
        one not due. A key is claimed by one worker at a time."""
        ...

    def release(self, messages: Sequence[OutboxMessage], *, at: datetime) -> None:
        """Give claimed messages back undelivered (held behind a failure of their key),
        due again at `at`."""
        ...

    def retry_later(self, message: OutboxMessage, *, error: str, retry_at: datetime) -> None: ...

    def give_up(self, message: OutboxMessage, letter: DeadLetter, *, at: datetime) -> None:
        """Dead-letter a message and release its key, in one transaction."""
        ...

    def consumed_of(self, message_ids: Sequence[str]) -> set[tuple[str, str]]:
        """(consumer, message id) pairs already handled among `message_ids`."""
        ...

    def finish(
        self,
        handled: Sequence[tuple[str, str]],
        delivered: Sequence[OutboxMessage],
        *,
        at: datetime,
    ) -> None:
        """Record the consumers' successes and mark the messages delivered, at once."""
        ...

    def dead_letters(
        self, *, stage: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]: ...

    def event_counts(self) -> dict[str, int]:
        """Events stored, outbox messages waiting, dead letters by stage."""
        ...

    def not_handled_by(
        self, consumer: str, *, since: datetime | None, after_id: int, limit: int
    ) -> list[StoredEvent]:
        """Stored events after `after_id` (received since `since`) that `consumer` has no
        success marker for, oldest first."""
        ...

    def agent_activity(self, *, recent: int = 1_000) -> list[dict[str, Any]]:
        """Per agent: events handled, the last time, the lag from intake to handling
        (p50 and p95 seconds over its `recent` latest events) and its dead letters."""
        ...

    # --- a broker between the outbox and the workers (NATS JetStream) ---------------

    def claim_unpublished(
        self, *, now: datetime, limit: int, lease: timedelta = ...
    ) -> list[OutboxMessage]:
        """Oldest messages not yet handed to the broker, claimed for this relay until the
        lease ends (a relay that dies leaves them to the next)."""
        ...

    def mark_published(self, ids: Sequence[int], *, at: datetime) -> None: ...

    def unsettled(self, keys: Sequence[str], *, up_to: int) -> list[tuple[str, int, int]]:
        """(ordering key, outbox id, attempts) of the messages of `keys` up to id `up_to`
        that are neither delivered nor dead-lettered, oldest first."""
        ...
