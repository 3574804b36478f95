"""Safety stock, reorder point and order-up-to level, against textbook cases."""

import numpy as np
import pytest
from scipy import optimize, stats

from crossdock.planning.policy import (
    LeadTimeDemand,
    PolicyInputError,
    cycle_quantity,
    lead_time_demand,
    newsvendor_quantity,
    normal_loss,
    size_for_cycle_service,
    size_for_fill_rate,
)


def normal_demand(mean: float, std: float) -> LeadTimeDemand:
    """Lead-time demand with the given moments (one period of lead time, normal)."""
    return lead_time_demand(demand_mean=mean, demand_std=std, lead_time_mean=1.0, family="normal")


def test_newsvendor_orders_at_the_critical_fractile() -> None:
    # cu = 3, co = 1: fractile 0.75, z = 0.6744897501960817
    quantity = newsvendor_quantity(
        demand_mean=100.0, demand_std=20.0, underage_cost=3.0, overage_cost=1.0
    )
    assert quantity[0] == pytest.approx(100.0 + 20.0 * 0.6744897501960817, abs=1e-9)


def test_r_q_fill_rate_safety_factor_solves_g_of_k_equals_q_times_shortfall_over_sigma() -> None:
    # Silver-Pyke-Peterson style: sigma_L = 40, Q = 200, P2 = 0.98 -> G(k) = 200 * 0.02 / 40 = 0.1
    demand = lead_time_demand(
        demand_mean=50.0, demand_std=40.0 / np.sqrt(2.0), lead_time_mean=2.0, family="normal"
    )
    levels = size_for_fill_rate(demand, fill_rate=0.98, cycle_quantity=200.0, order_quantity=200.0)
    k = optimize.brentq(lambda x: float(normal_loss(x)) - 0.1, 0.0, 5.0, xtol=1e-14)
    assert k == pytest.approx(0.9023, abs=1e-4)  # table: G(0.90) = 0.1004, G(0.91) = 0.0986
    assert levels.safety_factor[0] == pytest.approx(k, abs=1e-9)
    assert levels.safety_stock[0] == pytest.approx(40.0 * k, abs=1e-7)
    assert levels.reorder_point[0] == pytest.approx(100.0 + 40.0 * k, abs=1e-7)
    assert levels.order_up_to[0] == pytest.approx(300.0 + 40.0 * k, abs=1e-7)
    assert levels.expected_shortage_per_cycle[0] == pytest.approx(4.0, abs=1e-8)
    assert levels.expected_fill_rate[0] == pytest.approx(0.98, abs=1e-10)


def test_base_stock_level_for_a_cycle_service_level() -> None:
    # mean 100, sd 30, 95% cycle service: S = 100 + 1.6448536269514722 * 30
    levels = size_for_cycle_service(normal_demand(100.0, 30.0), cycle_service_level=0.95)
    assert levels.reorder_point[0] == pytest.approx(149.34560880854417, abs=1e-9)
    assert levels.cycle_service_level[0] == pytest.approx(0.95, abs=1e-12)


def test_periodic_review_uses_review_period_demand_as_the_cycle_quantity() -> None:
    # (R, S): mu = 10/period, sd = 4, L = 3, R = 7 -> sigma_(L+R) = 4 * sqrt(10), Q = 70
    demand = lead_time_demand(
        demand_mean=10.0, demand_std=4.0, lead_time_mean=3.0, review_period=7.0, family="normal"
    )
    cycle = cycle_quantity(order_quantity=0.0, demand_mean=10.0, review_period=7.0)
    levels = size_for_fill_rate(demand, fill_rate=0.99, cycle_quantity=cycle)
    sigma = 4.0 * np.sqrt(10.0)
    assert cycle[0] == 70.0
    assert normal_loss(levels.safety_factor)[0] == pytest.approx(70.0 * 0.01 / sigma, abs=1e-12)
    assert levels.order_up_to[0] == levels.reorder_point[0]


def test_fill_rate_needs_less_stock_than_the_same_cycle_service_level_with_big_orders() -> None:
    demand = normal_demand(100.0, 30.0)
    by_fill = size_for_fill_rate(demand, fill_rate=0.95, cycle_quantity=100.0, order_quantity=100.0)
    by_cycle = size_for_cycle_service(demand, cycle_service_level=0.95, order_quantity=100.0)
    assert by_fill.safety_stock[0] < by_cycle.safety_stock[0]
    assert by_cycle.expected_fill_rate[0] > 0.95


def test_safety_stock_is_floored_at_zero_when_the_order_quantity_covers_the_target() -> None:
    # G(0) * 10 = 3.99 units short per cycle < (1 - 0.9) * 1000 allowed: no safety stock needed
    levels = size_for_fill_rate(
        normal_demand(100.0, 10.0), fill_rate=0.9, cycle_quantity=1000.0, order_quantity=1000.0
    )
    assert levels.safety_stock[0] == 0.0
    assert levels.reorder_point[0] == 100.0
    assert levels.expected_fill_rate[0] == pytest.approx(
        1.0 - 10.0 * 0.3989422804014327 / 1000.0, abs=1e-12
    )


def test_zero_demand_rows_hold_nothing_and_zero_variance_rows_hold_the_mean() -> None:
    demand = lead_time_demand(demand_mean=[0.0, 5.0], demand_std=[0.0, 0.0], lead_time_mean=4.0)
    levels = size_for_fill_rate(
        demand, fill_rate=0.99, cycle_quantity=[0.0, 20.0], order_quantity=[0.0, 20.0]
    )
    assert levels.safety_stock.tolist() == [0.0, 0.0]
    assert levels.reorder_point.tolist() == [0.0, 20.0]
    assert levels.order_up_to.tolist() == [0.0, 40.0]
    assert levels.expected_fill_rate.tolist() == [1.0, 1.0]


def test_gamma_rows_meet_the_fill_rate_exactly() -> None:
    demand = lead_time_demand(demand_mean=0.5, demand_std=1.5, lead_time_mean=10.0, family="auto")
    levels = size_for_fill_rate(demand, fill_rate=0.95, cycle_quantity=10.0, order_quantity=10.0)
    shape, scale = demand.gamma_shape[0], demand.gamma_scale[0]
    level = levels.reorder_point[0]
    density = stats.gamma(a=shape, scale=scale)
    shortage = density.expect(lambda x: x - level, lb=level)
    assert demand.is_gamma[0]
    assert shortage == pytest.approx(0.5, abs=1e-7)
    assert levels.cycle_service_level[0] == pytest.approx(density.cdf(level), abs=1e-12)


def test_gamma_cycle_service_level_is_the_gamma_quantile() -> None:
    demand = lead_time_demand(demand_mean=0.5, demand_std=1.5, lead_time_mean=10.0, family="gamma")
    levels = size_for_cycle_service(demand, cycle_service_level=0.9)
    expected = stats.gamma(a=demand.gamma_shape[0], scale=demand.gamma_scale[0]).ppf(0.9)
    assert levels.reorder_point[0] == pytest.approx(expected, rel=1e-10)


def test_refuses_a_fill_rate_of_one() -> None:
    with pytest.raises(
        PolicyInputError, match=r"fill_rate\[0\]=1.0: must be strictly between 0 and 1"
    ):
        size_for_fill_rate(normal_demand(10.0, 2.0), fill_rate=[1.0], cycle_quantity=5.0)


def test_refuses_a_missing_cycle_quantity_where_demand_is_expected() -> None:
    with pytest.raises(PolicyInputError, match=r"cycle_quantity\[0\]=0.0: must be > 0"):
        size_for_fill_rate(normal_demand(10.0, 2.0), fill_rate=0.95, cycle_quantity=0.0)


def test_sizes_one_hundred_thousand_rows_to_their_targets() -> None:
    rng = np.random.default_rng(7)
    n = 100_000
    mean = rng.gamma(0.8, 5.0, n)
    demand = lead_time_demand(
        demand_mean=mean,
        demand_std=mean * rng.uniform(0.3, 2.5, n),
        lead_time_mean=rng.uniform(1.0, 30.0, n),
        lead_time_std=rng.uniform(0.0, 5.0, n),
        review_period=7.0,
    )
    fill = rng.uniform(0.8, 0.995, n)
    levels = size_for_fill_rate(demand, fill_rate=fill, cycle_quantity=mean * 7.0)
    sized = levels.safety_stock > 0.0
    assert np.abs(levels.expected_fill_rate - fill)[sized].max() < 1e-7
    assert (levels.expected_fill_rate[~sized] >= fill[~sized]).all()


def test_gamma_safety_stock_can_fall_when_a_longer_lead_time_makes_demand_less_skewed() -> None:
    # Documented limit of the moment-matched gamma: lead time 1 +- 2 gives CV 2 (shape 0.25),
    # lead time 2 +- 2 gives CV 1 (shape 1); the less skewed fit needs less safety stock.
    def gamma_safety_stock(lead_time: float) -> float:
        demand = lead_time_demand(
            demand_mean=2.0,
            demand_std=0.0,
            lead_time_mean=lead_time,
            lead_time_std=2.0,
            family="gamma",
        )
        levels = size_for_fill_rate(demand, fill_rate=0.5, cycle_quantity=1.0, order_quantity=1.0)
        return float(levels.safety_stock[0])

    assert gamma_safety_stock(1.0) == pytest.approx(4.750073537208996, abs=1e-6)
    assert gamma_safety_stock(2.0) == pytest.approx(4.317766166719341, abs=1e-6)
