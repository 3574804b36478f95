"""`crossdock worker`: deliver ingested events to the agents and route what they propose."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import JsonOption, one_line_errors, open_crossdock
from crossdock.service_layer.agent_runtime import agents, run_cycle


@one_line_errors
def worker(
    once: Annotated[
        bool,
        typer.Option("--once", help="Work until nothing is due, then exit (cron, tests)."),
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
    total = _Totals()
    while True:
        cycle = run_cycle(
            crossdock.events,
            crossdock.governance,
            consumers,
            policy=crossdock.approval_policy(),
            now=datetime.now(UTC),
        )
        total.add(cycle.to_json())
        if cycle.dispatched.claimed == 0:
            if once:
                break
            time.sleep(poll_seconds)
    if as_json:
        render.emit_json(total.payload)
        return
    dispatched, routed = total.payload["dispatch"], total.payload["routing"]
    render.console.print(
        f"{dispatched['delivered']:,} events delivered, {dispatched['retried']:,} to retry, "
        f"{dispatched['dead_lettered']:,} dead-lettered; {routed['routed']:,} proposals "
        f"routed {routed['by_status']}",
        markup=False,
    )


class _Totals:
    """What the cycles of one `--once` run did, summed."""

    def __init__(self) -> None:
        self.payload: dict[str, Any] = {
            "cycles": 0,
            "dispatch": {"claimed": 0, "delivered": 0, "retried": 0, "dead_lettered": 0,
                         "by_consumer": {}},
            "routing": {"routed": 0, "by_status": {}},
        }  # fmt: skip

    def add(self, cycle: dict[str, Any]) -> None:
        self.payload["cycles"] += 1
        total, done = self.payload["dispatch"], cycle["dispatch"]
        for key in ("claimed", "delivered", "retried", "dead_lettered"):
            total[key] += done[key]
        _merge(total["by_consumer"], done["by_consumer"])
        self.payload["routing"]["routed"] += cycle["routing"]["routed"]
        _merge(self.payload["routing"]["by_status"], cycle["routing"]["by_status"])


def _merge(into: dict[str, int], counts: dict[str, int]) -> None:
    for key, count in counts.items():
        into[key] = into.get(key, 0) + count
