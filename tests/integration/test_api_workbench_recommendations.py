"""GET /recommendations on real databases: keyset pages that show every row once even
when rows arrive between pages, every filter, problem details that name the field, and
supplier cost masked for a planner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.integration.governance_fixtures import add_plan_run, add_recommendation
from tests.integration.workbench_fixtures import Workbench, open_workbench


def _drivers(tier: str | None = None) -> str:
    drivers: dict[str, object] = {"supplier": {"unit_price": 30.0}}
    if tier is not None:
        drivers["customer_tier"] = tier
    return json.dumps(drivers)


@pytest.fixture
def bench(database_url: str) -> Iterator[tuple[Workbench, dict[str, int]]]:
    with open_workbench(database_url, people=("pat", "bea", "nora")) as bench:
        engine = bench.wired.engine
        old = add_plan_run(engine)
        new = add_plan_run(engine)
        ids = {
            "old_buy": add_recommendation(engine, old, savings=Decimal("900.00")),
            "buy_br01": add_recommendation(engine, new, savings=Decimal("500.00")),
            "buy_br02": add_recommendation(
                engine, new, from_code="SUP-02", to_code="BR02", savings=Decimal("400.00")
            ),
            "expedite": add_recommendation(engine, new, kind="expedite", savings=Decimal("400.00")),
            "transfer": add_recommendation(
                engine, new, kind="transfer", from_code="BR02", to_code="BR01",
                savings=Decimal("300.00"),
            ),
            "allocate_a": add_recommendation(
                engine, None, kind="allocate", from_code="BR02", to_code="BR02",
                agent="agent:allocation", drivers=_drivers("A"), savings=Decimal("250.25"),
            ),
            "exception_b": add_recommendation(
                engine, None, kind="order_exception", from_code=None,
                agent="agent:order_exception", drivers=_drivers("B"), savings=Decimal("100.00"),
            ),
        }  # fmt: skip
        yield bench, ids


def _ids(body: dict, ids: dict[str, int]) -> list[str]:
    names = {v: k for k, v in ids.items()}
    return [names.get(row["id"], f"new {row['id']}") for row in body["items"]]


def test_lists_the_newest_plan_and_agents_most_savings_first(bench):
    bench, ids = bench
    body = bench.get("/recommendations", "bea")
    # 500, then the two 400s by id (buy_br02 was stored first), 300, 250.25, 100;
    # the old plan's 900 is not shown by default
    assert _ids(body, ids) == [
        "buy_br01", "buy_br02", "expedite", "transfer", "allocate_a", "exception_b",
    ]  # fmt: skip
    assert body["count"] == 6
    assert body["next_cursor"] is None


def test_pages_show_every_row_once_when_rows_arrive_between_pages(bench):
    bench, ids = bench
    first = bench.get("/recommendations", "bea", limit=2)
    assert _ids(first, ids) == ["buy_br01", "buy_br02"]
    assert first["count"] == 2
    # two arrive: one that sorts onto the page already read, one onto the last page
    engine = bench.wired.engine
    newest = max(ids.values())
    plan = add_plan_run_of(bench, ids["buy_br01"])
    ahead = add_recommendation(engine, plan, savings=Decimal("450.00"))
    behind = add_recommendation(engine, plan, savings=Decimal("50.00"))
    assert ahead > newest
    seen = [row["id"] for row in first["items"]]
    cursor = first["next_cursor"]
    pages = 1
    while cursor is not None:
        page = bench.get("/recommendations", "bea", limit=2, cursor=cursor)
        seen += [row["id"] for row in page["items"]]
        cursor = page["next_cursor"]
        pages += 1
    assert len(seen) == len(set(seen))  # no row twice
    original = {v for k, v in ids.items() if k != "old_buy"}
    assert original <= set(seen)  # none missed
    assert behind in seen  # sorted after the cursor: shown
    assert ahead not in seen  # sorted before it: not pushed onto a later page
    assert pages == 4  # 2 + 2 + 2 + 1 (the 50.00 one)


def add_plan_run_of(bench: Workbench, rec_id: int) -> int:
    """The plan run a recommendation belongs to (the newest, for new rows)."""
    state = bench.wired.governance.recommendation(rec_id)
    assert state is not None
    assert state.plan_run_id is not None
    return state.plan_run_id


def test_offset_skips_rows(bench):
    bench, ids = bench
    body = bench.get("/recommendations", "bea", limit=2, offset=2)
    assert _ids(body, ids) == ["expedite", "transfer"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "expedite"}, ["expedite"]),
        ({"site": "BR02"}, ["buy_br02", "transfer", "allocate_a"]),  # either end
        ({"supplier": "SUP-01"}, ["buy_br01", "expedite"]),  # buys and expedites only
        ({"agent": "allocation"}, ["allocate_a"]),
        ({"agent": "agent:order_exception"}, ["exception_b"]),
        ({"customer_tier": "A"}, ["allocate_a"]),
        ({"status": "proposed", "kind": "transfer"}, ["transfer"]),
        ({"status": "approved"}, []),
    ],
)
def test_filters(bench, params, expected):
    bench, ids = bench
    assert _ids(bench.get("/recommendations", "bea", **params), ids) == expected


def test_a_plan_run_names_its_own_rows(bench):
    bench, ids = bench
    old = add_plan_run_of(bench, ids["old_buy"])
    assert _ids(bench.get("/recommendations", "bea", plan_run_id=old), ids) == ["old_buy"]


def test_a_person_limited_to_sites_gets_full_pages_of_their_sites(bench):
    bench, ids = bench
    body = bench.get("/recommendations", "nora", limit=3)
    # BR01 only: 500, 400 (expedite), 300 (transfer), then 100 on the next page
    assert _ids(body, ids) == ["buy_br01", "expedite", "transfer"]
    rest = bench.get("/recommendations", "nora", limit=3, cursor=body["next_cursor"])
    assert _ids(rest, ids) == ["exception_b"]
    assert rest["next_cursor"] is None


def test_a_planner_sees_supplier_cost_masked_a_buyer_does_not(bench):
    bench, _ = bench
    planner = bench.get("/recommendations", "pat")["items"]
    buyer = bench.get("/recommendations", "bea")["items"]
    assert {row["order_value"] for row in planner} == {None}
    assert all("order_value" in row["masked_fields"] for row in planner)
    assert all(row["drivers"]["supplier"]["unit_price"] is None for row in planner)
    assert {row["order_value"] for row in buyer} == {1200.0}
    assert all("order_value" not in row.get("masked_fields", []) for row in buyer)


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("limit=501", "query.limit", "501"),
        ("limit=lots", "query.limit", "lots"),
        ("offset=-1", "query.offset", "-1"),
        ("plan_run_id=x", "query.plan_run_id", "x"),
        ("status=shipped", "query.status", "shipped"),
        ("kind=teleport", "query.kind", "teleport"),
        ("cursor=not-a-cursor", "query.cursor", "not-a-cursor"),
        ("cursor=WyJ4Il0", "query.cursor", ["x"]),  # base64 of ["x"]: not this list's keyset
    ],
)
def test_bad_queries_are_problem_details_naming_the_field(bench, query, field, value):
    bench, _ = bench
    response = bench.client.get(f"/api/v1/recommendations?{query}", headers=bench.headers("bea"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["field"] == field
    assert problem["value"] == value
    assert problem["reason"]
    assert problem["instance"] == "/api/v1/recommendations"


def test_a_bad_decision_body_names_the_body_field(bench):
    bench, ids = bench
    response = bench.client.post(
        f"/api/v1/recommendations/{ids['buy_br01']}/decisions",
        json={"action": "modify", "quantity": -5, "reason": "x", "reason_code": "cost"},
        headers=bench.headers("bea"),
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "body.quantity"
    assert response.json()["value"] == -5
    assert "greater than 0" in response.json()["reason"]


def test_http_errors_are_problem_details_too(bench):
    bench, ids = bench
    unauthenticated = bench.client.get("/api/v1/recommendations")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == "application/problem+json"
    assert unauthenticated.headers["www-authenticate"] == "Bearer"
    assert unauthenticated.json()["title"] == "Unauthorized"
    missing = bench.client.get("/api/v1/recommendations/999999", headers=bench.headers("bea"))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    nowhere = bench.client.get("/api/v1/no-such-thing", headers=bench.headers("bea"))
    assert nowhere.status_code == 404
    assert nowhere.json() == {
        "type": "about:blank", "title": "Not Found", "status": 404, "detail": "Not Found",
        "instance": "/api/v1/no-such-thing",
    }  # fmt: skip
    assert bench.client.get(f"/api/v1/recommendations/{ids['buy_br01']}").status_code == 401
