"""Input frames of the projection turned into dense arrays, one row per item-location.

Positions define the rows; forecasts, receipts and policy rows are matched to them by the
key columns (sku, location_code by default) and laid out by day after `as_of`: day 1 is
the day after the stock count, day `horizon_days` the last projected day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from crossdock.domain.errors import CrossdockError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

POSITION_QUANTITIES = ("on_hand", "allocated", "on_hold", "in_transit", "on_order", "backordered")
RECEIPT_COLUMNS = ("expected_date", "quantity")


class ProjectionInputError(CrossdockError, ValueError):
    """An input frame the projection cannot use, naming the frame, column, row and value."""

    def __init__(self, *, frame: str, field: str, row: object, value: object, reason: str) -> None:
        self.frame = frame
        self.field = field
        self.row = row
        self.value = value
        self.reason = reason
        super().__init__(f"{frame}.{field}[{row!r}]={value!r}: {reason}")


@dataclass(frozen=True, slots=True)
class Stock:
    """The position quantities as arrays (NaN in an optional column read as 0)."""

    on_hand: FloatArray
    allocated: FloatArray
    on_hold: FloatArray
    in_transit: FloatArray
    on_order: FloatArray
    backordered: FloatArray

    @property
    def available(self) -> FloatArray:
        """`InventoryPosition.available`: on hand - allocated - on hold, never below 0."""
        return np.maximum(self.on_hand - self.allocated - self.on_hold, 0.0)

    @property
    def inventory_position(self) -> FloatArray:
        """`InventoryPosition.inventory_position`: on hand + in transit + on order -
        allocated - on hold - backordered."""
        return (
            self.on_hand
            + self.in_transit
            + self.on_order
            - self.allocated
            - self.on_hold
            - self.backordered
        )


def weighted_counts(index: IntArray, weights: FloatArray, size: int) -> FloatArray:
    """Sum of `weights` per value of `index` in 0..size-1, as float64."""
    return np.asarray(np.bincount(index, weights=weights, minlength=size), dtype=np.float64)


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ProjectionInputError(
            frame=name,
            field=missing[0],
            row=None,
            value=None,
            reason=f"column missing (has {list(frame.columns)})",
        )


def quantity_column(
    frame: pd.DataFrame, column: str, *, name: str, required: bool = False
) -> FloatArray:
    """A non-negative float column; absent or missing values are 0 unless `required`."""
    if column not in frame.columns:
        if required:
            require_columns(frame, [column], name=name)
        return np.zeros(len(frame))
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
    missing = np.isnan(values)
    bad = (missing if required else np.zeros_like(missing)) | (values < 0.0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ProjectionInputError(
            frame=name,
            field=column,
            row=frame.index[row],
            value=frame[column].iloc[row] if missing[row] else float(values[row]),
            reason="must not be missing" if missing[row] else "must be >= 0",
        )
    return np.where(missing, 0.0, values)


def read_stock(positions: pd.DataFrame) -> Stock:
    columns = {
        column: quantity_column(positions, column, name="positions", required=column == "on_hand")
        for column in POSITION_QUANTITIES
    }
    return Stock(**columns)


def row_numbers(
    positions: pd.DataFrame, other: pd.DataFrame, key_columns: Sequence[str]
) -> IntArray:
    """For each row of `other`, the positions row with the same key (-1 when none)."""
    keys = list(key_columns)
    if len(keys) == 1:
        index: pd.Index = pd.Index(positions[keys[0]])
        target: pd.Index = pd.Index(other[keys[0]])
    else:
        index = pd.MultiIndex.from_frame(positions[keys])
        target = pd.MultiIndex.from_frame(other[keys])
    return np.asarray(index.get_indexer(target), dtype=np.int64)


def check_unique_keys(positions: pd.DataFrame, key_columns: Sequence[str]) -> None:
    duplicated = positions.duplicated(list(key_columns)).to_numpy()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        raise ProjectionInputError(
            frame="positions",
            field="+".join(key_columns),
            row=positions.index[row],
            value=tuple(positions[list(key_columns)].iloc[row]),
            reason="one position per item-location (take the latest snapshot first)",
        )


def day_numbers(dates: pd.Series, *, as_of: date) -> IntArray:
    """Whole days from `as_of` to each date (NaT gives a large negative number)."""
    days = pd.to_datetime(dates).dt.normalize().to_numpy(dtype="datetime64[D]")
    origin = np.datetime64(as_of, "D")
    return np.asarray((days - origin).astype(np.int64), dtype=np.int64)


def daily_std_from_forecast(forecasts: pd.DataFrame) -> FloatArray:
    """Standard deviation of each day's demand: the `std` column, else from the widest
    `hi-<level>` as (hi - mean) / z, z the normal quantile of (1 + level/100) / 2.

    The upper half of the interval is used because forecasts are clipped at zero below
    and the upper tail is what stockouts depend on. No `std` and no `hi-` column gives 0.
    """
    if "std" in forecasts.columns:
        return quantity_column(forecasts, "std", name="forecasts")
    levels = sorted(
        (float(column[3:]), column)
        for column in forecasts.columns
        if isinstance(column, str) and column.startswith("hi-")
    )
    if not levels:
        return np.zeros(len(forecasts))
    level, column = levels[-1]
    z = float(special.ndtri(0.5 + level / 200.0))
    mean = quantity_column(forecasts, "mean", name="forecasts")
    upper = quantity_column(forecasts, column, name="forecasts")
    return np.maximum(upper - mean, 0.0) / z


@dataclass(frozen=True, slots=True)
class DailyDemand:
    """Forecast demand per row and projected day (column j is day j + 1)."""

    mean: FloatArray
    variance: FloatArray
    days_covered: IntArray


def dense_forecast(
    forecasts: pd.DataFrame,
    rows: IntArray,
    *,
    n_rows: int,
    as_of: date,
    horizon_days: int,
) -> DailyDemand:
    """Lay the long forecast frame out as (n_rows, horizon_days) arrays; absent days are 0."""
    require_columns(forecasts, ["ds", "mean"], name="forecasts")
    day = day_numbers(forecasts["ds"], as_of=as_of)
    keep = (rows >= 0) & (day >= 1) & (day <= horizon_days)
    flat = rows[keep] * horizon_days + (day[keep] - 1)
    size = n_rows * horizon_days
    mean = quantity_column(forecasts, "mean", name="forecasts", required=True)[keep]
    std = daily_std_from_forecast(forecasts)[keep]
    return DailyDemand(
        mean=weighted_counts(flat, mean, size).reshape(n_rows, horizon_days),
        variance=weighted_counts(flat, std**2, size).reshape(n_rows, horizon_days),
        days_covered=np.bincount(rows[keep], minlength=n_rows).astype(np.int64),
    )


@dataclass(frozen=True, slots=True)
class ScheduledReceipts:
    """Receipts matched to rows: `row` and `day` per receipt line (overdue lines on day 1)."""

    row: IntArray
    day: IntArray
    quantity: FloatArray

    def dense(self, *, n_rows: int, horizon_days: int) -> FloatArray:
        """Units due per row and projected day; lines after the horizon are left out."""
        inside = self.day <= horizon_days
        flat = self.row[inside] * horizon_days + (self.day[inside] - 1)
        counts = weighted_counts(flat, self.quantity[inside], n_rows * horizon_days)
        return counts.reshape(n_rows, horizon_days)

    def total_by_row(self, *, n_rows: int, within_days: FloatArray | None = None) -> FloatArray:
        """Units per row, all of them or those due within `within_days[row]` days."""
        weights = self.quantity
        if within_days is not None:
            weights = np.where(self.day <= within_days[self.row], weights, 0.0)
        return weighted_counts(self.row, weights, n_rows)


def read_receipts(
    receipts: pd.DataFrame | None, rows_of: IntArray | None, *, as_of: date
) -> ScheduledReceipts:
    if receipts is None or rows_of is None or len(receipts) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return ScheduledReceipts(empty, empty, np.zeros(0))
    require_columns(receipts, RECEIPT_COLUMNS, name="receipts")
    quantity = quantity_column(receipts, "quantity", name="receipts", required=True)
    dates = pd.to_datetime(receipts["expected_date"])
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise ProjectionInputError(
            frame="receipts",
            field="expected_date",
            row=receipts.index[row],
            value=None,
            reason="needs an expected date (put undated inbound in positions.on_order)",
        )
    day = np.maximum(day_numbers(dates, as_of=as_of), 1)
    keep = rows_of >= 0
    return ScheduledReceipts(rows_of[keep], day[keep], quantity[keep])
