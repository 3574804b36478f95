"""Policy texts shared by the policy tests (their line numbers are asserted there)."""

from crossdock.governance.policy import PolicySet

ENTERPRISE = """\
policy: acme
version: 4
scope: enterprise
defaults:
  tier: approval_required
  approvers: [executive]
workflows:
  buy:
    tier: auto_execute
    approvers: [buyer]
    auto_when:
      value_at_most: 5000
      quantity_at_most: 100
      change_vs_last_order_at_most: 0.25
      confidence_at_least: 0.8
      risk_at_most: 800
  transfer:
    tier: auto_execute
    approvers: [planner]
    auto_when:
      value_at_most: 1500
  expedite:
    tier: approval_required
    approvers: [buyer]
    second_approver:
      above_value: 10000
      roles: [executive]
    locked: true
  allocation:
    tier: auto_execute
    approvers: [customer_service]
    auto_when:
      customer_tiers: [B, C]
mandatory:
  - id: big-actions
    workflow: "*"
    when:
      value_above: 50000
    require:
      second_approver_roles: [executive]
  - id: no-auto-po-change
    workflow: po_change
    require:
      max_tier: approval_required
  - id: shaky-transfers
    workflow: transfer
    when:
      confidence_below: 0.5
    require:
      max_tier: recommend_only
"""

SITE_BR01 = """\
policy: acme-br01
version: 1
scope: site
site: BR01
extends: acme
workflows:
  buy:
    approvers: [planner, buyer]
    auto_when:
      value_at_most: 9000
  transfer:
    tier: approval_required
"""


def test_the_shared_texts_make_a_valid_policy():
    policy = PolicySet.from_texts({"enterprise.yaml": ENTERPRISE, "site-BR01.yaml": SITE_BR01})
    assert (policy.name, sorted(policy.sites)) == ("acme", ["BR01"])
