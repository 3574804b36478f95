"""What routing is told about an agent's proposal: the customer tier it carries (the
allocation agent's "gold" or "strategic" when it takes stock from a strategic customer)
reaches the approval policy, and under the demo policy such an allocation waits for a
person even at a site that lets allocations run on their own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crossdock.domain.lifecycle import Status
from crossdock.governance.policy import PolicySet, Tier, demo_policy_text, route
from crossdock.service_layer.governance_ports import RecommendationState
from crossdock.service_layer.policy_facts import facts_for, no_policy_routing

SITE_AUTO_ALLOCATION = """\
policy: demo-br1
version: 1
scope: site
site: BR1
extends: demo
workflows:
  allocation:
    tier: auto_execute
    auto_when:
      value_at_most: 5000
"""
DEMO_WITH_AUTO_BR1 = PolicySet.from_texts(
    {"demo.yaml": demo_policy_text(), "site-BR1.yaml": SITE_AUTO_ALLOCATION}
)


def _allocation(tier: str | None, *, kind: str = "allocate") -> RecommendationState:
    return RecommendationState(
        id=7, plan_run_id=None, status=Status.PROPOSED, version=1, kind=kind, sku="A100",
        from_code=None, to_code="BR1", quantity=64.0, expected_arrival_date=None,
        order_value=736.0, action_cost=6.3, savings=136.8, confidence=0.8,
        model_version="m", import_run_id=None, risk=143.1, customer_tier=tier,
        agent="agent:allocation",
    )  # fmt: skip


def test_the_customer_tier_a_proposal_carries_reaches_the_policy():
    facts = facts_for(_allocation("strategic"))
    assert (facts.workflow, facts.customer_tier, facts.risk) == ("allocation", "strategic", 143.1)


@pytest.mark.parametrize("tier", ["strategic", "gold", None])
def test_taking_stock_from_a_strategic_customer_never_runs_on_its_own(tier):
    routing = route(DEMO_WITH_AUTO_BR1, facts_for(_allocation(tier)))
    assert routing.tier is Tier.APPROVAL_REQUIRED
    assert routing.rule == "mandatory[strategic-customers]"
    assert routing.approver_roles == ("warehouse_supervisor", "customer_service")


def test_an_allocation_that_shorts_only_in_turn_runs_where_the_site_allows_it():
    routing = route(DEMO_WITH_AUTO_BR1, facts_for(_allocation("bronze")))
    assert routing.tier is Tier.AUTO_EXECUTE
    assert routing.rule == "workflows.allocation (site BR1)"
    elsewhere = route(DEMO_WITH_AUTO_BR1, facts_for(replace(_allocation("bronze"), to_code="BR2")))
    assert elsewhere.tier is Tier.APPROVAL_REQUIRED  # the demo's own allocation setting


@pytest.mark.parametrize(
    ("kind", "roles"),
    [
        ("allocate", ("warehouse_supervisor", "customer_service")),
        ("order_exception", ("customer_service",)),
        ("customer_message", ("customer_service",)),
    ],
)
def test_with_no_policy_the_agents_kinds_wait_for_roles_that_may_approve_them(kind, roles):
    assert no_policy_routing(facts_for(_allocation(None, kind=kind)).workflow).approver_roles == (
        roles
    )
