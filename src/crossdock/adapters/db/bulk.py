"""Bulk upsert of canonical frames: the fast path for millions of demand rows.

SQLite gets `INSERT .. ON CONFLICT DO UPDATE` through the driver's executemany;
PostgreSQL gets `COPY` into a temporary table, then one `INSERT .. SELECT .. ON
CONFLICT DO UPDATE`. Both upsert on the natural key, so loading the same rows
twice leaves the table as it was. Values are converted column by column, never
row by row through the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table

from crossdock.adapters.db.tables import site_code_column
from crossdock.domain.canonical import Entity, FieldKind

CHUNK_ROWS = 100_000
Progress = Callable[[int], None]  # rows written since the last call


def table_columns(entity: Entity) -> list[str]:
    """Columns written for `entity`, in table order, without import_run_id."""
    names: list[str] = []
    for field in entity.fields:
        names.append(field.name)
        if field.reason_code:
            names.append(site_code_column(field.name))
    return names


def upsert_frame(
    connection: Connection,
    table: Table,
    entity: Entity,
    frame: pd.DataFrame,
    *,
    import_run_id: int,
    progress: Progress | None = None,
) -> int:
    """Insert or update every row of `frame` on the natural key; returns rows written."""
    if frame.empty:
        return 0
    columns = [*table_columns(entity), "import_run_id"]
    sqlite = connection.dialect.name == "sqlite"
    written = 0
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        rows = _rows(entity, chunk, import_run_id=import_run_id, sqlite=sqlite)
        if sqlite:
            _sqlite_upsert(connection, table.name, columns, entity.natural_key, rows)
        else:
            _postgres_upsert(connection, table.name, columns, entity.natural_key, rows)
        written += len(chunk)
        if progress is not None:
            progress(len(chunk))
    return written


def _update_clause(columns: Sequence[str], key: Sequence[str]) -> str:
    updates = [f'"{c}" = excluded."{c}"' for c in columns if c not in key]
    return ", ".join(updates)


def _sqlite_upsert(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    key: Sequence[str],
    rows: list[tuple[Any, ...]],
) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    placeholders = ", ".join("?" for _ in columns)
    conflict = ", ".join(f'"{c}"' for c in key)
    statement = (
        f'INSERT INTO "{table}" ({quoted}) VALUES ({placeholders}) '  # noqa: S608 - names come from the spec
        f"ON CONFLICT ({conflict}) DO UPDATE SET {_update_clause(columns, key)}"
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(statement, rows)
    finally:
        cursor.close()


def _postgres_upsert(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    key: Sequence[str],
    rows: list[tuple[Any, ...]],
) -> None:
    quoted = ", ".join(f'"{c}"' for c in columns)
    conflict = ", ".join(f'"{c}"' for c in key)
    staging = f"staging_{table}"
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" '
            f'(LIKE "{table}" INCLUDING DEFAULTS) ON COMMIT DROP'
        )
        cursor.execute(f'TRUNCATE "{staging}"')
        with cursor.copy(f'COPY "{staging}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f'INSERT INTO "{table}" ({quoted}) SELECT {quoted} FROM "{staging}" '  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {_update_clause(columns, key)}"
        )


def _rows(
    entity: Entity, frame: pd.DataFrame, *, import_run_id: int, sqlite: bool
) -> list[tuple[Any, ...]]:
    values: list[list[Any]] = []
    for field in entity.fields:
        values.append(_column_values(frame[field.name], field.kind, sqlite=sqlite))
        if field.reason_code:
            values.append(_text(frame[site_code_column(field.name)]))
    values.append([import_run_id] * len(frame))
    return list(zip(*values, strict=True))


def _column_values(series: pd.Series, kind: FieldKind, *, sqlite: bool) -> list[Any]:
    missing = series.isna().to_numpy()
    if kind in (FieldKind.TEXT, FieldKind.CODE):
        return _text(series)
    if kind is FieldKind.INTEGER:
        out = series.astype("Int64").astype(object)
    elif kind in (FieldKind.QUANTITY, FieldKind.MONEY, FieldKind.RATE):
        out = series.astype("float64").astype(object)
    elif kind is FieldKind.BOOLEAN:
        out = series.astype("boolean").astype(object)
        if sqlite:
            out = out.map({True: 1, False: 0})
    elif kind is FieldKind.DATE:
        # Few distinct days across millions of rows: convert each day once.
        codes, uniques = pd.factorize(pd.to_datetime(series))
        days = pd.DatetimeIndex(uniques)
        return _take(days.strftime("%Y-%m-%d") if sqlite else days.date, codes)
    else:  # TIMESTAMP, kept in UTC; SQLite gets the text SQLAlchemy's DateTime reads back
        codes, uniques = pd.factorize(pd.to_datetime(series, utc=True))
        stamps = pd.DatetimeIndex(uniques)
        return _take(
            stamps.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else stamps.to_pydatetime(), codes
        )
    result: list[Any] = out.to_list()
    if missing.any():
        for position in np.flatnonzero(missing):
            result[position] = None
    return result


def _take(distinct: Any, codes: np.ndarray[Any, Any]) -> list[Any]:
    """Values by factorize codes; code -1 (missing) becomes None."""
    with_missing = np.empty(len(distinct) + 1, dtype=object)
    with_missing[:-1] = list(distinct)
    result: list[Any] = with_missing[codes].tolist()  # -1 picks the trailing None
    return result


def _text(series: pd.Series) -> list[Any]:
    result: list[Any] = series.astype(object).where(series.notna(), None).to_list()
    return result
