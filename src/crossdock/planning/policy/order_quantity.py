"""Order quantities: economic or review-period based, then rounded to what can be ordered."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from crossdock.planning.policy._arrays import FloatArray, IntArray, PolicyInputError, as_float


def economic_order_quantity(
    *,
    demand_per_period: npt.ArrayLike,
    ordering_cost: npt.ArrayLike,
    holding_cost_per_unit_period: npt.ArrayLike,
) -> FloatArray:
    """Wilson's EOQ sqrt(2 D K / h); 0 where there is no demand or no holding cost.

    Args:
        demand_per_period: mean demand per period (units).
        ordering_cost: fixed cost of placing one order (money).
        holding_cost_per_unit_period: cost of holding one unit for one period (money);
            the same period as the demand.

    Returns:
        Unrounded order quantity per row (units).
    """
    demand = as_float(demand_per_period, field="demand_per_period")
    cost = as_float(ordering_cost, field="ordering_cost")
    holding = as_float(holding_cost_per_unit_period, field="holding_cost_per_unit_period")
    with np.errstate(divide="ignore", invalid="ignore"):
        eoq = np.sqrt(2.0 * demand * cost / holding)
    return np.asarray(np.where((demand > 0.0) & (holding > 0.0), eoq, 0.0), dtype=np.float64)


def review_period_quantity(
    *, demand_per_period: npt.ArrayLike, review_period: npt.ArrayLike
) -> FloatArray:
    """Expected demand between two reviews, mu_D * R: the (R, S) policy's average order."""
    demand = as_float(demand_per_period, field="demand_per_period")
    review = as_float(review_period, field="review_period")
    return np.asarray(demand * review, dtype=np.float64)


def round_order_quantities(
    quantity: npt.ArrayLike,
    *,
    pack_size: npt.ArrayLike = 1,
    order_multiple: npt.ArrayLike = 1,
    moq: npt.ArrayLike = 0.0,
) -> IntArray:
    """The smallest orderable quantity >= `quantity` and >= `moq`, row by row.

    The vectorised twin of `crossdock.domain.model.Item.round_order_quantity`: orderable
    means a whole number of packs and a multiple of the order multiple, so the step is
    their least common multiple; a quantity <= 0 stays 0 (no order).

    Raises:
        PolicyInputError: a pack size or order multiple below 1, or a missing quantity.
    """
    wanted = as_float(quantity, field="quantity", minimum=None)
    minimum = as_float(moq, field="moq")
    pack = _positive_integers(pack_size, "pack_size")
    multiple = _positive_integers(order_multiple, "order_multiple")
    step = np.lcm(pack, multiple).astype(np.float64)
    target = np.maximum(wanted, minimum)
    rounded = np.ceil(target / step - 1e-9) * step
    return np.where(wanted > 0.0, rounded, 0.0).astype(np.int64)


def _positive_integers(values: npt.ArrayLike, name: str) -> IntArray:
    array = np.asarray(values)
    integral = np.asarray(array, dtype=np.int64)
    bad = (integral < 1) | (integral != array)
    if bad.any():
        row = int(np.flatnonzero(bad.ravel())[0])
        raise PolicyInputError(
            field=name,
            row=row,
            value=array.ravel()[row].item(),
            reason="must be a whole number >= 1",
        )
    return integral
