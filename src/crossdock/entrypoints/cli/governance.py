"""Governance commands: recommendations (list, show, decide), the audit ledger, users,
and loading or explaining approval policies.

The command line acts as the user `--as` names (or $CROSSDOCK_USER): whoever can run it
against the database is trusted to say who they are, as with a database client. The
REST API authenticates people and machines instead (docs/governance.md).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crossdock.domain.lifecycle import Action
from crossdock.entrypoints.cli import render, render_governance
from crossdock.entrypoints.cli.context import AsUser, JsonOption, one_line_errors, open_crossdock
from crossdock.entrypoints.cli.policy import policy_app
from crossdock.governance.access import SYSTEM, Principal, authorize
from crossdock.service_layer.approval_policies import activate_policy, explain_routing
from crossdock.service_layer.auditing import export_audit, purge_audit, verify_audit
from crossdock.service_layer.deciding import OVERRIDE_REASONS, Decide, decide
from crossdock.service_layer.identity import (
    add_agent,
    add_person,
    issue_api_token,
    principal_named,
)
from crossdock.service_layer.recommendation_queries import (
    list_recommendations,
    recommendation_detail,
)

if TYPE_CHECKING:
    from crossdock.bootstrap import Crossdock

recommendations_app = typer.Typer(
    help="List, show, approve, reject, modify or cancel recommendations.", no_args_is_help=True
)
audit_app = typer.Typer(help="Verify, export and purge the audit ledger.", no_args_is_help=True)
users_app = typer.Typer(help="People, agent accounts and API tokens.", no_args_is_help=True)

RecommendationId = Annotated[int, typer.Argument(help="The recommendation's id.", min=1)]
Version = Annotated[
    int | None,
    typer.Option(
        "--version", help="The version you read; refused if someone changed it since.", min=1
    ),
]
Reason = Annotated[str | None, typer.Option("--reason", help="Why, in words.")]
ReasonCode = Annotated[
    str | None, typer.Option("--reason-code", help=f"One of: {', '.join(OVERRIDE_REASONS)}.")
]


def _acting(crossdock: Crossdock, username: str) -> Principal:
    crossdock.require_current_schema()
    return principal_named(crossdock.governance, username)


# ---------------------------------------------------------------- recommendations


@recommendations_app.command("list")
@one_line_errors
def list_(
    user: AsUser,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    plan_run: Annotated[int | None, typer.Option(help="Plan run (default: newest).")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 20,
    as_json: JsonOption = False,
) -> None:
    """The newest plan's recommendations, most savings first, masked for your role."""
    crossdock = open_crossdock()
    rows = list_recommendations(
        crossdock.governance,
        actor=_acting(crossdock, user),
        status=status,
        plan_run_id=plan_run,
        limit=limit,
    )
    if as_json:
        render.emit_json({"recommendations": rows})
    else:
        render_governance.recommendation_table(rows)


@recommendations_app.command("show")
@one_line_errors
def show(recommendation_id: RecommendationId, user: AsUser, as_json: JsonOption = False) -> None:
    """One recommendation with its routing, approvals and audit trail."""
    crossdock = open_crossdock()
    detail = recommendation_detail(
        crossdock.governance, actor=_acting(crossdock, user), recommendation_id=recommendation_id
    )
    if as_json:
        render.emit_json(detail)
    else:
        render_governance.recommendation_detail(detail)


def _decide(user: str, command: Decide, *, as_json: bool) -> None:
    crossdock = open_crossdock()
    decision = decide(
        crossdock.governance,
        command,
        actor=_acting(crossdock, user),
        now=datetime.now(UTC),
        policy=crossdock.approval_policy(),
    )
    if as_json:
        render.emit_json(decision.to_json())
    else:
        note = f" ({decision.note})" if decision.note else ""
        render.console.print(
            f"recommendation {decision.recommendation_id}: {decision.from_status} -> "
            f"{decision.to_status}{note}; audit entry {decision.ledger_seq}"
        )


@recommendations_app.command("approve")
@one_line_errors
def approve(
    recommendation_id: RecommendationId,
    user: AsUser,
    version: Version = None,
    reason: Reason = None,
    as_json: JsonOption = False,
) -> None:
    """Approve as proposed (or as modified by someone else)."""
    _decide(
        user,
        Decide(recommendation_id, Action.APPROVE, reason=reason, expected_version=version),
        as_json=as_json,
    )


@recommendations_app.command("reject")
@one_line_errors
def reject(
    recommendation_id: RecommendationId,
    user: AsUser,
    reason_code: ReasonCode = None,
    reason: Reason = None,
    version: Version = None,
    as_json: JsonOption = False,
) -> None:
    """Turn it down: an override, so a reason code and a reason are required."""
    _decide(
        user,
        Decide(
            recommendation_id,
            Action.REJECT,
            reason=reason,
            reason_code=reason_code,
            expected_version=version,
        ),
        as_json=as_json,
    )


@recommendations_app.command("modify")
@one_line_errors
def modify(
    recommendation_id: RecommendationId,
    user: AsUser,
    quantity: Annotated[float | None, typer.Option(help="The new quantity.")] = None,
    arrival_date: Annotated[
        str | None, typer.Option(help="The new arrival date, YYYY-MM-DD.")
    ] = None,
    reason_code: ReasonCode = None,
    reason: Reason = None,
    version: Version = None,
    as_json: JsonOption = False,
) -> None:
    """Change quantity or date: an override; someone else approves the change."""
    arrival = date.fromisoformat(arrival_date) if arrival_date else None
    _decide(
        user,
        Decide(
            recommendation_id,
            Action.MODIFY,
            reason=reason,
            reason_code=reason_code,
            quantity=quantity,
            arrival_date=arrival,
            expected_version=version,
        ),
        as_json=as_json,
    )


@recommendations_app.command("cancel")
@one_line_errors
def cancel(
    recommendation_id: RecommendationId,
    user: AsUser,
    reason: Reason = None,
    version: Version = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw it before it is committed; a reason is required."""
    _decide(
        user,
        Decide(recommendation_id, Action.CANCEL, reason=reason, expected_version=version),
        as_json=as_json,
    )


# ---------------------------------------------------------------- the audit ledger


@audit_app.command("verify")
@one_line_errors
def verify(
    user: Annotated[
        str | None,
        typer.Option("--as", envvar="CROSSDOCK_USER", help="Default: the system account."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check the hash chain from its anchor to its head; exit 1 naming the first bad entry."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    actor = _acting(crossdock, user) if user else SYSTEM
    verdict = verify_audit(crossdock.governance, actor=actor)
    head = crossdock.governance.head()
    payload = {**verdict.to_json(), "head_seq": head.seq, "head_hash": head.hash}
    if as_json:
        render.emit_json(payload)
    elif verdict.ok:
        render.console.print(
            f"audit ledger intact: {verdict.checked:,} entries checked, "
            f"head {head.seq} {head.hash[:16]}"
        )
    if not verdict.ok:
        render.emit_error(f"audit ledger broken: {verdict.problem}")
        raise typer.Exit(code=1)


@audit_app.command("export")
@one_line_errors
def export(
    user: AsUser,
    out: Annotated[Path, typer.Option(help="File to write.", dir_okay=False)],
    format: Annotated[str, typer.Option("--format", help="csv or jsonl.")] = "jsonl",
    recommendation: Annotated[int | None, typer.Option(help="Only this recommendation.")] = None,
) -> None:
    """Write the ledger as CSV or JSON lines, masked for your role."""
    if format not in ("csv", "jsonl"):
        raise ValueError(f"--format {format!r}: use csv or jsonl")
    crossdock = open_crossdock()
    written = export_audit(
        crossdock.governance,
        out,
        actor=_acting(crossdock, user),
        format="csv" if format == "csv" else "jsonl",
        recommendation_id=recommendation,
    )
    render.console.print(f"{written:,} audit entries written to {out}")


@audit_app.command("purge")
@one_line_errors
def purge(
    user: AsUser,
    archive: Annotated[Path, typer.Option(help="JSON lines file for what is purged.")],
    retention_days: Annotated[
        int | None,
        typer.Option(help="Keep this many days (default: $CROSSDOCK_AUDIT_RETENTION_DAYS).", min=1),
    ] = None,
) -> None:
    """Archive, then remove, entries older than the retention period; what is kept still
    verifies from the new anchor."""
    crossdock = open_crossdock()
    days = retention_days or crossdock.settings.audit_retention_days
    purged = purge_audit(
        crossdock.governance,
        actor=_acting(crossdock, user),
        retention_days=days,
        now=datetime.now(UTC),
        archive=archive,
    )
    if days is None:
        render.console.print("no retention set: nothing purged")
    else:
        render.console.print(f"{purged:,} entries older than {days} days archived to {archive}")


# ---------------------------------------------------------------- users


@users_app.command("add")
@one_line_errors
def add_user(
    username: Annotated[str, typer.Argument()],
    role: Annotated[list[str], typer.Option("--role", help="A role; repeat for several.")],
    user: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="CROSSDOCK_USER",
            help="A user with manage_users; not needed for the first user, an admin.",
        ),
    ] = None,
    site: Annotated[
        list[str] | None, typer.Option("--site", help="Limit to a site; repeat.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Add (or replace) a person; the password is asked for, never an option.

    On a store with no users yet, the first user needs no --as but must be an admin."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    if user is not None:
        authorize(_acting(crossdock, user), "manage_users")
    elif crossdock.governance.users():
        raise ValueError("users exist: name yourself with --as USER (a user with manage_users)")
    elif "admin" not in role:
        raise ValueError("the first user must hold the admin role (--role admin)")
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("password", hide_input=True, confirmation_prompt=True)
    )
    add_person(
        crossdock.governance,
        username=username,
        roles=role,
        password=password,
        now=datetime.now(UTC),
        display_name=name,
        sites=site or None,
    )
    render.console.print(f"user {username} ({', '.join(role)}) saved")


@users_app.command("add-agent")
@one_line_errors
def add_agent_(
    username: Annotated[str, typer.Argument()],
    user: AsUser,
    action: Annotated[list[str], typer.Option("--action", help="An allowed action; repeat.")],
    data: Annotated[list[str] | None, typer.Option("--data", help="Data it may read.")] = None,
    site: Annotated[list[str] | None, typer.Option("--site")] = None,
) -> None:
    """Add (or replace) an agent service account allowed exactly these actions and data."""
    crossdock = open_crossdock()
    authorize(_acting(crossdock, user), "manage_users")
    add_agent(
        crossdock.governance,
        username=username,
        actions=action,
        data=data or [],
        now=datetime.now(UTC),
        sites=site or None,
    )
    render.console.print(f"agent account {username} saved")


@users_app.command("list")
@one_line_errors
def list_users(user: AsUser, as_json: JsonOption = False) -> None:
    """Every person and agent account (never a password hash)."""
    crossdock = open_crossdock()
    authorize(_acting(crossdock, user), "manage_users")
    rows: list[dict[str, Any]] = crossdock.governance.users()
    if as_json:
        render.emit_json({"users": rows})
    else:
        render_governance.user_table(rows)


@users_app.command("token")
@one_line_errors
def token(
    username: Annotated[str, typer.Argument(help="The account the token acts as.")],
    user: AsUser,
    name: Annotated[str, typer.Option(help="What the token is for.")],
) -> None:
    """Make an API token for a machine; it is shown once and only its hash is kept."""
    crossdock = open_crossdock()
    authorize(_acting(crossdock, user), "manage_users")
    made = issue_api_token(
        crossdock.governance, username=username, name=name, now=datetime.now(UTC)
    )
    render.console.print(made, markup=False, highlight=False)


# ---------------------------------------------------------------- approval policies


@policy_app.command("load")
@one_line_errors
def load(
    files: Annotated[list[Path], typer.Argument(help="Enterprise file, then site files.")],
    user: AsUser,
    as_json: JsonOption = False,
) -> None:
    """Validate policy files and put them in force for recommendations routed from now on."""
    crossdock = open_crossdock()
    policy = activate_policy(
        crossdock.governance, files, actor=_acting(crossdock, user), now=datetime.now(UTC)
    )
    if as_json:
        render.emit_json({"version": policy.version, "files": [str(f) for f in files]})
    else:
        render.console.print(f"approval policy {policy.version} is in force")


@policy_app.command("explain")
@one_line_errors
def explain(recommendation_id: RecommendationId, user: AsUser, as_json: JsonOption = False) -> None:
    """Which rule routed a recommendation, and each condition checked against its values."""
    crossdock = open_crossdock()
    payload = explain_routing(
        crossdock.governance, recommendation_id=recommendation_id, actor=_acting(crossdock, user)
    )
    if as_json:
        render.emit_json(payload)
        return
    render.console.print(
        f"recommendation {payload['recommendation_id']} ({payload['status']}): "
        f"{payload['tier']} by {payload['rule']} under policy {payload['policy_version']}",
        markup=False,
    )
    for line in payload["explanation"]:
        render.console.print(f"  {line}", markup=False)
