"""The weekly executive brief as JSON (what `crossdock brief --json` prints as `brief`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from crossdock.entrypoints.api.auth import Caller, Wired

router = APIRouter(tags=["brief"])


@router.get("/brief")
def brief(
    crossdock: Wired,
    caller: Caller,
    week_ending: Annotated[
        date | None, Query(description="Last day of the week (default: today, UTC).")
    ] = None,
) -> dict[str, Any]:
    """KPIs and trends, top risks with money at stake, decisions pending by approver and
    what the agents did, for the caller's role; needs `view_kpis`."""
    # imported here: the KPI and outcome services work on pandas frames (slow to import)
    from crossdock.service_layer.briefing import weekly_brief  # noqa: PLC0415

    now = datetime.now(UTC)
    return weekly_brief(
        kpi_reads=crossdock.kpi_reads,
        outcomes=crossdock.outcomes,
        queue=crossdock.work_queue_reads,
        exceptions=crossdock.exceptions,
        proposals=crossdock.kpi_reads,
        actor=caller,
        week_ending=week_ending or now.date(),
        now=now,
    ).to_json()
