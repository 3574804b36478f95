"""The driver lift: a log-linear effect of price and promotion on demand, pooled per class.

Demand is modelled as `baseline x exp(b . x)`, where `x` are the driver features of
`drivers.py` (0 = usual price, no promotion). `b` is fitted on seasonal differences,
`log1p(y[t]) - log1p(y[t-s]) ~ b . (x[t] - x[t-s])` with `s` the season length (1 when
there is none), which removes each series' level, trend-free seasonality and fixed-date
events, so `b` measures only what changes with the drivers. One `b` is fitted by least
squares on every series of a demand class together; each series then gets its own `b`,
shrunk towards the pooled one by a prior worth `prior_periods` periods of the pooled data
(a series that never had a promotion gets the pooled lift).

A driver candidate forecasts the *de-promoted* history `y / exp(b . x)` with an ordinary
model and multiplies its forecast (mean and bounds) by `exp(b . x)` of the future periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]

MAX_LOG_LIFT = 3.0  # a lift is held within x1/20 .. x20


@dataclass(frozen=True)
class DriverLift:
    """Fitted lift coefficients.

    Attributes:
        columns: the feature names, in coefficient order.
        pooled: the class-wide coefficients.
        per_series: one row of coefficients per series (index `unique_id`).
        observations: differenced periods the pooled fit used.
    """

    columns: tuple[str, ...]
    pooled: FloatArray
    per_series: pd.DataFrame
    observations: int

    def factor(self, frame: pd.DataFrame) -> FloatArray:
        """exp(b . x) per row of `frame` (`unique_id` plus the feature columns)."""
        coefficients = self.per_series.reindex(frame["unique_id"].to_numpy())
        b = coefficients.to_numpy(dtype=np.float64)
        missing = np.isnan(b).any(axis=1)
        b[missing] = self.pooled
        x = frame[list(self.columns)].to_numpy(dtype=np.float64)
        log_lift = np.clip((x * b).sum(axis=1), -MAX_LOG_LIFT, MAX_LOG_LIFT)
        return np.asarray(np.exp(log_lift), dtype=np.float64)


def fit_lift(
    history: pd.DataFrame,
    columns: Sequence[str],
    *,
    season_length: int,
    prior_periods: float = 20.0,
) -> DriverLift:
    """Fit the lift on `history` (`unique_id`, `ds`, `y` and the feature columns, every
    period of each series present, sorted by series then period)."""
    names = list(columns)
    lag = max(season_length, 1)
    codes, ids = pd.factorize(history["unique_id"], sort=False)
    log_demand = np.log1p(history["y"].to_numpy(dtype=np.float64).clip(min=0.0))
    x = history[names].to_numpy(dtype=np.float64)
    same = np.zeros(len(history), dtype=bool)
    same[lag:] = codes[lag:] == codes[:-lag]
    rows = np.flatnonzero(same)
    dy = log_demand[rows] - log_demand[rows - lag]
    dx = x[rows] - x[rows - lag]
    k = len(names)
    if rows.size == 0:
        pooled = np.zeros(k)
        return DriverLift(tuple(names), pooled, pd.DataFrame(columns=names), 0)
    pooled = np.linalg.lstsq(dx, dy, rcond=None)[0]
    prior = prior_periods * (dx.T @ dx) / rows.size
    series = codes[rows]
    n_series = len(ids)
    xtx = np.zeros((n_series, k, k))
    np.add.at(xtx, series, dx[:, :, None] * dx[:, None, :])
    xty = np.zeros((n_series, k))
    np.add.at(xty, series, dx * dy[:, None])
    lhs = xtx + prior[None, :, :]
    rhs = xty + (prior @ pooled)[None, :]
    # A driver that never moves anywhere in the class leaves its row and column zero.
    lhs += np.eye(k)[None, :, :] * 1e-9
    per_series = np.linalg.solve(lhs, rhs[:, :, None])[:, :, 0]
    return DriverLift(
        columns=tuple(names),
        pooled=pooled,
        per_series=pd.DataFrame(per_series, index=pd.Index(ids, name="unique_id"), columns=names),
        observations=int(rows.size),
    )
