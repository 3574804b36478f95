"""`crossdock simulate`: replay the store's demand history through its network under
several policies, side by side, and report service, stock and cost (issue 4).

Policies compared (docs/planning/simulation.md):
- min/max tuned: the ERP order point, min 2 and max 4 periods of average demand
  (a DC: of what it ships) scaled by one multiplier tuned to the fill-rate target;
- min/max tuned per ABC class: one multiplier per class (A: the item-locations making
  80% of demand value, B: the next 15%, C: the rest), chosen together for the least
  stock that meets the network's target, the stronger baseline;
- (s, S) normal: classic safety stock, normal lead-time demand from the history's mean
  and spread, sized for the fill-rate target, every row on its own;
- Crossdock: the planning engine re-planning every review on data up to that day;
- perfect foresight: the just-in-time oracle.
Every policy replays the same demand and the same lead-time draws (one seed); figures
are scored after a warm-up, during which the engine has little history. Policies are
compared at the fill rate they deliver: the min/max multipliers are tuned to the target
and, with `calibrate`, the (s, S) and the engine are sized for the lowest target that
reaches it in the replay (all in-sample, on the history they are scored on).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from crossdock.planning.simulation import SimulationRun
from crossdock.planning.simulation.engine import SPREADS
from crossdock.service_layer.importing import Progress as ProgressSink
from crossdock.service_layer.simulation_network import SimulationNetwork
from crossdock.service_layer.simulation_policies import (
    NAMES,
    POLICIES,
    PolicyBench,
    SimulationSettings,
)

__all__ = ["POLICIES", "SimulationSettings", "compare_policies"]

_BUCKET_NAMES = {"D": "day", "W": "week", "MS": "month"}


@dataclass
class _Scored:
    kind: str
    run: SimulationRun
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def compare_policies(
    network: SimulationNetwork,
    settings: SimulationSettings,
    *,
    title: str = "",
    progress: ProgressSink | None = None,
) -> dict[str, Any]:
    """Run every policy asked for (and the sweep), and return the results document
    (see docs/planning/simulation.md, "results.json")."""
    progress = progress or _no_progress
    unknown = set(settings.policies) - set(POLICIES)
    if unknown:
        raise ValueError(f"policies: unknown {sorted(unknown)}; choose from {', '.join(POLICIES)}")
    if settings.spread not in SPREADS:
        raise ValueError(f"spread: {settings.spread!r} is not one of {', '.join(SPREADS)}")
    if not 0.0 < settings.target_fill_rate < 1.0:
        raise ValueError(
            f"target_fill_rate: need a share in (0, 1), got {settings.target_fill_rate}"
        )
    if settings.warmup_periods >= network.inputs.demand.shape[1]:
        raise ValueError(
            f"warmup_periods: {settings.warmup_periods} leaves none of the "
            f"{network.inputs.demand.shape[1]} periods to score"
        )
    data = network.inputs.checked()
    context = PolicyBench(network, data, settings)
    scored: dict[str, _Scored] = {}
    for kind in settings.policies:
        advance = progress(f"replay: {NAMES[kind]}", 1)
        started = time.perf_counter()
        policy, extra = context.policy(kind, settings.target_fill_rate)
        run = context.replay(policy)
        scored[kind] = _Scored(kind, run, time.perf_counter() - started, extra)
        advance(1)
    frontier = []
    if settings.sweep:
        sweepable = [k for k in settings.policies if k != "oracle"]
        advance = progress("frontier sweep", len(sweepable) * len(settings.sweep))
        for kind in sweepable:
            points = []
            for target in settings.sweep:
                policy, _ = context.policy(kind, target)
                figures = context.figures(context.replay(policy))
                points.append(
                    {
                        "target": target,
                        "fill_rate": figures["fill_rate"],
                        "average_on_hand_value": figures["average_on_hand_value"],
                        "total_cost": figures["total_cost"],
                    }
                )
                advance(1)
            frontier.append({"policy": NAMES[kind], "points": points})
    return _Results(context).results(scored, frontier, title)


def _no_progress(description: str, total: int) -> Callable[[int], None]:  # noqa: ARG001
    return lambda rows: None  # noqa: ARG005


@dataclass
class _Results:
    """Assembles the results document from the scored runs."""

    bench: PolicyBench

    def results(
        self, scored: dict[str, _Scored], frontier: list[dict[str, Any]], title: str
    ) -> dict[str, Any]:
        network, s = self.bench.network, self.bench.settings
        rows = network.rows
        is_dc = rows["location_type"].eq("dc").to_numpy() | np.isin(
            np.arange(len(rows)), self.bench.data.parent
        )
        policies = []
        for kind, entry in scored.items():
            figures = self.bench.figures(entry.run)
            costs = {
                k[: -len("_cost")]: figures.pop(k) for k in list(figures) if k.endswith("_cost")
            }
            value = entry.run.on_hand * self.bench.data.unit_cost[:, None]
            policies.append(
                {
                    "name": NAMES[kind],
                    "kind": kind,
                    "seconds": round(entry.seconds, 3),
                    "network": figures,
                    "costs": costs,
                    "locations": self._locations(entry.run, is_dc),
                    "on_hand_value_by_period": value.sum(axis=0).round(2).tolist(),
                    **entry.extra,
                }
            )
        return {
            "title": title,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "settings": {
                "seed": s.seed,
                "bucket": _BUCKET_NAMES[network.bucket],
                "periods": int(self.bench.data.periods),
                "warmup_periods": s.warmup_periods,
                "first_period": str(network.period_starts[0].date()),
                "lost_sales": s.lost_sales,
                "review_period": s.review_period,
                "target_fill_rate": s.target_fill_rate,
                "refit_every": s.refit_every,
                "spread": s.spread,
                "calibrate": s.calibrate,
                "min_history": s.min_history,
            },
            "network": {
                "item_locations": len(rows),
                "items": int(rows["sku"].nunique()),
                "locations": int(rows["location_code"].nunique()),
                "dcs": int(rows.loc[is_dc, "location_code"].nunique()),
                "branches": int(rows.loc[~is_dc, "location_code"].nunique()),
            },
            "policies": policies,
            "frontier": frontier,
            "series": self._series(scored),
        }

    def _locations(self, run: SimulationRun, is_dc: np.ndarray) -> list[dict[str, Any]]:
        rows = self.bench.network.rows
        out = []
        for code, index in rows.groupby("location_code").indices.items():
            mask = np.zeros(len(rows), dtype=np.bool_)
            mask[index] = True
            figures = self.bench.figures(run, mask)
            out.append(
                {
                    "location_code": str(code),
                    "role": "dc" if is_dc[index].any() else "branch",
                    **{k: figures[k] for k in _LOCATION_FIGURES},
                }
            )
        return out

    def _series(self, scored: dict[str, _Scored]) -> list[dict[str, Any]]:
        """The busiest branch item-locations, with each policy's on hand over time."""
        data = self.bench.data
        shown = np.argsort(-data.demand.sum(axis=1))[: self.bench.settings.series_shown]
        rows = self.bench.network.rows
        return [
            {
                "sku": str(rows["sku"].iloc[i]),
                "location_code": str(rows["location_code"].iloc[i]),
                "demand": data.demand[i].tolist(),
                "on_hand": {NAMES[k]: e.run.on_hand[i].tolist() for k, e in scored.items()},
            }
            for i in shown
        ]


_LOCATION_FIGURES = (
    "fill_rate",
    "average_on_hand",
    "average_on_hand_value",
    "days_of_supply",
    "stockout_periods",
    "total_cost",
)
