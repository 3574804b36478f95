"""The default candidate models per demand class: the only module that names concrete models.

Choices (AutoETS costs ~0.2 s a series on the project machine, so it is opt-in):

- smooth / erratic: seasonal naive, Optimized Theta (seasonal decomposition when the
  series is seasonal; native intervals) and optimised simple exponential smoothing.
  `with_auto_ets=True` adds AutoETS where the extra cost is acceptable.
- intermittent / lumpy: Croston SBA, TSB, ADIDA, IMAPA, plus seasonal naive, which wins on
  items that sell only on certain weekdays.
- new: naive and the historic average (too little history for anything else).
- dying: zero and naive (naive follows a level that has dropped; zero a level that ended).
- no_demand: no model; the core forecasts zero.

Models without native intervals get statsforecast `ConformalIntervals` over the horizon.

Driver candidates (run on the de-promoted history, the lift put back; only for series with
drivers): Optimized Theta and exponential smoothing (plus AutoETS when enabled) for smooth
and erratic series, ADIDA and TSB for intermittent and lumpy ones. Naive-type models are
left out: their last value is the one period the lift most often gets wrong.
"""

from __future__ import annotations

from statsforecast.models import (
    ADIDA,
    IMAPA,
    TSB,
    AutoETS,
    CrostonSBA,
    HistoricAverage,
    Naive,
    OptimizedTheta,
    SeasonalNaive,
    SimpleExponentialSmoothingOptimized,
    ZeroModel,
)
from statsforecast.utils import ConformalIntervals

from crossdock.planning.classification import (
    DYING,
    ERRATIC,
    INTERMITTENT,
    LUMPY,
    NEW,
    NO_DEMAND,
    SMOOTH,
)
from crossdock.planning.forecasting.core import ForecastModel, ModelCatalog


def default_catalog(
    *,
    season_length: int,
    horizon: int,
    conformal_windows: int = 4,
    with_auto_ets: bool = False,
    combine: bool = True,
) -> ModelCatalog:
    """Candidate models per demand class for a season of `season_length` periods.

    Args:
        season_length: periods per season (7 for daily data with a weekly cycle).
        horizon: forecast horizon in periods; conformal intervals are calibrated on it.
        conformal_windows: backtest windows for conformal intervals (fewer on short series).
        with_auto_ets: add AutoETS to the smooth and erratic candidates.
        combine: add the mean of each class's candidates as a candidate.
    """

    def conformal() -> ConformalIntervals:
        return ConformalIntervals(h=horizon, n_windows=conformal_windows)

    continuous: list[ForecastModel] = [
        SeasonalNaive(season_length=season_length),
        OptimizedTheta(season_length=season_length),
        SimpleExponentialSmoothingOptimized(prediction_intervals=conformal()),
    ]
    if with_auto_ets:
        continuous.append(AutoETS(season_length=season_length))
    sporadic: list[ForecastModel] = [
        CrostonSBA(prediction_intervals=conformal()),
        TSB(alpha_d=0.2, alpha_p=0.1, prediction_intervals=conformal()),
        ADIDA(prediction_intervals=conformal()),
        IMAPA(prediction_intervals=conformal()),
        SeasonalNaive(season_length=season_length),
    ]
    continuous_driven: list[ForecastModel] = [
        OptimizedTheta(season_length=season_length),
        SimpleExponentialSmoothingOptimized(prediction_intervals=conformal()),
    ]
    if with_auto_ets:
        continuous_driven.append(AutoETS(season_length=season_length))
    sporadic_driven: list[ForecastModel] = [
        ADIDA(prediction_intervals=conformal()),
        TSB(alpha_d=0.2, alpha_p=0.1, prediction_intervals=conformal()),
    ]
    return ModelCatalog(
        driver_candidates={
            SMOOTH: continuous_driven,
            ERRATIC: continuous_driven,
            INTERMITTENT: sporadic_driven,
            LUMPY: sporadic_driven,
        },
        candidates={
            SMOOTH: continuous,
            ERRATIC: continuous,
            INTERMITTENT: sporadic,
            LUMPY: sporadic,
            NEW: [Naive(), HistoricAverage()],
            DYING: [ZeroModel(), Naive()],
            NO_DEMAND: [],
        },
        fallback=Naive(),
        season_length=season_length,
        combine=combine,
    )
