"""Weighted empirical distributions of day counts, and the blend used for shrinkage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class EmpiricalDistribution:
    """A discrete distribution over day counts: sorted distinct values and their weights.

    Weights sum to 1. A group's own history gives equal weight to each observation;
    a blended distribution (see `blend`) mixes a group with its parent.
    """

    values: FloatArray
    weights: FloatArray

    @classmethod
    def from_samples(cls, samples: npt.ArrayLike) -> EmpiricalDistribution:
        """The empirical distribution of `samples` (NaN ignored); empty gives no values."""
        array = np.asarray(samples, dtype=np.float64)
        array = array[~np.isnan(array)]
        values, counts = np.unique(array, return_counts=True)
        total = counts.sum()
        weights = counts / total if total else counts.astype(np.float64)
        return cls(values.astype(np.float64), weights.astype(np.float64))

    @property
    def is_empty(self) -> bool:
        return self.values.size == 0

    def survival(self, x: npt.ArrayLike) -> FloatArray:
        """P(X > x) for each x."""
        tail = np.concatenate([np.cumsum(self.weights[::-1])[::-1], [0.0]])
        index = np.searchsorted(self.values, np.asarray(x, dtype=np.float64), side="right")
        return np.asarray(np.clip(tail[index], 0.0, 1.0), dtype=np.float64)

    def tail_mean(self, x: npt.ArrayLike, *, floor: float | None = None) -> FloatArray:
        """E[max(X, floor) | X > x] for each x (floor None: E[X | X > x]); NaN if no mass."""
        clipped = self.values if floor is None else np.maximum(self.values, floor)
        weighted = clipped * self.weights
        tail_sum = np.concatenate([np.cumsum(weighted[::-1])[::-1], [0.0]])
        tail_mass = np.concatenate([np.cumsum(self.weights[::-1])[::-1], [0.0]])
        index = np.searchsorted(self.values, np.asarray(x, dtype=np.float64), side="right")
        mass = tail_mass[index]
        with np.errstate(invalid="ignore", divide="ignore"):
            result = np.where(mass > 1e-12, tail_sum[index] / mass, np.nan)
        return np.asarray(result, dtype=np.float64)

    def quantile(self, q: float) -> float:
        """The smallest value whose cumulative weight reaches `q` (NaN when empty)."""
        if self.is_empty:
            return float("nan")
        cumulative = np.cumsum(self.weights)
        index = int(np.searchsorted(cumulative, q - 1e-12, side="left"))
        return float(self.values[min(index, self.values.size - 1)])

    def mean(self) -> float:
        if self.is_empty:
            return float("nan")
        return float(np.dot(self.values, self.weights))

    def std(self) -> float:
        if self.is_empty:
            return float("nan")
        mean = self.mean()
        return float(np.sqrt(np.dot((self.values - mean) ** 2, self.weights)))

    def cdf_at_or_below(self, x: float) -> float:
        """P(X <= x)."""
        return 1.0 - float(self.survival(x))


def blend(
    own: EmpiricalDistribution, parent: EmpiricalDistribution, own_weight: float
) -> EmpiricalDistribution:
    """The mixture own_weight * own + (1 - own_weight) * parent.

    Its mean is the same blend of the two means (the empirical-Bayes shrinkage of the
    group mean towards its parent); its variance adds the spread between the two.
    """
    if parent.is_empty or own_weight >= 1.0:
        return own
    if own.is_empty or own_weight <= 0.0:
        return parent
    values = np.concatenate([own.values, parent.values])
    weights = np.concatenate([own.weights * own_weight, parent.weights * (1.0 - own_weight)])
    distinct, inverse = np.unique(values, return_inverse=True)
    summed = np.bincount(inverse, weights=weights, minlength=distinct.size)
    return EmpiricalDistribution(distinct.astype(np.float64), summed / summed.sum())
