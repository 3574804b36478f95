"""Prediction intervals calibrated on the pooled backtest errors of a model in a class.

A short series leaves a model's own intervals (or per-series conformal windows) little to
learn from: 60 months give four 3-month windows. The rolling-origin backtest that selects
the models already holds every candidate's errors on every long-enough series of a class,
so the intervals are read from those, pooled: each error is divided by its series' MASE
scale (`scoring.mase_scale`, the in-sample seasonal-naive error), and the bounds of a
`level`% interval are the forecast plus the (50 -/+ level/2)% quantiles of the scaled errors
of that model in that class at the same step ahead, times the series' scale. Errors of
every series the model was run on count, chosen or not, so the quantiles are not those of
the lucky winners only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossdock.planning.forecasting.scoring import mase_scale

FloatArray = npt.NDArray[np.float64]

MIN_POOLED_ERRORS = 60

Quantiles = Mapping[str, Mapping[int, tuple[FloatArray, FloatArray]]]


def pooled_error_quantiles(
    history: pd.DataFrame,
    cv: pd.DataFrame,
    aliases: Sequence[str],
    *,
    levels: Sequence[int],
    season_length: int,
) -> dict[str, dict[int, tuple[FloatArray, FloatArray]]]:
    """Per model alias and level, the lower and upper quantiles of the scaled backtest errors
    (actual - forecast, forecast clipped at 0) at each step ahead; aliases with fewer than
    `MIN_POOLED_ERRORS` errors per step are left out."""
    first_cutoff = cv.groupby("unique_id")["cutoff"].min()
    train = history[history["ds"] <= history["unique_id"].map(first_cutoff)]
    scale = cv["unique_id"].map(mase_scale(train, season_length=season_length)).to_numpy()
    actual = cv["y"].to_numpy(dtype=np.float64)
    step = cv.groupby(["unique_id", "cutoff"]).cumcount().to_numpy()
    steps = int(step.max()) + 1 if step.size else 0
    out: dict[str, dict[int, tuple[FloatArray, FloatArray]]] = {}
    for alias in aliases:
        forecast = cv[alias].to_numpy(dtype=np.float64)
        known = ~np.isnan(forecast)
        counts = np.bincount(step[known], minlength=steps)
        if steps == 0 or counts.min() < MIN_POOLED_ERRORS:
            continue
        errors = (actual - forecast.clip(min=0.0)) / scale
        by_step = [errors[known & (step == k)] for k in range(steps)]
        out[alias] = {
            level: (
                np.array([np.quantile(e, (1 - level / 100) / 2, method="lower") for e in by_step]),
                np.array([np.quantile(e, (1 + level / 100) / 2, method="higher") for e in by_step]),
            )
            for level in levels
        }
    return out


def calibrated_bounds(
    forecasts: pd.DataFrame,
    history: pd.DataFrame,
    quantiles: Mapping[int, tuple[FloatArray, FloatArray]],
    *,
    season_length: int,
) -> pd.DataFrame:
    """`forecasts` (`unique_id`, `ds` in order within each series, `mean`, bounds) with the
    bounds of every level in `quantiles` replaced by mean + the step's quantile x the
    series' MASE scale over `history` (steps past the backtest's use its last step)."""
    out = forecasts.copy()
    scale = out["unique_id"].map(mase_scale(history, season_length=season_length)).to_numpy()
    mean = out["mean"].to_numpy(dtype=np.float64).clip(min=0.0)
    step = out.groupby("unique_id", sort=False).cumcount().to_numpy()
    for level, (low, high) in quantiles.items():
        at = np.minimum(step, low.size - 1)
        out[f"lo-{level}"] = mean + low[at] * scale
        out[f"hi-{level}"] = mean + high[at] * scale
    return out
