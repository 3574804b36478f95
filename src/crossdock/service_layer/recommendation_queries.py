"""Reading recommendations as a person may see them: only their sites, masked by role,
with the routing that decided who approves and the audit trail of every step."""

from __future__ import annotations

from typing import Any

from crossdock.governance.access import Principal, allows, authorize, in_sites
from crossdock.governance.masking import mask
from crossdock.service_layer.auditing import audit_trail
from crossdock.service_layer.deciding import UnknownRecommendation
from crossdock.service_layer.governance_ports import GovernanceStore


def list_recommendations(
    store: GovernanceStore,
    *,
    actor: Principal,
    status: str | None = None,
    plan_run_id: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The newest plan's recommendations (or `plan_run_id`'s), most savings first,
    restricted to `actor`'s sites and masked for their roles."""
    authorize(actor, "view_recommendations")
    rows = store.recommendation_rows(status=status, plan_run_id=plan_run_id, limit=limit)
    return [mask(row, actor) for row in rows if in_sites(actor, str(row["to_code"]))]


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
    detail = mask(rows[0], actor)
    detail["approvals"] = [
        {"approver": a.approver, "role": a.role, "step": a.step, "at": a.at.isoformat()}
        for a in state.approvals
    ]
    detail["audit_trail"] = (
        audit_trail(store, actor=actor, recommendation_id=state.id)
        if allows(actor, "view_audit")
        else None
    )
    return detail
