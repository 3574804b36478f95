"""Safety stock, reorder point and order-up-to level for a fill-rate or cycle-service target.

Conventions (one row per item-location, quantities in units):
  * safety_stock  = level above mean lead-time demand held against uncertainty, >= 0;
  * reorder_point = mean demand over lead time + review period + safety_stock: at a review
    (or continuously if R = 0), order when the inventory position is at or below it;
  * order_up_to   = reorder_point + order_quantity (the "max" of a min/max pair). With
    order_quantity 0 and R > 0 the policy is the classical (R, S) with S = reorder_point.

Fill rate (beta service, units filled from stock / units demanded) is met by solving
    expected shortage per replenishment cycle = (1 - fill_rate) * cycle_quantity,
where cycle_quantity = max(order_quantity, mean demand per review period), i.e. Q for an
(s, Q) policy and mu_D * R for an (R, S) policy. For the normal the shortage per cycle is
sigma * G(k); for the gamma it is E[(X - reorder_point)+].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from crossdock.planning.policy._arrays import (
    FloatArray,
    PolicyInputError,
    as_float,
    as_probability,
    broadcast,
)
from crossdock.planning.policy.lead_time_demand import LeadTimeDemand
from crossdock.planning.policy.loss import (
    MAX_SAFETY_FACTOR,
    gamma_loss,
    inverse_gamma_loss,
    inverse_normal_loss,
    normal_loss,
)


@dataclass(frozen=True, slots=True)
class PolicyLevels:
    """Stock levels for one service target, one row per item-location.

    Attributes:
        safety_stock: units held above mean lead-time demand (>= 0).
        reorder_point: mean lead-time demand + safety stock.
        order_up_to: reorder point + order quantity.
        safety_factor: safety stock / lead-time demand std (0 on deterministic rows).
        expected_shortage_per_cycle: units short per replenishment cycle at these levels.
        expected_fill_rate: the fill rate these levels give (>= the target when the
            safety-stock floor binds; 1 where no demand is expected).
        cycle_service_level: probability of no stockout in a cycle at these levels.
    """

    safety_stock: FloatArray
    reorder_point: FloatArray
    order_up_to: FloatArray
    safety_factor: FloatArray
    expected_shortage_per_cycle: FloatArray
    expected_fill_rate: FloatArray
    cycle_service_level: FloatArray


def cycle_quantity(
    *, order_quantity: npt.ArrayLike, demand_mean: npt.ArrayLike, review_period: npt.ArrayLike
) -> FloatArray:
    """Units demanded per replenishment cycle: max(order quantity, demand per review)."""
    q, mu, review = broadcast(
        as_float(order_quantity, field="order_quantity"),
        as_float(demand_mean, field="demand_mean"),
        as_float(review_period, field="review_period"),
    )
    return np.maximum(q, mu * review)


def size_for_fill_rate(
    demand: LeadTimeDemand,
    *,
    fill_rate: npt.ArrayLike,
    cycle_quantity: npt.ArrayLike,
    order_quantity: npt.ArrayLike = 0.0,
) -> PolicyLevels:
    """Levels that meet a target fill rate (units filled from stock / units demanded).

    Args:
        demand: lead-time demand per row (see `lead_time_demand`).
        fill_rate: target fill rate per row, strictly between 0 and 1.
        cycle_quantity: units demanded per replenishment cycle (see `cycle_quantity`);
            must be > 0 wherever demand is expected.
        order_quantity: the batch ordered on top of the reorder point (0 for (R, S)).

    Returns:
        The levels, with the fill rate they actually give.

    Raises:
        PolicyInputError: a fill rate outside (0, 1), or a negative or missing quantity.
    """
    beta = as_probability(fill_rate, field="fill_rate")
    cycle = as_float(cycle_quantity, field="cycle_quantity")
    order = as_float(order_quantity, field="order_quantity")
    mean, std, beta, cycle, order = broadcast(demand.mean, demand.std, beta, cycle, order)
    is_gamma = np.broadcast_to(demand.is_gamma, mean.shape)
    random = np.broadcast_to(demand.is_random, mean.shape)
    no_cycle = random & (cycle <= 0.0)
    if no_cycle.any():
        row = int(np.flatnonzero(no_cycle.ravel())[0])
        raise PolicyInputError(
            field="cycle_quantity",
            row=row,
            value=float(cycle.ravel()[row]),
            reason="must be > 0 where demand is expected (give an order quantity or R > 0)",
        )
    allowed_shortage = (1.0 - beta) * cycle
    reorder_point = mean.copy()

    normal_rows = random & ~is_gamma
    if normal_rows.any():
        sd = std[normal_rows]
        k = inverse_normal_loss(allowed_shortage[normal_rows] / sd, k_min=0.0)
        reorder_point[normal_rows] = mean[normal_rows] + k * sd
    gamma_rows = random & is_gamma
    if gamma_rows.any():
        shape, scale = _gamma_parameters(mean[gamma_rows], std[gamma_rows])
        level = inverse_gamma_loss(allowed_shortage[gamma_rows], shape, scale)
        reorder_point[gamma_rows] = np.maximum(level, mean[gamma_rows])
    return _levels(mean, std, is_gamma, random, reorder_point, order, cycle)


def size_for_cycle_service(
    demand: LeadTimeDemand,
    *,
    cycle_service_level: npt.ArrayLike,
    order_quantity: npt.ArrayLike = 0.0,
    cycle_quantity: npt.ArrayLike | None = None,
) -> PolicyLevels:
    """Levels that meet a cycle service level (probability of no stockout per cycle).

    Args:
        demand: lead-time demand per row.
        cycle_service_level: target probability per row, strictly between 0 and 1.
        order_quantity: the batch ordered on top of the reorder point.
        cycle_quantity: units per cycle, only to report the resulting fill rate
            (defaults to `order_quantity`).

    Returns:
        The levels; the safety stock is floored at 0, so targets below 50% give the mean.
    """
    alpha = as_probability(cycle_service_level, field="cycle_service_level")
    order = as_float(order_quantity, field="order_quantity")
    cycle = order if cycle_quantity is None else as_float(cycle_quantity, field="cycle_quantity")
    mean, std, alpha, order, cycle = broadcast(demand.mean, demand.std, alpha, order, cycle)
    is_gamma = np.broadcast_to(demand.is_gamma, mean.shape)
    random = np.broadcast_to(demand.is_random, mean.shape)
    reorder_point = mean.copy()

    normal_rows = random & ~is_gamma
    k = np.clip(np.asarray(special.ndtri(alpha[normal_rows]), np.float64), 0.0, MAX_SAFETY_FACTOR)
    reorder_point[normal_rows] = mean[normal_rows] + k * std[normal_rows]
    gamma_rows = random & is_gamma
    shape, scale = _gamma_parameters(mean[gamma_rows], std[gamma_rows])
    quantile = np.asarray(special.gammaincinv(shape, alpha[gamma_rows]), np.float64) * scale
    reorder_point[gamma_rows] = np.maximum(quantile, mean[gamma_rows])
    return _levels(mean, std, is_gamma, random, reorder_point, order, cycle)


def newsvendor_quantity(
    *,
    demand_mean: npt.ArrayLike,
    demand_std: npt.ArrayLike,
    underage_cost: npt.ArrayLike,
    overage_cost: npt.ArrayLike,
) -> FloatArray:
    """Single-period order quantity at the critical fractile cu / (cu + co), normal demand.

    Args:
        demand_mean: mean demand for the period.
        demand_std: its standard deviation.
        underage_cost: cost of one unit short (lost margin or penalty), > 0.
        overage_cost: cost of one unit left over, > 0.

    Returns:
        mean + std * Phi^-1(cu / (cu + co)), floored at 0.
    """
    mu, sigma, cu, co = broadcast(
        as_float(demand_mean, field="demand_mean"),
        as_float(demand_std, field="demand_std"),
        as_float(underage_cost, field="underage_cost"),
        as_float(overage_cost, field="overage_cost"),
    )
    fractile = as_probability(cu / (cu + co), field="critical_fractile")
    z = np.asarray(special.ndtri(fractile), np.float64)
    return np.maximum(mu + sigma * z, 0.0)


def _gamma_parameters(mean: FloatArray, std: FloatArray) -> tuple[FloatArray, FloatArray]:
    return (mean / std) ** 2, std**2 / mean


def _levels(
    mean: FloatArray,
    std: FloatArray,
    is_gamma: npt.NDArray[np.bool_],
    random: npt.NDArray[np.bool_],
    reorder_point: FloatArray,
    order: FloatArray,
    cycle: FloatArray,
) -> PolicyLevels:
    """Fill in safety stock, shortage, fill rate and cycle service for chosen reorder points."""
    safety_stock = np.maximum(reorder_point - mean, 0.0)
    reorder_point = mean + safety_stock
    with np.errstate(divide="ignore", invalid="ignore"):
        safety_factor = np.where(random, safety_stock / std, 0.0)
    shortage = np.zeros(mean.shape)
    service = np.ones(mean.shape)
    normal_rows = random & ~is_gamma
    k = safety_factor[normal_rows]
    shortage[normal_rows] = std[normal_rows] * normal_loss(k)
    service[normal_rows] = np.asarray(special.ndtr(k), np.float64)
    gamma_rows = random & is_gamma
    shape, scale = _gamma_parameters(mean[gamma_rows], std[gamma_rows])
    level = reorder_point[gamma_rows]
    shortage[gamma_rows] = gamma_loss(level, shape, scale)
    service[gamma_rows] = np.asarray(special.gammainc(shape, level / scale), np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(cycle > 0.0, 1.0 - shortage / cycle, np.where(random, 0.0, 1.0))
    fill = np.where(mean > 0.0, np.clip(fill, 0.0, 1.0), 1.0)
    return PolicyLevels(
        safety_stock=safety_stock,
        reorder_point=reorder_point,
        order_up_to=reorder_point + order,
        safety_factor=safety_factor,
        expected_shortage_per_cycle=shortage,
        expected_fill_rate=fill,
        cycle_service_level=service,
    )
