"""The SQL store on SQLite and PostgreSQL: migrations, upserts, quarantine, status."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from crossdock.adapters.db.migrate import head_revision
from crossdock.adapters.db.tables import canonical_tables, metadata, quarantine
from crossdock.bootstrap import Crossdock, DatabaseNotReady, bootstrap
from crossdock.config import Settings
from crossdock.domain.canonical import ENTITIES_BY_NAME

AT = datetime(2026, 11, 21, 12, tzinfo=UTC)
ITEMS = ENTITIES_BY_NAME["items"]
DEMAND = ENTITIES_BY_NAME["demand_history"]
PROMOTIONS = ENTITIES_BY_NAME["promotions"]
NO_ISSUES = pd.DataFrame(
    columns=["source", "row_number", "field", "value", "reason", "check", "severity", "key", "raw"]
)


def items_frame(costs: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": [f"SKU-{n}" for n in range(len(costs))],
            "description": ["Widget"] * len(costs),
            "uom": ["EA"] * len(costs),
            "pack_size": pd.array([6] * len(costs), dtype="Int64"),
            "order_multiple": pd.array([None] * len(costs), dtype="Int64"),
            "unit_cost": costs,
            "unit_price": [float("nan")] * len(costs),
            "criticality": ["high"] * len(costs),
            "lifecycle": [None] * len(costs),
            "category": [None] * len(costs),
        }
    )


def demand_frame(days: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": ["SKU-0"] * days,
            "location_code": ["BR-1"] * days,
            "demand_date": pd.date_range("2026-10-01", periods=days, freq="D"),
            "quantity": [float(n + 1) for n in range(days)],
            "unit_price": [4.25] * days,
            "on_promotion": pd.array([n % 2 == 0 for n in range(days)], dtype="boolean"),
            "uom": ["EA"] * days,
        }
    )


def issue(row: int, check: str = "negative_quantity") -> dict[str, object]:
    return {
        "source": "items.csv",
        "row_number": row,
        "field": "unit_cost",
        "value": "-3",
        "reason": f"items row {row}: unit_cost='-3' is negative",
        "check": check,
        "severity": "error",
        "key": "sku=BAD",
        "raw": json.dumps({"sku": "BAD"}),
    }


def test_migrations_build_exactly_the_schema_the_code_declares(crossdock: Crossdock):
    with crossdock.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
    assert crossdock.store.status().schema_revision == head_revision()


def test_migrating_twice_changes_nothing(crossdock: Crossdock):
    assert crossdock.migrate() == head_revision()


def test_an_uninitialised_database_is_reported_with_the_fix(tmp_path):
    fresh = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'new.db'}"))
    with pytest.raises(DatabaseNotReady, match="not initialised: run `crossdock init`"):
        fresh.require_current_schema()


def test_sqlite_store_runs_in_wal_mode(tmp_path):
    wired = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'wal.db'}"))
    with wired.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"


def test_landing_the_same_rows_twice_upserts_instead_of_duplicating(crossdock: Crossdock):
    store = crossdock.store
    run = store.start_run(kind="import", source="test", started_at=AT)
    store.land(ITEMS, items_frame([1.5, 2.0]), NO_ISSUES, source="items.csv", run_id=run, at=AT)
    store.land(ITEMS, items_frame([1.75, 2.0]), NO_ISSUES, source="items.csv", run_id=run, at=AT)
    table = canonical_tables["items"]
    with crossdock.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.sku, table.c.unit_cost, table.c.pack_size).order_by(table.c.sku)
        ).all()
    assert [(sku, float(cost), pack) for sku, cost, pack in rows] == [
        ("SKU-0", 1.75, 6),
        ("SKU-1", 2.0, 6),
    ]


def test_demand_round_trips_dates_booleans_and_money(crossdock: Crossdock):
    store = crossdock.store
    run = store.start_run(kind="import", source="test", started_at=AT)
    store.land(DEMAND, demand_frame(3), NO_ISSUES, source="d.csv", run_id=run, at=AT)
    table = canonical_tables["demand_history"]
    with crossdock.engine.connect() as connection:
        rows = connection.execute(
            select(
                table.c.demand_date,
                table.c.quantity,
                table.c.on_promotion,
                table.c.unit_price,
                table.c.import_run_id,
            ).order_by(table.c.demand_date)
        ).all()
    assert [(str(d), q, p, str(price)[:4], r) for d, q, p, price, r in rows] == [
        ("2026-10-01", 1.0, True, "4.25", run),
        ("2026-10-02", 2.0, False, "4.25", run),
        ("2026-10-03", 3.0, True, "4.25", run),
    ]
    assert store.status().entities["demand_history"].latest == "2026-10-03"


def promotions_frame(start: str, end: str, discount: float | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "promotion_code": ["WINTER", "WINTER"],
            "sku": ["SKU-0", "SKU-0"],
            "location_code": ["BR-1", "BR-2"],
            "start_date": pd.to_datetime([start, start]),
            "end_date": pd.to_datetime([end, end]),
            "promo_price": [3.8, float("nan")],
            "discount_rate": [discount, float("nan")],
            "kind": ["deal", None],
            "status": ["confirmed", None],
        }
    )


def test_a_rescheduled_promotion_is_updated_in_place_and_status_shows_its_end(
    crossdock: Crossdock,
):
    store = crossdock.store
    run = store.start_run(kind="import", source="test", started_at=AT)
    planned = promotions_frame("2026-12-01", "2026-12-14", 0.15)
    store.land(PROMOTIONS, planned, NO_ISSUES, source="promotions.csv", run_id=run, at=AT)
    moved = promotions_frame("2026-12-08", "2026-12-21", 0.105)
    store.land(PROMOTIONS, moved, NO_ISSUES, source="promotions.csv", run_id=run, at=AT)
    table = canonical_tables["promotions"]
    with crossdock.engine.connect() as connection:
        rows = connection.execute(
            select(
                table.c.location_code,
                table.c.start_date,
                table.c.end_date,
                table.c.promo_price,
                table.c.discount_rate,
                table.c.kind,
            ).order_by(table.c.location_code)
        ).all()
    assert [
        (where, str(start), str(end), None if price is None else float(price), rate, kind)
        for where, start, end, price, rate, kind in rows
    ] == [
        ("BR-1", "2026-12-08", "2026-12-21", 3.8, 0.105, "deal"),
        ("BR-2", "2026-12-08", "2026-12-21", None, None, None),
    ]
    status = store.status().entities["promotions"]
    assert (status.rows, status.latest) == (2, "2026-12-21")


def test_reimporting_a_file_resolves_its_earlier_quarantine(crossdock: Crossdock):
    store = crossdock.store
    first = store.start_run(kind="import", source="one", started_at=AT)
    bad = pd.DataFrame([issue(3), issue(3, "unknown_reference"), issue(7)])
    store.land(ITEMS, items_frame([1.0]), bad, source="items.csv", run_id=first, at=AT)
    assert store.status().open_quality_issues == {
        "items": {"negative_quantity": 2, "unknown_reference": 1}
    }
    second = store.start_run(kind="import", source="two", started_at=AT)
    store.land(
        ITEMS,
        items_frame([1.0]),
        pd.DataFrame([issue(7)]),
        source="items.csv",
        run_id=second,
        at=AT,
    )
    assert store.status().open_quality_issues == {"items": {"negative_quantity": 1}}
    with crossdock.engine.connect() as connection:
        kept = connection.execute(select(func.count()).select_from(quarantine)).scalar_one()
    assert kept == 4, "resolved lines stay for the audit trail"


def test_warnings_are_reported_but_not_quarantined(crossdock: Crossdock):
    store = crossdock.store
    run = store.start_run(kind="import", source="w", started_at=AT)
    warning = {**issue(2, "stale_snapshot"), "severity": "warning"}
    store.land(
        ITEMS, items_frame([1.0]), pd.DataFrame([warning]), source="items.csv", run_id=run, at=AT
    )
    assert store.status().open_quality_issues == {}


def test_finished_run_keeps_its_totals_and_report(crossdock: Crossdock):
    store = crossdock.store
    run = store.start_run(kind="import", source="folder", started_at=AT)
    report = {"totals": {"rows_read": 5, "rows_accepted": 4, "rows_quarantined": 1, "warnings": 2}}
    store.finish_run(run, status="succeeded", finished_at=AT, report=report)
    last = store.status().last_run
    assert last is not None
    assert (last["id"], last["status"], last["rows_accepted"], last["rows_quarantined"]) == (
        run,
        "succeeded",
        4,
        1,
    )
