"""Typed coercion of raw columns into canonical values, one FieldKind at a time.

A raw column is factorised first and only its distinct values are parsed, then the
result is spread back over the rows through the factorisation codes. Files of tens
of millions of rows hold few distinct SKUs, locations, dates or quantities, so this
is what makes validation fast; it costs nothing when every value is distinct.

Every parsed column keeps, per distinct value, the typed value, whether it is
missing and whether it is invalid for its kind. One extra slot at the end stands
for "missing": rows whose raw value is null point at it, and so do all rows of a
column the file does not have.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_numeric_dtype,
    is_string_dtype,
)

from crossdock.domain.canonical import Field, FieldKind

Mask = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.intp]  # row positions
Slots = npt.NDArray[np.signedinteger[Any]]  # per row, an index into per-distinct-value arrays

TRUE_WORDS = ("true", "1", "yes", "y")
FALSE_WORDS = ("false", "0", "no", "n")
_OFFSET = r"\d\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:[Zz]|[+-]\d\d(?::?\d\d)?)$"  # a time, then an offset
_BOOLEANS = dict.fromkeys(TRUE_WORDS, 1.0) | dict.fromkeys(FALSE_WORDS, 0.0)
_LARGEST_EXACT_INTEGER = 2.0**53
DATETIME_UNIT = "datetime64[us]"


@dataclass(frozen=True, slots=True)
class ParsedColumn:
    """One field of a raw frame, parsed.

    Attributes:
        field: the canonical field.
        present: whether the raw frame has the column at all.
        codes: per row, the index of the row's distinct value (int32 unless there
            are billions of distinct values, to halve the memory of huge files).
        typed: per distinct value, the typed value (NaN/NaT/None where missing or
            invalid). TEXT and CODE hold objects (str or None), INTEGER, QUANTITY,
            MONEY, RATE and BOOLEAN hold float64 (booleans as 1.0/0.0), DATE holds
            datetime64[us] and TIMESTAMP datetime64[us] in UTC.
        missing: per distinct value, empty or null.
        invalid: per distinct value, present but not readable as the field's kind.
        identity: per distinct value, a number shared by every distinct raw value
            that parses to the same typed value; -1 where missing or invalid.
    """

    field: Field
    present: bool
    codes: Slots
    typed: npt.NDArray[Any]
    missing: Mask
    invalid: Mask
    identity: Slots

    @property
    def valid(self) -> Mask:
        """Per distinct value: present and readable."""
        return ~self.missing & ~self.invalid

    def rows(self, per_value: Mask) -> Mask:
        """Spread a per-distinct-value mask over the rows."""
        if not per_value.any():
            return np.zeros(len(self.codes), dtype=np.bool_)
        return per_value[self.codes]

    def row_identity(self, rows: Codes | None = None) -> Slots:
        """Per row (of `rows`, or all), the identity of its typed value (-1 where
        missing or invalid)."""
        return self.identity[self.codes if rows is None else self.codes[rows]]


def parse_column(field: Field, raw: pd.Series[Any] | None, length: int) -> ParsedColumn:
    """Parse one raw column (None when the file lacks it) as `field`'s kind."""
    if raw is None:
        values, missing, invalid = _parse_unique(field, pd.Index([], dtype=object))
        codes: Slots = np.broadcast_to(np.int32(0), (length,))  # every row: "missing"
        return _finish(field, present=False, codes=codes, parsed=(values, missing, invalid))
    raw_codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    codes = raw_codes.astype(np.int32 if len(uniques) < np.iinfo(np.int32).max else np.int64)
    codes[codes < 0] = len(uniques)
    parsed = _parse_unique(field, pd.Index(uniques))
    return _finish(field, present=True, codes=codes, parsed=parsed)


def _finish(
    field: Field,
    *,
    present: bool,
    codes: Slots,
    parsed: tuple[npt.NDArray[Any], Mask, Mask],
) -> ParsedColumn:
    values, missing, invalid = parsed
    values = np.concatenate([values, _missing_value(field.kind, 1)])
    missing = np.append(missing, True)
    invalid = np.append(invalid, False)
    identity = _identity(values)
    identity[missing | invalid] = -1
    return ParsedColumn(field, present, codes, values, missing, invalid, identity)


def _identity(values: npt.NDArray[Any]) -> Slots:
    if values.dtype.kind == "M":
        values = values.view(np.int64)
        values = np.where(values == np.iinfo(np.int64).min, -1, values)
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int32 if len(codes) < np.iinfo(np.int32).max else np.int64)


def _missing_value(kind: FieldKind, count: int) -> npt.NDArray[Any]:
    if kind in (FieldKind.TEXT, FieldKind.CODE):
        return np.full(count, None, dtype=object)
    if kind in (FieldKind.DATE, FieldKind.TIMESTAMP):
        return np.full(count, np.datetime64("NaT"), dtype=DATETIME_UNIT)
    return np.full(count, np.nan, dtype=np.float64)


def _parse_unique(field: Field, uniques: pd.Index[Any]) -> tuple[npt.NDArray[Any], Mask, Mask]:
    """Typed values, missing mask and invalid mask for distinct raw values."""
    kind = field.kind
    dtype = uniques.dtype
    if kind in (FieldKind.QUANTITY, FieldKind.MONEY, FieldKind.RATE, FieldKind.INTEGER):
        if is_numeric_dtype(dtype) and not is_bool_dtype(dtype):
            numbers = uniques.to_numpy(dtype=np.float64, na_value=np.nan)
            return _numbers(kind, numbers, np.isnan(numbers))
    elif kind in (FieldKind.DATE, FieldKind.TIMESTAMP):
        if is_datetime64_any_dtype(dtype):
            return _native_datetimes(kind, pd.DatetimeIndex(uniques))
    elif kind == FieldKind.BOOLEAN and is_bool_dtype(dtype):
        flags = uniques.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(flags)
        return flags, missing, np.zeros(len(flags), dtype=np.bool_)
    text = unique_text(uniques, kind)
    missing = (text.isna() | (text == "")).to_numpy(dtype=np.bool_)
    return _parse_text(field, text.where(~missing), missing)


def unique_text(uniques: pd.Index[Any], kind: FieldKind | None = None) -> pd.Series[str]:
    """Distinct raw values as stripped text (NaN where null)."""
    if is_string_dtype(uniques.dtype) and uniques.dtype != object:
        text = pd.Series(uniques, dtype="str")
    else:
        text = pd.Series([to_text(value, kind) for value in uniques], dtype="str")
    return text.str.strip()


def to_text(value: object, kind: FieldKind | None = None) -> str | None:
    """A raw cell as the text a person would have typed; None when null."""
    if _is_null(value):
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool | np.bool_):
        text = "true" if value else "false"
    elif isinstance(value, int | np.integer):
        text = str(int(value))
    elif isinstance(value, float | np.floating):
        text = repr(float(value))
    elif isinstance(value, dt.datetime) and kind == FieldKind.DATE:
        text = value.date().isoformat()
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return text


def _is_null(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def _parse_text(
    field: Field, text: pd.Series[str], missing: Mask
) -> tuple[npt.NDArray[Any], Mask, Mask]:
    kind = field.kind
    if kind == FieldKind.TEXT:
        values = text.to_numpy(dtype=object)
        values[missing] = None
        return values, missing, np.zeros_like(missing)
    if kind == FieldKind.CODE:
        lowered = text.str.lower()
        invalid = ~missing & ~lowered.isin(field.allowed).to_numpy(dtype=np.bool_)
        values = lowered.to_numpy(dtype=object)
        values[missing | invalid] = None
        return values, missing, invalid
    if kind == FieldKind.BOOLEAN:
        flags = text.str.lower().map(_BOOLEANS).to_numpy(dtype=np.float64, na_value=np.nan)
        return flags, missing, ~missing & np.isnan(flags)
    if kind == FieldKind.DATE:
        dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        values = dates.to_numpy(dtype=DATETIME_UNIT)
        return values, missing, ~missing & np.isnat(values)
    if kind == FieldKind.TIMESTAMP:
        values = _utc_timestamps(text)
        return values, missing, ~missing & np.isnat(values)
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return _numbers(kind, numbers, missing)


def _utc_timestamps(text: pd.Series) -> npt.NDArray[np.datetime64]:
    """ISO 8601 text to naive UTC; values without an offset are read as UTC.

    Values with and without an offset are parsed apart: pandas 2 would otherwise
    apply the first value's offset to every naive value after it.
    """
    has_offset = text.str.contains(_OFFSET, regex=True, na=False).to_numpy(dtype=np.bool_)
    values = np.full(len(text), np.datetime64("NaT"), dtype=DATETIME_UNIT)
    for rows, utc in ((has_offset, True), (~has_offset, False)):
        if rows.any():
            stamps = pd.to_datetime(text[rows], format="ISO8601", utc=utc, errors="coerce")
            if utc:
                stamps = stamps.dt.tz_localize(None)
            values[rows] = stamps.to_numpy(dtype=DATETIME_UNIT)
    return values


def _numbers(
    kind: FieldKind, numbers: npt.NDArray[np.float64], missing: Mask
) -> tuple[npt.NDArray[np.float64], Mask, Mask]:
    with np.errstate(invalid="ignore"):
        invalid = ~missing & ~np.isfinite(numbers)
        if kind == FieldKind.INTEGER:
            invalid |= ~missing & (
                (numbers != np.floor(numbers)) | (np.abs(numbers) > _LARGEST_EXACT_INTEGER)
            )
    values = np.where(invalid | missing, np.nan, numbers)
    return values, missing, invalid


def _native_datetimes(
    kind: FieldKind, stamps: pd.DatetimeIndex
) -> tuple[npt.NDArray[Any], Mask, Mask]:
    if stamps.tz is not None:
        stamps = stamps.tz_convert("UTC") if kind == FieldKind.TIMESTAMP else stamps
        stamps = stamps.tz_localize(None)
    if kind == FieldKind.DATE:
        stamps = stamps.normalize()
    values = stamps.to_numpy(dtype=DATETIME_UNIT)
    missing = np.isnat(values)
    return values, missing, np.zeros_like(missing)


def typed_series(column: ParsedColumn, rows: Codes | None = None) -> pd.Series[Any]:
    """The canonical typed values of `rows` (all rows when None), in canonical dtype."""
    codes = column.codes if rows is None else column.codes[rows]
    values = column.typed[codes]
    kind = column.field.kind
    if kind in (FieldKind.INTEGER, FieldKind.BOOLEAN):
        absent = np.isnan(values)
        if kind == FieldKind.BOOLEAN:
            return pd.Series(pd.arrays.BooleanArray(values == 1.0, absent), copy=False)
        whole = np.where(absent, 0.0, values).astype(np.int64)
        return pd.Series(pd.arrays.IntegerArray(whole, absent), copy=False)
    if kind == FieldKind.TIMESTAMP:
        stamps = pd.DatetimeIndex(values).tz_localize("UTC")
        return pd.Series(stamps, copy=False)
    if kind in (FieldKind.TEXT, FieldKind.CODE):
        return pd.Series(values, dtype=object, copy=False)
    return pd.Series(values, copy=False)
