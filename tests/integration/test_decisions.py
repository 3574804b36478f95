"""The lifecycle handler on real databases: one winner when two people decide at once,
refusals that change nothing, and every step in a chain that verifies."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from crossdock.adapters.db.tables import approvals, audit_ledger, recommendations
from crossdock.bootstrap import Crossdock
from crossdock.domain.errors import CrossdockError
from crossdock.domain.lifecycle import Action, InvalidTransition, Status
from crossdock.governance.access import SYSTEM, NotAllowed, Role, SegregationOfDuties
from crossdock.governance.policy import load_policy
from crossdock.service_layer.auditing import verify_audit
from crossdock.service_layer.deciding import (
    Decide,
    InvalidDecision,
    ModifiedNeedsApproval,
    RecommendOnly,
    decide,
)
from crossdock.service_layer.governance_ports import ConcurrentDecision
from crossdock.service_layer.identity import add_person
from crossdock.service_layer.routing import route_plan
from tests.integration.governance_fixtures import add_plan_run, add_recommendation

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def routed(crossdock: Crossdock) -> tuple[Crossdock, int]:
    """A buy waiting for approval (no policy loaded) and the people who may decide it."""
    for name, roles in {
        "alice": ["buyer"],
        "bob": ["buyer"],
        "carol": ["planner"],
        "dave": ["warehouse_supervisor"],
        "erin": ["auditor"],
    }.items():
        add_person(crossdock.governance, username=name, roles=roles, password=PASSWORD, now=NOW)
    plan_run = add_plan_run(crossdock.engine)
    rec = add_recommendation(crossdock.engine, plan_run)
    summary = route_plan(crossdock.governance, plan_run_id=plan_run, policy=None, now=NOW)
    assert summary.by_status == {"pending_approval": 1}
    return crossdock, rec


def _who(crossdock: Crossdock, name: str):
    principal = crossdock.governance.principal(name)
    assert principal is not None
    return principal


def _snapshot(crossdock: Crossdock, rec: int) -> tuple[object, ...]:
    with crossdock.engine.connect() as connection:
        row = connection.execute(
            select(recommendations.c.status, recommendations.c.version).where(
                recommendations.c.id == rec
            )
        ).one()
        entries = connection.execute(select(func.count()).select_from(audit_ledger)).scalar_one()
        given = connection.execute(select(func.count()).select_from(approvals)).scalar_one()
    return (row.status, row.version, entries, given, crossdock.governance.head())


def test_two_people_approving_at_once_exactly_one_wins(routed):
    crossdock, rec = routed
    version = crossdock.governance.recommendation(rec).version
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def approve(name: str) -> None:
        start.wait()
        try:
            results[name] = decide(
                crossdock.governance,
                Decide(recommendation_id=rec, action=Action.APPROVE, expected_version=version),
                actor=_who(crossdock, name),
                now=NOW,
            )
        except CrossdockError as error:
            results[name] = error

    threads = [threading.Thread(target=approve, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [name for name, result in results.items() if not isinstance(result, Exception)]
    losers = [result for result in results.values() if isinstance(result, Exception)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert isinstance(losers[0], ConcurrentDecision)
    state = crossdock.governance.recommendation(rec)
    assert state.status is Status.APPROVED
    assert [given.approver for given in state.approvals] == winners
    approvals_logged = [
        row
        for row in crossdock.governance.ledger(recommendation_id=rec)
        if row["event"] == "approve"
    ]
    assert [row["actor"] for row in approvals_logged] == winners
    assert verify_audit(crossdock.governance, actor=_who(crossdock, "erin")).ok


def test_many_concurrent_decisions_on_different_recommendations_keep_one_chain(crossdock):
    add_person(crossdock.governance, username="alice", roles=["buyer"], password=PASSWORD, now=NOW)
    plan_run = add_plan_run(crossdock.engine)
    recs = [add_recommendation(crossdock.engine, plan_run, sku=f"SKU-{i:06d}") for i in range(8)]
    route_plan(crossdock.governance, plan_run_id=plan_run, policy=None, now=NOW)
    alice = _who(crossdock, "alice")
    start = threading.Barrier(len(recs))

    def approve(rec: int) -> None:
        start.wait()
        decide(
            crossdock.governance,
            Decide(recommendation_id=rec, action=Action.APPROVE),
            actor=alice,
            now=NOW,
        )

    threads = [threading.Thread(target=approve, args=(rec,)) for rec in recs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {crossdock.governance.recommendation(r).status for r in recs} == {Status.APPROVED}
    seqs = [row["seq"] for row in crossdock.governance.ledger()]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == 3 * len(recs)  # created, request_approval, approve
    assert verify_audit(crossdock.governance, actor=SYSTEM).ok


@pytest.mark.parametrize(
    ("who", "command", "refusal"),
    [
        ("dave", Decide(0, Action.APPROVE), NotAllowed),  # supervisors do not approve buys
        ("erin", Decide(0, Action.APPROVE), NotAllowed),  # auditors change nothing
        ("alice", Decide(0, Action.EXECUTE), NotAllowed),  # only the system executes
        ("alice", Decide(0, Action.REJECT, reason="no"), InvalidDecision),  # no reason code
        ("alice", Decide(0, Action.MODIFY, reason="x", reason_code="cost"), InvalidDecision),
        ("alice", Decide(0, Action.CANCEL), InvalidDecision),  # cancel needs a reason
        ("alice", Decide(0, Action.APPROVE, expected_version=1), ConcurrentDecision),
    ],
)
def test_a_refused_decision_changes_nothing(routed, who, command, refusal):
    crossdock, rec = routed
    before = _snapshot(crossdock, rec)
    with pytest.raises(refusal) as refused:
        decide(
            crossdock.governance,
            replace(command, recommendation_id=rec),
            actor=_who(crossdock, who),
            now=NOW,
        )
    assert str(rec) in str(refused.value) or who in str(refused.value)
    assert _snapshot(crossdock, rec) == before


def test_the_modifier_cannot_approve_their_own_change_but_someone_else_can(routed):
    crossdock, rec = routed
    alice, bob = _who(crossdock, "alice"), _who(crossdock, "bob")
    modified = decide(
        crossdock.governance,
        Decide(
            rec,
            Action.MODIFY,
            reason="supplier ships in cases of 12",
            reason_code="supplier_issue",
            quantity=48.0,
        ),
        actor=alice,
        now=NOW,
    )
    assert modified.to_status is Status.MODIFIED
    with pytest.raises(SegregationOfDuties):
        decide(crossdock.governance, Decide(rec, Action.APPROVE), actor=alice, now=NOW)
    with pytest.raises(ModifiedNeedsApproval):  # policy would not run the modified values
        decide(crossdock.governance, Decide(rec, Action.EXECUTE), actor=SYSTEM, now=NOW)
    approved = decide(crossdock.governance, Decide(rec, Action.APPROVE), actor=bob, now=NOW)
    assert approved.to_status is Status.APPROVED
    state = crossdock.governance.recommendation(rec)
    assert state.approved_quantity == 48.0
    assert state.modified_by == "alice"
    executing = decide(crossdock.governance, Decide(rec, Action.EXECUTE), actor=SYSTEM, now=NOW)
    assert executing.to_status is Status.EXECUTING
    events = [row["event"] for row in crossdock.governance.ledger(recommendation_id=rec)]
    assert events == ["created", "request_approval", "modify", "approve", "execute"]


def test_a_final_status_refuses_everything(routed):
    crossdock, rec = routed
    alice = _who(crossdock, "alice")
    decide(
        crossdock.governance,
        Decide(rec, Action.REJECT, reason="already bought by phone", reason_code="timing"),
        actor=alice,
        now=NOW,
    )
    with pytest.raises(InvalidTransition, match="is rejected: cannot approve"):
        decide(
            crossdock.governance, Decide(rec, Action.APPROVE), actor=_who(crossdock, "bob"), now=NOW
        )


def test_a_newer_plan_expires_what_it_supersedes(routed):
    crossdock, rec = routed
    newer = add_plan_run(crossdock.engine)
    add_recommendation(crossdock.engine, newer)
    summary = route_plan(crossdock.governance, plan_run_id=newer, policy=None, now=NOW)
    assert summary.expired == 1
    state = crossdock.governance.recommendation(rec)
    assert state.status is Status.EXPIRED
    (expiry,) = [
        r for r in crossdock.governance.ledger(recommendation_id=rec) if r["event"] == "expire"
    ]
    assert expiry["reason"] == f"superseded by plan run {newer}"


RECOMMEND_ONLY_BUYS = """
policy: advice
version: 1
scope: enterprise
workflows:
  buy:
    tier: recommend_only
"""


def test_a_recommend_only_buy_is_accepted_or_not_but_never_executed(crossdock: Crossdock):
    add_person(crossdock.governance, username="alice", roles=["buyer"], password=PASSWORD, now=NOW)
    plan_run = add_plan_run(crossdock.engine)
    rec = add_recommendation(crossdock.engine, plan_run)
    policy = load_policy(RECOMMEND_ONLY_BUYS)
    route_plan(crossdock.governance, plan_run_id=plan_run, policy=policy, now=NOW)
    state = crossdock.governance.recommendation(rec)
    assert state.status is Status.PENDING_APPROVAL
    assert state.routing["tier"] == "recommend_only"
    assert state.approval_policy_version == policy.version
    accepted = decide(
        crossdock.governance, Decide(rec, Action.APPROVE), actor=_who(crossdock, "alice"), now=NOW
    )
    assert accepted.to_status is Status.APPROVED
    with pytest.raises(RecommendOnly):
        decide(
            crossdock.governance, Decide(rec, Action.EXECUTE), actor=SYSTEM, now=NOW, policy=policy
        )
    assert crossdock.governance.recommendation(rec).status is Status.APPROVED


ROLES_X_ACTIONS_ALLOWED = {  # a pending buy routed to buyers and planners (no policy)
    ("buyer", "approve"),
    ("buyer", "reject"),
    ("buyer", "modify"),
    ("buyer", "cancel"),
    ("planner", "approve"),
    ("planner", "reject"),
    ("planner", "modify"),
    ("planner", "cancel"),
}


def test_every_role_times_every_action_on_a_pending_buy(crossdock: Crossdock):
    """Allowed ones move it; every refusal leaves status, version, approvals and ledger
    exactly as they were."""
    plan_run = add_plan_run(crossdock.engine)
    for role in Role:
        add_person(
            crossdock.governance, username=role.value, roles=[role], password=PASSWORD, now=NOW
        )
    for role in Role:
        for action in Action:
            rec = add_recommendation(crossdock.engine, plan_run, sku=f"{role}-{action}")
            route_plan(crossdock.governance, plan_run_id=plan_run, policy=None, now=NOW)
            before = _snapshot(crossdock, rec)
            command = Decide(
                rec, action, reason="checked on the floor", reason_code="other", quantity=30.0
            )
            try:
                decide(crossdock.governance, command, actor=_who(crossdock, role), now=NOW)
            except CrossdockError:
                assert (role.value, action.value) not in ROLES_X_ACTIONS_ALLOWED, (role, action)
                assert _snapshot(crossdock, rec) == before, (role, action)
            else:
                assert (role.value, action.value) in ROLES_X_ACTIONS_ALLOWED, (role, action)
                assert _snapshot(crossdock, rec)[1] == before[1] + 1
    assert verify_audit(crossdock.governance, actor=SYSTEM).ok


TWO_APPROVALS_FOR_BUYS = """
policy: two-keys
version: 1
scope: enterprise
workflows:
  buy:
    tier: approval_required
    approvers: [buyer]
    second_approver:
      above_value: 1000
      roles: [executive]
"""


def test_two_first_approvals_at_once_leave_one_approval_waiting_for_the_second(crossdock):
    """Without a version in hand, the loser reads the winner's approval or fails its
    update; either way one first approval is recorded, never two."""
    for name, roles in {"alice": ["buyer"], "bob": ["buyer"], "eve": ["executive"]}.items():
        add_person(crossdock.governance, username=name, roles=roles, password=PASSWORD, now=NOW)
    policy = load_policy(TWO_APPROVALS_FOR_BUYS)
    plan_run = add_plan_run(crossdock.engine)
    recs = [add_recommendation(crossdock.engine, plan_run, sku=f"SKU-{i}") for i in range(5)]
    route_plan(crossdock.governance, plan_run_id=plan_run, policy=policy, now=NOW)
    for rec in recs:
        start = threading.Barrier(2)

        def approve(name: str, rec: int = rec, start: threading.Barrier = start) -> None:
            start.wait()
            with contextlib.suppress(CrossdockError):
                decide(
                    crossdock.governance,
                    Decide(rec, Action.APPROVE),
                    actor=_who(crossdock, name),
                    now=NOW,
                )

        threads = [threading.Thread(target=approve, args=(name,)) for name in ("alice", "bob")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        state = crossdock.governance.recommendation(rec)
        assert state.status is Status.PENDING_APPROVAL
        assert [given.step for given in state.approvals] == [1]
        second = decide(
            crossdock.governance, Decide(rec, Action.APPROVE), actor=_who(crossdock, "eve"), now=NOW
        )
        assert second.to_status is Status.APPROVED
    assert verify_audit(crossdock.governance, actor=SYSTEM).ok
