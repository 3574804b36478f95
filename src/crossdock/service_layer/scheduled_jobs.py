"""The job registry: what runs on a schedule, by default when, and what each job does.

- `plan`: the batch plan `crossdock plan` runs (forecast, size, project, decide), on the
  day the slot falls in, routed through the approval policy in force. Nightly.
- `po_acknowledgement`: PO lines the supplier has not acknowledged some days after the
  PO was sent raise a `po_unacknowledged` event (once per PO per day) for the
  procurement agent. Hourly, so a PO crossing the threshold is chased the same day.
- `connections`: each connection to a system of record is synced (what changed since
  its cursor), approved drafts are written into it and their states read back
  (`connecting.run_connections`). Every 15 minutes.

`CROSSDOCK_SCHEDULES` overrides the defaults job by job (docs/agents.md, Cadence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, Final

from crossdock.domain.schedules import parse_schedule, parse_schedules
from crossdock.governance.policy import PolicySet
from crossdock.service_layer.acknowledgement_check import (
    AcknowledgementReads,
    check_acknowledgements,
)
from crossdock.service_layer.cadence import ScheduledJob
from crossdock.service_layer.event_ports import EventStore
from crossdock.service_layer.governance_ports import GovernanceStore
from crossdock.service_layer.plan_settings import PlanSettings
from crossdock.service_layer.planning import plan
from crossdock.service_layer.ports import PlanningStore
from crossdock.service_layer.routing import route_plan

DEFAULT_SCHEDULES: Final[Mapping[str, str]] = {
    "plan": "daily@02:00",
    "po_acknowledgement": "every 1h",
    "connections": "every 15m",
}
DESCRIPTIONS: Final[Mapping[str, str]] = {
    "plan": "the batch plan (as crossdock plan), routed by the approval policy",
    "po_acknowledgement": "raise po_unacknowledged for PO lines the supplier has not acknowledged",
    "connections": "sync each system of record, write approved drafts, read their states back",
}
_PLAN_SUMMARY = ("recommendations", "by_kind", "money_at_risk", "expected_savings")


def scheduled_jobs(
    *,
    planning: PlanningStore,
    governance: GovernanceStore,
    events: EventStore,
    acknowledgements: AcknowledgementReads,
    approval_policy: Callable[[], PolicySet | None],
    plan_settings: PlanSettings,
    acknowledgement_days: int,
    schedules: str = "",
    connections: Callable[[datetime], Mapping[str, Any]] | None = None,
) -> list[ScheduledJob]:
    """Every scheduled job, with its schedule: the default unless `schedules` (the
    `CROSSDOCK_SCHEDULES` text, `job=schedule, ...`) names the job.

    Raises:
        InvalidSchedule: `schedules` cannot be read; names the job, the text and why.
        ValueError: `acknowledgement_days` is below 1.
    """
    if acknowledgement_days < 1:
        raise ValueError(
            f"CROSSDOCK_PO_ACKNOWLEDGEMENT_DAYS={acknowledgement_days}: must be 1 day or more"
        )
    overrides = parse_schedules(schedules, known=tuple(DEFAULT_SCHEDULES))
    runs: dict[str, Callable[[datetime], Mapping[str, Any]]] = {
        "plan": partial(
            plan_and_route,
            planning,
            governance,
            approval_policy=approval_policy,
            settings=plan_settings,
        ),
        "po_acknowledgement": partial(
            _check, acknowledgements, events, waiting_days=acknowledgement_days
        ),
        "connections": connections or _no_connections,
    }
    return [
        ScheduledJob(
            name=name,
            description=DESCRIPTIONS[name],
            schedule=overrides.get(name) or parse_schedule(default, job=name),
            run=runs[name],
        )
        for name, default in DEFAULT_SCHEDULES.items()
    ]


def plan_and_route(
    planning: PlanningStore,
    governance: GovernanceStore,
    now: datetime,
    *,
    approval_policy: Callable[[], PolicySet | None],
    settings: PlanSettings,
) -> dict[str, Any]:
    """What `crossdock plan` does, as of the day of `now` (UTC): plan, store the
    recommendations and route them through the policy in force when it runs."""
    outcome = plan(planning, as_of=now.date(), settings=settings)
    routed = route_plan(
        governance, plan_run_id=outcome.plan_run_id, policy=approval_policy(), now=now
    )
    return {
        "plan_run_id": outcome.plan_run_id,
        "as_of": outcome.as_of.isoformat(),
        "import_run_id": outcome.import_run_id,
        **{key: outcome.summary[key] for key in _PLAN_SUMMARY if key in outcome.summary},
        "routing": routed.to_json(),
    }


def _no_connections(now: datetime) -> dict[str, Any]:  # noqa: ARG001 - a job's signature
    return {}


def _check(
    reads: AcknowledgementReads, events: EventStore, now: datetime, *, waiting_days: int
) -> dict[str, Any]:
    return check_acknowledgements(reads, events, now=now, waiting_days=waiting_days)
