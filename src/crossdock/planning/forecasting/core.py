"""The forecasting core: classify, backtest candidates per class, forecast with the winner.

It drives statsforecast's `StatsForecast` but never names a concrete model: candidates
arrive in a `ModelCatalog` (see `catalog.py` for the defaults), so any object that speaks
statsforecast's model protocol (`alias`, `new()`, `forecast(...)`) works, a fake included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np
import pandas as pd
from statsforecast import StatsForecast

from crossdock.planning.classification import (
    classify_demand,
    period_numbers,
    period_starts,
    period_totals,
)
from crossdock.planning.forecasting.drivers import PeriodDrivers, period_drivers
from crossdock.planning.forecasting.intervals import (
    FloatArray,
    Quantiles,
    calibrated_bounds,
    pooled_error_quantiles,
)
from crossdock.planning.forecasting.lift import DriverLift, fit_lift
from crossdock.planning.forecasting.scoring import backtest_scores

DRIVER_SUFFIX = "+drivers"
COMBINED = "Combined"
# A series' backtest MASE of a model is averaged with the model's mean MASE over the class:
# a few windows of one series are a noisy judge (on Stallion, per-series winners forecast
# worse than AutoETS for all; see docs/planning/forecasting.md).
CLASS_WEIGHT = 1.0


class ForecastModel(Protocol):
    """What the core needs from a model: statsforecast's model protocol (`repr()` must
    return `alias`: statsforecast names output columns by it)."""

    alias: str

    def new(self) -> Any: ...  # pragma: no cover


@dataclass(frozen=True)
class ModelCatalog:
    """Candidate models per demand class, the first being the default when a series is too
    short to backtest; `fallback` replaces a model that fails on one series.

    `driver_candidates` are the models that, for series with drivers, also compete on the
    de-promoted history with the driver lift put back (alias `<model alias>+drivers`).
    `combine` adds the equal-weight mean of a class's candidates as one more candidate
    (alias `Combined`, and `Combined+drivers` for the driver candidates).
    """

    candidates: Mapping[str, Sequence[ForecastModel]]
    fallback: ForecastModel | None
    season_length: int
    driver_candidates: Mapping[str, Sequence[ForecastModel]] = field(default_factory=dict)
    combine: bool = False


@dataclass(frozen=True)
class ForecastResult:
    """What `forecast_demand` returns.

    Attributes:
        forecasts: long frame: id, `ds`, `mean`, then `lo-<level>` and `hi-<level>` for each
            level; every value >= 0 and lo-<wider> <= lo <= mean <= hi <= hi-<wider>.
        selection: one row per series: id, `demand_class`, `model` (the chosen alias),
            `backtested` (False when too short: the class default was used), `mase`, `wape`,
            `bias` (of the chosen model; sum(forecast - actual) / sum(actual)).
        backtest: long frame of every candidate's backtest: id, `model`, `mase`, `wape`, `bias`.
        classification: the `classify_demand` output used.
        lift: the pooled driver lift per class: `demand_class`, `driver`, `coefficient`
            (log-demand change per unit of the driver feature), `observations`; empty
            without drivers.
    """

    forecasts: pd.DataFrame
    selection: pd.DataFrame
    backtest: pd.DataFrame
    classification: pd.DataFrame
    lift: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["demand_class", "driver", "coefficient", "observations"]
        )
    )


def statsforecast_freq(freq: str) -> str:
    """The statsforecast frequency for the period dates `period_starts` produces."""
    kind = freq.upper()[:1]
    return {"D": "D", "W": "7D", "M": "MS"}[kind]


def densify(
    history: pd.DataFrame,
    *,
    as_of: date,
    freq: str,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> pd.DataFrame:
    """Every period from each series' first demand to `as_of`, absent periods as zero.

    Series without any demand are left out. Returns columns `unique_id`, `ds`, `y`.
    """
    totals = period_totals(
        history, as_of=as_of, freq=freq, id_col=id_col, time_col=time_col, target_col=target_col
    )
    demand = totals.quantity > 0
    series, period = totals.series[demand], totals.period[demand]
    n_series = len(totals.ids)
    first = np.full(n_series, totals.as_of_period + 1, dtype=np.int64)
    np.minimum.at(first, series, period)
    lengths = np.maximum(totals.as_of_period - first + 1, 0)
    codes = np.repeat(np.arange(n_series), lengths)
    offsets = np.arange(codes.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    numbers = np.repeat(first, lengths) + offsets
    y = np.zeros(codes.size)
    kept = totals.period >= first[totals.series]
    position = np.cumsum(lengths) - lengths
    rows = position[totals.series[kept]] + (totals.period[kept] - first[totals.series[kept]])
    y[rows] = totals.quantity[kept]
    return pd.DataFrame(
        {
            "unique_id": totals.ids.to_numpy()[codes],
            "ds": period_starts(numbers, as_of=as_of, freq=freq),
            "y": y,
        }
    )


def run_forecast(
    history: pd.DataFrame,
    *,
    catalog: ModelCatalog,
    horizon: int,
    as_of: date,
    freq: str = "D",
    levels: Sequence[int] = (80, 90),
    n_windows: int = 2,
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
    """Classify, select a model per series by rolling-origin backtest, and forecast.

    See `crossdock.planning.forecasting.forecast_demand` for the arguments; this is the same
    with the candidate `catalog` required.
    """
    if horizon < 1:
        msg = f"horizon must be at least 1 period, got {horizon}"
        raise ValueError(msg)
    classes = (
        classification
        if classification is not None
        else classify_demand(
            history,
            as_of=as_of,
            freq=freq,
            id_col=id_col,
            time_col=time_col,
            target_col=target_col,
        )
    )
    dense = densify(
        history, as_of=as_of, freq=freq, id_col=id_col, time_col=time_col, target_col=target_col
    )
    features = (
        period_drivers(
            drivers,
            series=pd.Index(dense["unique_id"].unique()),
            as_of=as_of,
            freq=freq,
            horizon=horizon,
            price_cols=price_cols,
            driver_cols=driver_cols,
            id_col=id_col,
            time_col=time_col,
        )
        if drivers is not None
        else None
    )
    class_of = classes.set_index(id_col)["demand_class"]
    dense_class = dense["unique_id"].map(class_of)
    setup = _Setup(
        horizon=horizon,
        n_windows=n_windows,
        min_length=n_windows * horizon + max(2 * catalog.season_length, 8),
        season_length=catalog.season_length,
        freq=statsforecast_freq(freq),
        levels=tuple(levels),
        n_jobs=n_jobs,
        fallback=catalog.fallback,
        calibrate=calibrate_intervals,
        combine=catalog.combine,
    )
    forecasts: list[pd.DataFrame] = []
    selections: list[pd.DataFrame] = []
    backtests: list[pd.DataFrame] = []
    lifts: list[pd.DataFrame] = []
    for demand_class in sorted(class_of.unique()):
        models = list(catalog.candidates.get(demand_class, ()))
        ids = class_of.index[class_of == demand_class]
        group = dense[dense_class == demand_class]
        if not models or group.empty:
            selections.append(_selection(ids, demand_class, "zero"))
            continue
        driven = _Driven.of(group, features, catalog.driver_candidates.get(demand_class, ()), setup)
        chosen, scores, quantiles = _select(group, models, driven, setup)
        if not scores.empty:
            backtests.append(scores)
        selection = _selection(ids, demand_class, models[0].alias)
        selection = selection.set_index("unique_id")
        selection.loc[chosen.index, "model"] = chosen
        selection.loc[chosen.index, "backtested"] = True
        picked = scores[scores["model"] == scores["unique_id"].map(chosen)]
        picked = picked.set_index("unique_id")
        scored = ["mase", "wape", "bias"]
        selection.loc[picked.index, scored] = picked[scored]
        selections.append(selection.reset_index())
        model_of = group["unique_id"].map(selection["model"])
        forecasts += _forecast_class(group, model_of, models, quantiles, setup)
        if driven is not None:
            lift = driven.fit(driven.history)
            lifts.append(_lift_frame(demand_class, lift))
            forecasts += driven.forecast_chosen(group, model_of, lift, quantiles, setup)
    selection_frame = pd.concat(selections, ignore_index=True)
    zero_ids = selection_frame.loc[selection_frame["model"] == "zero", "unique_id"]
    forecasts.append(_zero_forecasts(zero_ids, horizon, as_of, freq, levels))
    result = _tidy(pd.concat(forecasts, ignore_index=True), levels)
    backtest = (
        pd.concat(backtests, ignore_index=True)
        if backtests
        else pd.DataFrame(columns=["unique_id", "model", "mase", "wape", "bias"])
    )
    return ForecastResult(
        forecasts=result.rename(columns={"unique_id": id_col}),
        selection=selection_frame.sort_values("unique_id", ignore_index=True).rename(
            columns={"unique_id": id_col}
        ),
        backtest=backtest.rename(columns={"unique_id": id_col}),
        classification=classes,
        lift=(
            pd.concat(lifts, ignore_index=True)
            if lifts
            else pd.DataFrame(columns=["demand_class", "driver", "coefficient", "observations"])
        ),
    )


@dataclass(frozen=True)
class _Setup:
    horizon: int
    n_windows: int
    min_length: int
    season_length: int
    freq: str
    levels: tuple[int, ...]
    n_jobs: int
    fallback: ForecastModel | None
    calibrate: bool
    combine: bool


@dataclass(frozen=True)
class _Driven:
    """The series of one class that have drivers, and the models run on them with the lift."""

    history: pd.DataFrame
    features: PeriodDrivers
    models: tuple[ForecastModel, ...]
    season_length: int

    @classmethod
    def of(
        cls,
        group: pd.DataFrame,
        features: PeriodDrivers | None,
        models: Sequence[ForecastModel],
        setup: _Setup,
    ) -> _Driven | None:
        if features is None or not models:
            return None
        history = group[group["unique_id"].isin(features.series)]
        if history.empty:
            return None
        return cls(history, features, tuple(models), setup.season_length)

    @staticmethod
    def alias(model: ForecastModel) -> str:
        return f"{model.alias}{DRIVER_SUFFIX}"

    def fit(self, history: pd.DataFrame) -> DriverLift:
        return fit_lift(
            self.features.on(history), self.features.columns, season_length=self.season_length
        )

    def forecast(
        self, subset: pd.DataFrame, model: ForecastModel, lift: DriverLift, setup: _Setup
    ) -> pd.DataFrame:
        """Forecast the de-promoted `subset` with `model`, then put the lift back."""
        lifted = self.features.on(subset)
        baseline = subset.assign(y=subset["y"].to_numpy() / lift.factor(lifted))
        out = _forecast_one(baseline, model, setup)
        factor = lift.factor(self.features.on(out[["unique_id", "ds"]]))
        bounds = [c for c in out.columns if c not in ("unique_id", "ds")]
        out[bounds] = out[bounds].to_numpy() * factor[:, None]
        return out

    def forecast_chosen(
        self,
        group: pd.DataFrame,
        model_of: pd.Series,
        lift: DriverLift,
        quantiles: Quantiles,
        setup: _Setup,
    ) -> list[pd.DataFrame]:
        """Forecasts of each series in `group` that chose a driver model."""
        out = []
        for model in self.models:
            subset = group[model_of == self.alias(model)]
            if not subset.empty:
                raw = self.forecast(subset, model, lift, setup)
                out.append(_calibrated(raw, subset, quantiles.get(self.alias(model)), setup))
        alias = COMBINED + DRIVER_SUFFIX
        subset = group[model_of == alias]
        if not subset.empty:
            raw = _mean_of([self.forecast(subset, m, lift, setup) for m in self.models])
            out.append(_calibrated(raw, subset, quantiles.get(alias), setup))
        return out

    def backtest(self, long_enough: pd.DataFrame, setup: _Setup) -> pd.DataFrame:
        """Rolling-origin forecasts of every driver model, the lift refitted at each cutoff
        on history up to it: `unique_id`, `ds`, `cutoff` and one column per alias."""
        data = long_enough[long_enough["unique_id"].isin(self.features.series)]
        if data.empty:
            return pd.DataFrame(columns=["unique_id", "ds", "cutoff"])
        periods = np.sort(data["ds"].unique())
        windows = []
        for back in range(setup.n_windows, 0, -1):
            cutoff = periods[-(back * setup.horizon) - 1]
            train = data[data["ds"] <= cutoff]
            lift = self.fit(train)
            lifted = self.features.on(train)
            baseline = train.assign(y=train["y"].to_numpy() / lift.factor(lifted))
            engine = StatsForecast(
                models=[m.new() for m in self.models],
                freq=setup.freq,
                n_jobs=setup.n_jobs,
                fallback_model=setup.fallback.new() if setup.fallback is not None else None,
            )
            raw = engine.forecast(df=baseline, h=setup.horizon)
            raw = raw.reset_index() if "unique_id" not in raw.columns else raw
            factor = lift.factor(self.features.on(raw[["unique_id", "ds"]]))
            window = raw[["unique_id", "ds"]].assign(cutoff=cutoff)
            for model in self.models:
                window[self.alias(model)] = raw[model.alias].to_numpy() * factor
            windows.append(window)
        return pd.DataFrame(pd.concat(windows, ignore_index=True))


def _forecast_class(
    group: pd.DataFrame,
    model_of: pd.Series,
    models: Sequence[ForecastModel],
    quantiles: Quantiles,
    setup: _Setup,
) -> list[pd.DataFrame]:
    """Forecasts of each series in `group` with its chosen (non-driver) model."""
    out = []
    for model in models:
        subset = group[model_of == model.alias]
        if not subset.empty:
            raw = _forecast_one(subset, model, setup)
            out.append(_calibrated(raw, subset, quantiles.get(model.alias), setup))
    subset = group[model_of == COMBINED]
    if not subset.empty:
        raw = _mean_of([_forecast_one(subset, model, setup) for model in models])
        out.append(_calibrated(raw, subset, quantiles.get(COMBINED), setup))
    return out


def _lift_frame(demand_class: str, lift: DriverLift) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "demand_class": demand_class,
            "driver": list(lift.columns),
            "coefficient": lift.pooled,
            "observations": lift.observations,
        }
    )


def _selection(ids: pd.Index, demand_class: str, model: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": ids.to_numpy(),
            "demand_class": demand_class,
            "model": model,
            "backtested": False,
            "mase": np.nan,
            "wape": np.nan,
            "bias": np.nan,
        }
    )


def _select(
    group: pd.DataFrame,
    models: list[ForecastModel],
    driven: _Driven | None,
    setup: _Setup,
) -> tuple[pd.Series, pd.DataFrame, Quantiles]:
    """The best model alias per long-enough series (lowest MASE averaged with the model's
    class mean, ties to the earlier candidate, driver models after the others), every
    candidate's scores, and the pooled backtest error quantiles per alias (empty when
    intervals are not calibrated)."""
    lengths = group.groupby("unique_id", sort=False)["y"].transform("size")
    long_enough = group[lengths >= setup.min_length]
    driver_models = driven.models if driven is not None else ()
    empty = pd.DataFrame(columns=["unique_id", "model", "mase", "wape", "bias"])
    if len(models) + len(driver_models) < 2 or long_enough.empty:
        return pd.Series(dtype=object), empty, {}
    engine = StatsForecast(models=[m.new() for m in models], freq=setup.freq, n_jobs=setup.n_jobs)
    cv = engine.cross_validation(
        df=long_enough, h=setup.horizon, n_windows=setup.n_windows, step_size=setup.horizon
    )
    cv = cv.reset_index() if "unique_id" not in cv.columns else cv
    aliases = [m.alias for m in models]
    if setup.combine and len(models) > 1:
        cv[COMBINED] = cv[aliases].clip(lower=0.0).mean(axis=1, skipna=False)
        aliases.append(COMBINED)
    if driven is not None:
        lifted = driven.backtest(long_enough, setup)
        cv = cv.merge(lifted, on=["unique_id", "ds", "cutoff"], how="left")
        driver_aliases = [driven.alias(m) for m in driven.models]
        aliases += driver_aliases
        if setup.combine and len(driver_aliases) > 1:
            combined = cv[driver_aliases].clip(lower=0.0).mean(axis=1, skipna=False)
            cv[COMBINED + DRIVER_SUFFIX] = combined
            aliases.append(COMBINED + DRIVER_SUFFIX)
    scores = backtest_scores(long_enough, cv, aliases, season_length=setup.season_length)
    class_mean = scores.groupby("model")["mase"].transform("mean")
    shrunk = (scores["mase"] + CLASS_WEIGHT * class_mean) / (1 + CLASS_WEIGHT)
    rank = scores.assign(
        order=scores["model"].map({a: i for i, a in enumerate(aliases)}),
        key=shrunk.fillna(np.inf),
    ).sort_values(["unique_id", "key", "order"], kind="stable")
    chosen = rank.drop_duplicates("unique_id").set_index("unique_id")["model"]
    quantiles = (
        pooled_error_quantiles(
            long_enough, cv, aliases, levels=setup.levels, season_length=setup.season_length
        )
        if setup.calibrate
        else {}
    )
    return chosen, scores, quantiles


def _calibrated(
    out: pd.DataFrame,
    subset: pd.DataFrame,
    quantiles: Mapping[int, tuple[FloatArray, FloatArray]] | None,
    setup: _Setup,
) -> pd.DataFrame:
    """`out` with bounds from the pooled backtest errors of its model, where there are some."""
    if quantiles is None:
        return out
    return calibrated_bounds(out, subset, quantiles, season_length=setup.season_length)


def _mean_of(members: list[pd.DataFrame]) -> pd.DataFrame:
    """The equal-weight mean of the members' forecasts (each clipped at zero first)."""
    keys = members[0][["unique_id", "ds"]].reset_index(drop=True)
    values = [m.drop(columns=["unique_id", "ds"]).reset_index(drop=True) for m in members]
    mean = sum(v.clip(lower=0.0) for v in values[1:]) + values[0].clip(lower=0.0)
    return pd.concat([keys, mean / len(values)], axis=1)


def _forecast_one(subset: pd.DataFrame, model: ForecastModel, setup: _Setup) -> pd.DataFrame:
    engine = StatsForecast(
        models=[model.new()],
        freq=setup.freq,
        n_jobs=setup.n_jobs,
        fallback_model=setup.fallback.new() if setup.fallback is not None else None,
    )
    raw = engine.forecast(df=subset, h=setup.horizon, level=list(setup.levels))
    raw = raw.reset_index() if "unique_id" not in raw.columns else raw
    alias = model.alias
    renamed = {alias: "mean"}
    for level in setup.levels:
        renamed[f"{alias}-lo-{level}"] = f"lo-{level}"
        renamed[f"{alias}-hi-{level}"] = f"hi-{level}"
    out = raw.rename(columns=renamed)
    for column in renamed.values():
        if column not in out.columns:
            out[column] = np.nan
    return out[["unique_id", "ds", *renamed.values()]]


def _zero_forecasts(
    ids: pd.Series, horizon: int, as_of: date, freq: str, levels: Sequence[int]
) -> pd.DataFrame:
    _, last = period_numbers(pd.Series([pd.Timestamp(as_of)]), as_of=as_of, freq=freq)
    steps = np.arange(last + 1, last + 1 + horizon, dtype=np.int64)
    dates = period_starts(steps, as_of=as_of, freq=freq)
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(ids.to_numpy(), horizon),
            "ds": np.tile(dates.to_numpy(), len(ids)),
            "mean": 0.0,
        }
    )
    for level in levels:
        frame[f"lo-{level}"] = 0.0
        frame[f"hi-{level}"] = 0.0
    return frame


def _tidy(frame: pd.DataFrame, levels: Sequence[int]) -> pd.DataFrame:
    """Clip at zero, fill missing bounds with the mean, and force nested, ordered bounds."""
    frame = frame.copy()
    mean = frame["mean"].fillna(0.0).clip(lower=0.0).to_numpy()
    frame["mean"] = mean
    lower, upper = mean, mean
    for level in sorted(levels):
        lo = frame[f"lo-{level}"].fillna(pd.Series(mean, index=frame.index)).clip(lower=0.0)
        hi = frame[f"hi-{level}"].fillna(pd.Series(mean, index=frame.index)).clip(lower=0.0)
        lower = np.minimum(lo.to_numpy(), lower)
        upper = np.maximum(hi.to_numpy(), upper)
        frame[f"lo-{level}"] = lower
        frame[f"hi-{level}"] = upper
    columns = ["unique_id", "ds", "mean"]
    for level in levels:
        columns += [f"lo-{level}", f"hi-{level}"]
    return frame[columns].sort_values(["unique_id", "ds"], ignore_index=True)
