"""Decision KPIs: acceptance, overrides by reason, planner and agent, auto-approval,
approvals pending by role, and realised value per agent and per policy version
(docs/governance.md, "Outcomes and decision KPIs")."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from crossdock.governance.access import Principal, authorize
from crossdock.service_layer.outcome_ports import (
    DECISION_KINDS,
    UNKNOWN,
    UNROUTED,
    OutcomeStore,
    OutcomeTotal,
)


@dataclass(frozen=True, slots=True)
class DecisionMix:
    """How recommendations were decided: accepted as proposed (approved or
    auto-approved), accepted changed (modified), or turned down (rejected)."""

    auto_approved: int = 0
    approved: int = 0
    modified: int = 0
    rejected: int = 0

    @property
    def decided(self) -> int:
        return self.auto_approved + self.approved + self.modified + self.rejected

    @property
    def accepted(self) -> int:
        """Accepted as proposed: approved or auto-approved."""
        return self.auto_approved + self.approved

    @property
    def overridden(self) -> int:
        """A person changed it or turned it down."""
        return self.modified + self.rejected

    def plus(self, decision: str, count: int) -> DecisionMix:
        values = {name: getattr(self, name) for name in DECISION_KINDS}
        values[decision] += count
        return DecisionMix(**values)

    def to_json(self) -> dict[str, Any]:
        return {
            "decided": self.decided,
            "auto_approved": self.auto_approved,
            "approved": self.approved,
            "modified": self.modified,
            "rejected": self.rejected,
            "acceptance_rate": _rate(self.accepted, self.decided),
            "override_rate": _rate(self.overridden, self.decided),
            "auto_approval_rate": _rate(self.auto_approved, self.decided),
        }


@dataclass(frozen=True, slots=True)
class RealisedValue:
    """Stored outcomes summed: how many, their realised value, units short and excess
    in the realised worlds."""

    scored: int = 0
    realised_value: Decimal = Decimal(0)
    stockout_units: float = 0.0
    excess_units: float = 0.0

    def plus(self, total: OutcomeTotal) -> RealisedValue:
        return RealisedValue(
            scored=self.scored + total.scored,
            realised_value=self.realised_value + total.realised_value,
            stockout_units=self.stockout_units + total.stockout_units,
            excess_units=self.excess_units + total.excess_units,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "scored": self.scored,
            "realised_value": round(float(self.realised_value), 2),
            "stockout_units": round(self.stockout_units, 4),
            "excess_units": round(self.excess_units, 4),
        }


@dataclass(frozen=True, slots=True)
class GroupKpis:
    """Decisions and realised value of one agent or one approval policy version."""

    decisions: DecisionMix = field(default_factory=DecisionMix)
    value: RealisedValue = field(default_factory=RealisedValue)

    def to_json(self) -> dict[str, Any]:
        return {**self.decisions.to_json(), **self.value.to_json()}


@dataclass(frozen=True, slots=True)
class PlannerKpis:
    """One person's approve, modify and reject events."""

    approved: int = 0
    modified: int = 0
    rejected: int = 0

    def to_json(self) -> dict[str, Any]:
        decisions = self.approved + self.modified + self.rejected
        return {
            "decisions": decisions,
            "approved": self.approved,
            "modified": self.modified,
            "rejected": self.rejected,
            "override_rate": _rate(self.modified + self.rejected, decisions),
        }


@dataclass(frozen=True, slots=True)
class DecisionKpis:
    """How recommendations are decided and what the decisions were worth.

    Attributes:
        since: only recommendations whose last decision event is on or after it.
        overall: the decision mix of every decided recommendation.
        overrides_by_reason: reject and modify events per reason code.
        by_planner: each person's approve / modify / reject events.
        by_agent: decisions and realised value per proposing agent (proposed_by).
        by_policy_version: the same per approval policy version.
        value: every stored outcome summed.
        value_by_decision: outcomes of executed and of rejected recommendations.
        pending_by_role: recommendations pending approval per approver role named in
            their routing (one waiting for two roles counts for each).
        pending: recommendations pending approval.
    """

    since: date | None
    overall: DecisionMix
    overrides_by_reason: dict[str, int]
    by_planner: dict[str, PlannerKpis]
    by_agent: dict[str, GroupKpis]
    by_policy_version: dict[str, GroupKpis]
    value: RealisedValue
    value_by_decision: dict[str, RealisedValue]
    pending_by_role: dict[str, int]
    pending: int

    def to_json(self) -> dict[str, Any]:
        decided = self.overall.decided
        return {
            "since": None if self.since is None else self.since.isoformat(),
            **self.overall.to_json(),
            "overrides_by_reason": {
                reason: {"overrides": count, "rate": _rate(count, decided)}
                for reason, count in self.overrides_by_reason.items()
            },
            "by_planner": {name: kpis.to_json() for name, kpis in self.by_planner.items()},
            "by_agent": {name: kpis.to_json() for name, kpis in self.by_agent.items()},
            "by_policy_version": {
                name: kpis.to_json() for name, kpis in self.by_policy_version.items()
            },
            "value": self.value.to_json(),
            "value_by_decision": {
                name: value.to_json() for name, value in self.value_by_decision.items()
            },
            "pending": self.pending,
            "pending_by_role": dict(self.pending_by_role),
        }


def decision_kpis(
    store: OutcomeStore, *, actor: Principal, since: date | None = None
) -> DecisionKpis:
    """Acceptance, overrides, auto-approval, realised value and pending approvals.

    A recommendation counts as decided once the policy auto-approved it or a person
    approved, modified or rejected it (and it is no longer pending); its decision is the
    strongest of those events (`DecisionCount`). Rates are shares of the decided ones.
    """
    authorize(actor, "view_kpis")
    start = None if since is None else datetime.combine(since, time.min, UTC)
    overall = DecisionMix()
    by_agent: dict[str, GroupKpis] = defaultdict(GroupKpis)
    by_policy: dict[str, GroupKpis] = defaultdict(GroupKpis)
    for count in store.decision_counts(since=start):
        overall = overall.plus(count.decision, count.count)
        for groups, key in (
            (by_agent, count.proposed_by),
            (by_policy, count.approval_policy_version),
        ):
            name = key or UNKNOWN
            group = groups[name]
            groups[name] = GroupKpis(group.decisions.plus(count.decision, count.count), group.value)
    value = RealisedValue()
    by_decision: dict[str, RealisedValue] = defaultdict(RealisedValue)
    for total in store.outcome_totals(since=start):
        value = value.plus(total)
        by_decision[total.decision] = by_decision[total.decision].plus(total)
        for groups, key in (
            (by_agent, total.proposed_by),
            (by_policy, total.approval_policy_version),
        ):
            name = key or UNKNOWN
            group = groups[name]
            groups[name] = GroupKpis(group.decisions, group.value.plus(total))
    planners: dict[str, Counter[str]] = defaultdict(Counter)
    for event in store.person_decisions(since=start):
        planners[event.actor][event.event] += event.count
    reasons = Counter(event.reason_code or UNKNOWN for event in store.override_events(since=start))
    routings = store.pending_routings()
    roles: Counter[str] = Counter()
    for routing in routings:
        named = _approver_roles(routing)
        roles.update(named or [UNROUTED])
    return DecisionKpis(
        since=since,
        overall=overall,
        overrides_by_reason=dict(sorted(reasons.items())),
        by_planner={
            actor: PlannerKpis(
                approved=events["approve"], modified=events["modify"], rejected=events["reject"]
            )
            for actor, events in sorted(planners.items())
        },
        by_agent=dict(sorted(by_agent.items())),
        by_policy_version=dict(sorted(by_policy.items())),
        value=value,
        value_by_decision=dict(sorted(by_decision.items())),
        pending_by_role=dict(sorted(roles.items())),
        pending=len(routings),
    )


def _approver_roles(routing: Mapping[str, Any] | None) -> list[str]:
    if not routing:
        return []
    roles = routing.get("approver_roles") or []
    if isinstance(roles, str):
        return [roles]
    return sorted({str(role) for role in roles})


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)
