"""Read an import folder: one CSV, gzipped CSV or Parquet file per canonical entity.

Files are named after the entity they hold (`items.csv`, `demand_history.csv.gz`,
`inventory_positions.parquet`). CSV cells are read as text, exactly as written,
so that the validator can report bad values instead of the reader guessing at
them. Every frame gets a `_row` column: the 1-based data row in its file (blank
lines and the header not counted).

CSV files go through pyarrow's multi-threaded reader, which keeps text in Arrow
memory (tens of millions of rows fit comfortably). A file pyarrow refuses, for
example because a row has the wrong number of fields, is read again with
Python's csv module, which is slow but exact: such rows are kept, padded or cut
to the header's width, and explained in a `_malformed` column so the validator
quarantines them rather than the batch failing.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from crossdock.adapters.files.errors import UnreadableFile
from crossdock.domain.canonical import ENTITIES, ENTITIES_BY_NAME

ROW_COLUMN = "_row"
MALFORMED_COLUMN = "_malformed"
CSV_SUFFIXES = (".csv.gz", ".csv")
PARQUET_SUFFIX = ".parquet"
_ENCODING = "utf-8-sig"  # UTF-8, with or without a byte-order mark
_BLOCK_SIZE = 16 << 20
_MALFORMED_PREVIEW = 200


@dataclass(frozen=True)
class SourceFile:
    """One entity file, read as raw text (CSV) or native types (Parquet), plus `_row`."""

    entity: str
    path: Path
    frame: pd.DataFrame

    @property
    def source(self) -> str:
        """The file name, as shown in data-quality reports."""
        return self.path.name


@dataclass(frozen=True)
class FolderScan:
    """The entity files of a folder, in canonical load order, and what was skipped."""

    files: list[SourceFile]
    ignored: list[tuple[Path, str]]  # (path, why it was not read)


def read_folder(path: Path) -> FolderScan:
    """Read every entity file in `path` (or the single file `path`).

    Raises:
        UnreadableFile: `path` does not exist, or a file cannot be parsed at all.
    """
    if not path.exists():
        raise UnreadableFile(path=path, reason="no such file or folder")
    candidates = sorted(path.iterdir()) if path.is_dir() else [path]
    chosen: dict[str, Path] = {}
    ignored: list[tuple[Path, str]] = []
    for candidate in candidates:
        entity, why = _entity_of(candidate)
        if entity is None:
            ignored.append((candidate, why))
        elif entity in chosen:
            why = f"{entity} is already read from {chosen[entity].name}: give each entity one file"
            ignored.append((candidate, why))
        else:
            chosen[entity] = candidate
    files = [read_file(spec.name, chosen[spec.name]) for spec in ENTITIES if spec.name in chosen]
    return FolderScan(files=files, ignored=ignored)


def read_file(entity: str, path: Path) -> SourceFile:
    """Read one file holding `entity`.

    Raises:
        UnreadableFile: the file is not a table with a header row.
    """
    if path.name.lower().endswith(PARQUET_SUFFIX):
        frame = _read_parquet(path)
        _require_header(entity, list(frame.columns), path)
    else:
        header = _read_header(path)
        names = _column_names(header, path)
        _require_header(entity, names, path, shown=header)
        frame = _read_csv(path, names)
    frame[ROW_COLUMN] = np.arange(1, len(frame) + 1, dtype=np.int64)
    return SourceFile(entity=entity, path=path, frame=frame)


def _entity_of(path: Path) -> tuple[str | None, str]:
    if path.is_dir():
        return None, "is a folder: only files directly inside the import folder are read"
    name = path.name.lower()
    for suffix in (*CSV_SUFFIXES, PARQUET_SUFFIX):
        if name.endswith(suffix):
            stem = name.removesuffix(suffix)
            if stem in ENTITIES_BY_NAME:
                return stem, ""
            return None, (
                f"{stem!r} is not an entity; files are named after one of "
                + ", ".join(ENTITIES_BY_NAME)
            )
    return None, "is not a .csv, .csv.gz or .parquet file"


def _require_header(
    entity: str, columns: list[str], path: Path, *, shown: list[str] | None = None
) -> None:
    fields = ENTITIES_BY_NAME[entity].field_names
    if set(columns) & set(fields):
        return
    first = ", ".join(shown or columns)[:_MALFORMED_PREVIEW]
    hint = ""
    if len(columns) == 1 and any(mark in first for mark in (";", "\t", "|")):
        hint = " (columns must be separated by commas)"
    raise UnreadableFile(
        path=path,
        reason=(
            f"the first row ({first}) names none of the {entity} columns "
            f"({', '.join(fields)}): a header row is required{hint}"
        ),
    )


def _column_names(header: list[str], path: Path) -> list[str]:
    names = [
        name.strip().lower() or f"unnamed_{position}"
        for position, name in enumerate(header, start=1)
    ]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise UnreadableFile(path=path, reason=f"column {name!r} appears twice in the header")
        seen.add(name)
    return names


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        raise UnreadableFile(path=path, reason=f"not a readable Parquet file: {error}") from None
    frame: pd.DataFrame = table.to_pandas(date_as_object=False, self_destruct=True)
    frame.columns = pd.Index(_column_names([str(name) for name in frame.columns], path))
    return frame


def _read_csv(path: Path, names: list[str]) -> pd.DataFrame:
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(
                column_names=names, skip_rows=1, block_size=_BLOCK_SIZE
            ),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, OSError):
        return _read_csv_exactly(path, names)
    frame: pd.DataFrame = table.to_pandas(self_destruct=True)
    return frame


@contextmanager
def _text(path: Path) -> Iterator[TextIO]:
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rt", encoding=_ENCODING, newline="") as handle:
                yield handle
        else:
            with path.open(encoding=_ENCODING, newline="") as handle:
                yield handle
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            path=path, reason=f"not UTF-8 text ({error}); save it as UTF-8"
        ) from None
    except (OSError, EOFError, csv.Error) as error:
        raise UnreadableFile(path=path, reason=f"not a readable CSV file: {error}") from None


def _read_header(path: Path) -> list[str]:
    with _text(path) as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise UnreadableFile(path=path, reason="the file is empty: a header row is required")
    return header


def _read_csv_exactly(path: Path, names: list[str]) -> pd.DataFrame:
    width = len(names)
    records: list[list[str]] = []
    malformed: list[str] = []
    with _text(path) as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for fields in reader:
            if not fields:
                continue
            problem = ""
            if len(fields) != width:
                line = ",".join(fields)[:_MALFORMED_PREVIEW]
                problem = f"it has {len(fields)} fields where the header has {width}: {line!r}"
            records.append([*fields, *[""] * width][:width])
            malformed.append(problem)
    columns = list(zip(*records, strict=True)) if records else [()] * width
    frame = pd.DataFrame(
        {
            name: pd.Series(list(values), dtype="str")
            for name, values in zip(names, columns, strict=True)
        }
    )
    if any(malformed):
        frame[MALFORMED_COLUMN] = pd.Series(malformed, dtype="str")
    return frame
