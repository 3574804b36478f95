"""The issue log of one entity file: what is wrong, where, and in words a person can act on.

Checks add issues in blocks (one check, one field, many rows) so that a check on
millions of rows never loops in Python; reasons are built with vectorised string
operations and the per-row parts (natural key, raw row as JSON) are rendered once
per affected row, at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import is_string_dtype

from crossdock.domain.canonical import Entity

Codes = npt.NDArray[np.intp]

ISSUE_COLUMNS = (
    "source",
    "row_number",
    "field",
    "value",
    "reason",
    "check",
    "severity",
    "key",
    "raw",
)
EMPTY_KEY_PART = "(empty)"


class Check(StrEnum):
    """The name of each data-quality check, as it appears in reports."""

    MISSING_COLUMN = "missing_column"
    UNKNOWN_COLUMN = "unknown_column"
    MALFORMED_ROW = "malformed_row"
    MISSING_REQUIRED = "missing_required"
    NOT_NUMERIC = "not_numeric"
    NOT_INTEGER = "not_integer"
    INVALID_DATE = "invalid_date"
    INVALID_BOOLEAN = "invalid_boolean"
    INVALID_CODE = "invalid_code"
    NEGATIVE_QUANTITY = "negative_quantity"
    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"
    UNKNOWN_REFERENCE = "unknown_reference"
    UOM_MISMATCH = "uom_mismatch"
    FUTURE_DATE = "future_date"
    DATE_ORDER = "date_order"
    UNKNOWN_REASON_CODE = "unknown_reason_code"
    DUPLICATE = "duplicate"
    STALE_SNAPSHOT = "stale_snapshot"


class Severity(StrEnum):
    """An error quarantines the row; a warning is reported and the row is kept."""

    ERROR = "error"
    WARNING = "warning"


Text = str | pd.Series  # a scalar, or one string per row of the block


@dataclass(frozen=True, slots=True)
class _Block:
    check: Check
    severity: Severity
    field: str
    rows: Codes
    value: pd.Series[str]
    body: pd.Series[str]


class IssueLog:
    """Collects the issues of one raw frame and renders them as the issues frame."""

    def __init__(
        self, entity: Entity, source: str, raw: pd.DataFrame, row_numbers: npt.NDArray[np.int64]
    ) -> None:
        self.entity = entity
        self.source = source
        self._raw = raw
        self.row_numbers = row_numbers
        self._blocks: list[_Block] = []
        self._file_issues: list[dict[str, Any]] = []
        self.has_error = np.zeros(len(raw), dtype=np.bool_)

    def add(
        self,
        check: Check,
        field: str,
        rows: Codes,
        tail: Text,
        *,
        severity: Severity = Severity.ERROR,
        value: Text | None = None,
        quote: bool = True,
    ) -> None:
        """Record `check` failing on `field` for `rows` (positions in the raw frame).

        The reason reads `<field>='<value>'<tail>` when `quote`, otherwise `<tail>`;
        `value` defaults to the raw cell text.
        """
        if len(rows) == 0:
            return
        count = len(rows)
        values = self.cell_text(field, rows) if value is None else _as_series(value, count)
        if quote:
            body = (field + "='") + values + ("'" + tail if isinstance(tail, str) else "'")
            if not isinstance(tail, str):
                body = body + _as_series(tail, count)
        else:
            body = _as_series(tail, count)
        self._blocks.append(_Block(check, severity, field, rows, values, body))
        if severity == Severity.ERROR:
            self.has_error[rows] = True

    def add_file_warning(self, check: Check, field: str, value: str, reason: str) -> None:
        """Record a warning about the file as a whole (row number 0)."""
        self._file_issues.append(
            {
                "source": self.source,
                "row_number": 0,
                "field": field,
                "value": value,
                "reason": f"{self.source}: {reason}",
                "check": str(check),
                "severity": str(Severity.WARNING),
                "key": "",
                "raw": "{}",
            }
        )

    def cell_text(self, field: str, rows: Codes) -> pd.Series[str]:
        """The raw text of `field` in `rows` as written ('' where null or absent)."""
        if field not in self._raw.columns:
            return constant_text("", len(rows))
        cells = self._raw[field].iloc[rows].reset_index(drop=True)
        if not is_string_dtype(cells.dtype) or cells.dtype == object:
            cells = cells.astype("str")
        return cells.fillna("").astype("str")

    def key_text(self, rows: Codes) -> pd.Series[str]:
        """The natural key of `rows`, rendered `sku=A1, location_code=BR1`."""
        parts: list[pd.Series[str]] = []
        for name in self.entity.natural_key:
            text = self.cell_text(name, rows).str.strip()
            text = text.where(text != "", EMPTY_KEY_PART)
            parts.append(name + "=" + text)
        rendered = parts[0]
        for part in parts[1:]:
            rendered = rendered + ", " + part
        return rendered

    def to_frame(self) -> pd.DataFrame:
        """Every issue, file-level ones first, then by row, in the order checks ran."""
        issues = pd.DataFrame(self._file_issues, columns=list(ISSUE_COLUMNS))
        if self._blocks:
            row_issues = self._row_issues()
            if self._file_issues:
                row_issues = pd.concat([issues.astype(row_issues.dtypes), row_issues])
            issues = row_issues.reset_index(drop=True)
        issues["row_number"] = issues["row_number"].astype(np.int64)
        for column in ISSUE_COLUMNS:
            if column != "row_number":
                issues[column] = issues[column].astype("str")
        return issues

    def _row_issues(self) -> pd.DataFrame:
        blocks = self._blocks
        rows = np.concatenate([block.rows for block in blocks])
        order = np.argsort(rows, kind="stable")
        rows = rows[order]
        starts = np.concatenate([[True], rows[1:] != rows[:-1]])
        affected = rows[starts]  # each row with an issue, once, in order
        at = np.cumsum(starts) - 1  # for each issue line, its row's place in `affected`
        numbers = self.row_numbers[affected]
        keys = self.key_text(affected)
        prefix = f"{self.entity.name} row " + number_text(numbers) + " (" + keys + "): "
        block_of = np.repeat(np.arange(len(blocks)), [len(block.rows) for block in blocks])[order]
        body = _concat(block.body for block in blocks).iloc[order].reset_index(drop=True)
        columns: dict[str, Any] = {
            "source": constant_text(self.source, len(rows)),
            "row_number": numbers[at],
            "field": label_text([block.field for block in blocks], block_of),
            "value": _concat(block.value for block in blocks).iloc[order].reset_index(drop=True),
            "reason": prefix.iloc[at].reset_index(drop=True) + body,
            "check": label_text([str(block.check) for block in blocks], block_of),
            "severity": label_text([str(block.severity) for block in blocks], block_of),
            "key": keys.iloc[at].reset_index(drop=True),
            "raw": self._raw_json(affected).iloc[at].reset_index(drop=True),
        }
        return pd.DataFrame(columns, copy=False)

    def _raw_json(self, rows: Codes) -> pd.Series[str]:
        """Each of `rows` as one JSON object of its raw cells (reserved `_` columns left out)."""
        columns = [name for name in self._raw.columns if not str(name).startswith("_")]
        if not columns:
            return constant_text("{}", len(rows))
        lines = (
            self._raw[columns]
            .iloc[rows]
            .to_json(orient="records", lines=True, force_ascii=False, date_format="iso")
        )
        # The JSON writer escapes "/" as "\/": valid, but unreadable in a report.
        text = pa.array([lines.rstrip("\n").replace("\\/", "/")], pa.large_string())
        return _from_arrow(pc.list_flatten(pc.split_pattern(text, "\n")))


def constant_text(text: str, count: int) -> pd.Series[str]:
    """`text`, `count` times, without building `count` Python strings."""
    return label_text([text], np.zeros(count, dtype=np.int32))


def label_text(labels: list[str], index: npt.NDArray[np.integer[Any]]) -> pd.Series[str]:
    """`labels[i]` for every i in `index`."""
    dictionary = pa.array(labels, pa.large_string())
    indices = pa.array(np.asarray(index, dtype=np.int32))
    return _from_arrow(pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.large_string()))


def number_text(numbers: npt.NDArray[np.integer[Any]]) -> pd.Series[str]:
    """Whole numbers as text."""
    return _from_arrow(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.large_string()))


def _from_arrow(array: pa.Array) -> pd.Series[str]:
    return cast("pd.Series[str]", array.to_pandas())


def _as_series(text: Text, count: int) -> pd.Series[str]:
    if isinstance(text, str):
        return constant_text(text, count)
    return text.reset_index(drop=True).astype("str")


def _concat(parts: Iterable[pd.Series[str]]) -> pd.Series[str]:
    return cast("pd.Series[str]", pd.concat(list(parts), ignore_index=True))
