"""The one handler every lifecycle step of a recommendation goes through.

`decide` reads the recommendation, checks that the actor may take the action (role,
site, the approvers its policy routing names, segregation of duties), asks the
lifecycle for the next status, and writes the change and its audit entry in one
transaction that applies only to the version it read: of two people approving at once,
exactly one wins and the other is told to read it again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from crossdock.domain.errors import CrossdockError
from crossdock.domain.lifecycle import Action, Status, next_status
from crossdock.governance.access import (
    Activity,
    NotAllowed,
    Principal,
    authorize,
    check_segregation,
)
from crossdock.governance.ledger import EntryDraft
from crossdock.governance.policy import PolicySet, Tier, route, workflow_for_kind
from crossdock.service_layer.governance_ports import (
    Approval,
    ConcurrentDecision,
    GovernanceStore,
    RecommendationState,
    StatusChange,
)
from crossdock.service_layer.policy_facts import facts_for

OVERRIDE_REASONS = (
    "demand_knowledge",
    "supplier_issue",
    "cost",
    "timing",
    "data_error",
    "customer_commitment",
    "other",
)
# a person overriding the machine, or undoing what was done, must say why
_REASON_REQUIRED = frozenset({Action.REJECT, Action.MODIFY, Action.CANCEL, Action.REVERSE})
_APPROVER_ACTIONS = frozenset({Action.APPROVE, Action.MODIFY, Action.REJECT})
# Kinds whose `from_code` names a supplier or a purchase order, not one of our
# warehouses. Every other kind's `from_code`, when set, is the warehouse the stock
# leaves (a transfer, a rebalance, an order exception filled from another branch).
SUPPLIER_SIDE_KINDS = frozenset(
    {"buy", "expedite", "defer", "cancel", "follow_up", "invoice_hold", "receive_first"}
)


class UnknownRecommendation(CrossdockError):
    def __init__(self, recommendation_id: int) -> None:
        self.recommendation_id = recommendation_id
        super().__init__(f"recommendation {recommendation_id} does not exist")


class InvalidDecision(CrossdockError):
    """A decision missing what it needs (a reason, a quantity), naming the field."""

    def __init__(self, *, recommendation_id: int, field: str, value: object, reason: str) -> None:
        self.recommendation_id = recommendation_id
        self.field = field
        self.value = value
        super().__init__(f"recommendation {recommendation_id}: {field}={value!r}: {reason}")


class ModifiedNeedsApproval(CrossdockError):
    """A modified recommendation that policy would not run on its own, not yet approved."""

    def __init__(self, *, recommendation_id: int, modified_by: str | None) -> None:
        self.recommendation_id = recommendation_id
        super().__init__(
            f"recommendation {recommendation_id} was modified by {modified_by}: someone else "
            "must approve it before it runs (policy does not run the modified values on its own)"
        )


class RecommendOnly(CrossdockError):
    """Policy routed it as advice: Crossdock writes nothing into the ERP for it."""

    def __init__(self, *, recommendation_id: int) -> None:
        self.recommendation_id = recommendation_id
        super().__init__(
            f"recommendation {recommendation_id} is recommend-only under its policy: "
            "Crossdock does not execute it; act on it in the ERP"
        )


@dataclass(frozen=True, slots=True)
class Decide:
    """One person's (or the system's) decision on one recommendation."""

    recommendation_id: int
    action: Action
    reason: str | None = None
    reason_code: str | None = None
    quantity: float | None = None  # modify: the new quantity
    arrival_date: date | None = None  # modify: the new arrival date
    expected_version: int | None = None  # the version the person saw; None: as read now
    erp_document: str | None = None  # execute/commit: the ERP draft's id
    routing: Mapping[str, Any] | None = None  # auto_approve/request_approval: the policy's call
    proposed_by: str | None = None  # with routing: the agent or user that proposed it


@dataclass(frozen=True, slots=True)
class Decision:
    """What a decision did: the status it moved to and the audit entry that records it."""

    recommendation_id: int
    action: Action
    from_status: Status
    to_status: Status
    version: int
    ledger_seq: int
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "recommendation_id": self.recommendation_id,
            "action": self.action.value,
            "from_status": self.from_status.value,
            "to_status": self.to_status.value,
            "version": self.version,
            "ledger_seq": self.ledger_seq,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class _Step:
    """One decision, prepared: the change to apply and the entries that record it."""

    change: StatusChange
    entries: tuple[EntryDraft, ...]
    decision: Decision


def decide(
    store: GovernanceStore,
    command: Decide,
    *,
    actor: Principal,
    now: datetime,
    policy: PolicySet | None = None,
) -> Decision:
    """Apply `command` for `actor`, or refuse it having changed nothing.

    Raises:
        UnknownRecommendation, InvalidDecision, NotAllowed, SegregationOfDuties,
        InvalidTransition, ConcurrentDecision: each names the recommendation and why.
    """
    state = store.recommendation(command.recommendation_id)
    if state is None:
        raise UnknownRecommendation(command.recommendation_id)
    return decide_all(store, [(state, command)], actor=actor, now=now, policy=policy)[0]


def decide_all(
    store: GovernanceStore,
    decisions: Sequence[tuple[RecommendationState, Decide]],
    *,
    actor: Principal,
    now: datetime,
    policy: PolicySet | None = None,
) -> list[Decision]:
    """Apply many decisions by one actor in one transaction: all of them or none.

    The plan routes its recommendations this way; each is checked exactly as `decide`
    checks one.
    """
    steps = [
        _prepare(state, command, actor=actor, now=now, policy=policy)
        for state, command in decisions
    ]
    written = store.apply(
        [step.change for step in steps], [entry for step in steps for entry in step.entries]
    )
    last_seq = iter([entry.seq for entry in written])
    out: list[Decision] = []
    for step in steps:
        seq = 0
        for _ in step.entries:
            seq = next(last_seq)
        out.append(replace(step.decision, ledger_seq=seq))
    return out


def sites_decided(kind: str, *, to_code: str, from_code: str | None) -> tuple[str, ...]:
    """The warehouses a decision on a recommendation touches, each of which a person
    limited to sites must hold: the receiving one, and the shipping one when stock
    moves between our warehouses. A buy's `from_code` is its supplier: not a site."""
    if from_code and kind not in SUPPLIER_SIDE_KINDS and from_code != to_code:
        return (to_code, from_code)
    return (to_code,)


def _prepare(
    state: RecommendationState,
    command: Decide,
    *,
    actor: Principal,
    now: datetime,
    policy: PolicySet | None,
) -> _Step:
    workflow = workflow_for_kind(state.kind)
    for site in sites_decided(state.kind, to_code=state.to_code, from_code=state.from_code):
        authorize(actor, command.action.value, workflow=workflow, site=site)
    if command.expected_version is not None and command.expected_version != state.version:
        raise ConcurrentDecision(
            recommendation_id=state.id, expected_version=command.expected_version
        )
    _check_inputs(state, command)
    to_status = next_status(str(state.id), state.status, command.action)
    fields: dict[str, Any] = {"status_reason": command.reason}
    approval: Approval | None = None
    note = ""
    entries: list[EntryDraft] = []
    if command.routing is not None:
        fields.update(
            routing=json.dumps(command.routing, sort_keys=True),
            approval_policy_version=command.routing.get("policy_version"),
            proposed_by=command.proposed_by,
        )
        entries.append(_created(state, command, now))
        note = str(command.routing.get("rule", ""))
    if command.action in _APPROVER_ACTIONS:
        role = _approver_role(state, actor, command.action)
        if command.action is not Action.REJECT:
            check_segregation(
                actor,
                recommendation_id=state.id,
                proposed_by=state.proposed_by,
                modified_by=state.modified_by,
                approved_by=[given.approver for given in state.approvals],
            )
        if command.action is Action.APPROVE:
            step = len(state.approvals) + 1
            approval = Approval(approver=actor.username, role=role, step=step, at=now)
            if step == 1 and _second_approver_roles(state):
                to_status = state.status  # waits for the second approver
                note = f"first of two approvals; a second by {_roles(state)} is needed"
        if command.action is Action.MODIFY:
            fields.update(
                modified_by=actor.username,
                approved_quantity=command.quantity
                if command.quantity is not None
                else state.approved_quantity,
                approved_arrival_date=command.arrival_date or state.approved_arrival_date,
            )
            note = "modified: someone other than the modifier approves it, unless policy runs it"
    if command.action is Action.EXECUTE:
        if (state.routing or {}).get("tier") == Tier.RECOMMEND_ONLY:
            raise RecommendOnly(recommendation_id=state.id)
        if state.status is Status.MODIFIED:
            _check_modified_may_run(state, policy)
    if command.erp_document:
        fields["erp_document"] = command.erp_document
    change = StatusChange(
        recommendation_id=state.id,
        expected_version=state.version,
        to_status=to_status,
        at=now,
        fields=fields,
        approval=approval,
        clear_approvals=command.action is Action.MODIFY,
    )
    routing = command.routing or state.routing or {}
    entries.append(
        EntryDraft(
            actor=actor.username,
            event=command.action.value,
            at=now,
            recommendation_id=state.id,
            from_status=state.status.value,
            to_status=to_status.value,
            reason=command.reason,
            snapshot_id=state.import_run_id,
            model_version=state.model_version,
            policy_version=routing.get("policy_version", state.approval_policy_version),
            erp_document=command.erp_document,
            detail=_detail(state, command, actor, approval),
        )
    )
    decision = Decision(
        recommendation_id=state.id,
        action=command.action,
        from_status=state.status,
        to_status=to_status,
        version=state.version + 1,
        ledger_seq=0,
        note=note,
    )
    return _Step(change=change, entries=tuple(entries), decision=decision)


def _created(state: RecommendationState, command: Decide, now: datetime) -> EntryDraft:
    """The recommendation's first entry: what was proposed, by whom, on which data. An
    agent's names the agent and the event it answers, so the ledger links the proposal
    to the `handled` and `raised` entries of that event."""
    detail: dict[str, Any] = {
        "plan_run_id": state.plan_run_id,
        "kind": state.kind,
        "sku": state.sku,
        "from_code": state.from_code,
        "to_code": state.to_code,
        "quantity": state.quantity,
        "expected_arrival_date": state.expected_arrival_date.isoformat()
        if state.expected_arrival_date
        else None,
        "order_value": state.order_value,
        "savings": state.savings,
        "confidence": state.confidence,
    }
    if state.agent is not None:
        detail["agent"] = state.agent
    if state.source_event_id is not None:
        detail["source_event_id"] = state.source_event_id
    return EntryDraft(
        actor=command.proposed_by or "unknown",
        event="created",
        at=now,
        recommendation_id=state.id,
        to_status=state.status.value,
        snapshot_id=state.import_run_id,
        model_version=state.model_version,
        detail=detail,
    )


def _check_inputs(state: RecommendationState, command: Decide) -> None:
    def bad(field: str, value: object, reason: str) -> InvalidDecision:
        return InvalidDecision(recommendation_id=state.id, field=field, value=value, reason=reason)

    if command.action in _REASON_REQUIRED and not (command.reason or "").strip():
        raise bad("reason", command.reason, f"a reason is required to {command.action}")
    if command.action in (Action.REJECT, Action.MODIFY) and (
        command.reason_code not in OVERRIDE_REASONS
    ):
        raise bad(
            "reason_code", command.reason_code, f"must be one of {', '.join(OVERRIDE_REASONS)}"
        )
    if command.action is Action.MODIFY:
        if command.quantity is None and command.arrival_date is None:
            raise bad("quantity", None, "modify changes the quantity, the arrival date or both")
        if command.quantity is not None and not (
            math.isfinite(command.quantity) and command.quantity > 0
        ):
            raise bad("quantity", command.quantity, "must be a positive number")


def _approver_role(state: RecommendationState, actor: Principal, action: Action) -> str:
    """The role `actor` decides in: one the routing names for this approval step."""
    routing = state.routing or {}
    if routing.get("tier") == Tier.RECOMMEND_ONLY:
        # advice only: whoever the matrix lets decide the workflow accepts or rejects it
        return sorted(role.value for role in actor.roles)[0]
    second = bool(state.approvals) and action is Action.APPROVE
    named = routing.get("second_approver_roles" if second else "approver_roles") or []
    held = sorted(role.value for role in actor.roles)
    matching = [role for role in held if role in named]
    if not matching:
        which = "second approval" if second else str(action)
        raise NotAllowed(
            principal=actor,
            activity=Activity(action.value),
            workflow=workflow_for_kind(state.kind),
            site=state.to_code,
            reason=f"recommendation {state.id}'s routing ({routing.get('rule', 'no rule')}) "
            f"names {', '.join(named) or 'no role'} for the {which}",
        )
    return matching[0]


def _second_approver_roles(state: RecommendationState) -> list[str]:
    return list((state.routing or {}).get("second_approver_roles") or [])


def _roles(state: RecommendationState) -> str:
    return " or ".join(_second_approver_roles(state))


def _check_modified_may_run(state: RecommendationState, policy: PolicySet | None) -> None:
    if policy is None or route(
        policy, facts_for(state, quantity=state.effective_quantity)
    ).tier != (Tier.AUTO_EXECUTE):
        raise ModifiedNeedsApproval(recommendation_id=state.id, modified_by=state.modified_by)


def _detail(
    state: RecommendationState, command: Decide, actor: Principal, approval: Approval | None
) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "version": state.version,
        "roles": sorted(role.value for role in actor.roles),
        "actor_kind": actor.kind,
    }
    if command.action in (Action.REJECT, Action.MODIFY):
        detail.update(override=True, reason_code=command.reason_code)
    if command.action is Action.MODIFY:
        detail["quantity"] = {"from": state.effective_quantity, "to": command.quantity}
        if command.arrival_date is not None:
            before = state.approved_arrival_date or state.expected_arrival_date
            detail["arrival_date"] = {
                "from": before.isoformat() if before else None,
                "to": command.arrival_date.isoformat(),
            }
    if approval is not None:
        detail.update(approval_step=approval.step, approver_role=approval.role)
    if command.routing is not None:
        detail["routing"] = dict(command.routing)
    return detail
