"""The `crossdock` command end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.adapters.db.migrate import head_revision
from tests.helpers import EXAMPLES, cli_json, run_cli

AS_OF = "2026-11-21T12:00:00+00:00"


def test_init_reports_the_schema_revision(database_url: str):
    result = cli_json(database_url, "init")
    assert result["schema_revision"] == head_revision() == "0017"


def test_commands_before_init_fail_with_one_line_naming_the_fix(database_url: str):
    failed = run_cli(database_url, "status", expect=1, columns=40)
    assert failed.stderr.strip().count("\n") == 0
    assert "run `crossdock init`" in failed.stderr


def test_demo_then_status_reports_the_network(database_url: str):
    run_cli(database_url, "init")
    demo = cli_json(
        database_url, "demo", "--skus", "40", "--days", "90", "--end-date", "2026-11-20"
    )
    assert demo["totals"]["rows_quarantined"] == 0
    status = cli_json(database_url, "status")
    entities = status["entities"]
    assert entities["items"]["rows"] == 40
    assert entities["locations"]["rows"] == 5
    assert entities["inventory_positions"]["rows"] == 200
    assert entities["demand_history"]["rows"] == demo["entities"]["demand_history"]["rows_accepted"]
    assert entities["demand_history"]["latest"] == "2026-11-20"
    promotions = demo["entities"]["promotions"]
    assert entities["promotions"]["rows"] == promotions["rows_accepted"] == promotions["rows_read"]
    assert entities["promotions"]["rows"] > 0
    assert entities["promotions"]["latest"] > "2026-11-20"  # planned past the history
    assert status["open_quality_issues"] == {}
    assert status["last_run"]["kind"] == "demo"


def test_demo_twice_with_the_same_seed_changes_no_counts(database_url: str):
    run_cli(database_url, "init")
    args = ("demo", "--skus", "15", "--days", "60", "--end-date", "2026-11-20")
    cli_json(database_url, *args)
    first = cli_json(database_url, "status")["entities"]
    cli_json(database_url, *args)
    assert cli_json(database_url, "status")["entities"] == first


def test_importing_the_basic_example_lands_every_row(database_url: str):
    run_cli(database_url, "init")
    report = cli_json(database_url, "import", str(EXAMPLES / "basic"), "--as-of", AS_OF)
    assert report["totals"]["rows_quarantined"] == 0
    assert report["totals"]["rows_accepted"] == report["totals"]["rows_read"] > 0
    status = cli_json(database_url, "status")
    for name, entity in report["entities"].items():
        assert status["entities"][name]["rows"] == entity["rows_accepted"], name


def test_bad_rows_are_quarantined_while_good_rows_land(database_url: str):
    run_cli(database_url, "init")
    run_cli(database_url, "import", str(EXAMPLES / "basic"), "--as-of", AS_OF)
    report = cli_json(database_url, "import", str(EXAMPLES / "bad_rows"), "--as-of", AS_OF)
    totals = report["totals"]
    assert totals["rows_quarantined"] > 0
    assert totals["rows_accepted"] > 0
    assert totals["rows_read"] == totals["rows_accepted"] + totals["rows_quarantined"]
    checks = {check for entity in report["entities"].values() for check in entity["issues"]}
    assert {
        "duplicate",
        "missing_required",
        "unknown_reference",
        "negative_quantity",
        "not_numeric",
        "uom_mismatch",
        "future_date",
        "stale_snapshot",
    } <= checks
    open_issues = cli_json(database_url, "status")["open_quality_issues"]
    assert (
        sum(sum(checks.values()) for checks in open_issues.values()) >= totals["rows_quarantined"]
    )


def test_reimporting_the_same_files_is_idempotent(database_url: str):
    run_cli(database_url, "init")
    first = cli_json(database_url, "import", str(EXAMPLES / "bad_rows"), "--as-of", AS_OF)
    counts = cli_json(database_url, "status")
    second = cli_json(database_url, "import", str(EXAMPLES / "bad_rows"), "--as-of", AS_OF)
    again = cli_json(database_url, "status")
    assert again["entities"] == counts["entities"]
    assert again["open_quality_issues"] == counts["open_quality_issues"]
    assert second["totals"] == first["totals"]


def test_fail_on_quarantine_exits_3(database_url: str):
    run_cli(database_url, "init")
    run_cli(
        database_url,
        "import",
        str(EXAMPLES / "bad_rows"),
        "--as-of",
        AS_OF,
        "--fail-on-quarantine",
        expect=3,
    )


def test_report_prints_the_quality_table(database_url: str):
    run_cli(database_url, "init")
    shown = run_cli(
        database_url, "import", str(EXAMPLES / "bad_rows"), "--as-of", AS_OF, "--report"
    )
    assert "Data-quality report" in shown.stdout
    assert "unknown_reference" in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "/nonexistent/folder"), "/nonexistent/folder"),
        (("demo", "--end-date", "21/11/2026"), "--end-date: '21/11/2026' is not a date"),
        (("import", str(EXAMPLES / "basic"), "--as-of", "soon"), "--as-of: 'soon'"),
        (("import", str(EXAMPLES / "bad_rows" / "README.md")), "README.md: is not a .csv"),
    ],
)
def test_bad_arguments_fail_with_one_line(tmp_path: Path, args: tuple[str, ...], message: str):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    run_cli(url, "init")
    failed = run_cli(url, *args, expect=1, columns=40)
    assert message in failed.stderr
    assert failed.stderr.strip().count("\n") == 0


def test_quarantine_lists_each_problem_with_file_row_field_value_and_reason(database_url: str):
    run_cli(database_url, "init")
    report = cli_json(database_url, "import", str(EXAMPLES / "bad_rows"), "--as-of", AS_OF)
    lines = cli_json(database_url, "quarantine", "--limit", "1000")["lines"]
    quarantined_rows = {(line["source_file"], line["row_number"]) for line in lines}
    assert len(quarantined_rows) == report["totals"]["rows_quarantined"]
    negative = cli_json(database_url, "quarantine", "--check", "negative_quantity")["lines"]
    assert negative
    assert all(line["check"] == "negative_quantity" for line in negative)
    assert all(line["value"].startswith("-") for line in negative)
    assert all(line["field"] in line["reason"] for line in negative)
    only_items = cli_json(database_url, "quarantine", "--entity", "items")["lines"]
    assert {line["entity"] for line in only_items} == {"items"}


def test_demo_replace_leaves_exactly_the_new_network(database_url: str):
    run_cli(database_url, "init")
    cli_json(database_url, "demo", "--skus", "30", "--days", "60", "--end-date", "2026-11-20")
    cli_json(
        database_url,
        "demo",
        "--skus",
        "12",
        "--days",
        "60",
        "--end-date",
        "2026-11-20",
        "--replace",
    )
    entities = cli_json(database_url, "status")["entities"]
    assert entities["items"]["rows"] == 12
    assert entities["inventory_positions"]["rows"] == 60


def test_status_timestamps_carry_their_utc_offset(database_url: str):
    run_cli(database_url, "init")
    cli_json(database_url, "demo", "--skus", "10", "--days", "60", "--end-date", "2026-11-20")
    latest = cli_json(database_url, "status")["entities"]["inventory_positions"]["latest"]
    assert latest == "2026-11-20T18:00:00+00:00"
