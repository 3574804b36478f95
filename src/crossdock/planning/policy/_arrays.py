"""Array coercion and input checks shared by the policy modules."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crossdock.domain.errors import CrossdockError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


class PolicyInputError(CrossdockError, ValueError):
    """An input to the policy maths that cannot be used, naming the argument, row and value."""

    def __init__(self, *, field: str, row: int, value: object, reason: str) -> None:
        self.field = field
        self.row = row
        self.value = value
        self.reason = reason
        super().__init__(f"{field}[{row}]={value!r}: {reason}")


def as_float(values: npt.ArrayLike, *, field: str, minimum: float | None = 0.0) -> FloatArray:
    """`values` as a float64 array, refusing NaN and (if `minimum` is set) values below it."""
    array = np.asarray(values, dtype=np.float64)
    bad = np.isnan(array)
    if minimum is not None:
        bad |= array < minimum
    if bad.any():
        row = int(np.flatnonzero(bad.ravel())[0])
        value = float(array.ravel()[row])
        reason = "must not be missing" if np.isnan(value) else f"must be >= {minimum}"
        raise PolicyInputError(field=field, row=row, value=value, reason=reason)
    return array


def as_probability(values: npt.ArrayLike, *, field: str) -> FloatArray:
    """`values` as a float64 array of probabilities strictly between 0 and 1."""
    array = np.asarray(values, dtype=np.float64)
    bad = ~((array > 0.0) & (array < 1.0))
    if bad.any():
        row = int(np.flatnonzero(bad.ravel())[0])
        raise PolicyInputError(
            field=field,
            row=row,
            value=float(array.ravel()[row]),
            reason="must be strictly between 0 and 1",
        )
    return array


def broadcast(*arrays: FloatArray) -> tuple[FloatArray, ...]:
    """The arrays broadcast to one shape (at least one row), as float64 copies."""
    return tuple(np.array(a, dtype=np.float64, ndmin=1) for a in np.broadcast_arrays(*arrays))
