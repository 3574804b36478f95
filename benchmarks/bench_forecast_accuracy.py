"""Forecast accuracy of the forecasting façade against naive, seasonal naive and AutoETS-for-all.

Run: .venv/bin/python benchmarks/bench_forecast_accuracy.py [--series 150] [--origins 3]
     [--write-results]

Data: ../shared/data (Dominick's weekly orange juice, Stallion monthly beverages), read raw.
Weeks absent from Dominick's count as zero demand, as `demand_history` would store them.
Rolling origin: `--origins` forecast origins, each `h` periods apart (Dominick's h=4 weeks,
Stallion h=3 months); every method sees only history up to the origin. A random sample of
`--series` series per data set (seed 0) keeps AutoETS-for-all (~0.2 s a series) affordable.
Dominick's: 120 weeks hold only two 52-week cycles, so the façade and AutoETS use no
seasonality there; seasonal naive uses lag 52 (the last full year exists at every origin).

Drivers, fed as known future inputs (the retailer and the distributor set them ahead):
Dominick's own-brand shelf price, deal and feature flags (a week absent from the data keeps
the last known price, no deal, no feature); Stallion actual price (regular price less
discount) and the moving events (Easter, music festival, beer capital, regional games).
The façade runs three ways: as before (each model's own intervals, no drivers), with the
pooled backtest interval calibration, and with calibration and drivers.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, Naive, SeasonalNaive

from crossdock.planning.forecasting import DRIVER_SUFFIX, densify, forecast_demand
from crossdock.planning.forecasting.core import statsforecast_freq
from results_file import write_section

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
STEM = Path(__file__).stem
LEVELS = (80, 90)


STALLION_EVENTS = ("easter_day", "music_fest", "beer_capital", "regional_games")


@dataclass(frozen=True)
class DataSet:
    history: pd.DataFrame
    drivers: pd.DataFrame
    freq: str
    horizon: int
    season_naive: int
    season: int


def dominicks(series: int) -> DataSet:
    raw = pd.read_csv(DATA / "dominicks" / "orange_juice_weekly.csv")
    prices = raw[[f"price{b}" for b in range(1, 12)]].to_numpy()
    frame = pd.DataFrame(
        {
            "unique_id": "S" + raw["store"].astype(str) + "-B" + raw["brand"].astype(str),
            "ds": pd.Timestamp("1989-01-05") + pd.to_timedelta(raw["week"] * 7, unit="D"),
            "y": np.exp(raw["logmove"]).round(),
            "unit_price": prices[np.arange(len(raw)), raw["brand"].to_numpy() - 1],
            "deal": raw["deal"].astype(float),
            "feat": raw["feat"].astype(float),
        }
    )
    frame = _sample(frame, series)
    weeks = pd.date_range(frame["ds"].min(), frame["ds"].max(), freq="7D")
    grid = pd.MultiIndex.from_product(
        [np.sort(frame["unique_id"].unique()), weeks], names=["unique_id", "ds"]
    )
    drivers = frame.set_index(["unique_id", "ds"])[["unit_price", "deal", "feat"]]
    drivers = drivers.reindex(grid)
    drivers["unit_price"] = drivers.groupby(level="unique_id")["unit_price"].ffill().bfill()
    drivers = drivers.fillna({"deal": 0.0, "feat": 0.0}).reset_index()
    return DataSet(frame[["unique_id", "ds", "y"]], drivers, "W", 4, 52, 1)


def stallion(series: int) -> DataSet:
    raw = pd.read_parquet(DATA / "stallion" / "stallion_monthly.parquet")
    frame = pd.DataFrame(
        {
            "unique_id": raw["agency"].astype(str) + "/" + raw["sku"].astype(str),
            "ds": pd.to_datetime(raw["date"]),
            "y": raw["volume"].astype(float).clip(lower=0.0),
            "unit_price": raw["price_actual"].where(raw["price_actual"] > 0),
            **{event: raw[event].astype(float) for event in STALLION_EVENTS},
        }
    )
    frame = frame[frame["unique_id"].isin(frame.loc[frame["y"] > 0, "unique_id"])]
    frame = _sample(frame, series)
    # a month without a usable price keeps the series' last one
    frame["unit_price"] = frame.groupby("unique_id")["unit_price"].ffill().bfill()
    drivers = frame[["unique_id", "ds", "unit_price", *STALLION_EVENTS]]
    history = frame.loc[frame["y"] > 0, ["unique_id", "ds", "y"]]
    return DataSet(history.reset_index(drop=True), drivers, "MS", 3, 12, 12)


def _sample(frame: pd.DataFrame, series: int) -> pd.DataFrame:
    ids = np.sort(frame["unique_id"].unique())
    rng = np.random.default_rng(0)
    chosen = rng.choice(ids, size=min(series, ids.size), replace=False)
    return frame[frame["unique_id"].isin(chosen)].reset_index(drop=True)


def _baselines(
    dense: pd.DataFrame,
    h: int,
    freq: str,
    season_naive: int,
    season_ets: int,
    seconds: dict[str, float],
) -> dict[str, pd.DataFrame]:
    """Forecasts of each baseline from the end of `dense`, renamed to mean/lo/hi columns."""
    specs = {
        "naive": Naive(),
        "seasonal naive": SeasonalNaive(season_length=season_naive),
        "AutoETS for all": AutoETS(season_length=season_ets),
    }
    out = {}
    for name, model in specs.items():
        data = dense
        if name == "seasonal naive":  # needs one full season of history
            sizes = dense.groupby("unique_id")["y"].transform("size")
            data = dense[sizes > season_naive]
        engine = StatsForecast(
            models=[model], freq=statsforecast_freq(freq), n_jobs=2, fallback_model=Naive()
        )
        started = time.perf_counter()
        raw = engine.forecast(df=data, h=h, level=list(LEVELS))
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
        alias = repr(model)
        renamed = {alias: "mean"} | {
            f"{alias}-{side}-{lv}": f"{side}-{lv}" for lv in LEVELS for side in ("lo", "hi")
        }
        frame = raw.rename(columns=renamed)
        for column in ("mean", *[c for c in renamed.values() if c != "mean"]):
            frame[column] = frame[column].clip(lower=0.0)
        out[name] = frame[["unique_id", "ds", *renamed.values()]]
    return out


FACADES = {
    "façade, model intervals": {"calibrate_intervals": False},
    "façade": {},
    "façade + drivers": {"drivers": True},
}


def run(name: str, loader, series: int, origins: int) -> tuple[list[dict[str, object]], str]:  # type: ignore[no-untyped-def]
    data = loader(series)
    history, freq, h = data.history, data.freq, data.horizon
    season_naive, season = data.season_naive, data.season
    last = history["ds"].max()
    step = pd.DateOffset(months=h) if freq == "MS" else pd.Timedelta(weeks=h)
    starts = [last - step * k for k in range(origins, 0, -1)]
    dense_all = densify(history, as_of=last.date(), freq=freq)
    pieces: dict[str, list[pd.DataFrame]] = {}
    seconds: dict[str, float] = {}
    lifts: list[pd.DataFrame] = []
    driven_share: list[float] = []
    scales = []
    for origin in starts:
        as_of = origin.date()
        seen = history[history["ds"] <= origin]
        dense = densify(seen, as_of=as_of, freq=freq)
        lag = season_naive if freq == "MS" else 1
        diffs = dense.groupby("unique_id")["y"].diff(lag).abs()
        scale = diffs.groupby(dense["unique_id"]).mean()
        scales.append(scale.rename(str(as_of)))
        for method, options in FACADES.items():
            started = time.perf_counter()
            result = forecast_demand(
                seen,
                horizon=h,
                as_of=as_of,
                freq=freq,
                season_length=season,
                n_jobs=2,
                **{**options, "drivers": data.drivers if options.get("drivers") else None},  # type: ignore[arg-type]
            )
            seconds[method] = seconds.get(method, 0.0) + time.perf_counter() - started
            pieces.setdefault(method, []).append(result.forecasts.assign(origin=origin))
            if method == "façade + drivers":
                lifts.append(result.lift.assign(origin=as_of))
                chosen = result.selection["model"].str.endswith(DRIVER_SUFFIX)
                driven_share.append(float(chosen.mean()))
        for base, frame in _baselines(dense, h, freq, season_naive, season, seconds).items():
            pieces.setdefault(base, []).append(frame.assign(origin=origin))
    actual = dense_all[["unique_id", "ds", "y"]]
    scale_by = pd.concat(scales, axis=1)
    rows = []
    for method, frames in pieces.items():
        f = pd.concat(frames).merge(actual, on=["unique_id", "ds"], how="inner")
        f["scale"] = [
            scale_by.loc[u, str(o.date())] if u in scale_by.index else np.nan
            for u, o in zip(f["unique_id"], f["origin"], strict=True)
        ]
        err = f["mean"] - f["y"]
        per_series = (err.abs() / f["scale"]).groupby([f["unique_id"], f["origin"]]).mean()
        rows.append(
            {
                "data": name,
                "method": method,
                "mase": float(per_series.replace(np.inf, np.nan).mean()),
                "wape": float(err.abs().sum() / f["y"].sum()),
                "bias": float(err.sum() / f["y"].sum()),
                "cov80": float(((f["y"] >= f["lo-80"]) & (f["y"] <= f["hi-80"])).mean()),
                "cov90": float(((f["y"] >= f["lo-90"]) & (f["y"] <= f["hi-90"])).mean()),
                "points": len(f),
                "seconds": seconds[method],
            }
        )
    lift = pd.concat(lifts).groupby(["demand_class", "driver"])["coefficient"].agg(["min", "max"])
    note = (
        f"{name}: {np.mean(driven_share):.0%} of series chose a driver model (mean over origins);"
        " pooled lift coefficients (min..max over origins): "
        + "; ".join(f"{c} {d} {lo:+.2f}..{hi:+.2f}" for (c, d), (lo, hi) in lift.iterrows())
        + "."
    )
    return rows, note


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        (
            "| data | method | MASE | WAPE | bias | 80% cov. | 90% cov. | MASE / seas. naive |"
            " MASE / AutoETS | points | seconds |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        same = [r for r in rows if r["data"] == row["data"]]
        sn = next(r["mase"] for r in same if r["method"] == "seasonal naive")
        ets = next(r["mase"] for r in same if r["method"] == "AutoETS for all")
        lines.append(
            f"| {row['data']} | {row['method']} | {row['mase']:.3f} | {row['wape']:.3f} |"
            f" {row['bias']:+.3f} | {row['cov80']:.1%} | {row['cov90']:.1%} |"
            f" {row['mase'] / sn:.2f}x | {row['mase'] / ets:.2f}x | {row['points']:,} |"  # type: ignore[operator]
            f" {row['seconds']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=150)
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    rows, notes = [], []
    for name, loader in (("Dominick's", dominicks), ("Stallion", stallion)):
        measured, note = run(name, loader, args.series, args.origins)
        rows += measured
        notes.append(note)
    total = time.perf_counter() - started
    text = (
        f"Measured {datetime.date.today()} on {platform.node()} ({platform.machine()}, Python "  # noqa: DTZ011
        f"{platform.python_version()}), `python benchmarks/{STEM}.py --series {args.series}"
        f" --origins {args.origins}`, {total:.0f} s in all:\n\n{table(rows)}\n\n"
        + "\n\n".join(notes)
    )
    print(text)
    if args.write_results:
        write_section(STEM, text, heading="Forecast accuracy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
