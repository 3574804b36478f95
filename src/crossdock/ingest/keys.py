"""Identifying rows by the values of several columns at once, without hashing tuples.

Each parsed column already numbers its distinct values; a row's tuple of numbers
is folded into one int64, which numpy and pandas compare and hash fast.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossdock.ingest.parse import Codes, ParsedColumn

_BITMAP_FLOOR = 1 << 26  # bytes a duplicate-key bitmap may always use
_BITMAP_PER_ROW = 128
_BITMAP_CEILING = 1 << 30


def distinct_combinations(columns: list[ParsedColumn]) -> tuple[Codes, list[tuple[int, ...]]]:
    """Per row, the index of its combination of distinct values; and per combination,
    one distinct-value slot of each column."""
    combined = combine_identities([column.codes for column in columns])
    index, first_rows = first_occurrences(combined)
    representatives = [tuple(int(column.codes[row]) for column in columns) for row in first_rows]
    return index, representatives


def combine_identities(
    parts: list[npt.NDArray[np.signedinteger[Any]]],
) -> npt.NDArray[np.int64]:
    """One int64 per row identifying its tuple of identities (each >= -1)."""
    combined = parts[0].astype(np.int64)
    for part in parts[1:]:
        width = int(part.max()) + 2 if len(part) else 1
        if len(combined) and int(combined.max()) + 2 > np.iinfo(np.int64).max // width:
            combined = pd.factorize(combined)[0].astype(np.int64)
        combined = (combined + 1) * width + (part.astype(np.int64) + 1)
    return combined


def first_occurrences(values: npt.NDArray[np.int64]) -> tuple[Codes, Codes]:
    """Per row, the number of its distinct value (in order of first appearance); and
    per distinct value, the position of its first row."""
    codes = pd.factorize(values)[0].astype(np.intp)
    if len(codes) == 0:
        return codes, codes
    seen_before = np.concatenate([[-1], np.maximum.accumulate(codes)[:-1]])
    return codes, np.flatnonzero(codes > seen_before).astype(np.intp)


def all_distinct(keys: npt.NDArray[np.int64]) -> bool:
    """Whether no key repeats, answered with a bitmap when the keys span a small
    enough range (much faster than hashing); False means "don't know"."""
    if len(keys) == 0:
        return True
    low, high = int(keys.min()), int(keys.max())
    if high - low >= min(_BITMAP_CEILING, max(_BITMAP_FLOOR, _BITMAP_PER_ROW * len(keys))):
        return False
    seen = np.zeros(high - low + 1, dtype=np.bool_)
    seen[keys - low] = True
    return int(np.count_nonzero(seen)) == len(keys)
