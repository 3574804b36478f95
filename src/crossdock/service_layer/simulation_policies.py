"""The policies `crossdock simulate` compares, built for one network and replayed on it:
tuned min/max (one multiplier, and one per ABC class), (s, S) normal, the planning
engine and perfect foresight; the (s, S) and the engine optionally calibrated to the
fill rate they deliver (docs/planning/simulation.md, "Policies")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from crossdock.planning.policy import lead_time_demand, size_for_fill_rate
from crossdock.planning.simulation import (
    CheckedInputs,
    Policy,
    ReorderPolicy,
    SimulationRun,
    simulate,
    static_min_max,
)
from crossdock.planning.simulation.engine import CrossdockPolicy, EngineSetup
from crossdock.planning.simulation.oracle import perfect_foresight
from crossdock.service_layer.simulation_network import PERIODS_PER_YEAR, SimulationNetwork

POLICIES = ("min_max", "min_max_abc", "normal", "crossdock", "oracle")


@dataclass(frozen=True)
class SimulationSettings:
    """How to replay. Periods are the network's buckets."""

    target_fill_rate: float = 0.97
    review_period: int = 1
    lost_sales: bool = True
    seed: int = 0
    warmup_periods: int = 8
    refit_every: int = 4
    policies: tuple[str, ...] = POLICIES
    sweep: tuple[float, ...] = ()
    series_shown: int = 3
    season_length: int | None = None
    spread: str = "interval90"
    forecast_jobs: int = 1
    calibrate: bool = True
    min_history: int = 13


NAMES = {
    "min_max": "min/max tuned",
    "min_max_abc": "min/max tuned per ABC class",
    "normal": "(s, S) normal",
    "crossdock": "Crossdock",
    "oracle": "perfect foresight",
}


@dataclass
class PolicyBench:
    """One network, checked, and the settings every replay uses."""

    network: SimulationNetwork
    data: CheckedInputs
    settings: SimulationSettings
    _forecasts: dict[int, Any] = field(default_factory=dict)

    def replay(self, policy: Policy) -> SimulationRun:
        s = self.settings
        return simulate(
            self.data, policy, review_period=s.review_period, lost_sales=s.lost_sales, seed=s.seed
        )

    def figures(self, run: SimulationRun, rows: np.ndarray | None = None) -> dict[str, float]:
        figures = run.metrics(rows, start=self.settings.warmup_periods)
        scored = self.data.periods - self.settings.warmup_periods
        per_year = PERIODS_PER_YEAR[self.network.bucket]
        figures["turns"] = figures["turns"] * per_year / scored
        figures["days_of_supply"] = figures.pop("periods_of_supply") * self.network.days_per_period
        figures["stockout_days"] = figures["stockout_periods"] * self.network.days_per_period
        return figures

    # -- policies ----------------------------------------------------------------

    def policy(self, kind: str, target: float) -> tuple[Policy, dict[str, Any]]:
        if kind == "min_max":
            return self._tuned_min_max(target, np.zeros(self.data.rows, dtype=np.int64))
        if kind == "min_max_abc":
            return self._tuned_min_max(target, self._abc_class())
        if kind in ("normal", "crossdock"):
            size: Callable[[float], Policy] = self._normal if kind == "normal" else self._crossdock
            if not self.settings.calibrate:
                return size(target), {"sized_for": target}
            return self._calibrated(size, target)
        s = self.settings
        return perfect_foresight(self.data, review_period=s.review_period, seed=s.seed), {}

    def _calibrated(
        self, size: Callable[[float], Policy], target: float
    ) -> tuple[Policy, dict[str, Any]]:
        """The policy sized for the lowest fill-rate target (bisection to 0.05 points,
        between 0.5 and 0.9995) whose replay reaches `target`, as the min/max is tuned:
        policies are compared at the fill rate they deliver, not the one they aim at.
        Sized for 0.9995 when even that falls short."""
        low, high = 0.5, 0.9995
        if self._fill_of(size(high)) < target:
            return size(high), {"sized_for": high, "reaches_target": False}
        while high - low > 0.0005:
            middle = (low + high) / 2.0
            if self._fill_of(size(middle)) >= target:
                high = middle
            else:
                low = middle
        return size(high), {"sized_for": round(high, 4), "reaches_target": True}

    def _fill_of(self, policy: Policy) -> float:
        return self.figures(self.replay(policy))["fill_rate"]

    def _served_mean(self) -> np.ndarray:
        """Mean demand per period each row serves: its customers', plus its branches'."""
        mean = self.data.demand.mean(axis=1)
        parent = self.data.parent
        child = parent >= 0
        served = mean + np.bincount(parent[child], mean[child], minlength=mean.size)
        return np.asarray(served, dtype=np.float64)

    def _tuned_min_max(self, target: float, group: np.ndarray) -> tuple[Policy, dict[str, Any]]:
        """min 2 / max 4 periods of mean demand times k, k per group.

        One group: the smallest k (doubling, then bisection to 1%) whose network fill
        rate reaches `target`. Several: every group's stock and shortage are read off
        one replay per k on a grid (x1.1 from 0.05 to 62); each group then takes the k
        minimising stock value + lambda x units short, lambda the smallest that meets
        the network's target on the grid; a last bisection on a common factor makes up
        for what the groups do to each other through their DCs. One k for all is kept
        when it holds less stock (a grid is coarse)."""
        mean = self._served_mean()
        scale = np.ones(mean.size)
        groups = np.unique(group)
        if groups.size > 1:
            scale = self._per_group(mean, group, groups, target)
        scale = self._scaled_to(target, mean, scale)
        if groups.size > 1:  # keep one k for all when the grid found nothing better
            common = self._scaled_to(target, mean, np.ones(mean.size))
            if self._value(mean, common) <= self._value(mean, scale):
                scale = common
        found = {str(int(g)): round(float(scale[group == g][0]), 4) for g in groups}
        return replace(_scaled_min_max(mean, scale), name="min/max"), {"multipliers": found}

    def _scaled_to(self, target: float, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """`scale` times the smallest common factor that reaches `target`."""
        low, high = 0.0, 1.0
        while self._fill(mean, scale * high) < target and high < 256.0:
            low, high = high, high * 2.0
        while high - low > 0.01 * high:
            middle = (low + high) / 2.0
            if self._fill(mean, scale * middle) >= target:
                high = middle
            else:
                low = middle
        return scale * high

    def _value(self, mean: np.ndarray, scale: np.ndarray) -> float:
        return self.figures(self.replay(_scaled_min_max(mean, scale)))["average_on_hand_value"]

    def _fill(self, mean: np.ndarray, scale: np.ndarray) -> float:
        return self._fill_of(_scaled_min_max(mean, scale))

    def _per_group(
        self, mean: np.ndarray, group: np.ndarray, groups: np.ndarray, target: float
    ) -> np.ndarray:
        grid = 0.05 * 1.1 ** np.arange(76)
        value = np.zeros((groups.size, grid.size))
        short = np.zeros((groups.size, grid.size))
        demand = 0.0
        for j, k in enumerate(grid):
            run = self.replay(_scaled_min_max(mean, np.full(mean.size, k)))
            for i, g in enumerate(groups):
                figures = self.figures(run, group == g)
                value[i, j] = figures["average_on_hand_value"]
                short[i, j] = figures["short_units"]
            demand = self.figures(run)["demand_units"]
        allowed = (1.0 - target) * demand
        best = np.argmin(value, axis=1)  # lambda = 0: the least stock
        for weight in np.geomspace(1e-6, 1e6, 241) * value.max() / max(demand, 1.0):
            choice = np.argmin(value + weight * short, axis=1)
            if short[np.arange(groups.size), choice].sum() <= allowed:
                best = choice
                break
        else:
            best = np.full(groups.size, grid.size - 1)
        return np.asarray(grid[best][np.searchsorted(groups, group)], dtype=np.float64)

    def _abc_class(self) -> np.ndarray:
        """0/1/2 for A/B/C by demand value of the item-location's customer demand; DCs
        join the class of the item's largest branch."""
        value = self.data.demand.sum(axis=1) * self.data.unit_cost
        order = np.argsort(-value)
        share = np.cumsum(value[order]) / max(value.sum(), 1e-12)
        klass = np.empty(value.size, dtype=np.int64)
        klass[order] = np.where(share <= 0.8, 0, np.where(share <= 0.95, 1, 2))
        parent = self.data.parent
        for dc in np.unique(parent[parent >= 0]):
            klass[dc] = klass[parent == dc].min()
        return klass

    def _normal(self, target: float) -> ReorderPolicy:
        """Classic (s, S): normal lead-time demand from the history's mean and standard
        deviation per period, every row on its own (a DC: what it ships)."""
        data = self.data
        parent = data.parent
        child = parent >= 0
        mean = self._served_mean()
        var = data.demand.var(axis=1)
        var = var + np.bincount(parent[child], var[child], minlength=mean.size)
        demand = lead_time_demand(
            demand_mean=mean,
            demand_std=np.sqrt(var),
            lead_time_mean=data.lead_times.mean(),
            lead_time_std=data.lead_times.std(),
            review_period=self.settings.review_period,
            family="normal",
        )
        cycle = np.maximum(mean * self.settings.review_period, 1e-9)
        levels = size_for_fill_rate(demand, fill_rate=target, cycle_quantity=cycle)
        return ReorderPolicy(
            name="(s, S) normal",
            reorder_point=np.ceil(levels.reorder_point) - 1.0,
            order_up_to=levels.reorder_point,
        )

    def _crossdock(self, target: float) -> CrossdockPolicy:
        network, data, s = self.network, self.data, self.settings
        setup = EngineSetup(
            series=network.rows["series"].tolist(),
            period_starts=network.period_starts,
            freq=network.bucket,
            lead_time_mean=data.lead_times.mean(),
            lead_time_std=data.lead_times.std(),
            fill_rate=np.full(data.rows, target),
            parent=data.parent,
            review_period=s.review_period,
            drivers=network.drivers,
            refit_every=s.refit_every,
            season_length=s.season_length,
            spread=s.spread,
            forecast_jobs=s.forecast_jobs,
            min_history=s.min_history,
            expedite_lead_time=data.expedite_lead_time,
            expedite_cost=data.costs["expedite_cost"],
            shortage_cost=data.costs["shortage_cost"],
        )
        return CrossdockPolicy(setup, forecasts=self._forecasts)

    # -- results -----------------------------------------------------------------


def _scaled_min_max(mean: np.ndarray, scale: np.ndarray) -> ReorderPolicy:
    """min = 2k, max = 4k periods of mean demand, k per row."""
    return static_min_max(mean * scale, min_periods=2.0, max_periods=4.0)
