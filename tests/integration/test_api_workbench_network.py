"""GET /network on examples/basic as of 20 Nov 2026, on SQLite and PostgreSQL: each
warehouse's items short and in excess with money at unit cost, and the transfers per
lane; worked out by hand from the CSV files in the comments. Demand is the 28 days
24 Oct - 20 Nov: BR1 A100 54, A200 53, B300 33, B400 10, C500 12, C600 44; BR2 A100
38, A200 17, B300 128, B400 6, C500 8, C600 17."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.integration.governance_fixtures import add_plan_run, add_recommendation
from tests.integration.workbench_fixtures import Workbench, open_workbench

AS_OF = {"as_of": "2026-11-20"}  # horizon 14 days (lines due by 4 Dec), excess 60 days


@pytest.fixture
def bench(database_url: str) -> Iterator[Workbench]:
    with open_workbench(database_url, people=("pat", "bea", "nora"), basic=True) as bench:
        plan = add_plan_run(bench.wired.engine)
        # a transfer waiting for approval on DC1 -> BR1 (30 A100 at 6.20 = 186.00) and a
        # rejected one, which is not a flow
        add_recommendation(
            bench.wired.engine, plan, kind="transfer", sku="A100", from_code="DC1",
            to_code="BR1", quantity=30.0, status="pending_approval",
        )  # fmt: skip
        add_recommendation(
            bench.wired.engine, plan, kind="transfer", sku="A100", from_code="DC1",
            to_code="BR1", quantity=99.0, status="rejected",
        )  # fmt: skip
        yield bench


def _warehouses(body: dict) -> dict[str, dict]:
    return {w["code"]: w for w in body["warehouses"]}


def test_warehouses_with_their_place_in_the_network(bench):
    found = _warehouses(bench.get("/network", "bea", **AS_OF))
    assert sorted(found) == ["BR1", "BR2", "DC1"]
    br1 = found["BR1"]
    assert (br1["name"], br1["type"], br1["parent"], br1["region"]) == (
        "North branch", "branch", "DC1", "North",
    )  # fmt: skip
    assert found["DC1"]["parent"] is None
    assert found["DC1"]["item_locations"] == 6


def test_short_items_are_available_below_the_lines_due(bench):
    found = _warehouses(bench.get("/network", "bea", **AS_OF))
    # BR2: B300 has 0 available against SO-1002's 48 - 24 = 24 open and SO-1004's 36:
    # 60 short x 2.10 = 126.00
    short = found["BR2"]["health"]["short"]
    assert (short["items"], short["units"], short["value"]) == (1, 60.0, 126.0)
    assert short["top"] == [{"sku": "B300", "units": 60.0, "unit_cost": 2.1, "value": 126.0}]
    # BR1 covers its lines: A100 64 - 12 allocated = 52 >= 12, C500 4 >= 2, C600 70 >= 20
    assert found["BR1"]["health"]["short"]["items"] == 0


def test_excess_is_stock_above_sixty_days_of_demand(bench):
    found = _warehouses(bench.get("/network", "bea", **AS_OF))
    # BR2: C600 55 on hand against 60 x 17 / 28 = 36.43 -> 18.57 x 3.25 = 60.36; B400 14
    # against 60 x 6 / 28 = 12.86 -> 1.14 x 5.40 = 6.17; together 66.53
    excess = found["BR2"]["health"]["excess"]
    assert (excess["items"], excess["value"]) == (2, 66.53)
    assert [(i["sku"], i["units"], i["value"]) for i in excess["top"]] == [
        ("C600", 18.5714, 60.36),
        ("B400", 1.1429, 6.17),
    ]
    assert found["BR1"]["health"]["excess"]["items"] == 0  # all within 60 days
    # DC1 serves both branches, so their demand is its demand: A100 420 - 60 x 92 / 28 =
    # 222.86 x 6.20 = 1,381.71; C600 380 - 130.71 = 249.29 x 3.25 = 810.18; A200 310 - 150
    # = 160 x 3.80 = 608.00; B300 540 - 345 = 195 x 2.10 = 409.50; B400 95 - 34.29 = 60.71
    # x 5.40 = 327.86; C500 22 is below 42.86
    dc1 = found["DC1"]["health"]["excess"]
    assert [(i["sku"], i["value"]) for i in dc1["top"]] == [
        ("A100", 1381.71), ("C600", 810.18), ("A200", 608.0), ("B300", 409.5), ("B400", 327.86),
    ]  # fmt: skip
    assert dc1["value"] == 3537.25


def test_transfer_flows_per_lane(bench):
    flows = {
        (f["from"], f["to"]): f for f in bench.get("/network", "bea", **AS_OF)["transfer_flows"]
    }
    assert sorted(flows) == [("BR1", "BR2"), ("DC1", "BR1"), ("DC1", "BR2")]
    # TO-7002 in transit: 40 A100 x 6.20 + 72 B300 x 2.10 = 248.00 + 151.20 = 399.20
    assert flows["DC1", "BR2"]["open_transfer_orders"] == {
        "count": 1,
        "units": 112.0,
        "value": 399.2,
    }
    # TO-7003 planned: 10 C600 x 3.25
    assert flows["BR1", "BR2"]["open_transfer_orders"] == {"count": 1, "units": 10.0, "value": 32.5}
    # the pending recommendation; TO-7001 is received and the rejected one is not a flow
    assert flows["DC1", "BR1"]["recommended_transfers"] == {
        "count": 1, "units": 30.0, "value": 186.0,
    }  # fmt: skip
    assert flows["DC1", "BR1"]["open_transfer_orders"]["count"] == 0


def test_a_planner_sees_no_money_at_unit_cost(bench):
    body = bench.get("/network", "pat", **AS_OF)
    br2 = _warehouses(body)["BR2"]
    assert br2["health"]["short"]["value"] is None
    assert br2["health"]["short"]["top"][0] == {
        "sku": "B300", "units": 60.0, "unit_cost": None, "value": None,
    }  # fmt: skip
    assert "warehouses.1.health.short.top.0.unit_cost" in body["masked_fields"]
    assert all(f["open_transfer_orders"]["value"] is None for f in body["transfer_flows"])
    text = json.dumps(body)
    assert "126.0" not in text
    assert "399.2" not in text


def test_a_person_of_some_sites_sees_those_and_the_lanes_touching_them(bench):
    body = bench.get("/network", "nora", **AS_OF)
    assert [w["code"] for w in body["warehouses"]] == ["BR1"]
    lanes = [(f["from"], f["to"]) for f in body["transfer_flows"]]
    assert lanes == [("BR1", "BR2"), ("DC1", "BR1")]


def test_a_bad_horizon_names_the_field(bench):
    response = bench.client.get("/api/v1/network?horizon_days=0", headers=bench.headers("pat"))
    assert response.status_code == 422
    assert response.json()["field"] == "query.horizon_days"


def test_unit_costs_are_decimal_money(bench):
    # the reads hand money over as Decimal, so sums like 0.1 + 0.2 stay exact
    assert bench.wired.network.unit_costs()["A100"] == Decimal("6.2")
