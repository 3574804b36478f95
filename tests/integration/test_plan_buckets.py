"""Weekly plans read demand already summed per 7-day block, with exact totals and dates."""

from __future__ import annotations

from datetime import date

import pandas as pd

from crossdock.bootstrap import Crossdock
from crossdock.demo import DemoOptions
from crossdock.service_layer.demo import load_demo_network
from crossdock.service_layer.planning import plan

AS_OF = date(2026, 11, 20)


def blocks(history: pd.DataFrame) -> pd.DataFrame:
    days_back = (pd.Timestamp(AS_OF) - pd.to_datetime(history["demand_date"])).dt.days
    keyed = history.assign(block=days_back // 7, demand_date=pd.to_datetime(history["demand_date"]))
    return (
        keyed.groupby(["sku", "location_code", "block"], observed=True)
        .agg(quantity=("quantity", "sum"), demand_date=("demand_date", "max"))
        .reset_index()
        .drop(columns="block")
        .sort_values(["sku", "location_code", "demand_date"])
        .reset_index(drop=True)
    )


def test_weekly_buckets_sum_each_block_and_keep_its_last_demand_day(crossdock: Crossdock):
    load_demo_network(
        DemoOptions(skus=12, warehouses=3, days=90, seed=5, end_date=AS_OF), store=crossdock.store
    )
    daily = crossdock.store.planning_data(as_of=AS_OF).demand_history
    weekly = crossdock.store.planning_data(as_of=AS_OF, bucket_days=7).demand_history
    expected = blocks(daily)
    got = (
        weekly.assign(demand_date=pd.to_datetime(weekly["demand_date"]))
        .sort_values(["sku", "location_code", "demand_date"])
        .reset_index(drop=True)[["sku", "location_code", "quantity", "demand_date"]]
    )
    assert len(weekly) < len(daily)
    pd.testing.assert_frame_equal(got, expected[got.columns], check_dtype=False)


class DailyOnly:
    """The same store, but demand always handed over day by day."""

    def __init__(self, store: object) -> None:
        self._store = store

    def planning_data(self, *, as_of: date, bucket_days: int = 1, **options: object) -> object:
        return self._store.planning_data(as_of=as_of, **options)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_a_weekly_plan_recommends_the_same_from_summed_or_daily_demand(crossdock: Crossdock):
    load_demo_network(
        DemoOptions(skus=15, warehouses=3, days=120, seed=9, end_date=AS_OF), store=crossdock.store
    )
    columns = ["kind", "sku", "from_code", "to_code", "quantity", "savings"]
    summed = plan(crossdock.store, as_of=AS_OF).recommendations[columns]
    daily = plan(DailyOnly(crossdock.store), as_of=AS_OF).recommendations[columns]  # type: ignore[arg-type]
    assert len(summed) > 0
    pd.testing.assert_frame_equal(summed.reset_index(drop=True), daily.reset_index(drop=True))
