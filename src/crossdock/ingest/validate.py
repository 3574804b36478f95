"""Validate one raw entity frame against the canonical model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from crossdock.domain.canonical import Entity
from crossdock.domain.reason_codes import ReasonCodeMap
from crossdock.ingest import checks
from crossdock.ingest.checks import AsOf, MappedReasons
from crossdock.ingest.issues import Check, IssueLog
from crossdock.ingest.parse import Codes, ParsedColumn, parse_column, typed_series
from crossdock.ingest.result import EntityValidation

ROW_COLUMN = "_row"
MALFORMED_COLUMN = "_malformed"
SITE_CODE_SUFFIX = "_site_code"


def validate_entity(
    entity: Entity,
    raw: pd.DataFrame,
    *,
    source: str,
    known: Mapping[tuple[str, str], Collection[str]],
    item_uoms: Mapping[str, str],
    reason_codes: ReasonCodeMap,
    as_of: dt.datetime,
) -> EntityValidation:
    """Check every row of `raw` against `entity`; split it into accepted rows and issues.

    Args:
        entity: the canonical entity the frame holds.
        raw: the frame as read, any dtypes, optionally with `_row` (1-based row
            number in the source) and `_malformed` (why the reader could not split
            the row cleanly) columns. Other columns starting with `_` are ignored.
        source: the file name (or other origin) shown in issues.
        known: per referenced (entity, field), the keys that exist already (in the
            database and in entities accepted earlier in this import). This
            entity's own accepted keys are added here for self references.
        item_uoms: stocking unit of measure per SKU, for `uom_mismatch`.
        reason_codes: the site-to-canonical reason code mappings.
        as_of: the moment the data is judged at; its date bounds `future_date` and
            `stale_snapshot`. Naive values are read as UTC.

    Returns:
        The accepted frame (canonical columns and dtypes, plus `<field>_site_code`
        for reason-code fields) and one issue line per problem. Every raw row is
        either accepted or has at least one error line.
    """
    when = AsOf.of(as_of)
    log = IssueLog(entity, source, raw, _row_numbers(raw))
    _check_columns(entity, raw, log)
    length = len(raw)
    columns = {
        field.name: parse_column(field, raw.get(field.name), length) for field in entity.fields
    }
    for column in columns.values():
        checks.check_field(column, log, when)
    checks.check_date_order(entity, columns, log)
    checks.check_references(entity, columns, known, log)
    checks.check_uom(entity, columns, item_uoms, log)
    reasons = checks.map_reason_codes(entity, columns, reason_codes, log)
    checks.check_self_references(entity, columns, known, log)
    checks.check_duplicates(entity, columns, log)
    checks.check_stale(entity, columns, log, when)
    accepted_rows = checks.rows_of(~log.has_error)
    return EntityValidation(
        entity=entity,
        source=source,
        rows_read=length,
        accepted=_accepted_frame(entity, columns, reasons, accepted_rows),
        issues=log.to_frame(),
    )


def _row_numbers(raw: pd.DataFrame) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
    if ROW_COLUMN in raw:
        return raw[ROW_COLUMN].to_numpy(dtype=np.int64)
    return np.arange(1, len(raw) + 1, dtype=np.int64)


def _check_columns(entity: Entity, raw: pd.DataFrame, log: IssueLog) -> None:
    fields = set(entity.field_names)
    for name in raw.columns:
        text = str(name)
        if text not in fields and not text.startswith("_"):
            log.add_file_warning(
                Check.UNKNOWN_COLUMN,
                text,
                text,
                f"column {text!r} is not a field of {entity.name} and is ignored",
            )
    if MALFORMED_COLUMN in raw:
        problems = raw[MALFORMED_COLUMN].fillna("").astype("str")
        rows = checks.rows_of((problems != "").to_numpy(dtype=np.bool_))
        log.add(
            Check.MALFORMED_ROW,
            "",
            rows,
            "the row could not be split into fields: " + problems.iloc[rows],
            value=problems.iloc[rows],
            quote=False,
        )


def _accepted_frame(
    entity: Entity,
    columns: Mapping[str, ParsedColumn],
    reasons: Mapping[str, MappedReasons],
    rows: Codes,
) -> pd.DataFrame:
    data: dict[str, pd.Series] = {
        field.name: typed_series(columns[field.name], rows) for field in entity.fields
    }
    for name, mapped in reasons.items():
        pairs = mapped.pairs[rows]
        data[name] = pd.Series(mapped.canonical[pairs], dtype=object)
        data[name + SITE_CODE_SUFFIX] = pd.Series(mapped.site_code[pairs], dtype=object)
    # copy=False also skips stacking same-typed columns into one block: a full copy.
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)), copy=False)
