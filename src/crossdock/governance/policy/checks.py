"""Rules a policy set must keep beyond the schema: what each scope may hold, one file
per site, and no site file loosening an enterprise mandatory rule or locked workflow."""

from __future__ import annotations

from collections.abc import Sequence

from crossdock.governance.access import roles_allowed
from crossdock.governance.policy.documents import ParsedDocument
from crossdock.governance.policy.errors import Problem
from crossdock.governance.policy.loosening import check_site
from crossdock.governance.policy.schema import WORKFLOWS, Tier
from crossdock.governance.policy.settings import BUILT_IN, resolve


def check_document(document: ParsedDocument) -> list[Problem]:
    """What the file's scope allows, and unique, non-empty mandatory rules."""
    model, problems = document.model, []
    if model.scope == "enterprise":
        problems += [
            document.problem(key, message=f"an enterprise file cannot set {key}:")
            for key in ("site", "extends")
            if key in model.model_fields_set
        ]
        seen: set[str] = set()
        for index, rule in enumerate(model.mandatory):
            if rule.id in seen:
                problems.append(
                    document.problem(
                        "mandatory", index, "id", message=f"duplicate rule id {rule.id!r}"
                    )
                )
            seen.add(rule.id)
            need = rule.require
            if not (need.max_tier or need.approvers or need.second_approver_roles):
                problems.append(
                    document.problem(
                        "mandatory",
                        index,
                        "require",
                        message="require needs max_tier, approvers or second_approver_roles",
                    )
                )
        return problems
    if model.site is None:
        problems.append(document.problem(message="a site file needs site: <location code>"))
    if "defaults" in model.model_fields_set:
        problems.append(
            document.problem(
                "defaults", message="a site file cannot set defaults; set workflows one by one"
            )
        )
    if model.mandatory:
        problems.append(
            document.problem("mandatory", message="only the enterprise file holds mandatory rules")
        )
    for workflow in WORKFLOWS:
        settings = model.workflows.get(workflow)
        if settings is not None and "locked" in settings.model_fields_set:
            problems.append(
                document.problem(
                    "workflows",
                    workflow,
                    "locked",
                    message="only the enterprise file can lock a workflow",
                )
            )
    return problems


def check_set(documents: Sequence[ParsedDocument]) -> list[Problem]:
    """One enterprise file, one file per site, then every site against the enterprise."""
    problems = [problem for document in documents for problem in check_document(document)]
    enterprises = [d for d in documents if d.model.scope == "enterprise"]
    if not enterprises:
        names = ", ".join(d.name for d in documents) or "no files"
        problems.append(
            Problem(names, None, "scope", "no enterprise file: one needs scope: enterprise")
        )
        return problems
    problems += [
        extra.problem("scope", message=f"a second enterprise file; {enterprises[0].name} is first")
        for extra in enterprises[1:]
    ]
    seen: dict[str, str] = {}
    for document in documents:
        code = document.model.site
        if document.model.scope != "site" or code is None:
            continue
        if code in seen:
            problems.append(
                document.problem(
                    "site", message=f"site {code} already has {seen[code]}", value=code
                )
            )
        seen.setdefault(code, document.name)
        problems += check_site(enterprises[0], document)
    return problems or _unapprovable(enterprises[0], [d for d in documents if d.model.site])


def _unapprovable(enterprise: ParsedDocument, sites: list[ParsedDocument]) -> list[Problem]:
    """Approver lists of which no role may approve the workflow (crossdock.governance.
    access): such a recommendation would wait for ever."""
    problems: dict[str, Problem] = {}
    for workflow in WORKFLOWS:
        may = {str(role) for role in roles_allowed("approve", workflow=workflow)}
        for site in [None, *sites]:
            settings = resolve(enterprise.model, site.model if site else None, workflow)
            if settings.tier is Tier.RECOMMEND_ONLY:
                continue
            lists = [("approvers", settings.approvers)]
            if settings.second_approver is not None:
                lists.append(("second_approver", tuple(settings.second_approver.roles)))
            for key, roles in lists:
                source = settings.sources[key]
                if may & set(roles) or source == BUILT_IN:
                    continue
                document = site if site and "(site " in source else enterprise
                loc = ("defaults", key) if source == "defaults" else ("workflows", workflow, key)
                message = (
                    f"none of {', '.join(roles)} may approve {workflow} (roles that may: "
                    f"{', '.join(sorted(may))})"
                )
                problem = document.problem(*loc, message=message)
                problems.setdefault(str(problem), problem)
        for index, rule in enumerate(enterprise.model.mandatory):
            needed = {
                "approvers": rule.require.approvers or [],
                "second_approver_roles": rule.require.second_approver_roles or [],
            }
            for key, wanted in needed.items():
                if wanted and rule.covers(workflow) and not may & set(wanted):
                    problem = enterprise.problem(
                        *("mandatory", index, "require", key),
                        message=f"none of {', '.join(wanted)} may approve {workflow}",
                    )
                    problems.setdefault(str(problem), problem)
    return list(problems.values())
