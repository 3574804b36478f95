"""Canonical frames built from column arrays, with the canonical dtypes.

Text and codes are object columns of `str` or `None` (except where a column is
passed as a `pandas.Categorical`, which keeps its categories); integers are
"Int64"; quantities, money and rates float64; dates naive datetime64[us] at midnight;
timestamps datetime64[us, UTC]; booleans "boolean".

Dates travel through the generator as integer day numbers counted from the first
day of history (`NO_DAY` = missing); timestamps as integer seconds from the same
origin (`NO_TIME` = missing).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossdock.domain.canonical import FieldKind, entity

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
TextArray = npt.NDArray[np.object_]

NO_DAY = np.iinfo(np.int64).min
NO_TIME = np.iinfo(np.int64).min
SECONDS_PER_DAY = 86_400


def entity_frame(name: str, columns: Mapping[str, object]) -> pd.DataFrame:
    """The frame of entity `name`: exactly its fields, in spec order, typed.

    `columns` must name every field and nothing else. A scalar (usually `None`)
    fills the whole column; every array must have the same length.
    """
    spec = entity(name)
    unknown = set(columns) - set(spec.field_names)
    missing = set(spec.field_names) - set(columns)
    if unknown or missing:
        raise KeyError(f"{name}: unknown columns {sorted(unknown)}, missing {sorted(missing)}")
    lengths = {len(v) for v in columns.values() if not _is_scalar(v)}  # type: ignore[arg-type]
    if len(lengths) != 1:
        raise ValueError(f"{name}: columns have different lengths {sorted(lengths)}")
    (length,) = lengths
    data = {field.name: _typed(field.kind, columns[field.name], length) for field in spec.fields}
    return pd.DataFrame(data, columns=list(spec.field_names), copy=False)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _typed(kind: FieldKind, value: object, length: int) -> pd.Series | pd.Categorical:
    if _is_scalar(value):
        value = np.full(length, value, dtype=object)
    if kind in (FieldKind.TEXT, FieldKind.CODE):
        if isinstance(value, pd.Categorical):
            return value
        return pd.Series(np.asarray(value, dtype=object), dtype=object)
    if kind is FieldKind.INTEGER:
        return pd.Series(pd.array(np.asarray(value, dtype=np.float64), dtype="Int64"))
    if kind in (FieldKind.QUANTITY, FieldKind.MONEY, FieldKind.RATE):
        return pd.Series(np.asarray(value, dtype=np.float64))
    if kind is FieldKind.BOOLEAN:
        return pd.Series(pd.array(np.asarray(value, dtype=bool), dtype="boolean"))
    if kind in (FieldKind.DATE, FieldKind.TIMESTAMP):
        array = np.asarray(value)
        if array.dtype == object:  # all None
            array = np.full(length, np.datetime64("NaT", "us"))
        series = pd.Series(array.astype("datetime64[us]"))
        return series.dt.tz_localize("UTC") if kind is FieldKind.TIMESTAMP else series
    raise ValueError(f"unsupported field kind {kind}")  # pragma: no cover


def as_dates(days: IntArray, origin: np.datetime64) -> npt.NDArray[np.datetime64]:
    """Day numbers (from `origin`) as datetime64[D]; `NO_DAY` becomes NaT."""
    out: npt.NDArray[np.datetime64] = origin.astype("datetime64[D]") + np.where(
        days == NO_DAY, 0, days
    ).astype("m8[D]")
    out[days == NO_DAY] = np.datetime64("NaT")
    return out


def as_timestamps(seconds: IntArray, origin: np.datetime64) -> npt.NDArray[np.datetime64]:
    """Seconds (from `origin` midnight, UTC) as datetime64[s]; `NO_TIME` becomes NaT."""
    start = origin.astype("datetime64[s]")
    out: npt.NDArray[np.datetime64] = start + np.where(seconds == NO_TIME, 0, seconds).astype(
        "m8[s]"
    )
    out[seconds == NO_TIME] = np.datetime64("NaT")
    return out


def masked(values: npt.NDArray[np.float64], keep: BoolArray) -> FloatArray:
    """`values` where `keep`, NaN (missing) elsewhere."""
    return np.where(keep, values, np.nan)


def numbered(prefix: str, count: int, *, width: int, start: int = 1) -> TextArray:
    """Document numbers like PO-0000001, as an object array."""
    return np.array([f"{prefix}{n:0{width}d}" for n in range(start, start + count)], dtype=object)


def text_where(keep: BoolArray, values: TextArray) -> TextArray:
    """`values` where `keep`, None elsewhere."""
    out = np.full(len(values), None, dtype=object)
    out[keep] = values[keep]
    return out
