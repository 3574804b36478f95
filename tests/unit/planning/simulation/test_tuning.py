"""The min/max tuner: the policy it returns reaches the target, a little less does not."""

from __future__ import annotations

import numpy as np
import pytest

from crossdock.planning.simulation import (
    EmpiricalLeadTimes,
    SimulationInputs,
    simulate,
    static_min_max,
    tune_min_max,
)


def network(seed: int = 4) -> SimulationInputs:
    rng = np.random.default_rng(seed)
    rows, periods = 30, 104
    demand = rng.poisson(rng.uniform(1.0, 12.0, size=(rows, 1)), size=(rows, periods))
    return SimulationInputs(
        demand=demand.astype(np.float64),
        on_hand=demand[:, :8].sum(axis=1).astype(np.float64),  # covers the first lead times
        lead_times=EmpiricalLeadTimes.of([[1, 2, 3, 6]], np.zeros(rows, dtype=np.int64)),
    )


def fill_rate(inputs: SimulationInputs, mean: np.ndarray, scale: float) -> float:
    policy = static_min_max(mean, min_periods=2 * scale, max_periods=4 * scale)
    return simulate(inputs, policy, seed=9).metrics()["fill_rate"]


@pytest.mark.parametrize("target", [0.90, 0.97])
def test_the_tuned_min_max_reaches_the_target_and_just_below_it_does_not(target: float):
    inputs = network()
    mean = inputs.demand[:, :26].mean(axis=1)
    tuned = tune_min_max(
        inputs, mean, min_periods=2, max_periods=4, target_fill_rate=target, seed=9
    )
    assert tuned.fill_rate >= target
    assert fill_rate(inputs, mean, tuned.scale) == tuned.fill_rate
    assert fill_rate(inputs, mean, tuned.below) < target
    assert tuned.scale - tuned.below <= 0.01 * tuned.scale
    assert tuned.policy.order_up_to == pytest.approx(mean * 4 * tuned.scale)


def test_a_higher_target_needs_at_least_as_much_stock():
    inputs = network()
    mean = inputs.demand[:, :26].mean(axis=1)
    scales = [
        tune_min_max(inputs, mean, min_periods=2, max_periods=4, target_fill_rate=t).scale
        for t in (0.85, 0.95, 0.99)
    ]
    assert scales == sorted(scales)


def test_an_unreachable_target_names_the_best_fill_rate_reached():
    inputs = network()
    inputs = SimulationInputs(
        demand=inputs.demand,
        on_hand=np.zeros(len(inputs.demand)),
        lead_times=EmpiricalLeadTimes.fixed(200, len(inputs.demand)),  # nothing ever arrives
    )
    with pytest.raises(ValueError, match=r"min/max cannot reach a fill rate of 95\.0%: 0\.00%"):
        tune_min_max(
            inputs, inputs.demand.mean(axis=1), min_periods=2, max_periods=4, target_fill_rate=0.95
        )
