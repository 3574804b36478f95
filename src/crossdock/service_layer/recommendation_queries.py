"""Reading recommendations as a person may see them: only their sites, masked by role,
with the routing that decided who approves and the audit trail of every step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crossdock.domain.lifecycle import Status
from crossdock.governance.access import Principal, allows, authorize, in_sites
from crossdock.governance.masking import mask_recommendation
from crossdock.governance.policy import KIND_WORKFLOWS
from crossdock.service_layer.auditing import audit_trail
from crossdock.service_layer.deciding import UnknownRecommendation
from crossdock.service_layer.governance_ports import GovernanceStore
from crossdock.service_layer.listing_ports import (
    InvalidQuery,
    Page,
    PageRequest,
    RecommendationFilter,
    RecommendationReads,
    checked_key,
)

AGENT_PREFIX = "agent:"


def recommendation_page(
    store: RecommendationReads,
    *,
    actor: Principal,
    where: RecommendationFilter,
    page: PageRequest,
) -> Page:
    """One page of recommendations, most savings first, of `actor`'s sites only (in the
    query, so every page is full) and masked for their roles.

    `where.agent` may leave out the `agent:` prefix (`replenishment`).

    Raises:
        InvalidQuery: an unknown status or kind, or a cursor this list did not hand out.
    """
    authorize(actor, "view_recommendations")
    checked_key(page.after, (int, float), int)
    if where.status is not None and where.status not in set(Status):
        raise InvalidQuery(
            field="query.status",
            value=where.status,
            reason=f"unknown status (known: {', '.join(Status)})",
        )
    if where.kind is not None and where.kind not in KIND_WORKFLOWS:
        raise InvalidQuery(
            field="query.kind",
            value=where.kind,
            reason=f"unknown kind (known: {', '.join(KIND_WORKFLOWS)})",
        )
    agent = where.agent
    if agent is not None and not agent.startswith(AGENT_PREFIX):
        agent = AGENT_PREFIX + agent
    scoped = RecommendationFilter(
        status=where.status,
        kind=where.kind,
        agent=agent,
        site=where.site,
        supplier=where.supplier,
        customer_tier=where.customer_tier,
        plan_run_id=where.plan_run_id,
        sites=actor.sites,
    )
    rows, after = store.recommendation_page(where=scoped, page=page)
    return Page(items=[_shown(row, actor) for row in rows], next_after=after)


def list_recommendations(
    store: GovernanceStore,
    *,
    actor: Principal,
    status: str | None = None,
    plan_run_id: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The newest plan's recommendations (or `plan_run_id`'s), most savings first, of
    `actor`'s sites only (those they receive; filtered in the query, so `limit` counts
    only rows they may see) and masked for their roles."""
    authorize(actor, "view_recommendations")
    rows = store.recommendation_rows(
        status=status, plan_run_id=plan_run_id, sites=actor.sites, limit=limit
    )
    return [_shown(row, actor) for row in rows]


def recommendation_detail(
    store: GovernanceStore, *, actor: Principal, recommendation_id: int
) -> dict[str, Any]:
    """One recommendation, masked, with its approvals and (if the actor may read the
    audit) its trail."""
    authorize(actor, "view_recommendations")
    rows = store.recommendation_rows(ids=[recommendation_id], limit=1)
    state = store.recommendation(recommendation_id)
    if not rows or state is None or not in_sites(actor, state.to_code):
        raise UnknownRecommendation(recommendation_id)
    detail = _shown(rows[0], actor)
    detail["approvals"] = [
        {"approver": a.approver, "role": a.role, "step": a.step, "at": a.at.isoformat()}
        for a in state.approvals
    ]
    detail["audit_trail"] = (
        audit_trail(
            store, actor=actor, recommendation_id=state.id, order_value=rows[0].get("order_value")
        )
        if allows(actor, "view_audit")
        else None
    )
    return detail


def _shown(row: Mapping[str, Any], actor: Principal) -> dict[str, Any]:
    """A recommendation masked for `actor`, its texts cleaned of the money it hides."""
    return mask_recommendation(row, actor)[0]
