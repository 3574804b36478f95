"""NATS JetStream between the outbox and the workers.

Two streams per namespace (default `crossdock`):
- `CROSSDOCK_EVENTS` on `crossdock.events.>`: every outbox message, published once per
  message id (`Nats-Msg-Id`, so a relay that publishes twice within the duplicate
  window stores it once), kept 7 days on disk;
- `CROSSDOCK_DEAD_LETTERS` on `crossdock.dead_letters.<consumer>`: what could not be
  delivered, with the reason, consumer, event id and attempts in headers.

The workers share one durable pull consumer (`crossdock-agents`) with explicit acks:
each fetch hands a worker messages no other worker holds; a worker that dies leaves
its unacknowledged messages to be redelivered after `ack_wait`. The consumer sets no
delivery limit of its own: the worker dead-letters (`service_layer.brokered`), so a
message is never dropped by the broker while the outbox still waits for it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from crossdock.domain.errors import CrossdockError
from crossdock.service_layer.brokered import Decision, Received
from crossdock.service_layer.event_ports import OutboxMessage

OUTBOX_ID = "Crossdock-Outbox-Id"
ORDERING_KEY = "Crossdock-Ordering-Key"
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")
_WEEK = 7 * 24 * 3600.0
_PUBLISH_CHUNK = 512


class BrokerUnavailable(CrossdockError):
    """The broker could not be reached or refused the streams."""


@dataclass(frozen=True, slots=True)
class JetStreamConfig:
    url: str = "nats://127.0.0.1:4222"
    namespace: str = "crossdock"
    ack_wait_seconds: float = 30.0
    max_ack_pending: int = 20_000

    def __post_init__(self) -> None:
        if not _NAMESPACE.match(self.namespace):
            raise BrokerUnavailable(
                f"bus namespace {self.namespace!r} must be lower-case letters, digits, "
                "'-' or '_', starting with a letter"
            )

    @property
    def events_stream(self) -> str:
        return f"{self.namespace.upper()}_EVENTS"

    @property
    def dead_letter_stream(self) -> str:
        return f"{self.namespace.upper()}_DEAD_LETTERS"

    @property
    def durable(self) -> str:
        return f"{self.namespace}-agents"

    def subject(self, topic: str) -> str:
        """`events.po_acknowledged` -> `crossdock.events.po_acknowledged`."""
        return f"{self.namespace}.{topic}"

    def topic(self, subject: str) -> str:
        return subject.removeprefix(f"{self.namespace}.")


class JetStream:
    """A connection to JetStream: publish outbox messages, fetch and answer them."""

    def __init__(self, config: JetStreamConfig) -> None:
        self.config = config
        self._client: Client | None = None
        self._js: JetStreamContext | None = None
        self._subscription: JetStreamContext.PullSubscription | None = None

    async def connect(self) -> None:
        """Connect, create the streams and the shared consumer if missing."""
        try:
            self._client = await nats.connect(
                servers=[self.config.url],
                name="crossdock-worker",
                connect_timeout=2,
                reconnect_time_wait=0.5,
                max_reconnect_attempts=-1,
            )
        except (OSError, NatsError) as error:
            raise BrokerUnavailable(
                f"NATS not reachable at {self.config.url}: {error or type(error).__name__}"
            ) from error
        self._js = self._client.jetstream(timeout=5)
        try:
            await self._ensure_streams()
            self._subscription = await self._js.pull_subscribe(
                f"{self.config.namespace}.events.>",
                durable=self.config.durable,
                stream=self.config.events_stream,
                config=ConsumerConfig(
                    ack_policy=AckPolicy.EXPLICIT,
                    deliver_policy=DeliverPolicy.ALL,
                    ack_wait=self.config.ack_wait_seconds,
                    max_deliver=-1,
                    max_ack_pending=self.config.max_ack_pending,
                ),
            )
        except (NatsError, BadRequestError) as error:
            raise BrokerUnavailable(
                f"JetStream at {self.config.url} refused the streams: {error}"
            ) from error

    async def _ensure_streams(self) -> None:
        js = self._jetstream()
        for config in (
            StreamConfig(
                name=self.config.events_stream,
                subjects=[f"{self.config.namespace}.events.>"],
                storage=StorageType.FILE,
                max_age=_WEEK,
                duplicate_window=120.0,
            ),
            StreamConfig(
                name=self.config.dead_letter_stream,
                subjects=[f"{self.config.namespace}.dead_letters.>"],
                storage=StorageType.FILE,
            ),
        ):
            try:
                await js.stream_info(str(config.name))
            except NotFoundError:
                await js.add_stream(config)

    def _jetstream(self) -> JetStreamContext:
        if self._js is None:
            raise BrokerUnavailable("not connected to JetStream: call connect() first")
        return self._js

    async def close(self) -> None:
        # flush the acks sent, then close: `drain` would wait out the pull request
        if self._client is not None and not self._client.is_closed:
            try:
                await self._client.flush(timeout=2)
            finally:
                await self._client.close()

    async def publish(self, messages: Sequence[OutboxMessage]) -> list[int]:
        """Publish outbox messages; the ids JetStream acknowledged (the rest failed and
        stay unpublished in the outbox)."""
        js, done = self._jetstream(), []
        for start in range(0, len(messages), _PUBLISH_CHUNK):
            chunk = messages[start : start + _PUBLISH_CHUNK]
            results = await asyncio.gather(
                *(
                    js.publish(
                        self.config.subject(m.topic),
                        m.payload.encode(),
                        headers={
                            "Nats-Msg-Id": m.message_id,
                            OUTBOX_ID: str(m.id),
                            ORDERING_KEY: m.ordering_key,
                        },
                    )
                    for m in chunk
                ),
                return_exceptions=True,
            )
            done += [m.id for m, r in zip(chunk, results, strict=True) if not _failed(r)]
        return done

    async def fetch(self, batch: int, *, timeout: float) -> list[Received]:
        """Up to `batch` messages no other worker holds; [] when none came in time."""
        if self._subscription is None:
            raise BrokerUnavailable("not subscribed: call connect() first")
        try:
            messages = await self._subscription.fetch(batch, timeout=timeout)
        except (NatsTimeout, TimeoutError):  # nothing came within `timeout`
            return []
        return [self._received(m) for m in messages]

    def _received(self, msg: Msg) -> Received:
        headers = msg.headers or {}
        outbox_id = headers.get(OUTBOX_ID, "")
        return Received(
            subject=msg.subject,
            payload=msg.data,
            deliveries=msg.metadata.num_delivered or 1,
            outbox_id=int(outbox_id) if outbox_id.isdigit() else None,
            message_id=headers.get("Nats-Msg-Id"),
            topic=self.config.topic(msg.subject),
            ordering_key=headers.get(ORDERING_KEY),
            handle=msg,
        )

    async def answer(self, decision: Decision) -> None:
        """Tell JetStream what became of a message (park: nothing yet)."""
        msg = decision.received.handle
        assert isinstance(msg, Msg)
        if decision.verdict == "ack":
            await msg.ack()
        elif decision.verdict == "nak":
            delay = decision.delay.total_seconds() if decision.delay else None
            await msg.nak(delay=delay)
        elif decision.verdict == "dead":
            await self._dead_letter(decision)
            await msg.term()

    async def still_working(self, received: Received) -> None:
        """Reset a parked message's ack timer so it is not redelivered elsewhere."""
        msg = received.handle
        assert isinstance(msg, Msg)
        await msg.in_progress()

    async def _dead_letter(self, decision: Decision) -> None:
        letter = decision.letter
        assert letter is not None
        consumer = (letter.consumer or "broker").replace(":", "_").replace(".", "_")
        await self._jetstream().publish(
            f"{self.config.namespace}.dead_letters.{consumer}",
            decision.received.payload,
            headers={
                "Crossdock-Reason": _one_line(letter.reason),
                "Crossdock-Consumer": letter.consumer or "",
                "Crossdock-Event-Id": letter.event_id or "",
                "Crossdock-Attempts": str(letter.attempts),
                "Crossdock-Subject": decision.received.subject,
            },
        )

    async def dead_letters(self, *, limit: int = 100) -> list[tuple[dict[str, str], bytes]]:
        """The dead-letter stream's messages (headers, payload), oldest first."""
        js = self._jetstream()
        info = await js.stream_info(self.config.dead_letter_stream)
        out: list[tuple[dict[str, str], bytes]] = []
        first, last = info.state.first_seq, info.state.last_seq
        for seq in range(first, min(last, first + limit - 1) + 1):
            try:
                raw = await js.get_msg(self.config.dead_letter_stream, seq)
            except NotFoundError:
                continue
            out.append((dict(raw.headers or {}), raw.data or b""))
        return out

    async def delete_streams(self) -> None:
        """Remove this namespace's streams (tests, and `crossdock bus reset`)."""
        js = self._jetstream()
        for name in (self.config.events_stream, self.config.dead_letter_stream):
            try:
                await js.delete_stream(name)
            except NotFoundError:
                continue


def _failed(result: object) -> bool:
    return isinstance(result, BaseException)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:1000]
