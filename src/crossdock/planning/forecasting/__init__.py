"""Demand forecasting: one façade over statsforecast that picks a model per demand class.

`forecast_demand` classifies every series (see `crossdock.planning.classification`),
backtests the candidate models of its class by rolling origin, forecasts each series with
its winner and returns non-negative means with nested prediction intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from crossdock.planning.forecasting.core import (
    ForecastModel,
    ForecastResult,
    ModelCatalog,
    densify,
    run_forecast,
)

DEFAULT_SEASON = {"D": 7, "W": 1, "M": 12}


def forecast_demand(
    history: pd.DataFrame,
    *,
    horizon: int,
    as_of: date,
    freq: str = "D",
    levels: Sequence[int] = (80, 90),
    n_windows: int = 2,
    season_length: int | None = None,
    catalog: ModelCatalog | None = None,
    classification: pd.DataFrame | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    n_jobs: int = 1,
) -> ForecastResult:
    """Forecast every series in a sparse demand history `horizon` periods past `as_of`.

    Args:
        history: long frame, one row per series and date with demand (absent = zero).
        horizon: periods to forecast after the period holding `as_of`.
        as_of: the last day of history used.
        freq: "D", "W" (7-day periods counted back from `as_of`) or "MS" (months).
        levels: prediction-interval coverages in percent; columns `lo-<l>`, `hi-<l>`.
        n_windows: rolling-origin backtest windows (each `horizon` long) used for selection.
        season_length: periods per season; 7 daily, 1 weekly, 12 monthly by default.
        catalog: candidate models per class; `default_catalog(...)` when omitted.
        classification: a precomputed `classify_demand` result to reuse.
        id_col, time_col, target_col: column names in `history`.
        n_jobs: statsforecast worker processes.

    Returns:
        A `ForecastResult` with `forecasts`, `selection`, `backtest`, `classification`.
    """
    season = season_length or DEFAULT_SEASON[freq.upper()[:1]]
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
    )


__all__ = [
    "ForecastModel",
    "ForecastResult",
    "ModelCatalog",
    "densify",
    "forecast_demand",
]
