"""`crossdock worker`: deliver ingested events to the agents and route what they propose,
in-process from the database, or through NATS JetStream when CROSSDOCK_BUS_URL names it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crossdock.entrypoints import logs
from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import JsonOption, one_line_errors, open_crossdock
from crossdock.service_layer.cadence import run_due_jobs
from crossdock.service_layer.dispatching import Consumer
from crossdock.service_layer.observing import DeliveryObserver, LogObserver, Observers
from crossdock.service_layer.routing import route_agent_proposals

if TYPE_CHECKING:
    from crossdock.adapters.bus.jetstream import JetStream
    from crossdock.bootstrap import Crossdock

# The agents (whose handlers reach the planning engine), the NATS client and Prometheus
# are imported when the worker runs, not when another command or `--help` loads this.


@one_line_errors
def worker(
    once: Annotated[
        bool,
        typer.Option("--once", help="Work until nothing is due, then exit (cron, tests)."),
    ] = False,
    poll_seconds: Annotated[
        float, typer.Option(help="Pause when nothing was due.", min=0.05)
    ] = 1.0,
    jobs: Annotated[
        bool | None,
        typer.Option(
            "--jobs/--no-jobs",
            help="Run the scheduled jobs (planning, PO acknowledgement check) when due; "
            "default: yes, except with --once.",
        ),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(help="Serve Prometheus metrics at http://127.0.0.1:PORT/metrics."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run the agents: deliver due events in order per item-location, route proposals.

    Several workers can run against PostgreSQL, or share a NATS JetStream consumer
    (CROSSDOCK_BUS_URL=nats://host:4222); each event is handled once per agent. Agents
    named in CROSSDOCK_AGENT_SITES run per site instead of for the whole network."""
    from crossdock.adapters.metrics.prometheus import registry_for  # noqa: PLC0415
    from crossdock.adapters.metrics.prometheus import serve as serve_metrics  # noqa: PLC0415
    from crossdock.service_layer.agent_runtime import agents  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    logs.configure(fmt=crossdock.settings.log_format, level=crossdock.settings.log_level)
    consumers = agents(crossdock.agent_data, sites=crossdock.settings.agent_sites)
    registry, metrics = registry_for(crossdock.events)
    if metrics_port is not None:
        serve_metrics(registry, port=metrics_port)
    observer = Observers(LogObserver(), metrics)
    scheduled = crossdock.scheduled_jobs() if (not once if jobs is None else jobs) else []

    def run_jobs(total: dict[str, Any]) -> None:
        if scheduled:
            done = run_due_jobs(crossdock.schedules, scheduled, now=datetime.now(UTC)).to_json()
            _add(total, {"jobs": {"ran": len(done["ran"]), "failed": done["failed"]}})

    broker = crossdock.broker()
    if broker is None:
        total = _in_process(
            crossdock,
            consumers,
            once=once,
            poll_seconds=poll_seconds,
            observer=observer,
            run_jobs=run_jobs,
        )
    else:
        total = asyncio.run(
            _brokered(
                crossdock,
                broker,
                consumers,
                once=once,
                poll_seconds=poll_seconds,
                observer=observer,
                run_jobs=run_jobs,
            )
        )
    if as_json:
        render.emit_json(total)
        return
    dispatched, routed = total["dispatch"], total["routing"]
    via = f" through {broker.config.url}" if broker else ""
    render.console.print(
        f"{dispatched['delivered']:,} events delivered{via}, {dispatched['retried']:,} to "
        f"retry, {dispatched['dead_lettered']:,} dead-lettered; {routed['routed']:,} "
        f"proposals routed {routed['by_status']}",
        markup=False,
    )


def _in_process(
    crossdock: Crossdock,
    consumers: list[Consumer],
    *,
    once: bool,
    poll_seconds: float,
    observer: DeliveryObserver,
    run_jobs: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    from crossdock.service_layer.agent_runtime import run_cycle  # noqa: PLC0415

    total = _totals()
    while True:
        run_jobs(total)
        cycle = run_cycle(
            crossdock.events,
            crossdock.governance,
            consumers,
            policy=crossdock.approval_policy(),
            now=datetime.now(UTC),
            observer=observer,
        )
        done = cycle.to_json()
        _add(total, {"cycles": 1, "dispatch": done["dispatch"], "routing": _routing(done)})
        if cycle.dispatched.claimed == 0:
            if once:
                return total
            time.sleep(poll_seconds)


async def _brokered(
    crossdock: Crossdock,
    bus: JetStream,
    consumers: list[Consumer],
    *,
    once: bool,
    poll_seconds: float,
    observer: DeliveryObserver,
    run_jobs: Callable[[dict[str, Any]], None],
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
        fetch_timeout=min(poll_seconds, 1.0),
        observer=observer,
    )
    try:
        while True:
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
            if once and step.idle:
                route(datetime.now(UTC))  # what an earlier run stored but did not route
                return total
    finally:
        await bus.close()


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
