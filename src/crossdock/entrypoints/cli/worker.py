"""`crossdock worker`: deliver ingested events to the agents and route what they propose."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

import typer

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import JsonOption, one_line_errors, open_crossdock
from crossdock.service_layer.agent_runtime import agents, run_cycle


@one_line_errors
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Deliver what is due once, then exit.")
    ] = False,
    poll_seconds: Annotated[
        float, typer.Option(help="Pause when nothing was due.", min=0.05)
    ] = 1.0,
    as_json: JsonOption = False,
) -> None:
    """Run the agents: deliver due events in order per item-location, route proposals.

    Several workers can run against PostgreSQL; each event is handled once per agent."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    consumers = agents(crossdock.agent_data)
    while True:
        cycle = run_cycle(
            crossdock.events,
            crossdock.governance,
            consumers,
            policy=crossdock.approval_policy(),
            now=datetime.now(UTC),
        )
        if as_json or once:
            payload = cycle.to_json()
            if as_json:
                render.emit_json(payload)
            else:
                render.console.print(
                    f"{cycle.dispatched.delivered:,} events delivered, "
                    f"{cycle.dispatched.retried:,} to retry, "
                    f"{cycle.dispatched.dead_lettered:,} dead-lettered; "
                    f"{cycle.routed.routed:,} proposals routed {cycle.routed.by_status}",
                    markup=False,
                )
        if once:
            return
        if cycle.dispatched.claimed == 0:
            time.sleep(poll_seconds)
