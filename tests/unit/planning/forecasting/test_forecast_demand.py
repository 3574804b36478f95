"""The forecasting façade: selection by backtest, non-negative nested intervals, a fake model."""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from statsforecast.models import CrostonSBA, SeasonalNaive
from statsforecast.utils import ConformalIntervals

from crossdock.planning.forecasting import ModelCatalog, densify, forecast_demand

AS_OF = datetime.date(2024, 6, 30)
DAYS = pd.date_range("2024-01-01", "2024-06-30")


class LastValueFake:
    """The smallest model statsforecast accepts: repeats the last value, fixed +-2 bounds."""

    uses_exog = False

    def __init__(self, alias: str = "LastValueFake") -> None:
        self.alias = alias

    def __repr__(self) -> str:
        return self.alias

    def new(self) -> LastValueFake:
        return LastValueFake(self.alias)

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: Any = None,  # noqa: N803 - statsforecast's protocol names
        X_future: Any = None,  # noqa: N803
        level: list[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, np.ndarray]:
        del X, X_future, fitted
        mean = np.full(h, y[-1] - 1.0)
        out = {"mean": mean}
        for lv in level or []:
            out[f"lo-{lv}"] = mean - 2.0
            out[f"hi-{lv}"] = mean + 2.0
        return out


def _weekly_pattern(name: str) -> pd.DataFrame:
    weekday = DAYS.dayofweek.to_numpy()
    y = np.where(weekday < 5, 20.0, 1.0) + (weekday == 0) * 10.0
    return pd.DataFrame({"unique_id": name, "ds": DAYS, "y": y})


def test_fake_model_drives_the_core_with_clipped_nested_bounds() -> None:
    history = pd.DataFrame({"unique_id": "A", "ds": DAYS, "y": 1.0})
    catalog = ModelCatalog(candidates={"smooth": [LastValueFake()]}, fallback=None, season_length=7)

    result = forecast_demand(history, horizon=3, as_of=AS_OF, catalog=catalog)

    assert result.forecasts.to_dict("list") == {
        "unique_id": ["A", "A", "A"],
        "ds": list(pd.date_range("2024-07-01", periods=3)),
        "mean": [0.0, 0.0, 0.0],
        "lo-80": [0.0, 0.0, 0.0],
        "hi-80": [2.0, 2.0, 2.0],
        "lo-90": [0.0, 0.0, 0.0],
        "hi-90": [2.0, 2.0, 2.0],
    }
    assert result.selection[["unique_id", "demand_class", "model", "backtested"]].to_dict(
        "records"
    ) == [
        {"unique_id": "A", "demand_class": "smooth", "model": "LastValueFake", "backtested": False}
    ]


def test_selection_prefers_seasonal_naive_over_croston_on_a_strong_weekly_pattern() -> None:
    catalog = ModelCatalog(
        candidates={
            "smooth": [
                CrostonSBA(prediction_intervals=ConformalIntervals(h=14, n_windows=2)),
                SeasonalNaive(season_length=7),
            ]
        },
        fallback=None,
        season_length=7,
    )

    result = forecast_demand(_weekly_pattern("A"), horizon=14, as_of=AS_OF, catalog=catalog)

    chosen = result.selection.iloc[0]
    assert chosen["model"] == "SeasonalNaive"
    assert chosen["mase"] == 0.0
    scores = result.backtest.set_index("model")["mase"]
    assert scores["CrostonSBA"] == pytest.approx(0.6055159593)
    assert result.forecasts["mean"].head(7).tolist() == [30.0, 20.0, 20.0, 20.0, 20.0, 1.0, 1.0]


def test_default_catalog_forecasts_are_non_negative_ordered_and_deterministic() -> None:
    rng = np.random.default_rng(7)
    frames = [_weekly_pattern("weekly")]
    frames.append(
        pd.DataFrame({"unique_id": "sporadic", "ds": DAYS, "y": rng.poisson(0.3, len(DAYS)) * 5.0})
    )
    frames.append(pd.DataFrame({"unique_id": "new", "ds": DAYS[-10:], "y": 3.0}))
    frames.append(pd.DataFrame({"unique_id": "gone", "ds": DAYS[:30], "y": 8.0}))
    history = pd.concat(frames)
    history = history[history["y"] > 0]

    first = forecast_demand(history, horizon=7, as_of=AS_OF)
    second = forecast_demand(history, horizon=7, as_of=AS_OF)

    pd.testing.assert_frame_equal(first.forecasts, second.forecasts)
    pd.testing.assert_frame_equal(first.selection, second.selection)
    f = first.forecasts
    assert len(f) == 28
    assert (f[["mean", "lo-80", "hi-80", "lo-90", "hi-90"]] >= 0).all().all()
    assert (f["lo-90"] <= f["lo-80"]).all()
    assert (f["lo-80"] <= f["mean"]).all()
    assert (f["mean"] <= f["hi-80"]).all()
    assert (f["hi-80"] <= f["hi-90"]).all()
    classes = dict(zip(first.selection["unique_id"], first.selection["demand_class"], strict=True))
    assert classes == {
        "gone": "dying",
        "new": "new",
        "sporadic": "intermittent",
        "weekly": "smooth",
    }
    assert f.loc[f["unique_id"] == "gone", "hi-90"].tolist() == [0.0] * 7


def test_densify_fills_absent_days_with_zero_from_first_sale_to_as_of() -> None:
    history = pd.DataFrame(
        {
            "unique_id": ["A", "B"],
            "ds": pd.to_datetime(["2024-06-28", "2024-06-30"]),
            "y": [5.0, 2.0],
        }
    )

    dense = densify(history, as_of=AS_OF, freq="D")

    assert dense.to_dict("list") == {
        "unique_id": ["A", "A", "A", "B"],
        "ds": list(pd.to_datetime(["2024-06-28", "2024-06-29", "2024-06-30", "2024-06-30"])),
        "y": [5.0, 0.0, 0.0, 2.0],
    }
