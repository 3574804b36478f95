"""Demand classification per item-location: Syntetos-Boylan classes plus new, dying, no demand.

History is sparse (a period absent for a series means zero demand). Every series is read
over its own span, from its first period with demand up to `as_of`, in periods of `freq`.
All statistics are computed with flat numpy arrays, never one series at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

SMOOTH: Final = "smooth"
ERRATIC: Final = "erratic"
INTERMITTENT: Final = "intermittent"
LUMPY: Final = "lumpy"
NEW: Final = "new"
DYING: Final = "dying"
NO_DEMAND: Final = "no_demand"
DEMAND_CLASSES: Final = (SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NEW, DYING, NO_DEMAND)

ADI_CUT: Final = 1.32
CV2_CUT: Final = 0.49

_IntArray = npt.NDArray[np.int64]
_FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ClassificationRules:
    """Thresholds for the lifecycle classes, all counted in periods of the history's `freq`.

    Attributes:
        new_within: a series whose first demand is this recent (or more) is `new`.
        min_demand_periods: a series with fewer periods of demand than this is `new`.
        dying_tail_adi_multiple: a series is `dying` when the run of zero periods up to
            `as_of` is longer than this many times its usual interval between demands ...
        dying_min_tail: ... and at least this long.
        drop_window: the recent window compared with the earlier history for a level drop.
        drop_ratio: a series is `dying` when its mean over `drop_window` is below this
            fraction of its earlier mean, provided the window should hold >= 4 demands.
    """

    new_within: int
    min_demand_periods: int
    dying_tail_adi_multiple: float
    dying_min_tail: int
    drop_window: int
    drop_ratio: float = 0.2


DEFAULT_RULES: Final = {
    "D": ClassificationRules(
        new_within=56,
        min_demand_periods=4,
        dying_tail_adi_multiple=4.0,
        dying_min_tail=56,
        drop_window=56,
    ),
    "W": ClassificationRules(
        new_within=8,
        min_demand_periods=4,
        dying_tail_adi_multiple=4.0,
        dying_min_tail=8,
        drop_window=8,
    ),
    "M": ClassificationRules(
        new_within=3,
        min_demand_periods=4,
        dying_tail_adi_multiple=4.0,
        dying_min_tail=4,
        drop_window=4,
    ),
}


def default_rules(freq: str) -> ClassificationRules:
    """The default lifecycle thresholds for daily, weekly or monthly history."""
    return DEFAULT_RULES[_freq_kind(freq)]


def _freq_kind(freq: str) -> str:
    kind = freq.upper()[:1]
    if kind not in DEFAULT_RULES:
        msg = (
            f"freq must be daily ('D'), weekly ('W', 'W-THU', ...) or monthly ('MS'), got {freq!r}"
        )
        raise ValueError(msg)
    return kind


def period_numbers(dates: pd.Series, *, as_of: date, freq: str) -> tuple[_IntArray, int]:
    """Integer period numbers of `dates` and of `as_of` in periods of `freq`.

    Daily and weekly periods count whole days (weeks) back from `as_of`, so a weekly
    history must fall on the weekday of `as_of`'s period start; monthly periods are
    calendar months.
    """
    kind = _freq_kind(freq)
    as_of_ts = pd.Timestamp(as_of)
    values = pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]")
    if kind == "M":
        months = values.astype("datetime64[M]").astype(np.int64)
        return months, int(np.datetime64(as_of_ts, "M").astype(np.int64))
    step = 1 if kind == "D" else 7
    days = values.astype("datetime64[D]").astype(np.int64)
    as_of_day = int(np.datetime64(as_of_ts.date(), "D").astype(np.int64))
    back = (as_of_day - days) // step  # 0 = the period that holds as_of
    return as_of_day // step - back, as_of_day // step


def period_starts(numbers: _IntArray, *, as_of: date, freq: str) -> pd.DatetimeIndex:
    """The timestamps that `period_numbers` maps to `numbers` (inverse on aligned dates)."""
    kind = _freq_kind(freq)
    if kind == "M":
        return pd.DatetimeIndex(numbers.astype("datetime64[M]").astype("datetime64[ns]"))
    step = 1 if kind == "D" else 7
    as_of_day = int(np.datetime64(pd.Timestamp(as_of).date(), "D").astype(np.int64))
    days = as_of_day - (as_of_day // step - numbers) * step
    return pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[ns]"))


@dataclass(frozen=True, slots=True)
class PeriodTotals:
    """Demand summed per (series, period) with demand, sorted by series then period."""

    ids: pd.Index
    series: _IntArray
    period: _IntArray
    quantity: _FloatArray
    as_of_period: int


def period_totals(
    history: pd.DataFrame,
    *,
    as_of: date,
    freq: str,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> PeriodTotals:
    """Sum `history` into periods up to `as_of`; every series in `history` keeps its code."""
    codes, ids = pd.factorize(history[id_col], sort=True)
    numbers, as_of_period = period_numbers(history[time_col], as_of=as_of, freq=freq)
    quantity = history[target_col].to_numpy(dtype=np.float64, na_value=0.0)
    keep = numbers <= as_of_period
    codes, numbers, quantity = codes[keep], numbers[keep], quantity[keep]
    if numbers.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return PeriodTotals(pd.Index(ids), empty, empty, np.empty(0), as_of_period)
    first = int(numbers.min())
    width = as_of_period - first + 1
    keys = codes.astype(np.int64) * width + (numbers - first)
    if keys.size > 1 and not bool(np.all(keys[1:] >= keys[:-1])):
        order = np.argsort(keys, kind="stable")
        keys, quantity = keys[order], quantity[order]
    if keys.size > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        keys, quantity = keys[starts], np.add.reduceat(quantity, starts)
    return PeriodTotals(
        ids=pd.Index(ids),
        series=keys // width,
        period=keys % width + first,
        quantity=quantity,
        as_of_period=as_of_period,
    )


def classify_demand(
    history: pd.DataFrame,
    *,
    as_of: date,
    freq: str = "D",
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    rules: ClassificationRules | None = None,
) -> pd.DataFrame:
    """Classify every series in a sparse demand history.

    Args:
        history: long frame, one row per series and date with demand (absent = zero).
            Rows after `as_of` are ignored; rows with zero demand are allowed.
        as_of: the last day of history the classification may see.
        freq: period length: "D", "W"/"W-THU" (7 days counted back from `as_of`) or
            "MS"/"M" (calendar months).
        id_col, time_col, target_col: column names in `history`.
        rules: lifecycle thresholds in periods; `default_rules(freq)` when omitted.

    Returns:
        One row per series, sorted by id: `id_col`, `periods` (from first demand to
        `as_of`), `demand_periods`, `total_demand`, `first_demand`, `last_demand`
        (period start dates, NaT without demand), `adi` (periods / demand periods),
        `cv2` (squared coefficient of variation of the non-zero period demands), and
        `demand_class`, one of `DEMAND_CLASSES`.
    """
    rules = rules or default_rules(freq)
    totals = period_totals(
        history, as_of=as_of, freq=freq, id_col=id_col, time_col=time_col, target_col=target_col
    )
    n_series = len(totals.ids)
    demand = totals.quantity > 0
    series, period, quantity = (
        totals.series[demand],
        totals.period[demand],
        totals.quantity[demand],
    )
    demand_periods = np.bincount(series, minlength=n_series)
    total = np.bincount(series, weights=quantity, minlength=n_series)
    total_sq = np.bincount(series, weights=quantity * quantity, minlength=n_series)
    has_demand = demand_periods > 0
    starts = np.r_[True, series[1:] != series[:-1]] if series.size else np.empty(0, dtype=bool)
    ends = np.r_[series[1:] != series[:-1], True] if series.size else np.empty(0, dtype=bool)
    first = np.full(n_series, totals.as_of_period, dtype=np.int64)
    last = np.full(n_series, totals.as_of_period, dtype=np.int64)
    first[series[starts]] = period[starts]
    last[series[ends]] = period[ends]

    safe_count = np.maximum(demand_periods, 1)
    periods = np.where(has_demand, totals.as_of_period - first + 1, 0)
    adi = np.where(has_demand, periods / safe_count, np.nan)
    mean_size = total / safe_count
    variance = np.maximum(total_sq / safe_count - mean_size**2, 0.0)
    cv2 = np.where(has_demand, variance / np.where(has_demand, mean_size, 1.0) ** 2, np.nan)

    active_span = last - first + 1
    usual_gap = active_span / safe_count
    tail = totals.as_of_period - last
    long_tail = (tail >= rules.dying_min_tail) & (tail > rules.dying_tail_adi_multiple * usual_gap)
    recent_start = totals.as_of_period - rules.drop_window + 1
    recent = period >= recent_start
    recent_total = np.bincount(series[recent], weights=quantity[recent], minlength=n_series)
    earlier_len = recent_start - first
    earlier_mean = (total - recent_total) / np.maximum(earlier_len, 1)
    level_drop = (
        (earlier_len >= rules.drop_window)
        & (rules.drop_window >= 4 * usual_gap)
        & (recent_total / rules.drop_window < rules.drop_ratio * earlier_mean)
    )

    smooth_or_erratic = np.where(cv2 < CV2_CUT, SMOOTH, ERRATIC)
    intermittent_or_lumpy = np.where(cv2 < CV2_CUT, INTERMITTENT, LUMPY)
    demand_class = np.select(
        [
            ~has_demand,
            periods <= rules.new_within,
            long_tail | level_drop,
            demand_periods < rules.min_demand_periods,
            adi < ADI_CUT,
        ],
        [NO_DEMAND, NEW, DYING, NEW, smooth_or_erratic],
        default=intermittent_or_lumpy,
    )
    first_numbers = np.where(has_demand, first, totals.as_of_period)
    last_numbers = np.where(has_demand, last, totals.as_of_period)
    first_dates = period_starts(first_numbers, as_of=as_of, freq=freq)
    last_dates = period_starts(last_numbers, as_of=as_of, freq=freq)
    return pd.DataFrame(
        {
            id_col: totals.ids.to_numpy(),
            "periods": periods,
            "demand_periods": demand_periods,
            "total_demand": total,
            "first_demand": first_dates.where(has_demand),
            "last_demand": last_dates.where(has_demand),
            "adi": adi,
            "cv2": cv2,
            "demand_class": demand_class.astype(object),
        }
    )
