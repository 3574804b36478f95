"""Lead times in periods, drawn from the ones observed (e.g. SCMS delivered - scheduled)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class EmpiricalLeadTimes:
    """Observed lead times per group (a supplier, a lane) and the group of each row.

    Attributes:
        observed: one array of observed lead times in whole periods per group.
        group: the group index of each simulated item-location.
    """

    observed: tuple[IntArray, ...]
    group: IntArray

    @classmethod
    def of(cls, observed: Sequence[npt.ArrayLike], group: npt.ArrayLike) -> EmpiricalLeadTimes:
        """Checked: every group has at least one lead time, none negative or fractional,
        and every row names a group that exists.

        Raises:
            ValueError: naming the group or row and the value.
        """
        arrays = []
        for index, values in enumerate(observed):
            array = np.asarray(values, dtype=np.float64).ravel()
            if array.size == 0:
                raise ValueError(f"lead times of group {index}: none observed")
            bad = (array < 0) | (array != np.round(array)) | ~np.isfinite(array)
            if bad.any():
                raise ValueError(
                    f"lead times of group {index}: {float(array[bad][0])!r} is not a whole number "
                    "of periods >= 0"
                )
            arrays.append(array.astype(np.int64))
        rows = np.asarray(group, dtype=np.int64).ravel()
        outside = (rows < 0) | (rows >= len(arrays))
        if outside.any():
            row = int(np.flatnonzero(outside)[0])
            raise ValueError(f"lead-time group of row {row}: {rows[row]} names no group")
        return cls(tuple(arrays), rows)

    @classmethod
    def fixed(cls, periods: int, rows: int) -> EmpiricalLeadTimes:
        """The same lead time for every row."""
        return cls.of([[periods]], np.zeros(rows, dtype=np.int64))

    def draw(self, rng: np.random.Generator, rows: IntArray) -> IntArray:
        """One lead time per entry of `rows`, each drawn from its row's group."""
        out = np.empty(rows.size, dtype=np.int64)
        groups = self.group[rows]
        for group in np.unique(groups):
            where = groups == group
            out[where] = rng.choice(self.observed[group], size=int(where.sum()))
        return out
