"""The procurement agent end to end on SQLite and PostgreSQL: a supplier acknowledges a
PO line ten days late; the worker delivers the event; the agent finds the one customer
order it hits and proposes an expedite explained in money, routed by policy; the same
event again proposes nothing more. With another DC holding free stock, a rejected line
is replaced by a transfer from it; with another supplier quoting a short lead time, the
late line's units are bought there rather than expedited."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.identity import add_person
from tests.conftest import REPO_ROOT
from tests.helpers import cli_json, run_cli
from tests.integration.governance_fixtures import AT

BASIC = REPO_ROOT / "examples" / "basic"
PASSWORD = "correct horse battery"

# Two more customer orders for A100 on top of examples/basic: a gold one due 28 Nov
# at BR1 and a silver one due 2 Dec at BR2. With PO-5004's 200 units on 20 Nov, the
# 502 units on hand and 200 arriving cover all three open orders (12 + 300 + 250).
ORDERS = (
    "SO-2001,C001,BR1,2026-11-19,2026-11-28,released,\n"
    "SO-2002,C002,BR2,2026-11-19,2026-12-02,released,\n"
)
LINES = "SO-2001,1,A100,300,0,0,11.50,BX\nSO-2002,1,A100,250,0,0,11.50,BX\n"
LATE = {
    "event_id": "EDI-855-000417",
    "event_type": "po_acknowledged",
    "occurred_at": "2026-11-21T08:00:00Z",
    "source": "edi",
    "reference": "PO-5004",
    "data": {
        "supplier_code": "SUP1",
        "lines": [{"line_number": 1, "status": "changed", "promised_date": "2026-12-10"}],
    },
}

# the same PO shipping later: same ordering key, no agent reacts to it
SHIPPED = {
    "event_id": "EDI-856-000418",
    "event_type": "po_shipped",
    "occurred_at": "2026-11-21T09:00:00Z",
    "source": "edi",
    "reference": "PO-5004",
}


def _network(tmp_path: Path, **more: str) -> Path:
    """examples/basic with the two orders, and `more` rows appended to the named files."""
    folder = tmp_path / "network"
    shutil.copytree(BASIC, folder)
    for name, rows in {"sales_orders": ORDERS, "sales_order_lines": LINES, **more}.items():
        with (folder / f"{name}.csv").open("a") as handle:
            handle.write(rows)
    return folder


def _procurement_proposal(database_url: str, tmp_path: Path, event: dict[str, Any], **more: str):
    """Import the network with `more`, ingest `event`, run the worker: the one proposal
    the procurement agent makes."""
    run_cli(database_url, "init")
    imported = cli_json(database_url, "import", str(_network(tmp_path, **more)))
    assert imported["totals"]["rows_quarantined"] == 0
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(event) + "\n")
    assert cli_json(database_url, "events", "ingest", str(events), "--as", "ops")["accepted"] == 1
    cli_json(database_url, "worker", "--once")
    rows = wired.governance.recommendation_rows(limit=10)
    wired.engine.dispose()
    (rec,) = [row for row in rows if row["agent"] == "agent:procurement"]
    return rec


def test_a_late_acknowledgment_becomes_one_expedite_explained_in_money(
    database_url: str, tmp_path: Path
):
    run_cli(database_url, "init")
    imported = cli_json(database_url, "import", str(_network(tmp_path)))
    assert imported["totals"]["rows_quarantined"] == 0
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(LATE) + "\n" + json.dumps(SHIPPED) + "\n")
    assert cli_json(database_url, "events", "ingest", str(events), "--as", "ops")["accepted"] == 2

    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["delivered"] == 2  # one key: both in one claim, in order
    assert cycle["cycles"] == 2  # the key's run, then a cycle that finds nothing due
    assert cycle["dispatch"]["by_consumer"]["agent:procurement"] == 1
    assert cycle["routing"]["by_status"] == {"pending_approval": 1}

    (rec,) = wired.governance.recommendation_rows(limit=10)
    assert rec["agent"] == "agent:procurement"
    assert rec["source_event_id"] == "EDI-855-000417"
    assert (rec["kind"], rec["po_number"], rec["line_number"]) == ("expedite", "PO-5004", 1)
    assert rec["quantity"] == 60.0  # SO-2002 is 60 short on 2 Dec without the 200 units
    assert rec["expected_arrival_date"] == "2026-12-02"
    assert rec["do_nothing_cost"] == 477.0  # 60 x (11.50 - 6.20) x 1.5 (silver)
    assert rec["expedite_cost"] == 55.8  # 60 x 6.20 x 0.15
    assert rec["savings"] == 421.2
    assert "SO-2002 (C002, silver, 60 short on 2026-12-02)" in rec["rationale"]
    assert "the supplier changed the line" in rec["rationale"]
    assert [hit["order_number"] for hit in rec["drivers"]["hits"]] == ["SO-2002"]
    assert rec["routing"]["rule"] == "no approval policy loaded"
    assert rec["routing"]["approver_roles"] == ["buyer"]

    # the same event again, and the same message delivered again: nothing more
    again = cli_json(database_url, "events", "ingest", str(events), "--as", "ops")
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    assert cli_json(database_url, "worker", "--once")["dispatch"]["claimed"] == 0
    assert len(wired.governance.recommendation_rows(limit=10)) == 1
    trail = [e["event"] for e in wired.governance.ledger(recommendation_id=rec["id"])]
    assert trail == ["created", "request_approval"]
    wired.engine.dispose()


def test_a_change_that_hits_no_order_proposes_nothing(database_url: str, tmp_path: Path):
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(BASIC))  # without the two big orders
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(LATE) + "\n")
    cli_json(database_url, "events", "ingest", str(events), "--as", "ops")
    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["delivered"] == 1
    assert wired.governance.recommendation_rows(limit=10) == []
    wired.engine.dispose()


# Another DC, not one DC1 replenishes, with 200 A100 free and a two-day lane to DC1.
DC2 = {
    "locations": "DC2,East distribution centre,dc,East,\n",
    "lanes": "DC2,DC1,2,0.30,1000,truck\n",
    "inventory_positions": "A100,DC2,2026-11-20T06:00:00Z,200,0,0,0,0,BX\n",
}
REJECTED = {
    "event_id": "EDI-855-000419",
    "event_type": "po_rejected",
    "occurred_at": "2026-11-21T08:00:00Z",
    "source": "edi",
    "reference": "PO-5004",
    "data": {"supplier_code": "SUP1", "line_numbers": [1]},
}


def test_a_rejected_line_is_replaced_by_free_stock_from_another_dc(
    database_url: str, tmp_path: Path
):
    rec = _procurement_proposal(database_url, tmp_path, REJECTED, **DC2)
    assert (rec["kind"], rec["from_code"], rec["to_code"]) == ("transfer", "DC2", "DC1")
    assert (rec["po_number"], rec["line_number"]) == ("PO-5004", 1)
    assert rec["quantity"] == 60.0  # SO-2002's 60 short on 2 Dec
    assert rec["expected_arrival_date"] == "2026-11-23"  # 21 Nov + 2 days over the lane
    assert rec["do_nothing_cost"] == 477.0  # 60 x (11.50 - 6.20) x 1.5 (silver)
    assert (rec["action_cost"], rec["transport_cost"]) == (18.0, 18.0)  # 60 x 0.30
    assert (rec["shortage_cost"], rec["expedite_cost"], rec["savings"]) == (0.0, 0.0, 459.0)
    assert rec["drivers"]["action"] == "transfer"
    assert "Moving 60 units of free stock from DC2 to DC1, landing 2026-11-23" in (rec["rationale"])
    assert "expedite not possible (the line is rejected" in rec["rationale"]
    options = {o["alternative"]: o for o in rec["alternatives"]}
    assert options["none"]["shortage"] == 477.0
    assert (options["transfer from DC2"]["freight"], options["transfer from DC2"]["chosen"]) == (
        18.0, True
    )  # fmt: skip
    assert options["split"]["available"] is False
    assert rec["routing"]["approver_roles"] == ["planner", "warehouse_supervisor"]


def test_a_late_line_is_bought_from_a_faster_supplier_when_that_costs_less_than_expediting(
    database_url: str, tmp_path: Path
):
    # SUP3 quotes A100 at 6.50 (30 cents over the PO), 7 days, minimum 50 in tens
    rec = _procurement_proposal(
        database_url, tmp_path, LATE, supply_terms="SUP3,A100,7,50,10,6.50,false\n"
    )
    assert (rec["kind"], rec["from_code"], rec["to_code"]) == ("buy", "SUP3", "DC1")
    assert rec["quantity"] == 60.0
    assert rec["expected_arrival_date"] == "2026-11-28"  # 21 Nov + 7 days, before 2 Dec
    assert (rec["action_cost"], rec["purchase_cost"]) == (18.0, 18.0)  # 60 x 0.30
    assert (rec["do_nothing_cost"], rec["savings"]) == (477.0, 459.0)
    assert rec["order_value"] == 390.0  # 60 x 6.50
    options = {o["alternative"]: o for o in rec["alternatives"]}
    assert options["expedite"]["total"] == 55.8  # what the agent proposed before
    assert options["buy from SUP3"]["chosen"] is True
    assert "the first promised date 2026-11-20 has passed" in options["split"]["note"]
    assert "Buying 60 units from SUP3" in rec["rationale"]
    assert "cut the PO line by 60 units" in rec["rationale"]
    assert rec["routing"]["approver_roles"] == ["buyer", "planner"]


def test_a_transfer_already_on_its_way_from_another_dc_counts_as_supply(
    database_url: str, tmp_path: Path
):
    # DC2 has already sent the 60 units (due 25 Nov): the rejection hits no order
    run_cli(database_url, "init")
    moving = {
        "transfer_orders": "TO-7100,DC2,DC1,2026-11-20,in_transit,2026-11-20,2026-11-25,\n",
        "transfer_order_lines": "TO-7100,1,A100,60,60,,BX\n",
    }
    folder = _network(tmp_path, **DC2, **moving)
    assert cli_json(database_url, "import", str(folder))["totals"]["rows_quarantined"] == 0
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(REJECTED) + "\n")
    cli_json(database_url, "events", "ingest", str(events), "--as", "ops")
    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"]["agent:procurement"] == 1
    rows = wired.governance.recommendation_rows(limit=10)
    assert [r for r in rows if r["agent"] == "agent:procurement"] == []
    wired.engine.dispose()
