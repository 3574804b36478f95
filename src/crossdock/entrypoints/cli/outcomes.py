"""`crossdock outcomes`: score what decided recommendations did, and the decision KPIs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import AsUser, JsonOption, one_line_errors, open_crossdock
from crossdock.service_layer.identity import principal_named

outcomes_app = typer.Typer(
    help="Score decided recommendations against what happened; decision KPIs.",
    no_args_is_help=True,
)


@outcomes_app.command("score")
@one_line_errors
def score(
    user: AsUser,
    through: Annotated[
        str | None, typer.Option(help="Score windows ending by this day (default: today).")
    ] = None,
    rescore: Annotated[
        bool, typer.Option("--rescore", help="Score again what was scored.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Replay each executed or rejected recommendation on the demand recorded since."""
    # imported here, as in `kpis`: it works on pandas frames (slow to import)
    from crossdock.service_layer.outcomes import score_outcomes  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    actor = principal_named(crossdock.governance, user)
    now = datetime.now(UTC)
    with render.progress_bars() as progress:
        report = score_outcomes(
            crossdock.outcomes,
            actor=actor,
            through=date.fromisoformat(through) if through else now.date(),
            now=now,
            rescore=rescore,
            progress=progress,
        )
    payload = report.to_json()
    if as_json:
        render.emit_json(payload)
        return
    render.console.print(
        f"{payload['scored']:,} outcomes scored, {payload['waiting']:,} still in their window, "
        f"{len(payload['skipped']):,} skipped; realised value {payload['realised_value']:,.2f}",
        markup=False,
    )


@outcomes_app.command("kpis")
@one_line_errors
def kpis(
    user: AsUser,
    since: Annotated[str | None, typer.Option(help="Decisions from this day, YYYY-MM-DD.")] = None,
) -> None:
    """Acceptance and override rates, auto-approvals, pending approvals by role, and
    realised value per agent and per policy version."""
    from crossdock.service_layer.decision_kpis import decision_kpis  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    found = decision_kpis(
        crossdock.outcomes,
        actor=principal_named(crossdock.governance, user),
        since=date.fromisoformat(since) if since else None,
    ).to_json()
    render.emit_json(found)  # JSON either way; the workbench (issue 8) draws it
