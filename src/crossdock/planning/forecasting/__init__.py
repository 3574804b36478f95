"""Demand forecasting: one façade over statsforecast that picks a model per demand class.

`forecast_demand` classifies every series (see `crossdock.planning.classification`),
backtests the candidate models of its class by rolling origin, forecasts each series with
its winner and returns non-negative means with nested prediction intervals. Known drivers
(price, promotion, events; `drivers.py`) add candidates that model their lift (`lift.py`);
they win only where the backtest says they help.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from crossdock.planning.forecasting.core import (
    DRIVER_SUFFIX,
    ForecastModel,
    ForecastResult,
    ModelCatalog,
    densify,
    run_forecast,
)
from crossdock.planning.forecasting.drivers import DriverInputError

DEFAULT_SEASON = {"D": 7, "W": 1, "M": 12}


def forecast_demand(
    history: pd.DataFrame,
    *,
    horizon: int,
    as_of: date,
    freq: str = "D",
    levels: Sequence[int] = (80, 90),
    n_windows: int | None = None,
    season_length: int | None = None,
    catalog: ModelCatalog | None = None,
    classification: pd.DataFrame | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    n_jobs: int = 1,
    drivers: pd.DataFrame | None = None,
    price_cols: Sequence[str] = ("unit_price",),
    driver_cols: Sequence[str] | None = None,
    calibrate_intervals: bool = True,
) -> ForecastResult:
    """Forecast every series in a sparse demand history `horizon` periods past `as_of`.

    Args:
        history: long frame, one row per series and date with demand (absent = zero).
        horizon: periods to forecast after the period holding `as_of`.
        as_of: the last day of history used.
        freq: "D", "W" (7-day periods counted back from `as_of`) or "MS" (months).
        levels: prediction-interval coverages in percent; columns `lo-<l>`, `hi-<l>`.
        n_windows: rolling-origin backtest windows (each `horizon` long) used for selection;
            by default enough to span one season, at least 2 and at most 4.
        season_length: periods per season; 7 daily, 1 weekly, 12 monthly by default.
        catalog: candidate models per class; `default_catalog(...)` when omitted.
        classification: a precomputed `classify_demand` result to reuse.
        id_col, time_col, target_col: column names in `history`.
        n_jobs: statsforecast worker processes.
        drivers: known drivers per series and date (`id_col`, `time_col`, one numeric
            column per driver), covering history and the `horizon` periods after `as_of`;
            averaged per period (see `crossdock.planning.forecasting.drivers`). Series
            absent from it are forecast exactly as without drivers.
        price_cols: driver columns holding prices (read relative to the usual price).
        driver_cols: the driver columns; all but `id_col` and `time_col` when None.
        calibrate_intervals: bounds from the pooled backtest errors of each model in each
            class (`intervals.py`); False keeps each model's own intervals.

    Returns:
        A `ForecastResult` with `forecasts`, `selection`, `backtest`, `classification`
        and `lift`.

    Raises:
        DriverInputError: unusable drivers, naming the field, series, period and value.
    """
    season = season_length or DEFAULT_SEASON[freq.upper()[:1]]
    if n_windows is None:
        n_windows = min(max(2, -(-season // horizon)), 4)
    if catalog is None:
        from crossdock.planning.forecasting.catalog import default_catalog  # noqa: PLC0415

        catalog = default_catalog(season_length=season, horizon=horizon)
    return run_forecast(
        history,
        catalog=catalog,
        horizon=horizon,
        as_of=as_of,
        freq=freq,
        levels=levels,
        n_windows=n_windows,
        classification=classification,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        n_jobs=n_jobs,
        drivers=drivers,
        price_cols=price_cols,
        driver_cols=driver_cols,
        calibrate_intervals=calibrate_intervals,
    )


__all__ = [
    "DRIVER_SUFFIX",
    "DriverInputError",
    "ForecastModel",
    "ForecastResult",
    "ModelCatalog",
    "densify",
    "forecast_demand",
]
