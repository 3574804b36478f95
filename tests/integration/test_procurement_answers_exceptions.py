"""The order exception agent asks, the procurement agent answers, on SQLite and
PostgreSQL: a gold customer's backorder at a branch raises `order_exception_raised`;
over the DC that replenishes the branch, supply lands too late, and the procurement agent
proposes the cheapest supply-side cover in money: an expedite of a PO line promised
after the order's date (A100), or a buy from a supplier whose lead time lands in time
(B400). The same events again, or another ask for a line whose answer still waits,
propose nothing more."""

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
AGENT = "agent:procurement"

# On top of examples/basic: PO-5005 brings 300 A100 to DC1 on 15 Dec; a gold customer
# wants 900 A100 at BR2 on 1 Dec and 200 B400 at BR1 on 5 Dec, both backordered.
# A100 over DC1, BR1 and BR2: 502 on hand + PO-5004's 200 on 20 Nov - SO-1005's 12 =
# 690 by 1 Dec, 210 short. B400: 118 on hand, no PO, 82 short on 5 Dec.
MORE = {
    "purchase_orders": "PO-5005,SUP1,DC1,2026-11-19,acknowledged\n",
    "purchase_order_lines": "PO-5005,1,A100,300,6.20,2026-12-15,2026-11-20,300,,,,,,BX\n",
    "sales_orders": (
        "SO-3101,C001,BR2,2026-11-20,2026-12-01,backordered,\n"
        "SO-3102,C001,BR1,2026-11-20,2026-12-05,backordered,\n"
    ),
    "sales_order_lines": ("SO-3101,1,A100,900,0,882,11.50,BX\nSO-3102,1,B400,200,0,191,12.00,EA\n"),
}
EVENTS = [
    {"event_id": f"ERP-BO-{n}", "event_type": "order_backordered",
     "occurred_at": "2026-11-21T09:00:00Z", "source": "erp", "reference": order,
     "sku": sku, "location_code": site, "quantity": quantity}
    for n, (order, sku, site, quantity) in enumerate(
        [("SO-3101", "A100", "BR2", 882), ("SO-3102", "B400", "BR1", 191)], start=1
    )
]  # fmt: skip


def _network(tmp_path: Path) -> Path:
    folder = tmp_path / "network"
    shutil.copytree(BASIC, folder)
    for name, rows in MORE.items():
        with (folder / f"{name}.csv").open("a") as handle:
            handle.write(rows)
    return folder


def test_the_procurement_agent_answers_a_short_order_line_in_money(
    database_url: str, tmp_path: Path
):
    run_cli(database_url, "init")
    imported = cli_json(database_url, "import", str(_network(tmp_path)))
    assert imported["totals"]["rows_quarantined"] == 0
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e) + "\n" for e in EVENTS))
    assert cli_json(database_url, "events", "ingest", str(events), "--as", "ops")["accepted"] == 2

    cycle = cli_json(database_url, "worker", "--once")
    # each backorder's raised ask reaches the procurement agent (and the balancing agent)
    assert cycle["dispatch"]["by_consumer"][AGENT] == 2
    rows = [r for r in wired.governance.recommendation_rows(limit=100) if r["agent"] == AGENT]
    by_sku = {r["sku"]: r for r in rows}
    assert sorted(by_sku) == ["A100", "B400"]

    expedite = by_sku["A100"]
    assert expedite["source_event_id"].startswith("ERP-BO-1>order_exception>")
    assert (expedite["kind"], expedite["po_number"], expedite["line_number"]) == (
        "expedite",
        "PO-5005",
        1,
    )
    assert (expedite["from_code"], expedite["to_code"]) == ("SUP1", "DC1")
    assert expedite["quantity"] == 210.0
    assert expedite["expected_arrival_date"] == "2026-12-01"
    assert expedite["do_nothing_cost"] == 2226.0  # 210 x (11.50 - 6.20) x 2.0 (gold)
    assert expedite["expedite_cost"] == 195.3  # 210 x 6.20 x 0.15
    assert expedite["savings"] == 2030.7
    assert expedite["drivers"]["short_in_pool"] == 210.0
    assert expedite["drivers"]["order_line"]["order_number"] == "SO-3101"
    assert "the order exception agent asked for options" in expedite["rationale"]
    options = {a["alternative"]: a for a in expedite["alternatives"]}
    assert options["buy from SUP1"]["available"] is False  # 14 days: 5 Dec, after 1 Dec
    assert [name for name, a in options.items() if a["chosen"]] == ["expedite PO-5005 line 1"]
    assert expedite["routing"]["approver_roles"] == ["buyer"]

    buy = by_sku["B400"]
    assert (buy["kind"], buy["from_code"], buy["to_code"]) == ("buy", "SUP1", "DC1")
    assert buy["quantity"] == 85.0  # 82 short, in multiples of 5
    assert buy["expected_arrival_date"] == "2026-11-28"  # SUP1's 7 days
    assert buy["purchase_cost"] == 42.5  # 85 x (5.90 - 5.40)
    assert buy["do_nothing_cost"] == 1082.4  # 82 x (12.00 - 5.40) x 2.0
    options = {a["alternative"]: a for a in buy["alternatives"]}
    assert options["buy from SUP2"]["available"] is False  # 21 days: 12 Dec

    # the same events again, and a new backorder event for SO-3101 while the expedite
    # waits for the buyer: nothing more from the procurement agent
    again = cli_json(database_url, "events", "ingest", str(events), "--as", "ops")
    assert again["duplicates"] == 2
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({**EVENTS[0], "event_id": "ERP-BO-9"}) + "\n")
    assert cli_json(database_url, "events", "ingest", str(later), "--as", "ops")["accepted"] == 1
    assert cli_json(database_url, "worker", "--once")["dispatch"]["by_consumer"][AGENT] == 1
    assert len([r for r in wired.governance.recommendation_rows(limit=100)
                if r["agent"] == AGENT]) == 2  # fmt: skip
    wired.engine.dispose()
