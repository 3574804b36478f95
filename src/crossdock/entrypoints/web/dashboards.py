"""The workbench's dashboards: KPIs with their weekly trends, the network's health and
transfer flows, and what the agents have done. Each page renders what the API's route
of the same name answers for the signed-in person (`/api/v1/kpis`, `/network`,
`/agents`), masked for their roles, and needs the same permission (`view_kpis`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crossdock.domain.errors import CrossdockError
from crossdock.entrypoints.api.auth import Wired
from crossdock.entrypoints.api.routes.agents import agents as agent_activity
from crossdock.entrypoints.web import dashboard_views as shape
from crossdock.entrypoints.web.pages import TEMPLATES, page_response
from crossdock.entrypoints.web.session import Person
from crossdock.governance.access import Principal, allows
from crossdock.service_layer.kpis import kpi_dashboard
from crossdock.service_layer.network_health import network_health

VIEW_KPIS = "view_kpis"  # what /api/v1/kpis, /network and /agents authorize
DEFAULT_WEEKS = 8
DEFAULT_HORIZON_DAYS = 14
DEFAULT_EXCESS_DAYS = 60

TEMPLATES.env.filters["figure"] = shape.figure
TEMPLATES.env.filters["seconds"] = shape.seconds

router = APIRouter(include_in_schema=False)


def _refused(request: Request, person: Principal, what: str) -> HTMLResponse:
    refused = {"message": f"your roles do not include {what} (permission {VIEW_KPIS})"}
    return page_response(request, "missing.html", person, refused, status_code=403)


def _today() -> date:
    return datetime.now(UTC).date()


def _day(given: str | None, *, name: str) -> date:
    """A date form field (YYYY-MM-DD), today when empty, refused by name when not one."""
    if given is None or not given.strip():
        return _today()
    try:
        return date.fromisoformat(given.strip())
    except ValueError:
        raise ValueError(f"{name}={given!r}: not a date (YYYY-MM-DD)") from None


def _whole(given: str | None, *, name: str, default: int) -> int:
    """A whole-number form field, `default` when empty, refused by name when not one;
    its range is the service's to check."""
    if given is None or not given.strip():
        return default
    try:
        return int(given)
    except ValueError:
        raise ValueError(f"{name}={given!r}: not a whole number") from None


@router.get("/kpis")
def kpis(
    request: Request,
    crossdock: Wired,
    person: Person,
    weeks: str | None = None,
    as_of: str | None = None,
) -> HTMLResponse:
    if not allows(person, VIEW_KPIS):
        return _refused(request, person, "reading the KPIs")
    form = {"weeks": weeks or str(DEFAULT_WEEKS), "as_of": as_of or _today().isoformat()}
    try:
        body = kpi_dashboard(
            crossdock.kpi_reads,
            crossdock.outcomes,
            actor=person,
            as_of=_day(as_of, name="as_of"),
            weeks=_whole(weeks, name="weeks", default=DEFAULT_WEEKS),
        )
    except (CrossdockError, ValueError) as refused:
        context = {"dashboard": None, "form": form, "error": str(refused)}
        return page_response(request, "kpis.html", person, context, status_code=400)
    dashboard = shape.kpi_dashboard_view(body)
    form = {"weeks": str(dashboard.weeks), "as_of": dashboard.as_of}
    return page_response(request, "kpis.html", person, {"dashboard": dashboard, "form": form})


@router.get("/network")
def network(
    request: Request,
    crossdock: Wired,
    person: Person,
    as_of: str | None = None,
    horizon_days: str | None = None,
    excess_days: str | None = None,
) -> HTMLResponse:
    if not allows(person, VIEW_KPIS):
        return _refused(request, person, "reading the network's health")
    form = {
        "as_of": as_of or _today().isoformat(),
        "horizon_days": horizon_days or str(DEFAULT_HORIZON_DAYS),
        "excess_days": excess_days or str(DEFAULT_EXCESS_DAYS),
    }
    try:
        body = network_health(
            crossdock.network,
            actor=person,
            as_of=_day(as_of, name="as_of"),
            horizon_days=_whole(horizon_days, name="horizon_days", default=DEFAULT_HORIZON_DAYS),
            excess_days=_whole(excess_days, name="excess_days", default=DEFAULT_EXCESS_DAYS),
        )
    except (CrossdockError, ValueError) as refused:
        failed = {"body": None, "form": form, "error": str(refused)}
        return page_response(request, "network.html", person, failed, status_code=400)
    warehouses = shape.warehouse_rows(body)
    flows = shape.lanes(body)
    context: dict[str, Any] = {
        "body": body,
        "form": form,
        "warehouses": warehouses,
        "lanes": flows,
        "diagram": shape.network_diagram(warehouses, flows),
        "short_total": sum(w.short_items for w in warehouses),
        "excess_total": sum(w.excess_items for w in warehouses),
    }
    return page_response(request, "network.html", person, context)


@router.get("/agents")
def agents(request: Request, crossdock: Wired, person: Person) -> HTMLResponse:
    if not allows(person, VIEW_KPIS):
        return _refused(request, person, "reading the agents' activity")
    body = agent_activity(request, crossdock, person)
    rows = shape.agent_rows(body)
    context = {
        "agents": rows,
        "failures_counted_by": body.get("failures_counted_by"),
        "handled_total": sum(row.handled for row in rows),
        "dead_letters_total": sum(row.dead_letters for row in rows),
        "worker_here": any(row.failures is not None for row in rows),
    }
    return page_response(request, "agents.html", person, context)
