"""The KPI dashboard: service, stock, cost, decisions and forecasts, with weekly trends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.service_layer.kpis import MAX_WEEKS, kpi_dashboard

router = APIRouter(tags=["kpis"])


@router.get("/kpis")
def kpis(
    crossdock: Wired,
    caller: Caller,
    weeks: Annotated[int, Query(ge=1, le=MAX_WEEKS, description="Weeks of trend.")] = 8,
    as_of: Annotated[date | None, Query(description="Last day of the window (today).")] = None,
) -> dict[str, Any]:
    """Every KPI over the last `weeks` weeks to `as_of`, each with its weekly trend;
    supplier-cost figures masked for roles that may not see them."""
    return kpi_dashboard(
        crossdock.kpi_reads,
        crossdock.outcomes,
        actor=caller,
        as_of=as_of or datetime.now(UTC).date(),
        weeks=weeks,
    )
