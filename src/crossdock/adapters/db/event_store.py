"""The SQL event store: accepted events and their outbox messages in one transaction,
dead letters, and delivery in order per key. On PostgreSQL several workers can claim
messages at once (`FOR UPDATE SKIP LOCKED`); SQLite has one writer anyway.

Deliveries and dead letters are audited: `finish` appends one `handled` entry per
consumer, `give_up` (and a broker's poison messages through `accept`) one
`dead_lettered` entry, each in the transaction of the change, after its own writes
(`audit_chain` explains the lock order)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from crossdock.adapters.db.audit_chain import append_entries
from crossdock.adapters.db.tables import consumed, dead_letters, inbound_events, outbox
from crossdock.governance.ledger import EntryDraft
from crossdock.service_layer.event_ports import DeadLetter, NewEvent, OutboxMessage, StoredEvent

_BATCH = 1_000


class SqlEventStore:
    """`EventStore` over SQLAlchemy; the same code on SQLite and PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _insert(self, table: Any) -> postgresql.Insert | sqlite.Insert:
        return _dialect_insert(self.engine.dialect.name, table)

    def accept(
        self, events: Sequence[NewEvent], dead: Sequence[DeadLetter], *, at: datetime
    ) -> list[str]:
        with self.engine.begin() as connection:
            stored = insert_events(connection, events, at=at)
            if dead:
                connection.execute(insert(dead_letters), [_letter_row(d, at) for d in dead])
                # a broker worker's poison messages; intake's rejects are not deliveries
                append_entries(
                    connection,
                    [_dead_lettered(d, at=at) for d in dead if d.stage == "delivery"],
                )
        return stored

    def claim(
        self, *, now: datetime, limit: int, lease: timedelta = timedelta(minutes=1)
    ) -> list[OutboxMessage]:
        # One statement claims, for each key whose oldest undelivered message is due, that
        # run of its messages up to the first one not due, until the lease ends. On
        # PostgreSQL the keys' oldest messages are locked first (`FOR UPDATE SKIP
        # LOCKED`): a second worker skips them, or finds them leased once the first
        # commits, so two workers never split a key. SQLite runs one writer at a time. A
        # worker that dies leaves its claim to expire, and the run is delivered again.
        token = uuid.uuid4().hex
        oldest = (
            select(func.min(outbox.c.id))
            .where(outbox.c.dispatched_at.is_(None))
            .group_by(outbox.c.ordering_key)
        )
        heads = (
            select(outbox.c.ordering_key)
            .where(
                outbox.c.id.in_(oldest),
                outbox.c.dispatched_at.is_(None),
                outbox.c.available_at <= now,
            )
            .order_by(outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("heads")
        )
        keys = select(heads.c.ordering_key)
        blocked = (  # per key, its first waiting message not due (a retry backing off)
            select(outbox.c.ordering_key, func.min(outbox.c.id).label("first"))
            .where(
                outbox.c.ordering_key.in_(keys),
                outbox.c.dispatched_at.is_(None),
                outbox.c.available_at > now,
            )
            .group_by(outbox.c.ordering_key)
            .subquery("blocked")
        )
        runs = (
            select(outbox.c.id)
            .outerjoin(blocked, blocked.c.ordering_key == outbox.c.ordering_key)
            .where(
                outbox.c.ordering_key.in_(keys),
                outbox.c.dispatched_at.is_(None),
                outbox.c.available_at <= now,
                or_(blocked.c.first.is_(None), outbox.c.id < blocked.c.first),
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        with self.engine.begin() as connection:
            connection.execute(
                update(outbox)
                .where(outbox.c.id.in_(runs.scalar_subquery()), outbox.c.available_at <= now)
                .values(claimed_by=token, available_at=now + lease)
            )
            rows = connection.execute(
                select(outbox)
                .where(outbox.c.claimed_by == token, outbox.c.dispatched_at.is_(None))
                .order_by(outbox.c.id)
            ).all()
        return [_message(row) for row in rows]

    def release(self, messages: Sequence[OutboxMessage], *, at: datetime) -> None:
        if not messages:
            return
        with self.engine.begin() as connection:
            connection.execute(
                update(outbox)
                .where(outbox.c.id.in_([m.id for m in messages]), outbox.c.dispatched_at.is_(None))
                .values(available_at=at)
            )

    def claim_unpublished(
        self, *, now: datetime, limit: int, lease: timedelta = timedelta(seconds=30)
    ) -> list[OutboxMessage]:
        # A lease like `claim`'s, over every unpublished message whatever its key: the
        # broker carries them all, and the workers keep the order per key.
        token = uuid.uuid4().hex
        due = (
            select(outbox.c.id)
            .where(
                outbox.c.published_at.is_(None),
                outbox.c.dispatched_at.is_(None),
                outbox.c.available_at <= now,
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        with self.engine.begin() as connection:
            connection.execute(
                update(outbox)
                .where(outbox.c.id.in_(due.scalar_subquery()), outbox.c.available_at <= now)
                .values(claimed_by=token, available_at=now + lease)
            )
            rows = connection.execute(
                select(outbox)
                .where(outbox.c.claimed_by == token, outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
            ).all()
        return [_message(row) for row in rows]

    def mark_published(self, ids: Sequence[int], *, at: datetime) -> None:
        if not ids:
            return
        with self.engine.begin() as connection:
            connection.execute(
                update(outbox).where(outbox.c.id.in_(list(ids))).values(published_at=at)
            )

    def unsettled(self, keys: Sequence[str], *, up_to: int) -> list[tuple[str, int, int]]:
        if not keys:
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(outbox.c.ordering_key, outbox.c.id, outbox.c.attempts)
                .where(
                    outbox.c.ordering_key.in_(sorted(set(keys))),
                    outbox.c.id <= up_to,
                    outbox.c.dispatched_at.is_(None),
                )
                .order_by(outbox.c.id)
            ).all()
        return [(row.ordering_key, int(row.id), int(row.attempts)) for row in rows]

    def retry_later(self, message: OutboxMessage, *, error: str, retry_at: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(outbox)
                .where(outbox.c.id == message.id)
                .values(attempts=outbox.c.attempts + 1, last_error=error, available_at=retry_at)
            )

    def give_up(self, message: OutboxMessage, letter: DeadLetter, *, at: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(dead_letters).values(**_letter_row(letter, at)))
            connection.execute(
                update(outbox)
                .where(outbox.c.id == message.id)
                .values(dispatched_at=at, attempts=outbox.c.attempts + 1, last_error=letter.reason)
            )
            append_entries(
                connection,
                [_dead_lettered(letter, at=at, message_id=message.message_id, topic=message.topic)],
            )

    def consumed_of(self, message_ids: Sequence[str]) -> set[tuple[str, str]]:
        if not message_ids:
            return set()
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(consumed.c.consumer, consumed.c.message_id).where(
                    consumed.c.message_id.in_(list(message_ids))
                )
            ).all()
        return {(row.consumer, row.message_id) for row in rows}

    def finish(
        self,
        handled: Sequence[tuple[str, str]],
        delivered: Sequence[OutboxMessage],
        *,
        at: datetime,
    ) -> None:
        if not handled and not delivered:
            return
        fresh: set[tuple[str, str]] = set()
        with self.engine.begin() as connection:
            if handled:
                fresh = {
                    (row.consumer, row.message_id)
                    for row in connection.execute(
                        self._insert(consumed)
                        .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
                        .returning(consumed.c.consumer, consumed.c.message_id),
                        [{"consumer": c, "message_id": m, "at": at} for c, m in handled],
                    )
                }
            if delivered:
                connection.execute(
                    update(outbox)
                    .where(
                        outbox.c.id.in_([message.id for message in delivered]),
                        outbox.c.dispatched_at.is_(None),
                    )
                    .values(dispatched_at=at, attempts=outbox.c.attempts + 1, last_error=None)
                )
            # last, so the head is the last lock taken; only markers written now get an
            # entry (a consumer that handled the message before is in the ledger already)
            append_entries(connection, _handled([p for p in handled if p in fresh], at=at))

    def dead_letters(self, *, stage: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(dead_letters).order_by(dead_letters.c.id).limit(limit)
        if stage is not None:
            query = query.where(dead_letters.c.stage == stage)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def not_handled_by(
        self, consumer: str, *, since: datetime | None, after_id: int, limit: int
    ) -> list[StoredEvent]:
        handled = select(consumed.c.message_id).where(
            consumed.c.consumer == consumer,
            consumed.c.message_id == "event:" + inbound_events.c.event_id,
        )
        query = (
            select(inbound_events)
            .where(inbound_events.c.id > after_id, ~handled.exists())
            .order_by(inbound_events.c.id)
            .limit(limit)
        )
        if since is not None:
            query = query.where(inbound_events.c.received_at >= since)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            StoredEvent(
                id=int(row.id),
                event_id=row.event_id,
                event_type=row.event_type,
                ordering_key=row.ordering_key,
                payload=row.payload,
            )
            for row in rows
        ]

    def agent_activity(self, *, recent: int = 1_000) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            totals = connection.execute(
                select(consumed.c.consumer, func.count(), func.max(consumed.c.at)).group_by(
                    consumed.c.consumer
                )
            ).all()
            dead: dict[str, int] = dict(
                connection.execute(
                    select(dead_letters.c.consumer, func.count())
                    .where(dead_letters.c.consumer.is_not(None))
                    .group_by(dead_letters.c.consumer)
                ).all()
            )
            out = []
            for consumer, handled, last in totals:
                lags = [
                    _seconds(row.at, row.received_at)
                    for row in connection.execute(
                        select(consumed.c.at, inbound_events.c.received_at)
                        .join(
                            inbound_events,
                            consumed.c.message_id == "event:" + inbound_events.c.event_id,
                        )
                        .where(consumed.c.consumer == consumer)
                        .order_by(consumed.c.at.desc())
                        .limit(recent)
                    )
                ]
                out.append(
                    {
                        "agent": consumer,
                        "handled": int(handled),
                        "last_handled_at": last,
                        "lag_p50_s": _percentile(lags, 0.5),
                        "lag_p95_s": _percentile(lags, 0.95),
                        "dead_letters": int(dead.pop(consumer, 0)),
                    }
                )
            out += [
                {"agent": consumer, "handled": 0, "last_handled_at": None, "lag_p50_s": None,
                 "lag_p95_s": None, "dead_letters": int(n)}
                for consumer, n in dead.items()
            ]  # fmt: skip
        return sorted(out, key=lambda row: row["agent"])

    def event_counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            events = connection.execute(select(func.count()).select_from(inbound_events))
            waiting = connection.execute(
                select(func.count()).where(outbox.c.dispatched_at.is_(None))
            )
            counts = {"events": events.scalar_one(), "waiting": waiting.scalar_one()}
            for stage, n in connection.execute(
                select(dead_letters.c.stage, func.count()).group_by(dead_letters.c.stage)
            ):
                counts[f"dead_letters_{stage}"] = int(n)
        return counts


def _percentile(values: Sequence[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def _seconds(later: datetime, earlier: datetime) -> float:
    # SQLite hands back naive datetimes for the same UTC instants
    if (later.tzinfo is None) != (earlier.tzinfo is None):
        later, earlier = later.replace(tzinfo=None), earlier.replace(tzinfo=None)
    return (later - earlier).total_seconds()


def _message(row: Any) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        message_id=row.message_id,
        topic=row.topic,
        ordering_key=row.ordering_key,
        payload=row.payload,
        attempts=row.attempts,
    )


def _dialect_insert(dialect: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def insert_events(connection: Connection, events: Sequence[NewEvent], *, at: datetime) -> list[str]:
    """Store events not stored before, each with its outbox message, in the caller's
    transaction; the ids stored (a repeated id is skipped)."""
    stored: list[str] = []
    for start in range(0, len(events), _BATCH):
        chunk = events[start : start + _BATCH]
        rows = [
            {
                "event_id": e.event_id,
                "event_type": e.event_type,
                "ordering_key": e.ordering_key,
                "occurred_at": e.occurred_at,
                "received_at": at,
                "source": e.source,
                "channel": e.channel,
                "payload": e.payload,
            }
            for e in chunk
        ]
        inserted = set(
            connection.execute(
                _dialect_insert(connection.dialect.name, inbound_events)
                .on_conflict_do_nothing(index_elements=["event_id"])
                .returning(inbound_events.c.event_id),
                rows,
            ).scalars()
        )
        fresh = [e for e in chunk if e.event_id in inserted]
        if fresh:
            connection.execute(
                insert(outbox),
                [
                    {
                        "topic": f"events.{e.event_type}",
                        "ordering_key": e.ordering_key,
                        "message_id": f"event:{e.event_id}",
                        "payload": e.payload,
                        "created_at": at,
                        "available_at": at,
                        "attempts": 0,
                    }
                    for e in fresh
                ],
            )
        stored += [e.event_id for e in fresh]
    return stored


def _letter_row(letter: DeadLetter, at: datetime) -> dict[str, Any]:
    return {
        "at": at,
        "stage": letter.stage,
        "channel": letter.channel,
        "event_id": letter.event_id,
        "consumer": letter.consumer,
        "field": letter.field,
        "value": letter.value,
        "reason": letter.reason,
        "attempts": letter.attempts,
        "raw": letter.raw,
    }


def _handled(handled: Sequence[tuple[str, str]], *, at: datetime) -> list[EntryDraft]:
    """One `handled` entry per consumer, naming its messages in the order handled."""
    by_consumer: dict[str, list[str]] = {}
    for consumer, message_id in handled:
        by_consumer.setdefault(consumer, []).append(message_id)
    return [
        EntryDraft(
            actor=consumer,
            event="handled",
            at=at,
            detail={"messages": messages, "count": len(messages)},
        )
        for consumer, messages in by_consumer.items()
    ]


def _dead_lettered(
    letter: DeadLetter, *, at: datetime, message_id: str | None = None, topic: str | None = None
) -> EntryDraft:
    """A delivery given up. A broker's poison message has no outbox message: the
    letter's `event_id` then holds the broker's message id, if it had one."""
    if message_id is None:
        message_id, event_id = letter.event_id, None
    else:
        event_id = letter.event_id
    return EntryDraft(
        actor=letter.consumer or "system:delivery",
        event="dead_lettered",
        at=at,
        reason=letter.reason,
        detail={
            "message_id": message_id,
            "event_id": event_id,
            "topic": topic or letter.channel,
            "attempts": letter.attempts,
        },
    )
