"""GET /kpis on examples/basic (as of 20 Nov 2026) plus a plan run's recommendations
decided at known times, on SQLite and PostgreSQL. Every number is worked out by hand
in the comments from the example's CSV files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crossdock.domain.lifecycle import Action
from crossdock.service_layer.deciding import Decide, decide
from crossdock.service_layer.routing import route_plan
from tests.integration.governance_fixtures import add_plan_run, add_recommendation
from tests.integration.workbench_fixtures import Workbench, open_workbench

ROUTED = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
WEEKS = {"as_of": "2026-11-20", "weeks": 2}  # 7-13 Nov and 14-20 Nov


def _backtest(wape: float, bias: float | None = None) -> str:
    forecast = {"mean": 2.0, "backtest_wape": wape}
    if bias is not None:  # plans stored before bias was have none
        forecast["backtest_bias"] = bias
    return json.dumps({"forecast": forecast})


def _decide(bench: Workbench, username: str, rec: int, action: Action, at: datetime) -> None:
    person = bench.wired.governance.principal(username)
    assert person is not None
    reason = {} if action is Action.APPROVE else {"reason": "not now", "reason_code": "timing"}
    decide(bench.wired.governance, Decide(rec, action, **reason), actor=person, now=at)


@pytest.fixture
def bench(database_url: str) -> Iterator[Workbench]:
    with open_workbench(database_url, people=("pat", "bea", "fin", "sam"), basic=True) as bench:
        engine = bench.wired.engine
        # forecast backtests: the week to 13 Nov has one plan run (BR01 WAPE 0.1); the
        # week to 20 Nov two, of which the newest (18 Nov) counts, not the 16 Nov one
        early = add_plan_run(engine, as_of=date(2026, 11, 10))
        add_recommendation(engine, early, drivers=_backtest(0.1))
        superseded = add_plan_run(engine, as_of=date(2026, 11, 16))
        add_recommendation(engine, superseded, drivers=_backtest(0.9))
        plan = add_plan_run(engine, as_of=date(2026, 11, 18))
        add_recommendation(engine, plan, sku="SKU-1", drivers=_backtest(0.2, 0.1))
        add_recommendation(engine, plan, sku="SKU-2", drivers=_backtest(0.4, -0.3))
        add_recommendation(engine, plan, sku="SKU-2", kind="expedite", drivers=_backtest(0.4, -0.3))
        add_recommendation(
            engine, plan, sku="SKU-1", kind="transfer", from_code="BR01", to_code="BR02",
            drivers=_backtest(0.5, 0.5),
        )  # fmt: skip
        # expedite spend: executing on 12 Nov (40), committed on 17 Nov (75); an approved
        # one (not executed) and one committed before the window do not count
        for status, at, cost in (
            ("executing", datetime(2026, 11, 12, 10, tzinfo=UTC), "40.00"),
            ("committed", datetime(2026, 11, 17, 10, tzinfo=UTC), "75.00"),
            ("approved", datetime(2026, 11, 17, 10, tzinfo=UTC), "500.00"),
            ("committed", datetime(2026, 10, 1, 10, tzinfo=UTC), "900.00"),
        ):
            add_recommendation(
                engine, plan, kind="expedite", status=status, status_changed_at=at,
                expedite_cost=Decimal(cost),
            )  # fmt: skip
        exception = add_recommendation(engine, plan, kind="order_exception")
        buy = add_recommendation(engine, plan, sku="SKU-9")
        route_plan(bench.wired.governance, plan_run_id=plan, policy=None, now=ROUTED)
        # created and sent for approval at 09:00 on 19 Nov; the order exception is
        # approved at 14:00 (5 hours), the buy rejected at 11:00 next day (26 hours)
        _decide(bench, "sam", exception, Action.APPROVE, datetime(2026, 11, 19, 14, tzinfo=UTC))
        _decide(bench, "bea", buy, Action.REJECT, datetime(2026, 11, 20, 11, tzinfo=UTC))
        yield bench


def _trend(kpi: dict) -> list:
    return [point["value"] for point in kpi["trend"]]


def test_service_figures_from_the_order_lines(bench):
    kpis = bench.get("/kpis", "fin", **WEEKS)["kpis"]
    # lines requested 19-20 Nov: ordered 10+10+48+5+2+36+12+20 = 143, shipped 10+10+24+5 = 49
    fill = kpis["fill_rate"]
    assert fill["value"] == round(49 / 143, 4) == 0.3427
    assert (fill["lines"], fill["lines_filled"], fill["line_fill_rate"]) == (8, 3, 0.375)
    assert _trend(fill) == [None, 0.3427]  # nothing requested in the week to 13 Nov
    # of 18 item-locations, B300 at BR2 has nothing on hand (snapshot of 20 Nov only)
    stockouts = kpis["stockouts"]
    assert (stockouts["value"], stockouts["item_locations"], stockouts["share"]) == (1, 18, 0.0556)
    assert _trend(stockouts) == [None, 1]


def test_stock_figures_at_unit_cost(bench):
    kpis = bench.get("/kpis", "fin", **WEEKS)["kpis"]
    # on hand x unit cost over DC1+BR1+BR2: A100 502 x 6.20 = 3,112.40; A200 372 x 3.80
    # = 1,413.60; B300 588 x 2.10 = 1,234.80; B400 118 x 5.40 = 637.20; C500 28 x 48 =
    # 1,344.00; C600 505 x 3.25 = 1,641.25: 9,383.25
    assert kpis["stock_value"]["value"] == 9383.25
    assert _trend(kpis["stock_value"]) == [None, 9383.25]
    # demand 24 Oct - 20 Nov at cost: A100 92 x 6.20 = 570.40, A200 70 x 3.80 = 266.00,
    # B300 161 x 2.10 = 338.10, B400 16 x 5.40 = 86.40, C500 20 x 48 = 960.00, C600 61 x
    # 3.25 = 198.25: 2,419.15 in 28 days; days of supply 9,383.25 / (2,419.15 / 28) =
    # 108.60; turns 2,419.15 x 365 / 28 / 9,383.25 = 3.36
    assert kpis["days_of_supply"]["value"] == 108.6
    assert kpis["turns"]["value"] == 3.36


def test_cost_and_decision_figures(bench):
    kpis = bench.get("/kpis", "fin", **WEEKS)["kpis"]
    assert kpis["expedite_cost"]["value"] == 115.0  # 40 + 75
    assert _trend(kpis["expedite_cost"]) == [40.0, 75.0]
    assert kpis["expedite_cost"]["recommendations"] == 2
    # order exception: created 09:00, approved 14:00 = 5 hours
    resolution = kpis["exception_resolution_hours"]
    assert (resolution["value"], resolution["decided"]) == (5.0, 1)
    # sent for approval 09:00 19 Nov: 5 hours (approved) and 26 hours (rejected)
    approval = kpis["approval_hours"]
    assert (approval["value"], approval["mean"], approval["decided"]) == (15.5, 15.5, 2)
    assert _trend(approval) == [None, 15.5]
    # one accepted (approved), one overridden (rejected)
    assert kpis["acceptance_rate"]["value"] == 0.5
    assert kpis["override_rate"]["value"] == 0.5
    assert kpis["auto_approval_rate"]["value"] == 0.0
    assert _trend(kpis["acceptance_rate"]) == [None, 0.5]
    assert kpis["realised_value"]["value"] is None  # nothing scored yet: no figure
    assert kpis["realised_value"]["why"] == "no outcome scored for decisions in the window"


def test_forecast_accuracy_from_the_newest_plan_of_each_week(bench):
    kpis = bench.get("/kpis", "fin", **WEEKS)["kpis"]
    accuracy = kpis["forecast_accuracy"]
    # plan of 18 Nov: BR01 SKU-1 0.2 and SKU-2 0.4 (two recommendations, one
    # item-location): mean 0.3, accuracy 0.7; BR02 SKU-1 0.5: accuracy 0.5; over three
    # item-locations 1 - (0.3 x 2 + 0.5) / 3 = 0.6333
    assert accuracy["value"] == 0.6333
    assert {loc: v["accuracy"] for loc, v in accuracy["by_location"].items()} == {
        "BR01": 0.7,
        "BR02": 0.5,
    }
    assert accuracy["by_location"]["BR01"]["item_locations"] == 2
    assert _trend(accuracy) == [0.9, 0.6333]  # the week to 13 Nov: 1 - 0.1
    # bias: BR01 SKU-1 +0.1 and SKU-2 -0.3 (mean -0.1 over two item-locations), BR02
    # +0.5: over three (-0.1 x 2 + 0.5) / 3 = +0.1, over-forecast; the 10 Nov plan
    # stored no bias, so its week has none
    bias = kpis["forecast_bias"]
    assert bias["value"] == 0.1
    assert bias.get("why") is None
    assert {loc: v["bias"] for loc, v in bias["by_location"].items()} == {
        "BR01": -0.1,
        "BR02": 0.5,
    }
    assert _trend(bias) == [None, 0.1]


def test_a_planner_sees_stock_value_masked(bench):
    planner = bench.get("/kpis", "pat", **WEEKS)
    assert planner["kpis"]["stock_value"]["value"] is None
    assert _trend(planner["kpis"]["stock_value"]) == [None, None]
    assert planner["masked_fields"] == ["kpis.stock_value.value", "kpis.stock_value.trend"]
    assert planner["kpis"]["days_of_supply"]["value"] == 108.6  # a ratio, not money
    assert "9383" not in json.dumps(planner)
    assert "masked_fields" not in bench.get("/kpis", "fin", **WEEKS)


@pytest.mark.parametrize("weeks", ["0", "53", "eight"])
def test_weeks_out_of_range_names_the_field(bench, weeks):
    response = bench.client.get(f"/api/v1/kpis?weeks={weeks}", headers=bench.headers("pat"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["field"], response.json()["value"]) == ("query.weeks", weeks)
