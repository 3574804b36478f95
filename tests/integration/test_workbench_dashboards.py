"""The workbench's dashboards over HTTP on SQLite: the KPI page, the network view and
agent activity show the figures `/api/v1/kpis`, `/network` and `/agents` give the same
person, masked for a planner, refused for a person without `view_kpis`, and a stranger
is sent to sign in. Data: examples/basic as of 20 Nov 2026 (worked out by hand in
test_api_workbench_kpis.py and test_api_workbench_network.py) plus a plan run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import insert

from crossdock.adapters.db.tables import consumed, dead_letters, inbound_events
from crossdock.service_layer.event_ports import OutboxMessage
from crossdock.service_layer.identity import add_person
from tests.integration.governance_fixtures import add_plan_run, add_recommendation
from tests.integration.workbench_fixtures import NOW, PASSWORD, Workbench, open_workbench

KPI_WINDOW = {"as_of": "2026-11-20", "weeks": "2"}  # 7-13 Nov and 14-20 Nov
NETWORK_AS_OF = {"as_of": "2026-11-20"}
RECEIVED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _backtest(wape: float) -> str:
    return json.dumps({"forecast": {"mean": 2.0, "backtest_wape": wape}})


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    url = f"sqlite:///{tmp_path / 'crossdock.db'}"
    with open_workbench(url, people=("pat", "fin", "nora"), basic=True) as bench:
        engine = bench.wired.engine
        # nobody: a person whose roles grant nothing, so not view_kpis
        add_person(bench.wired.governance, username="nobody", roles=[], password=PASSWORD, now=NOW)
        plan = add_plan_run(engine, as_of=date(2026, 11, 18))
        add_recommendation(engine, plan, sku="SKU-1", to_code="BR1", drivers=_backtest(0.2))
        add_recommendation(engine, plan, sku="SKU-2", to_code="BR2", drivers=_backtest(0.5))
        # a transfer waiting for approval on DC1 -> BR1: 30 A100 at 6.20 = 186.00
        add_recommendation(
            engine, plan, kind="transfer", sku="A100", from_code="DC1", to_code="BR1",
            quantity=30.0, status="pending_approval", drivers=_backtest(0.2),
        )  # fmt: skip
        yield bench


def _sign_in(bench: Workbench, username: str) -> None:
    answer = bench.client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text


def _html(bench: Workbench, username: str, path: str, **params: str) -> str:
    _sign_in(bench, username)
    answer = bench.client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.text


def _tile(html: str, key: str) -> str:
    found = re.search(rf'<section [^>]*data-kpi="{key}">(.*?)</section>', html, re.S)
    assert found is not None, f"no tile for {key}"
    return found.group(1)


def _tile_value(html: str, key: str) -> str:
    found = re.search(rf'data-testid="kpi-{key}">(.*?)</div>', html, re.S)
    assert found is not None, f"no value for {key}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def _row(html: str, table: str, **data: str) -> str:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    wanted = "".join(rf'[^>]*data-{name}="{value}"' for name, value in data.items())
    found = re.search(rf"<tr{wanted}[^>]*>(.*?)</tr>", body, re.S)
    assert found is not None, f"no row {data} in #{table}"
    return found.group(1)


def _cells(row: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


# -- the KPI dashboard ---------------------------------------------------------------------


def test_the_kpi_page_shows_each_figure_the_api_gives(bench):
    kpis = bench.get("/kpis", "fin", **KPI_WINDOW)["kpis"]
    html = _html(bench, "fin", "/kpis", **KPI_WINDOW)
    # fill rate 49 of 143 units (test_api_workbench_kpis.py), as a percentage
    assert kpis["fill_rate"]["value"] == 0.3427
    assert _tile_value(html, "fill_rate") == "34.3%"
    assert _tile_value(html, "stockouts") == str(kpis["stockouts"]["value"]) == "1"
    assert _tile_value(html, "stock_value") == f"{kpis['stock_value']['value']:,.2f}" == "9,383.25"
    assert _tile_value(html, "days_of_supply") == f"{kpis['days_of_supply']['value']:.1f} days"
    assert _tile_value(html, "turns") == f"{kpis['turns']['value']:.2f}" == "3.36"
    assert _tile_value(html, "expedite_cost") == "0.00"
    assert "49 of 143 units shipped; 3 of 8 lines in full (37.5%)" in _tile(html, "fill_rate")


def test_each_trend_is_an_inline_svg_line_of_the_weekly_figures(bench):
    kpis = bench.get("/kpis", "fin", **KPI_WINDOW)["kpis"]
    html = _html(bench, "fin", "/kpis", **KPI_WINDOW)
    fill = _tile(html, "fill_rate")
    assert "<svg" in fill
    assert 'class="chart"' in fill
    # the week to 20 Nov: its point carries the figure in per cent; the week to 13 Nov
    # had no order lines, so no point
    last = kpis["fill_rate"]["trend"][-1]["value"] * 100
    assert f"fill rate per week, 11-20: {last:.2f}" in fill
    assert "11-13:" not in fill
    # no order exception was decided: no line, the reason instead
    resolution = _tile(html, "exception_resolution_hours")
    assert "<svg" not in resolution
    assert kpis["exception_resolution_hours"]["why"] in resolution
    assert "no week has a figure yet" in resolution
    assert "<script" not in html.split("</head>", 1)[1]  # the charts need no JavaScript


def test_forecast_accuracy_by_location_and_why_bias_is_missing(bench):
    kpis = bench.get("/kpis", "fin", **KPI_WINDOW)["kpis"]
    html = _html(bench, "fin", "/kpis", **KPI_WINDOW)
    by_location = kpis["forecast_accuracy"]["by_location"]
    assert sorted(by_location) == ["BR1", "BR2"]
    for location, figures in by_location.items():
        cells = _cells(_row(html, "forecast-by-location", location=location))
        assert cells[1] == f"{figures['accuracy'] * 100:.1f}%"
        assert cells[3] == str(figures["item_locations"])
    # BR1: two recommendations of WAPE 0.2 -> 80%; BR2: 0.5 -> 50%
    assert _cells(_row(html, "forecast-by-location", location="BR1"))[1] == "80.0%"
    assert _cells(_row(html, "forecast-by-location", location="BR2"))[1] == "50.0%"
    assert kpis["forecast_bias"]["value"] is None
    why = kpis["forecast_bias"]["why"]
    assert why in _tile(html, "forecast_bias")
    assert f"Bias is not shown: {why}" in html


def test_a_planner_sees_stock_value_masked_on_the_kpi_page(bench):
    planner = _html(bench, "pat", "/kpis", **KPI_WINDOW)
    finance = _html(bench, "fin", "/kpis", **KPI_WINDOW)
    assert _tile_value(planner, "stock_value") == "masked"
    assert "<svg" not in _tile(planner, "stock_value")  # nor its trend
    for figure in ("9,383.25", "9383.25", "9383", "9.38325"):
        assert figure not in planner
    assert "9,383.25" in finance
    assert _tile_value(planner, "days_of_supply") == _tile_value(finance, "days_of_supply")


def test_weeks_and_as_of_choose_the_window(bench):
    html = _html(bench, "fin", "/kpis", weeks="3", as_of="2026-11-20")
    assert "3 weeks to 2026-11-20" in html
    assert 'name="weeks" min="1" max="52" value="3"' in html
    assert 'name="as_of" value="2026-11-20"' in html
    expedite = _tile(html, "expedite_cost")  # a figure every week, 0 when none
    assert expedite.count('class="chart-point"') == 3
    assert "expedite cost per week, 11-06: 0" in expedite  # the first week: 31 Oct - 6 Nov


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"weeks": "0"}, "query.weeks: must be 1 to 52"),
        ({"weeks": "eight"}, "weeks='eight'"),
        ({"as_of": "20/11/2026"}, "as_of='20/11/2026'"),
    ],
)
def test_a_bad_window_is_refused_naming_the_field(bench, params, named):
    _sign_in(bench, "fin")
    answer = bench.client.get("/kpis", params=params)
    assert answer.status_code == 400
    assert named in unescape(answer.text)
    assert 'data-kpi="' not in answer.text


# -- the network view ----------------------------------------------------------------------


def test_the_network_page_shows_each_warehouse_and_lane_the_api_gives(bench):
    body = bench.get("/network", "fin", **NETWORK_AS_OF)
    html = _html(bench, "fin", "/network", **NETWORK_AS_OF)
    for warehouse in body["warehouses"]:
        cells = _cells(_row(html, "warehouses", code=warehouse["code"]))
        short, excess = warehouse["health"]["short"], warehouse["health"]["excess"]
        assert cells[4:7] == [
            str(short["items"]),
            f"{short['units']:,.0f}",
            f"{short['value']:,.2f}",
        ]
        assert cells[7] == str(excess["items"])
        assert cells[9] == f"{excess['value']:,.2f}"
    # BR2: B300 60 units short at 2.10 = 126.00 (test_api_workbench_network.py)
    assert _cells(_row(html, "warehouses", code="BR2"))[4:7] == ["1", "60", "126.00"]
    assert 'data-code="BR2" data-health="short"' in html
    lane = _cells(_row(html, "lanes", **{"from": "DC1", "to": "BR1"}))
    assert lane == ["DC1", "BR1", "0", "0", "0.00", "1", "30", "186.00"]
    assert len(re.findall(r'<tr data-from="', html)) == len(body["transfer_flows"])


def test_the_diagram_draws_warehouses_and_an_arrow_per_lane(bench):
    html = _html(bench, "fin", "/network", **NETWORK_AS_OF)
    diagram = html.split('<svg xmlns="http://www.w3.org/2000/svg" class="network"', 1)[1]
    diagram = diagram.split("</svg>", 1)[0]
    assert sorted(re.findall(r'<g class="warehouse [^"]*" data-code="(\w+)"', diagram)) == [
        "BR1", "BR2", "DC1",
    ]  # fmt: skip
    lane = diagram.split('<g class="lane" data-from="DC1" data-to="BR1">', 1)[1].split("</g>")[0]
    assert 'class="flow flow-recommended"' in lane
    assert "DC1 → BR1: 30 units in 1 recommended transfers" in lane
    assert "flow-open" not in lane  # no open transfer order on that lane
    assert 'marker-end="url(#arrow-recommended)"' in lane
    assert "30 rec." in lane


def test_a_planner_sees_no_money_on_the_network_page(bench):
    planner = _html(bench, "pat", "/network", **NETWORK_AS_OF)
    assert _cells(_row(planner, "warehouses", code="BR2"))[4:7] == ["1", "60", "masked"]
    assert _cells(_row(planner, "lanes", **{"from": "DC1", "to": "BR1"}))[7] == "masked"
    for figure in ("126.00", "186.00", "2.10", "6.20"):
        assert figure not in planner
    assert "126.00" in _html(bench, "fin", "/network", **NETWORK_AS_OF)


def test_a_person_limited_to_sites_sees_their_warehouses_and_lanes_touching_them(bench):
    html = _html(bench, "nora", "/network", **NETWORK_AS_OF)
    assert re.findall(r'<tr data-code="(\w+)"', html) == ["BR1"]
    # DC1 ships to BR1: the lane is hers, DC1 is drawn as outside her sites
    assert '<g class="warehouse warehouse-outside" data-code="DC1">' in html
    assert _cells(_row(html, "lanes", **{"from": "DC1", "to": "BR1"}))[6] == "30"


# -- agent activity -------------------------------------------------------------------------


def _agent_events(bench: Workbench) -> None:
    with bench.wired.engine.begin() as connection:
        for n in range(3):
            connection.execute(
                insert(inbound_events).values(
                    event_id=f"E-{n}", event_type="stockout", ordering_key=f"A100@BR{n}",
                    occurred_at=RECEIVED, received_at=RECEIVED, source="wms", channel="api",
                    payload=json.dumps({"event_id": f"E-{n}"}),
                )
            )  # fmt: skip
        connection.execute(  # handled 1, 2 and 4 seconds after intake
            insert(consumed),
            [
                {"consumer": "agent:balancing", "message_id": f"event:E-{n}",
                 "at": RECEIVED + timedelta(seconds=lag)}
                for n, lag in enumerate((1, 2, 4))
            ],
        )  # fmt: skip
        connection.execute(
            insert(dead_letters).values(
                at=RECEIVED, stage="delivery", channel="outbox", reason="bad", attempts=5,
                raw="{}", consumer="agent:balancing",
            )
        )  # fmt: skip


def test_the_agents_page_shows_what_each_agent_handled(bench):
    _agent_events(bench)
    agents = {a["agent"]: a for a in bench.get("/agents", "pat")["agents"]}
    html = _html(bench, "pat", "/agents")
    assert re.findall(r'<tr data-agent="([^"]+)"', html) == list(agents)
    cells = _cells(_row(html, "agents", agent="agent:balancing"))
    balancing = agents["agent:balancing"]
    assert cells[3] == str(balancing["handled"]) == "3"
    assert cells[4] == balancing["last_handled_at"] == "2026-11-20T09:00:04+00:00"
    assert (balancing["lag_p50_s"], balancing["lag_p95_s"]) == (2.0, 4.0)
    assert cells[5:9] == ["2.0 s", "4.0 s", "1", "—"]  # no worker counts failures here
    assert "events.stockout" in cells[1]
    assert _cells(_row(html, "agents", agent="agent:finance"))[3:5] == ["0", "never"]
    assert "3 events handled, 1 dead letters" in html


def test_failures_counted_by_a_worker_in_this_process_appear(bench):
    message = OutboxMessage(id=1, message_id="event:E-0", topic="events.stockout",
                            ordering_key="A100@BR0", payload="{}", attempts=0)  # fmt: skip
    metrics = bench.client.app.state.delivery_metrics
    metrics.failed("agent:balancing", message, "x", dead=False)
    metrics.failed("agent:balancing", message, "x", dead=True)
    html = _html(bench, "pat", "/agents")
    assert _cells(_row(html, "agents", agent="agent:balancing"))[8] == "2"
    assert _cells(_row(html, "agents", agent="agent:finance"))[8] == "—"
    assert "no worker here has delivered" not in html


# -- who may see them -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/kpis", "/network", "/agents"])
def test_a_person_without_view_kpis_is_refused(bench, path):
    _sign_in(bench, "nobody")
    answer = bench.client.get(path)
    assert answer.status_code == 403
    assert "permission view_kpis" in answer.text
    assert 'data-kpi="' not in answer.text
    assert 'id="warehouses"' not in answer.text
    assert 'id="agents"' not in answer.text
    assert 'href="/kpis"' not in answer.text  # nor offered in the nav


def test_the_nav_offers_the_dashboards_to_roles_that_may_read_them(bench):
    queue = _html(bench, "pat", "/queue")
    for link in ('href="/kpis"', 'href="/network"', 'href="/agents"'):
        assert link in queue
    _sign_in(bench, "nobody")
    assert 'href="/kpis"' not in bench.client.get("/queue").text


@pytest.mark.parametrize("path", ["/kpis?weeks=4", "/network", "/agents"])
def test_a_stranger_is_sent_to_sign_in_and_back(bench, path):
    bench.client.cookies.clear()
    answer = bench.client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=%2F")
    assert path.split("?")[0].lstrip("/") in answer.headers["location"]
