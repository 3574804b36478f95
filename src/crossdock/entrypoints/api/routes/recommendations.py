"""Recommendations: list and read them (masked for the caller), and decide on them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from crossdock.domain.lifecycle import Action
from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.entrypoints.api.routes.paging import Paging, page_json
from crossdock.service_layer.approval_policies import explain_routing
from crossdock.service_layer.deciding import Decide, decide
from crossdock.service_layer.listing_ports import RecommendationFilter
from crossdock.service_layer.recommendation_queries import (
    recommendation_detail,
    recommendation_page,
)

router = APIRouter(tags=["recommendations"])


class DecisionIn(BaseModel):
    """A person's decision; `version` is the one they read (409 if it moved)."""

    action: Literal["approve", "reject", "modify", "cancel"]
    version: int | None = Field(default=None, ge=1)
    reason: str | None = None
    reason_code: str | None = None
    quantity: float | None = Field(default=None, gt=0)
    arrival_date: date | None = None


@router.get("/recommendations")
def recommendations(
    crossdock: Wired,
    caller: Caller,
    page: Paging,
    status: Annotated[str | None, Query(description="Lifecycle status.")] = None,
    kind: Annotated[str | None, Query(description="buy, transfer, expedite, ...")] = None,
    agent: Annotated[str | None, Query(description="Proposing agent (agent: optional).")] = None,
    site: Annotated[str | None, Query(description="Either end: to_code or from_code.")] = None,
    supplier: Annotated[str | None, Query(description="Supplier of buys, expedites.")] = None,
    customer_tier: Annotated[str | None, Query(description="drivers.customer_tier")] = None,
    plan_run_id: Annotated[
        int | None, Query(description="Default: the newest plan's and the agents'.")
    ] = None,
) -> dict[str, Any]:
    """Most savings first, of the caller's sites, masked for their roles; paginated."""
    where = RecommendationFilter(
        status=status,
        kind=kind,
        agent=agent,
        site=site,
        supplier=supplier,
        customer_tier=customer_tier,
        plan_run_id=plan_run_id,
    )
    return page_json(
        recommendation_page(crossdock.governance, actor=caller, where=where, page=page)
    )


@router.get("/recommendations/{recommendation_id}")
def recommendation(recommendation_id: int, crossdock: Wired, caller: Caller) -> dict[str, Any]:
    return recommendation_detail(
        crossdock.governance, actor=caller, recommendation_id=recommendation_id
    )


@router.get("/recommendations/{recommendation_id}/routing")
def routing(recommendation_id: int, crossdock: Wired, caller: Caller) -> dict[str, Any]:
    return explain_routing(crossdock.governance, recommendation_id=recommendation_id, actor=caller)


@router.post("/recommendations/{recommendation_id}/decisions")
def decision(
    recommendation_id: int, body: DecisionIn, crossdock: Wired, caller: Caller
) -> dict[str, Any]:
    made = decide(
        crossdock.governance,
        Decide(
            recommendation_id=recommendation_id,
            action=Action(body.action),
            reason=body.reason,
            reason_code=body.reason_code,
            quantity=body.quantity,
            arrival_date=body.arrival_date,
            expected_version=body.version,
        ),
        actor=caller,
        now=datetime.now(UTC),
        policy=crossdock.approval_policy(),
    )
    return made.to_json()
