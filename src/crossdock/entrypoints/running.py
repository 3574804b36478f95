"""The worker loop: deliver due events to the agents and route what they propose, in-process
from the database or through NATS JetStream when CROSSDOCK_BUS_URL names it, running the
scheduled jobs when due. `crossdock worker` runs it in the foreground; `crossdock serve`
runs it in a thread beside the API (`EmbeddedWorker`) and stops it when the server stops.

The agents (whose handlers reach the planning engine) and the NATS client are imported
when a loop runs, not when a command or `--help` loads this module.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crossdock.service_layer.cadence import run_due_jobs
from crossdock.service_layer.dispatching import Consumer
from crossdock.service_layer.observing import NO_OBSERVER, DeliveryObserver
from crossdock.service_layer.routing import route_agent_proposals

if TYPE_CHECKING:
    from crossdock.adapters.bus.jetstream import JetStream
    from crossdock.bootstrap import Crossdock

log = logging.getLogger("crossdock.worker")

RESTART_SECONDS = 5.0  # an embedded worker that failed starts again after this pause


@dataclass(frozen=True, slots=True)
class LoopOptions:
    """How a worker loop runs: `once` works until nothing is due, then returns; `jobs`
    runs the scheduled jobs (planning, PO acknowledgement check) when due."""

    once: bool = False
    poll_seconds: float = 1.0
    jobs: bool = True
    observer: DeliveryObserver = NO_OBSERVER


def run_worker(
    crossdock: Crossdock,
    consumers: list[Consumer],
    options: LoopOptions,
    *,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """Run the loop until `stop` is set (or, with `once`, nothing is due); the totals."""
    stop = stop or threading.Event()
    scheduled = crossdock.scheduled_jobs() if options.jobs else []

    def run_jobs(total: dict[str, Any]) -> None:
        if scheduled:
            done = run_due_jobs(crossdock.schedules, scheduled, now=datetime.now(UTC)).to_json()
            _add(total, {"jobs": {"ran": len(done["ran"]), "failed": done["failed"]}})

    broker = crossdock.broker()
    if broker is None:
        return _in_process(crossdock, consumers, options, run_jobs=run_jobs, stop=stop)
    return asyncio.run(
        _brokered(crossdock, broker, consumers, options, run_jobs=run_jobs, stop=stop)
    )


@dataclass
class EmbeddedWorker:
    """The worker loop in a thread beside the API. A failure (the database or the broker
    away) is logged and the loop starts again after `RESTART_SECONDS`, so the server
    keeps serving and the events wait in the outbox; `stop` ends it within a poll."""

    crossdock: Crossdock
    options: LoopOptions
    restart_seconds: float = RESTART_SECONDS
    failures: int = 0
    totals: dict[str, Any] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        from crossdock.service_layer.agent_runtime import agents  # noqa: PLC0415

        consumers = agents(self.crossdock.agent_data, sites=self.crossdock.settings.agent_sites)
        self._thread = threading.Thread(
            target=self._run, args=(consumers,), name="crossdock-worker", daemon=True
        )
        self._thread.start()

    def stop(self, *, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self, consumers: list[Consumer]) -> None:
        while not self._stop.is_set():
            try:
                done = run_worker(self.crossdock, consumers, self.options, stop=self._stop)
            except Exception:
                self.failures += 1
                log.exception(
                    "the embedded worker failed; it starts again in %.0f s", self.restart_seconds
                )
                self._stop.wait(self.restart_seconds)
                continue
            _add(self.totals, done)


def _in_process(
    crossdock: Crossdock,
    consumers: list[Consumer],
    options: LoopOptions,
    *,
    run_jobs: Callable[[dict[str, Any]], None],
    stop: threading.Event,
) -> dict[str, Any]:
    from crossdock.service_layer.agent_runtime import run_cycle  # noqa: PLC0415

    total = _totals()
    while not stop.is_set():
        run_jobs(total)
        cycle = run_cycle(
            crossdock.events,
            crossdock.governance,
            consumers,
            policy=crossdock.approval_policy(),
            now=datetime.now(UTC),
            observer=options.observer,
        )
        done = cycle.to_json()
        _add(total, {"cycles": 1, "dispatch": done["dispatch"], "routing": _routing(done)})
        if cycle.dispatched.claimed == 0:
            if options.once:
                return total
            stop.wait(options.poll_seconds)
    return total


async def _brokered(
    crossdock: Crossdock,
    bus: JetStream,
    consumers: list[Consumer],
    options: LoopOptions,
    *,
    run_jobs: Callable[[dict[str, Any]], None],
    stop: threading.Event,
) -> dict[str, Any]:
    from crossdock.adapters.bus.worker import BrokeredWorker  # noqa: PLC0415

    total = _totals()

    def route(now: datetime) -> None:
        routed = route_agent_proposals(
            crossdock.governance, policy=crossdock.approval_policy(), now=now
        )
        _add(total, {"routing": _routing({"routing": routed.to_json()})})

    await bus.connect()
    runner = BrokeredWorker(
        bus,
        crossdock.events,
        consumers,
        after_batch=route,
        fetch_timeout=min(options.poll_seconds, 1.0),
        observer=options.observer,
    )
    try:
        while not stop.is_set():
            run_jobs(total)
            step = await runner.step()
            done = step.to_json()
            _add(
                total,
                {
                    "cycles": 1,
                    "dispatch": {
                        "claimed": done.pop("fetched"),
                        **{k: done[k] for k in ("delivered", "retried", "dead_lettered")},
                        "by_consumer": done["by_consumer"],
                    },
                    "broker": {k: done[k] for k in ("published", "repeats", "broker_errors")},
                },
            )
            if options.once and step.idle:
                route(datetime.now(UTC))  # what an earlier run stored but did not route
                return total
    finally:
        await bus.close()
    return total


def _totals() -> dict[str, Any]:
    return {
        "cycles": 0,
        "dispatch": {"claimed": 0, "delivered": 0, "retried": 0, "dead_lettered": 0,
                     "by_consumer": {}},
        "routing": {"routed": 0, "by_status": {}},
    }  # fmt: skip


def _routing(cycle: dict[str, Any]) -> dict[str, Any]:
    return {"routed": cycle["routing"]["routed"], "by_status": cycle["routing"]["by_status"]}


def _add(into: dict[str, Any], more: dict[str, Any]) -> None:
    """Sum `more` into `into`, key by key, nested dictionaries included."""
    for key, value in more.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + value
