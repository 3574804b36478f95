"""The forecasting core: classify, backtest candidates per class, forecast with the winner.

It drives statsforecast's `StatsForecast` but never names a concrete model: candidates
arrive in a `ModelCatalog` (see `catalog.py` for the defaults), so any object that speaks
statsforecast's model protocol (`alias`, `new()`, `forecast(...)`) works, a fake included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from crossdock.planning.forecasting.scoring import backtest_scores


class ForecastModel(Protocol):
    """What the core needs from a model: statsforecast's model protocol (`repr()` must
    return `alias`: statsforecast names output columns by it)."""

    alias: str

    def new(self) -> Any: ...  # pragma: no cover


@dataclass(frozen=True)
class ModelCatalog:
    """Candidate models per demand class, the first being the default when a series is too
    short to backtest; `fallback` replaces a model that fails on one series."""

    candidates: Mapping[str, Sequence[ForecastModel]]
    fallback: ForecastModel | None
    season_length: int


@dataclass(frozen=True)
class ForecastResult:
    """What `forecast_demand` returns.

    Attributes:
        forecasts: long frame: id, `ds`, `mean`, then `lo-<level>` and `hi-<level>` for each
            level; every value >= 0 and lo-<wider> <= lo <= mean <= hi <= hi-<wider>.
        selection: one row per series: id, `demand_class`, `model` (the chosen alias),
            `backtested` (False when too short: the class default was used), `mase`, `wape`.
        backtest: long frame of every candidate's backtest: id, `model`, `mase`, `wape`, `bias`.
        classification: the `classify_demand` output used.
    """

    forecasts: pd.DataFrame
    selection: pd.DataFrame
    backtest: pd.DataFrame
    classification: pd.DataFrame


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
    class_of = classes.set_index(id_col)["demand_class"]
    dense_class = dense["unique_id"].map(class_of)
    sf_freq = statsforecast_freq(freq)
    min_backtest = n_windows * horizon + max(2 * catalog.season_length, 8)
    forecasts: list[pd.DataFrame] = []
    selections: list[pd.DataFrame] = []
    backtests: list[pd.DataFrame] = []
    for demand_class in sorted(class_of.unique()):
        models = list(catalog.candidates.get(demand_class, ()))
        ids = class_of.index[class_of == demand_class]
        group = dense[dense_class == demand_class]
        if not models or group.empty:
            selections.append(_selection(ids, demand_class, "zero"))
            continue
        chosen, scores = _select(
            group,
            models,
            horizon=horizon,
            n_windows=n_windows,
            min_length=min_backtest,
            season_length=catalog.season_length,
            freq=sf_freq,
            n_jobs=n_jobs,
        )
        if not scores.empty:
            backtests.append(scores)
        selection = _selection(ids, demand_class, models[0].alias)
        selection = selection.set_index("unique_id")
        selection.loc[chosen.index, "model"] = chosen
        selection.loc[chosen.index, "backtested"] = True
        picked = scores[scores["model"] == scores["unique_id"].map(chosen)]
        picked = picked.set_index("unique_id")
        selection.loc[picked.index, ["mase", "wape"]] = picked[["mase", "wape"]]
        selections.append(selection.reset_index())
        model_of = group["unique_id"].map(selection["model"])
        for model in models:
            subset = group[model_of == model.alias]
            if subset.empty:
                continue
            forecasts.append(
                _forecast_one(subset, model, catalog.fallback, horizon, levels, sf_freq, n_jobs)
            )
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
        }
    )


def _select(
    group: pd.DataFrame,
    models: list[ForecastModel],
    *,
    horizon: int,
    n_windows: int,
    min_length: int,
    season_length: int,
    freq: str,
    n_jobs: int,
) -> tuple[pd.Series, pd.DataFrame]:
    """The best model alias per long-enough series (lowest MASE, ties to the earlier
    candidate), and every candidate's scores."""
    lengths = group.groupby("unique_id", sort=False)["y"].transform("size")
    long_enough = group[lengths >= min_length]
    if len(models) < 2 or long_enough.empty:
        empty = pd.DataFrame(columns=["unique_id", "model", "mase", "wape", "bias"])
        return pd.Series(dtype=object), empty
    engine = StatsForecast(models=[m.new() for m in models], freq=freq, n_jobs=n_jobs)
    cv = engine.cross_validation(df=long_enough, h=horizon, n_windows=n_windows, step_size=horizon)
    aliases = [m.alias for m in models]
    scores = backtest_scores(long_enough, cv, aliases, season_length=season_length)
    rank = scores.assign(
        order=scores["model"].map({a: i for i, a in enumerate(aliases)}),
        key=scores["mase"].fillna(np.inf),
    ).sort_values(["unique_id", "key", "order"], kind="stable")
    chosen = rank.drop_duplicates("unique_id").set_index("unique_id")["model"]
    return chosen, scores


def _forecast_one(
    subset: pd.DataFrame,
    model: ForecastModel,
    fallback: ForecastModel | None,
    horizon: int,
    levels: Sequence[int],
    freq: str,
    n_jobs: int,
) -> pd.DataFrame:
    engine = StatsForecast(
        models=[model.new()],
        freq=freq,
        n_jobs=n_jobs,
        fallback_model=fallback.new() if fallback is not None else None,
    )
    raw = engine.forecast(df=subset, h=horizon, level=list(levels))
    raw = raw.reset_index() if "unique_id" not in raw.columns else raw
    alias = model.alias
    renamed = {alias: "mean"}
    for level in levels:
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
