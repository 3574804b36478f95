"""Route a recommendation through an approval policy: which tier, which rule decided,
why, and who may approve (docs/governance.md, "Approval policies")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from crossdock.governance.policy.facts import RecommendationFacts
from crossdock.governance.policy.loading import PolicySet
from crossdock.governance.policy.schema import MandatoryRule, Tier
from crossdock.governance.policy.settings import BUILT_IN, WorkflowSettings


@dataclass(frozen=True, slots=True)
class Routing:
    """Where a recommendation goes. `approver_roles` is empty unless a person must
    approve; a non-empty `second_approver_roles` asks for a second approval by a
    different person in one of those roles."""

    tier: Tier
    rule: str
    reasons: tuple[str, ...]
    approver_roles: tuple[str, ...]
    second_approver_roles: tuple[str, ...]
    policy_version: str

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": str(self.tier),
            "rule": self.rule,
            "reasons": list(self.reasons),
            "approver_roles": list(self.approver_roles),
            "second_approver_roles": list(self.second_approver_roles),
            "policy_version": self.policy_version,
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> Routing:
        return cls(
            tier=Tier(payload["tier"]),
            rule=str(payload["rule"]),
            reasons=tuple(str(reason) for reason in payload["reasons"]),
            approver_roles=tuple(str(role) for role in payload["approver_roles"]),
            second_approver_roles=tuple(str(role) for role in payload["second_approver_roles"]),
            policy_version=str(payload["policy_version"]),
        )


def route(policy: PolicySet, facts: RecommendationFacts) -> Routing:
    """Route `facts` through `policy`: the site's merged workflow settings, its
    auto_when conditions, its second approver, then every mandatory rule (which can
    only lower the tier and add approvers)."""
    return _Decision(policy, facts).routing


def explain(policy: PolicySet, facts: RecommendationFacts) -> list[str]:
    """Every step of routing `facts` as sentences: the rule that set the tier, each
    condition with fact and threshold (passed or failed), the second approver, each
    mandatory rule (applied or not), and the outcome."""
    return list(_Decision(policy, facts).trace)


def money(amount: float) -> str:
    return f"{amount:,.2f}"


def _number(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"


def _share(amount: float) -> str:
    return f"{amount:g}"


def _change(amount: float) -> str:
    return f"{round(amount * 100, 4):+g}%"


# condition key -> (fact name, how it reads, how its numbers print)
_FACTS: Final[Mapping[str, tuple[str, str, Callable[[float], str]]]] = {
    "value": ("value", "value", money),
    "quantity": ("quantity", "quantity", _number),
    "change_vs_last_order": ("change_vs_last_order", "change vs last order", _change),
    "confidence": ("confidence", "confidence", _share),
    "risk": ("risk", "risk", money),
}


@dataclass(frozen=True, slots=True)
class _Check:
    holds: bool
    sentence: str
    known: bool = True


def _compare(facts: RecommendationFacts, key: str, threshold: Any, where: str) -> _Check:
    """Check one condition `key` (e.g. value_at_most, risk_above, customer_tiers)."""
    if key == "customer_tiers":
        tiers = f"[{', '.join(threshold)}]"
        if facts.customer_tier is None:
            return _Check(
                holds=False, sentence=f"customer tier unknown against {where} {tiers}", known=False
            )
        inside = facts.customer_tier in threshold
        verb = "is in" if inside else "is not in"
        return _Check(inside, f"customer tier {facts.customer_tier} {verb} {where} {tiers}")
    base, _, test = key.rpartition("_at_") if "_at_" in key else key.rpartition("_")
    name, label, show = _FACTS[base]
    fact = getattr(facts, name)
    if fact is None:
        return _Check(
            holds=False, sentence=f"{label} unknown against {where} {show(threshold)}", known=False
        )
    holds = {
        "most": fact <= threshold,
        "least": fact >= threshold,
        "above": fact > threshold,
        "below": fact < threshold,
    }[test]
    words = {
        "most": ("is at most", "is above"),
        "least": ("is at least", "is below"),
        "above": ("is above", "is not above"),
        "below": ("is below", "is not below"),
    }[test]
    verb = words[0] if holds else words[1]
    return _Check(holds, f"{label} {show(fact)} {verb} {where} {show(threshold)}")


@dataclass
class _Decision:
    policy: PolicySet
    facts: RecommendationFacts
    trace: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    routing: Routing = field(init=False)

    def __post_init__(self) -> None:
        facts, settings = self.facts, self.policy.settings_for(self.facts.workflow, self.facts.site)
        self.trace.append(f"policy {self.policy.version}")
        keys = ", ".join(
            f"{key} from {source}" for key, source in settings.sources.items() if source != BUILT_IN
        )
        self.trace.append(
            f"recommendation {facts.recommendation_id}: {facts.workflow} at site {facts.site} "
            f"follows {settings.rule} ({keys or 'nothing set: built-in default'}): "
            f"tier {settings.tier}, approvers {', '.join(settings.approvers)}"
        )
        tier, rule = self._auto(settings), settings.rule
        approvers, second = settings.approvers, self._second(settings, tier)
        if second and tier is Tier.AUTO_EXECUTE:
            tier = Tier.APPROVAL_REQUIRED
            self._say("a second approval is needed, so it cannot auto_execute")
        for rule_at in self.policy.mandatory:
            outcome = self._mandatory(rule_at, tier, approvers, second)
            if outcome is not None:
                tier, approvers, second = outcome
                rule = f"mandatory[{rule_at.id}]"
        if tier is not Tier.APPROVAL_REQUIRED:
            approvers, second = (), ()
        roles = f": approvers {', '.join(approvers)}" if approvers else ""
        roles += f"; second approver {', '.join(second)}" if second else ""
        self.trace.append(f"outcome: {tier} by {rule}{roles}")
        self.routing = Routing(
            tier=tier,
            rule=rule,
            reasons=tuple(self.reasons),
            approver_roles=approvers,
            second_approver_roles=second,
            policy_version=self.policy.version,
        )

    def _say(self, reason: str) -> None:
        self.reasons.append(reason)
        self.trace.append(reason)

    def _auto(self, settings: WorkflowSettings) -> Tier:
        if settings.tier is not Tier.AUTO_EXECUTE:
            self.reasons.append(f"{settings.rule} sets tier {settings.tier}")
            return settings.tier
        conditions = settings.auto_when.model_dump(exclude_none=True) if settings.auto_when else {}
        if not conditions:
            self._say(f"{settings.rule} sets auto_execute with no auto_when conditions")
            return Tier.AUTO_EXECUTE
        checks = [
            _compare(self.facts, key, threshold, f"auto_when.{key}")
            for key, threshold in conditions.items()
        ]
        self.trace += [f"{'passed' if c.holds else 'failed'}: {c.sentence}" for c in checks]
        failed = [check.sentence for check in checks if not check.holds]
        self.reasons += failed or [check.sentence for check in checks]
        if failed:
            self._say(f"an auto_when condition of {settings.rule} failed: approval_required")
            return Tier.APPROVAL_REQUIRED
        return Tier.AUTO_EXECUTE

    def _second(self, settings: WorkflowSettings, tier: Tier) -> tuple[str, ...]:
        wanted = settings.second_approver
        if wanted is None or tier is Tier.RECOMMEND_ONLY:
            return ()
        roles, source = tuple(wanted.roles), settings.sources["second_approver"]
        if wanted.above_value is None:
            self._say(f"{source} always asks for a second approval by {', '.join(roles)}")
            return roles
        check = _compare(
            self.facts, "value_above", wanted.above_value, "second_approver.above_value"
        )
        if check.holds or not check.known:
            self._say(f"{check.sentence}: a second approval by {', '.join(roles)}")
            return roles
        self.trace.append(f"{check.sentence}: one approval suffices")
        return ()

    def _mandatory(
        self, rule: MandatoryRule, tier: Tier, approvers: tuple[str, ...], second: tuple[str, ...]
    ) -> tuple[Tier, tuple[str, ...], tuple[str, ...]] | None:
        name = f"mandatory[{rule.id}]"
        if not rule.covers(self.facts.workflow):
            self.trace.append(f"{name} does not cover {self.facts.workflow}")
            return None
        checks = [
            _compare(self.facts, key, threshold, f"{name}.when.{key}")
            for key, threshold in rule.when.model_dump(exclude_none=True).items()
        ]
        unknown = [check for check in checks if not check.known]
        if not all(check.holds for check in checks if check.known):
            why = "; ".join(c.sentence for c in checks if not c.holds)
            self.trace.append(f"{name} does not apply: {why}")
            return None
        why = "; ".join(c.sentence for c in checks) or "it covers every recommendation"
        why += " (unknown facts count as matching)" if unknown else ""
        cap, require = rule.capped_tier(), rule.require
        new_tier = tier if cap is None or tier.autonomy <= cap.autonomy else cap
        keeps_approval = new_tier is Tier.APPROVAL_REQUIRED
        new_approvers = (
            tuple(require.approvers) if require.approvers and keeps_approval else approvers
        )
        wanted = tuple(require.second_approver_roles or ())
        new_second = wanted if wanted and keeps_approval else second
        if (new_tier, new_approvers, new_second) == (tier, approvers, second):
            self.trace.append(f"{name} applies but changes nothing: {why}")
            return None
        did = [f"tier {new_tier}"] if new_tier is not tier else []
        did += [f"approvers {', '.join(new_approvers)}"] if new_approvers != approvers else []
        did += [f"second approver {', '.join(new_second)}"] if new_second != second else []
        self._say(f"{name} applies ({why}): {'; '.join(did)}")
        return new_tier, new_approvers, new_second
