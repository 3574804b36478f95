"""What is normal: the robust baseline, promotion lifts, and the noise around them.

Only history days that were not promoted teach what a normal day looks like; promoted
days teach how much a promotion lifts demand (`promotion_lifts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossdock.planning.sensing._matrix import BoolArray, DemandMatrix, FloatMatrix, IntArray

FloatArray = npt.NDArray[np.float64]
FREQUENT_SHARE = 0.5  # a series with demand on at least this share of days is "frequent"
MAD_TO_SD = 1.4826  # 1.4826 x MAD estimates the standard deviation of a normal sample
CAP_SCALES = 6.0  # history days above median + 6 robust sds are capped there
MAX_LIFT = 5.0  # a promoted day counts towards its lift at most 5x a normal day's cap
LIFT_PRIOR_DAYS = 14.0  # promoted days' worth of weight the wider level's lift carries
UPPER_SD_QUANTILE = 0.8413  # median + 1 sd of a normal sample
LOG_SCALE_FLOOR = 0.25  # smallest spread of log day sizes (about +-25%) a series is given


@dataclass(frozen=True, slots=True)
class NoiseModel:
    """Expected demand and its spread per row, for history and test-window days.

    Attributes:
        expected: expected units per window day (forecast where given, else the robust
            baseline; times the promotion lift on promoted days).
        baseline: the robust baseline on each window day (no forecast, no lift).
        history_expected: the baseline on each history day (no lift).
        frequent: rows with demand on at least FREQUENT_SHARE of history days.
        dispersion: variance-to-mean ratio per row (>= 1; 1 is Poisson).
        history_demand_days: days with demand in the history, per row.
        first_demand_day: history column of the row's first day with demand (h if none).
        history_mean: mean daily demand over the unpromoted history days, per row.
        history_max: the largest unpromoted day in the history, per row.
        cap: the level above which a day counts as extreme: median + CAP_SCALES robust
            sds for frequent rows, the largest unpromoted history day for slow rows.
        lift: expected demand on a promoted day / on a normal day, per row (1 when no
            promotions were given).
        log_center, log_scale, log_days: median and upper spread (84th percentile -
            median) of log(units / baseline) over the unpromoted history days with
            demand, and how many such days there were: how lumpy the row's days are.
        weekly_variance: mean square of the capped history residuals summed by week.
    """

    expected: FloatMatrix
    baseline: FloatMatrix
    history_expected: FloatMatrix
    frequent: BoolArray
    dispersion: FloatArray
    history_demand_days: IntArray
    first_demand_day: IntArray
    history_mean: FloatArray
    history_max: FloatArray
    cap: FloatArray
    lift: FloatArray
    log_center: FloatArray
    log_scale: FloatArray
    log_days: FloatArray
    weekly_variance: FloatArray


def noise_model(
    matrix: DemandMatrix,
    *,
    sku_code: IntArray,
    group_code: IntArray,
    forecast_has_promotions: bool,
) -> NoiseModel:
    """Robust expected demand for the test window, and the spread around it.

    Frequent series (demand on >= half the history days) expect, per weekday, the mean
    of the same weekdays in the history after capping each day at median + CAP_SCALES
    robust standard deviations (so a past spike does not raise the baseline);
    intermittent series expect their mean daily demand. Promoted history days are left
    out of both. Dispersion is the variance of the (capped) history residuals over the
    mean level, at least 1 (Poisson). A promoted window day expects the baseline (or a
    forecast that does not know promotions) times the row's promotion lift.
    """
    h = matrix.history_days
    history = matrix.demand[:, :h]
    normal = ~matrix.promoted[:, :h]
    n = history.shape[0]
    window = matrix.demand.shape[1] - h
    demand_days = (history > 0).sum(axis=1)
    frequent = demand_days >= FREQUENT_SHARE * h
    median = masked_median(history, normal)
    spread = MAD_TO_SD * masked_median(np.abs(history - median[:, None]), normal)
    cap = median + CAP_SCALES * np.maximum.reduce([spread, np.sqrt(median), np.ones(n)])
    capped = np.where(frequent[:, None], np.minimum(history, cap[:, None]), history)
    mean = _masked_mean(history, normal)
    weekday_level = _weekday_level(capped, normal, fallback=_masked_mean(capped, normal))

    history_expected = np.where(frequent[:, None], np.tile(weekday_level, h // 7), mean[:, None])
    residual = capped - history_expected
    variance = _masked_mean((residual - _masked_mean(residual, normal)[:, None]) ** 2, normal)
    level = np.maximum(history_expected.mean(axis=1), 1e-9)
    dispersion = np.maximum(variance / level, 1.0)
    weekly = np.where(normal, residual, 0.0).reshape(n, h // 7, 7).sum(axis=2)

    lift = promotion_lifts(
        np.minimum(history, MAX_LIFT * cap[:, None]),
        history_expected,
        ~normal,
        frequent,
        sku_code=sku_code,
        group_code=group_code,
    )
    weekday_of_column = (h + np.arange(window)) % 7
    baseline = np.where(frequent[:, None], weekday_level[:, weekday_of_column], mean[:, None])
    promoted = matrix.promoted[:, h:]
    given = ~np.isnan(matrix.expected)
    lifted = promoted & (~given | (not forecast_has_promotions))
    expected = np.where(given, np.maximum(matrix.expected, 0.0), baseline)
    expected = np.where(lifted, expected * lift[:, None], expected)
    log_center, log_scale, log_days = _log_spread(history, history_expected, normal)
    history_max = np.where(normal, history, 0.0).max(axis=1) if h else np.zeros(n)
    return NoiseModel(
        expected=expected,
        baseline=baseline,
        history_expected=history_expected,
        frequent=frequent,
        dispersion=dispersion,
        history_demand_days=demand_days.astype(np.int64),
        first_demand_day=np.where(demand_days > 0, np.argmax(history > 0, axis=1), h).astype(
            np.int64
        ),
        history_mean=mean,
        history_max=history_max,
        cap=np.where(frequent, cap, history_max),
        lift=lift,
        log_center=log_center,
        log_scale=log_scale,
        log_days=log_days,
        weekly_variance=(weekly**2).mean(axis=1),
    )


def promotion_lifts(
    history: FloatMatrix,
    baseline: FloatMatrix,
    promoted: BoolArray,
    frequent: BoolArray,
    *,
    sku_code: IntArray,
    group_code: IntArray,
) -> FloatArray:
    """Demand on a promoted day over the baseline, per row, learned from the history.

    The ratio (units over promoted days, each held to MAX_LIFT x the row's cap for
    normal days) / (baseline over those days) is pooled at
    four levels: all rows, the row's group (e.g. category), its SKU at every location,
    the row itself. Each level shrinks towards the one above it:
    (days x own ratio + LIFT_PRIOR_DAYS x parent) / (days + LIFT_PRIOR_DAYS). Only
    frequent rows teach lifts: a slow item's promoted day without demand leaves no row
    saying it was promoted, so its own ratio would overstate the lift. A lift is never
    below 1 (a promotion does not lower expectations).
    """
    n = len(frequent)
    teach = promoted & frequent[:, None]
    units = np.where(teach, history, 0.0).sum(axis=1)
    base = np.where(teach, baseline, 0.0).sum(axis=1)
    days = teach.sum(axis=1).astype(np.float64)
    overall = max(units.sum() / base.sum(), 1.0) if base.sum() > 0 else 1.0
    lift = np.full(n, overall)
    for code in (group_code, sku_code):
        lift = _shrunk(lift, code, units, base, days)
    return _shrunk(lift, np.arange(n, dtype=np.int64), units, base, days)


def _shrunk(
    parent: FloatArray, code: IntArray, units: FloatArray, base: FloatArray, days: FloatArray
) -> FloatArray:
    """Ratio per `code` (rows with code -1 keep `parent`), shrunk towards `parent`."""
    known = code >= 0
    if not known.any():
        return parent
    size = int(code.max()) + 1
    units_by = np.bincount(code[known], weights=units[known], minlength=size)
    base_by = np.bincount(code[known], weights=base[known], minlength=size)
    days_by = np.bincount(code[known], weights=days[known], minlength=size)
    safe = np.where(known, code, 0)
    ratio = np.divide(
        units_by[safe], base_by[safe], out=np.ones(len(code)), where=base_by[safe] > 0
    )
    weight = np.where(known, days_by[safe], 0.0)
    shrunk = (weight * ratio + LIFT_PRIOR_DAYS * parent) / (weight + LIFT_PRIOR_DAYS)
    return np.maximum(shrunk, 1.0)


def _weekday_level(capped: FloatMatrix, normal: BoolArray, *, fallback: FloatArray) -> FloatMatrix:
    """Mean per weekday (columns 0..6 of each week) over unpromoted days."""
    n, h = capped.shape
    total = np.where(normal, capped, 0.0).reshape(n, h // 7, 7).sum(axis=1)
    count = normal.reshape(n, h // 7, 7).sum(axis=1)
    level: FloatMatrix = np.divide(
        total, count, out=np.repeat(fallback[:, None], 7, axis=1), where=count > 0
    )
    return level


def _log_spread(
    history: FloatMatrix, baseline: FloatMatrix, normal: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Median, upper spread and count of log(units / baseline) on unpromoted demand days.

    The spread is the 84th percentile minus the median (one sd for a normal sample),
    measured on the upper side only: spikes are judged against how far up a series'
    days usually reach, and the long lower tail of small counts in log terms says
    nothing about that.
    """
    use = normal & (history > 0) & (baseline > 0)
    ratio = np.log(np.where(use, history, 1.0) / np.where(use, baseline, 1.0))
    center = masked_median(ratio, use)
    upper = masked_quantile(ratio, use, UPPER_SD_QUANTILE) - center
    return center, np.maximum(upper, LOG_SCALE_FLOOR), use.sum(axis=1).astype(np.float64)


def _masked_mean(values: FloatMatrix, keep: BoolArray) -> FloatArray:
    count = keep.sum(axis=1)
    total = np.where(keep, values, 0.0).sum(axis=1)
    mean: FloatArray = np.divide(total, count, out=np.zeros(len(count)), where=count > 0)
    return mean


def masked_median(values: FloatMatrix, keep: BoolArray) -> FloatArray:
    """Row medians over the kept entries (0 for a row with none)."""
    if keep.all():
        median: FloatArray = np.median(values, axis=1)
        return median
    count = keep.sum(axis=1)
    ordered = np.sort(np.where(keep, values, np.inf), axis=1)
    low = np.maximum((count - 1) // 2, 0)
    high = np.maximum(count // 2, 0)
    rows = np.arange(len(count))
    middle = (ordered[rows, np.minimum(low, values.shape[1] - 1)] +
              ordered[rows, np.minimum(high, values.shape[1] - 1)]) / 2  # fmt: skip
    return np.where(count > 0, middle, 0.0)


def masked_quantile(values: FloatMatrix, keep: BoolArray, q: float) -> FloatArray:
    """Per-row q-quantile (lower) of the kept entries; 0 for a row with none."""
    count = keep.sum(axis=1)
    ordered = np.sort(np.where(keep, values, np.inf), axis=1)
    index = np.clip(np.floor(q * (count - 1)).astype(np.int64), 0, max(values.shape[1] - 1, 0))
    quantile = ordered[np.arange(len(count)), index] if values.shape[1] else np.zeros(len(count))
    return np.where(count > 0, quantile, 0.0)
