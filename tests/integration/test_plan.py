"""`crossdock plan` end to end on SQLite and PostgreSQL: typed recommendations stored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select

from crossdock.adapters.db.tables import demand_signals, plan_runs, recommendations
from tests.helpers import cli_json, run_cli

pytestmark = pytest.mark.slow


def _counts(database_url: str) -> dict[int, dict[str, int]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(recommendations.c.plan_run_id, recommendations.c.kind, func.count())
                .group_by(recommendations.c.plan_run_id, recommendations.c.kind)
                .order_by(recommendations.c.plan_run_id, recommendations.c.kind)
            ).all()
    finally:
        engine.dispose()
    counts: dict[int, dict[str, int]] = {}
    for run, kind, count in rows:
        counts.setdefault(run, {})[kind] = count
    return counts


def _signals(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(demand_signals.c.reason_code, func.count()).group_by(
                    demand_signals.c.reason_code
                )
            ).all()
    finally:
        engine.dispose()
    return {str(reason): int(count) for reason, count in rows}


def test_plan_on_the_demo_stores_buys_transfers_and_expedites(database_url: str):
    run_cli(database_url, "init")
    run_cli(database_url, "demo", "--skus", "30", "--days", "120", "--end-date", "2026-11-20")

    first = cli_json(database_url, "plan", "--as-of", "2026-11-20", "--top", "3")

    kinds = first["by_kind"]
    assert kinds["buy"] >= 1
    assert kinds["transfer"] + kinds["expedite"] >= 1
    assert first["recommendations"] == sum(kinds.values())
    assert first["as_of"] == "2026-11-20"
    stored = _counts(database_url)
    assert stored == {first["plan_run_id"]: {k: n for k, n in kinds.items() if n}}
    assert len(first["top_actions"]) == 3
    worth = [action["marginal_savings"] for action in first["top_actions"]]
    assert worth == sorted(worth, reverse=True)
    assert _signals(database_url) == {
        reason: n for reason, n in first["demand_signals"].items() if n
    }
    for action in first["top_actions"]:
        parts = sum(action["cost_parts"].values())
        assert action["expected_cost"] == pytest.approx(parts, abs=0.02)
        assert action["savings"] == pytest.approx(
            action["do_nothing_cost"] - action["expected_cost"], abs=0.02
        )

    second = cli_json(database_url, "plan", "--as-of", "2026-11-20")

    assert second["plan_run_id"] == first["plan_run_id"] + 1
    after = _counts(database_url)
    assert after[first["plan_run_id"]] == stored[first["plan_run_id"]]
    assert set(after) == {first["plan_run_id"], second["plan_run_id"]}
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            runs = connection.execute(
                select(plan_runs.c.id, plan_runs.c.status, plan_runs.c.import_run_id).order_by(
                    plan_runs.c.id
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(run) for run in runs] == [
        (first["plan_run_id"], "succeeded", 1),
        (second["plan_run_id"], "succeeded", 1),
    ]


def test_plan_before_any_stock_count_exits_1_with_one_line_and_is_recorded_failed(
    database_url: str,
):
    run_cli(database_url, "init")
    run_cli(database_url, "demo", "--skus", "5", "--days", "60", "--end-date", "2026-11-20")

    done = run_cli(database_url, "plan", "--as-of", "2026-10-01", expect=1)

    assert done.stderr.splitlines()[-1] == (
        "error: plan run #1 as of 2026-10-01 failed while reading data: "
        "no inventory positions on or before 2026-10-01: nothing to plan"
    )
    assert _counts(database_url) == {}
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            runs = connection.execute(
                select(plan_runs.c.status, plan_runs.c.recommendations, plan_runs.c.summary)
            ).all()
    finally:
        engine.dispose()
    [(status, stored, summary)] = runs
    assert (status, stored, json.loads(summary)["failed_step"]) == ("failed", 0, "reading data")


def test_plan_settings_file_is_applied_and_recorded(database_url: str, tmp_path):
    run_cli(database_url, "init")
    run_cli(database_url, "demo", "--skus", "5", "--days", "90", "--end-date", "2026-11-20")
    settings = tmp_path / "plan.toml"
    settings.write_text("review_period_days = 14\nreschedule_cost = 25.0\n")

    result = cli_json(database_url, "plan", "--as-of", "2026-11-20", "--settings", str(settings))

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                select(plan_runs.c.settings).where(plan_runs.c.id == result["plan_run_id"])
            ).scalar_one()
    finally:
        engine.dispose()
    recorded = json.loads(stored)
    assert recorded["review_period_days"] == 14
    assert recorded["reschedule_cost"] == 25.0
    assert recorded["holding_rate"] == 0.25


def test_plan_refuses_an_unknown_setting_in_one_line(database_url: str, tmp_path):
    run_cli(database_url, "init")
    settings = tmp_path / "plan.toml"
    settings.write_text("review_days = 14\n")

    done = run_cli(database_url, "plan", "--settings", str(settings), expect=1)

    assert done.stderr.splitlines()[-1].startswith(
        f"error: {settings}: unknown setting 'review_days'"
    )
