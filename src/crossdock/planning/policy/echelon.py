"""Two-echelon targets: branches replenished by their DC, the DC by its supplier.

A METRIC-light approximation (after Sherbrooke's METRIC, without its Poisson machinery):
  1. The DC sees the branches' pooled replenishment demand: per period, the sum of the
     branch means and the sum of the branch variances (branches independent), plus any
     demand the DC serves itself. Its levels are sized for its own fill target over the
     supplier lead time + its review period.
  2. A unit a branch orders waits at the DC when the DC is short. By Little's law the mean
     wait is the DC's expected units short per cycle / its demand per period. This is the
     base-stock value; for batch (s, Q) DCs it overstates the wait (shortage at the end of
     a cycle is the peak, not the average), which errs towards more branch stock.
  3. Each branch is sized for its own fill target over lane lead time + that mean wait,
     with the lane's lead-time spread (the wait's own spread is ignored, as in METRIC).
Limits: branch orders are treated as smooth demand at the DC (batching by large branch
order quantities makes the DC's demand lumpier than this says), allocation of a short DC
to its branches is not modelled, and only two echelons are handled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossdock.planning.policy._arrays import (
    FloatArray,
    IntArray,
    PolicyInputError,
    as_float,
    broadcast,
)
from crossdock.planning.policy.lead_time_demand import lead_time_demand
from crossdock.planning.policy.sizing import PolicyLevels, cycle_quantity, size_for_fill_rate


@dataclass(frozen=True, slots=True)
class EchelonTargets:
    """Levels for every branch and every DC.

    Attributes:
        branch: levels per branch row.
        dc: levels per DC (row i is DC number i of `branch_dc`).
        dc_demand_mean: pooled demand per period the DC plans for.
        dc_demand_std: its standard deviation per period.
        dc_expected_wait: mean periods a branch order waits at the DC.
        branch_lead_time: lane lead time + DC wait, in periods, per branch.
    """

    branch: PolicyLevels
    dc: PolicyLevels
    dc_demand_mean: FloatArray
    dc_demand_std: FloatArray
    dc_expected_wait: FloatArray
    branch_lead_time: FloatArray


def two_echelon_targets(
    *,
    branch_demand_mean: npt.ArrayLike,
    branch_demand_std: npt.ArrayLike,
    branch_dc: npt.ArrayLike,
    lane_lead_time_mean: npt.ArrayLike,
    lane_lead_time_std: npt.ArrayLike = 0.0,
    branch_review_period: npt.ArrayLike = 1.0,
    branch_order_quantity: npt.ArrayLike = 0.0,
    branch_fill_rate: npt.ArrayLike,
    supplier_lead_time_mean: npt.ArrayLike,
    supplier_lead_time_std: npt.ArrayLike = 0.0,
    dc_review_period: npt.ArrayLike = 1.0,
    dc_order_quantity: npt.ArrayLike = 0.0,
    dc_fill_rate: npt.ArrayLike,
    dc_own_demand_mean: npt.ArrayLike = 0.0,
    dc_own_demand_std: npt.ArrayLike = 0.0,
    dc_count: int | None = None,
) -> EchelonTargets:
    """Branch and DC levels for one item across a DC-and-branches network (or many items,
    with one "DC" index per item-DC pair).

    Args:
        branch_demand_mean: demand per period at each branch.
        branch_demand_std: its standard deviation per period.
        branch_dc: index (0..dc_count-1) of the DC row that replenishes each branch.
        lane_lead_time_mean: DC-to-branch lead time in periods, per branch.
        lane_lead_time_std: its standard deviation.
        branch_review_period: periods between branch reviews.
        branch_order_quantity: batch each branch orders on top of its reorder point.
        branch_fill_rate: fill-rate target per branch, in (0, 1).
        supplier_lead_time_mean: supplier-to-DC lead time in periods, per DC.
        supplier_lead_time_std: its standard deviation.
        dc_review_period: periods between DC reviews.
        dc_order_quantity: batch each DC orders on top of its reorder point.
        dc_fill_rate: the DC's own fill target towards its branches, in (0, 1).
        dc_own_demand_mean: demand the DC serves directly, per period.
        dc_own_demand_std: its standard deviation.
        dc_count: number of DC rows (default: largest index in `branch_dc` + 1).

    Returns:
        Levels per branch and per DC, with the DC demand and wait they rest on.
    """
    dc_index: IntArray = np.asarray(branch_dc, dtype=np.int64)
    mean, std, lane, lane_sd, review, order = broadcast(
        as_float(branch_demand_mean, field="branch_demand_mean"),
        as_float(branch_demand_std, field="branch_demand_std"),
        as_float(lane_lead_time_mean, field="lane_lead_time_mean"),
        as_float(lane_lead_time_std, field="lane_lead_time_std"),
        as_float(branch_review_period, field="branch_review_period"),
        as_float(branch_order_quantity, field="branch_order_quantity"),
    )
    dc_index = np.broadcast_to(dc_index, mean.shape)
    count = int(dc_index.max()) + 1 if dc_count is None else dc_count
    if dc_index.size and (dc_index.min() < 0 or dc_index.max() >= count):
        row = int(np.flatnonzero((dc_index < 0) | (dc_index >= count))[0])
        raise PolicyInputError(
            field="branch_dc",
            row=row,
            value=int(dc_index[row]),
            reason=f"must be in 0..{count - 1}",
        )
    own_mean, own_sd = broadcast(
        np.broadcast_to(as_float(dc_own_demand_mean, field="dc_own_demand_mean"), (count,)),
        np.broadcast_to(as_float(dc_own_demand_std, field="dc_own_demand_std"), (count,)),
    )
    dc_mean = np.bincount(dc_index, weights=mean, minlength=count) + own_mean
    dc_std = np.sqrt(np.bincount(dc_index, weights=std**2, minlength=count) + own_sd**2)

    dc_demand = lead_time_demand(
        demand_mean=dc_mean,
        demand_std=dc_std,
        lead_time_mean=np.broadcast_to(np.asarray(supplier_lead_time_mean, float), (count,)),
        lead_time_std=np.broadcast_to(np.asarray(supplier_lead_time_std, float), (count,)),
        review_period=np.broadcast_to(np.asarray(dc_review_period, float), (count,)),
    )
    dc_order = np.broadcast_to(as_float(dc_order_quantity, field="dc_order_quantity"), (count,))
    dc_levels = size_for_fill_rate(
        dc_demand,
        fill_rate=dc_fill_rate,
        cycle_quantity=cycle_quantity(
            order_quantity=dc_order, demand_mean=dc_mean, review_period=dc_review_period
        ),
        order_quantity=dc_order,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = np.where(dc_mean > 0.0, dc_levels.expected_shortage_per_cycle / dc_mean, 0.0)

    branch_lead_time = lane + wait[dc_index]
    branch_demand = lead_time_demand(
        demand_mean=mean,
        demand_std=std,
        lead_time_mean=branch_lead_time,
        lead_time_std=lane_sd,
        review_period=review,
    )
    branch_levels = size_for_fill_rate(
        branch_demand,
        fill_rate=branch_fill_rate,
        cycle_quantity=cycle_quantity(order_quantity=order, demand_mean=mean, review_period=review),
        order_quantity=order,
    )
    return EchelonTargets(
        branch=branch_levels,
        dc=dc_levels,
        dc_demand_mean=dc_mean,
        dc_demand_std=dc_std,
        dc_expected_wait=np.asarray(wait, dtype=np.float64),
        branch_lead_time=branch_lead_time,
    )
