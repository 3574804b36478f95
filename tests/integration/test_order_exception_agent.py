"""The order exception agent end to end on SQLite and PostgreSQL: a backorder another
warehouse can cover in time, a short pick that ships split with a revised date and a
customer message, and a credit hold routed to customer service with the order value at
risk; the stock exceptions raise `order_exception_raised` with their proposals; the
same events again propose and raise nothing more."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import select

from crossdock.adapters.db.tables import inbound_events, recommendations
from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.service_layer.agent_handlers import order_exception
from crossdock.service_layer.identity import add_person
from tests.conftest import REPO_ROOT
from tests.helpers import cli_json, run_cli
from tests.integration.governance_fixtures import AT

BASIC = REPO_ROOT / "examples" / "basic"
DEMO_POLICY = REPO_ROOT / "src" / "crossdock" / "governance" / "policy" / "demo.yaml"
PASSWORD = "correct horse battery"
AGENT = "agent:order_exception"

# On top of examples/basic: a gold order at BR2 for 100 A100 wanted 27 Nov (BR2 holds
# 18), and a bronze order at BR1 for 24 A100 wanted 21 Nov, the day it is picked.
ORDERS = (
    "SO-3001,C001,BR2,2026-11-20,2026-11-27,backordered,\n"
    "SO-3002,C003,BR1,2026-11-20,2026-11-21,released,\n"
)
LINES = "SO-3001,1,A100,100,0,82,11.50,BX\nSO-3002,1,A100,24,0,0,11.50,BX\n"
BACKORDER = {
    "event_id": "ERP-BO-1",
    "event_type": "order_backordered",
    "occurred_at": "2026-11-21T09:00:00Z",
    "source": "erp",
    "reference": "SO-3001",
    "sku": "A100",
    "location_code": "BR2",
    "quantity": 82,
}
SHORT_PICK = {
    "event_id": "WMS-SP-1",
    "event_type": "short_pick",
    "occurred_at": "2026-11-21T10:00:00Z",
    "source": "wms",
    "reference": "SO-3002",
    "sku": "A100",
    "location_code": "BR1",
    "quantity": 4,
    "reason_code": "SHORT",
    "data": {"line_number": 1, "ordered_quantity": 24, "picked_quantity": 20},
}
CREDIT_HOLD = {
    "event_id": "ERP-HOLD-1",
    "event_type": "order_held",
    "occurred_at": "2026-11-21T11:00:00Z",
    "source": "erp",
    "reference": "SO-1003",
    "reason_code": "CH",
}


def _network(tmp_path: Path) -> Path:
    folder = tmp_path / "network"
    shutil.copytree(BASIC, folder)
    with (folder / "sales_orders.csv").open("a") as handle:
        handle.write(ORDERS)
    with (folder / "sales_order_lines.csv").open("a") as handle:
        handle.write(LINES)
    return folder


def test_exceptions_are_classified_priced_and_raised_once(database_url: str, tmp_path: Path):
    run_cli(database_url, "init")
    assert (
        cli_json(database_url, "import", str(_network(tmp_path)))["totals"]["rows_quarantined"] == 0
    )
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    run_cli(database_url, "policy", "load", str(DEMO_POLICY), "--as", "ops")
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e) + "\n" for e in (BACKORDER, SHORT_PICK, CREDIT_HOLD)))
    assert cli_json(database_url, "events", "ingest", str(events), "--as", "ops")["accepted"] == 3

    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"][AGENT] == 3

    rows = {
        (r["kind"], r["drivers"]["exception"] if r["kind"] == "order_exception" else "-"): r
        for r in wired.governance.recommendation_rows(limit=100)
        if r["agent"] == AGENT
    }
    assert sorted(rows) == [
        ("customer_message", "-"),
        ("order_exception", "backorder"),
        ("order_exception", "credit_hold"),
        ("order_exception", "short_pick"),
    ]

    # the backorder: DC1 lands the 82 units on 24 Nov, in time for 27 Nov
    backorder = rows[("order_exception", "backorder")]
    assert (backorder["sku"], backorder["to_code"], backorder["from_code"]) == (
        "A100",
        "BR2",
        "DC1",
    )
    assert backorder["quantity"] == 82.0
    assert backorder["do_nothing_cost"] == 869.2  # 82 x (11.50 - 6.20) x 2.0 (gold)
    assert backorder["transport_cost"] == 34.44  # 82 x 0.42 over DC1 -> BR2
    assert backorder["savings"] == 834.76
    assert backorder["expected_arrival_date"] == "2026-11-27"
    assert "Ship 82 from DC1 landing 2026-11-24 for 34.44" in backorder["rationale"]
    assert "No substitute is offered" in backorder["rationale"]
    options = {a["alternative"]: a for a in backorder["alternatives"]}
    assert [name for name, a in options.items() if a["chosen"]] == ["transfer from DC1"]
    assert options["transfer from BR1"]["available"] is True  # in time, 0.60 a unit, 28 free
    assert options["transfer from BR1"]["units"] == 28.0
    assert options["substitute"]["available"] is False
    assert options["none"]["shortage"] == 869.2
    assert backorder["routing"]["approver_roles"] == ["customer_service"]
    assert backorder["status"] == "pending_approval"

    # the short pick: nothing lands on 21 Nov; 20 ship, 4 follow with PO-5004 via DC1
    short = rows[("order_exception", "short_pick")]
    assert short["quantity"] == 4.0
    assert short["drivers"]["plan"]["action"] == "split"
    assert short["drivers"]["plan"]["revised_date"] == "2026-11-22"
    assert short["drivers"]["plan"]["revised_by"] == "PO-5004 line 1 at DC1"
    assert short["do_nothing_cost"] == 21.2  # 4 x 5.30 x 1.0 (bronze)
    assert short["transport_cost"] == 0.0
    message = rows[("customer_message", "-")]
    assert message["drivers"]["message"] == (
        "Order SO-3002: line 1 (A100): 20 of 24 arrive on time, the other 4 follow by "
        "22 November 2026."
    )
    assert message["status"] == "pending_approval"
    assert message["routing"]["approver_roles"] == ["customer_service"]

    # the credit hold: the order value at risk, for customer service; nothing moves
    hold = rows[("order_exception", "credit_hold")]
    assert hold["order_value"] == 158.0  # 2 x 79.00
    assert hold["from_code"] is None
    assert hold["transport_cost"] == 0.0
    assert "on credit hold (CH = credit_hold)" in hold["rationale"]
    assert "158.00 of order value at risk" in hold["rationale"]
    assert hold["drivers"]["customer_tier"] == "bronze"

    # raised with the stock proposals, not with the credit hold
    with wired.engine.connect() as connection:
        raised = connection.execute(
            select(
                inbound_events.c.event_id, inbound_events.c.ordering_key, inbound_events.c.payload
            )
            .where(inbound_events.c.event_type == "order_exception_raised")
            .order_by(inbound_events.c.event_id)
        ).all()
    assert [(r.event_id, r.ordering_key) for r in raised] == [
        ("ERP-BO-1>order_exception>order_exception_raised>SO-3001>1", "A100@BR2"),
        ("WMS-SP-1>order_exception>order_exception_raised>SO-3002>1", "A100@BR1"),
    ]
    payload = json.loads(raised[0].payload)
    assert (payload["reference"], payload["quantity"], payload["source"]) == (
        "SO-3001",
        82.0,
        AGENT,
    )
    assert payload["data"] == {"line_number": 1, "customer_code": "C001",
                               "exception": "backorder", "needed_by": "2026-11-27"}  # fmt: skip
    assert backorder["drivers"]["raised"] == [raised[0].event_id]

    # the same events again, and one delivered again to the agent: nothing more
    again = cli_json(database_url, "events", "ingest", str(events), "--as", "ops")
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    handle = order_exception.consumer(wired.agent_data).handle
    for event in (BACKORDER, SHORT_PICK, CREDIT_HOLD):
        stored = json.loads(_payload(wired, event["event_id"]))
        handle(stored)
    with wired.engine.connect() as connection:
        count = connection.execute(
            select(recommendations.c.id).where(recommendations.c.agent == AGENT)
        ).all()
        raised_again = connection.execute(
            select(inbound_events.c.event_id).where(
                inbound_events.c.event_type == "order_exception_raised"
            )
        ).all()
    assert len(count) == 4
    assert len(raised_again) == 2
    wired.engine.dispose()


def _payload(wired: Crossdock, event_id: str) -> str:
    with wired.engine.connect() as connection:
        return str(
            connection.execute(
                select(inbound_events.c.payload).where(inbound_events.c.event_id == event_id)
            ).scalar_one()
        )


def test_a_delay_of_a_purchase_order_is_not_an_order_exception(database_url: str, tmp_path: Path):
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(BASIC))
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    delayed = {
        "event_id": "TMS-1",
        "event_type": "shipment_delayed",
        "occurred_at": "2026-11-21T08:00:00Z",
        "source": "tms",
        "reference": "PO-5004",
        "data": {"new_eta": "2026-11-30"},
    }
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(delayed) + "\n")
    cli_json(database_url, "events", "ingest", str(events), "--as", "ops")
    cli_json(database_url, "worker", "--once")
    rows = wired.governance.recommendation_rows(limit=100)
    assert [r for r in rows if r["agent"] == AGENT] == []
    wired.engine.dispose()
