"""Expected cost of an item-location's position at the end of the planning horizon.

Demand over the horizon is D = committed + F: committed customer orders (known) plus a
forecast F with mean mu and std sigma, normal or (moment-matched) gamma. For an
expected position y (what is on hand and due in by the horizon end, net of what leaves):

    expected shortage  S(y) = E[(D - y)+]                      units short
    expected leftover  E[(y - D)+] = y - (committed + mu) + S(y)  units left over
    cost(y) = holding_per_unit * leftover + shortage_penalty * shortage

cost is convex in y, so the optimiser replaces S by its chords between breakpoints at
mu + k sigma (`BREAKPOINT_FACTORS`); below the first breakpoint it continues with slope
-1 and above the last with slope 0. `chord_error_bound` bounds the error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from crossdock.planning.policy import gamma_loss, normal_loss
from crossdock.planning.policy._arrays import BoolArray, FloatArray

# Breakpoints in standard deviations around the forecast mean: dense (0.5 sigma) where the
# loss bends most, 1 sigma in the tails. Chord error <= 0.0125 sigma (see the tests).
BREAKPOINT_FACTORS: FloatArray = np.array(
    [-4.0, -3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0]
)
_SQRT_2PI = float(np.sqrt(2.0 * np.pi))


@dataclass(frozen=True, slots=True)
class HorizonDemand:
    """Demand over the planning horizon, one row per item-location (units)."""

    mean: FloatArray
    std: FloatArray
    committed: FloatArray
    is_gamma: BoolArray

    @property
    def total_mean(self) -> FloatArray:
        """committed + forecast mean."""
        return self.committed + self.mean

    @property
    def is_random(self) -> BoolArray:
        return np.asarray((self.mean > 1e-9) & (self.std > 1e-9 * self.mean), dtype=np.bool_)

    def take(self, rows: np.ndarray) -> HorizonDemand:
        """The given rows only."""
        return HorizonDemand(
            self.mean[rows], self.std[rows], self.committed[rows], self.is_gamma[rows]
        )


def expected_shortage(demand: HorizonDemand, position: FloatArray) -> FloatArray:
    """E[(D - y)+] per row for expected positions y (units)."""
    z = np.asarray(position, dtype=np.float64) - demand.committed
    mu, sd = demand.mean, demand.std
    random = demand.is_random
    out = np.maximum(mu - z, 0.0)  # deterministic rows
    normal = random & ~demand.is_gamma
    if normal.any():
        out[normal] = sd[normal] * normal_loss((z[normal] - mu[normal]) / sd[normal])
    gamma = random & demand.is_gamma
    if gamma.any():
        m, s, level = mu[gamma], sd[gamma], z[gamma]
        shape, scale = (m / s) ** 2, s**2 / m
        above = gamma_loss(np.maximum(level, 0.0), shape, scale)
        out[gamma] = above + np.maximum(-level, 0.0)
    return np.asarray(out, dtype=np.float64)


def expected_leftover(demand: HorizonDemand, position: FloatArray) -> FloatArray:
    """E[(y - D)+] per row (units)."""
    return np.asarray(position - demand.total_mean + expected_shortage(demand, position))


def position_costs(
    demand: HorizonDemand,
    position: FloatArray,
    *,
    holding_per_unit: FloatArray,
    shortage_penalty: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """(expected holding cost, expected shortage cost) per row, in money."""
    short = expected_shortage(demand, position)
    leftover = position - demand.total_mean + short
    return holding_per_unit * np.maximum(leftover, 0.0), shortage_penalty * short


def optimal_position(
    demand: HorizonDemand,
    *,
    holding_per_unit: FloatArray,
    shortage_penalty: FloatArray,
    unit_action_cost: FloatArray,
) -> FloatArray:
    """The newsvendor position: P(D > y) = (h + c) / (h + p), for an action costing c/unit.

    Rows where the action costs at least the penalty get -inf (no quantity pays).
    """
    h, p, c = holding_per_unit, shortage_penalty, unit_action_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(h + p > 0.0, (h + c) / (h + p), 1.0)
    tail = np.clip(ratio, 1e-12, 1.0 - 1e-12)
    mu, sd = demand.mean, demand.std
    level = np.array(mu, dtype=np.float64)  # deterministic rows: cover the mean
    normal = demand.is_random & ~demand.is_gamma
    level[normal] = mu[normal] + sd[normal] * special.ndtri(1.0 - tail[normal])
    gamma = demand.is_random & demand.is_gamma
    if gamma.any():
        shape, scale = (mu[gamma] / sd[gamma]) ** 2, sd[gamma] ** 2 / mu[gamma]
        level[gamma] = scale * special.gammainccinv(shape, tail[gamma])
    y = level + demand.committed
    return np.asarray(np.where(ratio >= 1.0, -np.inf, y), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class ShortageChords:
    """Chord approximation of S(y): breakpoints y_0 < ... < y_K (row-wise) and S there."""

    points: FloatArray  # (rows, K + 1)
    values: FloatArray  # (rows, K + 1)

    @property
    def slopes(self) -> FloatArray:
        """Chord slopes (rows, K), each in [-1, 0] and non-decreasing along a row."""
        width = np.diff(self.points, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.diff(self.values, axis=1) / width
        return np.asarray(np.where(width > 0.0, slope, 0.0), dtype=np.float64)

    def evaluate(self, position: FloatArray) -> FloatArray:
        """The approximation at y per row: slope -1 below y_0, flat above y_K."""
        out = np.empty(position.shape)
        for row in range(position.shape[0]):
            xs, ys = self.points[row], self.values[row]
            y = position[row]
            if y <= xs[0]:
                out[row] = ys[0] + (xs[0] - y)
            else:
                out[row] = np.interp(y, xs, ys)
        return out


def shortage_chords(demand: HorizonDemand) -> ShortageChords:
    """Breakpoints committed + max(mu + k sigma, 0) with the exact S at each."""
    offsets = demand.mean[:, None] + demand.std[:, None] * BREAKPOINT_FACTORS[None, :]
    gamma = demand.is_gamma[:, None]
    offsets = np.where(gamma, np.maximum(offsets, 0.0), offsets)
    points = np.maximum.accumulate(offsets, axis=1) + demand.committed[:, None]
    flat = points.ravel()
    repeat = np.repeat(np.arange(points.shape[0]), points.shape[1])
    values = expected_shortage(demand.take(repeat), flat).reshape(points.shape)
    return ShortageChords(points=points, values=values)


def chord_error_bound(demand: HorizonDemand) -> FloatArray:
    """Upper bound on |chords - S| per row (units), for normal rows.

    On a segment of width w the chord of a convex function with curvature <= f_max
    is off by at most w**2 f_max / 8, where f_max is the largest density on the segment;
    beyond the end breakpoints the error is at most sigma * G(4) (normal loss at 4).
    """
    k = BREAKPOINT_FACTORS
    lo, hi = k[:-1], k[1:]
    # the density is largest at the segment's point nearest 0
    nearest = np.where((lo <= 0.0) & (hi >= 0.0), 0.0, np.minimum(np.abs(lo), np.abs(hi)))
    per_sigma = np.max((hi - lo) ** 2 * np.exp(-0.5 * nearest**2) / _SQRT_2PI / 8.0)
    tail = float(normal_loss(np.array(k[-1])))
    return np.asarray(demand.std * max(per_sigma, tail), dtype=np.float64)


def exceedance(demand: HorizonDemand, position: FloatArray) -> FloatArray:
    """P(D > y) per row: the value of one more unit of position, per unit of penalty."""
    z = np.asarray(position, dtype=np.float64) - demand.committed
    mu, sd = demand.mean, demand.std
    out = np.asarray(mu > z, dtype=np.float64)  # deterministic rows
    normal = demand.is_random & ~demand.is_gamma
    out[normal] = special.ndtr(-(z[normal] - mu[normal]) / sd[normal])
    gamma = demand.is_random & demand.is_gamma
    if gamma.any():
        shape, scale = (mu[gamma] / sd[gamma]) ** 2, sd[gamma] ** 2 / mu[gamma]
        out[gamma] = special.gammaincc(shape, np.maximum(z[gamma], 0.0) / scale)
    return np.asarray(out, dtype=np.float64)
