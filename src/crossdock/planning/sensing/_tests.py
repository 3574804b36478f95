"""The residual tests: spikes (one day, or a short run of days) and level shifts.

Both work on whole matrices (rows = item-locations, columns = test-window days) and
return flat arrays with one entry per anomaly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from crossdock.planning.sensing._baseline import NoiseModel
from crossdock.planning.sensing._matrix import BoolArray, FloatMatrix, IntArray

FloatArray = npt.NDArray[np.float64]
MIN_SCALE = 1.0  # units: a spike must stand out by more than a handful of single units
POISSON_DISPERSION = 1.0 + 1e-6


@dataclass(frozen=True, slots=True)
class Anomalies:
    """One entry per anomaly: its row, first and last window column, and evidence."""

    row: IntArray
    start: IntArray
    end: IntArray  # inclusive
    actual: FloatArray
    expected: FloatArray
    robust_z: FloatArray
    tail_p: FloatArray
    size_z: FloatArray  # spikes: largest log-size z of the run; shifts: NaN


def upper_tail(actual: FloatArray, expected: FloatArray, dispersion: FloatArray) -> FloatArray:
    """P(demand >= actual) for counts with mean `expected` and variance dispersion x mean.

    Poisson when the dispersion is 1, negative binomial above. Actuals are floored to
    whole units, so a fractional quantity is judged as the unit below it (conservative).
    """
    units = np.floor(actual)
    mean = np.maximum(expected, 1e-9)
    poisson = special.gammainc(np.maximum(units, 1.0), mean)
    over = dispersion > POISSON_DISPERSION
    ratio = np.where(over, dispersion, 2.0)
    size = mean / (ratio - 1.0)
    negative_binomial = special.betainc(np.maximum(units, 1.0), size, 1.0 - 1.0 / ratio)
    p: FloatArray = np.where(over, negative_binomial, poisson)
    return np.where(units <= 0, 1.0, p)


def spike_days(
    demand: FloatMatrix,
    expected: FloatMatrix,
    noise: NoiseModel,
    eligible: BoolArray,
    promoted: BoolArray,
    *,
    z_threshold: float,
    alpha: float,
    over_history_max: float,
    size_threshold: float,
) -> tuple[BoolArray, FloatMatrix, FloatMatrix, FloatMatrix]:
    """Days of one series far above its own expectation.

    A day is a spike when its robust z-score, (actual - expected) / max(sqrt(dispersion x
    expected), MIN_SCALE), reaches `z_threshold` AND its count-model upper-tail
    probability is at most `alpha` AND it exceeds `over_history_max` x the largest
    unpromoted day of the history (times the lift on a promoted day) AND its size is
    extreme too: size_z = (log(actual / expected) - the history's median) / the
    history's upper spread of log(units / baseline) on days with demand must be as unlikely,
    under a Student t with (days - 1) degrees of freedom, as a normal z of
    `size_threshold`. Count models understate the tail of lumpy order sizes, and a
    spread measured on a handful of orders is itself uncertain. 0 turns this guard off.
    A day between two spike days that reaches `z_threshold` joins them (one event).
    Returns the spike-day mask, the z matrix, the tail probabilities (1 where untested)
    and the size z matrix.
    """
    dispersion = noise.dispersion
    scale = np.sqrt(np.maximum(dispersion[:, None] * expected, MIN_SCALE**2))
    z = (demand - expected) / scale
    lift = np.where(promoted, noise.lift[:, None], 1.0)
    guard = over_history_max * noise.history_max[:, None] * lift
    candidate = (z >= z_threshold) & eligible[:, None] & (demand > guard)
    ratio = np.log(np.maximum(demand, 1e-9) / np.maximum(expected, 1e-9))
    size_z = (ratio - noise.log_center[:, None]) / noise.log_scale[:, None]
    if size_threshold > 0:
        days = np.maximum(noise.log_days, 2.0)[:, None]
        size_p = special.stdtr(days - 1.0, -size_z / np.sqrt(1.0 + 1.0 / days))
        candidate &= size_p <= special.ndtr(-size_threshold)
    rows, cols = np.nonzero(candidate)
    p = np.ones_like(z)
    p[rows, cols] = upper_tail(demand[rows, cols], expected[rows, cols], dispersion[rows])
    spike = candidate & (p <= alpha)
    return spike | _bridges(spike, z >= z_threshold), z, p, size_z


def _bridges(spike: BoolArray, high: BoolArray) -> BoolArray:
    """A high day between two spike days of the same row: a surge does not stop for a day."""
    before = np.zeros_like(spike)
    before[:, 1:] = spike[:, :-1]
    after = np.zeros_like(spike)
    after[:, :-1] = spike[:, 1:]
    bridged: BoolArray = high & before & after & ~spike
    return bridged


def spike_runs(
    spike: BoolArray,
    demand: FloatMatrix,
    expected: FloatMatrix,
    z: FloatMatrix,
    p: FloatMatrix,
    size_z: FloatMatrix,
) -> Anomalies:
    """Consecutive spike days of a row make one anomaly, with its totals and extremes."""
    before = np.zeros_like(spike)
    before[:, 1:] = spike[:, :-1]
    after = np.zeros_like(spike)
    after[:, :-1] = spike[:, 1:]
    start_row, start_col = np.nonzero(spike & ~before)
    _, end_col = np.nonzero(spike & ~after)  # same row-major order as the starts
    run_of_day = np.cumsum((spike & ~before).ravel())[spike.ravel()] - 1
    flat_rows, flat_cols = np.nonzero(spike)
    count = len(start_row)

    def total(values: FloatArray) -> FloatArray:
        return np.bincount(run_of_day, weights=values, minlength=count).astype(np.float64)

    def largest(values: FloatArray) -> FloatArray:
        out = np.full(count, -np.inf)
        np.maximum.at(out, run_of_day, values)
        return out

    def smallest(values: FloatArray) -> FloatArray:
        out = np.full(count, np.inf)
        np.minimum.at(out, run_of_day, values)
        return out

    return Anomalies(
        row=start_row.astype(np.int64),
        start=start_col.astype(np.int64),
        end=end_col.astype(np.int64),
        actual=total(demand[flat_rows, flat_cols]),
        expected=total(expected[flat_rows, flat_cols]),
        robust_z=largest(z[flat_rows, flat_cols]),
        tail_p=smallest(p[flat_rows, flat_cols]),
        size_z=largest(size_z[flat_rows, flat_cols]),
    )


def find_shifts(
    demand: FloatMatrix,
    reported: FloatMatrix,
    expected: FloatMatrix,
    dispersion: FloatArray,
    weekly_variance: FloatArray,
    eligible: BoolArray,
    *,
    history_days: int,
    z_threshold: float,
    min_shift: float,
    min_run: int,
) -> Anomalies:
    """A level change that started inside the window and lasted to its end.

    For every candidate start c (leaving at least `min_run` days) the run from c to the
    last window day is tested on its totals. Its variance is the larger of dispersion x
    expected and the history's weekly residual variance x run / 7 (which sees lumpy
    order sizes and slow drifts that day-by-day counts do not), widened by
    (1 + run / history_days) for the error of a baseline estimated from `history_days`
    days. A row shifts when some run (a) reaches |z| >= `z_threshold` on the held
    days, (b) moved the level by at least `min_shift` (a fraction of expected, on the
    days as they were) and (c) is as
    improbable under the count model (negative binomial: a sum of days with one
    dispersion) as a normal z of `z_threshold`, which keeps a few lumpy orders from
    passing for a shift. The start with the largest |z| is the estimated change day.
    Callers pass spike days already replaced by their expectation, in `demand` held
    to a ceiling for the test and in `reported` as they were (the evidence's totals).
    """
    n, window = demand.shape
    last_start = window - min_run
    if last_start < 0 or n == 0:
        empty = np.empty(0, dtype=np.int64)
        nothing = np.empty(0)
        return Anomalies(empty, empty, empty, nothing, nothing, nothing, nothing, nothing)
    actual_run = np.cumsum(demand[:, ::-1], axis=1)[:, ::-1][:, : last_start + 1]
    reported_run = np.cumsum(reported[:, ::-1], axis=1)[:, ::-1][:, : last_start + 1]
    expected_run = np.cumsum(expected[:, ::-1], axis=1)[:, ::-1][:, : last_start + 1]
    length = (window - np.arange(last_start + 1)).astype(np.float64)
    widening = 1.0 + length / history_days
    run_dispersion = dispersion[:, None] * widening[None, :]
    variance_run = np.maximum.reduce(
        [
            run_dispersion * expected_run,
            weekly_variance[:, None] * (length / 7.0 * widening)[None, :],
            np.broadcast_to(MIN_SCALE**2 / 4 * length, expected_run.shape),
        ]
    )
    z = (actual_run - expected_run) / np.sqrt(variance_run)
    change = np.divide(
        reported_run - expected_run,
        expected_run,
        out=np.full_like(z, np.inf),
        where=expected_run > 0,
    )
    candidate = (np.abs(z) >= z_threshold) & (np.abs(change) >= min_shift) & eligible[:, None]
    rows, cols = np.nonzero(candidate)
    p = np.ones_like(z)
    up = z[rows, cols] > 0
    a, m, d = actual_run[rows, cols], expected_run[rows, cols], run_dispersion[rows, cols]
    p[rows, cols] = np.where(up, upper_tail(a, m, d), 1.0 - upper_tail(np.floor(a) + 1.0, m, d))
    passing = candidate & (p <= special.ndtr(-z_threshold))
    strength = np.where(passing, np.abs(z), -1.0)
    best = np.argmax(strength, axis=1)
    shifted = np.flatnonzero(passing.any(axis=1))
    start = best[shifted]
    return Anomalies(
        row=shifted.astype(np.int64),
        start=start.astype(np.int64),
        end=np.full(len(shifted), window - 1, dtype=np.int64),
        actual=reported_run[shifted, start],
        expected=expected_run[shifted, start],
        robust_z=z[shifted, start],
        tail_p=p[shifted, start],
        size_z=np.full(len(shifted), np.nan),
    )
