"""The agents: each one's declaration (as `crossdock agents --json` prints it) with what
it has done: events handled, the p95 lag from intake to handling, dead letters, and the
failures the worker in this process counted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from prometheus_client import CollectorRegistry

from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.governance.access import authorize

router = APIRouter(tags=["agents"])

FAILURES_COUNTED_BY = (
    "the worker embedded in this server (crossdock serve), since it started; a separate "
    "worker counts its own at its --metrics-port"
)


@router.get("/agents")
def agents(request: Request, crossdock: Wired, caller: Caller) -> dict[str, Any]:
    """Every agent, its declaration and its activity; needs `view_kpis`."""
    # imported here: the agents' handlers reach the planning engine (slow to import)
    from crossdock.service_layer.agent_runtime import agent_specs  # noqa: PLC0415

    authorize(caller, "view_kpis")
    activity = {row["agent"]: row for row in crossdock.events.agent_activity()}
    registry: CollectorRegistry = request.app.state.metrics
    rows = []
    for spec in agent_specs():
        done = activity.get(spec.name, {})
        last = done.get("last_handled_at")
        rows.append(
            {
                **spec.to_json(),
                "handled": int(done.get("handled", 0)),
                "last_handled_at": None if last is None else _utc(last).isoformat(),
                "lag_p50_s": done.get("lag_p50_s"),
                "lag_p95_s": done.get("lag_p95_s"),
                "dead_letters": int(done.get("dead_letters", 0)),
                "failures": _counted(registry, spec.name),
            }
        )
    return {"agents": rows, "failures_counted_by": FAILURES_COUNTED_BY}


def _counted(registry: CollectorRegistry, agent: str) -> int | None:
    """Failures this process's worker counted for `agent`; None when it delivered it
    nothing (no worker here, or not yet)."""
    labels = {"agent": agent}
    failed = registry.get_sample_value("crossdock_agent_failures_total", labels)
    handled = registry.get_sample_value("crossdock_agent_events_handled_total", labels)
    if failed is None and handled is None:
        return None
    return int(failed or 0)


def _utc(moment: datetime) -> datetime:
    # SQLite gives times back naive; they were written in UTC
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
