import numpy as np
import pandas as pd

from crossdock.planning.decisions import decide

BASE = {
    "demand_std": 10.0,
    "unit_cost": 10.0,
    "holding_rate": 0.25,
    "shortage_penalty": 20.0,
    "horizon_days": 14,
}


def _positions(rows: list[tuple[str, str, float, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["sku", "location_code", "available", "demand_mean", "reorder_point"]
    )
    return frame.assign(**BASE)


def test_lane_capacity_is_shared_by_all_items() -> None:
    positions = _positions(
        [
            ("A", "BR1", 0, 50, 60),
            ("A", "BR2", 300, 40, 80),
            ("B", "BR1", 0, 50, 60),
            ("B", "BR2", 300, 40, 80),
        ]
    )
    lanes = pd.DataFrame(
        {
            "from_code": ["BR2"],
            "to_code": ["BR1"],
            "cost_per_unit": [1.0],
            "transit_days": [2],
            "capacity": [60.0],
        }
    )
    decision = decide(positions, lanes=lanes)
    moved = decision.actions.loc[decision.actions["kind"] == "transfer", "quantity"]
    assert moved.sum() == 60.0


def test_source_never_ships_below_its_reorder_point() -> None:
    positions = _positions([("A", "BR1", 0, 50, 60), ("A", "BR2", 100, 40, 80)])
    lanes = pd.DataFrame(
        {"from_code": ["BR2"], "to_code": ["BR1"], "cost_per_unit": [1.0], "transit_days": [2]}
    )
    decision = decide(positions, lanes=lanes)
    transfer = decision.actions[decision.actions["kind"] == "transfer"]
    assert transfer["quantity"].tolist() == [20.0]


def test_fixed_ordering_cost_larger_than_the_saving_cancels_the_buy() -> None:
    positions = _positions([("A", "BR1", 45, 50, 60)])
    supply = pd.DataFrame(
        {
            "sku": ["A"],
            "location_code": ["BR1"],
            "supplier_code": ["S"],
            "unit_price": [10.0],
            "lead_time_days": [5],
            "ordering_cost": [500.0],
        }
    )
    decision = decide(positions, supply_options=supply)
    assert decision.actions["kind"].tolist() == ["none"]


def test_money_explanation_adds_up_for_every_alternative() -> None:
    positions = _positions([("A", "BR1", 0, 50, 60), ("A", "BR2", 200, 40, 80)])
    lanes = pd.DataFrame(
        {"from_code": ["BR2"], "to_code": ["BR1"], "cost_per_unit": [1.0], "transit_days": [2]}
    )
    supply = pd.DataFrame(
        {
            "sku": ["A", "A"],
            "location_code": ["BR1", "BR2"],
            "supplier_code": ["S", "S"],
            "unit_price": [11.0, 11.0],
            "lead_time_days": [5, 5],
            "moq": [40.0, 40.0],
        }
    )
    decision = decide(positions, lanes=lanes, supply_options=supply)
    alt = decision.alternatives
    parts = ["holding", "shortage", "transport", "ordering", "purchase", "expedite"]
    np.testing.assert_allclose(alt["total"], alt[parts].sum(axis=1))
    np.testing.assert_allclose(alt["savings"], alt["do_nothing_total"] - alt["total"])
    plan = alt[alt["alternative"] == "plan"].iloc[0]
    costs = decision.item_locations
    assert plan["total"] == costs["planned_total"].sum()
    assert plan["do_nothing_total"] == costs["do_nothing_total"].sum()


def test_marginal_savings_is_what_the_plan_loses_without_the_action() -> None:
    # golden scenario a: moving 65 units BR2 -> BR1 saves 1,000.00 - 7.33 at BR1 and
    # 15.34 - 9.11 in holding at BR2, for 65.00 of transport
    positions = pd.DataFrame(
        {
            "sku": ["SKU-A", "SKU-A"],
            "location_code": ["BR1", "BR2"],
            "available": [0.0, 200.0],
            "demand_mean": [50.0, 40.0],
            "reorder_point": [60.0, 80.0],
        }
    ).assign(**BASE)
    lanes = pd.DataFrame(
        {"from_code": ["BR2"], "to_code": ["BR1"], "cost_per_unit": [1.0], "transit_days": [2]}
    )
    decision = decide(positions, lanes=lanes)
    transfer = decision.actions[decision.actions["kind"] == "transfer"].iloc[0]
    assert transfer["quantity"] == 65.0
    assert round(float(transfer["marginal_savings"]), 2) == 933.91
