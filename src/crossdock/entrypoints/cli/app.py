"""The `crossdock` command line: init, demo, import, status, plan, simulate, and the
governance groups recommendations, policy, audit, users and outcomes, and events.

Every command takes `--json` for scripts, draws progress on stderr, and on failure
exits non-zero with one line saying why.

The planning engine (statsforecast, scipy and its HiGHS solver) and pandas take seconds
to import, so the commands that use them import them when they run: `--help` and the
commands that never plan or read frames start in a fraction of that.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from crossdock import __version__
from crossdock.adapters.reports import json_safe, write_simulation_report
from crossdock.entrypoints.cli import render, render_governance, schema
from crossdock.entrypoints.cli.agents import agents_command
from crossdock.entrypoints.cli.ask import ask
from crossdock.entrypoints.cli.brief import brief
from crossdock.entrypoints.cli.connect import connect_app
from crossdock.entrypoints.cli.context import JsonOption, State, one_line_errors, open_crossdock
from crossdock.entrypoints.cli.edi import edi_app
from crossdock.entrypoints.cli.events import events_app
from crossdock.entrypoints.cli.governance import audit_app, recommendations_app, users_app
from crossdock.entrypoints.cli.knowledge import knowledge_app
from crossdock.entrypoints.cli.outcomes import outcomes_app
from crossdock.entrypoints.cli.policy import policy_app
from crossdock.entrypoints.cli.schedule import schedule_app
from crossdock.entrypoints.cli.serve import serve
from crossdock.entrypoints.cli.worker import worker
from crossdock.governance.access import SYSTEM
from crossdock.service_layer.demo_governance import seed_demo_governance
from crossdock.service_layer.routing import route_plan

# `crossdock.service_layer.simulating.POLICIES`, named here for `simulate --help` without
# importing the simulation engine; tests/unit/entrypoints/test_cli_imports.py checks they agree.
POLICIES = ("min_max", "min_max_abc", "normal", "crossdock", "oracle")

app = typer.Typer(
    name="crossdock",
    help="Crossdock: plan and govern a multi-warehouse distributor above its ERP.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

app.add_typer(recommendations_app, name="recommendations")
app.add_typer(policy_app, name="policy")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.add_typer(outcomes_app, name="outcomes")
app.add_typer(events_app, name="events")
app.add_typer(edi_app, name="edi")
app.add_typer(schedule_app, name="schedule")
app.add_typer(connect_app, name="connect")
app.add_typer(knowledge_app, name="knowledge")
app.command("worker")(worker)
app.command("serve")(serve)
app.command("agents")(agents_command)
app.command("brief")(brief)
app.command("ask")(ask)


@app.callback()
def main_options(
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL of the store (default: $CROSSDOCK_DATABASE_URL or "
            "sqlite:///./crossdock.db).",
        ),
    ] = None,
) -> None:
    State.database_url = database_url


@app.command()
@one_line_errors
def version(as_json: JsonOption = False) -> None:
    """Print Crossdock's version."""
    if as_json:
        render.emit_json({"version": __version__})
    else:
        render.console.print(__version__)


@app.command()
@one_line_errors
def init(as_json: JsonOption = False) -> None:
    """Create the database or migrate it to the newest schema."""
    crossdock = open_crossdock()
    revision = crossdock.migrate()
    database = crossdock.engine.url.render_as_string(hide_password=True)
    if as_json:
        render.emit_json({"database": database, "schema_revision": revision})
    else:
        render.console.print(f"database {database} is at schema revision {revision}")


@app.command()
@one_line_errors
def demo(
    skus: Annotated[int, typer.Option(help="Number of SKUs.", min=1)] = 2000,
    warehouses: Annotated[
        int, typer.Option(help="Warehouses in all: one national DC, the rest branches.", min=2)
    ] = 5,
    days: Annotated[int, typer.Option(help="Days of daily demand history.", min=28)] = 730,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same network.")] = 42,
    end_date: Annotated[
        str | None,
        typer.Option(help="Last day of history, YYYY-MM-DD (default: yesterday, UTC)."),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Delete all canonical records first.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Generate a realistic, reproducible demo network and load it into the store."""
    from crossdock.demo import DEMO_DOCUMENTS, DemoOptions  # noqa: PLC0415
    from crossdock.service_layer.demo import load_demo_network  # noqa: PLC0415
    from crossdock.service_layer.knowledge import ingest_folder  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    last_day = _parse_date(end_date, "--end-date") if end_date else yesterday
    options = DemoOptions(skus=skus, warehouses=warehouses, days=days, seed=seed, end_date=last_day)
    with render.progress_bars() as progress:
        outcome = load_demo_network(
            options, store=crossdock.store, progress=progress, replace=replace
        )
    seeded = seed_demo_governance(
        crossdock.governance,
        now=datetime.now(UTC),
        demo_mode=crossdock.settings.mode == "demo",
    )
    documents = ingest_folder(
        crossdock.knowledge, DEMO_DOCUMENTS, actor=SYSTEM, now=datetime.now(UTC)
    )
    if as_json:
        render.emit_json(
            {**outcome.to_dict(), "governance": seeded, "documents": documents.to_json()}
        )
        return
    _report(outcome.to_dict(), as_json=False, detailed=False)
    render_governance.seeded(seeded)
    render.console.print(
        f"copilot documents: {len(documents.accepted)} new or changed, "
        f"{len(documents.unchanged)} unchanged, {len(documents.failed)} failed "
        f"(crossdock knowledge list --as planner)",
        markup=False,
    )


@app.command("import")
@one_line_errors
def import_(
    path: Annotated[
        Path, typer.Argument(help="Folder of <entity>.csv / .parquet files, or one file.")
    ],
    report: Annotated[
        bool, typer.Option("--report", help="Print the data-quality report.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(help="Treat this ISO time as now for future/stale checks (default: now)."),
    ] = None,
    fail_on_quarantine: Annotated[
        bool, typer.Option(help="Exit with code 3 when any row was quarantined.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import canonical CSV or Parquet files: good rows land, bad rows are quarantined."""
    from crossdock.service_layer.importing import import_sources  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    now = _parse_time(as_of, "--as-of") if as_of else datetime.now(UTC)
    sources, ignored = crossdock.read_sources(path)
    if not sources:
        why = "; ".join(f"{ignored_path.name}: {reason}" for ignored_path, reason in ignored)
        raise ValueError(
            f"no canonical entity files found in {path}" + (f" ({why})" if why else "")
        )
    with render.progress_bars() as progress:
        outcome = import_sources(
            sources,
            store=crossdock.store,
            kind="import",
            description=str(path.resolve()),
            as_of=now,
            progress=progress,
        )
    payload = outcome.to_dict()
    payload["ignored_files"] = [{"path": str(p), "reason": why} for p, why in ignored]
    _report(payload, as_json=as_json, detailed=report)
    for ignored_path, why in ignored:
        render.emit_error(f"ignored {ignored_path}: {why}")
    if fail_on_quarantine and payload["totals"]["rows_quarantined"]:
        raise typer.Exit(code=3)


@app.command("schema")
@one_line_errors
def schema_(
    as_json: JsonOption = False,
) -> None:
    """The canonical import format as Markdown tables: every file, column, type and rule."""
    if as_json:
        render.emit_json(schema.schema_as_dict())
    else:
        render.emit_text(schema.schema_as_markdown())


@app.command()
@one_line_errors
def status(as_json: JsonOption = False) -> None:
    """Counts per entity, data freshness and open quality issues."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    current = crossdock.store.status()
    if as_json:
        render.emit_json(
            {
                "database": current.database,
                "schema_revision": current.schema_revision,
                "entities": {
                    name: {"rows": entity.rows, "latest": entity.latest}
                    for name, entity in current.entities.items()
                },
                "open_quality_issues": current.open_quality_issues,
                "last_run": current.last_run,
            }
        )
    else:
        render.status_tables(current)


@app.command()
@one_line_errors
def quarantine(
    entity: Annotated[str | None, typer.Option(help="Only this entity, e.g. items.")] = None,
    check: Annotated[str | None, typer.Option(help="Only this check, e.g. duplicate.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many lines.", min=1)] = 100,
    as_json: JsonOption = False,
) -> None:
    """Rows that did not land and why: file, row, field, value and reason."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    lines = crossdock.store.open_quarantine(entity=entity, check=check, limit=limit)
    if as_json:
        render.emit_json({"lines": [asdict(line) for line in lines]})
    else:
        render.quarantine_table(lines)


@app.command("plan")
@one_line_errors
def plan_(
    as_of: Annotated[
        str | None,
        typer.Option(help="Plan with data up to this day, YYYY-MM-DD (default: today, UTC)."),
    ] = None,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="TOML file of plan settings (see examples/plan-settings.toml); "
            "the options below override it.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    horizon_days: Annotated[
        int | None,
        typer.Option(
            help="Shortest planning horizon in days (each item-location plans over "
            "its lead time + review period, never less than this). Default 7.",
            min=1,
            max=120,
        ),
    ] = None,
    review_period_days: Annotated[
        int | None,
        typer.Option("--review-days", help="Days between plan runs. Default 7.", min=1),
    ] = None,
    top: Annotated[
        int, typer.Option(help="Show this many actions, most valuable first.", min=0)
    ] = 10,
    as_json: JsonOption = False,
) -> None:
    """Forecast, size policies, project and decide: store buy, transfer, rebalance,
    expedite, defer and cancel recommendations explained in money."""
    from crossdock.service_layer.plan_settings import (  # noqa: PLC0415
        load_plan_settings,
        plan_settings,
    )
    from crossdock.service_layer.planning import plan  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    day = _parse_date(as_of, "--as-of") if as_of else datetime.now(UTC).date()
    options = {"horizon_days": horizon_days, "review_period_days": review_period_days}
    settings = (
        load_plan_settings(settings_file, overrides=options)
        if settings_file is not None
        else plan_settings({}, overrides=options)
    )
    with render.progress_bars() as progress:
        outcome = plan(
            crossdock.store,
            as_of=day,
            settings=settings,
            progress=progress,
        )
    payload = render.plan_payload(outcome, top=top)
    routed = route_plan(
        crossdock.governance,
        plan_run_id=outcome.plan_run_id,
        policy=crossdock.approval_policy(),
        now=datetime.now(UTC),
    )
    payload["routing"] = routed.to_json()
    if as_json:
        render.emit_json(payload)
    else:
        render.plan_summary(payload)


@app.command("simulate")
@one_line_errors
def simulate_(
    network: Annotated[
        Path | None,
        typer.Option(
            help="Replay this canonical import folder (imported into a throw-away SQLite "
            "store first) instead of the configured store.",
            exists=True,
        ),
    ] = None,
    demand: Annotated[
        Path | None,
        typer.Option(
            help="A demand_history file (CSV or Parquet) to replay with --network, in place "
            "of the folder's own.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    bucket: Annotated[
        str, typer.Option(help="Period of the replay: D (day), W (week) or MS (month).")
    ] = "W",
    target_fill_rate: Annotated[
        float, typer.Option(help="Fill-rate target every policy is sized or tuned for.")
    ] = 0.97,
    policies: Annotated[
        str,
        typer.Option(help=f"Comma-separated, from: {', '.join(POLICIES)}."),
    ] = ",".join(POLICIES),
    sweep: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated fill-rate targets for the frontier, e.g. 0.9,0.95,0.99."
        ),
    ] = None,
    review_period: Annotated[int, typer.Option(help="Periods between reviews.", min=1)] = 1,
    backorders: Annotated[
        bool, typer.Option("--backorders", help="Unfilled demand waits (default: it is lost).")
    ] = False,
    warmup: Annotated[
        int, typer.Option(help="Periods replayed but not scored (the engine learns).", min=0)
    ] = 8,
    refit_every: Annotated[
        int, typer.Option(help="Periods between the planning engine's model re-fits.", min=1)
    ] = 4,
    spread: Annotated[
        str,
        typer.Option(
            help="How the engine reads forecast uncertainty: interval90 (as crossdock plan "
            "does) or backtest (1.25 x its backtest's mean absolute error)."
        ),
    ] = "interval90",
    forecast_jobs: Annotated[int, typer.Option(help="Forecasting worker processes.", min=1)] = 1,
    calibrate: Annotated[
        bool,
        typer.Option(
            help="Size (s, S) and the engine for the lowest target whose replay reaches "
            "--target-fill-rate, as the min/max is tuned (--no-calibrate: size for it)."
        ),
    ] = True,
    seed: Annotated[int, typer.Option(help="Seed of the lead-time draws.")] = 0,
    title: Annotated[str, typer.Option(help="Title of the report.")] = "",
    out: Annotated[
        Path | None, typer.Option(help="Write report.html and results.json into this folder.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Replay demand history through the network under several policies, side by side:
    fill rate, stock, activity and cost, per policy, location and network."""
    from crossdock.entrypoints.cli.simulate import simulate_folder, simulate_store  # noqa: PLC0415
    from crossdock.service_layer.simulating import SimulationSettings  # noqa: PLC0415

    kinds = tuple(k.strip() for k in policies.split(",") if k.strip())
    targets = tuple(_parse_share(v, "--sweep") for v in sweep.split(",")) if sweep else ()
    settings = SimulationSettings(
        target_fill_rate=target_fill_rate,
        review_period=review_period,
        lost_sales=not backorders,
        seed=seed,
        warmup_periods=warmup,
        refit_every=refit_every,
        policies=kinds,
        sweep=targets,
        spread=spread,
        forecast_jobs=forecast_jobs,
        calibrate=calibrate,
    )
    with render.progress_bars(enabled=True) as progress:
        if network is not None:
            results = simulate_folder(
                network,
                demand=demand,
                bucket=bucket,
                settings=settings,
                title=title,
                progress=progress,
            )
        else:
            if demand is not None:
                raise ValueError("--demand needs --network (the folder it completes)")
            crossdock = open_crossdock()
            crossdock.require_current_schema()
            results = simulate_store(
                crossdock.store, bucket=bucket, settings=settings, title=title, progress=progress
            )
    if out is not None:
        write_simulation_report(results, out)
    if as_json:
        render.emit_json(json_safe(results))
    else:
        render.simulation_table(results)
        if out is not None:
            render.console.print(f"report: {out / 'report.html'}  results: {out / 'results.json'}")


def _parse_share(text: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{option}: {text!r} is not a number") from None
    if not 0.0 < value < 1.0:
        raise ValueError(f"{option}: {text!r} is not a share between 0 and 1")
    return value


def _report(payload: dict[str, Any], *, as_json: bool, detailed: bool) -> None:
    if as_json:
        render.emit_json(payload)
    else:
        render.import_summary(payload, detailed=detailed)


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option}: {text!r} is not a date like 2026-11-21") from None


def _parse_time(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option}: {text!r} is not an ISO time like 2026-11-21T18:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def main() -> None:
    app()
