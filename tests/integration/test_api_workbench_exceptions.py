"""GET /exceptions and GET /agents on real databases: dead letters, unresolved
quarantine rows, failed recommendations and failing jobs newest first, paged so that
arrivals between pages neither repeat nor push rows off, filtered by kind and time,
restricted by site and masked by role; each agent's declaration with its activity."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from crossdock.adapters.db.tables import (
    consumed,
    dead_letters,
    inbound_events,
    quarantine,
    schedule_runs,
)
from crossdock.service_layer.event_ports import OutboxMessage
from crossdock.service_layer.exceptions_queue import newest_exceptions
from tests.integration.governance_fixtures import add_plan_run, add_recommendation
from tests.integration.workbench_fixtures import PASSWORD, Workbench, open_workbench


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 20, hour, minute, tzinfo=UTC)


def _dead_letter(bench: Workbench, at: datetime, **values: object) -> None:
    row = {"at": at, "stage": "intake", "channel": "file x.jsonl line 3", "reason": "bad",
           "attempts": 0, "raw": "{}", **values}  # fmt: skip
    with bench.wired.engine.begin() as connection:
        connection.execute(insert(dead_letters).values(**row))


def _failed(bench: Workbench, at: datetime, to_code: str, error: str) -> int:
    plan = add_plan_run(bench.wired.engine)
    return add_recommendation(
        bench.wired.engine, plan, to_code=to_code, status="failed", status_changed_at=at,
        erp_error=error, erp_attempts=3,
    )  # fmt: skip


@pytest.fixture
def bench(database_url: str) -> Iterator[tuple[Workbench, dict[str, int]]]:
    people = ("pat", "bea", "fin", "adm", "nora")
    with open_workbench(database_url, people=people) as bench:
        engine = bench.wired.engine
        with engine.begin() as connection:
            connection.execute(
                insert(quarantine),
                [
                    {"import_run_id": 1, "entity": "items", "source_file": "items.csv",
                     "row_number": 4, "natural_key": "sku=A100", "field": "unit_cost",
                     "value": "-3.00", "check_name": "range", "reason": "-3.00 must be 0 or more",
                     "raw": "{}", "created_at": _at(8), "resolved_at": None,
                     "resolved_by_run_id": None},
                    # superseded by a later import: nobody needs to look at it
                    {"import_run_id": 1, "entity": "items", "source_file": "items.csv",
                     "row_number": 5, "natural_key": "sku=A200", "field": "uom", "value": "",
                     "check_name": "required", "reason": "missing", "raw": "{}",
                     "created_at": _at(8), "resolved_at": _at(9), "resolved_by_run_id": 2},
                ],
            )  # fmt: skip
            connection.execute(
                insert(schedule_runs),
                [
                    {"job": "connections", "trigger": "schedule", "runner": "w:1",
                     "started_at": _at(7), "finished_at": _at(7), "outcome": "failed",
                     "error": "tryton down"},
                    {"job": "connections", "trigger": "schedule", "runner": "w:1",
                     "started_at": _at(7, 30), "finished_at": _at(7, 30),
                     "outcome": "succeeded", "error": None},
                    {"job": "plan", "trigger": "schedule", "runner": "w:1",
                     "started_at": _at(11, 55), "finished_at": _at(12), "outcome": "failed",
                     "error": "ValueError: no demand"},
                ],
            )  # fmt: skip
        _dead_letter(bench, _at(9), field="data.lines.0.unit_price", value="12.50",
                     event_id="ERP-SO-9", reason="not a number")  # fmt: skip
        ids = {
            "failed_br01": _failed(bench, _at(10), "BR01", "Tryton refused: supplier blocked"),
            "failed_br02": _failed(bench, _at(11), "BR02", "Tryton unreachable"),
        }
        # one bad event through the API, dead-lettered now (after everything above)
        posted = bench.client.post(
            "/api/v1/events",
            json=[{"event_id": "X-1", "event_type": "teleport"}],
            headers=bench.headers("adm"),
        )
        assert posted.json()["dead_lettered"] == 1
        yield bench, ids


def _shown(body: dict) -> list[tuple[str, str | None]]:
    return [(item["kind"], item["subject"]) for item in body["items"]]


def test_everything_that_needs_a_person_newest_first(bench):
    bench, ids = bench
    body = bench.get("/exceptions", "fin")
    assert _shown(body) == [
        ("dead_letter", "intake"),  # the API's, just now
        ("failed_job", "plan"),  # 12:00; connections failed at 7:00 but then succeeded
        ("failed_recommendation", "buy"),  # BR02 at 11:00
        ("failed_recommendation", "buy"),  # BR01 at 10:00
        ("dead_letter", "intake"),  # 09:00
        ("quarantined_row", "items"),  # 08:00; the resolved one is not shown
    ]
    api_letter, job, br02, _, _, row = body["items"]
    assert (api_letter["field"], api_letter["value"], api_letter["reference"]) == (
        "event_type", "teleport", "X-1",
    )  # fmt: skip
    assert job["reason"] == "ValueError: no demand"
    assert job["at"] == _at(12).isoformat()
    assert br02["detail"]["recommendation_id"] == ids["failed_br02"]
    assert br02["reason"] == "Tryton unreachable"
    assert (br02["reference"], br02["detail"]["erp_attempts"]) == ("SKU-000001@BR02", 3)
    assert (row["reference"], row["field"], row["value"], row["reason"]) == (
        "sku=A100", "unit_cost", "-3.00", "-3.00 must be 0 or more",
    )  # fmt: skip
    assert row["detail"]["row_number"] == 4


def test_pages_neither_repeat_nor_lose_rows_that_arrive_between_them(bench):
    bench, _ = bench
    first = bench.get("/exceptions", "fin", limit=2)
    assert _shown(first) == [("dead_letter", "intake"), ("failed_job", "plan")]
    late = _failed(bench, _at(10, 30), "BR01", "timeout")  # after the cursor: shown later
    _dead_letter(bench, datetime.now(UTC) + timedelta(hours=1))  # before it: not shown
    seen = [(i["kind"], i["id"]) for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor is not None:
        page = bench.get("/exceptions", "fin", limit=2, cursor=cursor)
        seen += [(i["kind"], i["id"]) for i in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 7  # the 6 there at first and the 10:30 one
    assert ("failed_recommendation", late) in seen


def test_filters_by_kind_and_time(bench):
    bench, ids = bench
    failed = bench.get("/exceptions", "fin", kind="failed_recommendation")
    assert [i["id"] for i in failed["items"]] == [ids["failed_br02"], ids["failed_br01"]]
    assert failed["kinds"] == ["failed_recommendation"]
    recent = bench.get("/exceptions", "fin", since="2026-11-20T10:30:00Z")
    assert [i["kind"] for i in recent["items"]] == [
        "dead_letter", "failed_job", "failed_recommendation",
    ]  # fmt: skip


def test_a_person_of_some_sites_sees_only_their_failed_recommendations(bench):
    bench, ids = bench
    body = bench.get("/exceptions", "nora")
    assert [(i["kind"], i["id"]) for i in body["items"]] == [
        ("failed_recommendation", ids["failed_br01"]),
    ]
    assert body["kinds"] == ["failed_recommendation"]


def test_money_values_are_masked_by_role(bench):
    bench, _ = bench

    def values(username: str) -> dict[str, str | None]:
        items = bench.get("/exceptions", username)["items"]
        return {
            i["field"]: i["value"]
            for i in items
            if i["field"] in ("unit_cost", "data.lines.0.unit_price")
        }

    # a planner sees customer pricing, not supplier cost; a buyer the other way round; a
    # dead letter's unit_price may be either, so only finance (both) sees it
    assert values("pat") == {"unit_cost": None, "data.lines.0.unit_price": None}
    assert values("bea") == {"unit_cost": "-3.00", "data.lines.0.unit_price": None}
    assert values("fin") == {"unit_cost": "-3.00", "data.lines.0.unit_price": "12.50"}
    masked = [i for i in bench.get("/exceptions", "pat")["items"] if i["field"] == "unit_cost"]
    assert masked[0]["masked_fields"] == ["value"]
    assert masked[0]["reason"] == "-masked must be 0 or more"  # the reason quoted it


def _page(bench: Workbench, username: str, path: str) -> str:
    signed = bench.client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert signed.status_code == 303
    answer = bench.client.get(path)
    assert answer.status_code == 200, answer.text
    return answer.text


def _kinds(html: str, table: str) -> list[str]:
    body = html.split(table, 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-kind="([a-z_]+)"', body)


def test_the_queue_shows_the_newest_exceptions_but_ranks_failed_writes_itself(bench):
    bench, ids = bench
    html = _page(bench, "fin", "/queue")
    # newest first: the API's dead letter (now), the plan job (12:00), the price dead
    # letter (09:00), the quarantined cost (08:00); failed ERP writes are not listed
    # above the queue but ranked in it, by their money
    assert _kinds(html, 'id="queue-exceptions"') == [
        "dead_letter", "failed_job", "dead_letter", "quarantined_row",
    ]  # fmt: skip
    assert f'<tr id="rec-{ids["failed_br01"]}"' in html
    assert "all exceptions" not in html  # four: all of them are shown
    fin = bench.wired.governance.principal("fin")
    assert fin is not None
    three, more = newest_exceptions(bench.wired.exceptions, actor=fin, limit=3)
    assert ([row["kind"] for row in three], more) == (
        ["dead_letter", "failed_job", "dead_letter"], True,
    )  # fmt: skip
    every = _page(bench, "fin", "/exceptions")
    assert _kinds(every, 'id="exceptions"').count("failed_recommendation") == 2
    assert "Tryton refused: supplier blocked" in every


def test_the_exceptions_page_filters_by_kind_and_masks_a_planners_cost(bench):
    bench, _ = bench
    html = _page(bench, "pat", "/exceptions?kind=quarantined_row")
    assert _kinds(html, 'id="exceptions"') == ["quarantined_row"]
    assert "unit_cost = masked" in html
    assert "3.00" not in html  # neither the value nor the reason that quoted it
    buyer = _page(bench, "bea", "/exceptions?kind=quarantined_row")
    assert "unit_cost = -3.00" in buyer
    refused = bench.client.get("/exceptions?kind=fire")
    assert refused.status_code == 400
    assert "fire" in refused.text


def test_an_unknown_kind_names_the_field(bench):
    bench, _ = bench
    response = bench.client.get("/api/v1/exceptions?kind=fire", headers=bench.headers("pat"))
    assert response.status_code == 422
    assert (response.json()["field"], response.json()["value"]) == ("query.kind", "fire")


def test_agents_with_what_they_handled(bench):
    bench, _ = bench
    received = _at(9)
    with bench.wired.engine.begin() as connection:
        for n in range(3):
            connection.execute(
                insert(inbound_events).values(
                    event_id=f"E-{n}", event_type="stockout", ordering_key=f"A100@BR{n}",
                    occurred_at=received, received_at=received, source="wms", channel="api",
                    payload=json.dumps({"event_id": f"E-{n}"}),
                )
            )  # fmt: skip
        # handled 1, 2 and 4 seconds after intake
        connection.execute(
            insert(consumed),
            [
                {"consumer": "agent:balancing", "message_id": f"event:E-{n}",
                 "at": received + timedelta(seconds=lag)}
                for n, lag in enumerate((1, 2, 4))
            ],
        )  # fmt: skip
    _dead_letter(bench, _at(9, 5), stage="delivery", consumer="agent:balancing")
    body = bench.get("/agents", "pat")
    agents = {a["agent"]: a for a in body["agents"]}
    balancing = agents["agent:balancing"]
    assert "events.stockout" in balancing["topics"]
    assert balancing["workflows"] == ["transfer"]
    assert (balancing["handled"], balancing["dead_letters"]) == (3, 1)
    # lags 1, 2, 4 s: p50 the 2nd (index int(0.5 x 3) = 1), p95 the 3rd (index 2)
    assert (balancing["lag_p50_s"], balancing["lag_p95_s"]) == (2.0, 4.0)
    assert balancing["last_handled_at"] == (received + timedelta(seconds=4)).isoformat()
    assert balancing["failures"] is None  # no worker delivers in this process
    assert agents["agent:finance"]["handled"] == 0
    # a worker embedded in this process counts its failures
    message = OutboxMessage(id=1, message_id="event:E-0", topic="events.stockout",
                            ordering_key="A100@BR0", payload="{}", attempts=0)  # fmt: skip
    bench.client.app.state.delivery_metrics.failed("agent:balancing", message, "x", dead=False)
    again = {a["agent"]: a for a in bench.get("/agents", "pat")["agents"]}
    assert again["agent:balancing"]["failures"] == 1
    assert again["agent:finance"]["failures"] is None
