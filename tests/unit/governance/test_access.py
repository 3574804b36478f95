"""Roles, the permission matrix, principals, authorize and segregation of duties."""

from __future__ import annotations

import pytest

from crossdock.domain.errors import CrossdockError
from crossdock.domain.lifecycle import Action
from crossdock.governance.access import (
    PERMISSIONS,
    SYSTEM,
    WORKFLOW_ACTIVITIES,
    WORKFLOWS,
    Activity,
    InvalidPrincipal,
    NotAllowed,
    Principal,
    Role,
    SegregationOfDuties,
    UnknownName,
    allows,
    authorize,
    check_segregation,
    permission_table,
    roles_allowed,
)

ALL_WORKFLOWS = (
    "buy",
    "transfer",
    "expedite",
    "po_change",
    "allocation",
    "order_exception",
    "invoice_match",
    "customer_message",
    "supplier_follow_up",
    "receiving",
)
EVERY = "every workflow"
YES = "yes"

# The matrix written out by hand, independent of PERMISSIONS. Per-workflow activities
# name the workflows, space-separated; other activities say YES. Missing: refused.
PLANNER = "buy transfer"
BUYER = "buy expedite po_change supplier_follow_up"
SUPERVISOR = "transfer allocation receiving"
SERVICE = "order_exception customer_message allocation"
FINANCE = "invoice_match"
EXPECTED: dict[str, dict[str, str]] = {
    "planner": {
        "propose": PLANNER,
        "approve": PLANNER,
        "reject": PLANNER,
        "modify": PLANNER,
        "cancel": PLANNER,
        "reverse": PLANNER,
        "view_recommendations": YES,
        "view_kpis": YES,
        "run_plan": YES,
    },
    "buyer": {
        "propose": BUYER,
        "approve": BUYER,
        "reject": BUYER,
        "modify": BUYER,
        "cancel": BUYER,
        "reverse": BUYER,
        "view_recommendations": YES,
        "view_kpis": YES,
    },
    "warehouse_supervisor": {
        "propose": SUPERVISOR,
        "approve": SUPERVISOR,
        "reject": SUPERVISOR,
        "modify": SUPERVISOR,
        "cancel": SUPERVISOR,
        "reverse": SUPERVISOR,
        "view_recommendations": YES,
        "view_kpis": YES,
    },
    "customer_service": {
        "propose": SERVICE,
        "approve": SERVICE,
        "reject": SERVICE,
        "modify": SERVICE,
        "cancel": SERVICE,
        "reverse": SERVICE,
        "view_recommendations": YES,
        "view_kpis": YES,
    },
    "finance": {
        "propose": FINANCE,
        "approve": FINANCE,
        "reject": FINANCE,
        "modify": FINANCE,
        "cancel": FINANCE,
        "reverse": FINANCE,
        "view_recommendations": YES,
        "view_kpis": YES,
        "view_audit": YES,
        "export_audit": YES,
    },
    "executive": {
        "approve": EVERY,
        "reject": EVERY,
        "view_recommendations": YES,
        "view_kpis": YES,
        "view_audit": YES,
    },
    "admin": {
        "view_recommendations": YES,
        "view_kpis": YES,
        "view_audit": YES,
        "verify_audit": YES,
        "purge_audit": YES,
        "manage_users": YES,
        "manage_policy": YES,
        "run_plan": YES,
        "import_data": YES,
        "score_outcomes": YES,
    },
    "auditor": {
        "view_recommendations": YES,
        "view_kpis": YES,
        "view_audit": YES,
        "verify_audit": YES,
        "export_audit": YES,
    },
}
PER_WORKFLOW = {"propose", "approve", "reject", "modify", "cancel", "reverse"}
ALL_ACTIVITIES = (
    "auto_approve",
    "request_approval",
    "approve",
    "reject",
    "modify",
    "execute",
    "commit",
    "fail",
    "reverse",
    "cancel",
    "expire",
    "propose",
    "view_recommendations",
    "view_audit",
    "verify_audit",
    "export_audit",
    "purge_audit",
    "manage_users",
    "manage_policy",
    "run_plan",
    "import_data",
    "score_outcomes",
    "view_kpis",
)


def expected_allowed(role: str, activity: str, workflow: str) -> bool:
    cell = EXPECTED[role].get(activity)
    if cell is None:
        return False
    if cell in (YES, EVERY):
        return True
    return workflow in cell.split()


def person(*roles: str, sites: set[str] | None = None, name: str = "ana") -> Principal:
    return Principal(
        username=name,
        kind="person",
        roles=frozenset(Role(r) for r in roles),
        sites=None if sites is None else frozenset(sites),
    )


def agent(*actions: str, data: set[str] | None = None, sites: set[str] | None = None) -> Principal:
    return Principal(
        username="replenishment-agent",
        kind="agent",
        sites=None if sites is None else frozenset(sites),
        agent_actions=frozenset(actions),
        agent_data=frozenset(data or ()),
    )


# -- the matrix -----------------------------------------------------------------------


def test_names_match_the_brief() -> None:
    assert tuple(Role) == tuple(EXPECTED)
    assert tuple(a.value for a in Activity) == ALL_ACTIVITIES
    assert WORKFLOWS == ALL_WORKFLOWS
    assert WORKFLOW_ACTIVITIES == PER_WORKFLOW


def test_every_lifecycle_action_is_an_activity_with_the_same_value() -> None:
    for action in Action:
        assert Activity(action.value) == action.value


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("activity", ALL_ACTIVITIES)
def test_every_role_x_activity_x_workflow_matches_the_written_table(
    role: str, activity: str
) -> None:
    someone = person(role)
    for workflow in ALL_WORKFLOWS:
        expected = expected_allowed(role, activity, workflow)
        assert allows(someone, activity, workflow=workflow) is expected, (
            role,
            activity,
            workflow,
        )


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("activity", sorted(set(ALL_ACTIVITIES) - PER_WORKFLOW))
def test_activities_not_per_workflow_need_no_workflow(role: str, activity: str) -> None:
    assert allows(person(role), activity) is (activity in EXPECTED[role])


@pytest.mark.parametrize(
    "activity",
    ["auto_approve", "request_approval", "execute", "commit", "fail", "expire"],
)
def test_no_person_runs_the_systems_lifecycle_steps(activity: str) -> None:
    everyone = person(*EXPECTED)
    assert not allows(everyone, activity, workflow="buy")


def test_roles_combine_as_a_union() -> None:
    both = person("planner", "auditor")
    assert allows(both, "approve", workflow="transfer")
    assert allows(both, "export_audit")
    assert not allows(both, "approve", workflow="expedite")


def test_no_role_may_both_decide_and_manage_users_or_policy() -> None:
    for role, grants in PERMISSIONS.items():
        manages = {Activity.MANAGE_USERS, Activity.MANAGE_POLICY} & grants.general
        decides = {Activity.APPROVE, Activity.REJECT, Activity.MODIFY} & set(grants.per_workflow)
        assert not (manages and decides), role


def test_every_workflow_has_an_owner_who_may_propose_approve_and_modify() -> None:
    for workflow in ALL_WORKFLOWS:
        for activity in ("propose", "approve", "modify"):
            owners = roles_allowed(activity, workflow=workflow) - {Role.EXECUTIVE}
            assert owners, (workflow, activity)


def test_roles_allowed_names_who_may_approve_a_transfer() -> None:
    assert roles_allowed("approve", workflow="transfer") == {
        Role.PLANNER,
        Role.WAREHOUSE_SUPERVISOR,
        Role.EXECUTIVE,
    }
    assert roles_allowed("manage_users") == {Role.ADMIN}


def test_permission_table_has_a_row_per_activity_and_the_written_cells() -> None:
    rows = {row["activity"]: row for row in permission_table()}
    assert tuple(rows) == ALL_ACTIVITIES
    for role, cells in EXPECTED.items():
        for activity in ALL_ACTIVITIES:
            cell = rows[activity][role]
            wanted = cells.get(activity, "")
            assert cell == (wanted.replace(" ", ", ") if wanted not in (YES, EVERY) else wanted)
    assert rows["approve"]["agent"] == ""
    assert rows["execute"]["agent"] == "if declared"
    assert rows["approve"]["system"] == ""
    assert rows["execute"]["system"] == "yes"


# -- refusals and their messages --------------------------------------------------------


def test_refusal_names_user_roles_activity_workflow_site_and_who_may() -> None:
    someone = person("planner", name="ana")
    with pytest.raises(NotAllowed) as refused:
        authorize(someone, "approve", workflow="expedite", site="BR01")
    error = refused.value
    assert isinstance(error, CrossdockError)
    assert str(error) == (
        "ana (planner) may not approve on workflow expedite at site BR01: no role of theirs"
        " allows approve on expedite (allowed to: buyer, executive)"
    )
    assert (error.username, error.roles, error.activity) == ("ana", (Role.PLANNER,), "approve")
    assert (error.workflow, error.site) == ("expedite", "BR01")


def test_authorize_passes_quietly_when_allowed() -> None:
    authorize(person("buyer"), "approve", workflow="buy", site="BR01")


def test_admin_may_not_approve_anything() -> None:
    admin = person("admin")
    for workflow in ALL_WORKFLOWS:
        with pytest.raises(NotAllowed, match="no role of theirs allows approve"):
            authorize(admin, "approve", workflow=workflow)


def test_auditor_changes_nothing() -> None:
    auditor = person("auditor")
    changes = set(ALL_ACTIVITIES) - {
        "view_recommendations",
        "view_audit",
        "verify_audit",
        "export_audit",
        "view_kpis",
    }
    for activity in changes:
        assert not allows(auditor, activity, workflow="buy"), activity


def test_executive_approves_everywhere_but_never_modifies() -> None:
    executive = person("executive")
    for workflow in ALL_WORKFLOWS:
        assert allows(executive, "approve", workflow=workflow)
        assert not allows(executive, "modify", workflow=workflow)


def test_a_per_workflow_activity_needs_the_workflow() -> None:
    with pytest.raises(NotAllowed, match="approve is granted per workflow"):
        authorize(person("buyer"), "approve")


def test_unknown_activity_and_workflow_are_named() -> None:
    with pytest.raises(UnknownName, match="unknown activity 'aprove'"):
        allows(person("buyer"), "aprove", workflow="buy")
    with pytest.raises(UnknownName, match="unknown workflow 'buys'"):
        authorize(person("buyer"), "approve", workflow="buys")


def test_a_person_without_roles_may_do_nothing() -> None:
    nobody = Principal(username="new-hire", kind="person")
    with pytest.raises(NotAllowed, match="they hold no role"):
        authorize(nobody, "view_recommendations")


# -- sites ------------------------------------------------------------------------------


def test_site_scoped_person_acts_only_at_their_sites() -> None:
    scoped = person("warehouse_supervisor", sites={"BR01", "DC1"})
    assert allows(scoped, "approve", workflow="transfer", site="BR01")
    with pytest.raises(NotAllowed, match=r"BR02 is outside their sites \(BR01, DC1\)"):
        authorize(scoped, "approve", workflow="transfer", site="BR02")


def test_site_scoped_person_must_name_the_site_to_decide() -> None:
    scoped = person("buyer", sites={"BR01"})
    with pytest.raises(NotAllowed, match="act for sites BR01 only and no site was named"):
        authorize(scoped, "approve", workflow="buy")
    assert allows(scoped, "view_kpis")


def test_unscoped_person_acts_at_every_site() -> None:
    assert allows(person("buyer"), "approve", workflow="buy", site="ANYWHERE")


def test_right_site_does_not_grant_a_missing_role() -> None:
    scoped = person("customer_service", sites={"BR01"})
    assert not allows(scoped, "approve", workflow="buy", site="BR01")


# -- agents and the system ----------------------------------------------------------------


def test_agent_may_do_exactly_what_it_declares() -> None:
    bot = agent("propose", "request_approval")
    assert allows(bot, "propose", workflow="buy")
    assert allows(bot, "request_approval", workflow="buy")
    with pytest.raises(NotAllowed, match="the agent was not granted execute"):
        authorize(bot, "execute", workflow="buy")
    assert not allows(bot, "view_recommendations")


@pytest.mark.parametrize(
    "activity",
    ["approve", "reject", "modify", "reverse", "cancel", "manage_users", "manage_policy"],
)
def test_agent_never_decides_or_manages_even_when_declared(activity: str) -> None:
    bot = agent(activity, "propose")
    with pytest.raises(NotAllowed, match=f"no agent may {activity}, whatever it declares"):
        authorize(bot, activity, workflow="buy")


def test_agent_is_limited_to_its_sites() -> None:
    bot = agent("propose", sites={"DC1"})
    assert allows(bot, "propose", workflow="transfer", site="DC1")
    assert not allows(bot, "propose", workflow="transfer", site="BR01")


def test_agent_refusal_says_it_is_an_agent() -> None:
    with pytest.raises(NotAllowed) as refused:
        authorize(agent("propose"), "execute", workflow="buy", site="DC1")
    assert str(refused.value) == (
        "replenishment-agent (agent) may not execute on workflow buy at site DC1: the agent"
        " was not granted execute (it declares: propose)"
    )


@pytest.mark.parametrize(
    "activity",
    [
        "auto_approve",
        "request_approval",
        "execute",
        "commit",
        "fail",
        "cancel",
        "reverse",
        "expire",
        "propose",
        "run_plan",
        "import_data",
        "score_outcomes",
    ],
)
def test_system_runs_lifecycle_steps_and_jobs_everywhere(activity: str) -> None:
    for workflow in ALL_WORKFLOWS:
        assert allows(SYSTEM, activity, workflow=workflow, site="ANY")


@pytest.mark.parametrize(
    "activity", ["approve", "reject", "modify", "manage_users", "manage_policy"]
)
def test_system_never_decides_or_manages(activity: str) -> None:
    with pytest.raises(NotAllowed, match=f"the system never does {activity}"):
        authorize(SYSTEM, activity, workflow="buy")


# -- principals ---------------------------------------------------------------------------


def test_principal_accepts_role_names_and_checks_them() -> None:
    named = Principal(username="bo", kind="person", roles=frozenset({"buyer"}))  # type: ignore[arg-type]
    assert named.roles == {Role.BUYER}
    with pytest.raises(UnknownName, match="unknown role 'byer'"):
        Principal(username="bo", kind="person", roles=frozenset({"byer"}))  # type: ignore[arg-type]


def test_principal_refuses_contradictions() -> None:
    with pytest.raises(InvalidPrincipal, match="agent_actions and agent_data are for agents"):
        Principal(username="bo", kind="person", agent_actions=frozenset({"propose"}))
    with pytest.raises(InvalidPrincipal, match="an agent holds no roles"):
        Principal(
            username="bot", kind="agent", roles=frozenset({Role.ADMIN}), agent_actions=frozenset()
        )
    with pytest.raises(InvalidPrincipal, match="kind 'robot'"):
        Principal(username="bot", kind="robot")  # type: ignore[arg-type]
    with pytest.raises(UnknownName, match="unknown activity 'proposes'"):
        agent("proposes")


# -- segregation of duties ----------------------------------------------------------------


def test_proposer_cannot_approve() -> None:
    with pytest.raises(SegregationOfDuties) as refused:
        check_segregation(
            person("buyer", name="ana"),
            recommendation_id=42,
            proposed_by="ana",
            modified_by=None,
            approved_by=(),
        )
    assert str(refused.value) == (
        "ana may not approve recommendation 42: they proposed it; a different person must decide"
    )
    assert isinstance(refused.value, CrossdockError)


def test_modifier_cannot_approve() -> None:
    with pytest.raises(SegregationOfDuties, match="they modified it"):
        check_segregation(
            person("buyer", name="ana"),
            recommendation_id="R-7",
            proposed_by="replenishment-agent",
            modified_by="Ana",
            approved_by=(),
        )


def test_same_person_cannot_give_both_approvals() -> None:
    with pytest.raises(SegregationOfDuties, match="they already approved it"):
        check_segregation(
            person("executive", name="ana"),
            recommendation_id="R-7",
            proposed_by="replenishment-agent",
            modified_by=None,
            approved_by=["ana"],
        )


def test_a_different_person_may_approve() -> None:
    check_segregation(
        person("executive", name="eve"),
        recommendation_id="R-7",
        proposed_by="bo",
        modified_by="cy",
        approved_by=["ana"],
    )


def test_a_connector_agent_may_import_data_only_when_it_declares_it() -> None:
    assert allows(agent("import_data"), "import_data")
    assert not allows(agent("propose"), "import_data")
