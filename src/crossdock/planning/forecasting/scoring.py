"""Backtest scores per series and model: MASE, WAPE and bias from a cross-validation frame."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def mase_scale(train: pd.DataFrame, *, season_length: int) -> pd.Series:
    """Mean absolute in-sample seasonal-naive error per series (lag 1 when too short).

    A series whose scale is zero (constant history) is scaled by its mean absolute level,
    and by 1 when that is zero too, so MASE stays finite.
    """
    grouped = train.groupby("unique_id", sort=True)["y"]
    sizes = grouped.size()
    lag_of = np.where(sizes > season_length, season_length, 1)
    seasonal = train["unique_id"].map(pd.Series(lag_of > 1, index=sizes.index)).to_numpy()
    previous = np.where(seasonal, grouped.shift(season_length), grouped.shift(1))
    errors = (train["y"] - previous).abs()
    scale = errors.groupby(train["unique_id"], sort=True).mean()
    level = train["y"].abs().groupby(train["unique_id"], sort=True).mean()
    return scale.where(scale > 0, level).where(lambda s: s > 0, 1.0)


def backtest_scores(
    history: pd.DataFrame, cv: pd.DataFrame, aliases: Sequence[str], *, season_length: int
) -> pd.DataFrame:
    """One row per series and model alias: `mase`, `wape` and `bias` over all windows.

    `bias` is sum(forecast - actual) / sum(actual) (positive = over-forecast); `wape` is
    sum|error| / sum(actual); both are NaN when the actuals sum to zero.
    """
    cv = cv.reset_index() if "unique_id" not in cv.columns else cv
    first_cutoff = cv.groupby("unique_id")["cutoff"].min()
    train = history[history["ds"] <= history["unique_id"].map(first_cutoff)]
    scale = mase_scale(train, season_length=season_length)
    actual_total = cv.groupby("unique_id", sort=True)["y"].sum()
    rows = []
    for alias in aliases:
        error = cv[alias].clip(lower=0.0) - cv["y"]
        abs_error = error.abs().groupby(cv["unique_id"], sort=True)
        mae = abs_error.mean()
        abs_total = abs_error.sum()
        total_error = error.groupby(cv["unique_id"], sort=True).sum()
        safe_total = actual_total.where(actual_total > 0)
        rows.append(
            pd.DataFrame(
                {
                    "unique_id": mae.index,
                    "model": alias,
                    "mase": (mae / scale.reindex(mae.index)).to_numpy(),
                    "wape": (abs_total / safe_total).to_numpy(),
                    "bias": (total_error / safe_total).to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
