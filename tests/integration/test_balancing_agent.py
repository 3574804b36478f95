"""The inventory balancing agent end to end on SQLite and PostgreSQL: a branch runs out
of an item a customer ordered; the worker delivers the event; the agent prices moving
it from the DC and from the sibling branch, proposes the cheaper one that arrives in
time, routed by the demo policy; the order exception raised for the same line, and the
same events again, propose nothing more."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.identity import add_person
from tests.conftest import REPO_ROOT
from tests.helpers import cli_json, run_cli
from tests.integration.governance_fixtures import AT

BASIC = REPO_ROOT / "examples" / "basic"
DEMO_POLICY = REPO_ROOT / "src" / "crossdock" / "governance" / "policy" / "demo.yaml"
PASSWORD = "correct horse battery"
AGENT = "agent:balancing"

# A silver order for 60 A100 at BR2 due 26 Nov, on top of examples/basic. BR2 counted 18
# on 20 Nov and expects TO-7002's 40 from DC1.
ORDER = "SO-2002,C002,BR2,2026-11-19,2026-11-26,released,\n"
LINE = "SO-2002,1,A100,60,0,0,11.50,BX\n"
STOCKOUT = {
    "event_id": "WMS-OOS-0091",
    "event_type": "stockout",
    "occurred_at": "2026-11-21T08:00:00Z",
    "source": "wms",
    "sku": "A100",
    "location_code": "BR2",
}
# the order exception agent's ask for the same line, an hour later
EXCEPTION = {
    "event_id": "OX-SO-2002-1",
    "event_type": "order_exception_raised",
    "occurred_at": "2026-11-21T09:00:00Z",
    "source": "agent:order_exception",
    "sku": "A100",
    "location_code": "BR2",
    "reference": "SO-2002",
    "quantity": 20,
    "data": {
        "line_number": 1,
        "customer_code": "C002",
        "exception": "backorder",
        "needed_by": "2026-11-26",
    },
}


def _network(tmp_path: Path) -> Path:
    folder = tmp_path / "network"
    shutil.copytree(BASIC, folder)
    with (folder / "sales_orders.csv").open("a") as handle:
        handle.write(ORDER)
    with (folder / "sales_order_lines.csv").open("a") as handle:
        handle.write(LINE)
    return folder


def _ingest(database_url: str, tmp_path: Path, *events: dict[str, object]) -> dict[str, int]:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    return cli_json(database_url, "events", "ingest", str(path), "--as", "ops")


def test_a_stockout_becomes_the_cheapest_transfer_in_time_explained_in_money(
    database_url: str, tmp_path: Path
):
    run_cli(database_url, "init")
    imported = cli_json(database_url, "import", str(_network(tmp_path)))
    assert imported["totals"]["rows_quarantined"] == 0
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    run_cli(database_url, "policy", "load", str(DEMO_POLICY), "--as", "ops")
    assert _ingest(database_url, tmp_path, STOCKOUT, EXCEPTION)["accepted"] == 2

    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"][AGENT] >= 2  # other agents may raise more

    (rec,) = [r for r in wired.governance.recommendation_rows(limit=50) if r["agent"] == AGENT]
    assert rec["source_event_id"] == "WMS-OOS-0091"
    assert (rec["kind"], rec["sku"], rec["from_code"], rec["to_code"]) == (
        "transfer", "A100", "DC1", "BR2"
    )  # fmt: skip
    # 0 on hand after the stockout + 40 on TO-7002 leave SO-2002 20 short on 26 Nov
    assert rec["quantity"] == 20.0
    assert rec["expected_arrival_date"] == "2026-11-24"  # DC1 -> BR2 takes 3 days
    assert rec["do_nothing_cost"] == 159.0  # 20 x (11.50 - 6.20) x 1.5 (silver)
    assert rec["transport_cost"] == 8.4  # 20 x 0.42
    assert (rec["shortage_cost"], rec["savings"]) == (0.0, 150.6)
    assert rec["order_value"] is None  # routed on its freight, as the plan's transfers
    rationale = rec["rationale"]
    assert "SO-2002 (C002, silver, 20 short on 2026-11-26)" in rationale
    assert "Moving 20 from DC1 (parent, 3 day(s), 0.42 a unit) arrives 2026-11-24" in rationale
    assert "in time: 159.00 of lost margin avoided for 8.40 of transport" in rationale
    # BR1 is a day away but dearer (0.60 a unit), and keeps 12 for SO-1005
    assert "Other sources: BR1 (20 by 2026-11-22, saves 147.00)" in rationale
    sources = {s["location_code"]: s for s in rec["drivers"]["sources"]}
    assert (sources["BR1"]["free"], sources["DC1"]["free"]) == (52.0, 420.0)
    # the demo policy lets small, confident transfers run on their own
    assert rec["status"] == "auto_approved"
    assert rec["routing"]["tier"] == "auto_execute"

    # the exception asked for units already on their way; the same events again: nothing
    again = _ingest(database_url, tmp_path, STOCKOUT, EXCEPTION)
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    assert cli_json(database_url, "worker", "--once")["dispatch"]["claimed"] == 0
    mine = [r for r in wired.governance.recommendation_rows(limit=50) if r["agent"] == AGENT]
    assert len(mine) == 1
    wired.engine.dispose()


def test_a_short_pick_the_branch_can_absorb_proposes_nothing(database_url: str, tmp_path: Path):
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(BASIC))
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    short_pick = {
        "event_id": "WMS-SP-0007",
        "event_type": "short_pick",
        "occurred_at": "2026-11-21T07:00:00Z",
        "source": "wms",
        "sku": "A100",
        "location_code": "BR1",
        "reference": "SO-1005",
        "quantity": 4,
    }
    _ingest(database_url, tmp_path, short_pick)
    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"][AGENT] >= 1
    # 64 - 4 on the book still cover SO-1005's 12 (what the order exception agent makes
    # of the pick is its own event, answered separately)
    answers = [
        r
        for r in wired.governance.recommendation_rows(limit=50)
        if r["agent"] == AGENT and r["source_event_id"] == "WMS-SP-0007"
    ]
    assert answers == []
    wired.engine.dispose()
