"""`crossdock events`: ingest canonical events from JSON lines, see the dead letters,
the catalogue and what is waiting for delivery."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from crossdock.domain.event_catalogue import event_catalogue
from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import AsUser, JsonOption, one_line_errors, open_crossdock
from crossdock.governance.access import authorize
from crossdock.service_layer.identity import principal_named
from crossdock.service_layer.intake import IntakeReport, ingest_events
from crossdock.service_layer.replaying import replay
from crossdock.service_layer.routing import route_agent_proposals

events_app = typer.Typer(
    help="Ingest canonical events; dead letters; the catalogue.", no_args_is_help=True
)

_LETTER_COLUMNS = ("id", "stage", "channel", "event_id", "consumer", "field", "value", "reason")
_CHUNK = 5_000  # lines per transaction: a failure never loses the chunks before it


@events_app.command("ingest")
@one_line_errors
def ingest(
    file: Annotated[
        Path, typer.Argument(help="JSON lines, one event per line.", exists=True, dir_okay=False)
    ],
    user: AsUser,
    fail_on_dead_letter: Annotated[
        bool, typer.Option("--fail-on-dead-letter", help="Exit 3 if any line was refused.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Validate and store each event once; invalid lines go to the dead letters."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    authorize(principal_named(crossdock.governance, user), "import_data")
    total = IntakeReport()
    lines = _lines(file)
    while chunk := list(islice(lines, _CHUNK)):
        done = ingest_events(
            crossdock.events, chunk, channel=f"file {file.name}", now=datetime.now(UTC)
        )
        total.read += done.read
        total.accepted += done.accepted
        total.duplicates += done.duplicates
        total.dead_lettered += done.dead_lettered
        total.problems += done.problems[: max(0, 20 - len(total.problems))]
    if as_json:
        render.emit_json(total.to_json())
    else:
        render.console.print(
            f"{total.read:,} events read: {total.accepted:,} accepted, {total.duplicates:,} "
            f"duplicates, {total.dead_lettered:,} dead-lettered"
        )
        render.intake_problems(total.problems)
    if fail_on_dead_letter and total.dead_lettered:
        raise typer.Exit(code=3)


@events_app.command("dead-letters")
@one_line_errors
def dead_letters(
    user: AsUser,
    stage: Annotated[str | None, typer.Option(help="intake or delivery.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: JsonOption = False,
) -> None:
    """What could not be accepted or delivered, and why."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    authorize(principal_named(crossdock.governance, user), "import_data")
    rows = crossdock.events.dead_letters(stage=stage, limit=limit)
    if as_json:
        render.emit_json({"dead_letters": rows})
        return
    table = Table(title=f"{len(rows)} dead letters")
    for column in ("id", "stage", "where", "event", "consumer", "field", "value", "reason"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(str(row[key] or "")) for key in _LETTER_COLUMNS))
    render.console.print(table)


@events_app.command("replay")
@one_line_errors
def replay_command(
    agent: Annotated[
        str, typer.Option(help="The agent, e.g. procurement (or procurement@BR1 per site).")
    ],
    user: AsUser,
    since: Annotated[
        str | None, typer.Option(help="Only events received from this day (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Hand an agent the stored events it never handled (an agent or a site added later)."""
    # imported here: the agents' handlers reach the planning engine (slow to import)
    from crossdock.service_layer.agent_runtime import UnknownAgent, agents  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    authorize(principal_named(crossdock.governance, user), "import_data")
    consumers = agents(crossdock.agent_data, sites=crossdock.settings.agent_sites)
    wanted = agent if agent.startswith("agent:") else f"agent:{agent}"
    consumer = next((c for c in consumers if c.name == wanted), None)
    if consumer is None:
        names = ", ".join(c.name.removeprefix("agent:") for c in consumers)
        raise UnknownAgent(f"no agent {agent!r} runs here (running: {names})")
    start = None if since is None else datetime.combine(date.fromisoformat(since), time(), UTC)
    report = replay(crossdock.events, consumer, since=start, now=datetime.now(UTC))
    routed = route_agent_proposals(
        crossdock.governance, policy=crossdock.approval_policy(), now=datetime.now(UTC)
    )
    if as_json:
        render.emit_json({**report.to_json(), "routed": routed.routed})
        return
    render.console.print(
        f"{report.agent}: {report.read:,} events not handled before, {report.handled:,} "
        f"handled, {report.failed:,} failed, {report.held_back:,} held back behind a failure;"
        f" {routed.routed:,} proposals routed",
        markup=False,
    )
    for problem in report.problems:
        render.console.print(f"  {problem['event_id']}: {problem['reason']}", markup=False)


@events_app.command("catalogue")
@one_line_errors
def catalogue(as_json: JsonOption = False) -> None:
    """Every event type, its required fields and its data payload."""
    rows = event_catalogue()
    if as_json:
        render.emit_json({"event_types": rows})
        return
    for row in rows:
        render.console.print(f"{row['type']}: {row['description']}", markup=False)


@events_app.command("status")
@one_line_errors
def status(as_json: JsonOption = False) -> None:
    """Events stored, messages waiting for delivery, dead letters by stage; per agent,
    events handled, lag from intake to handling, and dead letters."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    counts = crossdock.events.event_counts()
    activity = crossdock.events.agent_activity()
    if as_json:
        render.emit_json({**counts, "agents": activity})
        return
    render.console.print(", ".join(f"{k}: {v:,}" for k, v in counts.items()))
    if activity:
        render.console.print(render_agent_activity(activity))


def render_agent_activity(rows: list[dict[str, Any]]) -> Table:
    table = Table("agent", "handled", "last handled", "lag p50 s", "lag p95 s", "dead letters")
    for row in rows:
        last = row["last_handled_at"]
        table.add_row(
            row["agent"],
            f"{row['handled']:,}",
            "" if last is None else str(last)[:19],
            "" if row["lag_p50_s"] is None else f"{row['lag_p50_s']:.3f}",
            "" if row["lag_p95_s"] is None else f"{row['lag_p95_s']:.3f}",
            f"{row['dead_letters']:,}",
        )
    return table


def _lines(file: Path) -> Iterator[tuple[str, str]]:
    with file.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield f"{file.name} line {number}", line
