"""Dense item-location x day matrices of demand, known drivers and the caller's forecast.

Sparse history (an absent day means zero demand) is laid out as one row per
item-location and one column per day: `history_days` days of history, then the
`window_days` days under test. Everything after is plain numpy over whole matrices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatMatrix = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class DemandMatrix:
    """Daily demand per item-location over history then test window.

    Attributes:
        skus, locations: the item-location of each row.
        first_day: the date of column 0.
        history_days: columns before the test window.
        demand: units per row and day (zero where the history had no row).
        expected: units expected per row and test-window day from the caller's forecast,
            NaN where none was given (the baseline fills those days).
        promoted: True where a row of that item-location and day said it was on
            promotion (all False when no promotion column was named).
    """

    skus: npt.NDArray[np.object_]
    locations: npt.NDArray[np.object_]
    first_day: np.datetime64
    history_days: int
    demand: FloatMatrix
    expected: FloatMatrix
    promoted: BoolArray


def build_matrix(
    actuals: pd.DataFrame,
    expected: pd.DataFrame | None,
    *,
    as_of: date,
    history_days: int,
    window_days: int,
    columns: tuple[str, str, str, str],
    expected_col: str,
    promotion_col: str | None = None,
) -> DemandMatrix:
    """Lay out `actuals` (and `expected`) over history + window days ending on `as_of`."""
    sku_col, location_col, time_col, target_col = columns
    last = np.datetime64(as_of, "D")
    first = last - np.timedelta64(history_days + window_days - 1, "D")
    actual_day = _day_numbers(actuals[time_col], first)
    in_range = (actual_day >= 0) & (actual_day < history_days + window_days)
    frames = [actuals.loc[in_range, [sku_col, location_col]]]
    if expected is not None:
        expected_day = _day_numbers(expected[time_col], first) - history_days
        in_window = (expected_day >= 0) & (expected_day < window_days)
        frames.append(expected.loc[in_window, [sku_col, location_col]])
    codes, skus, locations = _series_codes(frames, sku_col, location_col)
    n = len(skus)
    demand = np.zeros((n, history_days + window_days))
    quantity = actuals.loc[in_range, target_col].to_numpy(dtype=np.float64, na_value=0.0)
    np.add.at(demand, (codes[0], actual_day[in_range]), quantity)
    promoted = np.zeros(demand.shape, dtype=np.bool_)
    if promotion_col is not None:
        flag = _flags(actuals.loc[in_range, promotion_col])
        promoted[codes[0][flag], actual_day[in_range][flag]] = True
    forecast = np.full((n, window_days), np.nan)
    if expected is not None:
        values = expected.loc[in_window, expected_col].to_numpy(dtype=np.float64, na_value=np.nan)
        forecast[codes[1], expected_day[in_window]] = values
    return DemandMatrix(
        skus=skus,
        locations=locations,
        first_day=first,
        history_days=history_days,
        demand=demand,
        expected=forecast,
        promoted=promoted,
    )


def _flags(values: pd.Series) -> BoolArray:
    """True/False per row; missing counts as not promoted."""
    flags: BoolArray = values.astype("boolean").fillna(value=False).to_numpy(dtype=np.bool_)
    return flags


def _day_numbers(dates: pd.Series, first: np.datetime64) -> IntArray:
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    return (days - first).astype(np.int64)


def _series_codes(
    frames: list[pd.DataFrame], sku_col: str, location_col: str
) -> tuple[list[IntArray], npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Row codes of every frame's item-locations, sorted by (sku, location)."""
    sku_values = np.concatenate([f[sku_col].astype(str).to_numpy(dtype=object) for f in frames])
    location_values = np.concatenate(
        [f[location_col].astype(str).to_numpy(dtype=object) for f in frames]
    )
    sku_code, sku_names = pd.factorize(sku_values, sort=True)
    location_code, location_names = pd.factorize(location_values, sort=True)
    pair = sku_code.astype(np.int64) * max(len(location_names), 1) + location_code
    pairs, inverse = np.unique(pair, return_inverse=True)
    sizes = np.cumsum([0, *(len(f) for f in frames)])
    codes = [inverse[sizes[i] : sizes[i + 1]].astype(np.int64) for i in range(len(frames))]
    skus = np.asarray(sku_names, dtype=object)[pairs // max(len(location_names), 1)]
    locations = np.asarray(location_names, dtype=object)[pairs % max(len(location_names), 1)]
    return codes, skus, locations
