"""The procurement agent end to end on SQLite and PostgreSQL: a supplier acknowledges a
PO line ten days late; the worker delivers the event; the agent finds the one customer
order it hits and proposes an expedite explained in money, routed by policy; the same
event again proposes nothing more."""

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


def _network(tmp_path: Path) -> Path:
    folder = tmp_path / "network"
    shutil.copytree(BASIC, folder)
    with (folder / "sales_orders.csv").open("a") as handle:
        handle.write(ORDERS)
    with (folder / "sales_order_lines.csv").open("a") as handle:
        handle.write(LINES)
    return folder


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
    assert cycle["dispatch"]["delivered"] == 2  # one key: the second waits for a later cycle
    assert cycle["cycles"] == 3  # two deliveries, then one that finds nothing due
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
