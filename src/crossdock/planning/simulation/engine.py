"""Crossdock's planning engine as a simulation policy, run as production runs it.

At every review it re-plans on the demand seen up to that period and nothing later: the
forecast (`planning.forecasting.forecast_demand`: classification, per-series model
selection by backtest, known drivers such as planned promotions and prices, calibrated
intervals) gives each row's demand and its spread over the lead time + review period
ahead; `planning.policy.size_network` turns them, with the lead-time distribution,
into levels for the row's fill-rate target, branches and their DC sized as two
echelons; each row orders up to its level, and a row that buys expedites what its
forecast says it runs short of before a normal order could arrive, when that pays.
Models are re-fitted every `refit_every`
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
from crossdock.planning.simulation.policies import Orders, PolicyView

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
        spread: how forecast uncertainty is read (see `Forecast`).
        forecast_jobs: statsforecast worker processes.
        min_history: periods of history below which the policy plans on the mean and
            spread of the demand seen so far instead of a model's forecast.
        expedite_lead_time, expedite_cost, shortage_cost: per row, in periods and money
            per unit; with all three the engine expedites the units its forecast says it
            runs short of before a normal order could arrive, when a unit short costs
            more than expediting it (None: no expedites).
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
    spread: str = "interval90"
    forecast_jobs: int = 1
    min_history: int = 13
    expedite_lead_time: IntArray | None = None
    expedite_cost: FloatArray | None = None
    shortage_cost: FloatArray | None = None


SPREADS = ("interval90", "backtest")


@dataclass(frozen=True)
class Forecast:
    """One re-fit's forecast per row and step ahead (0 = the period after the origin):
    mean, and the variance each way of reading its spread gives.

    Spreads: `interval90` reads the calibrated 90% interval's upper half-width as a
    normal one (as `crossdock plan` does); `backtest` is 1.25 x the mean absolute error
    of the chosen model in its backtest (WAPE x the forecast), the classic MAD
    estimate, which heavy-tailed errors do not inflate; NaN for a row without a
    backtest (the policy falls back on the spread of the demand it has seen).
    """

    mean: FloatArray
    variance: dict[str, FloatArray]
    sporadic: np.ndarray


@dataclass
class CrossdockPolicy:
    """The planning engine re-planning at every review; see the module docstring."""

    setup: EngineSetup
    name: str = "Crossdock"
    refits: int = 0
    forecasts: dict[int, Forecast] = field(default_factory=dict, repr=False)
    # per origin period; share one between policies replaying the same demand
    _origin: int = field(default=-1, repr=False)
    _mean: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    _var: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    _sporadic: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)

    @property
    def protection(self) -> IntArray:
        """Per row, the periods a review protects: lead time + review period."""
        lead = np.ceil(self.setup.lead_time_mean)
        return (lead + self.setup.review_period).astype(np.int64)

    def order(self, view: PolicyView) -> FloatArray | Orders:
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
        quantity = np.asarray(
            np.maximum(levels.reorder_point - view.position, 0.0), dtype=np.float64
        )
        short = self._short_before_a_normal_order(view)
        if short is None or not short.any():
            return quantity
        # expedite just the shortfall; order the rest of the way up at normal speed
        return Orders(np.maximum(quantity - short, 0.0), short)

    def _short_before_a_normal_order(self, view: PolicyView) -> FloatArray | None:
        """Per row that buys, the units its forecast says it runs short of between an
        expedited order's arrival and a normal one's, where a unit short costs more than
        expediting it (0 elsewhere); None when expedites are off."""
        setup = self.setup
        if (
            setup.expedite_lead_time is None
            or setup.expedite_cost is None
            or setup.shortage_cost is None
            or view.arriving is None
        ):
            return None
        offset = view.period - self._origin
        served = self._mean[:, offset:].copy()
        child = np.flatnonzero(setup.parent >= 0)
        for k in range(served.shape[1]):  # a DC serves its branches' demand
            served[:, k] += np.bincount(
                setup.parent[child], self._mean[child, offset + k], minlength=served.shape[0]
            )
        steps = min(served.shape[1], view.arriving.shape[1])
        if steps == 0:
            return None
        normal = np.round(setup.lead_time_mean).astype(np.int64)  # a typical normal order
        fast = setup.expedite_lead_time
        # project stock period by period: what is short before an expedited order could
        # arrive is lost (or owed) whatever is done now; what is short from then until a
        # normal order arrives is what expediting saves
        stock = view.on_hand.copy()
        saved_units = np.zeros(stock.size)
        for ahead in range(steps):
            stock = stock + view.arriving[:, ahead] - served[:, ahead]
            short = np.maximum(-stock, 0.0)
            window = (ahead >= fast) & (ahead < normal)
            saved_units += np.where(window, short, 0.0)
            stock = np.maximum(stock, 0.0)
        pays = (setup.parent < 0) & (setup.shortage_cost > setup.expedite_cost) & (fast < normal)
        return np.where(pays, saved_units, 0.0)

    def _refit(self, view: PolicyView) -> None:
        """Forecast every row from the demand seen up to `view.period` (or reuse the
        forecast made from the same origin)."""
        self._origin = view.period
        cached = self.forecasts.get(view.period)
        if cached is None:
            cached = self._forecast(view)
            self.forecasts[view.period] = cached
            self.refits += 1
        seen = view.demand
        if seen.shape[1] < self.setup.min_history:
            # too little history for a model: the mean and spread seen so far
            mean = np.repeat(seen.mean(axis=1, keepdims=True), cached.mean.shape[1], axis=1)
            self._mean, self._var = mean, np.zeros_like(mean) + seen.var(axis=1, keepdims=True)
        else:
            self._mean = cached.mean
            variance = cached.variance[self.setup.spread]
            spread_seen = seen.std(axis=1) / np.maximum(seen.mean(axis=1), 1e-12)
            fallback = (spread_seen[:, None] * cached.mean) ** 2
            self._var = np.where(np.isnan(variance), fallback, variance)
        self._sporadic = cached.sporadic

    def _forecast(self, view: PolicyView) -> Forecast:
        setup = self.setup
        seen = view.demand
        periods_seen = seen.shape[1]
        horizon = int(self.protection.max()) + setup.refit_every
        rows = len(setup.series)
        mean_of = np.zeros((rows, horizon))
        variance = {name: np.zeros((rows, horizon)) for name in SPREADS}
        sporadic = np.zeros(rows, dtype=bool)
        demanded = np.flatnonzero(seen.sum(axis=1) > 0)
        if not demanded.size:
            return Forecast(mean_of, variance, sporadic)
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
            n_jobs=setup.forecast_jobs,
        )
        forecasts = result.forecasts.sort_values(["unique_id", "ds"], kind="stable")
        where = pd.Index(ids).get_indexer(forecasts["unique_id"])
        step = forecasts.groupby("unique_id").cumcount().to_numpy()
        ok = (where >= 0) & (step < horizon)
        mean = np.nan_to_num(forecasts["mean"].to_numpy(np.float64))
        selection = result.selection.set_index("unique_id")
        wape = forecasts["unique_id"].map(selection["wape"]).to_numpy(np.float64)
        spread = {
            "interval90": np.nan_to_num(forecasts["hi-90"].to_numpy(np.float64) - mean) / _Z90,
            "backtest": 1.25 * wape * mean,
        }
        mean_of[where[ok], step[ok]] = mean[ok]
        variance["backtest"][:] = np.nan
        for name, values in spread.items():
            variance[name][where[ok], step[ok]] = np.maximum(values[ok], 0.0) ** 2
        classes = selection["demand_class"]
        sporadic[demanded] = classes.reindex(ids[demanded]).isin(_SPORADIC).to_numpy(dtype=bool)
        return Forecast(mean_of, variance, sporadic)

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
