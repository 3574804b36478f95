"""Where a site file loosens the enterprise: a tier above what a mandatory rule allows,
an auto limit beyond a mandatory rule's threshold, or anything looser than a locked
enterprise workflow (docs/governance.md, "What a site file may do")."""

from __future__ import annotations

from typing import Final

from crossdock.governance.policy.documents import ParsedDocument
from crossdock.governance.policy.errors import Problem
from crossdock.governance.policy.schema import WORKFLOWS, AutoWhen, MandatoryRule, Tier
from crossdock.governance.policy.settings import WorkflowSettings, resolve

# mandatory `when` condition -> the auto_when limit it bounds
_BOUNDED: Final = {
    "value_above": "value_at_most",
    "quantity_above": "quantity_at_most",
    "change_vs_last_order_above": "change_vs_last_order_at_most",
    "risk_above": "risk_at_most",
}
_AT_MOST: Final = (
    "value_at_most",
    "quantity_at_most",
    "change_vs_last_order_at_most",
    "risk_at_most",
)


def check_site(enterprise: ParsedDocument, site: ParsedDocument) -> list[Problem]:
    """Every place `site` loosens a mandatory rule or a locked enterprise workflow, in
    the order of the site file's lines."""
    problems: list[Problem] = []
    if site.model.extends is not None and site.model.extends != enterprise.model.policy:
        problems.append(
            site.problem(
                "extends",
                message=f"extends {site.model.extends!r}, but the enterprise policy is "
                f"{enterprise.model.policy!r}",
                value=site.model.extends,
            )
        )
    for workflow in WORKFLOWS:
        if site.model.workflows.get(workflow) is None:
            continue
        mine = resolve(enterprise.model, site.model, workflow)
        theirs = resolve(enterprise.model, None, workflow)
        for index, rule in enumerate(enterprise.model.mandatory):
            if rule.covers(workflow):
                where = f"mandatory[{rule.id}] ({enterprise.name} line "
                where += f"{enterprise.line_of('mandatory', index)})"
                problems += _against_mandatory(site, mine, theirs, rule, where)
        if theirs.locked:
            where = f"locked workflows.{workflow} ({enterprise.name} line "
            where += f"{enterprise.line_of('workflows', workflow)})"
            problems += _against_locked(site, mine, theirs, where)
    return sorted(problems, key=lambda problem: problem.line or 0)


def _from_site(settings: WorkflowSettings, key: str) -> bool:
    return "(site " in settings.sources[key]


def _against_mandatory(
    site: ParsedDocument,
    mine: WorkflowSettings,
    theirs: WorkflowSettings,
    rule: MandatoryRule,
    where: str,
) -> list[Problem]:
    """A tier above what `rule` allows for every recommendation, or auto_execute with a
    limit beyond the one threshold of `rule` (when the enterprise itself stays within)."""
    cap = rule.capped_tier()
    workflow = mine.workflow
    if cap is None or mine.tier.autonomy <= cap.autonomy:
        return []
    conditions = rule.when.model_dump(exclude_none=True)
    if not conditions:
        if not _from_site(mine, "tier"):
            return []
        return [
            site.problem(
                "workflows",
                workflow,
                "tier",
                message=f"{mine.tier} loosens {where}, which allows {workflow} at most "
                f"{cap} for every recommendation",
                value=str(mine.tier),
            )
        ]
    (condition, limit), *others = conditions.items()
    bound = _BOUNDED.get(condition)
    if others or bound is None or not (_from_site(mine, "auto_when") or _from_site(mine, "tier")):
        return []
    auto_limit = getattr(mine.auto_when, bound, None) if mine.auto_when else None
    if not _beyond(auto_limit, limit, theirs, bound):
        return []
    said = "has no limit" if auto_limit is None else f"{_show(auto_limit)} is above {_show(limit)}"
    loc: tuple[str, ...] = ("workflows", workflow, "auto_when", bound)
    if auto_limit is None:
        loc = loc[:3] if _from_site(mine, "auto_when") else (*loc[:2], "tier")
    return [
        site.problem(
            *loc,
            message=f"auto_execute where {bound} {said} loosens {where}: above "
            f"{_show(limit)} {workflow} is at most {cap}",
            value=auto_limit,
        )
    ]


def _beyond(auto_limit: float | None, limit: float, theirs: WorkflowSettings, bound: str) -> bool:
    """True when auto_execute up to `auto_limit` (None: no limit) passes `limit` and is
    looser than the enterprise's own setting of the workflow."""
    if auto_limit is not None and auto_limit <= limit:
        return False
    if theirs.tier is not Tier.AUTO_EXECUTE:
        return True
    enterprise_limit = getattr(theirs.auto_when, bound, None) if theirs.auto_when else None
    if enterprise_limit is None:
        return False
    return auto_limit is None or auto_limit > enterprise_limit


def _show(value: object) -> str:
    """A threshold as written: 50,000 not 50000.0; lists as a, b."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def _against_locked(
    site: ParsedDocument, mine: WorkflowSettings, theirs: WorkflowSettings, where: str
) -> list[Problem]:
    workflow, problems = mine.workflow, []
    at = ("workflows", workflow)
    if _from_site(mine, "tier") and mine.tier.autonomy > theirs.tier.autonomy:
        problems.append(
            site.problem(
                *at,
                "tier",
                message=f"{mine.tier} is more autonomous than {theirs.tier} of {where}",
                value=str(mine.tier),
            )
        )
    extra = sorted(set(mine.approvers) - set(theirs.approvers))
    if _from_site(mine, "approvers") and extra:
        problems.append(
            site.problem(
                *at,
                "approvers",
                message=f"adds approver roles {', '.join(extra)} beyond "
                f"{', '.join(theirs.approvers)} of {where}",
            )
        )
    if mine.tier is Tier.AUTO_EXECUTE and _from_site(mine, "auto_when"):
        problems += _looser_auto(site, workflow, mine.auto_when, theirs.auto_when, where)
    if _from_site(mine, "second_approver") and theirs.second_approver is not None:
        problems += _looser_second(site, mine, theirs, where)
    return problems


def _looser_auto(
    site: ParsedDocument,
    workflow: str,
    mine: AutoWhen | None,
    theirs: AutoWhen | None,
    where: str,
) -> list[Problem]:
    if theirs is None:
        return []
    loc, problems = ("workflows", workflow, "auto_when"), []
    for key in (*_AT_MOST, "confidence_at_least", "customer_tiers"):
        limit = getattr(theirs, key)
        value = getattr(mine, key) if mine is not None else None
        if limit is None:
            continue
        if value is None:
            message = f"drops auto_when.{key} ({_show(limit)}) of {where}"
            problems.append(site.problem(*loc, message=message))
            continue
        if _looser(key, value, limit):
            message = f"{_show(value)} is looser than {_show(limit)} of {where}"
            problems.append(site.problem(*loc, key, message=message, value=value))
    return problems


def _looser(key: str, value: object, limit: object) -> bool:
    """True when auto_when `key` at `value` lets more through than at `limit`."""
    if isinstance(value, list) and isinstance(limit, list):
        return not set(value) <= set(limit)
    if isinstance(value, float | int) and isinstance(limit, float | int):
        return value < limit if key == "confidence_at_least" else value > limit
    return False


def _looser_second(
    site: ParsedDocument, mine: WorkflowSettings, theirs: WorkflowSettings, where: str
) -> list[Problem]:
    required, given = theirs.second_approver, mine.second_approver
    loc = ("workflows", mine.workflow, "second_approver")
    if required is None:
        return []
    if given is None:
        return [site.problem(*loc, message=f"removes the second approver of {where}")]
    problems = []
    if given.above_value is not None and (
        required.above_value is None or given.above_value > required.above_value
    ):
        limit = "every value" if required.above_value is None else _show(required.above_value)
        problems.append(
            site.problem(
                *loc,
                "above_value",
                message=f"{_show(given.above_value)} is above {limit} of {where}",
                value=given.above_value,
            )
        )
    extra = sorted(set(given.roles) - set(required.roles))
    if extra:
        problems.append(
            site.problem(
                *loc,
                "roles",
                message=f"adds roles {', '.join(extra)} beyond "
                f"{', '.join(required.roles)} of {where}",
            )
        )
    return problems
