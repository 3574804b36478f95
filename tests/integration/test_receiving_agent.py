"""The receiving agent end to end on SQLite and PostgreSQL: on the examples/basic
network a gold customer's big order at BR1 is 110 boxes of A100 short; an ASN for
PO-5004's 200 boxes is due at DC1 behind ASN-4410's gloves, which nobody waits for. The
worker proposes receiving the ASN first, as advice (recommend_only in the demo policy),
with the margin the order would wait for. Redelivered or re-ranked, nothing more."""

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
DEMO_POLICY = REPO_ROOT / "src" / "crossdock" / "governance" / "policy" / "demo.yaml"
PASSWORD = "correct horse battery"

# 502 boxes of A100 on hand over DC1, BR1 and BR2; SO-1005 takes 12 on 20 Nov and
# SO-2001 (C001, gold, BR1, 22 Nov) 600: 110 short.
ORDER = "SO-2001,C001,BR1,2026-11-19,2026-11-22,released,\n"
LINE = "SO-2001,1,A100,600,0,0,11.50,BX\n"
ASN = {
    "event_id": "EDI-856-5004",
    "event_type": "asn_received",
    "occurred_at": "2026-11-20T15:00:00Z",
    "source": "edi",
    "reference": "ASN-5004",
    "location_code": "DC1",
    "data": {
        "po_number": "PO-5004",
        "supplier_code": "SUP1",
        "expected_arrival": "2026-11-21",
        "lines": [{"po_line": 1, "sku": "A100", "quantity": 200}],
    },
}
# ASN-4410 now comes after ASN-5004: first come first served already puts ASN-5004 first
DELAYED = {
    "event_id": "TMS-DLY-4410",
    "event_type": "shipment_delayed",
    "occurred_at": "2026-11-20T16:00:00Z",
    "source": "tms",
    "reference": "ASN-4410",
    "data": {"new_eta": "2026-11-25", "previous_eta": "2026-11-16"},
}


def _network(tmp_path: Path) -> Path:
    folder = tmp_path / "network"
    shutil.copytree(BASIC, folder)
    with (folder / "sales_orders.csv").open("a") as handle:
        handle.write(ORDER)
    with (folder / "sales_order_lines.csv").open("a") as handle:
        handle.write(LINE)
    return folder


def _proposals(wired: Any) -> list[dict[str, Any]]:
    rows = wired.governance.recommendation_rows(limit=50)
    return [r for r in rows if r["agent"] == "agent:receiving"]


def _ingest(database_url: str, path: Path, *events: dict[str, Any]) -> dict[str, Any]:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return cli_json(database_url, "events", "ingest", str(path), "--as", "ops")


def test_the_asn_a_gold_order_waits_for_is_received_first(database_url: str, tmp_path: Path):
    run_cli(database_url, "init")
    imported = cli_json(database_url, "import", str(_network(tmp_path)))
    assert imported["totals"]["rows_quarantined"] == 0
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    cli_json(database_url, "policy", "load", str(DEMO_POLICY), "--as", "ops")
    events = tmp_path / "asn.jsonl"
    assert _ingest(database_url, events, ASN)["accepted"] == 1

    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"]["agent:receiving"] == 1
    (rec,) = _proposals(wired)
    assert rec["source_event_id"] == "EDI-856-5004"
    assert (rec["kind"], rec["sku"], rec["from_code"], rec["to_code"]) == (
        "receive_first", "A100", "SUP1", "DC1"
    )  # fmt: skip
    assert (rec["po_number"], rec["line_number"], rec["quantity"]) == ("PO-5004", 1, 200.0)
    assert rec["expected_arrival_date"] == "2026-11-21"
    assert rec["do_nothing_cost"] == rec["savings"] == 583.0  # 110 x (11.50 - 6.20)
    assert rec["order_value"] == 1265.0  # 110 x 11.50
    assert "behind 1 shipment(s) (ASN-4410)" in rec["rationale"]
    assert "SO-2001 (C001, gold, 110 A100 for BR1 due 2026-11-22, cross-dock)" in rec["rationale"]
    ranked = rec["drivers"]["ranked"]
    assert [(r["reference"], r["fifo_position"]) for r in ranked] == [
        ("ASN-5004", 2), ("ASN-4410", 1)
    ]  # fmt: skip
    assert ranked[0]["score"] == 1457.5  # 583 x 2.0 (gold) x 1.25 (cross-dock)
    assert ranked[1]["orders"] == []
    assert rec["routing"]["tier"] == "recommend_only"
    assert rec["routing"]["rule"] == "workflows.receiving"

    # the ASN again, under its own id and another: still one proposal for the shipment
    assert _ingest(database_url, events, ASN)["duplicates"] == 1
    resent = {**ASN, "event_id": "EDI-856-5004-resent"}
    assert _ingest(database_url, tmp_path / "resent.jsonl", resent)["accepted"] == 1
    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"]["agent:receiving"] == 1
    assert len(_proposals(wired)) == 1
    # the other shipment delayed behind it: first come first served is right, nothing more
    assert _ingest(database_url, tmp_path / "delay.jsonl", DELAYED)["accepted"] == 1
    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"]["agent:receiving"] == 1
    assert len(_proposals(wired)) == 1
    wired.engine.dispose()


def test_nothing_is_proposed_when_no_customer_waits(database_url: str, tmp_path: Path):
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(BASIC))  # without the big order
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    _ingest(database_url, tmp_path / "asn.jsonl", ASN)
    assert (
        cli_json(database_url, "worker", "--once")["dispatch"]["by_consumer"]["agent:receiving"]
        == 1
    )
    assert _proposals(wired) == []
    wired.engine.dispose()
