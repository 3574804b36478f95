"""Stock on hand per item-location, deliberately out of balance across branches.

Slow branches sit on many weeks of supply (stock sized for demand that has since
gone elsewhere); the tight branch and, less often, ordinary branches are at or
near zero; DCs hold a few weeks for the network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.demo.catalogue import Catalogue
from crossdock.demo.demand import DemandHistory
from crossdock.demo.frames import FloatArray, IntArray, entity_frame
from crossdock.demo.network import Network, Role

# Weeks of supply held: (share at zero, share under one week, low, high) for the rest.
WEEKS_OF_SUPPLY = {
    Role.NATIONAL_DC: (0.02, 0.03, 3.0, 9.0),
    Role.REGIONAL_DC: (0.03, 0.04, 2.0, 6.0),
    Role.BRANCH: (0.08, 0.08, 1.5, 6.0),
    Role.SLOW_BRANCH: (0.0, 0.0, 9.0, 24.0),
    Role.TIGHT_BRANCH: (0.25, 0.15, 1.0, 4.0),
}
ON_HOLD_SHARE = 0.02


@dataclass(frozen=True, slots=True)
class Stock:
    """Units on hand and on hold per item-location (index il = sku * warehouses + loc)."""

    on_hand: FloatArray
    on_hold: FloatArray


def count_stock(
    network: Network, catalogue: Catalogue, demand: DemandHistory, rng: np.random.Generator
) -> Stock:
    warehouses = network.size
    n = len(demand.recent_daily)
    location = np.tile(np.arange(warehouses), len(catalogue.skus))
    role = np.array(network.roles)[location]
    weeks = np.empty(n)
    draw = rng.random(n)
    for r, (zero, under_a_week, low, high) in WEEKS_OF_SUPPLY.items():
        here = role == r
        weeks[here] = np.select(
            [draw[here] < zero, draw[here] < zero + under_a_week],
            [0.0, rng.uniform(0.0, 0.9, here.sum())],
            rng.uniform(low, high, here.sum()),
        )
    weekly = demand.recent_daily * 7
    by_location = weekly.reshape(-1, warehouses).copy()
    for dc in np.flatnonzero(network.is_dc):  # a DC stocks for everyone it replenishes
        served = np.array(network.served_by(int(dc)), dtype=np.int64)
        weekly[dc::warehouses] = by_location[:, served].sum(axis=1)
    pack = np.repeat(catalogue.pack_sizes, warehouses)
    idle_packs = np.where(
        role == Role.SLOW_BRANCH, rng.integers(0, 12, n), rng.choice([0, 0, 1, 2, 3], n)
    )
    on_hand = np.where(weekly > 0, np.floor(weeks * weekly), idle_packs * pack)
    held = (rng.random(n) < ON_HOLD_SHARE) & (on_hand > 0)
    on_hold = np.where(held, np.ceil(on_hand * rng.uniform(0.05, 0.5, n)), 0.0)
    return Stock(on_hand=on_hand.astype(np.float64), on_hold=on_hold)


def inventory_frame(
    *,
    network: Network,
    catalogue: Catalogue,
    stock: Stock,
    open_sales: FloatArray,
    in_transit: FloatArray,
    on_order: FloatArray,
    snapshot_at: np.datetime64,
) -> pd.DataFrame:
    """inventory_positions: one row per item-location at `snapshot_at`.

    Stock allocated to open sales orders is capped by what is on hand and free.
    """
    warehouses = network.size
    sku: IntArray = np.repeat(np.arange(len(catalogue.skus)), warehouses)
    location = np.tile(np.arange(warehouses), len(catalogue.skus))
    free = stock.on_hand - stock.on_hold
    return entity_frame(
        "inventory_positions",
        {
            "sku": catalogue.skus[sku],
            "location_code": np.array(network.codes, dtype=object)[location],
            "snapshot_at": np.full(len(sku), snapshot_at.astype("datetime64[s]")),
            "on_hand": stock.on_hand,
            "allocated": np.minimum(open_sales, free),
            "on_hold": stock.on_hold,
            "in_transit": in_transit,
            "on_order": on_order,
            "uom": catalogue.uoms[sku],
        },
    )
