"""The perfect-foresight oracle and the planning engine as policies: hand cases, no
peeking, and what each delivers on simple networks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crossdock.planning.simulation import EmpiricalLeadTimes, SimulationInputs, simulate
from crossdock.planning.simulation.engine import CrossdockPolicy, EngineSetup
from crossdock.planning.simulation.oracle import perfect_foresight


def test_the_oracle_orders_exactly_the_next_periods_demand_by_hand():
    # lead time 1: an order at the end of t arrives for t + 2; the next review's order
    # serves t + 3 on, so each order covers one period: the demand of t + 2
    inputs = SimulationInputs(
        demand=np.array([[3.0, 5.0, 2.0, 4.0, 6.0, 1.0]]),
        on_hand=np.array([8.0]),
        lead_times=EmpiricalLeadTimes.fixed(1, 1),
    ).checked()
    run = simulate(inputs, perfect_foresight(inputs))
    # period 0: 8 - 3 = 5 on hand, covers period 1 (5); order 2 (period 2's demand)
    assert run.records["ordered"][0].tolist() == [2, 4, 6, 1, 0, 0]
    assert run.on_hand[0].tolist() == [5, 0, 0, 0, 0, 0]
    assert run.metrics()["fill_rate"] == 1.0


def test_the_oracle_feeds_branches_through_their_dc_without_a_stockout():
    rng = np.random.default_rng(3)
    periods = 30
    demand = np.vstack([np.zeros((1, periods)), rng.poisson(6.0, size=(3, periods))]).astype(float)
    inputs = SimulationInputs(
        demand=demand,
        on_hand=np.array([60.0, 15.0, 15.0, 15.0]),
        lead_times=EmpiricalLeadTimes.of([[2, 3], [1]], [0, 1, 1, 1]),
        parent=np.array([-1, 0, 0, 0]),
    ).checked()
    run = simulate(inputs, perfect_foresight(inputs, seed=5), seed=5)
    # the DC's 60 units cannot cover the 67 its branches ask for before its first order
    # arrives (period 4), so period 3's transfer falls short and a branch with it two
    # periods later; from then on nothing is short
    assert np.argwhere(run.records["transfer_short"] > 0)[:, 1].max() == 3
    assert run.metrics(start=6)["fill_rate"] == 1.0
    # just in time: once the starting stock has run down, the DC holds less than a third
    # of a period of its branches' demand (stock waits only where lead times cross)
    assert run.on_hand[0, 10:].mean() < 6.0


def weekly_network(periods: int, seed: int = 0) -> tuple[SimulationInputs, EngineSetup]:
    """A DC (row 0) feeding three branches with Poisson demand around 20 a week."""
    rng = np.random.default_rng(seed)
    demand = np.vstack([np.zeros((1, periods)), rng.poisson(20.0, size=(3, periods))])
    inputs = SimulationInputs(
        demand=demand.astype(float),
        on_hand=np.array([120.0, 40.0, 40.0, 40.0]),
        lead_times=EmpiricalLeadTimes.of([[2], [1]], [0, 1, 1, 1]),
        parent=np.array([-1, 0, 0, 0]),
    )
    data = inputs.checked()
    setup = EngineSetup(
        series=["A@DC", "A@B1", "A@B2", "A@B3"],
        period_starts=pd.date_range("2024-01-04", periods=periods, freq="7D"),
        freq="W",
        lead_time_mean=data.lead_times.mean(),
        lead_time_std=data.lead_times.std(),
        fill_rate=np.full(4, 0.97),
        parent=data.parent,
        refit_every=8,
        min_history=8,
    )
    return inputs, setup


@pytest.mark.filterwarnings("ignore")
def test_the_engine_never_peeks_cutting_off_the_future_changes_nothing_before_the_cut():
    inputs, setup = weekly_network(40)
    cut = SimulationInputs(
        demand=inputs.demand[:, :26],
        on_hand=inputs.on_hand,
        lead_times=inputs.lead_times,
        parent=inputs.parent,
    )
    full = simulate(inputs, CrossdockPolicy(setup))
    short = simulate(cut, CrossdockPolicy(setup))
    assert np.array_equal(full.records["ordered"][:, :26], short.records["ordered"])
    assert np.array_equal(full.on_hand[:, :26], short.on_hand)


@pytest.mark.filterwarnings("ignore")
def test_the_engine_serves_steady_demand_near_its_target_with_little_stock():
    inputs, setup = weekly_network(52, seed=1)
    engine = CrossdockPolicy(setup)
    run = simulate(inputs, engine)
    branches = np.array([False, True, True, True])
    figures = run.metrics(branches, start=12)
    # Poisson(20) weekly, lane 1 week + review 1 week: the level is about 40 + safety;
    # a branch ends a week with that less two weeks of demand in flight and sold
    assert figures["fill_rate"] >= 0.95
    assert 5.0 <= run.on_hand[1:, 12:].mean() <= 40.0
    assert engine.refits == 7  # periods 0, 8, ..., 48


@pytest.mark.filterwarnings("ignore")
def test_the_engine_expedites_a_buy_only_when_a_unit_short_costs_more():
    # one row buying on a 4-period lead time (expedited: 0) that starts with 2 periods of
    # stock: a normal order cannot arrive in time, an expedited one can
    periods = 20
    demand = np.full((1, periods), 10.0)
    inputs = SimulationInputs(
        demand=demand,
        on_hand=np.array([20.0]),
        lead_times=EmpiricalLeadTimes.fixed(4, 1),
        expedite_lead_time=np.array([0]),
    )
    data = inputs.checked()

    def engine(shortage: float) -> CrossdockPolicy:
        return CrossdockPolicy(
            EngineSetup(
                series=["A@DC"],
                period_starts=pd.date_range("2024-01-04", periods=periods, freq="7D"),
                freq="W",
                lead_time_mean=data.lead_times.mean(),
                lead_time_std=data.lead_times.std(),
                fill_rate=np.array([0.97]),
                parent=data.parent,
                min_history=1,
                expedite_lead_time=data.expedite_lead_time,
                expedite_cost=np.array([1.0]),
                shortage_cost=np.array([shortage]),
            )
        )

    worth_it = simulate(data, engine(shortage=5.0))
    not_worth_it = simulate(data, engine(shortage=0.5))
    assert worth_it.records["expedites"][0, 0] == 1  # the first review sees the gap
    assert worth_it.records["orders"][0, 0] == 2  # and orders the rest normally
    assert worth_it.metrics()["fill_rate"] > not_worth_it.metrics()["fill_rate"]
    assert not_worth_it.metrics()["expedites"] == 0
