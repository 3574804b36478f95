"""A worker on JetStream: relay the outbox to the broker, fetch, deliver in order per
key (`service_layer.brokered.settle`), answer the broker, route what the agents
proposed. Several run side by side, sharing the durable consumer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nats.errors import Error as NatsError

from crossdock.adapters.bus.jetstream import JetStream
from crossdock.service_layer.brokered import Received, settle
from crossdock.service_layer.dispatching import Consumer
from crossdock.service_layer.event_ports import EventStore
from crossdock.service_layer.observing import NO_OBSERVER, DeliveryObserver

log = logging.getLogger("crossdock.worker")
_RELAY_LEASE = timedelta(seconds=5)  # a relay that failed to publish retries soon


@dataclass
class StepReport:
    published: int = 0
    fetched: int = 0
    delivered: int = 0
    retried: int = 0
    dead_lettered: int = 0
    repeats: int = 0
    parked: int = 0
    broker_errors: int = 0
    by_consumer: dict[str, int] = field(default_factory=dict)

    @property
    def idle(self) -> bool:
        return self.published == 0 and self.fetched == 0 and self.parked == 0

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class BrokeredWorker:
    def __init__(
        self,
        bus: JetStream,
        store: EventStore,
        consumers: Sequence[Consumer],
        *,
        after_batch: Callable[[datetime], None] = lambda _: None,
        batch: int = 256,
        fetch_timeout: float = 0.5,
        max_attempts: int = 5,
        max_deliveries: int = 20,
        observer: DeliveryObserver = NO_OBSERVER,
    ) -> None:
        self.bus, self.store, self.consumers = bus, store, list(consumers)
        self.after_batch = after_batch
        self.batch, self.fetch_timeout = batch, fetch_timeout
        self.max_attempts, self.max_deliveries = max_attempts, max_deliveries
        self.observer = observer
        self._parked: dict[int, tuple[Received, float]] = {}

    async def relay(self, report: StepReport) -> None:
        """Hand unpublished outbox messages to the broker; what fails stays for later."""
        now = datetime.now(UTC)
        messages = self.store.claim_unpublished(now=now, limit=self.batch * 4, lease=_RELAY_LEASE)
        if not messages:
            return
        try:
            published = await self.bus.publish(messages)
        except NatsError as error:
            log.warning("relay: broker refused %d messages: %s", len(messages), error)
            report.broker_errors += 1
            return
        if len(published) < len(messages):
            report.broker_errors += 1
        self.store.mark_published(published, at=datetime.now(UTC))
        report.published += len(published)

    async def step(self) -> StepReport:
        """One relay, one fetch, one settlement."""
        report = StepReport()
        await self.relay(report)
        try:
            fetched = await self.bus.fetch(self.batch, timeout=self.fetch_timeout)
        except NatsError as error:
            log.warning("fetch: %s", error)
            report.broker_errors += 1
            fetched = []
        report.fetched = len(fetched)
        waiting = {i: r for i, (r, _) in self._parked.items()}
        for item in fetched:  # a redelivery of a parked message replaces its handle
            waiting[item.outbox_id if item.outbox_id is not None else -id(item)] = item
        if not waiting:
            return report
        now = datetime.now(UTC)
        settled = settle(
            self.store,
            list(waiting.values()),
            self.consumers,
            now=now,
            max_attempts=self.max_attempts,
            max_deliveries=self.max_deliveries,
            observer=self.observer,
        )
        clock = time.monotonic()
        parked: dict[int, tuple[Received, float]] = {}
        for decision in settled.decisions:
            item = decision.received
            try:
                if decision.verdict == "park" and item.outbox_id is not None:
                    since = self._parked.get(item.outbox_id, (item, clock))[1]
                    if clock - since > self.bus.config.ack_wait_seconds / 3:
                        await self.bus.still_working(item)
                        since = clock
                    parked[item.outbox_id] = (item, since)
                else:
                    await self.bus.answer(decision)
            except NatsError as error:  # the broker redelivers; the outbox says it is done
                log.warning("answer %s for %s: %s", decision.verdict, item.message_id, error)
                report.broker_errors += 1
        self._parked = parked
        done = settled.report
        report.delivered, report.retried = done.delivered, done.retried
        report.dead_lettered, report.by_consumer = done.dead_lettered, done.by_consumer
        report.repeats, report.parked = settled.repeats, len(parked)
        if done.delivered:
            self.after_batch(now)
        return report
