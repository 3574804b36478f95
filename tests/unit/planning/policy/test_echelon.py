"""Two-echelon targets: pooled DC demand, DC wait, and the pooling benefit."""

import numpy as np
import pytest
from scipy import optimize

from crossdock.planning.policy import (
    EchelonTargets,
    lead_time_demand,
    normal_loss,
    size_for_fill_rate,
    two_echelon_targets,
)

BRANCHES = 4


def network(dc_fill_rate: float = 0.97) -> EchelonTargets:
    return two_echelon_targets(
        branch_demand_mean=[10.0] * BRANCHES,
        branch_demand_std=[5.0] * BRANCHES,
        branch_dc=[0] * BRANCHES,
        lane_lead_time_mean=2.0,
        branch_fill_rate=0.97,
        supplier_lead_time_mean=20.0,
        dc_fill_rate=dc_fill_rate,
    )


def test_dc_plans_for_the_sum_of_means_and_the_pooled_variance() -> None:
    targets = network()
    assert targets.dc_demand_mean.tolist() == [40.0]
    assert targets.dc_demand_std[0] == pytest.approx(10.0, abs=1e-12)  # sqrt(4 * 5**2)


def test_branches_wait_longer_when_the_dc_is_short_more_often() -> None:
    tight, loose = network(dc_fill_rate=0.995), network(dc_fill_rate=0.90)
    assert 0.0 < tight.dc_expected_wait[0] < loose.dc_expected_wait[0]
    # wait = DC units short per cycle / DC demand per period (Little's law)
    assert tight.dc_expected_wait[0] == pytest.approx(
        tight.dc.expected_shortage_per_cycle[0] / 40.0, abs=1e-12
    )
    assert (loose.branch.safety_stock > tight.branch.safety_stock).all()


def test_pooling_at_the_dc_needs_less_total_safety_stock_than_decentralised_branches() -> None:
    # Decentralised: each branch buys from the supplier itself, over 20 + 2 periods.
    alone = lead_time_demand(
        demand_mean=[10.0] * BRANCHES,
        demand_std=[5.0] * BRANCHES,
        lead_time_mean=22.0,
        review_period=1.0,
    )
    decentralised = size_for_fill_rate(
        alone, fill_rate=0.97, cycle_quantity=10.0
    ).safety_stock.sum()
    targets = network()
    pooled = targets.dc.safety_stock.sum() + targets.branch.safety_stock.sum()
    sigma = 5.0 * np.sqrt(23.0)  # 22 periods of lead time + 1 of review
    k = optimize.brentq(lambda x: float(normal_loss(x)) - 0.03 * 10.0 / sigma, 0.0, 8.0, xtol=1e-14)
    assert decentralised == pytest.approx(BRANCHES * k * sigma, abs=1e-6)
    assert pooled < 0.75 * decentralised


def test_serial_line_with_a_reliable_dc_sizes_the_branch_over_the_lane_only() -> None:
    targets = two_echelon_targets(
        branch_demand_mean=[10.0],
        branch_demand_std=[5.0],
        branch_dc=[0],
        lane_lead_time_mean=2.0,
        branch_fill_rate=0.97,
        supplier_lead_time_mean=20.0,
        dc_fill_rate=0.999999,
    )
    lane_only = size_for_fill_rate(
        lead_time_demand(demand_mean=10.0, demand_std=5.0, lead_time_mean=2.0, review_period=1.0),
        fill_rate=0.97,
        cycle_quantity=10.0,
    )
    assert targets.dc_demand_std[0] == pytest.approx(5.0, abs=1e-12)
    assert targets.branch.safety_stock[0] == pytest.approx(lane_only.safety_stock[0], rel=1e-4)
