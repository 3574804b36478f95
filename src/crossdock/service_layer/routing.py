"""Routing a plan's recommendations by the approval policy, and expiring what a newer
plan superseded.

Each new recommendation is checked against the active policy: those it lets run on
their own are auto-approved, the others wait for the approvers it names. Every step
goes through the lifecycle handler (`deciding.decide_all`), as the system account.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crossdock.domain.lifecycle import Action
from crossdock.governance.access import SYSTEM
from crossdock.governance.policy import PolicySet, Tier, route
from crossdock.service_layer.deciding import Decide, decide_all
from crossdock.service_layer.governance_ports import (
    ConcurrentDecision,
    GovernanceStore,
    RecommendationState,
)
from crossdock.service_layer.policy_facts import NO_POLICY, facts_for, no_policy_routing

PLANNING_AGENT = "agent:replenishment"


@dataclass(frozen=True, slots=True)
class RoutingSummary:
    """How a plan's recommendations were routed."""

    plan_run_id: int | None  # None: agents' proposals
    policy_version: str
    routed: int
    by_status: dict[str, int]
    by_rule: dict[str, int]
    expired: int

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_run_id": self.plan_run_id,
            "policy_version": self.policy_version,
            "routed": self.routed,
            "by_status": self.by_status,
            "by_rule": self.by_rule,
            "expired_superseded": self.expired,
        }


def route_plan(
    store: GovernanceStore,
    *,
    plan_run_id: int,
    policy: PolicySet | None,
    now: datetime,
    proposed_by: str = PLANNING_AGENT,
) -> RoutingSummary:
    """Route plan `plan_run_id`'s new recommendations and expire what it superseded."""
    return _route(
        store,
        store.open_recommendations(plan_run_id=plan_run_id),
        policy=policy,
        now=now,
        proposed_by=proposed_by,
        superseded=store.superseded(plan_run_id=plan_run_id),
        plan_run_id=plan_run_id,
    )


def route_agent_proposals(
    store: GovernanceStore, *, policy: PolicySet | None, now: datetime
) -> RoutingSummary:
    """Route every recommendation an agent proposed that is not routed yet.

    Several workers route at once: one batch is one transaction, so when another worker
    routed one of them first the batch is read again and retried; after three losses the
    rest waits for the next cycle (nothing is lost, the proposals stay `proposed`)."""
    for _ in range(3):
        try:
            return _route(
                store,
                store.open_recommendations(agents_only=True),
                policy=policy,
                now=now,
                proposed_by=None,
                superseded=[],
                plan_run_id=None,
            )
        except ConcurrentDecision:
            continue
    return RoutingSummary(
        plan_run_id=None,
        policy_version=policy.version if policy else NO_POLICY,
        routed=0,
        by_status={},
        by_rule={},
        expired=0,
    )


def _route(
    store: GovernanceStore,
    states: list[RecommendationState],
    *,
    policy: PolicySet | None,
    now: datetime,
    proposed_by: str | None,
    superseded: list[RecommendationState],
    plan_run_id: int | None,
) -> RoutingSummary:
    last_orders = store.last_order_quantities() if states else {}
    pending: list[tuple[RecommendationState, Decide]] = []
    rules: Counter[str] = Counter()
    for state in states:
        facts = facts_for(state, last_orders=last_orders)
        routing = route(policy, facts) if policy else no_policy_routing(facts.workflow)
        rules[routing.rule] += 1
        action = (
            Action.AUTO_APPROVE if routing.tier is Tier.AUTO_EXECUTE else Action.REQUEST_APPROVAL
        )
        command = Decide(
            recommendation_id=state.id,
            action=action,
            reason="; ".join(routing.reasons) or None,
            routing=routing.to_json(),
            proposed_by=proposed_by or state.agent or "unknown",
        )
        pending.append((state, command))
    stale = [
        (
            state,
            Decide(
                recommendation_id=state.id,
                action=Action.EXPIRE,
                reason=f"superseded by plan run {plan_run_id}",
            ),
        )
        for state in superseded
    ]
    decided = (
        decide_all(store, [*stale, *pending], actor=SYSTEM, now=now, policy=policy)
        if stale or pending
        else []
    )
    statuses = Counter(d.to_status.value for d in decided[len(stale) :])
    return RoutingSummary(
        plan_run_id=plan_run_id,
        policy_version=policy.version if policy else NO_POLICY,
        routed=len(pending),
        by_status=dict(statuses),
        by_rule=dict(rules),
        expired=len(stale),
    )
