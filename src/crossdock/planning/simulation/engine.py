"""Crossdock's planning engine as a simulation policy, run as production runs it.

At every review it re-plans on the demand seen up to that period and nothing later: the
forecast (`planning.forecasting.forecast_demand`: classification, per-series model
selection by backtest, known drivers such as planned promotions and prices, calibrated
intervals) gives each row's demand and its spread over the lead time + review period
ahead; `planning.policy.size_network` turns them, with the lead-time distribution,
into levels for the row's fill-rate target, branches and their DC sized as two
echelons; each row orders up to its level. Models are re-fitted every `refit_every`
periods (a weekly or monthly model run, as production schedules it); between re-fits
the review reads the latest forecast further along its horizon, so a re-plan still sees
this period's stock, orders and the promotions coming.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from crossdock.planning.forecasting import forecast_demand
from crossdock.planning.policy import size_network
from crossdock.planning.simulation.inputs import FloatArray, IntArray
from crossdock.planning.simulation.policies import PolicyView

_Z90 = 1.6448536269514722
_SPORADIC = ("intermittent", "lumpy")


@dataclass(frozen=True)
class EngineSetup:
    """What the engine knows of the network, as a planner's system would.

    Attributes:
        series: per row, its series id (item-location).
        period_starts: the first day of each period replayed.
        freq: "D", "W" or "MS".
        lead_time_mean, lead_time_std: per row, in periods (learned from receipts).
        fill_rate: per row, the target fill rate.
        parent: per row, the row of its DC, or -1.
        review_period: periods between reviews.
        drivers: known drivers per series and date (planned promotions, prices), as
            `forecast_demand` takes them; None for none.
        refit_every: periods between model re-fits.
        season_length: periods per season, for the forecasting models.
    """

    series: list[str]
    period_starts: pd.DatetimeIndex
    freq: str
    lead_time_mean: FloatArray
    lead_time_std: FloatArray
    fill_rate: FloatArray
    parent: IntArray
    review_period: int = 1
    drivers: pd.DataFrame | None = None
    refit_every: int = 4
    season_length: int | None = None


@dataclass
class CrossdockPolicy:
    """The planning engine re-planning at every review; see the module docstring."""

    setup: EngineSetup
    name: str = "Crossdock"
    refits: int = 0
    _origin: int = field(default=-1, repr=False)
    _mean: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    _var: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    _sporadic: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)

    @property
    def protection(self) -> IntArray:
        """Per row, the periods a review protects: lead time + review period."""
        lead = np.ceil(self.setup.lead_time_mean)
        return (lead + self.setup.review_period).astype(np.int64)

    def order(self, view: PolicyView) -> FloatArray:
        setup = self.setup
        if self._origin < 0 or view.period - self._origin >= setup.refit_every:
            self._refit(view)
        mean, std = self._window(view.period)
        levels = size_network(
            demand_mean=mean,
            demand_std=std,
            lead_time_mean=setup.lead_time_mean,
            lead_time_std=setup.lead_time_std,
            review_period=float(setup.review_period),
            fill_rate=setup.fill_rate,
            intermittent=self._sporadic,
            parent=setup.parent,
        )
        return np.asarray(np.maximum(levels.reorder_point - view.position, 0.0), dtype=np.float64)

    def _refit(self, view: PolicyView) -> None:
        """Forecast every row from the demand seen up to `view.period`."""
        setup = self.setup
        seen = view.demand
        periods_seen = seen.shape[1]
        horizon = int(self.protection.max()) + setup.refit_every
        rows = len(setup.series)
        self._mean = np.zeros((rows, horizon))
        self._var = np.zeros((rows, horizon))
        self._sporadic = np.zeros(rows, dtype=bool)
        self._origin = view.period
        self.refits += 1
        demanded = np.flatnonzero(seen.sum(axis=1) > 0)
        if not demanded.size:
            return
        ids = np.asarray(setup.series, dtype=object)
        starts = setup.period_starts[:periods_seen]
        row, col = np.nonzero(seen[demanded])
        history = pd.DataFrame(
            {"unique_id": ids[demanded][row], "ds": starts[col], "y": seen[demanded][row, col]}
        )
        result = forecast_demand(
            history,
            horizon=horizon,
            as_of=self._as_of(view.period),
            freq=setup.freq,
            season_length=setup.season_length,
            drivers=setup.drivers,
        )
        forecasts = result.forecasts.sort_values(["unique_id", "ds"], kind="stable")
        where = pd.Index(ids).get_indexer(forecasts["unique_id"])
        step = forecasts.groupby("unique_id").cumcount().to_numpy()
        ok = (where >= 0) & (step < horizon)
        mean = forecasts["mean"].to_numpy(np.float64)
        spread = np.maximum(forecasts["hi-90"].to_numpy(np.float64) - mean, 0.0) / _Z90
        self._mean[where[ok], step[ok]] = np.nan_to_num(mean[ok])
        self._var[where[ok], step[ok]] = np.nan_to_num(spread[ok]) ** 2
        classes = result.selection.set_index("unique_id")["demand_class"]
        self._sporadic[demanded] = (
            classes.reindex(ids[demanded]).isin(_SPORADIC).to_numpy(dtype=bool)
        )

    def _window(self, period: int) -> tuple[FloatArray, FloatArray]:
        """Per row, mean and standard deviation of demand per period over the periods
        this review protects, read from the latest forecast."""
        offset = period - self._origin
        horizon = self._mean.shape[1]
        steps = np.arange(horizon)[None, :]
        protect = self.protection[:, None]
        inside = (steps >= offset) & (steps < offset + protect)
        periods = inside.sum(axis=1).clip(min=1)
        mean = (self._mean * inside).sum(axis=1) / periods
        std = np.sqrt((self._var * inside).sum(axis=1) / periods)
        return mean, std

    def _as_of(self, period: int) -> date:
        starts = self.setup.period_starts
        if period + 1 < len(starts):
            return (starts[period + 1] - timedelta(days=1)).date()
        step = starts[-1] - starts[-2] if len(starts) > 1 else pd.Timedelta(days=1)
        return (starts[period] + step - timedelta(days=1)).date()
