import numpy as np
import pandas as pd
import pytest

from crossdock.planning.decisions import (
    HorizonDemand,
    chord_error_bound,
    decide,
    expected_leftover,
    expected_shortage,
    optimal_position,
    position_costs,
    shortage_chords,
)
from crossdock.planning.policy import PolicyInputError


def _demand(mean: float, std: float, committed: float = 0.0, gamma: bool = False) -> HorizonDemand:
    return HorizonDemand(
        np.array([mean]), np.array([std]), np.array([committed]), np.array([gamma])
    )


def test_expected_shortage_at_the_mean_is_sigma_times_normal_loss_at_zero() -> None:
    assert expected_shortage(_demand(50.0, 10.0), np.array([50.0]))[0] == pytest.approx(
        3.989422804014327
    )


def test_committed_orders_shift_the_shortage_curve() -> None:
    shifted = expected_shortage(_demand(50.0, 10.0, committed=40.0), np.array([90.0]))
    assert shifted[0] == pytest.approx(3.989422804014327)


def test_deterministic_demand_is_short_by_exactly_the_gap() -> None:
    assert expected_shortage(_demand(50.0, 0.0), np.array([30.0, 80.0][:1]))[0] == 20.0


def test_gamma_shortage_below_zero_position_adds_the_backlog() -> None:
    at_zero = expected_shortage(_demand(20.0, 10.0, gamma=True), np.array([0.0]))[0]
    below = expected_shortage(_demand(20.0, 10.0, gamma=True), np.array([-5.0]))[0]
    assert at_zero == pytest.approx(20.0)
    assert below == pytest.approx(25.0)


def test_leftover_minus_shortage_is_position_minus_mean() -> None:
    demand = _demand(50.0, 10.0, committed=5.0)
    y = np.array([70.0])
    assert (expected_leftover(demand, y) - expected_shortage(demand, y))[0] == pytest.approx(15.0)


def test_position_costs_price_leftover_and_shortage() -> None:
    holding, shortage = position_costs(
        _demand(50.0, 0.0),
        np.array([60.0]),
        holding_per_unit=np.array([0.5]),
        shortage_penalty=np.array([20.0]),
    )
    assert (holding[0], shortage[0]) == (5.0, 0.0)


def test_optimal_position_meets_the_critical_ratio() -> None:
    # (h + c) / (h + p) = (1 + 1) / (1 + 39) = 0.05 -> z = 1.6448536
    y = optimal_position(
        _demand(50.0, 10.0),
        holding_per_unit=np.array([1.0]),
        shortage_penalty=np.array([39.0]),
        unit_action_cost=np.array([1.0]),
    )
    assert y[0] == pytest.approx(66.44853626951472)


def test_optimal_position_is_minus_infinity_when_the_action_costs_more_than_the_penalty() -> None:
    y = optimal_position(
        _demand(50.0, 10.0),
        holding_per_unit=np.array([1.0]),
        shortage_penalty=np.array([20.0]),
        unit_action_cost=np.array([25.0]),
    )
    assert y[0] == -np.inf


def test_chord_error_stays_within_its_bound() -> None:
    demand = HorizonDemand(
        np.array([50.0, 5.0, 400.0]),
        np.array([10.0, 4.0, 150.0]),
        np.zeros(3),
        np.zeros(3, dtype=bool),
    )
    bound = chord_error_bound(demand)
    assert bound == pytest.approx(np.array([10.0, 4.0, 150.0]) * 0.0124667, rel=1e-4)
    chords = shortage_chords(demand)
    for row in range(3):
        grid = np.linspace(
            demand.mean[row] - 6 * demand.std[row], demand.mean[row] + 6 * demand.std[row], 2001
        )
        many = demand.take(np.full(grid.size, row))
        exact = expected_shortage(many, grid)
        approx = (
            chords.evaluate(grid.reshape(-1, 1).repeat(1, axis=1)[:, 0])
            if False
            else np.array(
                [
                    np.interp(g, chords.points[row], chords.values[row])
                    if g > chords.points[row, 0]
                    else chords.values[row, 0] + chords.points[row, 0] - g
                    for g in grid
                ]
            )
        )
        error = np.max(np.abs(approx - exact))
        assert error <= bound[row]
        assert approx.min() >= exact.min() - 1e-9  # chords lie above a convex curve


def test_chord_slopes_rise_from_minus_one_to_zero() -> None:
    slopes = shortage_chords(_demand(50.0, 10.0)).slopes[0]
    assert np.all(np.diff(slopes) >= -1e-12)
    assert slopes[0] >= -1.0
    assert slopes[-1] <= 0.0


def test_bad_input_names_the_frame_column_and_row() -> None:
    positions = pd.DataFrame(
        {
            "sku": ["A"],
            "location_code": ["W1"],
            "available": ["x"],
            "demand_mean": [1.0],
            "demand_std": [1.0],
            "unit_cost": [1.0],
            "holding_rate": [0.2],
            "shortage_penalty": [1.0],
            "horizon_days": [14],
        }
    )
    with pytest.raises(PolicyInputError, match=r"positions.available\[0\]='x'"):
        decide(positions)
