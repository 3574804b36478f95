"""Governance on the command line: the first admin, masking in every output path
(list, show, audit export as CSV and JSON lines), and the policy commands."""

from __future__ import annotations

import csv
import json
import subprocess

import pytest

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.identity import add_person
from crossdock.service_layer.routing import route_plan
from tests.conftest import REPO_ROOT
from tests.helpers import CROSSDOCK, cli_json, run_cli
from tests.integration.governance_fixtures import AT, add_plan_run, add_recommendation

PASSWORD = "correct horse battery"
POLICIES = REPO_ROOT / "examples" / "policies"


def _add_user(database_url: str, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(CROSSDOCK), "users", "add", *args, "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env={"CROSSDOCK_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == expect, done.stderr
    return done


@pytest.fixture
def governed(database_url: str) -> tuple[str, int]:
    run_cli(database_url, "init")
    wired = bootstrap(Settings(database_url=database_url))
    plan_run = add_plan_run(wired.engine)
    rec = add_recommendation(wired.engine, plan_run)
    route_plan(wired.governance, plan_run_id=plan_run, policy=None, now=AT)
    for name, role in {"pat": "planner", "bea": "buyer", "aud": "auditor"}.items():
        add_person(wired.governance, username=name, roles=[role], password=PASSWORD, now=AT)
    wired.engine.dispose()
    return database_url, rec


def test_the_first_user_must_be_an_admin_and_later_ones_need_a_user_manager(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    run_cli(url, "init")
    refused = _add_user(url, "bob", "--role", "buyer", expect=1)
    assert "the first user must hold the admin role" in refused.stderr
    _add_user(url, "ana", "--role", "admin")
    refused = _add_user(url, "bob", "--role", "buyer", expect=1)
    assert "name yourself with --as" in refused.stderr
    _add_user(url, "bob", "--role", "buyer", "--as", "ana")
    users = cli_json(url, "users", "list", "--as", "ana")["users"]
    assert [u["username"] for u in users] == ["ana", "bob"]
    assert all("password_hash" not in u for u in users)
    run_cli(url, "users", "list", "--as", "bob", expect=1)  # buyers do not manage users


def test_supplier_cost_never_leaves_for_a_planner_in_any_output(governed, tmp_path):
    url, rec = governed
    listed = cli_json(url, "recommendations", "list", "--as", "pat")["recommendations"]
    shown = cli_json(url, "recommendations", "show", str(rec), "--as", "pat")
    table = run_cli(url, "recommendations", "show", str(rec), "--as", "pat").stdout
    for row in (listed[0], shown):
        assert row["order_value"] is None
        assert row["purchase_cost"] is None
        assert row["drivers"]["supplier"]["unit_price"] is None
    assert "1,200" not in table
    assert "1200" not in json.dumps(shown)
    buyer = cli_json(url, "recommendations", "show", str(rec), "--as", "bea")
    assert buyer["order_value"] == 1200.0

    # planners may not export the audit at all; auditors and finance may, unmasked
    run_cli(url, "audit", "export", "--as", "pat", "--out", str(tmp_path / "x.csv"), expect=1)
    wired = bootstrap(Settings(database_url=url))
    add_person(wired.governance, username="fin", roles=["finance"], password=PASSWORD, now=AT)
    add_person(wired.governance, username="cs", roles=["customer_service"], password=PASSWORD,
               now=AT)  # fmt: skip
    wired.engine.dispose()
    jsonl, table_csv = tmp_path / "audit.jsonl", tmp_path / "audit.csv"
    run_cli(url, "audit", "export", "--as", "aud", "--out", str(jsonl))
    entries = [json.loads(line) for line in jsonl.read_text().splitlines()]
    created = next(e for e in entries if e["event"] == "created")
    assert created["detail"]["order_value"] == 1200.0  # the auditor sees everything
    assert "masked_fields" not in created
    run_cli(url, "audit", "export", "--as", "fin", "--format", "csv", "--out", str(table_csv))
    rows = list(csv.DictReader(table_csv.open()))
    assert json.loads(rows[0]["detail"])["order_value"] == 1200.0
    wired = bootstrap(Settings(database_url=url))
    add_person(wired.governance, username="adm", roles=["admin"], password=PASSWORD, now=AT)
    wired.engine.dispose()
    admin_view = cli_json(url, "recommendations", "show", str(rec), "--as", "adm")
    trail_created = next(e for e in admin_view["audit_trail"] if e["event"] == "created")
    assert trail_created["detail"]["order_value"] is None  # the trail is masked too
    assert "detail.order_value" in trail_created["masked_fields"]
    cs_view = cli_json(url, "recommendations", "show", str(rec), "--as", "cs")
    assert cs_view["order_value"] is None
    assert cs_view["audit_trail"] is None  # customer service does not read the audit


def test_policy_load_and_explain(governed):
    url, rec = governed
    run_cli(url, "policy", "load", str(POLICIES / "enterprise.yaml"), "--as", "aud", expect=1)
    admin_added = bootstrap(Settings(database_url=url))
    add_person(admin_added.governance, username="root", roles=["admin"], password=PASSWORD, now=AT)
    admin_added.engine.dispose()
    loaded = cli_json(url, "policy", "load", str(POLICIES / "enterprise.yaml"), "--as", "root")
    assert loaded["version"].startswith("acme-distribution@3#")
    explained = cli_json(url, "policy", "explain", str(rec), "--as", "pat")
    assert explained["policy_version"] == "none"  # routed before the policy was loaded
    assert explained["active_policy_version"] == loaded["version"]
    assert explained["rule"] == "no approval policy loaded"
    bad = POLICIES.parent / "does-not-exist.yaml"
    failed = run_cli(url, "policy", "load", str(bad), "--as", "root", expect=1)
    assert "does-not-exist.yaml" in failed.stderr
