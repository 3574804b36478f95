"""The allocation agent end to end on SQLite and PostgreSQL, under the demo approval
policy with a BR1 site file that lets allocations run on their own: a new silver order
leaves BR1 short of A100 and the policy serves it before an older bronze order, so the
allocation takes stock from a customer first come would serve and waits for a person
(the demo's strategic-customers rule); a count correction leaves B400 short where the
policy and first come agree, and that allocation runs on its own. The same events
again propose nothing more."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from crossdock.adapters.db.tables import inbound_events, recommendations
from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.service_layer.agent_handlers import allocation
from crossdock.service_layer.agent_runtime import agents, run_cycle
from crossdock.service_layer.identity import add_person
from tests.conftest import REPO_ROOT
from tests.helpers import cli_json, run_cli
from tests.integration.governance_fixtures import AT

BASIC = REPO_ROOT / "examples" / "basic"
DEMO_POLICY = REPO_ROOT / "src" / "crossdock" / "governance" / "policy" / "demo.yaml"
PASSWORD = "correct horse battery"
AGENT = "agent:allocation"

# On top of examples/basic (BR1 holds 64 A100 and 9 B400; SO-1005, gold, wants 12 A100):
# an older bronze order for 40 A100, and two B400 orders, silver then bronze.
ORDERS = (
    "SO-4001,C003,BR1,2026-11-18,2026-11-23,released,\n"
    "SO-4003,C002,BR1,2026-11-19,2026-11-24,released,\n"
    "SO-4004,C003,BR1,2026-11-20,2026-11-24,released,\n"
)
LINES = (
    "SO-4001,1,A100,40,0,0,11.50,BX\nSO-4003,1,B400,8,0,0,12.00,EA\nSO-4004,1,B400,6,0,0,12.00,EA\n"
)
SITE_POLICY = """\
policy: demo-br1
version: 1
scope: site
site: BR1
extends: demo
workflows:
  allocation:
    tier: auto_execute
    auto_when:
      value_at_most: 5000
"""
NEW_ORDER = {
    "event_id": "ERP-SO-4002",
    "event_type": "order_created",
    "occurred_at": "2026-11-21T09:00:00Z",
    "source": "erp",
    "reference": "SO-4002",
    "location_code": "BR1",
    "data": {
        "customer_code": "C002",
        "lines": [
            {"line_number": 1, "sku": "A100", "quantity": 30, "requested_date": "2026-11-23"}
        ],
    },
}
COUNT = {
    "event_id": "WMS-ADJ-1",
    "event_type": "inventory_adjusted",
    "occurred_at": "2026-11-21T09:30:00Z",
    "source": "wms",
    "sku": "B400",
    "location_code": "BR1",
    "quantity": -1,
    "reason_code": "count_adjustment",
}


def _setup(database_url: str, tmp_path: Path) -> Crossdock:
    folder = tmp_path / "network"
    shutil.copytree(BASIC, folder)
    with (folder / "sales_orders.csv").open("a") as handle:
        handle.write(ORDERS)
    with (folder / "sales_order_lines.csv").open("a") as handle:
        handle.write(LINES)
    run_cli(database_url, "init")
    assert cli_json(database_url, "import", str(folder))["totals"]["rows_quarantined"] == 0
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    site = tmp_path / "site-BR1.yaml"
    site.write_text(SITE_POLICY)
    run_cli(database_url, "policy", "load", str(DEMO_POLICY), str(site), "--as", "ops")
    return wired


def test_taking_stock_from_a_strategic_customer_waits_for_a_person(
    database_url: str, tmp_path: Path
):
    wired = _setup(database_url, tmp_path)
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(NEW_ORDER) + "\n" + json.dumps(COUNT) + "\n")
    assert cli_json(database_url, "events", "ingest", str(events), "--as", "ops")["accepted"] == 2

    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"][AGENT] == 2
    rows = {
        r["sku"]: r for r in wired.governance.recommendation_rows(limit=100) if r["agent"] == AGENT
    }
    assert sorted(rows) == ["A100", "B400"]

    a100 = rows["A100"]
    assert (a100["kind"], a100["to_code"], a100["quantity"]) == ("allocate", "BR1", 64.0)
    table = [
        (r["order"], r["tier"], r["asked"], r["allocated"], r["short"], r["first_come"])
        for r in a100["drivers"]["allocation"]
    ]
    assert table == [
        ("SO-1005", "gold", 12.0, 12.0, 0.0, 12.0),
        ("SO-4002", "silver", 30.0, 30.0, 0.0, 12.0),  # from the event: not imported
        ("SO-4001", "bronze", 40.0, 22.0, 18.0, 40.0),
    ]
    assert a100["drivers"]["allocation"][2]["reason"] == (
        "short 18: stock went first to SO-1005 (gold), SO-4002 (silver); 18 can come from "
        "DC1 by 2026-11-23 for 6.30; first come would give it 40"
    )
    assert a100["drivers"]["customer_tier"] == "strategic"
    assert a100["drivers"]["strategic"] == ["SO-4001"]
    assert a100["do_nothing_cost"] == 143.1  # first come: SO-4002 18 short x 5.30 x 1.5
    assert a100["shortage_cost"] == 0.0  # DC1 lands the 18 for SO-4001 on 23 Nov
    assert a100["transport_cost"] == 6.3  # 18 x 0.35
    assert a100["savings"] == 136.8
    assert a100["marginal_savings"] == 47.7  # 143.10 - 18 x 5.30 x 1.0 (bronze)
    assert a100["order_value"] == 736.0  # 64 x 11.50
    assert "a person must approve" in a100["rationale"]
    # the site lets allocations run on their own; the demo's mandatory rule does not
    assert a100["status"] == "pending_approval"
    assert a100["routing"]["rule"] == "mandatory[strategic-customers]"
    assert a100["routing"]["approver_roles"] == ["warehouse_supervisor", "customer_service"]

    b400 = rows["B400"]  # 8 left after the count: silver first, as first come
    assert [
        (r["order"], r["allocated"], r["first_come"]) for r in b400["drivers"]["allocation"]
    ] == [
        ("SO-4003", 8.0, 8.0),
        ("SO-4004", 0.0, 0.0),
    ]
    assert b400["drivers"]["customer_tier"] == "bronze"
    assert b400["drivers"]["strategic"] == []
    assert b400["status"] == "auto_approved"
    assert b400["routing"]["rule"] == "workflows.allocation (site BR1)"

    # the same events again, and delivered again to the agent: nothing more
    again = cli_json(database_url, "events", "ingest", str(events), "--as", "ops")
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    handle = allocation.consumer(wired.agent_data).handle
    with wired.engine.connect() as connection:
        for payload in connection.execute(
            select(inbound_events.c.payload).where(
                inbound_events.c.event_id.in_(["ERP-SO-4002", "WMS-ADJ-1"])
            )
        ).scalars():
            handle(json.loads(payload))
        mine = connection.execute(
            select(func.count()).where(recommendations.c.agent == AGENT)
        ).scalar_one()
    assert mine == 2
    wired.engine.dispose()


def test_stock_that_covers_every_line_proposes_nothing(database_url: str, tmp_path: Path):
    wired = _setup(database_url, tmp_path)
    small = {**NEW_ORDER, "event_id": "ERP-SO-4005", "reference": "SO-4005"}
    small["data"] = {
        "customer_code": "C002",
        "lines": [{"line_number": 1, "sku": "A100", "quantity": 5, "requested_date": "2026-11-23"}],
    }  # 12 + 40 + 5 = 57 of the 64 on hand
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(small) + "\n")
    cli_json(database_url, "events", "ingest", str(events), "--as", "ops")
    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"][AGENT] == 1
    rows = wired.governance.recommendation_rows(limit=100)
    assert [r for r in rows if r["agent"] == AGENT] == []
    wired.engine.dispose()


def test_the_same_allocation_is_not_asked_for_twice(database_url: str, tmp_path: Path):
    """Three counts of B400 at BR1 (9 on hand): 1 short, 1 short again, then 5 short. The
    second leaves the allocation as the first (SO-4003 8, SO-4004 none), still open: no
    second recommendation. The third changes it, and is proposed."""
    wired = _setup(database_url, tmp_path)
    counts = [
        COUNT,
        {**COUNT, "event_id": "WMS-ADJ-2", "occurred_at": "2026-11-21T09:40:00Z"},
        {**COUNT, "event_id": "WMS-ADJ-3", "occurred_at": "2026-11-21T09:50:00Z", "quantity": -5},
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(c) + "\n" for c in counts))
    assert cli_json(database_url, "events", "ingest", str(events), "--as", "ops")["accepted"] == 3
    consumers = agents(wired.agent_data)
    for _ in counts:  # one event of an item-location per cycle, in order
        run_cycle(wired.events, wired.governance, consumers, policy=wired.approval_policy(),
                  now=datetime.now(UTC))  # fmt: skip
    rows = sorted(
        (r for r in wired.governance.recommendation_rows(limit=100) if r["agent"] == AGENT),
        key=lambda r: r["id"],
    )
    assert [r["drivers"]["event"]["event_id"] for r in rows] == ["WMS-ADJ-1", "WMS-ADJ-3"]
    first, third = (
        [(a["order"], a["allocated"]) for a in r["drivers"]["allocation"]] for r in rows
    )
    assert first == [("SO-4003", 8.0), ("SO-4004", 0.0)]
    assert third != first  # 4 left: SO-4003 cannot have its 8
    wired.engine.dispose()
