"""GET /audit on real databases: the ledger newest first, paged by seq so entries
appended between pages neither repeat nor push others off, filtered by recommendation,
actor, event and time, and masked for the reader as exports are."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from crossdock.domain.lifecycle import Action
from crossdock.service_layer.deciding import Decide, decide
from crossdock.service_layer.routing import route_plan
from tests.integration.governance_fixtures import add_plan_run, add_recommendation
from tests.integration.workbench_fixtures import Workbench, open_workbench

ROUTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
APPROVED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def _decide(bench: Workbench, username: str, rec: int, action: Action, at: datetime) -> None:
    person = bench.wired.governance.principal(username)
    assert person is not None
    reason = {} if action is Action.APPROVE else {"reason": "too early", "reason_code": "timing"}
    decide(bench.wired.governance, Decide(rec, action, **reason), actor=person, now=at)


@pytest.fixture
def bench(database_url: str) -> Iterator[tuple[Workbench, list[int]]]:
    with open_workbench(database_url, people=("pat", "bea", "aud", "adm")) as bench:
        plan = add_plan_run(bench.wired.engine)
        recs = [add_recommendation(bench.wired.engine, plan) for _ in range(3)]
        route_plan(bench.wired.governance, plan_run_id=plan, policy=None, now=ROUTED)
        # 3 x (created, request_approval) at 09:00, then bea approves the first: 7 entries
        _decide(bench, "bea", recs[0], Action.APPROVE, APPROVED)
        yield bench, recs


def test_the_ledger_newest_first(bench):
    bench, recs = bench
    body = bench.get("/audit", "aud")
    assert body["count"] == 7
    assert [entry["seq"] for entry in body["items"]] == [7, 6, 5, 4, 3, 2, 1]
    newest = body["items"][0]
    assert (newest["event"], newest["actor"], newest["recommendation_id"]) == (
        "approve", "bea", recs[0],
    )  # fmt: skip
    assert newest["at"] == APPROVED.isoformat()
    assert body["next_cursor"] is None


def test_pages_neither_repeat_nor_skip_when_entries_arrive_between_them(bench):
    bench, recs = bench
    first = bench.get("/audit", "aud", limit=3)
    assert [entry["seq"] for entry in first["items"]] == [7, 6, 5]
    _decide(bench, "bea", recs[1], Action.REJECT, APPROVED)  # seq 8, newer than every page
    second = bench.get("/audit", "aud", limit=3, cursor=first["next_cursor"])
    third = bench.get("/audit", "aud", limit=3, cursor=second["next_cursor"])
    assert [entry["seq"] for entry in second["items"]] == [4, 3, 2]
    assert [entry["seq"] for entry in third["items"]] == [1]
    assert third["next_cursor"] is None
    assert bench.get("/audit", "aud", limit=1)["items"][0]["seq"] == 8


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "bea"}, [("approve", 0)]),
        ({"event": "created"}, [("created", 2), ("created", 1), ("created", 0)]),
        ({"recommendation_id": "second"}, [("request_approval", 1), ("created", 1)]),
        ({"since": "2026-11-20T12:00:00Z"}, [("approve", 0)]),
        ({"since": "2026-11-20T16:00:00+02:00"}, [("approve", 0)]),  # 14:00 UTC
    ],
)
def test_filters(bench, params, expected):
    bench, recs = bench
    if params.get("recommendation_id") == "second":
        params = {"recommendation_id": recs[1]}
    body = bench.get("/audit", "aud", **params)
    assert [(e["event"], recs.index(e["recommendation_id"])) for e in body["items"]] == expected


def test_a_time_with_a_zone_is_read_as_that_instant(bench):
    bench, _ = bench
    # 10:00 at +02:00 is 08:00 UTC, before the 09:00 routing: every entry
    assert bench.get("/audit", "aud", since="2026-11-20T10:00:00+02:00")["count"] == 7
    # 17:00 at +02:00 is 15:00 UTC, the approval's own time (since is inclusive)
    assert bench.get("/audit", "aud", since="2026-11-20T17:00:00+02:00")["count"] == 1
    assert bench.get("/audit", "aud", since="2026-11-20T17:01:00+02:00")["count"] == 0


def test_entries_are_masked_for_the_reader_as_exports_are(bench):
    bench, recs = bench
    # an admin reads the audit but sees no supplier cost; an auditor sees it
    admin = bench.get("/audit", "adm", event="created", recommendation_id=recs[0])["items"][0]
    auditor = bench.get("/audit", "aud", event="created", recommendation_id=recs[0])["items"][0]
    assert admin["detail"]["order_value"] is None
    assert "detail.order_value" in admin["masked_fields"]
    assert auditor["detail"]["order_value"] == 1200.0
    assert "masked_fields" not in auditor


def test_a_planner_may_not_read_the_ledger(bench):
    bench, _ = bench
    response = bench.client.get("/api/v1/audit", headers=bench.headers("pat"))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "view_audit" in response.json()["detail"]


def test_a_bad_time_names_the_field(bench):
    bench, _ = bench
    response = bench.client.get("/api/v1/audit?since=yesterday", headers=bench.headers("aud"))
    assert response.status_code == 422
    assert response.json()["field"] == "query.since"
    assert response.json()["value"] == "yesterday"
