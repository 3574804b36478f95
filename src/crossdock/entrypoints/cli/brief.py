"""`crossdock brief`: the weekly executive brief as an offline HTML page and Markdown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import AsUser, JsonOption, one_line_errors, open_crossdock
from crossdock.service_layer.identity import principal_named


@one_line_errors
def brief(
    user: AsUser,
    out: Annotated[
        Path, typer.Option(help="Folder to write brief-<week-ending>.html and .md into.")
    ],
    week_ending: Annotated[
        str | None,
        typer.Option(help="Last day of the week, YYYY-MM-DD (default: today, UTC)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write the weekly brief for USER's role: KPIs and trends, top risks with money at
    stake, decisions pending by approver, and what the agents did and were worth."""
    # imported here: the KPI and outcome services work on pandas frames (slow to import)
    from crossdock.adapters.reports import write_brief  # noqa: PLC0415
    from crossdock.service_layer.briefing import weekly_brief  # noqa: PLC0415

    now = datetime.now(UTC)
    last_day = _week_ending(week_ending) if week_ending else now.date()
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    actor = principal_named(crossdock.governance, user)
    with render.errors.status(f"composing the brief for the week ending {last_day}"):
        composed = weekly_brief(
            kpi_reads=crossdock.kpi_reads,
            outcomes=crossdock.outcomes,
            queue=crossdock.work_queue_reads,
            exceptions=crossdock.exceptions,
            proposals=crossdock.kpi_reads,
            actor=actor,
            week_ending=last_day,
            now=now,
        )
        files = write_brief(composed, out)
    if as_json:
        render.emit_json({"brief": composed.to_json(), "files": files.to_json()})
        return
    render.console.print(f"html: {files.html}", markup=False, soft_wrap=True)
    render.console.print(f"markdown: {files.markdown}", markup=False, soft_wrap=True)


def _week_ending(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--week-ending: {text!r} is not a date like 2026-11-22") from None
