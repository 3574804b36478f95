"""Routing a recommendation: thresholds, unknown facts, sites, second approvers and
mandatory rules."""

import json

import pytest

from crossdock.domain.errors import InvalidRecord
from crossdock.governance.access import Role
from crossdock.governance.policy import (
    KNOWN_ROLES,
    PolicySet,
    RecommendationFacts,
    Routing,
    Tier,
    UnknownWorkflow,
    explain,
    load_demo_policy,
    route,
    workflow_for_kind,
)
from tests.unit.governance.test_policy_texts import ENTERPRISE, SITE_BR01

POLICY = PolicySet.from_texts({"enterprise.yaml": ENTERPRISE, "site-BR01.yaml": SITE_BR01})

SITE_BR02_AUTO_TRANSFERS = """\
policy: acme-br02
version: 1
scope: site
site: BR02
workflows:
  transfer:
    auto_when:
      value_at_most: 1000
"""

AT_EVERY_BUY_LIMIT = {
    "value": 5000.0,
    "quantity": 100.0,
    "change_vs_last_order": 0.25,
    "confidence": 0.8,
    "risk": 800.0,
}


def facts(workflow: str = "buy", site: str = "BR02", **known: object) -> RecommendationFacts:
    values: dict[str, object] = {
        "value": None,
        "quantity": None,
        "change_vs_last_order": None,
        "customer_tier": None,
        "confidence": None,
        "risk": None,
    }
    values.update(known)
    return RecommendationFacts(
        recommendation_id="R-1",
        workflow=workflow,
        site=site,
        **values,  # type: ignore[arg-type]
    )


def test_exactly_at_every_auto_limit_auto_executes():
    routing = route(POLICY, facts(**AT_EVERY_BUY_LIMIT))
    assert routing.tier is Tier.AUTO_EXECUTE
    assert routing.rule == "workflows.buy"
    assert routing.approver_roles == ()
    assert routing.second_approver_roles == ()
    assert routing.policy_version == POLICY.version
    assert "value 5,000.00 is at most auto_when.value_at_most 5,000.00" in routing.reasons


@pytest.mark.parametrize(
    ("fact", "over", "reason"),
    [
        ("value", 5000.01, "value 5,000.01 is above auto_when.value_at_most 5,000.00"),
        ("quantity", 101.0, "quantity 101 is above auto_when.quantity_at_most 100"),
        (
            "change_vs_last_order",
            0.2501,
            "change vs last order +25.01% is above auto_when.change_vs_last_order_at_most +25%",
        ),
        ("confidence", 0.79, "confidence 0.79 is below auto_when.confidence_at_least 0.8"),
        ("risk", 800.5, "risk 800.50 is above auto_when.risk_at_most 800.00"),
    ],
)
def test_just_past_one_limit_needs_approval_and_says_which(fact, over, reason):
    routing = route(POLICY, facts(**{**AT_EVERY_BUY_LIMIT, fact: over}))
    assert routing.tier is Tier.APPROVAL_REQUIRED
    assert routing.rule == "workflows.buy"
    assert routing.reasons[0] == reason
    assert len([r for r in routing.reasons if " is above " in r or " is below " in r]) == 1
    assert routing.approver_roles == ("buyer",)


@pytest.mark.parametrize(
    ("fact", "reason"),
    [
        ("value", "value unknown against auto_when.value_at_most 5,000.00"),
        ("quantity", "quantity unknown against auto_when.quantity_at_most 100"),
        (
            "change_vs_last_order",
            "change vs last order unknown against auto_when.change_vs_last_order_at_most +25%",
        ),
        ("confidence", "confidence unknown against auto_when.confidence_at_least 0.8"),
        ("risk", "risk unknown against auto_when.risk_at_most 800.00"),
    ],
)
def test_an_unknown_fact_never_satisfies_an_auto_condition(fact, reason):
    routing = route(POLICY, facts(**{**AT_EVERY_BUY_LIMIT, fact: None}))
    assert routing.tier is Tier.APPROVAL_REQUIRED
    assert routing.reasons[0] == reason


def test_every_failed_condition_is_a_reason():
    routing = route(POLICY, facts(value=6000.0, quantity=None, confidence=0.9, risk=900.0))
    failed = [r for r in routing.reasons if "auto_when." in r]
    assert failed == [
        "value 6,000.00 is above auto_when.value_at_most 5,000.00",
        "quantity unknown against auto_when.quantity_at_most 100",
        "change vs last order unknown against auto_when.change_vs_last_order_at_most +25%",
        "risk 900.00 is above auto_when.risk_at_most 800.00",
    ]


def test_customer_tiers_must_include_the_customer_tier():
    def tier_of(customer_tier):
        return route(POLICY, facts("allocation", value=10.0, customer_tier=customer_tier)).tier

    assert tier_of("B") is Tier.AUTO_EXECUTE
    assert tier_of("D") is Tier.APPROVAL_REQUIRED
    assert tier_of(None) is Tier.APPROVAL_REQUIRED
    reasons = route(POLICY, facts("allocation", value=10.0, customer_tier="D")).reasons
    assert reasons[0] == "customer tier D is not in auto_when.customer_tiers [B, C]"


def test_a_workflow_the_policy_leaves_out_uses_the_defaults():
    routing = route(POLICY, facts("order_exception", value=10.0))
    assert (routing.tier, routing.rule, routing.approver_roles) == (
        Tier.APPROVAL_REQUIRED,
        "defaults",
        ("executive",),
    )


def test_without_defaults_a_left_out_workflow_is_only_recommended():
    text = ENTERPRISE.replace(
        "defaults:\n  tier: approval_required\n  approvers: [executive]\n", ""
    )
    routing = route(PolicySet.from_texts({"e.yaml": text}), facts("order_exception", value=10.0))
    assert (routing.tier, routing.rule) == (Tier.RECOMMEND_ONLY, "built-in default")
    assert routing.approver_roles == ()


def test_a_site_override_applies_only_to_its_own_site():
    at_br01 = route(POLICY, facts(site="BR01", value=8000.0))
    at_br02 = route(POLICY, facts(site="BR02", value=8000.0))
    assert (at_br01.tier, at_br01.rule) == (Tier.AUTO_EXECUTE, "workflows.buy (site BR01)")
    assert (at_br02.tier, at_br02.rule) == (Tier.APPROVAL_REQUIRED, "workflows.buy")
    small = {"value": 10.0, "confidence": 0.9}
    assert route(POLICY, facts("transfer", site="BR01", **small)).tier is Tier.APPROVAL_REQUIRED
    assert route(POLICY, facts("transfer", site="DC01", **small)).tier is Tier.AUTO_EXECUTE


def test_a_site_key_replaces_the_enterprise_key_and_inherits_the_rest():
    settings = POLICY.settings_for("buy", "BR01")
    assert settings.approvers == ("planner", "buyer")
    assert settings.tier is Tier.AUTO_EXECUTE
    assert settings.sources["tier"] == "workflows.buy"
    assert settings.auto_when is not None
    assert settings.auto_when.value_at_most == 9000
    assert settings.auto_when.confidence_at_least is None


def test_a_mandatory_rule_tightens_even_where_the_site_says_auto():
    policy = PolicySet.from_texts({"e.yaml": ENTERPRISE, "s.yaml": SITE_BR02_AUTO_TRANSFERS})
    assert route(policy, facts("transfer", value=900.0, confidence=0.6)).tier is Tier.AUTO_EXECUTE
    routing = route(policy, facts("transfer", value=900.0, confidence=0.4))
    assert (routing.tier, routing.rule) == (Tier.RECOMMEND_ONLY, "mandatory[shaky-transfers]")
    assert routing.approver_roles == ()
    assert routing.reasons[-1] == (
        "mandatory[shaky-transfers] applies (confidence 0.4 is below "
        "mandatory[shaky-transfers].when.confidence_below 0.5): tier recommend_only"
    )


def test_confidence_below_is_exclusive_and_unknown_facts_match_mandatory_rules():
    assert route(POLICY, facts("transfer", value=10.0, confidence=0.5)).tier is Tier.AUTO_EXECUTE
    routing = route(POLICY, facts("transfer", value=None, confidence=None))
    assert routing.tier is Tier.RECOMMEND_ONLY
    assert "(unknown facts count as matching)" in routing.reasons[-1]


def test_a_mandatory_rule_without_conditions_caps_every_recommendation():
    routing = route(POLICY, facts("po_change", value=1.0))
    assert routing.tier is Tier.APPROVAL_REQUIRED
    assert routing.approver_roles == ("executive",)


def test_second_approver_is_needed_only_above_the_limit():
    exactly = route(POLICY, facts("expedite", value=10000.0))
    above = route(POLICY, facts("expedite", value=10000.01))
    unknown = route(POLICY, facts("expedite", value=None))
    assert exactly.second_approver_roles == ()
    assert exactly.approver_roles == ("buyer",)
    assert above.second_approver_roles == ("executive",)
    assert above.reasons[-1] == (
        "value 10,000.01 is above second_approver.above_value 10,000.00: "
        "a second approval by executive"
    )
    assert unknown.second_approver_roles == ("executive",)


def test_big_actions_rule_adds_an_executive_above_fifty_thousand_only():
    exactly = route(POLICY, facts("buy", value=50000.0, confidence=0.9))
    above = route(POLICY, facts("buy", value=50000.01, confidence=0.9))
    assert (exactly.rule, exactly.second_approver_roles) == ("workflows.buy", ())
    assert (above.rule, above.second_approver_roles) == ("mandatory[big-actions]", ("executive",))
    assert above.approver_roles == ("buyer",)
    assert above.tier is Tier.APPROVAL_REQUIRED


def test_a_second_approver_stops_auto_execution():
    text = ENTERPRISE.replace(
        "      risk_at_most: 800\n",
        "      risk_at_most: 800\n"
        "    second_approver:\n      above_value: 1000\n      roles: [executive]\n",
    )
    routing = route(PolicySet.from_texts({"e.yaml": text}), facts(**AT_EVERY_BUY_LIMIT))
    assert routing.tier is Tier.APPROVAL_REQUIRED
    assert routing.second_approver_roles == ("executive",)
    assert "a second approval is needed, so it cannot auto_execute" in routing.reasons


def test_explain_shows_each_condition_and_each_mandatory_rule():
    lines = explain(
        POLICY,
        facts(value=60000.0, quantity=5.0, change_vs_last_order=0.1, confidence=0.9, risk=10.0),
    )
    assert lines[0] == f"policy {POLICY.version}"
    assert "failed: value 60,000.00 is above auto_when.value_at_most 5,000.00" in lines
    assert "passed: confidence 0.9 is at least auto_when.confidence_at_least 0.8" in lines
    assert "mandatory[no-auto-po-change] does not cover buy" in lines
    assert lines[-1] == (
        "outcome: approval_required by mandatory[big-actions]: approvers buyer; "
        "second approver executive"
    )


def test_routing_round_trips_through_json():
    routing = route(POLICY, facts(value=60000.0))
    stored = json.loads(json.dumps(routing.to_json()))
    assert stored["tier"] == "approval_required"
    assert Routing.from_json(stored) == routing


@pytest.mark.parametrize(
    ("kind", "workflow"),
    [
        ("buy", "buy"),
        ("transfer", "transfer"),
        ("rebalance", "transfer"),
        ("expedite", "expedite"),
        ("defer", "po_change"),
        ("cancel", "po_change"),
    ],
)
def test_recommendation_kinds_map_to_workflows(kind, workflow):
    assert workflow_for_kind(kind) == workflow


def test_an_unknown_kind_is_a_clear_error():
    with pytest.raises(
        UnknownWorkflow, match=r"unknown recommendation kind 'teleport' \(known: buy,"
    ):
        workflow_for_kind("teleport")


def test_facts_refuse_an_unknown_workflow_and_a_confidence_outside_zero_to_one():
    with pytest.raises(UnknownWorkflow, match="unknown workflow 'purchase'"):
        facts("purchase")
    with pytest.raises(InvalidRecord, match=r"recommendation R-1: confidence=1\.2"):
        facts(confidence=1.2)


def test_policy_roles_are_the_access_roles():
    assert tuple(str(role) for role in Role) == KNOWN_ROLES


class TestDemoPolicy:
    demo = load_demo_policy()

    def test_small_confident_transfers_run_on_their_own(self):
        assert (
            route(self.demo, facts("transfer", value=1500.0, confidence=0.8)).tier
            is Tier.AUTO_EXECUTE
        )
        bigger = route(self.demo, facts("transfer", value=1500.01, confidence=0.8))
        assert bigger.tier is Tier.APPROVAL_REQUIRED

    def test_buys_auto_only_when_small_confident_and_close_to_the_last_order(self):
        fits = {"value": 2000.0, "confidence": 0.8, "change_vs_last_order": 0.25}
        assert route(self.demo, facts("buy", **fits)).tier is Tier.AUTO_EXECUTE
        for fact, over in (("value", 2000.5), ("confidence", 0.79), ("change_vs_last_order", 0.26)):
            routing = route(self.demo, facts("buy", **{**fits, fact: over}))
            assert (routing.tier, routing.approver_roles) == (Tier.APPROVAL_REQUIRED, ("buyer",))

    def test_expedites_need_a_buyer_and_an_executive_above_ten_thousand(self):
        small = route(self.demo, facts("expedite", value=10000.0))
        large = route(self.demo, facts("expedite", value=10001.0))
        assert (small.approver_roles, small.second_approver_roles) == (("buyer",), ())
        assert (large.approver_roles, large.second_approver_roles) == (("buyer",), ("executive",))

    def test_po_changes_need_a_buyer(self):
        routing = route(self.demo, facts("po_change", value=100.0))
        assert (routing.tier, routing.approver_roles) == (Tier.APPROVAL_REQUIRED, ("buyer",))

    def test_anything_above_fifty_thousand_needs_an_executive_too(self):
        routing = route(self.demo, facts("po_change", value=50000.01))
        assert routing.rule == "mandatory[big-actions]"
        assert routing.second_approver_roles == ("executive",)

    def test_an_action_of_unknown_value_gets_the_executive_to_be_safe(self):
        routing = route(self.demo, facts("customer_message"))
        assert routing.second_approver_roles == ("executive",)
