"""Groups (e.g. categories) at a location: which rows share a cell, and the cell's level.

A season, a trend or a weather pattern moves a whole category at a branch together.
The cell level measures that common movement from the cell's frequent members, so
one item-location is judged against how its category is doing right now, not against
a flat average of the previous sixteen weeks.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crossdock.planning.sensing._baseline import masked_median
from crossdock.planning.sensing._matrix import BoolArray, FloatMatrix, IntArray

FloatArray = npt.NDArray[np.float64]
LEVEL_BEFORE, LEVEL_AFTER = 14, 7  # days either side of a day that set its local level
MIN_LEVEL_MEMBERS = 5  # fewest frequent members that can speak for a cell's level


def cell_codes(group_code: IntArray, location_code: IntArray) -> IntArray:
    """Code per (group, location), numbered from 0; -1 where the row has no group."""
    width = int(location_code.max()) + 1 if len(location_code) else 1
    pair = np.where(group_code >= 0, group_code * width + location_code, -1)
    codes = np.full(len(pair), -1, dtype=np.int64)
    known = pair >= 0
    codes[known] = np.unique(pair[known], return_inverse=True)[1]
    return codes


def local_median(values: FloatMatrix, keep: BoolArray) -> FloatMatrix:
    """Median of the kept values over the days [d - LEVEL_BEFORE, d + LEVEL_AFTER].

    Days with nothing kept in their span get NaN.
    """
    rows, span = values.shape
    width = LEVEL_BEFORE + 1 + LEVEL_AFTER
    padded = np.pad(np.where(keep, values, 0.0), ((0, 0), (LEVEL_BEFORE, LEVEL_AFTER)))
    known = np.pad(keep, ((0, 0), (LEVEL_BEFORE, LEVEL_AFTER)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, width, axis=1)
    kept = np.lib.stride_tricks.sliding_window_view(known, width, axis=1)
    median = masked_median(windows.reshape(-1, width), kept.reshape(-1, width))
    return np.where(kept.any(axis=2), median.reshape(rows, span), np.nan)


def cell_levels(
    demand: FloatMatrix,
    baseline: FloatMatrix,
    usable: BoolArray,
    cell: IntArray,
    *,
    history_days: int,
) -> FloatMatrix:
    """Each cell's demand level per day relative to its history, 1.0 = as in the history.

    Args:
        demand: rows x days of (capped) units.
        baseline: the same shape: the rows' baselines (weekday means of the history).
        usable: the same shape: frequent, eligible, unpromoted member days.
        cell: cell code per row (-1 outside any cell).
        history_days: columns before the window.

    For every cell and day, the median over its usable members of demand / baseline;
    divided by that statistic's median over the history days of the same weekday (so
    skew and weekday effects cancel); then the median over the days around
    (`local_median`). Cells with fewer than MIN_LEVEL_MEMBERS frequent members, and days
    with nothing to go on, stay at 1.
    """
    cells = int(cell.max()) + 1 if len(cell) and cell.max() >= 0 else 0
    span = demand.shape[1]
    ratio = demand / np.maximum(baseline, 1e-9)
    daily = np.full((cells, span), np.nan)
    for code in range(cells):
        rows = np.flatnonzero((cell == code) & usable.any(axis=1))
        if len(rows) < MIN_LEVEL_MEMBERS:
            continue
        keep = usable[rows]
        median = masked_median(ratio[rows].T, keep.T)
        daily[code] = np.where(keep.sum(axis=0) >= MIN_LEVEL_MEMBERS, median, np.nan)
    weekday = np.arange(span) % 7
    norm = np.full((cells, 7), np.nan)
    for day in range(7):
        history = daily[:, :history_days][:, weekday[:history_days] == day]
        known = ~np.isnan(history)
        middle = masked_median(np.nan_to_num(history), known)
        norm[:, day] = np.where(known.any(axis=1) & (middle > 0), middle, np.nan)
    relative = daily / norm[:, weekday]
    keep = np.isfinite(relative)
    level = local_median(np.nan_to_num(relative, nan=0.0, posinf=0.0), keep)
    return np.where(np.isfinite(level) & (level > 0), level, 1.0)
