"""The work queue: open recommendations ranked by money at risk, masked for the caller
with the decisions they may take, and bulk decisions reported per recommendation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.entrypoints.api.fast_json import FastJSONResponse
from crossdock.service_layer.work_queue import (
    MAX_BULK,
    MAX_PAGE,
    QueueFilters,
    bulk_decide,
    work_queue,
)

router = APIRouter(tags=["queue"])


class BulkDecisionIn(BaseModel):
    """Approve or reject many at once; each is decided on its own and reported."""

    ids: list[int] = Field(min_length=1, max_length=MAX_BULK)
    action: Literal["approve", "reject"]
    reason: str | None = None
    reason_code: str | None = None
    versions: dict[int, int] | None = Field(
        default=None, description="id -> the version read; a recommendation that moved is refused"
    )


def queue_filters(
    site: str | None = None,
    kind: str | None = None,
    agent: str | None = None,
    supplier: str | None = None,
    customer_tier: str | None = None,
    status: str | None = None,
) -> dict[str, str | None]:
    """The queue's filters as given in the query string (checked by `QueueFilters.of`);
    the workbench's queue page takes the same."""
    return {"site": site, "kind": kind, "agent": agent, "supplier": supplier,
            "customer_tier": customer_tier, "status": status}  # fmt: skip


GivenFilters = Annotated[dict[str, str | None], Depends(queue_filters)]


@router.get("/queue", response_class=FastJSONResponse)
def queue(
    crossdock: Wired,
    caller: Caller,
    given: GivenFilters,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> FastJSONResponse:
    """Open recommendations, most money at risk first, a page at a time; each masked for
    the caller with the decisions they may take."""
    page = work_queue(
        crossdock.work_queue_reads,
        actor=caller,
        filters=QueueFilters.of(**given),
        cursor=cursor,
        limit=limit,
    )
    return FastJSONResponse(page.to_json())


@router.post("/queue/decisions")
def decisions(body: BulkDecisionIn, crossdock: Wired, caller: Caller) -> dict[str, Any]:
    outcome = bulk_decide(
        crossdock.governance,
        body.ids,
        action=body.action,
        actor=caller,
        policy=crossdock.approval_policy(),
        now=datetime.now(UTC),
        reason=body.reason,
        reason_code=body.reason_code,
        versions=body.versions,
    )
    return outcome.to_json()
