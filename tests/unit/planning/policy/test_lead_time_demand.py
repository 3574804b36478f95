"""Lead-time demand: moments over lead time + review period, and the family chosen."""

import numpy as np
import pytest

from crossdock.planning.policy import PolicyInputError, lead_time_demand


def test_combines_demand_and_lead_time_variance_over_the_protection_interval() -> None:
    # mean = 10 * (4 + 2) = 60; variance = (4 + 2) * 3**2 + 10**2 * 1**2 = 154
    demand = lead_time_demand(
        demand_mean=10.0, demand_std=3.0, lead_time_mean=4.0, lead_time_std=1.0, review_period=2.0
    )
    assert demand.mean == pytest.approx(60.0, abs=1e-12)
    assert demand.std == pytest.approx(np.sqrt(154.0), abs=1e-12)


def test_fixed_lead_time_gives_sigma_times_square_root_of_the_interval() -> None:
    demand = lead_time_demand(demand_mean=5.0, demand_std=2.0, lead_time_mean=9.0)
    assert demand.std == pytest.approx(6.0, abs=1e-12)


def test_auto_picks_normal_for_smooth_and_gamma_for_variable_or_intermittent_rows() -> None:
    demand = lead_time_demand(
        demand_mean=[100.0, 1.0, 100.0, 0.0],
        demand_std=[10.0, 3.0, 10.0, 0.0],
        lead_time_mean=4.0,
        intermittent=[False, False, True, True],
    )
    # CV of demand per period: 0.1, 3.0, 0.1 (but intermittent), no demand.
    assert demand.is_gamma.tolist() == [False, True, True, False]
    assert demand.is_deterministic.tolist() == [False, False, False, True]


def test_forced_family_applies_to_every_row_with_demand() -> None:
    normal = lead_time_demand(
        demand_mean=[1.0], demand_std=[3.0], lead_time_mean=4.0, family="normal"
    )
    gamma = lead_time_demand(
        demand_mean=[100.0], demand_std=[1.0], lead_time_mean=4.0, family="gamma"
    )
    assert normal.is_gamma.tolist() == [False]
    assert gamma.is_gamma.tolist() == [True]


def test_gamma_parameters_match_mean_and_variance() -> None:
    demand = lead_time_demand(demand_mean=2.0, demand_std=4.0, lead_time_mean=1.0)
    shape, scale = demand.gamma_shape, demand.gamma_scale
    assert shape * scale == pytest.approx(2.0, abs=1e-12)
    assert shape * scale**2 == pytest.approx(16.0, abs=1e-12)


def test_refuses_a_negative_lead_time_naming_argument_and_row() -> None:
    with pytest.raises(PolicyInputError, match=r"lead_time_mean\[1\]=-2.0: must be >= 0"):
        lead_time_demand(demand_mean=1.0, demand_std=1.0, lead_time_mean=[3.0, -2.0])


def test_refuses_missing_demand() -> None:
    with pytest.raises(PolicyInputError, match=r"demand_mean\[0\]=nan: must not be missing"):
        lead_time_demand(demand_mean=[np.nan], demand_std=1.0, lead_time_mean=1.0)
