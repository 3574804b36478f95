"""Policy levels for a whole network at once: single locations and DC-and-branch echelons.

Every row is first sized on its own (its demand over its lead time + review period, for
its fill-rate target). Rows replenished by another row of the same item (`parent` >= 0)
are then re-sized together with that parent by `two_echelon_targets`: each branch over
lane lead time + the mean wait at its DC, and the DC for its branches' pooled demand
plus its own. A DC keeps both numbers: `reorder_point` (what it plans to hold for the
whole echelon) and `own_reorder_point` (what it needs for its own customers only: the
stock it keeps back when its branches ask for more).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossdock.planning.policy._arrays import BoolArray, FloatArray, IntArray
from crossdock.planning.policy.echelon import two_echelon_targets
from crossdock.planning.policy.lead_time_demand import lead_time_demand
from crossdock.planning.policy.sizing import cycle_quantity, size_for_fill_rate


@dataclass(frozen=True, slots=True)
class NetworkLevels:
    """Levels per row.

    Attributes:
        safety_stock: units above mean demand over lead time + review period.
        reorder_point: the level the row plans to (echelon-aware for DCs and branches).
        own_reorder_point: the level for the row's own demand and lead time alone.
        is_gamma: lead-time demand of the row's own sizing was gamma (skewed).
        dc_wait: mean periods a branch order waits at its DC (0 elsewhere).
    """

    safety_stock: FloatArray
    reorder_point: FloatArray
    own_reorder_point: FloatArray
    is_gamma: BoolArray
    dc_wait: FloatArray


def size_network(
    *,
    demand_mean: npt.ArrayLike,
    demand_std: npt.ArrayLike,
    lead_time_mean: npt.ArrayLike,
    lead_time_std: npt.ArrayLike,
    review_period: float,
    fill_rate: npt.ArrayLike,
    intermittent: npt.ArrayLike,
    parent: npt.ArrayLike,
) -> NetworkLevels:
    """Levels for every row, with DCs and their branches sized as two echelons.

    Args:
        demand_mean, demand_std: demand per period per row.
        lead_time_mean, lead_time_std: replenishment lead time per row, in periods (a
            branch: the lane from its DC; a DC: its supplier's).
        review_period: periods between reviews, for every row.
        fill_rate: fill-rate target per row, strictly between 0 and 1.
        intermittent: rows classified intermittent or lumpy (gamma lead-time demand).
        parent: per row, the row that replenishes it (same item), or -1.

    Returns:
        The levels per row.
    """
    mean = np.asarray(demand_mean, dtype=np.float64)
    std = np.asarray(demand_std, dtype=np.float64)
    lead = np.asarray(lead_time_mean, dtype=np.float64)
    lead_sd = np.asarray(lead_time_std, dtype=np.float64)
    fill = np.asarray(fill_rate, dtype=np.float64)
    up: IntArray = np.asarray(parent, dtype=np.int64)
    own_demand = lead_time_demand(
        demand_mean=mean,
        demand_std=std,
        lead_time_mean=lead,
        lead_time_std=lead_sd,
        review_period=review_period,
        intermittent=np.asarray(intermittent, dtype=np.bool_),
    )
    own = size_for_fill_rate(
        own_demand,
        fill_rate=fill,
        cycle_quantity=cycle_quantity(
            order_quantity=0.0, demand_mean=mean, review_period=review_period
        ),
    )
    safety = own.safety_stock.copy()
    reorder = own.reorder_point.copy()
    wait = np.zeros(mean.size)
    branches = np.flatnonzero(up >= 0)
    if branches.size:
        dcs, dc_of_branch = np.unique(up[branches], return_inverse=True)
        targets = two_echelon_targets(
            branch_demand_mean=mean[branches],
            branch_demand_std=std[branches],
            branch_dc=dc_of_branch,
            lane_lead_time_mean=lead[branches],
            lane_lead_time_std=lead_sd[branches],
            branch_review_period=review_period,
            branch_fill_rate=fill[branches],
            supplier_lead_time_mean=lead[dcs],
            supplier_lead_time_std=lead_sd[dcs],
            dc_review_period=review_period,
            dc_fill_rate=fill[dcs],
            dc_own_demand_mean=mean[dcs],
            dc_own_demand_std=std[dcs],
            dc_count=dcs.size,
        )
        safety[branches] = targets.branch.safety_stock
        reorder[branches] = targets.branch.reorder_point
        safety[dcs] = targets.dc.safety_stock
        reorder[dcs] = targets.dc.reorder_point
        wait[branches] = targets.dc_expected_wait[dc_of_branch]
    return NetworkLevels(
        safety_stock=safety,
        reorder_point=reorder,
        own_reorder_point=own.reorder_point,
        is_gamma=np.asarray(own_demand.is_gamma, dtype=np.bool_),
        dc_wait=wait,
    )
