"""Network sizing: single locations alone, DCs and their branches as two echelons."""

import numpy as np
import pytest

from crossdock.planning.policy import (
    cycle_quantity,
    lead_time_demand,
    size_for_fill_rate,
    size_network,
    two_echelon_targets,
)

# rows: DC, two branches it feeds, and a store with its own supplier
MEAN = np.array([2.0, 10.0, 10.0, 4.0])
STD = np.array([1.0, 5.0, 5.0, 2.0])
LEAD = np.array([20.0, 2.0, 2.0, 10.0])
FILL = np.array([0.97, 0.97, 0.97, 0.95])
PARENT = np.array([-1, 0, 0, -1])


def _network():  # type: ignore[no-untyped-def]
    return size_network(
        demand_mean=MEAN,
        demand_std=STD,
        lead_time_mean=LEAD,
        lead_time_std=np.zeros(4),
        review_period=7.0,
        fill_rate=FILL,
        intermittent=np.zeros(4, dtype=bool),
        parent=PARENT,
    )


def test_dc_and_branches_get_the_two_echelon_levels() -> None:
    levels = _network()
    targets = two_echelon_targets(
        branch_demand_mean=MEAN[1:3],
        branch_demand_std=STD[1:3],
        branch_dc=[0, 0],
        lane_lead_time_mean=LEAD[1:3],
        branch_review_period=7.0,
        branch_fill_rate=FILL[1:3],
        supplier_lead_time_mean=LEAD[:1],
        dc_review_period=7.0,
        dc_fill_rate=FILL[:1],
        dc_own_demand_mean=MEAN[:1],
        dc_own_demand_std=STD[:1],
        dc_count=1,
    )
    np.testing.assert_allclose(levels.reorder_point[1:3], targets.branch.reorder_point)
    assert levels.reorder_point[0] == pytest.approx(targets.dc.reorder_point[0])
    assert levels.dc_wait[1] == pytest.approx(targets.dc_expected_wait[0])
    assert levels.dc_wait[0] == levels.dc_wait[3] == 0.0


def test_a_dc_also_knows_what_its_own_customers_need() -> None:
    levels = _network()
    own = size_for_fill_rate(
        lead_time_demand(
            demand_mean=MEAN[:1], demand_std=STD[:1], lead_time_mean=LEAD[:1], review_period=7.0
        ),
        fill_rate=FILL[:1],
        cycle_quantity=cycle_quantity(order_quantity=0.0, demand_mean=MEAN[:1], review_period=7.0),
    )
    assert levels.own_reorder_point[0] == pytest.approx(own.reorder_point[0])
    # it plans to hold far more for its branches than its own customers need
    assert levels.reorder_point[0] > 5 * levels.own_reorder_point[0]


def test_a_location_without_a_parent_or_children_is_sized_alone() -> None:
    levels = _network()
    assert levels.reorder_point[3] == pytest.approx(levels.own_reorder_point[3])
