"""The pooled spike test: many item-locations of one group and location up at once.

A storm lifts a whole category at a branch for a few days. One slow item shows it as
one order, indistinguishable from its usual orders; forty slow items of the category
ordering on the same day are not usual. The test counts, per group x location ("cell")
and day, the members whose demand is above their own usual high, and compares that
count with what their history makes normal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossdock.planning.sensing._baseline import MAD_TO_SD, masked_median, masked_quantile
from crossdock.planning.sensing._groups import local_median
from crossdock.planning.sensing._matrix import BoolArray, FloatMatrix, IntArray
from crossdock.planning.sensing._tests import upper_tail

FloatArray = npt.NDArray[np.float64]
HIGH_QUANTILE = 0.9  # a member's "usual high": the 90th percentile of its history days


@dataclass(frozen=True, slots=True)
class PooledSpikes:
    """What the pooled test found, per cell (group x location) and window day.

    Attributes:
        cell: cell of each row (-1: no group, or not a member).
        member_days: rows x window days: the days of a pooled spike run at the row's
            cell, for every member that was above its usual high on at least one of them.
        exceeding, expected, members, z: cells x window days: members above their
            usual high, how many were expected (weekday- and level-adjusted), members
            tested (not promoted), and the pooled z-score.
        spike: cells x window days: the pooled spike days.
    """

    cell: IntArray
    member_days: BoolArray
    exceeding: FloatMatrix
    expected: FloatMatrix
    members: FloatMatrix
    z: FloatMatrix
    spike: BoolArray


def pooled_spikes(
    demand: FloatMatrix,
    baseline: FloatMatrix,
    promoted: BoolArray,
    eligible: BoolArray,
    cell: IntArray,
    *,
    history_days: int,
    z_threshold: float,
    alpha: float,
    min_members: int,
    min_exceeding: int,
    min_share: float,
) -> PooledSpikes:
    """Run the pooled test over every cell.

    Args:
        demand: rows x (history + window) days of units.
        baseline: the same shape: each day's expected units (promotions lifted).
        promoted: the same shape: promoted days, which are left out of every count.
        eligible: rows with enough history to judge.
        cell: cell code per row (-1 for rows outside any group).
        history_days: columns before the window.
        z_threshold, alpha: a pooled spike day needs z >= z_threshold and a
            negative-binomial upper tail (over-dispersion from the history) <= alpha.
        min_members: cells with fewer eligible members are not tested.
        min_exceeding: fewest members above their usual high on a pooled spike day.
        min_share: smallest share of the tested members above their usual high on a
            pooled spike day (a storm moves most of a category, not a handful of items).

    Each member's usual high is the HIGH_QUANTILE quantile of demand / baseline over its
    unpromoted history days (0 for a slow item: then any demand counts), and p, its
    share of those days above it. Expected count on a day = sum of the tested members'
    p x the cell's weekday factor (history count / history expected, per weekday) x the
    cell's window level (median over window days of count / expected, at least 1: a
    seasonal rise of the whole cell is not a spike). The z-score divides by
    sqrt(dispersion x expected), the dispersion measured on the cell's history days.
    """
    h = history_days
    n, span = demand.shape
    window = span - h
    member = eligible & (cell >= 0)
    ratio = demand / np.maximum(baseline, 1e-9)
    normal = ~promoted[:, :h]
    high = masked_quantile(ratio[:, :h], normal, HIGH_QUANTILE)
    exceed = (ratio > high[:, None]) & (demand > 0)
    share = np.divide(
        (exceed[:, :h] & normal).sum(axis=1),
        normal.sum(axis=1),
        out=np.zeros(n),
        where=normal.any(axis=1),
    )
    tested = member[:, None] & ~promoted
    cells = int(cell.max()) + 1 if member.any() else 0
    count = _sum_by_cell(np.where(tested & exceed, 1.0, 0.0), cell, member, cells)
    base = _sum_by_cell(np.where(tested, share[:, None], 0.0), cell, member, cells)
    members = _sum_by_cell(tested.astype(np.float64), cell, member, cells)
    size = np.bincount(cell[member], minlength=cells)

    weekday = np.arange(span) % 7
    history_weekday = weekday[:h]
    observed = np.stack([count[:, :h][:, history_weekday == w].sum(axis=1) for w in range(7)], 1)
    normal_count = np.stack([base[:, :h][:, history_weekday == w].sum(axis=1) for w in range(7)], 1)
    factor = (observed + 0.5) / (normal_count + 0.5)
    expected = base * factor[:, weekday]
    level = local_median(count / np.maximum(expected, 1e-9), expected > 0)
    level = np.where(np.isfinite(level) & (level > 0), level, 1.0)
    mean_all = np.maximum(expected * level, 1e-9)
    standard = (count - mean_all) / np.sqrt(mean_all)
    history = expected[:, :h] > 0
    centre = masked_median(standard[:, :h], history)
    spread = MAD_TO_SD * masked_median(np.abs(standard[:, :h] - centre[:, None]), history)
    dispersion = np.maximum(spread**2, 1.0)
    mean = mean_all[:, h:]
    actual = count[:, h:]
    z = (actual - mean) / np.sqrt(dispersion[:, None] * mean)
    candidate = (
        (z >= z_threshold)
        & (actual >= min_exceeding)
        & (actual >= min_share * members[:, h:])
        & (size >= min_members)[:, None]
    )
    rows, cols = np.nonzero(candidate)
    p = np.ones_like(z)
    p[rows, cols] = upper_tail(actual[rows, cols], mean[rows, cols], dispersion[rows])
    spike = candidate & (p <= alpha)
    member_days = _members_in_runs(spike, exceed[:, h:] & tested[:, h:], cell, member, window)
    return PooledSpikes(
        cell=np.where(member, cell, -1),
        member_days=member_days,
        exceeding=actual,
        expected=mean,
        members=members[:, h:],
        z=z,
        spike=spike,
    )


def _members_in_runs(
    spike: BoolArray, exceed: BoolArray, cell: IntArray, member: BoolArray, window: int
) -> BoolArray:
    """Rows x window days: the full run of pooled days for each member that took part."""
    n = len(cell)
    out = np.zeros((n, window), dtype=np.bool_)
    if not spike.any():
        return out
    starts = spike & ~np.pad(spike, ((0, 0), (1, 0)))[:, :-1]
    run = np.where(spike, np.cumsum(starts.ravel()).reshape(spike.shape), 0)  # 0 = none
    row_run = np.where(member[:, None], run[np.where(member, cell, 0)], 0)
    took_part = np.where(exceed, row_run, 0)
    pairs = np.unique(np.stack(np.nonzero(took_part), axis=1)[:, 0] * (run.max() + 1)
                      + took_part[took_part > 0])  # fmt: skip
    rows, labels = pairs // (run.max() + 1), pairs % (run.max() + 1)
    days = row_run[rows] == labels[:, None]
    np.logical_or.at(out, rows, days)
    return out


def _sum_by_cell(values: FloatMatrix, cell: IntArray, member: BoolArray, cells: int) -> FloatMatrix:
    out = np.zeros((cells, values.shape[1]))
    if cells:
        np.add.at(out, cell[member], values[member])
    return out
