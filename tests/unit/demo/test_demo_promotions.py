"""The promotional calendar: the history's promotions, and those planned 8 weeks ahead."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from crossdock.demo import DemoOptions, generate_demo_network
from crossdock.demo.demand import PromotionWindows
from crossdock.demo.promotions import PLANNED_DAYS, plan_promotions
from tests.helpers import promotion_days
from tests.unit.demo.conftest import END_DATE

SMALL = {"skus": 300, "warehouses": 6, "days": 400, "end_date": datetime.date(2025, 6, 30)}


def windows(sku: list[int], start: list[int], end: list[int]) -> PromotionWindows:
    return PromotionWindows(
        sku=np.array(sku, dtype=np.int64),
        start=np.array(start, dtype=np.int64),
        end=np.array(end, dtype=np.int64),
        discount=np.array([0.1, 0.2, 0.3]),
    )


def test_overlapping_windows_of_one_sku_become_one_promotion_and_others_stay_apart() -> None:
    history = windows(
        sku=[2, 0, 0, 0, 2, 1],
        start=[5, 10, 3, 30, 12, 10],
        end=[12, 20, 12, 37, 19, 17],
    )

    calendar = plan_promotions(
        history, days=100, discontinued=np.zeros(3, dtype=bool), rng=np.random.default_rng(0)
    )

    past = calendar.start < 100
    assert list(zip(calendar.sku[past], calendar.start[past], calendar.end[past], strict=True)) == [
        (0, 3, 20),  # 3-12 and 10-20 overlap
        (2, 5, 12),  # 5-12 ends the day 12-19 starts: adjacent, not overlapping
        (1, 10, 17),  # another SKU's window on the same days
        (2, 12, 19),
        (0, 30, 37),
    ]
    assert calendar.discount[past].tolist() == [0.1, 0.3, 0.2, 0.3, 0.1]
    assert not calendar.cancelled[past].any()


def test_planned_promotions_start_within_eight_weeks_for_promoted_skus_still_sold() -> None:
    promoted = list(range(0, 3000, 10))
    history = PromotionWindows(
        sku=np.array(promoted, dtype=np.int64),
        start=np.zeros(len(promoted), dtype=np.int64),
        end=np.full(len(promoted), 7, dtype=np.int64),
        discount=np.full(3000, 0.1),
    )

    discontinued = np.zeros(3000, dtype=bool)
    discontinued[1500:] = True

    calendar = plan_promotions(
        history, days=365, discontinued=discontinued, rng=np.random.default_rng(1)
    )

    planned = calendar.start >= 365
    assert set(calendar.sku[planned]) <= set(range(0, 1500, 10))
    assert calendar.start[planned].max() < 365 + PLANNED_DAYS
    lengths = calendar.end[planned] - calendar.start[planned]
    assert lengths.min() >= 7
    # 1.5 a year per promoted SKU still sold: 150 x 1.5 x 56 / 365.25 = 34.5 expected
    assert 18 <= planned.sum() <= 52
    assert set(calendar.kind) == {"price_cut", "deal", "feature"}


def test_promo_price_is_the_price_demand_saw_on_promoted_days(
    network: dict[str, pd.DataFrame], demand: pd.DataFrame
) -> None:
    promotions = network["promotions"]
    covered = promotion_days(promotions).merge(
        promotions[["sku", "location_code", "start_date", "promo_price"]].rename(
            columns={"start_date": "demand_date"}
        ),
        on=["sku", "location_code", "demand_date"],
    )  # first days only: one promo price per promotion
    joined = demand.merge(covered, on=["sku", "location_code", "demand_date"])

    assert len(joined) >= 1000
    assert joined["on_promotion"].all()
    # demand's daily price is the promo price less up to 4% of noise, to the cent
    lowest = joined["promo_price"] * 0.96 - 0.01
    assert joined["unit_price"].between(lowest, joined["promo_price"] + 0.01).all()


def test_the_default_calendar_plans_ahead_and_counts_rows_per_window_and_warehouse(
    network: dict[str, pd.DataFrame], default_options: DemoOptions
) -> None:
    promotions = network["promotions"]
    last_day = pd.Timestamp(END_DATE)
    per_code = promotions.groupby("promotion_code").agg(
        start=("start_date", "first"), warehouses=("location_code", "size")
    )

    assert (per_code["warehouses"] == default_options.warehouses).all()
    assert len(promotions) == len(per_code) * default_options.warehouses
    planned = per_code[per_code["start"] > last_day]
    assert 100 <= len(planned) <= 200
    assert per_code.index.is_monotonic_increasing
    assert per_code["start"].is_monotonic_increasing  # codes read chronologically


def test_another_seed_plans_another_calendar() -> None:
    first = generate_demo_network(DemoOptions(seed=7, **SMALL))["promotions"]
    second = generate_demo_network(DemoOptions(seed=8, **SMALL))["promotions"]

    keys = ["sku", "start_date"]
    shared = first[keys].merge(second[keys]).drop_duplicates()
    assert len(shared) < 0.1 * len(first[keys].drop_duplicates())
