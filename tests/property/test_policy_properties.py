"""The policy maths moves the right way whatever the numbers: more service or more risk
never means less stock, and rounding never orders less than needed."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crossdock.planning.policy import (
    cycle_quantity,
    lead_time_demand,
    round_order_quantities,
    size_for_fill_rate,
)

demand_means = st.floats(0.0, 500.0)
cvs = st.floats(0.0, 4.0)
lead_times = st.floats(0.0, 60.0)
lead_time_sds = st.floats(0.0, 20.0)
reviews = st.sampled_from([0.0, 1.0, 7.0, 14.0])
order_quantities = st.floats(1.0, 5_000.0)
fill_rates = st.floats(0.5, 0.999)
families = st.sampled_from(["auto", "normal", "gamma"])
TOLERANCE = 1e-6


def safety_stock(
    *,
    mean: float,
    cv: float,
    lead_time: float,
    lead_time_sd: float,
    review: float,
    order: float,
    fill: float,
    family: str,
) -> tuple[float, float]:
    """(safety stock, reorder point) for one row."""
    demand = lead_time_demand(
        demand_mean=mean,
        demand_std=mean * cv,
        lead_time_mean=lead_time,
        lead_time_std=lead_time_sd,
        review_period=review,
        family=family,  # type: ignore[arg-type]
    )
    cycle = cycle_quantity(order_quantity=order, demand_mean=mean, review_period=review)
    levels = size_for_fill_rate(demand, fill_rate=fill, cycle_quantity=cycle, order_quantity=order)
    return float(levels.safety_stock[0]), float(levels.reorder_point[0])


@settings(max_examples=300, deadline=None)
@given(
    mean=demand_means,
    cv=cvs,
    lead_time=lead_times,
    lead_time_sd=lead_time_sds,
    review=reviews,
    order=order_quantities,
    fills=st.tuples(fill_rates, fill_rates).map(sorted),
    family=families,
)
def test_a_higher_fill_target_never_lowers_the_reorder_point(
    mean: float,
    cv: float,
    lead_time: float,
    lead_time_sd: float,
    review: float,
    order: float,
    fills: list[float],
    family: str,
) -> None:
    common = {
        "mean": mean,
        "cv": cv,
        "lead_time": lead_time,
        "lead_time_sd": lead_time_sd,
        "review": review,
        "order": order,
        "family": family,
    }
    _, lower = safety_stock(fill=fills[0], **common)  # type: ignore[arg-type]
    _, higher = safety_stock(fill=fills[1], **common)  # type: ignore[arg-type]
    assert higher >= lower - TOLERANCE * (1.0 + lower)


@settings(max_examples=300, deadline=None)
@given(
    mean=demand_means,
    cv=st.floats(0.0, 0.7),
    lead_times=st.tuples(lead_times, lead_times).map(sorted),
    lead_time_sds=st.tuples(lead_time_sds, lead_time_sds).map(sorted),
    review=reviews,
    order=order_quantities,
    fill=fill_rates,
)
def test_a_longer_or_more_variable_lead_time_never_lowers_normal_safety_stock(
    mean: float,
    cv: float,
    lead_times: list[float],
    lead_time_sds: list[float],
    review: float,
    order: float,
    fill: float,
) -> None:
    # cv <= 0.7 and not intermittent: "auto" models these rows as normal.
    common = {"mean": mean, "cv": cv, "review": review, "order": order, "fill": fill}
    shorter, _ = safety_stock(
        lead_time=lead_times[0], lead_time_sd=lead_time_sds[0], family="auto", **common
    )
    longer, _ = safety_stock(
        lead_time=lead_times[1], lead_time_sd=lead_time_sds[1], family="auto", **common
    )
    assert longer >= shorter - TOLERANCE * (1.0 + shorter)


@settings(max_examples=300, deadline=None)
@given(
    mean=demand_means,
    cv=cvs,
    lead_time=lead_times,
    lead_time_sds=st.tuples(lead_time_sds, lead_time_sds).map(sorted),
    review=reviews,
    order=order_quantities,
    fill=fill_rates,
    family=families,
)
def test_a_more_variable_lead_time_never_lowers_safety_stock_in_either_family(
    mean: float,
    cv: float,
    lead_time: float,
    lead_time_sds: list[float],
    review: float,
    order: float,
    fill: float,
    family: str,
) -> None:
    common = {"mean": mean, "cv": cv, "lead_time": lead_time, "review": review, "order": order}
    steady, _ = safety_stock(lead_time_sd=lead_time_sds[0], fill=fill, family=family, **common)
    variable, _ = safety_stock(lead_time_sd=lead_time_sds[1], fill=fill, family=family, **common)
    assert variable >= steady - TOLERANCE * (1.0 + steady)


@settings(max_examples=300, deadline=None)
@given(
    mean=demand_means,
    cv=cvs,
    lead_times=st.tuples(lead_times, lead_times).map(sorted),
    review=reviews,
    order=order_quantities,
    fill=fill_rates,
)
def test_a_longer_fixed_lead_time_never_lowers_gamma_safety_stock(
    mean: float,
    cv: float,
    lead_times: list[float],
    review: float,
    order: float,
    fill: float,
) -> None:
    common = {"mean": mean, "cv": cv, "review": review, "order": order, "fill": fill}
    shorter, _ = safety_stock(lead_time=lead_times[0], lead_time_sd=0.0, family="gamma", **common)
    longer, _ = safety_stock(lead_time=lead_times[1], lead_time_sd=0.0, family="gamma", **common)
    assert longer >= shorter - TOLERANCE * (1.0 + shorter)


@settings(max_examples=300, deadline=None)
@given(
    quantity=st.floats(-10.0, 1e6),
    pack=st.integers(1, 48),
    multiple=st.integers(1, 50),
    moq=st.floats(0.0, 1e4),
)
def test_rounding_never_goes_below_the_need_or_the_moq(
    quantity: float, pack: int, multiple: int, moq: float
) -> None:
    rounded = int(
        round_order_quantities([quantity], pack_size=pack, order_multiple=multiple, moq=moq)[0]
    )
    if quantity <= 0.0:
        assert rounded == 0
        return
    step = int(np.lcm(pack, multiple))
    assert rounded >= quantity - 1e-6
    assert rounded >= moq - 1e-6
    assert rounded % step == 0
    assert rounded - step < max(quantity, moq)
