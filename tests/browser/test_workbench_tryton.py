"""The workbench against a real Tryton: a Crossdock whose network was synced out of a
running trytond (`crossdock connect add` and `connect sync`, as a user would), a
transfer between two Tryton warehouses waiting for the planner, approved with a reason
in Chromium and found in /audit; then `crossdock connect push` writes it into Tryton as
exactly one draft internal shipment, checked through Tryton's own JSON-RPC, and the
recommendation page names that draft.

`crossdock plan` cannot propose the transfer here: Tryton holds no demand history for it
to forecast from, so the recommendation is written through the service layer as the
connector's integration tests do, and routed by the demo approval policy."""

# ruff: noqa: F811 - the Tryton fixture is imported, then named as a parameter

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from crossdock.adapters.db.tables import recommendations
from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.demo_governance import seed_demo_governance
from crossdock.service_layer.routing import route_plan
from tests.browser.conftest import screenshot, sign_in
from tests.helpers import http_status, run_crossdock, serving
from tests.integration import tryton_fixtures
from tests.integration.governance_fixtures import add_plan_run, add_recommendation
from tests.integration.tryton_fixtures import (  # noqa: F401 - fixture
    PASSWORD,
    TrytonServer,
    tryton_sqlite_template,
)

pytestmark = pytest.mark.slow
SECRET = "TRYTON_WORKBENCH_PASSWORD"
TODAY = datetime.now(UTC).date()  # Tryton's today too: this machine runs on UTC
REASON = "BR2 ships the gold customer's 30 bolts this week and holds 18"


@dataclass(frozen=True)
class TrytonWorkbench:
    base: str
    database_url: str
    env: dict[str, str]
    transfer: int  # the recommendation waiting for the planner


def _crossdock(env: dict[str, str], *args: str) -> str:
    done = run_crossdock(*args, env=env, timeout=300)
    assert done.returncode == 0, f"crossdock {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def erp(
    tryton_sqlite_template: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TrytonServer]:
    """A trytond serving a fresh copy of the prepared SQLite network, its sessions kept
    for an hour: the connector tests' 5-second sessions can expire again between a
    re-login and the call it repeats on a loaded machine, which is not tested here."""
    template, network = tryton_sqlite_template
    folder = tmp_path_factory.mktemp("tryton")
    shutil.copy(template, folder / "erp.sqlite")
    server = TrytonServer("sqlite", "erp", folder, "sqlite://", network=network)
    with pytest.MonkeyPatch.context() as patch:  # read once, into trytond.conf
        patch.setattr(tryton_fixtures, "SESSION_SECONDS", 3600)
        server.start()
    try:
        yield server
    finally:
        server.stop()


def _transfer_waiting_for_approval(database_url: str) -> int:
    """The demo logins and approval policy (what `crossdock demo` seeds, without its
    network), then 40 A100 from DC1 to BR2 in a plan run of its own, routed by that
    policy: its confidence (0.7) is below the 0.8 a transfer needs to run on its own."""
    crossdock = bootstrap(Settings(database_url=database_url, mode="demo"))
    try:
        seed_demo_governance(crossdock.governance, now=datetime.now(UTC), demo_mode=True)
        run = add_plan_run(crossdock.engine, as_of=TODAY)
        transfer = add_recommendation(
            crossdock.engine, run, kind="transfer", sku="A100", from_code="DC1", to_code="BR2",
            quantity=40.0, order_value=None, purchase_cost=Decimal(0), scope="A100@BR2",
            expected_arrival_date=TODAY + timedelta(days=3), confidence=0.7,
            action_cost=Decimal("64.00"), transport_cost=Decimal("64.00"),
            shortage_cost=Decimal(0), expected_cost=Decimal("64.00"),
            do_nothing_cost=Decimal("345.00"), savings=Decimal("281.00"),
            marginal_savings=Decimal("281.00"),
            drivers=json.dumps({"stock": {"without": 18.0, "with": 58.0, "demand": 30.0}}),
            alternatives=json.dumps([
                {"alternative": "none", "quantity": 0, "shortage": 345.0, "total": 345.0,
                 "savings": 0.0},
                {"alternative": "transfer DC1 → BR2", "quantity": 40, "transport": 64.0,
                 "total": 64.0, "savings": 281.0, "chosen": True},
            ]),
        )  # fmt: skip
        route_plan(crossdock.governance, plan_run_id=run, policy=crossdock.approval_policy(),
                   now=datetime.now(UTC))  # fmt: skip
        with crossdock.engine.connect() as db:
            status = db.execute(
                select(recommendations.c.status).where(recommendations.c.id == transfer)
            ).scalar_one()
    finally:
        crossdock.engine.dispose()
    assert status == "pending_approval"
    return transfer


@pytest.fixture(scope="module")
def tryton_workbench(
    erp: TrytonServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TrytonWorkbench]:
    """`crossdock serve --no-worker` on a fresh SQLite store whose network came from
    Tryton, with demo logins and one transfer waiting for the planner."""
    folder = tmp_path_factory.mktemp("tryton-workbench")
    database_url = f"sqlite:///{folder / 'crossdock.db'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_DATABASE_URL=database_url, CROSSDOCK_MODE="demo", COLUMNS="200")
    env[SECRET] = PASSWORD
    _crossdock(env, "init")
    transfer = _transfer_waiting_for_approval(database_url)
    _crossdock(env, "connect", "add", "erp", "--kind", "tryton", "--as", "admin",
               "--set", f"url={erp.url}", "--set", f"database={erp.database}",
               "--set", "user=admin", "--set", f"password_env={SECRET}")  # fmt: skip
    synced = json.loads(_crossdock(env, "connect", "sync", "erp", "--as", "admin", "--json"))
    assert synced["import"]["totals"]["rows_quarantined"] == 0
    assert {"locations", "items", "inventory_positions"} <= set(synced["import"]["entities"])

    # no worker: nothing pushes to Tryton but the test's command
    with serving(["serve", "--no-worker"], env=env, log=folder / "serve.log") as base:
        assert http_status(f"{base}/login") == 200
        yield TrytonWorkbench(base=base, database_url=database_url, env=env, transfer=transfer)


@pytest.fixture
def tryton_page(chromium, tryton_workbench: TrytonWorkbench):  # type: ignore[no-untyped-def]
    context = chromium.new_context(
        base_url=tryton_workbench.base, viewport={"width": 1440, "height": 900}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def _shipments(erp: TrytonServer, rec: int) -> list[dict[str, Any]]:
    return list(erp.call("stock.shipment.internal", "search_read",
                         [["reference", "=", f"crossdock:R-{rec}"]], 0, None, None,
                         ["state", "from_location", "to_location", "moves"]))  # fmt: skip


def _storage_zones(erp: TrytonServer) -> dict[str, int]:
    """Each Tryton warehouse's storage location, by the warehouse's code."""
    found = erp.call("stock.location", "search_read", [["type", "=", "warehouse"]], 0, None,
                     None, ["code", "storage_location"])  # fmt: skip
    return {w["code"]: w["storage_location"] for w in found}


def _approve_in_the_browser(page: Page, rec: int) -> None:
    sign_in(page, "planner")
    page.goto("/queue?kind=transfer")
    row = page.locator(f"#rec-{rec}")
    expect(row).to_have_attribute("data-status", "pending_approval")
    expect(row).to_contain_text("DC1 → BR2")
    row.locator(f'a[href="/recommendations/{rec}"]').click()
    page.wait_for_url(f"**/recommendations/{rec}")
    decide = page.locator(".panel.decide")
    decide.get_by_label("reason to approve").fill(REASON)
    decide.locator("button.approve").click()
    expect(page.get_by_role("status")).to_have_text("approve: pending_approval → approved")
    expect(page.get_by_test_id("status")).to_have_text(re.compile("approved", re.IGNORECASE))

    page.click("text=Sign out")
    sign_in(page, "auditor")
    page.goto("/audit")
    entry = page.locator(f'#audit tr[data-event="approve"][data-recommendation="{rec}"]')
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("planner")
    expect(entry).to_contain_text("pending_approval → approved")
    expect(entry).to_contain_text(REASON)
    screenshot(page, "tryton-approved")


def test_a_transfer_approved_in_the_workbench_becomes_one_draft_shipment_in_tryton(
    tryton_page: Page, tryton_workbench: TrytonWorkbench, erp: TrytonServer
) -> None:
    rec = tryton_workbench.transfer
    assert _shipments(erp, rec) == []  # approval alone writes nothing to Tryton
    _approve_in_the_browser(tryton_page, rec)
    assert _shipments(erp, rec) == []

    pushed = json.loads(
        _crossdock(tryton_workbench.env, "connect", "push", "erp", "--as", "admin", "--json")
    )
    (shipment,) = _shipments(erp, rec)
    document = f"erp:stock.shipment.internal,{shipment['id']}"
    assert pushed["push"]["written"] == {str(rec): document}
    assert shipment["state"] == "draft"
    zones = _storage_zones(erp)
    where = (shipment["from_location"], shipment["to_location"])
    assert where == (zones["DC1"], zones["BR2"])
    fields = ["product.code", "quantity", "from_location", "to_location"]
    (move,) = erp.call(
        "stock.move", "search_read", [["id", "in", shipment["moves"]]], 0, None, None, fields
    )
    assert (move["product."]["code"], move["quantity"]) == ("A100", 40.0)
    assert (move["from_location"], move["to_location"]) == where

    page = tryton_page  # still signed in as the auditor: reload the recommendation
    page.goto(f"/recommendations/{rec}")
    expect(page.get_by_test_id("status")).to_have_text(re.compile("executing", re.IGNORECASE))
    expect(page.get_by_test_id("erp-document")).to_contain_text(document)
    trail = page.locator("#trail tbody tr td:nth-child(4)").all_inner_texts()
    assert trail[-3:] == ["approve", "execute", "draft_written"]
    screenshot(page, "tryton-draft")
