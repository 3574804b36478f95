"""`crossdock policy`: check approval policy files and show what they decide
(docs/governance.md, "Approval policies")."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from crossdock.entrypoints.cli import render
from crossdock.governance.policy import (
    WORKFLOWS,
    PolicyError,
    PolicySet,
    Tier,
    WorkflowSettings,
    load_policy,
)

policy_app = typer.Typer(
    name="policy",
    help="Approval policies as code: check the YAML files and show who approves what.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

ALL_SITES = "*"

_SYMBOLS = {"_at_most": " ≤ ", "_at_least": " ≥ "}


@policy_app.command("check")
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help="The enterprise policy file, then any site files.", dir_okay=False),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Validate policy files together; print the version and every workflow's routing per
    site, or every problem (file, line, path, message) and exit 1."""
    try:
        policy = load_policy(*files)
    except PolicyError as error:
        if as_json:
            render.emit_json({"ok": False, "problems": [p.to_json() for p in error.problems]})
        else:
            for problem in error.problems:
                render.emit_error(str(problem))
        raise typer.Exit(code=1) from None
    except OSError as error:
        render.emit_error(f"error: {error.filename or ''}: {error.strerror or error}")
        raise typer.Exit(code=1) from None
    payload = policy_payload(policy)
    if as_json:
        render.emit_json(payload)
        return
    render.console.print(f"policy {policy.name} is valid: version {policy.version}")
    render.console.print(_workflow_table(policy))
    if policy.mandatory:
        render.console.print(_mandatory_table(payload["mandatory"]))


def policy_payload(policy: PolicySet) -> dict[str, Any]:
    """The merged settings of every workflow at every site that has a file (`*`: every
    other site), and the mandatory rules."""
    return {
        "ok": True,
        "policy": policy.name,
        "version": policy.version,
        "files": list(policy.texts),
        "sites": sorted(policy.sites),
        "workflows": {
            workflow: {site: _settings_json(policy, workflow, site) for site in _sites(policy)}
            for workflow in WORKFLOWS
        },
        "mandatory": [rule.model_dump(mode="json", exclude_none=True) for rule in policy.mandatory],
    }


def _sites(policy: PolicySet) -> list[str]:
    return [ALL_SITES, *sorted(policy.sites)]


def _settings_json(policy: PolicySet, workflow: str, site: str) -> dict[str, Any]:
    settings = policy.settings_for(workflow, None if site == ALL_SITES else site)
    second = settings.second_approver
    return {
        "tier": str(settings.tier),
        "approvers": list(settings.approvers) if settings.tier is not Tier.RECOMMEND_ONLY else [],
        "auto_when": (
            settings.auto_when.model_dump(exclude_none=True)
            if settings.auto_when and settings.tier is Tier.AUTO_EXECUTE
            else {}
        ),
        "second_approver": second.model_dump(exclude_none=True) if second else None,
        "locked": settings.locked,
        "rule": settings.rule,
    }


def _workflow_table(policy: PolicySet) -> Table:
    table = Table(title=f"Approval routing, {policy.version} (* = every other site)")
    table.add_column("workflow")
    for site in _sites(policy):
        table.add_column(site)
    for workflow in WORKFLOWS:
        cells = [
            _cell(policy.settings_for(workflow, None if s == ALL_SITES else s))
            for s in _sites(policy)
        ]
        table.add_row(workflow, *cells)
    return table


def _cell(settings: WorkflowSettings) -> str:
    lines = [str(settings.tier) + (" (locked)" if settings.locked else "")]
    if settings.tier is not Tier.RECOMMEND_ONLY:
        lines.append(f"by {', '.join(settings.approvers)}")
    if settings.tier is Tier.AUTO_EXECUTE:
        conditions = settings.auto_when.model_dump(exclude_none=True) if settings.auto_when else {}
        lines.append(
            "auto if " + (", ".join(_condition(k, v) for k, v in conditions.items()) or "always")
        )
    second = settings.second_approver
    if second is not None and settings.tier is not Tier.RECOMMEND_ONLY:
        above = f" above {_show(second.above_value)}" if second.above_value is not None else ""
        lines.append(f"2nd: {', '.join(second.roles)}{above}")
    return "\n".join(lines)


def _condition(key: str, threshold: Any) -> str:
    if key == "customer_tiers":
        return f"customer tier in {', '.join(threshold)}"
    for suffix, symbol in _SYMBOLS.items():
        if key.endswith(suffix):
            return f"{key.removesuffix(suffix).replace('_', ' ')}{symbol}{_show(threshold)}"
    return f"{key} {threshold}"


def _mandatory_table(rules: list[dict[str, Any]]) -> Table:
    table = Table(title="Mandatory rules (applied last; a site file cannot loosen them)")
    for column in ("id", "workflow", "when", "require"):
        table.add_column(column)
    for rule in rules:
        when = "; ".join(f"{k}: {_show(v)}" for k, v in rule.get("when", {}).items()) or "always"
        require = "; ".join(f"{k}: {_show(v)}" for k, v in rule["require"].items())
        table.add_row(rule["id"], ", ".join(rule["workflow"]), when, require)
    return table


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int | float):
        return f"{value:,}"
    return str(value)
