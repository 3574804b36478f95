"""Prometheus metrics: per agent, events handled, handling time, failures and dead
letters (counted as they happen, in the worker's process), and the outbox as the
database holds it (read at each scrape, so every worker and the API agree).

    crossdock_agent_events_handled_total{agent}
    crossdock_agent_handle_seconds{agent}            histogram
    crossdock_agent_failures_total{agent}            retried or dead-lettered
    crossdock_agent_dead_letters_total{agent}
    crossdock_events_stored                          gauge, from the store
    crossdock_outbox_waiting                         gauge, not yet delivered
    crossdock_dead_letters{stage}                    gauge, intake or delivery
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from crossdock.service_layer.event_ports import EventStore, OutboxMessage

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class DeliveryMetrics:
    """A `DeliveryObserver` that counts into a Prometheus registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = Counter(
            "crossdock_agent_events_handled",
            "Events an agent handled.",
            ["agent"],
            registry=registry,
        )
        self.seconds = Histogram(
            "crossdock_agent_handle_seconds",
            "Time an agent took to handle one event.",
            ["agent"],
            buckets=_BUCKETS,
            registry=registry,
        )
        self.failures = Counter(
            "crossdock_agent_failures",
            "Events an agent failed to handle (retried or dead-lettered).",
            ["agent"],
            registry=registry,
        )
        self.dead = Counter(
            "crossdock_agent_dead_letters",
            "Events dead-lettered after an agent's last attempt.",
            ["agent"],
            registry=registry,
        )

    def handled(self, consumer: str, message: OutboxMessage, seconds: float) -> None:  # noqa: ARG002 - DeliveryObserver's signature
        self.events.labels(consumer).inc()
        self.seconds.labels(consumer).observe(seconds)

    def failed(self, consumer: str, message: OutboxMessage, reason: str, *, dead: bool) -> None:  # noqa: ARG002 - DeliveryObserver's signature
        self.failures.labels(consumer).inc()
        if dead:
            self.dead.labels(consumer).inc()


class OutboxCollector(Collector):
    """Gauges read from the event store at each scrape."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        counts = self.store.event_counts()
        stored = GaugeMetricFamily("crossdock_events_stored", "Events accepted and stored.")
        stored.add_metric([], counts.get("events", 0))
        waiting = GaugeMetricFamily(
            "crossdock_outbox_waiting", "Outbox messages not yet delivered or dead-lettered."
        )
        waiting.add_metric([], counts.get("waiting", 0))
        dead = GaugeMetricFamily(
            "crossdock_dead_letters", "Dead letters kept, by stage.", labels=["stage"]
        )
        for stage in ("intake", "delivery"):
            dead.add_metric([stage], counts.get(f"dead_letters_{stage}", 0))
        yield from (stored, waiting, dead)


def registry_for(store: EventStore) -> tuple[CollectorRegistry, DeliveryMetrics]:
    """A registry with the delivery metrics and the outbox gauges over `store`."""
    registry = CollectorRegistry()
    registry.register(OutboxCollector(store))
    return registry, DeliveryMetrics(registry)


def serve(registry: CollectorRegistry, *, port: int, host: str = "127.0.0.1") -> None:
    """Expose `registry` at http://host:port/metrics from a background thread."""
    start_http_server(port, addr=host, registry=registry)
