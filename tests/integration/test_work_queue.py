"""The work queue on real databases (SQLite and PostgreSQL): ranking and keyset pages,
filters, sites, bulk decisions through the real store; its API route; and the
workbench's pages over HTTP (sign-in cookie, CSRF, masking in the HTML)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import insert

from crossdock.adapters.db.tables import canonical_tables
from crossdock.bootstrap import Crossdock
from crossdock.entrypoints.api import create_app
from crossdock.entrypoints.api.routes import queue as queue_route
from crossdock.entrypoints.web import mount_workbench
from crossdock.governance.access import Principal, Role
from crossdock.service_layer.identity import add_person
from crossdock.service_layer.routing import route_plan
from crossdock.service_layer.work_queue import QueueFilters, QueueKey, bulk_decide, work_queue
from tests.integration.governance_fixtures import add_plan_run, add_recommendation

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
SECRET = "w" * 48
ORDER_VALUE = Decimal("93750.5328")  # a buy's order value: supplier cost
PLANNER = Principal(username="pat", kind="person", roles=frozenset({Role.PLANNER}))
BUYER = Principal(username="bea", kind="person", roles=frozenset({Role.BUYER}))


@dataclass
class Network:
    ids: dict[str, int]


def _money(value: str) -> dict[str, Decimal]:
    return {"do_nothing_cost": Decimal(value)}


@pytest.fixture
def network(crossdock: Crossdock) -> Network:
    """Eight recommendations of one plan, routed with no policy loaded (everything waits
    for a person); ties in money at risk on purpose."""
    plan = add_plan_run(crossdock.engine)
    engine = crossdock.engine
    orders = canonical_tables["purchase_orders"]
    with engine.begin() as connection:
        connection.execute(
            insert(orders).values(
                po_number="PO-7", supplier_code="SUP-9", location_code="DC01",
                order_date=date(2026, 11, 1), status="open",
            )
        )  # fmt: skip
    transfer = {"kind": "transfer", "from_code": "DC01", "order_value": None}
    ids = {
        "big_buy": add_recommendation(
            engine, plan, to_code="DC01", order_value=ORDER_VALUE, **_money("900.5")
        ),
        "transfer_br01": add_recommendation(engine, plan, **transfer, **_money("700")),
        "transfer_br02": add_recommendation(
            engine, plan, **transfer, to_code="BR02", **_money("700")
        ),
        "transfer_br03": add_recommendation(
            engine, plan, **transfer, to_code="BR03", **_money("700")
        ),
        "defer": add_recommendation(
            engine,
            plan,
            kind="defer",
            from_code="PO-7",
            po_number="PO-7",
            line_number=1,
            to_code="DC01",
            **_money("650.25"),
        ),
        "small_buy": add_recommendation(engine, plan, from_code="SUP-2", **_money("12.0001")),
        "gold_allocation": add_recommendation(
            engine,
            None,
            kind="allocate",
            from_code=None,
            agent="agent:allocation",
            drivers=json.dumps({"customer_tier": "gold"}),
            **_money("300"),
        ),
        "rebalance": add_recommendation(
            engine, plan, kind="rebalance", from_code="BR02", to_code="BR01", **_money("5")
        ),
    }
    route_plan(crossdock.governance, plan_run_id=plan, policy=None, now=NOW)
    return Network(ids=ids)


def _all_pages(crossdock: Crossdock, actor: Principal, size: int, **filters: str) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = work_queue(
            crossdock.work_queue_reads,
            actor=actor,
            filters=QueueFilters.of(**filters),
            cursor=cursor,
            limit=size,
        )
        seen += [item.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen


def test_the_queue_is_ranked_by_money_at_risk_then_newest_first(crossdock, network):
    ids = network.ids
    assert _all_pages(crossdock, PLANNER, 50) == [
        ids["big_buy"],
        ids["transfer_br03"],
        ids["transfer_br02"],
        ids["transfer_br01"],
        ids["defer"],
        ids["gold_allocation"],
        ids["small_buy"],
        ids["rebalance"],
    ]


@pytest.mark.parametrize("size", [1, 2, 3])
def test_pages_cut_through_ties_without_gaps_or_repeats(crossdock, network, size):
    assert _all_pages(crossdock, PLANNER, size) == _all_pages(crossdock, PLANNER, 50)


def test_a_decided_recommendation_leaves_the_queue(crossdock, network):
    ident = network.ids["transfer_br01"]
    outcome = bulk_decide(
        crossdock.governance,
        [ident],
        action="reject",
        actor=PLANNER,
        policy=None,
        now=NOW,
        reason="stock is on its way",
        reason_code="timing",
    )
    assert outcome.lines[0].to_status == "rejected"
    assert ident not in _all_pages(crossdock, PLANNER, 50)


def test_an_agents_proposal_not_yet_routed_waits_as_proposed(crossdock, network):
    assert _all_pages(crossdock, PLANNER, 50, status="proposed") == [network.ids["gold_allocation"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"site": "BR02"}, ["transfer_br02", "rebalance"]),
        ({"kind": "transfer"}, ["transfer_br03", "transfer_br02", "transfer_br01"]),
        ({"supplier": "SUP-9"}, ["defer"]),
        ({"supplier": "SUP-2"}, ["small_buy"]),
        ({"agent": "replenishment"}, ["big_buy", "transfer_br03", "transfer_br02",
                                      "transfer_br01", "defer", "small_buy", "rebalance"]),
        ({"agent": "allocation"}, ["gold_allocation"]),
        ({"status": "pending_approval", "site": "DC01"}, ["big_buy", "transfer_br03",
                                                          "transfer_br02", "transfer_br01",
                                                          "defer"]),
    ],
)  # fmt: skip
def test_filters_narrow_the_queue(crossdock, network, filters, expected):
    assert _all_pages(crossdock, PLANNER, 2, **filters) == [network.ids[n] for n in expected]


def test_customer_tier_and_agent_filters_find_an_agents_proposal(crossdock, network):
    reads = crossdock.work_queue_reads
    gold = reads.open_page(
        filters=QueueFilters(customer_tier="gold", status="proposed"),
        sites=None,
        after=None,
        limit=10,
    )
    assert [found.key.id for found in gold] == [network.ids["gold_allocation"]]
    by_agent = reads.open_page(
        filters=QueueFilters(agent="agent:allocation"), sites=None, after=None, limit=10
    )
    assert [found.key.id for found in by_agent] == [network.ids["gold_allocation"]]
    silver = reads.open_page(
        filters=QueueFilters(customer_tier="silver"), sites=None, after=None, limit=10
    )
    assert silver == []


def test_a_person_limited_to_sites_sees_only_what_those_sites_receive(crossdock, network):
    branch = Principal(
        username="sam", kind="person", roles=frozenset({Role.WAREHOUSE_SUPERVISOR}), sites={"BR02"}
    )
    assert _all_pages(crossdock, branch, 50) == [network.ids["transfer_br02"]]


def test_the_cursor_carries_the_money_exactly(crossdock, network):
    found = crossdock.work_queue_reads.open_page(
        filters=QueueFilters(), sites=None, after=None, limit=8
    )
    keys = [item.key for item in found]
    assert keys[0] == QueueKey(money_at_risk=keys[0].money_at_risk, id=network.ids["big_buy"])
    assert float(keys[0].money_at_risk) == 900.5
    assert float(keys[6].money_at_risk) == 12.0001


def test_rows_by_id_come_in_the_order_asked_in_any_status(crossdock, network):
    ids = network.ids
    bulk_decide(
        crossdock.governance, [ids["rebalance"]], action="approve", actor=PLANNER,
        policy=None, now=NOW,
    )  # fmt: skip
    found = crossdock.work_queue_reads.by_ids([ids["rebalance"], 999, ids["big_buy"]])
    assert [(item.key.id, item.row["status"]) for item in found] == [
        (ids["rebalance"], "approved"),
        (ids["big_buy"], "pending_approval"),
    ]
    assert found[0].approvals[0].approver == "pat"
    assert found[0].approvals[0].at.tzinfo is not None


def test_bulk_approval_on_the_store_approves_each_and_refuses_beyond_limits(crossdock, network):
    ids = network.ids
    second = {"tier": "approval_required", "rule": "mandatory[big-actions]", "reasons": [],
              "approver_roles": ["buyer"], "second_approver_roles": ["executive"],
              "policy_version": "p"}  # fmt: skip
    with crossdock.engine.begin() as connection:
        from crossdock.adapters.db.tables import recommendations  # noqa: PLC0415

        connection.execute(
            recommendations.update()
            .where(recommendations.c.id == ids["big_buy"])
            .values(routing=json.dumps(second))
        )
    before = crossdock.governance.head().seq
    outcome = bulk_decide(
        crossdock.governance,
        [ids["big_buy"], ids["small_buy"]],
        action="approve",
        actor=BUYER,
        policy=None,
        now=NOW,
    )
    assert [(line.recommendation_id, line.done) for line in outcome.lines] == [
        (ids["big_buy"], False),
        (ids["small_buy"], True),
    ]
    assert crossdock.governance.head().seq == before + 1
    assert crossdock.governance.recommendation(ids["big_buy"]).approvals == ()


def test_the_ledger_page_is_newest_first_with_the_order_value_it_records(crossdock, network):
    reads = crossdock.work_queue_reads
    newest = reads.ledger_page(recommendation_id=None, before_seq=None, limit=3)
    seqs = [row["seq"] for row in newest]
    assert seqs == sorted(seqs, reverse=True)
    older = reads.ledger_page(recommendation_id=None, before_seq=seqs[-1], limit=2)
    assert [row["seq"] for row in older] == [seqs[-1] - 1, seqs[-1] - 2]
    trail = reads.ledger_page(recommendation_id=network.ids["big_buy"], before_seq=None, limit=9)
    assert [row["event"] for row in trail] == ["request_approval", "created"]
    assert {row["recommendation_order_value"] for row in trail} == {float(ORDER_VALUE)}


# ---------------------------------------------------------------- the API and the pages


@pytest.fixture
def app(crossdock: Crossdock, network: Network) -> FastAPI:
    crossdock.settings = crossdock.settings.model_copy(
        update={"mode": "production", "secret_key": SecretStr(SECRET)}
    )
    for name, role in {"pat": "planner", "bea": "buyer", "aud": "auditor"}.items():
        add_person(crossdock.governance, username=name, roles=[role], password=PASSWORD, now=NOW)
    served = create_app(crossdock)
    if not any(getattr(route, "path", "") == "/api/v1/queue" for route in served.routes):
        served.include_router(queue_route.router, prefix="/api/v1")
    mount_workbench(served)
    mount_workbench(served)  # a second call changes nothing
    return served


def _bearer(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_the_queue_route_pages_and_filters_masked_for_the_caller(app, network):
    with TestClient(app) as client:
        planner = _bearer(client, "pat")
        first = client.get("/api/v1/queue", params={"limit": 2}, headers=planner).json()
        assert [item["id"] for item in first["items"]] == [
            network.ids["big_buy"],
            network.ids["transfer_br03"],
        ]
        assert first["items"][0]["order_value"] is None
        assert first["items"][1]["actions"] == ["approve", "reject", "modify"]
        second = client.get(
            "/api/v1/queue", params={"limit": 2, "cursor": first["next_cursor"]}, headers=planner
        ).json()
        assert second["items"][0]["id"] == network.ids["transfer_br02"]
        bad = client.get("/api/v1/queue", params={"kind": "teleport"}, headers=planner)
        assert bad.status_code in (400, 422)  # 422 once app.py maps InvalidQueueRequest
        assert bad.json()["field"] == "kind"


def test_the_bulk_route_reports_each_recommendation(app, network):
    ids = network.ids
    with TestClient(app) as client:
        body = {"ids": [ids["transfer_br01"], ids["big_buy"]], "action": "approve"}
        done = client.post("/api/v1/queue/decisions", json=body, headers=_bearer(client, "pat"))
        assert done.status_code == 200
        results = done.json()["results"]
        assert [(r["recommendation_id"], r["outcome"]) for r in results] == [
            (ids["transfer_br01"], "done"),
            (ids["big_buy"], "done"),
        ]
        assert client.post("/api/v1/queue/decisions", json=body).status_code == 401


def _sign_in(client: TestClient, username: str) -> str:
    answer = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/queue"
    page = client.get("/queue")
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_signing_in_sets_an_httponly_strict_cookie(app):
    with TestClient(app) as client:
        answer = client.post(
            "/login", data={"username": "pat", "password": PASSWORD}, follow_redirects=False
        )
        cookie = answer.headers["set-cookie"].lower()
        assert cookie.startswith("crossdock_session=")
        assert "httponly" in cookie
        assert "samesite=strict" in cookie


def test_a_wrong_password_shows_the_form_again_and_sets_no_cookie(app):
    with TestClient(app) as client:
        answer = client.post("/login", data={"username": "pat", "password": "nope"})
        assert answer.status_code == 401
        assert "wrong user name or password" in answer.text
        assert "set-cookie" not in answer.headers


def test_pages_send_strangers_to_sign_in_and_back(app):
    with TestClient(app) as client:
        answer = client.get("/queue?site=BR01", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=%2Fqueue%3Fsite%3DBR01"
        htmx = client.post("/recommendations/1/decide", headers={"HX-Request": "true"})
        assert htmx.status_code in (401, 403)


def test_sign_in_goes_back_only_to_a_page_of_this_site(app):
    with TestClient(app) as client:
        answer = client.post(
            "/login",
            data={"username": "pat", "password": PASSWORD, "next": "//evil.example/x"},
            follow_redirects=False,
        )
        assert answer.headers["location"] == "/queue"


def test_a_decision_without_the_sessions_csrf_token_changes_nothing(app, crossdock, network):
    ident = network.ids["transfer_br01"]
    with TestClient(app) as client:
        _sign_in(client, "pat")
        forged = client.post(
            f"/recommendations/{ident}/decide", data={"action": "approve", "csrf_token": "0" * 64}
        )
        assert forged.status_code == 403
        other_site = client.post(
            f"/recommendations/{ident}/decide",
            data={"action": "approve"},
            headers={"Origin": "http://evil.example"},
        )
        assert other_site.status_code == 403
    assert crossdock.governance.recommendation(ident).status.value == "pending_approval"


def test_a_row_decision_swaps_the_row_with_its_new_status(app, crossdock, network):
    ident = network.ids["transfer_br01"]
    with TestClient(app) as client:
        csrf = _sign_in(client, "pat")
        answer = client.post(
            f"/recommendations/{ident}/decide",
            data={"action": "approve", "view": "row", "version": "2", "csrf_token": csrf},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200
        assert answer.text.lstrip().startswith(f'<tr id="rec-{ident}"')
        assert 'data-status="approved"' in answer.text
        assert "approve: pending_approval → approved" in answer.text
        refused = client.post(
            f"/recommendations/{network.ids['transfer_br02']}/decide",
            data={"action": "reject", "view": "row", "csrf_token": csrf},
            headers={"HX-Request": "true"},
        )
        assert "reason=None: a reason is required to reject" in refused.text
    assert crossdock.governance.recommendation(ident).status.value == "approved"
    assert crossdock.governance.recommendation(network.ids["transfer_br02"]).version == 2


def test_a_row_is_modified_in_place_with_its_new_quantity_and_date(app, crossdock, network):
    ident = network.ids["transfer_br03"]
    with TestClient(app) as client:
        csrf = _sign_in(client, "pat")
        queue = client.get("/queue").text
        row = queue.split(f'<tr id="rec-{ident}"', 1)[1].split("</tr>", 1)[0]
        assert 'name="action" value="modify"' in row  # the row offers it
        answer = client.post(
            f"/recommendations/{ident}/decide",
            data={"action": "modify", "view": "row", "csrf_token": csrf, "quantity": "25",
                  "arrival_date": "2026-12-03", "reason": "truck is full",
                  "reason_code": "timing"},
            headers={"HX-Request": "true"},
        )  # fmt: skip
        assert answer.status_code == 200
        assert answer.text.lstrip().startswith(f'<tr id="rec-{ident}"')
        assert "modify: pending_approval → " in answer.text
    state = crossdock.governance.recommendation(ident)
    assert (state.approved_quantity, state.approved_arrival_date) == (25.0, date(2026, 12, 3))


def test_a_planner_sees_no_supplier_cost_anywhere_in_the_html(app, network):
    ident = network.ids["big_buy"]
    with TestClient(app) as client:
        _sign_in(client, "pat")
        pages = [client.get("/queue").text, client.get(f"/recommendations/{ident}").text]
        _sign_in(client, "bea")
        buyer_page = client.get(f"/recommendations/{ident}").text
    for html in pages:
        assert "masked" in html
        for figure in ("93,750.53", "93750.53", "1,200.00", "1200.00"):
            assert figure not in html
    assert "93,750.53" in buyer_page


def test_a_role_that_may_not_decide_gets_no_buttons_and_an_auditor_reads_the_ledger(app, network):
    with TestClient(app) as client:
        _sign_in(client, "aud")
        queue_page = client.get("/queue").text
        audit_page = client.get(f"/audit?recommendation_id={network.ids['big_buy']}")
        _sign_in(client, "pat")
        refused = client.get("/audit")
    assert "Approve selected" not in queue_page
    assert 'value="approve"' not in queue_page
    assert 'name="ids"' not in queue_page
    assert 'value="reject"' not in queue_page
    assert audit_page.status_code == 200
    assert 'data-event="request_approval"' in audit_page.text
    assert refused.status_code == 403


def test_static_assets_are_served_locally(app):
    with TestClient(app) as client:
        login = client.get("/login").text
        htmx = client.get("/static/htmx.min.js")
    assert re.findall(r'(?:src|href)="([^"]+)"', login) == [
        "/static/workbench.css",
        "/static/htmx.min.js",
        "/static/workbench.js",
    ]
    assert htmx.status_code == 200
    assert "htmx" in htmx.text[:200]


def test_approve_selected_lists_what_was_done_and_what_was_refused(app, network):
    ids = network.ids
    with TestClient(app) as client:
        csrf = _sign_in(client, "pat")
        nothing = client.post("/queue/bulk", data={"csrf_token": csrf})
        answer = client.post(
            "/queue/bulk",
            data={
                "csrf_token": csrf,
                "ids": [str(ids["transfer_br01"]), str(ids["defer"])],
                "kind": "transfer",
            },
        )
    assert "select the recommendations to approve first" in nothing.text
    assert answer.status_code == 200
    assert "approve: 1 done, 1 refused" in answer.text
    assert f'data-id="{ids["transfer_br01"]}" data-outcome="done"' in answer.text
    assert f'data-id="{ids["defer"]}" data-outcome="refused"' in answer.text
    assert 'name="kind" value="transfer"' in answer.text  # the filters are kept


def test_an_htmx_post_without_a_session_is_sent_to_sign_in(app, network):
    with TestClient(app) as client:
        answer = client.post(
            f"/recommendations/{network.ids['transfer_br01']}/decide",
            data={"action": "approve", "view": "row"},
            headers={"HX-Request": "true"},
        )
    assert answer.status_code == 403
    assert answer.headers["HX-Redirect"] == "/login"
