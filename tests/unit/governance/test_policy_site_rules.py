"""What a site file may not do: loosen a mandatory rule or a locked enterprise workflow,
or name approvers who may not approve."""

import pytest

from crossdock.governance.policy import PolicyError, PolicySet, Problem, Tier
from tests.unit.governance.test_policy_texts import ENTERPRISE

BUY_LOCKED = ENTERPRISE.replace(
    "      risk_at_most: 800\n", "      risk_at_most: 800\n    locked: true\n"
)


def site(workflows: str) -> str:
    return f"policy: acme-br02\nversion: 1\nscope: site\nsite: BR02\nworkflows:\n{workflows}"


def problems(site_text: str, enterprise: str = ENTERPRISE) -> list[Problem]:
    with pytest.raises(PolicyError) as raised:
        PolicySet.from_texts({"enterprise.yaml": enterprise, "site-BR02.yaml": site_text})
    return list(raised.value.problems)


def accepted(site_text: str, enterprise: str = ENTERPRISE) -> PolicySet:
    return PolicySet.from_texts({"enterprise.yaml": enterprise, "site-BR02.yaml": site_text})


def test_a_site_cannot_raise_the_tier_a_mandatory_rule_pins_for_every_value():
    unlimited, problem = problems(site("  po_change:\n    tier: auto_execute\n"))
    assert "value_at_most has no limit loosens mandatory[big-actions]" in unlimited.message
    assert (problem.file, problem.line, problem.path) == (
        "site-BR02.yaml",
        7,
        "workflows.po_change.tier",
    )
    assert problem.message == (
        "auto_execute loosens mandatory[no-auto-po-change] (enterprise.yaml line 41), which "
        "allows po_change at most approval_required for every recommendation"
    )


def test_a_site_may_keep_or_lower_a_pinned_tier():
    policy = accepted(site("  po_change:\n    tier: recommend_only\n"))
    assert policy.settings_for("po_change", "BR02").tier is Tier.RECOMMEND_ONLY


def test_a_site_cannot_auto_execute_above_a_mandatory_value_threshold():
    text = site("  transfer:\n    auto_when:\n      value_at_most: 60000\n")
    (problem,) = problems(text)
    assert (problem.line, problem.path) == (8, "workflows.transfer.auto_when.value_at_most")
    assert "mandatory[big-actions] (enterprise.yaml line 35)" in problem.message
    assert problem.message.startswith(
        "auto_execute where value_at_most 60,000 is above 50,000 loosens"
    )


def test_a_site_cannot_auto_execute_without_a_value_limit_under_a_value_rule():
    (problem,) = problems(site("  transfer:\n    auto_when:\n      confidence_at_least: 0.9\n"))
    assert (problem.line, problem.path) == (7, "workflows.transfer.auto_when")
    assert "value_at_most has no limit" in problem.message


def test_a_site_may_tighten_an_auto_workflow_the_enterprise_leaves_without_a_value_limit():
    text = site("  allocation:\n    auto_when:\n      customer_tiers: [C]\n")
    assert accepted(text).settings_for("allocation", "BR02").tier is Tier.AUTO_EXECUTE


def test_a_site_may_loosen_a_workflow_the_enterprise_does_not_lock():
    policy = accepted(site("  transfer:\n    auto_when:\n      value_at_most: 3000\n"))
    auto_when = policy.settings_for("transfer", "BR02").auto_when
    assert auto_when is not None
    assert auto_when.value_at_most == 3000


def test_a_site_cannot_raise_the_tier_of_a_locked_workflow():
    unlimited, problem = problems(site("  expedite:\n    tier: auto_execute\n"))
    assert (unlimited.line, unlimited.path) == (7, "workflows.expedite.tier")
    assert (problem.line, problem.path) == (7, "workflows.expedite.tier")
    assert problem.message == (
        "auto_execute is more autonomous than approval_required of locked workflows.expedite "
        "(enterprise.yaml line 22)"
    )


def test_a_site_cannot_remove_a_locked_second_approver():
    (problem,) = problems(site("  expedite:\n    second_approver: null\n"))
    assert (problem.line, problem.path) == (7, "workflows.expedite.second_approver")
    assert problem.message.startswith("removes the second approver of locked workflows.expedite")


def test_a_site_cannot_raise_a_locked_second_approver_limit_or_widen_its_roles():
    text = site(
        "  expedite:\n    second_approver:\n      above_value: 20000\n"
        "      roles: [executive, buyer]\n"
    )
    found = problems(text)
    assert [(p.line, p.path) for p in found] == [
        (8, "workflows.expedite.second_approver.above_value"),
        (9, "workflows.expedite.second_approver.roles"),
    ]


def test_a_site_may_tighten_a_locked_second_approver():
    text = site(
        "  expedite:\n    second_approver:\n      above_value: 5000\n      roles: [executive]\n"
    )
    second = accepted(text).settings_for("expedite", "BR02").second_approver
    assert second is not None
    assert second.above_value == 5000


def test_a_site_cannot_add_approvers_to_a_locked_workflow():
    (problem,) = problems(site("  expedite:\n    approvers: [buyer, planner]\n"))
    assert (problem.line, problem.path) == (7, "workflows.expedite.approvers")
    assert problem.message.startswith("adds approver roles planner beyond buyer")


def test_a_site_cannot_raise_or_drop_a_locked_auto_limit():
    text = site(
        "  buy:\n    auto_when:\n      value_at_most: 6000\n      confidence_at_least: 0.7\n"
    )
    found = problems(text, BUY_LOCKED)
    assert [(p.line, p.path) for p in found] == [
        (7, "workflows.buy.auto_when"),  # quantity_at_most dropped
        (7, "workflows.buy.auto_when"),  # change_vs_last_order_at_most dropped
        (7, "workflows.buy.auto_when"),  # risk_at_most dropped
        (8, "workflows.buy.auto_when.value_at_most"),
        (9, "workflows.buy.auto_when.confidence_at_least"),
    ]
    assert found[0].message.startswith("drops auto_when.quantity_at_most (100) of locked")
    assert found[3].message == (
        "6,000 is looser than 5,000 of locked workflows.buy (enterprise.yaml line 8)"
    )


def test_a_site_may_tighten_a_locked_auto_limit():
    text = site(
        "  buy:\n    auto_when:\n      value_at_most: 4000\n      quantity_at_most: 50\n"
        "      change_vs_last_order_at_most: 0.1\n      confidence_at_least: 0.9\n"
        "      risk_at_most: 100\n"
    )
    assert accepted(text, BUY_LOCKED).settings_for("buy", "BR02").auto_when is not None


def test_approvers_who_may_not_approve_the_workflow_are_an_error():
    (problem,) = problems(site("  transfer:\n    approvers: [finance]\n"))
    assert (problem.file, problem.line, problem.path) == (
        "site-BR02.yaml",
        7,
        "workflows.transfer.approvers",
    )
    assert problem.message.startswith("none of finance may approve transfer")
