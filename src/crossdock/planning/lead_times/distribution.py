"""Distributions of day counts: empirical, product-limit (censored), and their blend.

A line still open at the cutoff is a right-censored observation: all we know is that
its lead time (or lateness, or transit) exceeds what has elapsed. `ProductLimit` is the
Kaplan-Meier estimate over received and open lines (SciPy's `stats.ecdf` on
`CensoredData`). Where the longest observation is itself still open, Kaplan-Meier says
how much mass lies beyond it but not where: `completed` takes that tail's shape from a
parent distribution (the fallback level above), and `closed` puts it one day past the
longest observation, the least it can be.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
# Day counts are whole days, so an observation known to exceed x is at least x + 1.
DAY = 1.0


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


@dataclass(frozen=True)
class ProductLimit:
    """A Kaplan-Meier estimate of a day-count distribution from partly censored lines.

    `values` are the distinct observed (uncensored) day counts and `weights` the
    estimated probability at each; they sum to 1 - `beyond`, the mass the data place
    after `horizon`, the longest observation (received or still open). `beyond` is 0
    unless the longest observation is censored. `n` counts all observations and
    `censored` those still open.
    """

    values: FloatArray
    weights: FloatArray
    beyond: float
    horizon: float
    n: int
    censored: int

    @classmethod
    def from_observations(
        cls, observed: npt.ArrayLike, censored_at: npt.ArrayLike = ()
    ) -> ProductLimit:
        """From received day counts and the elapsed days of lines still open (NaN ignored).

        A value in `censored_at` means "more than this many days"; an event and a
        censoring on the same day count the censored line as still at risk that day.
        """
        events = np.asarray(observed, dtype=np.float64)
        events = events[~np.isnan(events)]
        censored = np.asarray(censored_at, dtype=np.float64)
        censored = censored[~np.isnan(censored)]
        n = int(events.size + censored.size)
        if n == 0:
            empty = np.array([], dtype=np.float64)
            return cls(empty, empty, 0.0, float("nan"), 0, 0)
        if censored.size == 0:
            plain = EmpiricalDistribution.from_samples(events)
            return cls(plain.values, plain.weights, 0.0, float(events.max()), n, 0)
        survival = stats.ecdf(stats.CensoredData(uncensored=events, right=censored)).sf
        times = np.asarray(survival.quantiles, dtype=np.float64)
        after = np.asarray(survival.probabilities, dtype=np.float64)
        jumps = np.concatenate([[1.0], after[:-1]]) - after
        at_event = np.isin(times, events) & (jumps > 0)
        return cls(
            values=times[at_event],
            weights=jumps[at_event],
            beyond=float(after[-1]) if after[-1] > 1e-12 else 0.0,
            horizon=float(times[-1]),
            n=n,
            censored=int(censored.size),
        )

    @property
    def is_empty(self) -> bool:
        return self.n == 0

    def closed(self) -> EmpiricalDistribution:
        """A proper distribution: the mass beyond the horizon put one day after it.

        Its mean is then a lower bound (the mean restricted to horizon + 1 day).
        """
        if self.beyond <= 0.0:
            return self._as_distribution(self.values, self.weights)
        values = np.concatenate([self.values, [self.horizon + DAY]])
        weights = np.concatenate([self.weights, [self.beyond]])
        return self._as_distribution(values, weights)

    def completed(self, parent: EmpiricalDistribution) -> EmpiricalDistribution:
        """A proper distribution: the mass beyond the horizon shaped like `parent` there.

        Beyond its longest observation a group says nothing, so its tail follows the
        parent's conditional distribution P(X | X > horizon). Where the parent has no
        mass past the horizon either, this is `closed()`.
        """
        if self.beyond <= 0.0 or parent.is_empty:
            return self.closed()
        past = parent.values > self.horizon
        parent_tail = float(parent.weights[past].sum())
        if parent_tail <= 1e-12:
            return self.closed()
        values = np.concatenate([self.values, parent.values[past]])
        weights = np.concatenate([self.weights, parent.weights[past] * (self.beyond / parent_tail)])
        return self._as_distribution(values, weights)

    @staticmethod
    def _as_distribution(values: FloatArray, weights: FloatArray) -> EmpiricalDistribution:
        if values.size == 0:
            return EmpiricalDistribution.from_samples([])
        distinct, inverse = np.unique(values, return_inverse=True)
        summed = np.bincount(inverse, weights=weights, minlength=distinct.size)
        return EmpiricalDistribution(distinct.astype(np.float64), summed / summed.sum())
