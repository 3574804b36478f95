"""The work queue's rules without a database: pages and cursors, what each role may
decide (the same answer `deciding.decide` gives), masking that reaches free text, and
bulk decisions reported one by one."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from crossdock.domain.errors import CrossdockError
from crossdock.domain.lifecycle import Action, Status
from crossdock.governance.access import NotAllowed, Principal, Role
from crossdock.service_layer.deciding import Decide, decide
from crossdock.service_layer.governance_ports import (
    Approval,
    ConcurrentDecision,
    RecommendationState,
)
from crossdock.service_layer.work_queue import (
    InvalidQueueRequest,
    OpenRecommendation,
    QueueFilters,
    QueueKey,
    actions_for,
    audit_entry,
    bulk_decide,
    decode_cursor,
    encode_cursor,
    queue_item,
    work_queue,
)

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
PLANNER = Principal(username="pat", kind="person", roles=frozenset({Role.PLANNER}))
BUYER = Principal(username="bea", kind="person", roles=frozenset({Role.BUYER}))
EXECUTIVE = Principal(username="eve", kind="person", roles=frozenset({Role.EXECUTIVE}))
SUPERVISOR = Principal(
    username="sam", kind="person", roles=frozenset({Role.WAREHOUSE_SUPERVISOR}), sites={"BR01"}
)
AUDITOR = Principal(username="aud", kind="person", roles=frozenset({Role.AUDITOR}))
PEOPLE = (PLANNER, BUYER, EXECUTIVE, SUPERVISOR, AUDITOR)

BUY_ROUTING = {
    "tier": "approval_required",
    "rule": "mandatory[big-actions]",
    "reasons": ["value 93,750.53 is above auto_when.value_at_most 2,000.00"],
    "approver_roles": ["buyer", "planner"],
    "second_approver_roles": ["executive"],
    "policy_version": "demo@1#abc",
}
TRANSFER_ROUTING = {
    "tier": "approval_required",
    "rule": "workflows.transfer",
    "reasons": ["confidence 0.5 is below auto_when.confidence_at_least 0.8"],
    "approver_roles": ["planner", "warehouse_supervisor"],
    "second_approver_roles": [],
    "policy_version": "demo@1#abc",
}


def _row(ident: int, money: float, **given: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": ident,
        "kind": "transfer",
        "sku": "SKU-1",
        "from_code": "DC01",
        "to_code": "BR01",
        "status": "pending_approval",
        "version": 2,
        "quantity": 40.0,
        "do_nothing_cost": money,
        "savings": money / 2,
        "order_value": None,
        "purchase_cost": 0.0,
        "routing": TRANSFER_ROUTING,
        "proposed_by": "agent:replenishment",
        "modified_by": None,
        "status_reason": "; ".join(TRANSFER_ROUTING["reasons"]),
        "rationale": None,
        "alternatives": [{"alternative": "none", "shortage": money * 0.75, "purchase": 0.0}],
        "drivers": {"risk": {"stockout_probability": 0.5, "days_of_supply": 2.0}},
    }
    row.update(given)
    return row


def _buy(ident: int, money: float = 500.0, **given: Any) -> dict[str, Any]:
    return _row(
        ident,
        money,
        kind="buy",
        from_code="SUP-1",
        to_code="DC01",
        order_value=93750.5328,
        purchase_cost=1234.56,
        routing=BUY_ROUTING,
        status_reason="; ".join(BUY_ROUTING["reasons"]),
        alternatives=[
            {"alternative": "none", "shortage": 400.0, "purchase": 0.0},
            {"alternative": "buy SUP-1", "shortage": 10.0, "purchase": 4399.63},
        ],
        drivers={"supplier": {"unit_price": 22.8048}, "risk": {}},
        **given,
    )


class FakeReads:
    """Open recommendations in memory, ranked as the SQL ranks them."""

    def __init__(self, rows: Sequence[dict[str, Any]]) -> None:
        self.rows = list(rows)
        self.asked: list[dict[str, Any]] = []

    def open_page(self, *, filters, sites, after, limit):
        self.asked.append({"filters": filters, "sites": sites, "after": after, "limit": limit})
        ranked = sorted(self.rows, key=lambda r: (r["do_nothing_cost"], r["id"]), reverse=True)
        if after is not None:
            at = (float(after.money_at_risk), after.id)
            ranked = [r for r in ranked if (r["do_nothing_cost"], r["id"]) < at]
        return [_found(row) for row in ranked[:limit]]

    def by_ids(self, ids):
        return [_found(row) for row in self.rows if row["id"] in ids]

    def ledger_page(self, *, recommendation_id, before_seq, limit):
        return []


def _found(row: dict[str, Any], approvals: Sequence[Approval] = ()) -> OpenRecommendation:
    key = QueueKey(money_at_risk=repr(float(row["do_nothing_cost"])), id=row["id"])
    return OpenRecommendation(key=key, row=row, approvals=tuple(approvals))


# ---------------------------------------------------------------- pages and cursors


def test_pages_follow_each_other_without_gaps_or_repeats():
    rows = [_row(i, money) for i, money in enumerate([50, 70, 70, 70, 10, 90, 30], start=1)]
    reads = FakeReads(rows)
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        page = work_queue(reads, actor=PLANNER, cursor=cursor, limit=3)
        seen += [item.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [6, 4, 3, 2, 1, 7, 5]
    assert [asked["limit"] for asked in reads.asked] == [4, 4, 4]


def test_the_last_page_has_no_next_cursor():
    page = work_queue(FakeReads([_row(1, 10.0), _row(2, 20.0)]), actor=PLANNER, limit=2)
    assert [item.id for item in page.items] == [2, 1]
    assert page.next_cursor is None


def test_a_cursor_reads_back_as_the_key_it_was_made_from():
    key = QueueKey(money_at_risk="25122.5694", id=32)
    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", "WyJhIiwgMV0", encode_cursor(QueueKey("nan", 1))]
)
def test_a_cursor_not_from_the_queue_is_refused_naming_the_field(cursor):
    with pytest.raises(InvalidQueueRequest) as refused:
        work_queue(FakeReads([]), actor=PLANNER, cursor=cursor)
    assert refused.value.field == "cursor"


@pytest.mark.parametrize("limit", [0, 201])
def test_a_limit_out_of_range_is_refused(limit):
    with pytest.raises(InvalidQueueRequest) as refused:
        work_queue(FakeReads([]), actor=PLANNER, limit=limit)
    assert refused.value.field == "limit"


def test_the_actors_sites_are_asked_of_the_reads():
    reads = FakeReads([])
    work_queue(reads, actor=SUPERVISOR)
    assert reads.asked[0]["sites"] == frozenset({"BR01"})


@pytest.mark.parametrize(
    ("given", "field"),
    [({"kind": "teleport"}, "kind"), ({"status": "rejected"}, "status")],
)
def test_filters_name_what_the_queue_cannot_filter_by(given, field):
    with pytest.raises(InvalidQueueRequest) as refused:
        QueueFilters.of(**given)
    assert refused.value.field == field


def test_blank_filters_are_no_filters():
    assert QueueFilters.of(site=" ", kind="", agent=None) == QueueFilters()


# ---------------------------------------------------------------- masking reaches text


def test_a_planner_sees_no_supplier_cost_in_fields_or_text():
    item = queue_item(_found(_buy(7)), PLANNER)
    shown = item.recommendation
    assert shown["order_value"] is None
    assert shown["purchase_cost"] is None
    assert shown["drivers"]["supplier"]["unit_price"] is None
    assert shown["alternatives"][1]["purchase"] is None
    assert shown["routing"]["reasons"] == ["value masked is above auto_when.value_at_most 2,000.00"]
    assert shown["status_reason"] == "value masked is above auto_when.value_at_most 2,000.00"
    assert item.redact("ordered 93,750.53 at 22.80 and 4399.63") == (
        "ordered masked at masked and masked"
    )


def test_a_buyer_sees_supplier_cost_and_its_text_as_written():
    item = queue_item(_found(_buy(7)), BUYER)
    assert item.recommendation["order_value"] == 93750.5328
    assert item.recommendation["status_reason"] == BUY_ROUTING["reasons"][0]
    assert item.redact("ordered 93,750.53") == "ordered 93,750.53"


def test_money_at_risk_is_the_do_nothing_cost_and_its_shortage_part_is_shown_beside_it():
    item = queue_item(_found(_row(3, 800.0)), PLANNER)
    assert item.money_at_risk == 800.0
    assert item.shortage_at_risk == 600.0
    assert item.explanation == "stockout 50% likely; 2.0 days of supply"


def test_an_agents_rationale_is_the_explanation_cut_to_an_excerpt():
    item = queue_item(_found(_row(3, 800.0, rationale="word " * 100)), PLANNER)
    assert item.explanation.endswith("…")
    assert len(item.explanation) == 180


def test_a_ledger_entry_hides_the_order_value_of_its_recommendation_in_its_reason():
    row = {
        "seq": 9,
        "event": "request_approval",
        "reason": "value 93,750.53 is above auto_when.value_at_most 2,000.00",
        "detail": json.dumps(
            {"routing": {"reasons": ["value 93,750.53 is above x"]}, "order_value": 93750.5328}
        ),
        "recommendation_order_value": 93750.5328,
    }
    shown = audit_entry(row, PLANNER)
    assert shown["reason"] == "value masked is above auto_when.value_at_most 2,000.00"
    assert shown["detail"]["routing"]["reasons"] == ["value masked is above x"]
    assert shown["detail"]["order_value"] is None
    assert "recommendation_order_value" not in shown
    assert audit_entry(row, AUDITOR)["reason"] == row["reason"]


# ---------------------------------------------------------------- who may decide


def test_a_transfer_waiting_for_planners_offers_a_planner_every_decision():
    assert actions_for(PLANNER, _row(1, 10.0), ()) == ("approve", "reject", "modify")


def test_a_buyer_is_offered_nothing_on_a_transfer():
    assert actions_for(BUYER, _row(1, 10.0), ()) == ()


def test_a_supervisor_is_offered_nothing_outside_their_sites():
    assert actions_for(SUPERVISOR, _row(1, 10.0, to_code="BR02"), ()) == ()


def test_after_the_first_approval_only_the_second_approver_may_approve():
    approved = (Approval(approver="bea", role="buyer", step=1, at=NOW),)
    assert actions_for(BUYER, _buy(1), approved) == ("reject",)
    assert actions_for(EXECUTIVE, _buy(1), approved) == ("approve",)


def test_nobody_is_offered_a_decision_on_an_approved_recommendation():
    assert all(actions_for(p, _row(1, 1.0, status="approved"), ()) == () for p in PEOPLE)


class FakeStore:
    """The two calls `decide` makes, over states in memory."""

    def __init__(self, states: Sequence[RecommendationState]) -> None:
        self.states = {state.id: state for state in states}
        self.applied = 0
        self.seq = itertools.count(1)

    def recommendation(self, recommendation_id: int) -> RecommendationState | None:
        return self.states.get(recommendation_id)

    def apply(self, changes, entries):
        for change in changes:
            state = self.states[change.recommendation_id]
            if state.version != change.expected_version:
                raise ConcurrentDecision(
                    recommendation_id=state.id, expected_version=change.expected_version
                )
            given = () if change.clear_approvals else state.approvals
            if change.approval is not None:
                given = (*given, change.approval)
            self.states[state.id] = replace(
                state, status=change.to_status, version=state.version + 1, approvals=given
            )
        self.applied += 1
        return [_Written(next(self.seq)) for _ in entries]


@dataclass
class _Written:
    seq: int


def _state(row: dict[str, Any], approvals: Sequence[Approval] = ()) -> RecommendationState:
    return RecommendationState(
        id=row["id"],
        plan_run_id=1,
        status=Status(row["status"]),
        version=row["version"],
        kind=row["kind"],
        sku=row["sku"],
        from_code=row["from_code"],
        to_code=row["to_code"],
        quantity=row["quantity"],
        expected_arrival_date=None,
        order_value=row["order_value"],
        action_cost=10.0,
        savings=row["savings"],
        confidence=0.5,
        model_version="m",
        import_run_id=None,
        proposed_by=row["proposed_by"],
        modified_by=row["modified_by"],
        routing=row["routing"],
        approvals=tuple(approvals),
    )


_CASES = [
    (_row(1, 1.0), ()),
    (_row(2, 1.0, to_code="BR02"), ()),
    (_buy(3), ()),
    (_buy(4), (Approval(approver="bea", role="buyer", step=1, at=NOW),)),
    (_row(5, 1.0, status="modified", modified_by="pat"), ()),
    (_row(6, 1.0, status="approved"), ()),
    (_row(7, 1.0, proposed_by="sam"), ()),
    (
        _row(8, 1.0, routing={**TRANSFER_ROUTING, "tier": "recommend_only", "approver_roles": []}),
        (),
    ),
]


@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: p.username)
@pytest.mark.parametrize("case", range(len(_CASES)))
def test_the_queue_offers_exactly_the_decisions_decide_accepts(person, case):
    row, approvals = _CASES[case]
    offered = actions_for(person, row, approvals)
    for action in (Action.APPROVE, Action.REJECT, Action.MODIFY):
        store = FakeStore([_state(row, approvals)])
        command = Decide(
            recommendation_id=row["id"],
            action=action,
            reason="checked",
            reason_code="other",
            quantity=30.0 if action is Action.MODIFY else None,
        )
        try:
            decide(store, command, actor=person, now=NOW)
        except CrossdockError:
            accepted = False
        else:
            accepted = True
        assert (action.value in offered) == accepted, (person.username, row["id"], action)


# ---------------------------------------------------------------- bulk decisions


def test_bulk_approval_approves_within_limits_and_lists_each_refusal_with_its_reason():
    store = FakeStore([_state(_row(1, 1.0)), _state(_buy(2)), _state(_row(3, 1.0, to_code="BR02"))])
    outcome = bulk_decide(
        store, [1, 2, 3, 99], action="approve", actor=PLANNER, policy=None, now=NOW
    )
    assert [(line.recommendation_id, line.done) for line in outcome.lines] == [
        (1, True),
        (2, False),
        (3, True),
        (99, False),
    ]
    assert outcome.lines[0].to_status == "approved"
    assert (
        "needs a second approval by executive (mandatory[big-actions])" in outcome.lines[1].message
    )
    assert outcome.lines[3].message == "recommendation 99 does not exist"
    assert store.states[2].status is Status.PENDING_APPROVAL
    assert store.states[2].approvals == ()
    assert store.applied == 2


def test_the_second_approver_may_approve_in_bulk():
    first = (Approval(approver="bea", role="buyer", step=1, at=NOW),)
    store = FakeStore([_state(_buy(2), first)])
    outcome = bulk_decide(store, [2], action="approve", actor=EXECUTIVE, policy=None, now=NOW)
    assert [line.to_status for line in outcome.done] == ["approved"]


def test_a_refusal_by_the_handler_is_reported_and_changes_nothing():
    store = FakeStore([_state(_row(1, 1.0))])
    outcome = bulk_decide(store, [1], action="approve", actor=BUYER, policy=None, now=NOW)
    assert outcome.done == ()
    assert outcome.refused[0].message.startswith("bea (buyer) may not approve on workflow transfer")
    assert store.applied == 0
    assert store.states[1].version == 2


def test_bulk_rejection_without_a_reason_is_refused_for_each():
    store = FakeStore([_state(_row(1, 1.0)), _state(_row(2, 1.0))])
    outcome = bulk_decide(store, [1, 2], action="reject", actor=PLANNER, policy=None, now=NOW)
    assert [line.done for line in outcome.lines] == [False, False]
    assert "a reason is required to reject" in outcome.lines[0].message
    assert store.applied == 0


def test_a_version_that_moved_is_refused_in_bulk():
    store = FakeStore([_state(_row(1, 1.0))])
    outcome = bulk_decide(
        store, [1], action="approve", actor=PLANNER, policy=None, now=NOW, versions={1: 1}
    )
    assert "changed since version 1 was read" in outcome.refused[0].message


def test_bulk_decides_each_id_once():
    store = FakeStore([_state(_row(1, 1.0))])
    outcome = bulk_decide(store, [1, 1], action="approve", actor=PLANNER, policy=None, now=NOW)
    assert len(outcome.lines) == 1


@pytest.mark.parametrize("action", ["modify", "cancel", "execute"])
def test_bulk_takes_only_approve_and_reject(action):
    with pytest.raises(InvalidQueueRequest) as refused:
        bulk_decide(FakeStore([]), [1], action=action, actor=PLANNER, policy=None, now=NOW)
    assert refused.value.field == "action"


def test_one_who_may_not_view_recommendations_gets_no_queue():
    agent = Principal(username="agent:x", kind="agent", agent_actions=frozenset())
    with pytest.raises(NotAllowed):
        work_queue(FakeReads([]), actor=agent)
