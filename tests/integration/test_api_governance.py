"""The REST API on real databases: people sign in with the OAuth2 password flow and get
a signed token, machines use hashed API tokens; decisions go through the handler;
supplier cost never reaches a role that may not see it; errors are problem details."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.entrypoints.api import create_app
from crossdock.governance.credentials import WeakSecret
from crossdock.governance.policy.loading import demo_policy_text, load_policy
from crossdock.service_layer.identity import add_agent, add_person, issue_api_token
from crossdock.service_layer.routing import route_plan
from tests.integration.governance_fixtures import add_plan_run, add_recommendation

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
SECRET = "k" * 48  # a test signing secret, long enough for production mode


@pytest.fixture
def api(database_url: str) -> Iterator[tuple[TestClient, int]]:
    wired = bootstrap(Settings(database_url=database_url, mode="production", secret_key=SECRET))
    wired.migrate()
    for name, roles in {"bea": ["buyer"], "pat": ["planner"], "aud": ["auditor"]}.items():
        add_person(wired.governance, username=name, roles=roles, password=PASSWORD, now=NOW)
    plan_run = add_plan_run(wired.engine)
    rec = add_recommendation(wired.engine, plan_run)
    route_plan(wired.governance, plan_run_id=plan_run, policy=None, now=NOW)
    with TestClient(create_app(wired)) as client:
        yield client, rec
    wired.engine.dispose()


def _sign_in(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_password_flow_gives_a_token_that_names_the_person(api):
    client, _ = api
    me = client.get("/api/v1/auth/me", headers=_sign_in(client, "bea")).json()
    assert me == {"username": "bea", "kind": "person", "roles": ["buyer"], "sites": None}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer cdk_unknown"},
    ],
)
def test_no_or_bad_credentials_get_401(api, headers):
    client, _ = api
    assert client.get("/api/v1/recommendations", headers=headers).status_code == 401


def test_a_wrong_password_is_refused_without_saying_which_part(api):
    client, _ = api
    response = client.post("/api/v1/auth/token", data={"username": "bea", "password": "nope"})
    assert response.status_code == 401
    assert "wrong user name or password" in response.text


def test_a_planner_never_sees_supplier_cost_in_the_api(api):
    client, rec = api
    planner = _sign_in(client, "pat")
    listed = client.get("/api/v1/recommendations", headers=planner).json()["items"]
    detail = client.get(f"/api/v1/recommendations/{rec}", headers=planner).json()
    for row in (*listed, detail):
        assert row["order_value"] is None
        assert row["purchase_cost"] is None
        assert row["drivers"]["supplier"]["unit_price"] is None
        assert "order_value" in row["masked_fields"]
    buyer = client.get(f"/api/v1/recommendations/{rec}", headers=_sign_in(client, "bea")).json()
    assert buyer["order_value"] == 1200.0
    assert "1200" not in str(detail)  # not anywhere on the page, trail included


def test_decisions_through_the_api_with_one_winner_and_problem_details(api):
    client, rec = api
    bea, aud = _sign_in(client, "bea"), _sign_in(client, "aud")
    denied = client.post(
        f"/api/v1/recommendations/{rec}/decisions", json={"action": "approve"}, headers=aud
    )
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
    assert "aud" in denied.json()["detail"]
    reject = client.post(
        f"/api/v1/recommendations/{rec}/decisions",
        json={"action": "reject", "reason": "too early"},
        headers=bea,
    )
    assert reject.status_code == 422
    assert reject.json()["field"] == "reason_code"
    approved = client.post(
        f"/api/v1/recommendations/{rec}/decisions",
        json={"action": "approve", "version": 2},
        headers=bea,
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["to_status"] == "approved"
    stale = client.post(
        f"/api/v1/recommendations/{rec}/decisions",
        json={"action": "cancel", "version": 2, "reason": "x"},
        headers=bea,
    )
    assert stale.status_code == 409
    verify = client.get("/api/v1/audit/verify", headers=aud).json()
    assert verify["ok"] is True
    trail = client.get(f"/api/v1/audit/recommendations/{rec}", headers=aud).json()["items"]
    assert [entry["event"] for entry in trail] == ["created", "request_approval", "approve"]


def test_a_machine_token_acts_as_its_agent_account(api):
    client, _ = api
    wired = client.app.state.crossdock
    add_agent(
        wired.governance,
        username="agent:balancing",
        actions=["view_recommendations", "propose"],
        data=["inventory"],
        now=NOW,
    )
    token = issue_api_token(wired.governance, username="agent:balancing", name="ci", now=NOW)
    assert token.startswith("cdk_")
    headers = {"Authorization": f"Bearer {token}"}
    rows = client.get("/api/v1/recommendations", headers=headers).json()["items"]
    assert rows
    assert rows[0]["order_value"] is None  # the agent may not read supplier cost
    assert client.get("/api/v1/audit/verify", headers=headers).status_code == 403


def test_the_api_refuses_to_start_without_a_secret_outside_demo(database_url):
    wired = bootstrap(Settings(database_url=database_url, mode="production", secret_key=None))
    with pytest.raises(WeakSecret):
        create_app(wired)
    wired.engine.dispose()


def test_routing_texts_never_quote_the_order_value_to_a_planner(database_url: str):
    """The demo policy's reasons read "value 12,000.00 is above ...": the API's detail,
    list, routing explanation and audit say "value masked" to a planner or an admin."""
    wired = bootstrap(Settings(database_url=database_url, mode="production", secret_key=SECRET))
    wired.migrate()
    people = {"bea": ["buyer"], "pat": ["planner"], "aud": ["auditor"], "adm": ["admin"]}
    for name, roles in people.items():
        add_person(wired.governance, username=name, roles=roles, password=PASSWORD, now=NOW)
    plan_run = add_plan_run(wired.engine)
    rec = add_recommendation(
        wired.engine,
        plan_run,
        kind="expedite",
        po_number="PO-1",
        line_number=1,
        order_value=Decimal("12000.00"),
        purchase_cost=Decimal("12000.00"),
    )
    policy = load_policy(demo_policy_text())
    route_plan(wired.governance, plan_run_id=plan_run, policy=policy, now=NOW)
    with TestClient(create_app(wired)) as client:
        planner, auditor = _sign_in(client, "pat"), _sign_in(client, "aud")
        admin = _sign_in(client, "adm")  # reads the ledger, sees no money
        urls = (
            (f"/api/v1/recommendations/{rec}", planner),
            (f"/api/v1/recommendations/{rec}/routing", planner),
            ("/api/v1/recommendations", planner),
            ("/api/v1/audit", admin),
            (f"/api/v1/recommendations/{rec}", admin),  # with its audit trail
        )
        for url, reader in urls:
            seen = client.get(url, headers=auditor)
            hidden = client.get(url, headers=reader)
            assert seen.status_code == hidden.status_code == 200, (url, hidden.text)
            if not url.endswith("/routing"):  # its re-check stops before the value
                assert "12,000.00" in seen.text, url
            assert "12,000" not in hidden.text, url
            assert "12000" not in hidden.text, url
        detail = client.get(f"/api/v1/recommendations/{rec}", headers=planner).json()
        assert "value masked is above" in detail["status_reason"]
    wired.engine.dispose()
