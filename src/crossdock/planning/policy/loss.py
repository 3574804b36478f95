"""Loss functions (expected shortage above a level) and their vectorised inverses.

The standard normal loss function is G(k) = phi(k) - k * (1 - Phi(k)) = E[(Z - k)+]; the
gamma loss function is E[(X - s)+] for X ~ Gamma(shape, scale). Both are convex and
decreasing in the level, so a Newton step kept inside a shrinking bracket converges in a
handful of iterations for every row at once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy import special

from crossdock.planning.policy._arrays import FloatArray

# Safety factors are capped here: G(8) ~ 5e-17, beyond any service target we size for.
MAX_SAFETY_FACTOR = 8.0

_SQRT_2PI = float(np.sqrt(2.0 * np.pi))


def _normal_pdf(k: FloatArray) -> FloatArray:
    return np.exp(-0.5 * k * k) / _SQRT_2PI


def _upper_tail(k: FloatArray) -> FloatArray:
    """1 - Phi(k), accurate in the far tail."""
    return np.asarray(special.ndtr(-k), dtype=np.float64)


def normal_loss(k: npt.ArrayLike) -> FloatArray:
    """Standard normal loss G(k) = E[(Z - k)+] = phi(k) - k (1 - Phi(k))."""
    k = np.asarray(k, dtype=np.float64)
    return _normal_pdf(k) - k * _upper_tail(k)


def gamma_loss(level: npt.ArrayLike, shape: npt.ArrayLike, scale: npt.ArrayLike) -> FloatArray:
    """E[(X - level)+] for X ~ Gamma(shape, scale), with level >= 0."""
    a = np.asarray(shape, dtype=np.float64)
    theta = np.asarray(scale, dtype=np.float64)
    z = np.asarray(level, dtype=np.float64) / theta
    return theta * _standard_gamma_loss(z, a)


def _standard_gamma_loss(z: FloatArray, a: FloatArray) -> FloatArray:
    upper_a1 = np.asarray(special.gammaincc(a + 1.0, z), dtype=np.float64)
    upper_a = np.asarray(special.gammaincc(a, z), dtype=np.float64)
    return a * upper_a1 - z * upper_a


LossAndSlope = Callable[[FloatArray, npt.NDArray[np.intp]], tuple[FloatArray, FloatArray]]


def _solve_decreasing(
    loss_and_slope: LossAndSlope,
    target: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 100,
) -> FloatArray:
    """x in [lo, hi] with loss(x) = target, for a convex decreasing loss; clamps at the ends.

    `loss_and_slope(x, rows)` gives the loss and its derivative at x for the given rows.
    Rows whose target lies outside [loss(hi), loss(lo)] get lo or hi. The rest take
    safeguarded Newton steps (bisecting whenever Newton would leave the current bracket);
    only rows not yet converged are evaluated again.
    """
    everything = np.arange(target.size, dtype=np.intp)
    at_lo, _ = loss_and_slope(lo, everything)
    at_hi, _ = loss_and_slope(hi, everything)
    solution = np.where(target >= at_lo, lo, hi)
    rows = np.flatnonzero((target < at_lo) & (target > at_hi))
    x, lo, hi, t = lo[rows], lo[rows], hi[rows], target[rows]
    for _ in range(max_iterations):
        if rows.size == 0:
            break
        value, slope = loss_and_slope(x, rows)
        residual = value - t
        lo = np.where(residual > 0.0, x, lo)
        hi = np.where(residual <= 0.0, x, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - residual / slope
        inside = np.isfinite(newton) & (newton >= lo) & (newton <= hi)
        stepped = np.where(inside, newton, 0.5 * (lo + hi))
        stepped = np.where(residual == 0.0, x, stepped)
        scale = tolerance * (1.0 + np.abs(stepped))
        done = (np.abs(stepped - x) <= scale) | (hi - lo <= scale) | (residual == 0.0)
        solution[rows[done]] = stepped[done]
        keep = ~done
        rows, x, lo, hi, t = rows[keep], stepped[keep], lo[keep], hi[keep], t[keep]
    solution[rows] = x
    return solution


def inverse_normal_loss(
    target: npt.ArrayLike,
    *,
    k_min: npt.ArrayLike | None = None,
    k_max: float = MAX_SAFETY_FACTOR,
) -> FloatArray:
    """The safety factor k with G(k) = target, clamped to [k_min, k_max].

    Args:
        target: expected shortage per cycle in standard deviations, >= 0.
        k_min: lowest k wanted; by default low enough to hold every exact solution.
        k_max: highest k returned (also the answer for target 0).

    Returns:
        k, same shape as `target`.
    """
    t = np.asarray(target, dtype=np.float64)
    # G(-t - 1) = G(t + 1) + t + 1 > t, so -t - 1 always brackets the root from below.
    if k_min is None:
        lo = -t - 1.0
    else:
        lo = np.array(np.broadcast_to(np.asarray(k_min, np.float64), t.shape), dtype=np.float64)
    hi = np.full(t.shape, k_max)

    def loss_and_slope(k: FloatArray, rows: npt.NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        del rows  # the normal loss needs nothing per row but k
        tail = _upper_tail(k)
        return _normal_pdf(k) - k * tail, -tail

    return _solve_decreasing(loss_and_slope, t.ravel(), lo.ravel(), hi.ravel()).reshape(t.shape)


def inverse_gamma_loss(
    target: npt.ArrayLike, shape: npt.ArrayLike, scale: npt.ArrayLike
) -> FloatArray:
    """The level s >= 0 with E[(X - s)+] = target for X ~ Gamma(shape, scale).

    A target at or above the mean gives 0; a target too small to resolve gives the level
    at which the loss is about 1e-17 of a scale unit.
    """
    a = np.asarray(shape, dtype=np.float64)
    theta = np.asarray(scale, dtype=np.float64)
    t, a, theta = (
        np.array(v, dtype=np.float64).ravel()
        for v in np.broadcast_arrays(np.asarray(target, np.float64) / theta, a, theta)
    )
    lo = np.zeros(t.shape)
    hi = a + 12.0 * np.sqrt(a) + 40.0

    def loss_and_slope(z: FloatArray, rows: npt.NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        shape = a[rows]
        upper = np.asarray(special.gammaincc(shape, z), np.float64)
        upper_next = np.asarray(special.gammaincc(shape + 1.0, z), np.float64)
        return shape * upper_next - z * upper, -upper

    z = _solve_decreasing(loss_and_slope, t, lo, hi)
    out_shape = np.broadcast_shapes(np.shape(target), np.shape(shape), np.shape(scale))
    return np.asarray(z * theta, dtype=np.float64).reshape(out_shape)
