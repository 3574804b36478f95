"""The replenishment agent end to end on SQLite and PostgreSQL: stock written off at the
DC drops the item's position (the DC with the branches it replenishes) below the reorder
point the plan's engine sizes for it; the agent proposes a buy from the primary supplier
rounded to its terms, explained in money; an item still above its reorder point gets
nothing; the same event again proposes nothing more. With a plan on file, its levels
are used and its own open buy is counted, not duplicated."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from crossdock.adapters.db.tables import plan_runs, recommendations
from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.service_layer.identity import add_person
from tests.conftest import REPO_ROOT
from tests.helpers import cli_json, run_cli
from tests.integration.governance_fixtures import AT

BASIC = REPO_ROOT / "examples" / "basic"
PASSWORD = "correct horse battery"
AGENT = "agent:replenishment"

# A gold order for 600 A100 at BR1 due 1 Dec, on top of examples/basic
ORDER = "SO-2001,C001,BR1,2026-11-19,2026-12-01,released,\n"
LINE = "SO-2001,1,A100,600,0,0,11.50,BX\n"
WRITE_OFF = {
    "event_id": "WMS-ADJ-0120",
    "event_type": "inventory_adjusted",
    "occurred_at": "2026-11-21T10:00:00Z",
    "source": "wms",
    "sku": "A100",
    "location_code": "DC1",
    "quantity": -120,
    "reason_code": "damaged",
}
SMALL_WRITE_OFF = {**WRITE_OFF, "event_id": "WMS-ADJ-0121", "sku": "A200", "quantity": -10}
REJECTED = {
    "event_id": "EDI-855-0450",
    "event_type": "po_rejected",
    "occurred_at": "2026-11-21T10:00:00Z",
    "source": "edi",
    "reference": "PO-5004",
    "data": {"supplier_code": "SUP1"},
}


def _network(tmp_path: Path) -> Path:
    folder = tmp_path / "network"
    shutil.copytree(BASIC, folder)
    with (folder / "sales_orders.csv").open("a") as handle:
        handle.write(ORDER)
    with (folder / "sales_order_lines.csv").open("a") as handle:
        handle.write(LINE)
    return folder


def _setup(database_url: str, tmp_path: Path) -> Crossdock:
    run_cli(database_url, "init")
    imported = cli_json(database_url, "import", str(_network(tmp_path)))
    assert imported["totals"]["rows_quarantined"] == 0
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    return wired


def _ingest(database_url: str, tmp_path: Path, *events: dict[str, object]) -> dict[str, int]:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    return cli_json(database_url, "events", "ingest", str(path), "--as", "ops")


def _mine(wired: Crossdock) -> list[dict[str, object]]:
    return [r for r in wired.governance.recommendation_rows(limit=50) if r["agent"] == AGENT]


def test_a_write_off_below_the_reorder_point_becomes_a_buy_explained_in_money(
    database_url: str, tmp_path: Path
):
    wired = _setup(database_url, tmp_path)
    assert _ingest(database_url, tmp_path, WRITE_OFF, SMALL_WRITE_OFF)["accepted"] == 2
    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"][AGENT] == 2

    (rec,) = _mine(wired)  # A200 stays well above its reorder point: nothing for it
    assert rec["source_event_id"] == "WMS-ADJ-0120"
    assert (rec["kind"], rec["sku"], rec["from_code"], rec["to_code"]) == (
        "buy", "A100", "SUP1", "DC1"
    )  # fmt: skip
    assert rec["scope"] == "A100@DC1|A100@BR1|A100@BR2"
    drivers = rec["drivers"]
    # DC1 300 (after the write-off) + BR1 64 + BR2 18 on hand, PO-5004's 200 and
    # TO-7002's 40 on order, SO-1005's 12 and SO-2001's 600 open: 382 + 240 - 612 = 10
    assert drivers["position"]["inventory_position"] == 10.0
    levels = drivers["levels"]
    # sized now for DC1 with its branches: 56 days of their demand, SUP1's 14 days + 7
    assert levels["protection_days"] == 21
    assert levels["fill_rate_target"] == 0.98  # high criticality, silver (no orders at DC1)
    assert levels["reorder_point"] == pytest.approx(173.309, abs=1e-3)
    # 173.3 - 10 = 163.3, in multiples of 10 (MOQ 50): 170
    assert rec["quantity"] == 170.0
    assert rec["expected_arrival_date"] == "2026-12-05"
    assert rec["order_value"] == 1054.0  # 170 x 6.20
    assert drivers["costs"]["shortage_penalty"] == pytest.approx(5.3 * 1.5 * 1.5)
    assert rec["ordering_cost"] == 50.0
    assert rec["purchase_cost"] == 0.0  # SUP1's price is the standard cost
    assert rec["do_nothing_cost"] == pytest.approx(1021.0783, abs=1e-3)
    assert rec["savings"] == pytest.approx(rec["do_nothing_cost"] - rec["expected_cost"])
    assert rec["savings"] == pytest.approx(962.9864, abs=1e-3)
    rationale = rec["rationale"]
    assert "A100 at DC1 with BR1, BR2 after a -120 adjustment takes 420 on hand to 300" in rationale
    assert "is below the reorder point of 173" in rationale
    assert "Buying 170 from SUP1 (MOQ 50, multiple 10), arriving 2026-12-05" in rationale
    assert rec["routing"]["approver_roles"] == ["buyer", "planner"]

    again = _ingest(database_url, tmp_path, WRITE_OFF, SMALL_WRITE_OFF)
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    assert cli_json(database_url, "worker", "--once")["dispatch"]["claimed"] == 0
    assert len(_mine(wired)) == 1
    wired.engine.dispose()


def _plan_with_an_open_buy(wired: Crossdock) -> None:
    """Plan run #1 sized A100 at DC1 (reorder point 300) and proposed buying 100."""
    settings = {"holding_rate": 0.25, "ordering_cost": 50.0, "review_period_days": 7}
    drivers = {
        "forecast": {"horizon_days": 21, "mean": 95.6, "std": 35.6, "demand_class": "smooth",
                     "backtest_wape": 0.2},
        "lead_time": {"replenished_from": "SUP1", "mean_days": 14.0, "std_days": 0.0},
        "policy": {"fill_rate_target": 0.98, "safety_stock": 150.0, "reorder_point": 300.0,
                   "shortage_penalty": 11.925},
    }  # fmt: skip
    money = dict.fromkeys(
        ("action_cost", "expected_cost", "holding_cost", "shortage_cost", "transport_cost",
         "ordering_cost", "purchase_cost", "expedite_cost", "do_nothing_cost", "savings",
         "marginal_savings"), 0.0,
    )  # fmt: skip
    at = datetime(2026, 11, 20, 7, tzinfo=UTC)
    with wired.engine.begin() as connection:
        connection.execute(
            insert(plan_runs).values(
                id=1, started_at=at, finished_at=at, as_of=date(2026, 11, 20),
                status="succeeded", recommendations=1, money_at_risk=0, expected_savings=0,
                settings=json.dumps(settings), summary="{}",
            )
        )  # fmt: skip
        connection.execute(
            insert(recommendations).values(
                plan_run_id=1, kind="buy", sku="A100", from_code="SUP1", to_code="DC1",
                quantity=100.0, expected_arrival_date=date(2026, 12, 4), scope="A100@DC1",
                alternatives="[]", drivers=json.dumps(drivers), confidence=0.8,
                model_version="test", policy_version="test", status="pending_approval",
                order_value=620.0, **money,
            )
        )  # fmt: skip


def test_with_a_plan_its_levels_are_used_and_its_open_buy_is_not_duplicated(
    database_url: str, tmp_path: Path
):
    wired = _setup(database_url, tmp_path)
    _plan_with_an_open_buy(wired)
    _ingest(database_url, tmp_path, REJECTED)
    cli_json(database_url, "worker", "--once")

    (rec,) = _mine(wired)
    assert (rec["kind"], rec["to_code"], rec["source_event_id"]) == ("buy", "DC1", "EDI-855-0450")
    # without PO-5004: 502 on hand + 40 on TO-7002 - 612 open = -70; the plan's open buy
    # of 100 brings it to 30; the plan's reorder point is 300: 270 more
    assert rec["drivers"]["position"]["inventory_position"] == -70.0
    assert rec["quantity"] == 270.0
    assert rec["drivers"]["levels"]["basis"] == "plan run #1 as of 2026-11-20"
    assert rec["drivers"]["already_proposed"][0]["quantity"] == 100.0
    rationale = rec["rationale"]
    assert "the supplier rejected PO-5004 line 1 (200)" in rationale
    assert "plus buy #1 of 100 (plan run #1, pending_approval) still open" in rationale
    assert "below the reorder point of 300 (safety stock 150 for a 98.0% fill rate" in rationale
    assert rec["confidence"] == 0.8  # the plan's forecast confidence: 1 - WAPE
    wired.engine.dispose()
