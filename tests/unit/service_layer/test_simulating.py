"""Comparing policies on a small synthetic network: tuning, calibration, the results
document and what it sums."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from crossdock.planning.simulation import Costs, EmpiricalLeadTimes, SimulationInputs
from crossdock.service_layer.simulating import SimulationSettings, compare_policies
from crossdock.service_layer.simulation_network import SimulationNetwork


def network(periods: int = 40, seed: int = 0) -> SimulationNetwork:
    """One DC feeding four branches, two items; lumpy weekly demand."""
    rng = np.random.default_rng(seed)
    locations = ["DC", "B1", "B2", "B3", "B4"]
    rows = pd.DataFrame(
        [(sku, loc) for sku in ("X", "Y") for loc in locations], columns=["sku", "location_code"]
    )
    rows["series"] = rows["sku"] + "@" + rows["location_code"]
    rows["location_type"] = np.where(rows["location_code"] == "DC", "dc", "branch")
    rows["parent_row"] = np.where(rows["location_type"] == "dc", -1, np.repeat([0, 5], 5))
    demand = rng.poisson(rng.uniform(2, 12, size=(10, 1)), size=(10, periods)).astype(float)
    demand *= rng.random((10, periods)) < 0.8
    demand[rows["location_type"] == "dc"] = 0.0
    inputs = SimulationInputs(
        demand=demand,
        on_hand=np.where(rows["location_type"] == "dc", 60.0, 15.0),
        lead_times=EmpiricalLeadTimes.of(
            [[1, 2, 2, 4], [1]], np.where(rows["location_type"] == "dc", 0, 1)
        ),
        unit_cost=np.repeat([2.0, 5.0], 5),
        parent=rows["parent_row"].to_numpy(),
        costs=Costs(holding_rate=0.005, order_cost=20.0, transfer_cost=3.0, shortage_cost=1.5),
    )
    return SimulationNetwork(
        rows=rows,
        inputs=inputs,
        period_starts=pd.date_range("2024-01-04", periods=periods, freq="7D"),
        bucket="W",
        drivers=None,
    )


CHEAP = ("min_max", "min_max_abc", "normal", "oracle")


def test_tuned_and_calibrated_policies_reach_the_target_and_the_oracle_needs_least():
    results = compare_policies(
        network(), SimulationSettings(target_fill_rate=0.95, policies=CHEAP, warmup_periods=6)
    )
    by_kind = {p["kind"]: p for p in results["policies"]}
    for kind in ("min_max", "min_max_abc", "normal"):
        assert by_kind[kind]["network"]["fill_rate"] >= 0.95, kind
    assert by_kind["normal"]["reaches_target"] is True
    oracle = by_kind["oracle"]["network"]
    assert oracle["average_on_hand_value"] < min(
        by_kind[k]["network"]["average_on_hand_value"] for k in ("min_max", "normal")
    )
    # per ABC class is at least as lean as one multiplier for all
    assert (
        by_kind["min_max_abc"]["network"]["average_on_hand_value"]
        <= by_kind["min_max"]["network"]["average_on_hand_value"] + 1e-9
    )


def test_locations_add_up_to_the_network_and_costs_to_their_total():
    results = compare_policies(
        network(), SimulationSettings(policies=("min_max", "oracle"), warmup_periods=6)
    )
    for policy in results["policies"]:
        locations = policy["locations"]
        assert sorted(x["location_code"] for x in locations) == ["B1", "B2", "B3", "B4", "DC"]
        assert sum(x["average_on_hand"] for x in locations) == pytest.approx(
            policy["network"]["average_on_hand"]
        )
        costs = policy["costs"]
        parts = ("holding", "ordering", "transport", "expedite", "shortage")
        assert costs["total"] == pytest.approx(sum(costs[p] for p in parts))
        assert len(policy["on_hand_value_by_period"]) == 40
    assert results["network"] == {
        "item_locations": 10,
        "items": 2,
        "locations": 5,
        "dcs": 1,
        "branches": 4,
    }


def test_a_sweep_draws_a_frontier_of_more_stock_for_more_service():
    results = compare_policies(
        network(),
        SimulationSettings(
            policies=("min_max", "normal"), sweep=(0.8, 0.9, 0.97), warmup_periods=6
        ),
    )
    for curve in results["frontier"]:
        values = [p["average_on_hand_value"] for p in curve["points"]]
        fills = [p["fill_rate"] for p in curve["points"]]
        assert values == sorted(values), curve["policy"]
        assert min(fills[-1], 1.0) >= 0.97 - 1e-9


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"policies": ("min_max", "magic")}, "policies: unknown ['magic']"),
        ({"target_fill_rate": 1.0}, "target_fill_rate: need a share in (0, 1), got 1.0"),
        ({"warmup_periods": 40}, "warmup_periods: 40 leaves none of the 40 periods"),
    ],
)
def test_bad_settings_are_refused_naming_them(changes: dict[str, object], message: str):
    with pytest.raises(ValueError, match=re.escape(message)):
        compare_policies(network(), SimulationSettings(**changes))  # type: ignore[arg-type]
