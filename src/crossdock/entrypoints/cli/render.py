"""Terminal output: Rich tables and progress bars, or JSON for scripts."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

if TYPE_CHECKING:  # annotations only: these modules pull in pandas and the planning engine
    from crossdock.service_layer.importing import Progress as ProgressSink
    from crossdock.service_layer.planning import PlanOutcome
    from crossdock.service_layer.ports import QuarantineLine, RowsWritten, StoreStatus

COST_PARTS = ("holding", "shortage", "transport", "ordering", "purchase", "expedite")

console = Console()
errors = Console(stderr=True)


def emit_json(payload: Mapping[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def emit_error(line: str) -> None:
    """One unwrapped line on stderr, whatever the terminal width."""
    sys.stderr.write(" ".join(line.split()) + "\n")


def emit_text(text: str) -> None:
    """Plain text to stdout, unwrapped (Rich would fold long table rows)."""
    sys.stdout.write(text)


@contextmanager
def progress_bars(*, enabled: bool = True) -> Iterator[ProgressSink | None]:
    """A progress sink drawing one Rich bar per step on stderr (stdout stays clean)."""
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description:<44}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=False,
    ) as bars:

        def step(description: str, total: int) -> RowsWritten:
            task = bars.add_task(description, total=max(total, 1))
            if total == 0:
                bars.update(task, completed=1)

            def advance(rows: int) -> None:
                bars.advance(task, rows)

            return advance

        yield step


def intake_problems(problems: list[dict[str, Any]]) -> None:
    """Each event the intake dead-lettered: where, field, value and reason."""
    for problem in problems:
        console.print(
            f"  {problem['where']}: {problem['field']}={problem['value']!r}: {problem['reason']}",
            markup=False,
        )


def status_tables(status: StoreStatus) -> None:
    table = Table(title=f"Crossdock store: {status.database}")
    table.add_column("entity")
    table.add_column("rows", justify="right")
    table.add_column("latest")
    for name, entity in status.entities.items():
        table.add_row(name, f"{entity.rows:,}", entity.latest or "")
    console.print(table)
    console.print(f"schema revision: {status.schema_revision or 'none'}")
    if status.last_run:
        run = status.last_run
        console.print(
            f"last run #{run['id']} ({run['kind']}, {run['status']}): "
            f"{run['rows_accepted']:,} rows accepted, {run['rows_quarantined']:,} quarantined, "
            f"{run['warnings']:,} warnings"
        )
    quality_table(status.open_quality_issues, title="Open quality issues (quarantined rows)")


def quarantine_table(lines: list[QuarantineLine]) -> None:
    if not lines:
        console.print("No open quarantine lines.")
        return
    table = Table(title=f"Open quarantine ({len(lines)} lines shown)")
    for column in ("entity", "file", "row", "key", "field", "value", "reason"):
        table.add_column(column, overflow="fold")
    for line in lines:
        table.add_row(
            line.entity,
            line.source_file.rsplit("/", 1)[-1],
            str(line.row_number),
            line.natural_key or "",
            line.field,
            "" if line.value is None else line.value,
            line.reason,
        )
    console.print(table)


def quality_table(issues: Mapping[str, Mapping[str, int]], *, title: str) -> None:
    if not issues:
        console.print(f"{title}: none")
        return
    table = Table(title=title)
    table.add_column("entity")
    table.add_column("check")
    table.add_column("rows", justify="right")
    for entity, checks in issues.items():
        for check, count in sorted(checks.items()):
            table.add_row(entity, check, f"{count:,}")
    console.print(table)


def import_summary(report: Mapping[str, Any], *, detailed: bool) -> None:
    table = Table(title=f"Import run #{report['import_run_id']}")
    for column in ("entity", "read", "accepted", "quarantined", "warnings"):
        table.add_column(column, justify="left" if column == "entity" else "right")
    for name, entity in report["entities"].items():
        table.add_row(
            name,
            f"{entity['rows_read']:,}",
            f"{entity['rows_accepted']:,}",
            f"{entity['rows_quarantined']:,}",
            f"{entity['warnings']:,}",
        )
    totals = report["totals"]
    table.add_row(
        "total",
        f"{totals['rows_read']:,}",
        f"{totals['rows_accepted']:,}",
        f"{totals['rows_quarantined']:,}",
        f"{totals['warnings']:,}",
        style="bold",
    )
    console.print(table)
    if not detailed:
        return
    by_check = {
        name: entity["issues"] for name, entity in report["entities"].items() if entity["issues"]
    }
    quality_table(by_check, title="Data-quality report (rows per check)")
    sample = report.get("quarantine_sample", [])
    if sample:
        lines = Table(title=f"First {len(sample)} problems")
        for column in ("file", "row", "field", "value", "reason"):
            lines.add_column(column, overflow="fold")
        for issue in sample:
            lines.add_row(
                str(issue["source"]).rsplit("/", 1)[-1],
                str(issue["row_number"]),
                str(issue["field"]),
                str(issue["value"]),
                str(issue["reason"]),
            )
        console.print(lines)


def plan_payload(outcome: PlanOutcome, *, top: int) -> dict[str, Any]:
    """What `crossdock plan` prints: the run, its summary and the top actions by value."""
    actions = [_action(row) for row in outcome.top(top).to_dict("records")]
    return {
        "plan_run_id": outcome.plan_run_id,
        "as_of": outcome.as_of.isoformat(),
        "import_run_id": outcome.import_run_id,
        **outcome.summary,
        "top_actions": actions,
    }


def plan_summary(payload: Mapping[str, Any]) -> None:
    counts = payload["by_kind"]
    console.print(
        f"Plan run #{payload['plan_run_id']} as of {payload['as_of']} "
        f"(data: import run #{payload['import_run_id']}): "
        f"{payload['recommendations']:,} recommendations: "
        + ", ".join(f"{count:,} {kind}" for kind, count in counts.items() if count)
    )
    console.print(
        f"money at risk (expected shortage cost if nothing is done): "
        f"{payload['money_at_risk']:,.2f}; expected savings of the plan: "
        f"{payload['expected_savings']:,.2f} "
        f"(do nothing {payload['do_nothing_cost']:,.2f} -> plan {payload['planned_cost']:,.2f})"
    )
    routing = payload.get("routing")
    if routing:
        statuses = ", ".join(f"{n:,} {status}" for status, n in routing["by_status"].items())
        console.print(
            f"routed by approval policy {routing['policy_version']}: {statuses or 'nothing'}"
            + (
                f"; {routing['expired_superseded']:,} older recommendations expired"
                if routing["expired_superseded"]
                else ""
            )
        )
    signals = payload.get("demand_signals", {})
    if signals:
        console.print(
            f"demand in the last 28 days: {signals.get('demand_spike', 0):,} spikes, "
            f"{signals.get('demand_shift', 0):,} level shifts (table demand_signals)"
        )
    actions = payload["top_actions"]
    if not actions:
        return
    table = Table(
        title=f"Top {len(actions)} actions by what the plan would lose without them",
        caption="where it lands: do nothing -> plan = holding + shortage + ... over its scope",
    )
    for column in ("kind", "sku", "move", "qty", "arrives", "worth"):
        table.add_column(column, justify="right" if column in ("qty", "worth") else "left")
    table.add_column("where it lands: do nothing -> plan", overflow="fold")
    for action in actions:
        parts = " + ".join(
            f"{name} {value:,.2f}" for name, value in action["cost_parts"].items() if value
        )
        line = f" {action['po_number']}/{action['line_number']}" if action["po_number"] else ""
        table.add_row(
            action["kind"],
            action["sku"],
            f"{action['from_code']} -> {action['to_code']}{line}",
            f"{action['quantity']:,.0f}",
            action["expected_arrival_date"] or "",
            f"{action['marginal_savings']:,.2f}",
            f"{action['do_nothing_cost']:,.2f} -> {action['expected_cost']:,.2f} = {parts or '0'}",
        )
    console.print(table)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _action(row: Mapping[Any, Any]) -> dict[str, Any]:
    arrival = row["expected_arrival_date"]
    return {
        "kind": row["kind"],
        "sku": row["sku"],
        "from_code": row["from_code"],
        "to_code": row["to_code"],
        "po_number": row["po_number"] if isinstance(row["po_number"], str) else None,
        "line_number": None if _missing(row["line_number"]) else int(row["line_number"]),
        "quantity": row["quantity"],
        "expected_arrival_date": None
        if arrival is None or str(arrival) == "NaT"
        else str(arrival)[:10],
        "action_cost": round(float(row["action_cost"]), 2),
        "expected_cost": round(float(row["expected_cost"]), 2),
        "cost_parts": {part: round(float(row[f"{part}_cost"]), 2) for part in COST_PARTS},
        "do_nothing_cost": round(float(row["do_nothing_cost"]), 2),
        "savings": round(float(row["savings"]), 2),
        "marginal_savings": round(float(row["marginal_savings"]), 2),
        "order_value": None
        if _missing(row["order_value"])
        else round(float(row["order_value"]), 2),
        "scope": row["scope"],
        "confidence": row["confidence"],
        "drivers": json.loads(row["drivers"]),
    }


_SIMULATION_ROWS = (
    ("fill rate", "fill_rate", "{:.1%}"),
    ("cycle service level", "cycle_service_level", "{:.1%}"),
    ("stockout days", "stockout_days", "{:,.0f}"),
    ("average on hand (units)", "average_on_hand", "{:,.0f}"),
    ("average on hand (value)", "average_on_hand_value", "{:,.0f}"),
    ("turns per year", "turns", "{:,.1f}"),
    ("days of supply", "days_of_supply", "{:,.1f}"),
    ("purchase orders", "purchase_orders", "{:,.0f}"),
    ("transfers", "transfers", "{:,.0f}"),
    ("expedites", "expedites", "{:,.0f}"),
)


def simulation_table(results: Mapping[str, Any]) -> None:
    """The policies side by side: service, stock, activity, then cost by part."""
    settings = results["settings"]
    network = results["network"]
    title = results.get("title") or "Simulation"
    table = Table(
        title=f"{title}: {network['item_locations']:,} item-locations, "
        f"{settings['periods']} {settings['bucket']}s ({settings['warmup_periods']} warm-up), "
        f"target fill rate {settings['target_fill_rate']:.0%}"
    )
    table.add_column("")
    policies = results["policies"]
    for policy in policies:
        table.add_column(policy["name"], justify="right")
    for label, key, shape in _SIMULATION_ROWS:
        table.add_row(label, *(_shaped(shape, p["network"].get(key)) for p in policies))
    for part in ("holding", "ordering", "transport", "expedite", "shortage", "total"):
        table.add_row(f"{part} cost", *(_shaped("{:,.0f}", p["costs"].get(part)) for p in policies))
    table.add_row("seconds", *(f"{p['seconds']:,.1f}" for p in policies))
    console.print(table)
    imported = results.get("import")
    if imported and imported["rows_quarantined"]:
        emit_error(
            f"warning: {imported['rows_quarantined']:,} rows of {imported['folder']} were "
            "quarantined and left out of the replay (see `crossdock import --report`)"
        )


def _shaped(shape: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return shape.format(value)
