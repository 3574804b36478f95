"""The simulation kernel: hand-computed cases, conservation, seeds and no peeking."""

from __future__ import annotations

import numpy as np
import pytest

from crossdock.planning.simulation import (
    EmpiricalLeadTimes,
    SimulationInputs,
    base_stock,
    normal_reorder_policy,
    simulate,
    static_min_max,
)


def one_row(demand: list[float], on_hand: float, lead_time: int) -> SimulationInputs:
    return SimulationInputs(
        demand=np.array([demand], dtype=np.float64),
        on_hand=np.array([on_hand]),
        lead_times=EmpiricalLeadTimes.fixed(lead_time, 1),
    )


def random_inputs(seed: int, rows: int = 40, periods: int = 60) -> SimulationInputs:
    rng = np.random.default_rng(seed)
    demand = rng.poisson(rng.uniform(0.2, 8.0, size=(rows, 1)), size=(rows, periods))
    demand = demand * (rng.random((rows, periods)) < 0.7)  # some intermittency
    return SimulationInputs(
        demand=demand.astype(np.float64),
        on_hand=rng.integers(0, 30, size=rows).astype(np.float64),
        lead_times=EmpiricalLeadTimes.of(
            [[1, 2, 2, 3], [4, 6, 9], [0, 1]], rng.integers(0, 3, size=rows)
        ),
        moq=rng.choice([0.0, 5.0, 20.0], size=rows),
        order_multiple=rng.choice([1, 2, 6], size=rows),
    )


def test_min_max_by_hand():
    # min 6, max 12, lead time 2 (received at the end of t + 2): orders at t1 (8 units),
    # t4 (7) and t7 (8, still on order at the end); t3, t6 and t9 run short (2, 1, 2 lost)
    run = simulate(one_row([3] * 10, 10, 2), static_min_max([3.0], min_periods=2, max_periods=4))
    assert run.on_hand[0].tolist() == [7, 4, 1, 0, 5, 2, 0, 4, 1, 0]
    assert (run.total("orders").tolist(), run.total("ordered").tolist()) == ([3], [23])
    assert (run.total("received").tolist(), run.end_on_order.tolist()) == ([15], [8])
    assert run.metrics()["fill_rate"] == pytest.approx(25 / 30)


def test_base_stock_with_lost_sales_by_hand():
    # S = 5, lead time 1: each period orders what was sold, received two periods later;
    # the 9 finds 3 on hand and 6 are lost
    run = simulate(one_row([2, 9, 1, 0], 5, 1), base_stock([5.0]), lost_sales=True)
    assert run.on_hand[0].tolist() == [3, 0, 1, 4]
    assert (run.total("filled").tolist(), run.total("short").tolist()) == ([6], [6])
    assert run.metrics()["stockout_periods"] == 1
    assert run.metrics()["fill_rate"] == pytest.approx(6 / 12)


def test_base_stock_with_backorders_by_hand():
    # the same, but the 6 short are owed (position -4, so 9 are ordered); period 2's
    # receipt of 2 goes to them, period 2's own unit waits too; period 3's 9 clear it all
    run = simulate(one_row([2, 9, 1, 0], 5, 1), base_stock([5.0]), lost_sales=False)
    assert run.on_hand[0].tolist() == [3, 0, 0, 4]
    assert run.total("ordered").tolist() == [2 + 9 + 1]
    assert (run.total("filled").tolist(), run.total("shipped").tolist()) == ([5], [12])
    assert (run.end_backorders.tolist(), run.metrics()["stockout_periods"]) == ([0], 2)


def test_orders_are_placed_only_at_reviews_and_rounded():
    inputs = SimulationInputs(
        demand=np.full((1, 9), 4.0),
        on_hand=np.array([0.0]),
        lead_times=EmpiricalLeadTimes.fixed(1, 1),
        moq=np.array([10.0]),
        order_multiple=np.array([4]),
    )
    run = simulate(inputs, base_stock([1.0]), review_period=3)
    # reviews at 0, 3, 6; at 3 the position is 4 (above S - 1 = 0), so no order; each
    # order wants 1 unit -> MOQ 10 -> multiple of 4: 12, received two periods later
    assert (run.total("orders").tolist(), run.total("ordered").tolist()) == ([2], [24])
    assert run.on_hand[0].tolist() == [0, 0, 8, 4, 0, 0, 0, 0, 8]


@pytest.mark.parametrize("lost_sales", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_units_are_conserved_for_every_item_location(seed: int, lost_sales: bool):
    inputs = random_inputs(seed)
    policy = static_min_max(inputs.demand.mean(axis=1), min_periods=2, max_periods=5)
    run = simulate(inputs, policy, review_period=2, lost_sales=lost_sales, seed=seed)
    balance = run.start_on_hand + run.total("received") - run.total("shipped") - run.end_on_hand
    assert np.array_equal(balance, np.zeros_like(balance))
    assert np.array_equal(run.total("ordered"), run.total("received") + run.end_on_order)
    demand = run.demand.sum(axis=1)
    if lost_sales:
        assert np.array_equal(demand, run.total("filled") + run.total("short"))
    else:
        assert np.array_equal(demand, run.total("shipped") + run.end_backorders)
    assert (run.on_hand >= 0).all()


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    inputs = random_inputs(7)
    policy = base_stock(inputs.demand.mean(axis=1) * 6)
    first, again = simulate(inputs, policy, seed=11), simulate(inputs, policy, seed=11)
    other = simulate(inputs, policy, seed=12)
    assert np.array_equal(first.on_hand, again.on_hand)
    assert not np.array_equal(first.on_hand, other.on_hand)


def test_cutting_off_the_future_changes_nothing_before_the_cut():
    inputs = random_inputs(5, periods=80)
    policy = base_stock(inputs.demand[:, :20].mean(axis=1) * 6)
    cut = SimulationInputs(
        demand=inputs.demand[:, :50],
        on_hand=inputs.on_hand,
        lead_times=inputs.lead_times,
        moq=inputs.moq,
        order_multiple=inputs.order_multiple,
    )
    full, short = simulate(inputs, policy, seed=3), simulate(cut, policy, seed=3)
    assert np.array_equal(full.on_hand[:, :50], short.on_hand)


def test_a_negative_demand_is_refused_naming_row_period_and_value():
    inputs = one_row([1, 2, -3], 5, 1)
    with pytest.raises(ValueError, match=r"demand of row 0, period 2: -3\.0 is not"):
        simulate(inputs, base_stock([5.0]))


def test_lead_times_name_the_group_and_value_they_refuse():
    with pytest.raises(ValueError, match=r"lead times of group 1: 2\.5 is not a whole number"):
        EmpiricalLeadTimes.of([[1, 2], [2.5]], [0, 1])
    with pytest.raises(ValueError, match="lead-time group of row 1: 4 names no group"):
        EmpiricalLeadTimes.of([[1]], [0, 4])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("order_multiple", 2.5, r"order_multiple of row 0: 2\.5 is not a whole number >= 1"),
        ("moq", -1.0, r"moq of row 0: -1\.0 is not >= 0"),
        ("on_hand", float("nan"), r"on_hand of row 0: nan is not >= 0"),
    ],
)
def test_supply_terms_are_refused_naming_field_row_and_value(field, value, message):
    terms = {"on_hand": np.array([5.0]), field: np.array([value])}
    inputs = SimulationInputs(
        demand=np.ones((1, 3)), lead_times=EmpiricalLeadTimes.fixed(1, 1), **terms
    )
    with pytest.raises(ValueError, match=message):
        simulate(inputs, base_stock([5.0]))


def test_normal_reorder_levels_by_hand_and_what_base_stock_delivers_on_normal_demand():
    # mean 10, std 3 a period, lead time 2, review 1: over 3 periods mean 30, std 3 x sqrt(3)
    policy = normal_reorder_policy(
        demand_mean=[10.0],
        demand_std=[3.0],
        lead_time_mean=[2.0],
        review_period=1.0,
        cycle_service_level=0.95,
        order_quantity=[25.0],
    )
    s = 30 + 1.6448536 * 3 * np.sqrt(3)
    assert policy.reorder_point == pytest.approx([s], rel=1e-6)
    assert policy.order_up_to == pytest.approx([s + 25], rel=1e-6)
    rng = np.random.default_rng(2)
    demand = np.clip(np.round(rng.normal(10, 3, size=(200, 300))), 0, None)
    inputs = SimulationInputs(
        demand=demand, on_hand=np.full(200, 40.0), lead_times=EmpiricalLeadTimes.fixed(2, 200)
    )
    many = normal_reorder_policy(
        demand_mean=np.full(200, 10.0),
        demand_std=np.full(200, 3.0),
        lead_time_mean=np.full(200, 2.0),
        cycle_service_level=0.95,
    )
    # base stock (R, S), R = 1: a cycle is a period, about 95% of them without a stockout
    assert simulate(inputs, many, lost_sales=False).metrics()["cycle_service_level"] == (
        pytest.approx(0.95, abs=0.02)
    )
