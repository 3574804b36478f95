"""Known demand drivers (price, promotion, events) read into the forecast's periods.

A drivers frame is long, like demand history: one row per series and date, with one
numeric column per driver. It covers the history and the forecast horizon, because the
distributor sets prices and promotions ahead. Rows are summed into the same periods as
demand (`crossdock.planning.classification.period_numbers`) by taking the **mean of the
rows in the period**: a 0/1 promotion flag becomes the share of the period's recorded days
under promotion, a price the mean price of those days. NaN values are skipped.

Drivers become model features:

- a price column (named in `price_cols`) becomes log(price / the series' median history
  price), so 0 means "the usual price" and -0.1 "about 10% cheaper";
- any other column is used as it is (a promotion share, a holiday flag, a discount share):
  0 means "no promotion".

A history period without a value reads as neutral (usual price, no promotion). Every one
of the `horizon` periods after `as_of` must have a value for every driver of every series
that has drivers; anything else raises `DriverInputError` naming the field, series, period
and value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from crossdock.domain.errors import CrossdockError
from crossdock.planning.classification import period_numbers, period_starts


class DriverInputError(CrossdockError, ValueError):
    """A drivers frame the forecast cannot use, naming the field, series, period and value."""

    def __init__(
        self, *, field: str, series: object, period: object, value: object, reason: str
    ) -> None:
        self.field = field
        self.series = series
        self.period = period
        self.value = value
        self.reason = reason
        super().__init__(f"drivers.{field}[{series!r}, {period}]={value!r}: {reason}")


@dataclass(frozen=True)
class PeriodDrivers:
    """Driver features per series and period, history and horizon.

    Attributes:
        features: long frame `unique_id`, `ds` (period start), then one column per feature,
            already transformed (log relative price, shares as they are).
        columns: the feature column names, in the drivers frame's order.
        series: the series that have drivers.
    """

    features: pd.DataFrame
    columns: tuple[str, ...]
    series: pd.Index

    def on(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` (with `unique_id`, `ds`) plus the feature columns; absent periods = 0."""
        merged = frame.merge(self.features, on=["unique_id", "ds"], how="left")
        merged[list(self.columns)] = merged[list(self.columns)].fillna(0.0)
        return merged


def period_drivers(
    drivers: pd.DataFrame,
    *,
    series: pd.Index,
    as_of: date,
    freq: str,
    horizon: int,
    price_cols: Sequence[str] = ("unit_price",),
    driver_cols: Sequence[str] | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
) -> PeriodDrivers:
    """Validate `drivers`, average them per period and turn them into features.

    Args:
        drivers: long frame, one row per series and date (days, or period starts).
        series: the series being forecast; drivers of other series are ignored.
        as_of: the last day of history; the next `horizon` periods must be covered.
        freq: the forecast's period length ("D", "W", "MS").
        horizon: periods after `as_of` that need a value for every driver.
        price_cols: driver columns that are prices (read relative to the usual price);
            names absent from the frame are skipped.
        driver_cols: the driver columns; every column but `id_col` and `time_col` when None.
        id_col, time_col: column names in `drivers`.

    Raises:
        DriverInputError: a missing column, a non-numeric or non-positive price, or a
            future period without a value, naming the field, series, period and value.
    """
    for required in (id_col, time_col):
        if required not in drivers.columns:
            raise DriverInputError(
                field=required, series=None, period=None, value=None, reason="column is missing"
            )
    if driver_cols is None:
        columns = tuple(c for c in drivers.columns if c not in (id_col, time_col))
    else:
        columns = tuple(driver_cols)
        for column in columns:
            if column not in drivers.columns:
                raise DriverInputError(
                    field=column, series=None, period=None, value=None, reason="column is missing"
                )
    if not columns:
        raise DriverInputError(
            field=time_col, series=None, period=None, value=None, reason="no driver columns"
        )
    prices = tuple(c for c in price_cols if c in columns)
    rows = drivers.loc[drivers[id_col].isin(series), [id_col, time_col, *columns]]
    values = _numeric(rows, columns, id_col=id_col, time_col=time_col)
    numbers, as_of_period = period_numbers(rows[time_col], as_of=as_of, freq=freq)
    last_period = as_of_period + horizon
    keep = numbers <= last_period
    ids = rows[id_col].to_numpy()[keep]
    numbers, values = numbers[keep], values[keep]
    dates = rows[time_col].to_numpy()[keep]
    future = numbers > as_of_period
    _check_future(ids[future], dates[future], values[future], columns)
    _check_prices(ids, dates, values, columns, prices)

    frame = pd.DataFrame(values, columns=list(columns))
    frame["unique_id"], frame["period"] = ids, numbers
    means = frame.groupby(["unique_id", "period"], sort=True)[list(columns)].mean().reset_index()
    _check_horizon_covered(
        means, as_of_period=as_of_period, horizon=horizon, freq=freq, as_of=as_of
    )
    history = means["period"].to_numpy() <= as_of_period
    for column in prices:
        logs = np.log(means[column])
        usual = logs.where(history).groupby(means["unique_id"]).transform("median")
        fallback = logs.groupby(means["unique_id"]).transform("median")
        means[column] = logs - usual.fillna(fallback)
    means["ds"] = period_starts(means["period"].to_numpy(dtype=np.int64), as_of=as_of, freq=freq)
    features = means[["unique_id", "ds", *columns]]
    return PeriodDrivers(
        features=features.reset_index(drop=True),
        columns=columns,
        series=pd.Index(np.unique(features["unique_id"].to_numpy())),
    )


def _numeric(
    rows: pd.DataFrame, columns: Sequence[str], *, id_col: str, time_col: str
) -> np.ndarray:
    out = np.empty((len(rows), len(columns)), dtype=np.float64)
    for j, column in enumerate(columns):
        raw = rows[column]
        if raw.dtype == object:  # booleans with NULLs, as a database returns them
            raw = raw.map(lambda v: float(v) if isinstance(v, bool | np.bool_) else v)
        elif pd.api.types.is_bool_dtype(raw):
            raw = raw.astype("Float64")
        numbers = pd.to_numeric(raw, errors="coerce")
        bad = numbers.isna() & raw.notna()
        if bad.any():
            at = int(np.flatnonzero(bad.to_numpy())[0])
            raise DriverInputError(
                field=column,
                series=rows[id_col].iloc[at],
                period=_day(rows[time_col].iloc[at]),
                value=raw.iloc[at],
                reason="must be a number",
            )
        out[:, j] = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def _day(value: object) -> str:
    return str(pd.Timestamp(value).date())  # type: ignore[arg-type]


def _check_future(
    ids: np.ndarray,
    dates: np.ndarray,
    values: np.ndarray,
    columns: Sequence[str],
) -> None:
    missing = np.isnan(values)
    if missing.any():
        row, column = (int(i) for i in np.argwhere(missing)[0])
        raise DriverInputError(
            field=columns[column],
            series=ids[row],
            period=_day(dates[row]),
            value=float(values[row, column]),
            reason="a future period needs a known value (the planned price or promotion)",
        )


def _check_prices(
    ids: np.ndarray,
    dates: np.ndarray,
    values: np.ndarray,
    columns: Sequence[str],
    prices: Sequence[str],
) -> None:
    for column in prices:
        price = values[:, list(columns).index(column)]
        bad = price <= 0
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DriverInputError(
                field=column,
                series=ids[row],
                period=_day(dates[row]),
                value=float(price[row]),
                reason="a price must be above 0",
            )


def _check_horizon_covered(
    means: pd.DataFrame, *, as_of_period: int, horizon: int, freq: str, as_of: date
) -> None:
    """Every series with drivers has a row in each of the `horizon` periods after `as_of`."""
    ids = pd.Index(np.unique(means["unique_id"].to_numpy()))
    future = means[means["period"] > as_of_period]
    wanted = pd.MultiIndex.from_product(
        [ids, np.arange(as_of_period + 1, as_of_period + horizon + 1)], names=["unique_id", "p"]
    )
    present = pd.MultiIndex.from_arrays(
        [future["unique_id"].to_numpy(), future["period"].to_numpy()], names=["unique_id", "p"]
    )
    absent = wanted.difference(present)
    if len(absent):
        series, period = absent[0]
        start = period_starts(np.array([period], dtype=np.int64), as_of=as_of, freq=freq)[0]
        raise DriverInputError(
            field="ds",
            series=series,
            period=str(start.date()),
            value=None,
            reason=f"no driver row in this forecast period (the {horizon} periods after as_of "
            "must all be covered)",
        )
