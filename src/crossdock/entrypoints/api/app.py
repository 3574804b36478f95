"""The FastAPI application: routes over the service layer, and every error as problem
details (RFC 9457) that name what was wrong: Crossdock's own errors, FastAPI's request
validation (the field as `query.limit` or `body.quantity`, the value and why) and HTTP
errors (401, 404 for an unknown path, 405 ...), all as `application/problem+json`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from crossdock import __version__
from crossdock.adapters.metrics.prometheus import registry_for
from crossdock.bootstrap import Crossdock
from crossdock.domain.errors import CrossdockError
from crossdock.domain.lifecycle import InvalidTransition
from crossdock.entrypoints.api.routes import (
    agents,
    audit,
    auth,
    copilot,
    events,
    exceptions,
    knowledge,
    kpis,
    metrics,
    network,
    queue,
    recommendations,
)
from crossdock.entrypoints.api.routes import brief as brief_route
from crossdock.governance.access import NotAllowed, SegregationOfDuties
from crossdock.service_layer.assistant import InvalidQuestion
from crossdock.service_layer.deciding import (
    InvalidDecision,
    ModifiedNeedsApproval,
    RecommendOnly,
    UnknownRecommendation,
)
from crossdock.service_layer.governance_ports import ConcurrentDecision
from crossdock.service_layer.listing_ports import InvalidQuery
from crossdock.service_layer.work_queue import InvalidQueueRequest

PROBLEM_JSON = "application/problem+json"
_ABSENT = object()

_STATUS: dict[type[CrossdockError], int] = {
    NotAllowed: 403,
    SegregationOfDuties: 403,
    UnknownRecommendation: 404,
    ConcurrentDecision: 409,
    InvalidTransition: 409,
    ModifiedNeedsApproval: 409,
    RecommendOnly: 409,
    InvalidDecision: 422,
    InvalidQuery: 422,
    InvalidQueueRequest: 422,
    InvalidQuestion: 422,
}


def create_app(crossdock: Crossdock) -> FastAPI:
    """The API over `crossdock`; refuses to start without a signing secret outside demo."""
    crossdock.signing_secret()
    app = FastAPI(title="Crossdock", version=__version__, openapi_url="/api/v1/openapi.json")
    app.state.crossdock = crossdock
    for module in (auth, queue, recommendations, exceptions, kpis, network, agents, audit, events):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(knowledge.router, prefix="/api/v1")  # the copilot's documents
    app.include_router(brief_route.router, prefix="/api/v1")
    app.include_router(copilot.router, prefix="/api/v1")
    app.state.metrics, app.state.delivery_metrics = registry_for(crossdock.events)
    app.include_router(metrics.router)
    app.add_exception_handler(CrossdockError, _problem)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_problem)
    # imported here: the workbench's pages import this package's auth (a cycle otherwise)
    from crossdock.entrypoints.web import mount_workbench  # noqa: PLC0415

    mount_workbench(app)  # the planner workbench's pages and assets (docs/workbench.md)
    return app


async def _problem(request: Request, error: Exception) -> JSONResponse:
    code = next((c for kind, c in _STATUS.items() if isinstance(error, kind)), 400)
    body: dict[str, object] = {
        "type": "about:blank",
        "title": type(error).__name__,
        "status": code,
        "detail": str(error),
        "instance": str(request.url.path),
    }
    field = getattr(error, "field", None)
    if field is not None:
        body["field"] = field
        value = getattr(error, "value", _ABSENT)
        if value is not _ABSENT:
            body["value"] = _plain(value)
        reason = getattr(error, "reason", None)
        if isinstance(reason, str):
            body["reason"] = reason
    return JSONResponse(body, status_code=code, media_type=PROBLEM_JSON)


async def _invalid_request(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422, one problem per field: `field` is where it was (`query.limit`,
    `body.quantity`), `value` what came, `reason` why; the first is also on top."""
    assert isinstance(error, RequestValidationError)
    problems = [_field_problem(item) for item in error.errors()]
    first = problems[0] if problems else {"field": None, "value": None, "reason": "invalid"}
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": "InvalidRequest",
        "status": 422,
        "detail": "; ".join(f"{p['field']}: {p['reason']} (got {p['value']!r})" for p in problems),
        "instance": str(request.url.path),
        **first,
        "errors": problems,
    }
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)


async def _http_problem(request: Request, error: Exception) -> JSONResponse:
    """HTTP errors (401 from sign-in, 404 for a path that is not there, 405 ...)."""
    assert isinstance(error, HTTPException)
    body = {
        "type": "about:blank",
        "title": HTTPStatus(error.status_code).phrase,
        "status": error.status_code,
        "detail": str(error.detail),
        "instance": str(request.url.path),
    }
    return JSONResponse(
        body, status_code=error.status_code, headers=error.headers, media_type=PROBLEM_JSON
    )


def _field_problem(item: Mapping[str, Any]) -> dict[str, Any]:
    location: Sequence[Any] = item.get("loc", ())
    value = item.get("input")
    return {
        "field": ".".join(str(part) for part in location),
        "value": _plain(value),
        "reason": str(item.get("msg", "invalid")),
    }


def _plain(value: object) -> Any:
    """`value` as JSON can carry it: as it is when it can be, else its text."""
    try:
        return jsonable_encoder(value)
    except (TypeError, ValueError):
        return str(value)
