import numpy as np
import pandas as pd
import pytest

from crossdock.planning.decisions import build_problem, decide
from crossdock.planning.decisions.plan import position_after

COMMON = {
    "in_transit": 0.0,
    "committed_demand": 0.0,
    "unit_cost": 10.0,
    "holding_rate": 0.25,
    "holding_days": 7.0,
    "shortage_penalty": 20.0,
}


def _network(*, with_parents: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "sku": ["F", "F", "F"],
            "location_code": ["DC1", "BR1", "BR2"],
            "parent_code": [None, "DC1", "DC1"] if with_parents else [None, None, None],
            "available": [200.0, 80.0, 80.0],
            "demand_mean": [30.0, 70.0, 70.0],
            "demand_std": [5.0, 10.0, 10.0],
            "reorder_point": [50.0, 80.0, 80.0],
            "horizon_days": [30, 7, 7],
        }
    )
    return frame.assign(**COMMON)


LANES = pd.DataFrame(
    {
        "from_code": ["DC1", "DC1", "BR1"],
        "to_code": ["BR1", "BR2", "BR2"],
        "cost_per_unit": [0.2, 0.2, 0.3],
        "transit_days": [1, 1, 1],
    }
)
SUPPLY = pd.DataFrame(
    {
        "sku": ["F"],
        "location_code": ["DC1"],
        "supplier_code": ["SUP1"],
        "unit_price": [10.0],
        "lead_time_days": [21],
        "ordering_cost": [50.0],
    }
)


def test_a_parent_is_priced_as_its_echelon() -> None:
    problem = build_problem(_network(), lanes=LANES, supply_options=SUPPLY)
    assert problem.is_echelon.tolist() == [True, False, False]
    assert problem.base.tolist() == [360.0, 80.0, 80.0]
    # branch demand scaled from 7 to 30 days: mean and variance grow with the days
    assert problem.demand.mean[0] == pytest.approx(30.0 + 2 * 70.0 * 30 / 7)
    assert problem.demand.std[0] == pytest.approx(np.sqrt(25.0 + 2 * 100.0 * 30 / 7))
    assert problem.demand.mean[1] == 70.0  # branches keep their own demand


def test_the_shipper_spares_only_its_own_stock_above_what_it_keeps() -> None:
    problem = build_problem(_network(), lanes=LANES, supply_options=SUPPLY)
    assert problem.spare.tolist() == [150.0, 0.0, 0.0]


def test_moving_stock_inside_an_echelon_leaves_the_echelon_position_unchanged() -> None:
    problem = build_problem(_network(), lanes=LANES, supply_options=SUPPLY)
    quantity = np.zeros(len(problem.actions))
    transfer = np.flatnonzero(
        (problem.actions["kind"] == "transfer") & (problem.actions["to_code"] == "BR1")
    )[0]
    quantity[transfer] = 15.0
    after = position_after(problem, quantity)
    assert after.tolist() == [360.0, 95.0, 80.0]


def test_a_buy_at_a_branch_also_raises_its_echelon() -> None:
    direct = SUPPLY.assign(location_code="BR2", lead_time_days=3)
    supply = pd.concat([SUPPLY, direct], ignore_index=True)
    problem = build_problem(_network(), supply_options=supply)
    quantity = np.zeros(len(problem.actions))
    at_branch = np.flatnonzero(
        (problem.actions["kind"] == "buy") & (problem.actions["to_code"] == "BR2")
    )[0]
    quantity[at_branch] = 10.0
    assert position_after(problem, quantity).tolist() == [370.0, 80.0, 90.0]


def test_the_dc_buys_for_its_branches_only_when_priced_as_an_echelon() -> None:
    pooled = decide(_network(), lanes=LANES, supply_options=SUPPLY)
    alone = decide(_network(with_parents=False), lanes=LANES, supply_options=SUPPLY)
    pooled_buys = pooled.actions[pooled.actions["kind"] == "buy"]
    assert pooled_buys["quantity"].tolist() == [359.0]
    assert "buy" not in set(alone.actions["kind"])


def test_a_transfer_inside_the_echelon_is_explained_without_the_dc() -> None:
    decision = decide(_network(), lanes=LANES, supply_options=SUPPLY)
    alt = decision.alternatives
    option = alt[(alt["location_code"] == "BR1") & (alt["alternative"] == "transfer DC1")]
    assert option["scope"].tolist() == ["F@BR1"]


def test_holding_is_charged_for_holding_days_not_the_horizon() -> None:
    short = build_problem(_network())
    long = build_problem(_network().drop(columns="holding_days"))
    np.testing.assert_allclose(short.holding_per_unit, 10.0 * 0.25 * 7 / 365)
    np.testing.assert_allclose(long.holding_per_unit, 10.0 * 0.25 * np.array([30, 7, 7]) / 365)


def test_unknown_parent_codes_are_ignored() -> None:
    network = _network()
    network.loc[1, "parent_code"] = "DC9"
    problem = build_problem(network)
    assert problem.parent.tolist() == [-1, -1, 0]
    assert problem.base.tolist() == [280.0, 80.0, 80.0]
