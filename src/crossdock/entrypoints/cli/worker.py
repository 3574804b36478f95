"""`crossdock worker`: deliver ingested events to the agents and route what they propose,
in-process from the database, or through NATS JetStream when CROSSDOCK_BUS_URL names it
(the loop is `entrypoints/running.py`, which `crossdock serve` runs beside the API)."""

from __future__ import annotations

from typing import Annotated

import typer

from crossdock.entrypoints import logs
from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import JsonOption, one_line_errors, open_crossdock
from crossdock.entrypoints.running import LoopOptions, run_worker
from crossdock.service_layer.observing import LogObserver, Observers

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
    options = LoopOptions(
        once=once,
        poll_seconds=poll_seconds,
        jobs=not once if jobs is None else jobs,
        observer=Observers(LogObserver(), metrics),
    )
    total = run_worker(crossdock, consumers, options)
    if as_json:
        render.emit_json(total)
        return
    dispatched, routed = total["dispatch"], total["routing"]
    bus = crossdock.settings.bus_url
    via = f" through {bus}" if bus else ""
    render.console.print(
        f"{dispatched['delivered']:,} events delivered{via}, {dispatched['retried']:,} to "
        f"retry, {dispatched['dead_lettered']:,} dead-lettered; {routed['routed']:,} "
        f"proposals routed {routed['by_status']}",
        markup=False,
    )
