"""DCs feeding branches: transfers from the DC's stock, shared when it is short, lane
capacities, expedites, costs, and units conserved across the network."""

from __future__ import annotations

import numpy as np
import pytest

from crossdock.planning.simulation import (
    Costs,
    EmpiricalLeadTimes,
    Orders,
    PolicyView,
    SimulationInputs,
    base_stock,
    simulate,
    static_min_max,
)


class AskOnce:
    """Asks for fixed quantities at period 0 only, optionally expedited."""

    name = "ask once"

    def __init__(self, quantity: list[float], expedite: list[float] | None = None) -> None:
        self.quantity = np.array(quantity, dtype=np.float64)
        self.expedite = None if expedite is None else np.array(expedite, dtype=np.float64)

    def order(self, view: PolicyView) -> Orders:
        if view.period == 0:
            return Orders(self.quantity, self.expedite)
        return Orders(np.zeros_like(self.quantity))


def dc_and_two_branches(periods: int = 4, **changes: object) -> SimulationInputs:
    # row 0: the DC (buys, lead time 2); rows 1 and 2: branches fed over lanes 0 and 1
    # (transit 1 period)
    fields: dict[str, object] = {
        "demand": np.zeros((3, periods)),
        "on_hand": np.array([10.0, 0.0, 0.0]),
        "lead_times": EmpiricalLeadTimes.of([[2], [1]], [0, 1, 1]),
        "parent": np.array([-1, 0, 0]),
    }
    fields.update(changes)
    return SimulationInputs(**fields)  # type: ignore[arg-type]


def test_a_short_dc_shares_its_stock_in_proportion_and_largest_remainders_get_the_rest():
    # 10 on hand, asked 8 and 4: exact shares 6.67 and 3.33 -> 6 and 3, the spare unit to
    # the larger remainder (row 1); received at the end of period 1
    run = simulate(dc_and_two_branches(), AskOnce([0.0, 8.0, 4.0]))
    assert run.records["transferred_out"][0, 0] == 10
    assert run.on_hand[:, 2].tolist() == [0, 7, 3]
    assert run.records["transfer_short"][1:, 0].tolist() == [1, 1]
    assert run.metrics()["transfers"] == 2


def test_a_lane_carries_at_most_its_capacity_per_period():
    inputs = dc_and_two_branches(
        on_hand=np.array([100.0, 0.0, 0.0]),
        lane=np.array([-1, 0, 0]),  # both branches on one lane of 6 units a period
        lane_capacity=np.array([6.0]),
    )
    run = simulate(inputs, AskOnce([0.0, 8.0, 4.0]))
    assert run.records["moved"][1:, 0].tolist() == [4, 2]
    assert run.on_hand[0, 0] == 94


def test_an_expedited_buy_takes_the_shortest_lead_time_and_costs_its_premium():
    inputs = SimulationInputs(
        demand=np.zeros((2, 6)),
        on_hand=np.zeros(2),
        lead_times=EmpiricalLeadTimes.of([[1, 4, 4, 4]], [0, 0]),
        expedite_lead_time=np.array([0, 0]),
        costs=Costs(expedite_cost=2.5, order_cost=10.0, transport_cost=0.5),
    )
    run = simulate(inputs, AskOnce([0.0, 5.0], expedite=[5.0, 0.0]), seed=4)
    # placed at the end of period 0 with lead time 0: there from period 1 on; the other
    # buy takes one of the observed 1 or 4 periods
    assert run.on_hand[:, 1].tolist() == [5, 0]
    assert run.on_hand[1, 2] + run.on_hand[1, 5] >= 5
    metrics = run.metrics()
    assert metrics["expedites"] == 1
    assert metrics["expedite_cost"] == pytest.approx(5 * 2.5)
    assert metrics["ordering_cost"] == pytest.approx(20.0)
    assert metrics["transport_cost"] == pytest.approx(10 * 0.5)


def test_costs_add_up_by_hand():
    # one row, min/max 6/12 on demand 3 a period, lead time 2: see test_min_max_by_hand
    inputs = SimulationInputs(
        demand=np.full((1, 10), 3.0),
        on_hand=np.array([10.0]),
        lead_times=EmpiricalLeadTimes.fixed(2, 1),
        unit_cost=np.array([4.0]),
        costs=Costs(holding_rate=0.01, order_cost=7.0, shortage_cost=3.0),
    )
    metrics = simulate(inputs, static_min_max([3.0], min_periods=2, max_periods=4)).metrics()
    on_hand = [7, 4, 1, 0, 5, 2, 0, 4, 1, 0]
    assert metrics["holding_cost"] == pytest.approx(sum(on_hand) * 4.0 * 0.01)
    assert metrics["ordering_cost"] == pytest.approx(3 * 7.0)
    assert metrics["shortage_cost"] == pytest.approx(5 * 3.0)
    parts = ("holding", "ordering", "transport", "expedite", "shortage")
    assert metrics["total_cost"] == pytest.approx(sum(metrics[f"{p}_cost"] for p in parts))


@pytest.mark.parametrize("lost_sales", [True, False])
@pytest.mark.parametrize("seed", [1, 2])
def test_units_are_conserved_across_a_network(seed: int, lost_sales: bool):
    rng = np.random.default_rng(seed)
    branches, periods = 6, 40
    demand = np.vstack(
        [np.zeros((1, periods)), rng.poisson(3.0, size=(branches, periods)).astype(float)]
    )
    inputs = SimulationInputs(
        demand=demand,
        on_hand=rng.integers(0, 20, size=branches + 1).astype(float),
        lead_times=EmpiricalLeadTimes.of([[2, 3, 5], [0, 1, 2]], [0] + [1] * branches),
        parent=np.array([-1] + [0] * branches),
        lane=np.array([-1] + [0] * 3 + [1] * 3),
        lane_capacity=np.array([10.0, np.inf]),
        moq=np.array([30.0] + [0.0] * branches),
    )
    mean = demand[1:].mean()
    levels = np.array([mean * branches * 6] + [mean * 3] * branches)
    run = simulate(inputs, base_stock(levels), lost_sales=lost_sales, seed=seed)
    received, shipped = run.total("received"), run.total("shipped")
    balance = run.start_on_hand + received - shipped - run.total("transferred_out")
    assert np.allclose(balance - run.end_on_hand, 0.0)
    assert np.allclose(run.total("moved"), received + run.end_on_order)
    assert run.total("transferred_out")[0] == run.total("moved")[1:].sum()
    assert (run.on_hand >= 0).all()
    assert run.records["moved"][1:4].sum(axis=0).max() <= 10


def test_a_network_refuses_a_branch_fed_by_a_branch():
    inputs = dc_and_two_branches(parent=np.array([-1, 0, 1]))
    with pytest.raises(ValueError, match=r"parent of row 2: 1.0 is itself fed by a DC"):
        inputs.checked()
