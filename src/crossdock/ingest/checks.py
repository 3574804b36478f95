"""The data-quality checks, each vectorised over a parsed frame.

Every check looks at distinct values first (few, even in huge files) and only
spreads a mask over the rows when some distinct value fails, so clean data costs
little more than parsing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossdock.domain.canonical import Entity, Field, FieldKind
from crossdock.domain.errors import UnknownReasonCode
from crossdock.domain.reason_codes import ReasonCodeMap
from crossdock.ingest.issues import Check, IssueLog, Severity, number_text
from crossdock.ingest.keys import (
    all_distinct,
    combine_identities,
    distinct_combinations,
    first_occurrences,
)
from crossdock.ingest.parse import Codes, Mask, ParsedColumn

Columns = Mapping[str, ParsedColumn]

KeyRef = tuple[str, str]

_INVALID: dict[FieldKind, tuple[Check, str]] = {
    FieldKind.CODE: (Check.INVALID_CODE, ""),  # the allowed values are added per field
    FieldKind.INTEGER: (Check.NOT_INTEGER, " is not a whole number"),
    FieldKind.QUANTITY: (Check.NOT_NUMERIC, " is not a number"),
    FieldKind.MONEY: (Check.NOT_NUMERIC, " is not a number"),
    FieldKind.RATE: (Check.NOT_NUMERIC, " is not a number"),
    FieldKind.DATE: (Check.INVALID_DATE, " is not a date written YYYY-MM-DD"),
    FieldKind.TIMESTAMP: (
        Check.INVALID_DATE,
        " is not an ISO 8601 date and time, like 2026-11-20T08:30:00Z",
    ),
    FieldKind.BOOLEAN: (
        Check.INVALID_BOOLEAN,
        " is not a yes/no value (true, false, 1, 0, yes, no, y, n)",
    ),
}


@dataclass(frozen=True, slots=True)
class AsOf:
    """The moment the data is judged at: its calendar date and time zone."""

    date: np.datetime64
    tz: dt.tzinfo

    @classmethod
    def of(cls, moment: dt.datetime) -> AsOf:
        """Naive moments are read as UTC, like naive timestamps in files."""
        tz = moment.tzinfo or dt.UTC
        return cls(np.datetime64(moment.date(), "D"), tz)

    def local_dates(self, column: ParsedColumn) -> npt.NDArray[np.datetime64]:
        """Per distinct value of a DATE or TIMESTAMP column, its calendar date here."""
        if column.field.kind == FieldKind.DATE:
            return column.typed.astype("datetime64[D]")
        stamps = pd.DatetimeIndex(column.typed).tz_localize("UTC").tz_convert(self.tz)
        return stamps.tz_localize(None).to_numpy().astype("datetime64[D]")


def rows_of(mask: Mask) -> Codes:
    return np.flatnonzero(mask).astype(np.intp)


def check_field(column: ParsedColumn, log: IssueLog, as_of: AsOf) -> None:
    """Column presence, required values, kind, bounds and dates in the future."""
    field = column.field
    name = field.name
    if not column.present:
        if field.required:
            rows = np.arange(len(column.codes), dtype=np.intp)
            log.add(
                Check.MISSING_COLUMN,
                name,
                rows,
                f"{name} is required but the file has no {name} column",
                value="",
                quote=False,
            )
        return
    if field.required:
        log.add(
            Check.MISSING_REQUIRED,
            name,
            rows_of(column.rows(column.missing)),
            f"{name} is required but empty",
            quote=False,
        )
    if column.invalid.any():
        check, tail = _INVALID[field.kind]
        if field.kind == FieldKind.CODE:
            tail = " is not one of " + ", ".join(field.allowed)
        log.add(check, name, rows_of(column.rows(column.invalid)), tail)
    if field.minimum is not None:
        with np.errstate(invalid="ignore"):
            below = column.valid & (column.typed.astype(np.float64) < field.minimum)
        if field.minimum == 0:
            check, tail = Check.NEGATIVE_QUANTITY, " is negative; it must be 0 or more"
        else:
            check, tail = Check.BELOW_MINIMUM, f" is below the minimum of {field.minimum:g}"
        log.add(check, name, rows_of(column.rows(below)), tail)
    if field.maximum is not None:
        with np.errstate(invalid="ignore"):
            above = column.valid & (column.typed.astype(np.float64) > field.maximum)
        log.add(
            Check.ABOVE_MAXIMUM,
            name,
            rows_of(column.rows(above)),
            f" is above the maximum of {field.maximum:g}",
        )
    if field.not_in_future:
        future = column.valid & (as_of.local_dates(column) > as_of.date)
        log.add(
            Check.FUTURE_DATE,
            name,
            rows_of(column.rows(future)),
            f" is after the as-of date {as_of.date}",
        )


def check_date_order(entity: Entity, columns: Columns, log: IssueLog) -> None:
    """Dates that may not precede another date of the same row, e.g. an end before its start."""
    for field in entity.fields:
        if field.not_before is None:
            continue
        later, earlier = columns[field.name], columns[field.not_before]
        if not (later.present and earlier.present):
            continue
        # Row by row, not per distinct value: the pair is what matters. NaT (missing or
        # invalid, reported by check_field) compares false, so it is not reported twice.
        before = later.typed[later.codes] < earlier.typed[earlier.codes]
        rows = rows_of(before)
        if len(rows) == 0:
            continue
        log.add(
            Check.DATE_ORDER,
            field.name,
            rows,
            f" is before {earlier.field.name} '" + log.cell_text(earlier.field.name, rows) + "'",
        )


def check_references(
    entity: Entity, columns: Columns, known: Mapping[KeyRef, Collection[str]], log: IssueLog
) -> None:
    """Values that must exist in another entity (self references: see below)."""
    for field in entity.fields:
        if field.references is None or field.references[0] == entity.name:
            continue
        column = columns[field.name]
        if column.present:
            allowed = known.get(field.references, ())
            _flag_unknown(column, field, _as_set(allowed), log)


def check_self_references(
    entity: Entity, columns: Columns, known: Mapping[KeyRef, Collection[str]], log: IssueLog
) -> None:
    """References to the same entity, e.g. a location's parent location.

    The target may be a known key or a key accepted from this same frame. A row
    whose target row is itself rejected is rejected too, until nothing changes.
    """
    for field in entity.fields:
        if field.references is None or field.references[0] != entity.name:
            continue
        column = columns[field.name]
        if not column.present:
            continue
        target = columns[field.references[1]]
        outside = _as_set(known.get(field.references, ()))
        rejected = np.zeros(len(column.codes), dtype=np.bool_)
        while True:
            kept = np.unique(target.codes[~log.has_error & ~rejected])
            accepted_here = {value for value in target.typed[kept] if value is not None}
            unknown = column.valid & _not_in(column.typed, outside | accepted_here)
            now_rejected = column.rows(unknown)
            if np.array_equal(now_rejected, rejected):
                break
            rejected = now_rejected
        _flag_unknown(column, field, outside | accepted_here, log)


def _flag_unknown(
    column: ParsedColumn, field: Field, allowed: Collection[str], log: IssueLog
) -> None:
    assert field.references is not None
    unknown = column.valid & _not_in(column.typed, allowed)
    entity_name, key = field.references
    log.add(
        Check.UNKNOWN_REFERENCE,
        field.name,
        rows_of(column.rows(unknown)),
        f" matches no {key} in {entity_name}",
    )


def check_uom(
    entity: Entity, columns: Columns, item_uoms: Mapping[str, str], log: IssueLog
) -> None:
    """The row's unit of measure, when given, must be the item's stocking unit."""
    if entity.uom_field is None or not columns[entity.uom_field].present:
        return
    uom, sku = columns[entity.uom_field], columns["sku"]
    stocking = np.array(
        [item_uoms.get(value) if isinstance(value, str) else None for value in sku.typed],
        dtype=object,
    )
    vocabulary: dict[str, int] = {}
    expected = _word_ids(stocking, vocabulary)
    written = _word_ids(uom.typed, vocabulary)
    expected_rows, written_rows = expected[sku.codes], written[uom.codes]
    mismatch = (expected_rows >= 0) & (written_rows >= 0) & (expected_rows != written_rows)
    rows = rows_of(mismatch)
    if len(rows) == 0:
        return
    skus = pd.Series(sku.typed[sku.codes[rows]], dtype="str")
    units = pd.Series(stocking[sku.codes[rows]], dtype="str")
    log.add(
        Check.UOM_MISMATCH,
        uom.field.name,
        rows,
        " differs from item " + skus + "'s stocking unit '" + units + "'",
    )


def _word_ids(words: npt.NDArray[Any], vocabulary: dict[str, int]) -> npt.NDArray[np.intp]:
    ids = [
        vocabulary.setdefault(word.casefold(), len(vocabulary)) if isinstance(word, str) else -1
        for word in words
    ]
    return np.array(ids, dtype=np.intp)


@dataclass(frozen=True, slots=True)
class MappedReasons:
    """A reason-code field mapped to canonical codes, per (site code, location) pair."""

    pairs: Codes  # per row, index into canonical and site_code
    canonical: npt.NDArray[np.object_]
    site_code: npt.NDArray[np.object_]


def map_reason_codes(
    entity: Entity, columns: Columns, reason_codes: ReasonCodeMap, log: IssueLog
) -> dict[str, MappedReasons]:
    """Map every reason_code field through the site mappings; flag unmapped codes."""
    mapped: dict[str, MappedReasons] = {}
    location = columns.get("location_code")
    for field in entity.fields:
        if not field.reason_code:
            continue
        column = columns[field.name]
        where = [location] if location is not None and location.present else []
        pairs, representatives = distinct_combinations([column, *where])
        canonical = np.full(len(representatives), None, dtype=object)
        site_code = np.full(len(representatives), None, dtype=object)
        unknown = np.zeros(len(representatives), dtype=np.bool_)
        for index, slots in enumerate(representatives):
            text = column.typed[slots[0]]
            if text is None:
                continue
            place = location.typed[slots[1]] if where and location is not None else None
            site_code[index] = text
            try:
                canonical[index] = reason_codes.canonical(text, location_code=place).value
            except UnknownReasonCode:
                unknown[index] = True
        rows = rows_of(unknown[pairs])
        if len(rows):
            places = (
                pd.Series(location.typed[location.codes[rows]], dtype="str").fillna("(none)")
                if where and location is not None
                else "(none)"
            )
            log.add(
                Check.UNKNOWN_REASON_CODE,
                field.name,
                rows,
                " is not a canonical reason code and has no mapping for location "
                + places
                + " or for every site (*): add it to reason_code_mappings",
            )
        mapped[field.name] = MappedReasons(pairs, canonical, site_code)
    return mapped


def check_duplicates(entity: Entity, columns: Columns, log: IssueLog) -> None:
    """Later rows with the natural key of an earlier accepted row are quarantined."""
    candidates, subset = _without_errors(log)
    if len(candidates) < 2:
        return
    keys = combine_identities([columns[name].row_identity(subset) for name in entity.natural_key])
    if all_distinct(keys):
        return
    codes, first_rows = first_occurrences(keys)
    later = np.ones(len(codes), dtype=np.bool_)
    later[first_rows] = False
    if not later.any():
        return
    rows = candidates[later]
    kept = candidates[first_rows[codes[later]]]
    numbers = number_text(log.row_numbers[kept])
    key_names = ", ".join(entity.natural_key)
    log.add(
        Check.DUPLICATE,
        key_names,
        rows,
        f"duplicate {entity.name} record: same {key_names} as row " + numbers + ", which is kept",
        value=log.key_text(rows),
        quote=False,
    )


def check_stale(entity: Entity, columns: Columns, log: IssueLog, as_of: AsOf) -> None:
    """Warn when the newest accepted value of each record is older than the field allows.

    A record is the natural key without the field itself (an item at a location for
    inventory snapshots): older snapshots of the same record are history, not stale.
    """
    for field in entity.fields:
        column = columns[field.name]
        if field.stale_after_days is None or not column.present:
            continue
        dates = as_of.local_dates(column)
        cutoff = as_of.date - np.timedelta64(field.stale_after_days, "D")
        if not (column.valid & (dates < cutoff)).any():
            continue
        candidates, subset = _without_errors(log)
        group = [
            columns[name].row_identity(subset) for name in entity.natural_key if name != field.name
        ]
        stamps = column.typed[column.codes[candidates]].view(np.int64)
        groups = combine_identities(group) if group else np.zeros(len(stamps), np.int64)
        newest = pd.Series(stamps).groupby(groups).transform("max").to_numpy()
        row_dates = dates[column.codes[candidates]]
        stale = (stamps == newest) & (row_dates < cutoff)
        rows = candidates[stale]
        ages = number_text((as_of.date - row_dates[stale]).astype(np.int64))
        record = ", ".join(name for name in entity.natural_key if name != field.name) or "file"
        log.add(
            Check.STALE_SNAPSHOT,
            field.name,
            rows,
            f" is the newest for its {record} but "
            + ages
            + f" days old at the as-of date {as_of.date} (stale after {field.stale_after_days})",
            severity=Severity.WARNING,
        )


def _without_errors(log: IssueLog) -> tuple[Codes, Codes | None]:
    """Positions of the rows without errors so far; and the same, or None when that
    is every row (to spare indexing huge arrays with all their own positions)."""
    if not log.has_error.any():
        return np.arange(len(log.has_error), dtype=np.intp), None
    candidates = rows_of(~log.has_error)
    return candidates, candidates


def _as_set(values: Collection[str]) -> AbstractSet[str]:
    return values if isinstance(values, AbstractSet) else set(values)


def _not_in(values: npt.NDArray[Any], allowed: Collection[str]) -> Mask:
    return np.array([value not in allowed for value in values], dtype=np.bool_)
