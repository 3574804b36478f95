"""Known drivers in the forecasting façade: the lift is recovered, used only where it wins,
absent drivers change nothing, and bad driver input is refused naming field, series, value."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pandas as pd
import pytest

from crossdock.planning.forecasting import DRIVER_SUFFIX, DriverInputError, forecast_demand
from crossdock.planning.forecasting.drivers import period_drivers

AS_OF = datetime.date(2024, 6, 30)
WEEKS = pd.date_range(end=pd.Timestamp(AS_OF), periods=104, freq="7D")
FUTURE = pd.date_range(start=pd.Timestamp(AS_OF) + pd.Timedelta(days=7), periods=4, freq="7D")
LIFT = 2.0  # a promoted week sells twice the usual


def _promoted_network(series: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly series around 100 units whose promoted weeks (about 1 in 5) sell x2."""
    rng = np.random.default_rng(3)
    history, drivers = [], []
    for i in range(series):
        promo = (rng.random(WEEKS.size) < 0.2).astype(float)
        y = np.round(100.0 * LIFT**promo * rng.lognormal(0.0, 0.08, WEEKS.size))
        history.append(pd.DataFrame({"unique_id": f"S{i:02d}", "ds": WEEKS, "y": y}))
        future_promo = np.array([0.0, 1.0, 0.0, 0.0])
        drivers.append(
            pd.DataFrame(
                {
                    "unique_id": f"S{i:02d}",
                    "ds": WEEKS.append(FUTURE),
                    "on_promotion": np.r_[promo, future_promo],
                }
            )
        )
    return pd.concat(history, ignore_index=True), pd.concat(drivers, ignore_index=True)


def test_driver_model_recovers_the_promotion_lift_and_wins_the_backtest() -> None:
    history, drivers = _promoted_network()

    result = forecast_demand(history, horizon=4, as_of=AS_OF, freq="W", drivers=drivers)

    lift = result.lift.set_index("driver")["coefficient"]
    assert math.exp(lift["on_promotion"]) == pytest.approx(LIFT, rel=0.1)
    assert result.selection["model"].str.endswith(DRIVER_SUFFIX).all()
    scores = result.backtest.assign(driven=result.backtest["model"].str.endswith(DRIVER_SUFFIX))
    best = scores.groupby(["unique_id", "driven"])["mase"].min().unstack()
    assert best[True].mean() < 0.6 * best[False].mean()
    means = result.forecasts.pivot(index="unique_id", columns="ds", values="mean")
    promoted_ratio = means[FUTURE[1]] / means[FUTURE[0]]
    assert promoted_ratio.between(1.7, 2.3).all()


def test_series_without_drivers_are_forecast_exactly_as_without_the_drivers_frame() -> None:
    history, drivers = _promoted_network(series=4)
    only_first = drivers[drivers["unique_id"] == "S00"]

    plain = forecast_demand(history, horizon=4, as_of=AS_OF, freq="W")
    driven = forecast_demand(history, horizon=4, as_of=AS_OF, freq="W", drivers=only_first)

    others = ["S01", "S02", "S03"]
    pd.testing.assert_frame_equal(
        driven.forecasts[driven.forecasts["unique_id"].isin(others)].reset_index(drop=True),
        plain.forecasts[plain.forecasts["unique_id"].isin(others)].reset_index(drop=True),
    )
    pd.testing.assert_frame_equal(
        driven.selection[driven.selection["unique_id"].isin(others)].reset_index(drop=True),
        plain.selection[plain.selection["unique_id"].isin(others)].reset_index(drop=True),
    )
    assert (
        driven.selection.loc[driven.selection["unique_id"] == "S00", "model"]
        .item()
        .endswith(DRIVER_SUFFIX)
    )
    assert plain.lift.empty


def test_daily_drivers_are_averaged_into_weeks_price_relative_to_the_usual_price() -> None:
    # weekly periods are 7-day blocks counted back from as_of, labelled by their last day
    days = pd.date_range(end=pd.Timestamp(AS_OF) + pd.Timedelta(days=7), periods=21, freq="D")
    drivers = pd.DataFrame(
        {
            "unique_id": "A",
            "ds": days,
            "unit_price": [2.0] * 14 + [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0],
            "on_promotion": [False] * 14 + [True, True, True, False, False, False, False],
        }
    )

    features = period_drivers(
        drivers, series=pd.Index(["A"]), as_of=AS_OF, freq="W", horizon=1
    ).features

    assert features["ds"].tolist() == list(
        pd.to_datetime(["2024-06-23", "2024-06-30", "2024-07-07"])
    )
    assert features["on_promotion"].tolist() == pytest.approx([0.0, 0.0, 3 / 7])
    assert features["unit_price"].tolist() == pytest.approx([0.0, 0.0, math.log(11 / 14)])


def _one_series_drivers() -> tuple[pd.DataFrame, pd.DataFrame]:
    history, drivers = _promoted_network(series=1)
    return history, drivers


def test_a_missing_driver_column_is_refused_naming_it() -> None:
    history, drivers = _one_series_drivers()

    with pytest.raises(DriverInputError, match=r"drivers\.unit_price.*column is missing"):
        forecast_demand(
            history,
            horizon=4,
            as_of=AS_OF,
            freq="W",
            drivers=drivers,
            driver_cols=("on_promotion", "unit_price"),
        )


def test_nan_in_a_future_period_is_refused_naming_field_series_period_and_value() -> None:
    history, drivers = _one_series_drivers()
    drivers.loc[drivers["ds"] == FUTURE[2], "on_promotion"] = np.nan

    with pytest.raises(DriverInputError) as raised:
        forecast_demand(history, horizon=4, as_of=AS_OF, freq="W", drivers=drivers)

    error = raised.value
    assert (error.field, error.series, error.period) == ("on_promotion", "S00", "2024-07-21")
    assert math.isnan(error.value)  # type: ignore[arg-type]
    assert str(error).startswith("drivers.on_promotion['S00', 2024-07-21]=nan: a future period")


def test_a_future_period_absent_from_the_drivers_is_refused_naming_series_and_period() -> None:
    history, drivers = _one_series_drivers()
    drivers = drivers[drivers["ds"] != FUTURE[3]]

    with pytest.raises(DriverInputError) as raised:
        forecast_demand(history, horizon=4, as_of=AS_OF, freq="W", drivers=drivers)

    assert (raised.value.field, raised.value.series, raised.value.period) == (
        "ds",
        "S00",
        "2024-07-28",
    )
    assert "no driver row in this forecast period" in str(raised.value)


def test_a_non_positive_price_is_refused_naming_the_value() -> None:
    history, drivers = _one_series_drivers()
    drivers = drivers.assign(unit_price=2.5)
    drivers.loc[drivers["ds"] == WEEKS[10], "unit_price"] = 0.0

    with pytest.raises(DriverInputError) as raised:
        forecast_demand(history, horizon=4, as_of=AS_OF, freq="W", drivers=drivers)

    assert str(raised.value) == (
        f"drivers.unit_price['S00', {WEEKS[10].date()}]=0.0: a price must be above 0"
    )
