"""The finance agent end to end on SQLite and PostgreSQL: three invoices on the
examples/basic network, one clean but early, one priced over its PO, one for a PO nobody
placed; the worker holds the two that do not match, waits for the goods of the early one
and holds it when fewer units arrive than it bills. The same invoices again, or under
other event ids, hold nothing more."""

from __future__ import annotations

import json
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


def _invoice(event_id: str, number: str, po: str, total: str, *lines: tuple[int, int, str]):
    return {
        "event_id": event_id,
        "event_type": "invoice_received",
        "occurred_at": "2026-11-21T08:00:00Z",
        "source": "edi",
        "reference": number,
        "data": {
            "po_number": po,
            "supplier_code": "SUP1",
            "currency": "USD",
            "total": total,
            "lines": [{"po_line": n, "quantity": q, "unit_price": p} for n, q, p in lines],
        },
    }


# PO-5001 (received): line 2 billed at 3.95 against 3.80 (accepted up to 3.876), on the
# 204 boxes received (GRN-9001 line 2, an over-receipt); line 1 matches.
PRICED_OVER = _invoice(
    "EDI-810-1", "INV-77001", "PO-5001", "2665.80", (1, 300, "6.20"), (2, 204, "3.95")
)
# PO-5004 (sent, nothing received yet): billed in full before the goods arrive
EARLY = _invoice("EDI-810-2", "INV-77002", "PO-5004", "1240.00", (1, 200, "6.20"))
UNKNOWN = _invoice("EDI-810-3", "INV-77003", "PO-9999", "500.00", (1, 100, "5.00"))
GOODS = {
    "event_id": "WMS-GR-1",
    "event_type": "goods_received",
    "occurred_at": "2026-11-22T09:00:00Z",
    "source": "wms",
    "sku": "A100",
    "location_code": "DC1",
    "reference": "PO-5004",
    "quantity": 150,
    "data": {"receipt_number": "GR-7001", "po_line": 1},
}


def _holds(wired: Any) -> list[dict[str, Any]]:
    rows = wired.governance.recommendation_rows(limit=50)
    return [r for r in rows if r["agent"] == "agent:finance"]


def _ingest(database_url: str, path: Path, *events: dict[str, Any]) -> dict[str, Any]:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return cli_json(database_url, "events", "ingest", str(path), "--as", "ops")


def test_invoices_that_do_not_match_are_held_with_the_money_overbilled(
    database_url: str, tmp_path: Path
):
    run_cli(database_url, "init")
    assert cli_json(database_url, "import", str(BASIC))["totals"]["rows_quarantined"] == 0
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    invoices = tmp_path / "invoices.jsonl"
    assert _ingest(database_url, invoices, PRICED_OVER, EARLY, UNKNOWN)["accepted"] == 3

    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"] == {"agent:finance": 3}
    assert cycle["routing"]["by_status"] == {"pending_approval": 2}
    holds = {(r["po_number"], r["line_number"]): r for r in _holds(wired)}
    assert sorted(holds, key=str) == [("PO-5001", 2), ("PO-9999", None)]

    price = holds[("PO-5001", 2)]
    assert (price["agent"], price["kind"], price["sku"], price["to_code"]) == (
        "agent:finance", "invoice_hold", "A200", "DC1"
    )  # fmt: skip
    assert price["quantity"] == 204.0
    assert (price["do_nothing_cost"], price["expected_cost"], price["savings"]) == (
        805.8, 775.2, 30.6
    )  # fmt: skip
    assert (
        "billed at 3.95 a unit against 3.80 on the PO (accepted up to 3.88)" in price["rationale"]
    )
    assert "30.60 overbilled" in price["rationale"]
    line_2 = next(x for x in price["drivers"]["lines"] if x["po_line"] == 2)
    assert (line_2["received"], line_2["po_price"], line_2["problems"]) == (
        204.0, "3.8000", ["price_over_po"]
    )  # fmt: skip
    assert price["routing"]["approver_roles"] == ["finance"]

    unknown = holds[("PO-9999", None)]
    assert (unknown["sku"], unknown["savings"]) == ("*", 500.0)
    assert "PO-9999 is not a PO Crossdock knows" in unknown["rationale"]

    # the goods of the early invoice arrive, 50 short: now it is held for them
    goods = tmp_path / "goods.jsonl"
    assert _ingest(database_url, goods, GOODS)["accepted"] == 1
    cycle = cli_json(database_url, "worker", "--once")
    assert cycle["dispatch"]["by_consumer"]["agent:finance"] == 1
    (short,) = [r for r in _holds(wired) if r["po_number"] == "PO-5004"]
    assert short["source_event_id"] == "WMS-GR-1"
    assert (short["line_number"], short["quantity"], short["savings"]) == (1, 200.0, 310.0)
    assert "billed 200 units when 150 were received (50 more than received)" in short["rationale"]

    # the same events again, and the invoices re-sent under new event ids: nothing more
    again = _ingest(database_url, invoices, PRICED_OVER, EARLY, UNKNOWN)
    assert again["duplicates"] == 3
    resent = [{**e, "event_id": e["event_id"] + "-resent"} for e in (PRICED_OVER, EARLY, UNKNOWN)]
    assert _ingest(database_url, tmp_path / "resent.jsonl", *resent)["accepted"] == 3
    assert cli_json(database_url, "worker", "--once")["dispatch"]["by_consumer"] == {
        "agent:finance": 3
    }
    assert len(_holds(wired)) == 3
    wired.engine.dispose()


def test_an_invoice_that_matches_holds_nothing(database_url: str, tmp_path: Path):
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(BASIC))
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    lines = ((1, 300, "6.20"), (2, 200, "3.87"))  # 3.87 is within 2% of 3.80
    clean = _invoice("EDI-810-9", "INV-77009", "PO-5001", "2634.00", *lines)
    _ingest(database_url, tmp_path / "clean.jsonl", clean)
    assert cli_json(database_url, "worker", "--once")["dispatch"]["by_consumer"] == {
        "agent:finance": 1
    }
    assert _holds(wired) == []
    wired.engine.dispose()
