"""Echelon rows: a warehouse that replenishes others is judged on its whole echelon.

A DC that feeds branches does not only serve its own customers: every unit its branches
will sell after their own stock runs out has to come through it. So when a row is the
parent (`parent_code`) of other rows of the same item, the decision prices that row as
its **echelon**: the DC plus the branches it replenishes.

* expected position = the DC's own position + each branch's (what is on hand and due in
  anywhere in the echelon);
* demand over the DC's horizon = its own demand + each branch's demand over that same
  horizon (a branch's forecast scaled from its own horizon by days: mean x H_dc / H_b,
  variance likewise; branches independent), plus every member's committed orders;
* shortage penalty = the members' penalties weighted by their mean demand;
* distribution family: gamma when the pooled demand is skewed (standard deviation above
  half the mean), else normal.

Moving stock inside an echelon (DC to its branch, branch to a sibling) leaves the echelon
position unchanged; only buys, expedites and moves across echelon borders change it. The
shipping warehouse still gives only what it has on hand above what it keeps
(`reorder_point`), from its own installation stock. Two levels only: a parent's echelon
holds its children, not their children.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.planning.decisions.costs import HorizonDemand
from crossdock.planning.policy._arrays import BoolArray, FloatArray, IntArray

GAMMA_CV = 0.5


@dataclass(frozen=True, slots=True)
class Echelons:
    """Who belongs to whose echelon, and the pooled rows.

    Attributes:
        parent: per row, the row of the warehouse that replenishes it (same item), or -1.
        is_echelon: rows priced as echelons (parents of at least one row).
        base: expected position per row (echelon rows: summed over members).
        demand: demand per row over its horizon (echelon rows: pooled).
        shortage_penalty: per row (echelon rows: demand-weighted).
    """

    parent: IntArray
    is_echelon: BoolArray
    base: FloatArray
    demand: HorizonDemand
    shortage_penalty: FloatArray


def parent_rows(skus: pd.Series, parent_codes: pd.Series, keys: pd.MultiIndex) -> IntArray:
    """Row index of each row's parent (same sku at `parent_code`), -1 when none is listed."""
    has_parent = parent_codes.notna() & (parent_codes.astype(str) != "")
    wanted = pd.MultiIndex.from_arrays(
        [skus.astype(str), parent_codes.where(has_parent, "").astype(str)]
    )
    parent = np.asarray(keys.get_indexer(wanted), dtype=np.int64)
    parent[~has_parent.to_numpy()] = -1
    parent[parent == np.arange(parent.size)] = -1
    return parent


def pool_echelons(
    *,
    parent: IntArray,
    base: FloatArray,
    demand: HorizonDemand,
    horizon: FloatArray,
    shortage_penalty: FloatArray,
) -> Echelons:
    """Echelon position, demand and penalty for every row that parents another row."""
    n = base.size
    child = np.flatnonzero(parent >= 0)
    up = parent[child]
    is_echelon = np.zeros(n, dtype=np.bool_)
    is_echelon[up] = True
    if child.size == 0:
        return Echelons(parent, is_echelon, base, demand, shortage_penalty)
    scale = horizon[up] / np.maximum(horizon[child], 1e-9)
    mean = demand.mean + np.bincount(up, demand.mean[child] * scale, minlength=n)
    variance = demand.std**2 + np.bincount(up, demand.std[child] ** 2 * scale, minlength=n)
    committed = demand.committed + np.bincount(up, demand.committed[child], minlength=n)
    std = np.sqrt(variance)
    weight = demand.mean + np.bincount(up, demand.mean[child] * scale, minlength=n)
    weighted = demand.mean * shortage_penalty + np.bincount(
        up, demand.mean[child] * scale * shortage_penalty[child], minlength=n
    )
    members = 1 + np.bincount(up, minlength=n)
    plain = (shortage_penalty + np.bincount(up, shortage_penalty[child], minlength=n)) / members
    with np.errstate(divide="ignore", invalid="ignore"):
        penalty = np.where(weight > 0.0, weighted / weight, plain)
    gamma = np.where(is_echelon, (mean > 0.0) & (std > GAMMA_CV * mean), demand.is_gamma)
    pooled = HorizonDemand(
        mean=np.where(is_echelon, mean, demand.mean),
        std=np.where(is_echelon, std, demand.std),
        committed=np.where(is_echelon, committed, demand.committed),
        is_gamma=np.asarray(gamma, dtype=np.bool_),
    )
    return Echelons(
        parent=parent,
        is_echelon=is_echelon,
        base=base + np.bincount(up, base[child], minlength=n),
        demand=pooled,
        shortage_penalty=np.where(is_echelon, penalty, shortage_penalty),
    )


def action_effects(
    *, dest: IntArray, source: IntArray, gain: FloatArray, parent: IntArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Where each action changes an expected position, as (row, action, units per unit).

    An action adds `gain` units at its destination and takes one unit from its source
    (transfers); the echelons holding either end change the same way, so a move inside
    one echelon nets to zero there.
    """
    actions = np.arange(dest.size)
    ships = source >= 0
    safe_source = np.maximum(source, 0)
    dest_parent = parent[dest]
    source_parent = np.where(ships, parent[safe_source], -1)
    pieces = [
        (dest, actions, gain),
        (source[ships], actions[ships], -np.ones(int(ships.sum()))),
        (dest_parent[dest_parent >= 0], actions[dest_parent >= 0], gain[dest_parent >= 0]),
        (
            source_parent[source_parent >= 0],
            actions[source_parent >= 0],
            -np.ones(int((source_parent >= 0).sum())),
        ),
    ]
    rows = np.concatenate([p[0] for p in pieces]).astype(np.int64)
    cols = np.concatenate([p[1] for p in pieces]).astype(np.int64)
    values = np.concatenate([p[2] for p in pieces]).astype(np.float64)
    if not (parent >= 0).any():
        return rows, cols, values
    # a move inside one echelon appears twice at its parent, once each way: net it out
    frame = pd.DataFrame({"row": rows, "col": cols, "value": values})
    net = frame.groupby(["row", "col"], sort=False, as_index=False)["value"].sum()
    net = net[net["value"] != 0.0]
    return (
        net["row"].to_numpy(np.int64),
        net["col"].to_numpy(np.int64),
        net["value"].to_numpy(np.float64),
    )
