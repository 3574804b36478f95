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

    def shortest(self) -> IntArray:
        """Per row, the shortest lead time observed in its group."""
        return np.array([int(values.min()) for values in self.observed], dtype=np.int64)[self.group]

    def mean(self) -> npt.NDArray[np.float64]:
        """Per row, the mean lead time observed in its group."""
        return np.array([values.mean() for values in self.observed])[self.group]

    def std(self) -> npt.NDArray[np.float64]:
        """Per row, the standard deviation of the lead times observed in its group."""
        return np.array([values.std() for values in self.observed])[self.group]

    def draw_all(self, rng: np.random.Generator, periods: int) -> IntArray:
        """Lead times for an order by every row in every period, shape (rows, periods),
        drawn once per run so that every policy replays the same draws (and the oracle
        can know them). The draws of a period do not depend on how many periods follow:
        a shorter replay of the same seed draws the same lead times."""
        uniform = rng.random((periods, self.group.size)).T
        out = np.empty((self.group.size, periods), dtype=np.int64)
        for group in np.unique(self.group):
            where = self.group == group
            values = self.observed[group]
            pick = np.minimum((uniform[where] * values.size).astype(np.int64), values.size - 1)
            out[where] = values[pick]
        return out
