"""The Tryton connector against a real trytond, on SQLite and on PostgreSQL (Crossdock on
the same backend as Tryton): sync the network in, write an approved transfer and an
approved buy back as exactly one draft each, survive retries and a server restart, see
a refusal's own message, re-login after the session expires, and follow the drafts
until Tryton's users confirm or cancel them."""

# ruff: noqa: F811 - the Tryton fixtures are imported, then named as parameters

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from crossdock.adapters.connectors.tryton.session import JsonRpcSession
from crossdock.adapters.db.tables import canonical_tables, recommendations
from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.domain.lifecycle import Action
from crossdock.service_layer.connecting import push, read_back
from crossdock.service_layer.deciding import Decide, decide
from crossdock.service_layer.identity import add_person, principal_named
from crossdock.service_layer.routing import route_plan
from tests.helpers import cli_json, run_cli
from tests.integration.governance_fixtures import AT, add_plan_run, add_recommendation
from tests.integration.tryton_fixtures import (  # noqa: F401 - fixtures
    PASSWORD,
    SESSION_SECONDS,
    TrytonServer,
    tryton,
    tryton_postgres_template,
    tryton_sqlite_template,
)

pytestmark = pytest.mark.slow
SECRET = "TRYTON_TEST_PASSWORD"
USER_PASSWORD = "correct horse battery"
TODAY = datetime.now(UTC).date()  # Tryton's today too: this machine runs on UTC


@pytest.fixture
def crossdock_url(tryton: TrytonServer, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Crossdock's own database, on the backend Tryton runs on."""
    if tryton.backend == "sqlite":
        return f"sqlite:///{tmp_path / 'crossdock.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def connected(
    tryton: TrytonServer, crossdock_url: str, monkeypatch: pytest.MonkeyPatch
) -> Crossdock:
    """A Crossdock with a connection `erp` to the running trytond and two people."""
    monkeypatch.setenv(SECRET, PASSWORD)
    run_cli(crossdock_url, "init")
    wired = bootstrap(Settings(database_url=crossdock_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=USER_PASSWORD, now=AT)
    add_person(wired.governance, username="pat", roles=["planner", "buyer"],
               password=USER_PASSWORD, now=AT)  # fmt: skip
    cli_json(crossdock_url, "connect", "add", "erp", "--kind", "tryton", "--as", "ops",
             "--set", f"url={tryton.url}", "--set", f"database={tryton.database}",
             "--set", "user=admin", "--set", f"password_env={SECRET}")  # fmt: skip
    return wired


def _approved(crossdock: Crossdock, *recs: dict[str, Any]) -> list[int]:
    """Recommendations of one plan run, routed and approved by a planner-buyer (a newer
    run would expire an older one's)."""
    run = add_plan_run(crossdock.engine)
    ids = [add_recommendation(crossdock.engine, run, **given) for given in recs]
    route_plan(crossdock.governance, plan_run_id=run, policy=None, now=datetime.now(UTC))
    pat = principal_named(crossdock.governance, "pat")
    for rec in ids:
        decide(crossdock.governance, Decide(rec, Action.APPROVE), actor=pat, now=datetime.now(UTC))
    return ids


def _transfer(quantity: float = 40.0) -> dict[str, Any]:
    return {"kind": "transfer", "sku": "A100", "from_code": "DC1", "to_code": "BR2",
            "quantity": quantity, "order_value": None, "scope": "A100@BR2",
            "expected_arrival_date": TODAY + timedelta(days=3)}  # fmt: skip


def _buy(sku: str = "B400") -> dict[str, Any]:
    return {"kind": "buy", "sku": sku, "from_code": "SUP1", "to_code": "DC1",
            "quantity": 85.0, "order_value": Decimal("501.50"), "scope": f"{sku}@DC1",
            "expected_arrival_date": TODAY + timedelta(days=14)}  # fmt: skip


def _row(crossdock: Crossdock, rec: int) -> dict[str, Any]:
    with crossdock.engine.connect() as db:
        return dict(
            db.execute(select(recommendations).where(recommendations.c.id == rec)).one()._mapping
        )


def _drafts(tryton: TrytonServer, model: str, rec: int) -> list[dict[str, Any]]:
    shipment = model == "stock.shipment.internal"
    fields = ["state", "moves"] if shipment else ["state", "lines", "party.code"]
    return list(tryton.call(model, "search_read", [["reference", "=", f"crossdock:R-{rec}"]],
                            0, None, None, fields))  # fmt: skip


def test_sync_reads_the_network_out_of_tryton(connected: Crossdock, crossdock_url: str):
    check = cli_json(crossdock_url, "connect", "test", "erp")
    assert (check["ok"], check["warehouses"], check["products"]) == (True, 3, 3)

    synced = cli_json(crossdock_url, "connect", "sync", "erp", "--as", "ops")
    totals = synced["import"]["totals"]
    assert totals["rows_quarantined"] == 0
    tables = canonical_tables
    with connected.engine.connect() as db:
        sites = {r.location_code: (r.location_type, r.parent_location_code)
                 for r in db.execute(select(tables["locations"]))}  # fmt: skip
        lanes = {(r.from_location_code, r.to_location_code): r.transit_days
                 for r in db.execute(select(tables["lanes"]))}  # fmt: skip
        stock = {(r.sku, r.location_code): float(r.on_hand)
                 for r in db.execute(select(tables["inventory_positions"]))}  # fmt: skip
        terms = {(r.supplier_code, r.sku): (r.lead_time_days, float(r.unit_price))
                 for r in db.execute(select(tables["supply_terms"]))}  # fmt: skip
        tier = db.execute(select(tables["customers"].c.service_tier)).scalar_one()
        sale = db.execute(select(tables["sales_orders"])).one()
        sold = db.execute(select(tables["sales_order_lines"])).one()
        bought = db.execute(select(tables["purchase_order_lines"])).one()
    assert sites == {"DC1": ("dc", None), "BR1": ("branch", "DC1"), "BR2": ("branch", "DC1")}
    assert lanes == {("DC1", "BR1"): 2, ("DC1", "BR2"): 3}
    assert stock == {("A100", "DC1"): 420.0, ("B400", "DC1"): 95.0, ("A100", "BR1"): 64.0,
                     ("A100", "BR2"): 18.0}  # fmt: skip
    assert terms == {("SUP1", "A100"): (14, 6.2), ("SUP1", "B400"): (14, 5.9)}
    assert tier == "gold"  # the customer's party category
    assert (sale.location_code, sale.customer_code, sale.status) == ("BR2", "C001", "released")
    assert (sold.sku, float(sold.ordered_quantity)) == ("A100", 30.0)
    assert (bought.sku, float(bought.ordered_quantity)) == ("A100", 200.0)
    assert bought.promised_date == TODAY + timedelta(days=10)

    # nothing changed in Tryton: the next sync reads only the stock again
    again = cli_json(crossdock_url, "connect", "sync", "erp", "--as", "ops")
    assert again["import"]["totals"]["rows_quarantined"] == 0
    entities = set(again["import"]["entities"])
    assert "sales_orders" not in entities
    assert "inventory_positions" in entities


def test_approved_transfer_and_buy_become_exactly_one_draft_each(
    connected: Crossdock, crossdock_url: str, tryton: TrytonServer
):
    transfer, buy = _approved(connected, _transfer(), _buy())

    pushed = cli_json(crossdock_url, "connect", "push", "erp", "--as", "ops")
    assert sorted(pushed["push"]["written"]) == sorted([str(transfer), str(buy)])
    (shipment,) = _drafts(tryton, "stock.shipment.internal", transfer)
    (purchase,) = _drafts(tryton, "purchase.purchase", buy)
    assert (shipment["state"], purchase["state"]) == ("draft", "draft")
    (move,) = tryton.call("stock.move", "search_read", [["id", "in", shipment["moves"]]], 0,
                          None, None, ["product.code", "quantity", "from_location.name",
                                       "to_location.name"])  # fmt: skip
    assert (move["product."]["code"], move["quantity"]) == ("A100", 40.0)
    where = (move["from_location."]["name"], move["to_location."]["name"])
    assert where == ("Storage Zone", "BR2 storage")  # DC1's storage is Tryton's own
    assert purchase["party."]["code"] == "SUP1"
    (line,) = tryton.call("purchase.line", "search_read", [["id", "in", purchase["lines"]]], 0,
                          None, None, ["product.code", "quantity", "unit_price",
                                       "delivery_date"])  # fmt: skip
    assert (line["product."]["code"], line["quantity"]) == ("B400", 85.0)
    assert line["unit_price"] == Decimal("5.9000")  # 501.50 / 85
    assert line["delivery_date"] == TODAY + timedelta(days=14)
    row = _row(connected, buy)
    assert row["status"] == "executing"
    assert row["erp_document"] == f"erp:purchase.purchase,{purchase['id']}"
    trail = [e["event"] for e in connected.governance.ledger(recommendation_id=buy)]
    assert trail[-2:] == ["execute", "draft_written"]

    # a re-run writes nothing; nor does a retry after a crash that lost the document id
    assert cli_json(crossdock_url, "connect", "push", "erp", "--as", "ops")["push"]["written"] == {}
    with connected.engine.begin() as db:
        db.execute(update(recommendations).where(recommendations.c.id == buy)
                   .values(erp_document=None))  # fmt: skip
    redone = cli_json(crossdock_url, "connect", "push", "erp", "--as", "ops")
    assert redone["push"]["written"] == {str(buy): row["erp_document"]}
    assert len(_drafts(tryton, "purchase.purchase", buy)) == 1
    assert len(_drafts(tryton, "stock.shipment.internal", transfer)) == 1


def test_a_server_that_is_down_leaves_it_executing_with_the_error_then_one_draft(
    connected: Crossdock, tryton: TrytonServer
):
    (rec,) = _approved(connected, _transfer(quantity=12.0))
    connection = connected.connections.connection("erp")
    assert connection is not None
    tryton.stop()
    now = datetime.now(UTC)
    connector = connected.connector(connection)
    try:
        report = push(connector, governance=connected.governance,
                      drafts=connected.connections, now=now)  # fmt: skip
    finally:
        connector.close()
    assert list(report.unreachable) == [rec]
    row = _row(connected, rec)
    assert row["status"] == "executing"
    assert "did not answer" in row["erp_error"]
    assert row["erp_attempts"] == 1
    assert row["erp_document"] is None

    tryton.start()  # the server is back; the next try is due a minute later
    connector = connected.connector(connection)
    try:
        early = push(connector, governance=connected.governance, drafts=connected.connections,
                     now=now + timedelta(seconds=30))  # fmt: skip
        assert early.written == {}
        later = push(connector, governance=connected.governance, drafts=connected.connections,
                     now=now + timedelta(minutes=2))  # fmt: skip
    finally:
        connector.close()
    assert list(later.written) == [rec]
    row = _row(connected, rec)
    assert (row["status"], row["erp_error"], row["erp_attempts"]) == ("executing", None, 2)
    assert len(_drafts(tryton, "stock.shipment.internal", rec)) == 1
    events = [e["event"] for e in connected.governance.ledger(recommendation_id=rec)]
    assert events[-3:] == ["execute", "erp_unreachable", "draft_written"]


def test_a_refusal_fails_the_recommendation_with_trytons_own_message(
    connected: Crossdock, crossdock_url: str, tryton: TrytonServer
):
    (rec,) = _approved(connected, _buy(sku="C900"))  # Tryton does not buy C900: not purchasable
    pushed = cli_json(crossdock_url, "connect", "push", "erp", "--as", "ops")
    assert list(pushed["push"]["refused"]) == [str(rec)]
    row = _row(connected, rec)
    assert row["status"] == "failed"
    assert (
        "erp refused it: Tryton refused model.purchase.purchase.create: UserError"
        in (row["status_reason"])
    )
    assert "Product" in row["status_reason"]
    assert _drafts(tryton, "purchase.purchase", rec) == []


def test_the_session_expires_and_the_connector_logs_in_again(tryton: TrytonServer):
    session = JsonRpcSession(tryton.url, tryton.database, user="admin", password=PASSWORD)
    context = session.preferences()
    count = session.execute("stock.location", "search_count", [["type", "=", "warehouse"]],
                            context=context)  # fmt: skip
    assert (count, session.logins) == (3, 1)
    time.sleep(SESSION_SECONDS + 2)  # the server forgets the idle session
    count = session.execute("stock.location", "search_count", [["type", "=", "warehouse"]],
                            context=context)  # fmt: skip
    assert (count, session.logins) == (3, 2)
    session.close()


def test_what_trytons_users_do_with_the_drafts_moves_the_lifecycle(
    connected: Crossdock, tryton: TrytonServer
):
    transfer, buy = _approved(connected, _transfer(), _buy())
    connection = connected.connections.connection("erp")
    assert connection is not None
    connector = connected.connector(connection)
    try:
        push(connector, governance=connected.governance, drafts=connected.connections,
             now=datetime.now(UTC))  # fmt: skip
        waiting = read_back(connector, governance=connected.governance,
                            drafts=connected.connections, now=datetime.now(UTC))  # fmt: skip
        assert waiting.waiting == 2
        (purchase,) = _drafts(tryton, "purchase.purchase", buy)
        tryton.call("purchase.purchase", "quote", [purchase["id"]])
        tryton.call("purchase.purchase", "confirm", [purchase["id"]])
        (shipment,) = _drafts(tryton, "stock.shipment.internal", transfer)
        tryton.call("stock.shipment.internal", "cancel", [shipment["id"]])
        moved = read_back(connector, governance=connected.governance,
                          drafts=connected.connections, now=datetime.now(UTC))  # fmt: skip
    finally:
        connector.close()
    assert list(moved.committed) == [buy]
    assert list(moved.cancelled) == [transfer]
    assert _row(connected, buy)["status"] == "committed"
    assert _row(connected, transfer)["status"] == "cancelled"
    assert "cancelled in erp" in _row(connected, transfer)["status_reason"]


def test_in_process_through_proteus_reads_the_same_network(
    connected: Crossdock, crossdock_url: str, tryton: TrytonServer, monkeypatch: pytest.MonkeyPatch
):
    # Tryton's modules installed beside Crossdock: no server, proteus in this process
    for key, value in tryton.env().items():
        if key.startswith("TRYTOND_"):
            monkeypatch.setenv(key, value)
    cli_json(crossdock_url, "connect", "add", "local", "--kind", "tryton", "--as", "ops",
             "--set", "mode=proteus", "--set", f"database={tryton.database}")  # fmt: skip
    check = cli_json(crossdock_url, "connect", "test", "local")
    assert (check["warehouses"], check["products"]) == (3, 3)
    local = cli_json(crossdock_url, "connect", "sync", "local", "--as", "ops")["import"]
    remote = cli_json(crossdock_url, "connect", "sync", "erp", "--as", "ops")["import"]
    assert local["totals"]["rows_quarantined"] == 0
    assert local["totals"]["rows_accepted"] == remote["totals"]["rows_accepted"]
    assert set(local["entities"]) == set(remote["entities"])


def test_the_workers_connections_job_syncs_writes_and_reads_back(
    connected: Crossdock, crossdock_url: str, tryton: TrytonServer
):
    (rec,) = _approved(connected, _transfer(quantity=7.0))
    ran = cli_json(crossdock_url, "schedule", "run", "connections")
    assert ran["outcome"] == "succeeded"
    done = ran["summary"]["erp"]
    assert done["import_run_id"] is not None
    assert list(done["push"]["written"]) == [str(rec)]
    assert done["read_back"]["waiting"] == 1
    assert len(_drafts(tryton, "stock.shipment.internal", rec)) == 1
    listed = cli_json(crossdock_url, "connect", "list")["connections"]
    assert [(c["name"], c["last_status"]) for c in listed] == [("erp", "succeeded")]
