"""The FastAPI application: routes over the service layer, and Crossdock's errors as
problem details (RFC 9457) that name what was wrong."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from crossdock import __version__
from crossdock.adapters.metrics.prometheus import registry_for
from crossdock.bootstrap import Crossdock
from crossdock.domain.errors import CrossdockError
from crossdock.domain.lifecycle import InvalidTransition
from crossdock.entrypoints.api.routes import audit, auth, events, metrics, recommendations
from crossdock.governance.access import NotAllowed, SegregationOfDuties
from crossdock.service_layer.deciding import (
    InvalidDecision,
    ModifiedNeedsApproval,
    RecommendOnly,
    UnknownRecommendation,
)
from crossdock.service_layer.governance_ports import ConcurrentDecision

_STATUS: dict[type[CrossdockError], int] = {
    NotAllowed: 403,
    SegregationOfDuties: 403,
    UnknownRecommendation: 404,
    ConcurrentDecision: 409,
    InvalidTransition: 409,
    ModifiedNeedsApproval: 409,
    RecommendOnly: 409,
    InvalidDecision: 422,
}


def create_app(crossdock: Crossdock) -> FastAPI:
    """The API over `crossdock`; refuses to start without a signing secret outside demo."""
    crossdock.signing_secret()
    app = FastAPI(title="Crossdock", version=__version__, openapi_url="/api/v1/openapi.json")
    app.state.crossdock = crossdock
    for module in (auth, recommendations, audit, events):
        app.include_router(module.router, prefix="/api/v1")
    app.state.metrics, app.state.delivery_metrics = registry_for(crossdock.events)
    app.include_router(metrics.router)
    app.add_exception_handler(CrossdockError, _problem)
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
    return JSONResponse(body, status_code=code, media_type="application/problem+json")
