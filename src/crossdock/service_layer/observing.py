"""What delivery tells whoever watches it: each consumer's handling time, failures and
dead letters, per message. The worker plugs in Prometheus metrics and structured logs
(`adapters/metrics`); tests and the embedded default plug in nothing."""

from __future__ import annotations

import logging
from typing import Protocol

from crossdock.service_layer.event_ports import OutboxMessage

log = logging.getLogger("crossdock.delivery")


class DeliveryObserver(Protocol):
    def handled(self, consumer: str, message: OutboxMessage, seconds: float) -> None: ...

    def failed(self, consumer: str, message: OutboxMessage, reason: str, *, dead: bool) -> None: ...


class LogObserver:
    """Structured log lines per delivery (handled at DEBUG, failures at WARNING), with
    the event id as the correlation id (an event an agent raised carries its cause's id
    before the first `>`)."""

    def handled(self, consumer: str, message: OutboxMessage, seconds: float) -> None:
        log.debug(
            "handled",
            extra=_fields(consumer, message) | {"outcome": "handled", "ms": seconds * 1000},
        )

    def failed(self, consumer: str, message: OutboxMessage, reason: str, *, dead: bool) -> None:
        log.warning(
            "dead-lettered" if dead else "failed, will retry",
            extra=_fields(consumer, message)
            | {"outcome": "dead_letter" if dead else "retry", "reason": reason,
               "attempt": message.attempts + 1},
        )  # fmt: skip


class Observers:
    """Several observers as one."""

    def __init__(self, *observers: DeliveryObserver) -> None:
        self.observers = observers

    def handled(self, consumer: str, message: OutboxMessage, seconds: float) -> None:
        for observer in self.observers:
            observer.handled(consumer, message, seconds)

    def failed(self, consumer: str, message: OutboxMessage, reason: str, *, dead: bool) -> None:
        for observer in self.observers:
            observer.failed(consumer, message, reason, dead=dead)


NO_OBSERVER = Observers()


def correlation_id(message_id: str) -> str:
    """`event:EDI-855-1>order_exception>...` -> `EDI-855-1`: the event that started it."""
    return message_id.removeprefix("event:").split(">", 1)[0]


def _fields(consumer: str, message: OutboxMessage) -> dict[str, object]:
    return {
        "consumer": consumer,
        "topic": message.topic,
        "message_id": message.message_id,
        "ordering_key": message.ordering_key,
        "correlation_id": correlation_id(message.message_id),
    }
