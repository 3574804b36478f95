"""Warehouses and lanes: a national DC, regional DCs past eight branches, branches.

Every DC feeds at most eight branches. One or two branches are slow (little demand,
too much stock) and one runs tight (frequent stockouts), so the network carries
the imbalance a transfer planner should find.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from crossdock.demo.frames import FloatArray, IntArray

BRANCHES_PER_DC = 8
NATIONAL_REGION = "National"
REGION_CITIES = {
    "North": ("Minneapolis", "Fargo", "Duluth"),
    "South": ("Atlanta", "Birmingham", "Jackson"),
    "East": ("Boston", "Hartford", "Albany"),
    "West": ("Seattle", "Portland", "Boise"),
    "Central": ("Chicago", "Indianapolis", "Columbus"),
    "Mountain": ("Denver", "Salt Lake City", "Cheyenne"),
    "Pacific": ("Los Angeles", "San Diego", "Fresno"),
    "Gulf": ("Houston", "New Orleans", "Mobile"),
    "Lakes": ("Detroit", "Milwaukee", "Cleveland"),
    "Atlantic": ("Charlotte", "Richmond", "Raleigh"),
    "Plains": ("Omaha", "Wichita", "Tulsa"),
    "Valley": ("Sacramento", "Stockton", "Modesto"),
}
REGIONS = tuple(REGION_CITIES)


class Role(IntEnum):
    """What a warehouse is for, and so how its stock and demand behave."""

    NATIONAL_DC = 0
    REGIONAL_DC = 1
    BRANCH = 2
    SLOW_BRANCH = 3  # little demand, weeks of excess stock
    TIGHT_BRANCH = 4  # busy, often short


@dataclass(frozen=True, slots=True)
class Network:
    """The warehouses (DCs first) and the lanes between them."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    roles: tuple[Role, ...]
    regions: tuple[str, ...]
    parents: tuple[int | None, ...]
    demand_scale: FloatArray  # relative size of demand at each warehouse
    lane_from: IntArray
    lane_to: IntArray
    lane_transit_days: IntArray
    lane_cost: FloatArray
    lane_capacity: FloatArray  # NaN = no limit
    lane_mode: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.codes)

    @property
    def is_dc(self) -> np.ndarray:
        return np.array([r in (Role.NATIONAL_DC, Role.REGIONAL_DC) for r in self.roles])

    @property
    def branch_indices(self) -> list[int]:
        return [i for i, r in enumerate(self.roles) if r >= Role.BRANCH]

    def served_by(self, location: int) -> list[int]:
        """The warehouse itself and every warehouse it replenishes, directly or not."""
        served = [location]
        for child, parent in enumerate(self.parents):
            if parent == location:
                served += self.served_by(child)
        return served


def build_network(warehouses: int, rng: np.random.Generator) -> Network:
    """A network of `warehouses` warehouses: DCs, then branches in blocks of eight."""
    dcs = 1 if warehouses - 1 <= BRANCHES_PER_DC else -(-warehouses // (BRANCHES_PER_DC + 1))
    branches = warehouses - dcs
    per_dc = -(-branches // dcs)
    region_count = min(branches, max(4, -(-branches // 3)), len(REGIONS))
    branch_regions = [REGIONS[b * region_count // branches] for b in range(branches)]
    branch_dc = [b // per_dc for b in range(branches)]

    roles = [Role.NATIONAL_DC] + [Role.REGIONAL_DC] * (dcs - 1) + [Role.BRANCH] * branches
    slow_count = 0 if branches < 2 else (1 if branches <= 4 else 2)
    picked = rng.permutation(branches)
    for b in picked[:slow_count]:
        roles[dcs + b] = Role.SLOW_BRANCH
    if branches >= 2:
        roles[dcs + picked[slow_count]] = Role.TIGHT_BRANCH

    codes = [f"DC{d + 1:02d}" for d in range(dcs)] + [f"BR{b + 1:02d}" for b in range(branches)]
    dc_regions = [NATIONAL_REGION] + [
        branch_regions[branch_dc.index(d)] if d in branch_dc else NATIONAL_REGION
        for d in range(1, dcs)
    ]
    names = ["National DC"] + [f"{region} Regional DC" for region in dc_regions[1:]]
    names += _branch_names(branch_regions)
    parents: list[int | None] = [None, *([0] * (dcs - 1)), *branch_dc]

    scale = np.empty(warehouses)
    scale[0] = 0.35  # national accounts shipped straight from the DC
    scale[1:dcs] = 0.25
    scale[dcs:] = np.clip(rng.lognormal(0.0, 0.3, branches), 0.6, 1.8)
    scale[[i for i, r in enumerate(roles) if r is Role.SLOW_BRANCH]] = rng.uniform(0.35, 0.5)
    scale[[i for i, r in enumerate(roles) if r is Role.TIGHT_BRANCH]] = rng.uniform(1.2, 1.6)

    lane_from, lane_to = _lanes(roles, parents, rng)
    lanes = len(lane_from)
    to_branch = np.array([roles[t] >= Role.BRANCH for t in lane_to], dtype=bool)
    between_branches = to_branch & np.array([roles[f] >= Role.BRANCH for f in lane_from])
    transit = np.where(to_branch, rng.integers(1, 4, lanes), rng.integers(2, 5, lanes))
    capacity = np.where(between_branches, rng.choice([400.0, 800.0, 1500.0], lanes), np.nan)
    return Network(
        codes=tuple(codes),
        names=tuple(names),
        roles=tuple(roles),
        regions=tuple(dc_regions + branch_regions),
        parents=tuple(parents),
        demand_scale=scale,
        lane_from=np.asarray(lane_from, dtype=np.int64),
        lane_to=np.asarray(lane_to, dtype=np.int64),
        lane_transit_days=transit.astype(np.int64),
        lane_cost=np.round(np.where(between_branches, 0.6, 0.2) * rng.uniform(0.5, 1.5, lanes), 4),
        lane_capacity=capacity,
        lane_mode=tuple("ltl" if b else "truck" for b in between_branches),
    )


def _lanes(
    roles: list[Role], parents: list[int | None], rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """Each parent -> child lane, plus a few branch <-> branch lanes for rebalancing."""
    pairs = [(parent, child) for child, parent in enumerate(parents) if parent is not None]
    branches = [i for i, r in enumerate(roles) if r >= Role.BRANCH]
    for slow in (i for i, r in enumerate(roles) if r is Role.SLOW_BRANCH):
        others = [b for b in branches if b != slow and roles[b] is not Role.SLOW_BRANCH]
        for other in rng.permutation(others)[:2]:
            pairs += [(slow, int(other)), (int(other), slow)]
    unique = sorted(set(pairs), key=pairs.index)
    return [f for f, _ in unique], [t for _, t in unique]


def _branch_names(regions: list[str]) -> list[str]:
    """A city of the branch's region; a number once the region's cities run out."""
    names = []
    for b, region in enumerate(regions):
        nth = regions[:b].count(region)
        cities = REGION_CITIES[region]
        city = cities[nth % len(cities)]
        names.append(f"{city} Branch" if nth < len(cities) else f"{city} Branch {nth // 3 + 1}")
    return names
