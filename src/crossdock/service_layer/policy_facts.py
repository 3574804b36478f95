"""What the approval policy is asked about a recommendation, and the routing used when
no policy is loaded."""

from __future__ import annotations

from collections.abc import Mapping

from crossdock.governance.policy import RecommendationFacts, Routing, Tier, workflow_for_kind
from crossdock.service_layer.governance_ports import RecommendationState

NO_POLICY = "none"
# with no policy loaded every recommendation waits for a person in these roles
_NO_POLICY_APPROVERS: Mapping[str, tuple[str, ...]] = {
    "buy": ("buyer", "planner"),
    "transfer": ("planner", "warehouse_supervisor"),
    "expedite": ("buyer",),
    "po_change": ("buyer",),
    "invoice_match": ("finance",),
    "receiving": ("warehouse_supervisor",),
    "allocation": ("warehouse_supervisor", "customer_service"),
    "order_exception": ("customer_service",),
    "customer_message": ("customer_service",),
    "supplier_follow_up": ("buyer",),
}


def facts_for(
    state: RecommendationState,
    *,
    quantity: float | None = None,
    last_orders: Mapping[tuple[str, str], float] | None = None,
) -> RecommendationFacts:
    """What the policy is asked about a recommendation (at `quantity` if it was modified)."""
    units = state.quantity if quantity is None else quantity
    value = state.order_value if state.order_value is not None else state.action_cost
    if value is not None and state.quantity > 0 and units != state.quantity:
        value = value * units / state.quantity
    change = None
    last = (last_orders or {}).get((state.sku, state.from_code or ""))
    if state.kind == "buy" and last is not None and last > 0:
        change = units / last - 1.0
    return RecommendationFacts(
        recommendation_id=str(state.id),
        workflow=workflow_for_kind(state.kind),
        site=state.to_code,
        value=value,
        quantity=units,
        change_vs_last_order=change,
        customer_tier=state.customer_tier,
        confidence=state.confidence,
        risk=state.risk,
    )


def no_policy_routing(workflow: str) -> Routing:
    """With no approval policy loaded nothing runs on its own."""
    return Routing(
        tier=Tier.APPROVAL_REQUIRED,
        rule="no approval policy loaded",
        reasons=("no approval policy is loaded: every recommendation waits for an approver",),
        approver_roles=_NO_POLICY_APPROVERS.get(workflow, ("planner",)),
        second_approver_roles=(),
        policy_version=NO_POLICY,
    )
