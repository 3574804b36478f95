"""Loading policy files: schema errors with file and line, versions, stored texts."""

from pathlib import Path

import pytest

from crossdock.domain.errors import CrossdockError
from crossdock.governance.policy import (
    PolicyError,
    PolicySet,
    Problem,
    Tier,
    demo_policy_text,
    load_demo_policy,
    load_policy,
)
from tests.conftest import REPO_ROOT
from tests.unit.governance.test_policy_texts import ENTERPRISE, SITE_BR01

EXAMPLES = REPO_ROOT / "examples" / "policies"


def problems_of(texts: dict[str, str]) -> list[Problem]:
    with pytest.raises(PolicyError) as raised:
        PolicySet.from_texts(texts)
    return list(raised.value.problems)


def only_problem(texts: dict[str, str]) -> Problem:
    problems = problems_of(texts)
    assert len(problems) == 1, problems
    return problems[0]


def test_policy_error_is_a_crossdock_error_naming_file_line_and_path():
    text = ENTERPRISE.replace("value_at_most: 5000", "value_at_most: lots")
    with pytest.raises(CrossdockError) as raised:
        PolicySet.from_texts({"enterprise.yaml": text})
    assert isinstance(raised.value, PolicyError)
    assert str(raised.value.problems[0]) == (
        "enterprise.yaml line 12: workflows.buy.auto_when.value_at_most: "
        "expected a number, got 'lots'"
    )


def test_bad_type_names_the_line_path_and_value():
    problem = only_problem({"e.yaml": ENTERPRISE.replace("version: 4", "version: four")})
    assert (problem.file, problem.line, problem.path) == ("e.yaml", 2, "version")
    assert problem.value == "four"
    assert problem.message == "expected a whole number, got 'four'"


def test_a_quoted_number_is_not_a_number():
    problem = only_problem(
        {"e.yaml": ENTERPRISE.replace("risk_at_most: 800", 'risk_at_most: "800"')}
    )
    assert (problem.line, problem.path) == (16, "workflows.buy.auto_when.risk_at_most")


def test_unknown_key_is_an_error_on_its_own_line():
    text = ENTERPRISE.replace(
        "      risk_at_most: 800\n", "      risk_at_most: 800\n      colour: red\n"
    )
    problem = only_problem({"e.yaml": text})
    assert (problem.line, problem.path) == (17, "workflows.buy.auto_when.colour")
    assert problem.message.startswith("unknown key 'colour'; expected one of: value_at_most,")


def test_unknown_workflow_is_an_error():
    problem = only_problem({"e.yaml": ENTERPRISE.replace("  transfer:\n", "  transfers:\n")})
    assert (problem.line, problem.path) == (17, "workflows.transfers")
    assert problem.message.startswith("unknown workflow 'transfers'")


def test_unknown_role_names_the_list_item_line():
    text = ENTERPRISE.replace("approvers: [customer_service]", "approvers:\n      - purchaser")
    problem = only_problem({"e.yaml": text})
    assert (problem.line, problem.path) == (32, "workflows.allocation.approvers[0]")
    assert problem.message.startswith("unknown role 'purchaser'; known roles: planner, buyer,")


def test_unknown_tier_is_an_error():
    text = ENTERPRISE.replace(
        "tier: approval_required\n    approvers: [buyer]", "tier: sometimes\n    approvers: [buyer]"
    )
    problem = only_problem({"e.yaml": text})
    assert (problem.line, problem.path) == (23, "workflows.expedite.tier")
    assert problem.message == (
        "unknown tier 'sometimes'; tiers: recommend_only, approval_required, auto_execute"
    )


def test_every_schema_problem_is_reported_not_just_the_first():
    text = ENTERPRISE.replace("version: 4", "version: 0").replace("[buyer]", "[buyr]")
    problems = problems_of({"e.yaml": text})
    assert [(p.line, p.path) for p in problems] == [
        (2, "version"),
        (10, "workflows.buy.approvers[0]"),
        (24, "workflows.expedite.approvers[0]"),
    ]
    assert problems[0].message == "expected at least 1, got 0"


def test_yaml_syntax_error_names_the_line():
    text = ENTERPRISE.replace(
        "  transfer:\n    tier: auto_execute", "  transfer:\n    tier: [auto_execute"
    )
    problem = only_problem({"e.yaml": text})
    assert problem.file == "e.yaml"
    assert problem.line is not None
    assert 18 <= problem.line <= 20
    assert problem.message.startswith("invalid YAML:")


def test_duplicate_key_is_an_error():
    text = ENTERPRISE.replace(
        "    tier: auto_execute\n    approvers: [buyer]",
        "    tier: auto_execute\n    tier: recommend_only\n    approvers: [buyer]",
    )
    problem = only_problem({"e.yaml": text})
    assert (problem.line, problem.path) == (10, "workflows.buy.tier")
    assert problem.message.startswith("duplicate key 'tier'")


def test_missing_required_key():
    problem = only_problem({"e.yaml": ENTERPRISE.replace("version: 4\n", "")})
    assert (problem.path, problem.message) == ("version", "required key is missing")


def test_a_site_code_read_as_a_number_asks_for_quotes():
    problem = only_problem(
        {"e.yaml": ENTERPRISE, "s.yaml": SITE_BR01.replace("site: BR01", "site: 101")}
    )
    assert (problem.file, problem.line, problem.path) == ("s.yaml", 4, "site")
    assert problem.message == "expected text, got 101 (put it in quotes)"


def test_an_empty_file_is_an_error():
    assert only_problem({"e.yaml": "# nothing yet\n"}).message.startswith("the file is empty")


def test_site_files_alone_are_not_a_policy():
    problem = only_problem({"s.yaml": SITE_BR01})
    assert problem.message == "no enterprise file: one needs scope: enterprise"


def test_two_files_for_one_site_are_an_error():
    problem = only_problem({"e.yaml": ENTERPRISE, "a.yaml": SITE_BR01, "b.yaml": SITE_BR01})
    assert (problem.file, problem.line, problem.message) == (
        "b.yaml",
        4,
        "site BR01 already has a.yaml",
    )


def test_a_site_file_cannot_hold_mandatory_rules_defaults_or_locks():
    text = SITE_BR01.replace(
        "    tier: approval_required\n",
        "    tier: approval_required\n    locked: true\ndefaults:\n  tier: recommend_only\n",
    )
    problems = problems_of({"e.yaml": ENTERPRISE, "s.yaml": text})
    assert [(p.line, p.path) for p in problems] == [
        (14, "defaults"),
        (13, "workflows.transfer.locked"),
    ]


def test_extends_must_name_the_enterprise_policy():
    problem = only_problem(
        {"e.yaml": ENTERPRISE, "s.yaml": SITE_BR01.replace("extends: acme", "extends: other")}
    )
    assert (problem.line, problem.path) == (5, "extends")


def test_version_names_policy_and_number_and_a_digest_of_every_text():
    policy = PolicySet.from_texts({"e.yaml": ENTERPRISE, "s.yaml": SITE_BR01})
    name, rest = policy.version.split("@")
    number, digest = rest.split("#")
    assert (name, number, len(digest)) == ("acme", "4", 12)
    assert all(c in "0123456789abcdef" for c in digest)


def test_version_changes_when_any_file_changes_even_a_comment():
    base = PolicySet.from_texts({"e.yaml": ENTERPRISE, "s.yaml": SITE_BR01}).version
    site_changed = PolicySet.from_texts({"e.yaml": ENTERPRISE, "s.yaml": SITE_BR01 + "# note\n"})
    enterprise_changed = PolicySet.from_texts(
        {"e.yaml": ENTERPRISE + "# note\n", "s.yaml": SITE_BR01}
    )
    enterprise_only = PolicySet.from_texts({"e.yaml": ENTERPRISE})
    versions = {base, site_changed.version, enterprise_changed.version, enterprise_only.version}
    assert len(versions) == 4
    assert PolicySet.from_texts({"e.yaml": ENTERPRISE, "s.yaml": SITE_BR01}).version == base


def test_from_texts_rebuilds_the_same_policy_from_stored_texts():
    loaded = load_policy(EXAMPLES / "enterprise.yaml", EXAMPLES / "site-BR01.yaml")
    rebuilt = PolicySet.from_texts(dict(loaded.texts))
    assert rebuilt.version == loaded.version
    assert list(rebuilt.texts) == [
        str(EXAMPLES / "enterprise.yaml"),
        str(EXAMPLES / "site-BR01.yaml"),
    ]
    assert rebuilt.enterprise == loaded.enterprise
    assert dict(rebuilt.sites) == dict(loaded.sites)


def test_load_policy_takes_paths_and_texts():
    from_text = load_policy(ENTERPRISE, SITE_BR01)
    assert list(from_text.texts) == ["<text 1>", "<text 2>"]
    assert sorted(from_text.sites) == ["BR01"]


def test_example_policies_load():
    policy = load_policy(EXAMPLES / "enterprise.yaml", EXAMPLES / "site-BR01.yaml")
    assert policy.name == "acme-distribution"
    assert sorted(policy.sites) == ["BR01"]
    assert policy.settings_for("expedite", "BR01").second_approver is not None


def test_demo_policy_is_packaged_and_loads():
    policy = load_demo_policy()
    assert policy.version.startswith("demo@1#")
    assert policy.texts == {"demo.yaml": demo_policy_text()}
    assert policy.settings_for("transfer", "BR02").tier is Tier.AUTO_EXECUTE
    assert [rule.id for rule in policy.mandatory] == ["big-actions", "strategic-customers"]


def test_demo_policy_file_is_the_packaged_one():
    packaged = REPO_ROOT / "src" / "crossdock" / "governance" / "policy" / "demo.yaml"
    assert load_policy(Path(packaged)).enterprise == load_demo_policy().enterprise
