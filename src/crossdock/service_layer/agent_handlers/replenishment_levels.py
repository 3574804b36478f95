"""The replenishment agent's policy levels and cost terms, from the plan's own engine.

With the newest plan's drivers for the item-location, its safety stock and reorder
point are taken as they are; when demand has shifted level, they are re-sized by
`planning.policy.size_network` (the plan's sizing call, for that one row) with the
plan's forecast scaled by the shift. Without them, `size_network` sizes that one
item-location from its recent daily demand and its primary supplier's quoted lead time,
at the fill-rate target the plan would give it. The money uses the plan's cost terms
(`PlanSettings`) and its expected shortage over the protection interval
(`planning.decisions.costs.expected_shortage`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from crossdock.agents.replenishment import Costs, ItemFacts, Levels, PlanRow, Shortfall, Supplier

if TYPE_CHECKING:
    from crossdock.service_layer.plan_settings import PlanSettings

# The planning engine (numpy, pandas, scipy, statsforecast) is imported where it sizes,
# so `crossdock agents` and `--help` do not load it.

HISTORY_DAYS = 56  # daily demand read when sizing one item-location now
UNTESTED_CONFIDENCE = 0.5  # the plan's forecast confidence for a series it did not backtest


@dataclass(frozen=True, slots=True)
class Sized:
    levels: Levels
    costs: Costs
    shortfall: Shortfall
    confidence: float


def from_plan(plan: PlanRow, *, unit_cost: float, shift: float | None) -> Sized:
    """The plan's levels for the item-location, re-sized when demand shifted by `shift`
    (actual / expected)."""
    settings = recorded_settings(plan.settings)
    forecast, policy = plan.drivers["forecast"], plan.drivers["policy"]
    lead = plan.drivers.get("lead_time") or {}
    horizon = int(forecast["horizon_days"])
    review = float(settings.review_period_days)
    mean, std = float(forecast["mean"]), float(forecast["std"])
    from crossdock.service_layer.plan_frames import SPORADIC  # noqa: PLC0415

    sporadic = forecast.get("demand_class") in SPORADIC
    fill = float(policy["fill_rate_target"])
    basis = f"plan run #{plan.plan_run_id} as of {plan.as_of.isoformat()}"
    safety, reorder = float(policy["safety_stock"]), float(policy["reorder_point"])
    if shift is not None:
        mean, std = mean * shift, std * shift
        lead_mean = _number(lead.get("mean_days"), default=max(horizon - review, 0.0))
        safety, reorder = size_one(
            per_day_mean=mean / horizon,
            per_day_std=std / math.sqrt(horizon),
            lead_time_mean=lead_mean,
            lead_time_std=_number(lead.get("std_days"), default=0.0),
            review_period=review,
            fill_rate=fill,
            intermittent=sporadic,
        )
        basis += f", re-sized by the plan's engine for demand at {shift:.2f} times its forecast"
    wape = forecast.get("backtest_wape")
    return Sized(
        levels=Levels(safety, reorder, mean, std, horizon, fill, basis),
        costs=Costs(
            unit_cost=unit_cost,
            shortage_penalty=float(policy["shortage_penalty"]),
            holding_per_unit=unit_cost * settings.holding_rate * review / 365.0,
            ordering_cost=settings.ordering_cost,
        ),
        shortfall=shortfall(mean, std, gamma=sporadic or _erratic(mean, std, horizon)),
        confidence=UNTESTED_CONFIDENCE if wape is None else min(max(1.0 - wape, 0.05), 1.0),
    )


def sized_now(
    daily_demand: Sequence[float],
    *,
    item: ItemFacts,
    tier: str | None,
    supplier: Supplier,
    shift: float | None = None,
) -> Sized:
    """Levels for one item-location the newest plan has none for, sized by the plan's
    engine from `daily_demand` (one value per day, zeros included; scaled by `shift`
    when demand has moved to a new level) with the default plan settings; the lead time
    is the primary supplier's quoted one."""
    from crossdock.service_layer.plan_settings import PlanSettings  # noqa: PLC0415

    settings = PlanSettings()
    scale = 1.0 if shift is None else shift
    per_day = scale * statistics.fmean(daily_demand) if daily_demand else 0.0
    spread = scale * statistics.stdev(daily_demand) if len(daily_demand) > 1 else 0.0
    lead, review = float(supplier.lead_time_days), float(settings.review_period_days)
    horizon = min(max(math.ceil(lead + review), settings.horizon_days), settings.max_horizon_days)
    fill = float(settings.fill_rate_table().lookup([item.criticality], [tier])[0])
    safety, reorder = size_one(
        per_day_mean=per_day,
        per_day_std=spread,
        lead_time_mean=lead,
        lead_time_std=0.0,
        review_period=review,
        fill_rate=fill,
        intermittent=False,
    )
    margin = (item.unit_price or 0.0) - item.unit_cost
    if margin <= 0:
        margin = item.unit_cost * settings.default_margin_rate
    penalty = (
        margin
        * settings.tier_penalty.get(tier or "silver", settings.tier_penalty["silver"])
        * settings.criticality_penalty.get(item.criticality or "", 1.0)
    )
    mean, std = per_day * horizon, spread * math.sqrt(horizon)
    basis = (
        f"sized now by the plan's engine from {len(daily_demand)} days of demand "
        f"({per_day:,.2f} a day{'' if shift is None else f', {shift:.2f} times the past'}) "
        f"and {supplier.supplier_code}'s {supplier.lead_time_days}-day lead time: the newest "
        "plan has no levels for it"
    )
    return Sized(
        levels=Levels(safety, reorder, mean, std, horizon, fill, basis),
        costs=Costs(
            unit_cost=item.unit_cost,
            shortage_penalty=penalty,
            holding_per_unit=item.unit_cost * settings.holding_rate * review / 365.0,
            ordering_cost=settings.ordering_cost,
        ),
        shortfall=shortfall(mean, std, gamma=_erratic(mean, std, horizon)),
        confidence=UNTESTED_CONFIDENCE,
    )


def size_one(
    *,
    per_day_mean: float,
    per_day_std: float,
    lead_time_mean: float,
    lead_time_std: float,
    review_period: float,
    fill_rate: float,
    intermittent: bool,
) -> tuple[float, float]:
    """(safety stock, reorder point) of one item-location, as the plan sizes a row that
    no other warehouse replenishes."""
    from crossdock.planning.policy import size_network  # noqa: PLC0415

    levels = size_network(
        demand_mean=[per_day_mean],
        demand_std=[per_day_std],
        lead_time_mean=[lead_time_mean],
        lead_time_std=[lead_time_std],
        review_period=review_period,
        fill_rate=[fill_rate],
        intermittent=[intermittent],
        parent=[-1],
    )
    return float(levels.safety_stock[0]), float(levels.reorder_point[0])


def shortfall(mean: float, std: float, *, gamma: bool) -> Shortfall:
    """Expected units short over the protection interval from a position, as the plan
    computes it (demand normal, or gamma when skewed)."""
    import numpy as np  # noqa: PLC0415

    from crossdock.planning.decisions.costs import HorizonDemand, expected_shortage  # noqa: PLC0415

    demand = HorizonDemand(
        mean=np.array([mean]),
        std=np.array([std]),
        committed=np.zeros(1),
        is_gamma=np.array([gamma]),
    )

    def units_short(position: float) -> float:
        return float(expected_shortage(demand, np.array([position]))[0])

    return units_short


def recorded_settings(recorded: Mapping[str, Any]) -> PlanSettings:
    """The settings a plan run recorded (its versions left out)."""
    from crossdock.service_layer.plan_settings import PlanSettings, plan_settings  # noqa: PLC0415

    known = {f.name for f in fields(PlanSettings)}
    return plan_settings({k: v for k, v in recorded.items() if k in known}, source="plan run")


def _erratic(mean: float, std: float, horizon: int) -> bool:
    """Demand per day more variable than the plan's gamma threshold."""
    from crossdock.planning.policy import GAMMA_CV_THRESHOLD  # noqa: PLC0415

    per_day_mean, per_day_std = mean / horizon, std / math.sqrt(horizon)
    return per_day_mean > 0 and per_day_std > GAMMA_CV_THRESHOLD * per_day_mean


def _number(value: object, *, default: float) -> float:
    return default if value is None else float(str(value))
