"""`crossdock schedule`: the jobs the worker runs on a schedule, their runs, and running
one now (recorded like a scheduled run)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import JsonOption, one_line_errors, open_crossdock
from crossdock.service_layer.cadence import find_job, job_statuses, run_job
from crossdock.service_layer.cadence_ports import RunRecord

schedule_app = typer.Typer(
    help="Scheduled jobs (plan, po_acknowledgement): list them, their runs, run one now.",
    no_args_is_help=True,
)


@schedule_app.command("list")
@one_line_errors
def list_jobs(as_json: JsonOption = False) -> None:
    """Every scheduled job: its schedule (UTC), last run and when it is next due."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    now = datetime.now(UTC)
    statuses = job_statuses(crossdock.schedules, crossdock.scheduled_jobs(), now=now)
    if as_json:
        render.emit_json(
            {"now": now.isoformat().replace("+00:00", "Z"), "jobs": [s.to_json() for s in statuses]}
        )
        return
    table = Table(title=f"scheduled jobs at {_time(now)} (times in UTC)")
    for column in ("job", "schedule", "last run", "outcome", "next due"):
        table.add_column(column, overflow="fold")
    for status in statuses:
        last = status.last_run
        due = status.next_due
        table.add_row(
            status.name,
            status.schedule,
            "never" if last is None else f"{_time(last.started_at)} ({last.trigger})",
            "" if last is None else _outcome(last),
            "off" if due is None else ("due now" if due <= now else _time(due)),
        )
    render.console.print(table)


@schedule_app.command("run")
@one_line_errors
def run(
    job: Annotated[str, typer.Argument(help="The job to run now: plan, po_acknowledgement.")],
    as_json: JsonOption = False,
) -> None:
    """Run one job now, recorded like a scheduled run (trigger `manual`); the schedule
    goes on as before. Exits 1 when the job fails."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    jobs = crossdock.scheduled_jobs()
    find_job(jobs, job)  # an unknown job fails before anything is recorded
    record = run_job(crossdock.schedules, jobs, job, now=datetime.now(UTC))
    if as_json:
        render.emit_json(record.to_json())
    else:
        render.console.print(
            f"{record.job} run #{record.id} {_outcome(record)}: {_summary(record.summary)}",
            markup=False,
        )
    if record.outcome == "failed":
        render.emit_error(f"error: {record.job} failed: {record.error}")
        raise typer.Exit(code=1)


@schedule_app.command("runs")
@one_line_errors
def runs(
    job: Annotated[str | None, typer.Option(help="Only this job's runs.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many runs.", min=1)] = 20,
    as_json: JsonOption = False,
) -> None:
    """The latest runs, newest first: started, finished, outcome, error and what each did."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    if job is not None:
        find_job(crossdock.scheduled_jobs(), job)
    records = crossdock.schedules.runs(job=job, limit=limit)
    if as_json:
        render.emit_json({"runs": [record.to_json() for record in records]})
        return
    table = Table(title=f"{len(records)} runs, newest first (times in UTC)")
    for column in ("id", "job", "trigger", "started", "finished", "outcome", "what it did"):
        table.add_column(column, overflow="fold")
    for record in records:
        table.add_row(
            str(record.id),
            record.job,
            record.trigger,
            _time(record.started_at),
            _time(record.finished_at),
            escape(_outcome(record)),
            escape(_summary(record.summary) if record.outcome != "failed" else ""),
        )
    render.console.print(table)


def _outcome(record: RunRecord) -> str:
    if record.outcome == "failed":
        return f"failed: {record.error}"
    if record.finished_at is None:
        return record.outcome
    seconds = (record.finished_at - record.started_at).total_seconds()
    return f"{record.outcome} in {seconds:,.1f} s"


def _summary(summary: Mapping[str, Any] | None) -> str:
    if not summary:
        return ""
    return ", ".join(
        f"{key} {value}" for key, value in summary.items() if not isinstance(value, dict)
    )


def _time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
