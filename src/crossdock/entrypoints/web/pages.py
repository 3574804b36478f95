"""The workbench's pages: sign in, the ranked queue (with bulk approval), one
recommendation with its options, routing and trail, and the audit ledger.

Pages render what the service layer returns for the signed-in person: masked fields
arrive as None and are shown as "masked", and a decision button is rendered only when
the queue says that person may take it. Decisions post back here; htmx swaps the
re-rendered row in place, and without JavaScript the same forms work as plain posts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from crossdock.domain.errors import CrossdockError
from crossdock.domain.lifecycle import Action
from crossdock.entrypoints.api.auth import Wired
from crossdock.entrypoints.api.routes.queue import GivenFilters
from crossdock.entrypoints.web import views
from crossdock.entrypoints.web.session import (
    Csrf,
    Person,
    check_login_origin,
    csrf_token,
    end_session,
    keep_session,
    open_session,
    session_token,
)
from crossdock.governance.access import Principal, allows
from crossdock.service_layer.approval_policies import explain_routing
from crossdock.service_layer.deciding import OVERRIDE_REASONS, Decide, decide
from crossdock.service_layer.exceptions_queue import newest_exceptions
from crossdock.service_layer.identity import SignInRefused
from crossdock.service_layer.recommendation_evidence import recommendation_evidence
from crossdock.service_layer.work_queue import (
    QueueFilters,
    audit_page,
    bulk_decide,
    queue_rows,
    work_queue,
)

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
views.install_filters(TEMPLATES.env)
PAGE_SIZE = 50

router = APIRouter(include_in_schema=False)


def page_response(
    request: Request,
    name: str,
    person: Principal | None,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    crossdock = request.app.state.crossdock
    token = session_token(request)
    base = {
        "person": person,
        "csrf": csrf_token(crossdock, token) if person is not None and token else "",
        "may_audit": person is not None and allows(person, "view_audit"),
        "may_view_kpis": person is not None and allows(person, "view_kpis"),
        "reason_codes": OVERRIDE_REASONS,
    }
    return TEMPLATES.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


@router.get("/")
def home(request: Request) -> RedirectResponse:
    return RedirectResponse("/queue" if session_token(request) else "/login", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/queue") -> HTMLResponse:
    return page_response(request, "login.html", None, {"next": _local(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    crossdock: Wired,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/queue",
) -> Response:
    check_login_origin(request)
    try:
        token, ttl = open_session(crossdock, username=username, password=password)
    except SignInRefused as refused:
        context = {"next": _local(next), "error": str(refused), "username": username}
        return page_response(request, "login.html", None, context, status_code=401)
    response = RedirectResponse(_local(next), status_code=303)
    keep_session(response, request, token, ttl)
    return response


@router.post("/logout", dependencies=[Csrf])
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    end_session(response)
    return response


@router.get("/queue")
def queue(
    request: Request,
    crossdock: Wired,
    person: Person,
    given: GivenFilters,
    cursor: str | None = None,
) -> HTMLResponse:
    return _queue_page(request, crossdock, person, given, cursor=cursor)


@router.post("/queue/bulk", dependencies=[Csrf])
def bulk(
    request: Request,
    crossdock: Wired,
    person: Person,
    ids: Annotated[list[str] | None, Form()] = None,
    action: Annotated[str, Form()] = Action.APPROVE.value,
    site: Annotated[str | None, Form()] = None,
    kind: Annotated[str | None, Form()] = None,
    agent: Annotated[str | None, Form()] = None,
    supplier: Annotated[str | None, Form()] = None,
    customer_tier: Annotated[str | None, Form()] = None,
    status: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    """Approve the selected rows, each on its own; the queue comes back with the list of
    what was done and what was refused, and why."""
    chosen = [int(given) for given in ids or () if given.isdigit()]
    given = {
        "site": site,
        "kind": kind,
        "agent": agent,
        "supplier": supplier,
        "customer_tier": customer_tier,
        "status": status,
    }
    if not chosen:
        error = "select the recommendations to approve first"
        return _queue_page(request, crossdock, person, given, error=error)
    try:
        outcome = bulk_decide(
            crossdock.governance,
            chosen,
            action=action,
            actor=person,
            policy=crossdock.approval_policy(),
            now=datetime.now(UTC),
        )
    except CrossdockError as refused:
        return _queue_page(request, crossdock, person, given, error=str(refused))
    return _queue_page(request, crossdock, person, given, outcome=outcome)


def _queue_page(
    request: Request,
    crossdock: Any,
    person: Principal,
    given: dict[str, str | None],
    *,
    cursor: str | None = None,
    outcome: Any = None,
    error: str | None = None,
) -> HTMLResponse:
    try:
        filters = QueueFilters.of(**given)
        page = work_queue(
            crossdock.work_queue_reads,
            actor=person,
            filters=filters,
            cursor=cursor,
            limit=PAGE_SIZE,
        )
    except CrossdockError as refused:
        context = {"page": None, "filters": given, "error": str(refused), "outcome": outcome}
        return page_response(request, "queue.html", person, context, status_code=400)
    context = {
        "page": page,
        "approvable": any("approve" in item.actions for item in page.items),
        "filters": filters.to_json(),
        "query": views.query_string(filters.to_json()),
        "first_page": cursor is not None,
        "exceptions": _exceptions(crossdock, person) if cursor is None else None,
        "outcome": outcome,
        "error": error,
    }
    return page_response(request, "queue.html", person, context)


def _exceptions(crossdock: Any, person: Principal) -> dict[str, Any]:
    """The newest exceptions, shown above the ranked rows on the queue's first page."""
    rows, more = newest_exceptions(crossdock.exceptions, actor=person)
    return {"rows": rows, "more": more}


@router.post("/recommendations/{recommendation_id}/decide", dependencies=[Csrf])
def decide_one(
    request: Request,
    recommendation_id: int,
    crossdock: Wired,
    person: Person,
    action: Annotated[str, Form()],
    view: Annotated[str, Form()] = "detail",
    version: Annotated[int | None, Form()] = None,
    reason: Annotated[str | None, Form()] = None,
    reason_code: Annotated[str | None, Form()] = None,
    quantity: Annotated[str | None, Form()] = None,
    arrival_date: Annotated[str | None, Form()] = None,
) -> Response:
    message, ok = "", False
    try:
        command = Decide(
            recommendation_id=recommendation_id,
            action=views.decision_action(action),
            reason=(reason or "").strip() or None,
            reason_code=reason_code or None,
            quantity=views.optional_quantity(quantity),
            arrival_date=date.fromisoformat(arrival_date) if arrival_date else None,
            expected_version=version,
        )
        made = decide(
            crossdock.governance,
            command,
            actor=person,
            now=datetime.now(UTC),
            policy=crossdock.approval_policy(),
        )
        message, ok = views.decided(made), True
    except (CrossdockError, ValueError) as refused:
        message = str(refused)
    if view == "row" and request.headers.get("HX-Request"):
        rows = queue_rows(crossdock.work_queue_reads, actor=person, ids=[recommendation_id])
        context = {"item": rows[0] if rows else None, "message": message, "ok": ok}
        return page_response(request, "_queue_row.html", person, context)
    if view == "row":
        return RedirectResponse("/queue", status_code=303)
    return _detail_page(request, crossdock, person, recommendation_id, message=message, ok=ok)


@router.get("/recommendations/{recommendation_id}")
def recommendation(
    request: Request, recommendation_id: int, crossdock: Wired, person: Person
) -> HTMLResponse:
    return _detail_page(request, crossdock, person, recommendation_id)


def _detail_page(
    request: Request,
    crossdock: Any,
    person: Principal,
    recommendation_id: int,
    *,
    message: str = "",
    ok: bool = False,
) -> HTMLResponse:
    rows = queue_rows(crossdock.work_queue_reads, actor=person, ids=[recommendation_id])
    if not rows:
        missing = {"message": f"recommendation {recommendation_id} does not exist"}
        return page_response(request, "missing.html", person, missing, status_code=404)
    item = rows[0]
    routing = explain_routing(
        crossdock.governance, recommendation_id=recommendation_id, actor=person
    )
    routing["explanation"] = [item.redact(line) for line in routing["explanation"]]
    trail = None
    if allows(person, "view_audit"):
        trail = audit_page(
            crossdock.work_queue_reads,
            actor=person,
            recommendation_id=recommendation_id,
            limit=200,
        ).entries[::-1]
    context: dict[str, Any] = {
        "item": item,
        "rec": item.recommendation,
        "routing": routing,
        "trail": trail,
        "drivers": views.drivers(item.recommendation),
        "options": views.options(item.recommendation),
        "evidence": _evidence(crossdock, person, recommendation_id),
        "message": message,
        "ok": ok,
    }
    return page_response(request, "recommendation.html", person, context, status_code=200)


def _evidence(crossdock: Any, person: Principal, recommendation_id: int) -> dict[str, Any]:
    """The recommendation page's charts; the page still renders when they cannot be
    worked out (the reason is shown instead)."""
    try:
        found = recommendation_evidence(
            crossdock.evidence_reads, actor=person, recommendation_id=recommendation_id
        )
    except (CrossdockError, ValueError) as error:
        return {"failed": f"evidence could not be worked out: {error}"}
    return {
        "as_of": found.as_of,
        "as_of_source": found.as_of_source,
        "found": found,
        **views.evidence_charts(found),
    }


@router.get("/audit")
def audit(
    request: Request,
    crossdock: Wired,
    person: Person,
    recommendation_id: Annotated[str | None, Query()] = None,
    before: int | None = None,
) -> HTMLResponse:
    if not allows(person, "view_audit"):
        refused = {"message": "your roles do not include reading the audit ledger"}
        return page_response(request, "missing.html", person, refused, status_code=403)
    wanted = int(recommendation_id) if recommendation_id and recommendation_id.isdigit() else None
    page = audit_page(
        crossdock.work_queue_reads,
        actor=person,
        recommendation_id=wanted,
        before_seq=before,
        limit=PAGE_SIZE,
    )
    context: dict[str, Any] = {"page": page, "recommendation_id": wanted}
    return page_response(request, "audit.html", person, context)


def _local(target: str) -> str:
    """Only a path on this site: an absolute or protocol-relative URL goes to the queue."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/queue"
