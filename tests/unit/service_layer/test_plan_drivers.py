from datetime import date

import numpy as np
import pandas as pd
import pytest

from crossdock.service_layer.plan_drivers import forecast_drivers

AS_OF = date(2026, 3, 1)


def _history() -> pd.DataFrame:
    days = pd.date_range("2026-01-05", periods=8, freq="7D")
    return pd.DataFrame(
        {
            "unique_id": ["A@BR1"] * 8 + ["B@BR1"] * 2,
            "ds": [*days, *days[:2]],
            "y": 10.0,
            "unit_price": [10.0] * 6 + [8.0, 10.0] + [np.nan, np.nan],
            "on_promotion": [0.0] * 6 + [1.0, 0.0] + [0.0, 0.0],
        }
    )


def _promotion(start: str, end: str, **extra: object) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "sku": "A",
                "location_code": "BR1",
                "start_date": start,
                "end_date": end,
                "promo_price": np.nan,
                "discount_rate": np.nan,
                **extra,
            }
        ]
    )


def test_future_weeks_carry_the_promoted_share_and_its_price() -> None:
    # week 1 = 2 to 8 March; a promotion 6 to 12 March covers 3 days of it and 4 of week 2
    promo = _promotion("2026-03-06", "2026-03-12", discount_rate=0.2)
    drivers = forecast_drivers(_history(), promo, as_of=AS_OF, periods=3, step_days=7)
    future = drivers[drivers["ds"] > pd.Timestamp(AS_OF)].reset_index(drop=True)
    assert future["unique_id"].tolist() == ["A@BR1"] * 3
    assert future["ds"].dt.date.tolist() == [date(2026, 3, 8), date(2026, 3, 15), date(2026, 3, 22)]
    assert future["on_promotion"].tolist() == pytest.approx([3 / 7, 4 / 7, 0.0])
    # usual price 10 (latest week without promotion); 8.00 on the promoted days
    assert future["unit_price"].tolist() == pytest.approx([10 - 2 * 3 / 7, 10 - 2 * 4 / 7, 10.0])


def test_a_promotion_price_is_used_as_given() -> None:
    promo = _promotion("2026-03-02", "2026-03-08", promo_price=7.5)
    drivers = forecast_drivers(_history(), promo, as_of=AS_OF, periods=1, step_days=7)
    week = drivers[drivers["ds"] > pd.Timestamp(AS_OF)].iloc[0]
    assert (week["on_promotion"], week["unit_price"]) == (1.0, 7.5)


def test_series_without_a_price_and_plans_without_prices_get_no_drivers() -> None:
    drivers = forecast_drivers(_history(), pd.DataFrame(), as_of=AS_OF, periods=2, step_days=7)
    assert set(drivers["unique_id"]) == {"A@BR1"}
    no_prices = _history().assign(unit_price=np.nan)
    assert forecast_drivers(no_prices, pd.DataFrame(), as_of=AS_OF, periods=2, step_days=7) is None


def test_series_whose_drivers_never_move_are_left_out() -> None:
    history = _history()
    steady = history[history["unique_id"] == "A@BR1"].assign(
        unique_id="C@BR1", unit_price=5.0, on_promotion=0.0
    )
    both = pd.concat([history, steady], ignore_index=True)
    drivers = forecast_drivers(both, pd.DataFrame(), as_of=AS_OF, periods=2, step_days=7)
    assert set(drivers["unique_id"]) == {"A@BR1"}
    planned = _promotion("2026-03-02", "2026-03-04").assign(sku="C")
    drivers = forecast_drivers(both, planned, as_of=AS_OF, periods=2, step_days=7)
    assert set(drivers["unique_id"]) == {"A@BR1", "C@BR1"}
