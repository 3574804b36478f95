"""Exceptions: dead letters, quarantined rows, failed recommendations and failing jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.entrypoints.api.routes.paging import Paging, page_json
from crossdock.service_layer.exceptions_queue import exception_page

router = APIRouter(tags=["exceptions"])

ExceptionKind = Literal["dead_letter", "quarantined_row", "failed_recommendation", "failed_job"]


@router.get("/exceptions")
def exceptions(
    crossdock: Wired,
    caller: Caller,
    page: Paging,
    kind: Annotated[ExceptionKind | None, Query(description="Only this kind.")] = None,
    since: Annotated[datetime | None, Query(description="At or after (ISO 8601).")] = None,
) -> dict[str, Any]:
    """What needs a person besides recommendations, newest first; paginated."""
    return page_json(
        exception_page(crossdock.exceptions, actor=caller, kind=kind, since=since, page=page)
    )
