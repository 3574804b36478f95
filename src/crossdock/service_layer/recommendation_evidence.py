"""The evidence behind one recommendation, for the page that decides it: the demand
forecast with its range, stock projected day by day without and with the action, and
the supplier's lead-time history.

Where each number comes from (docs/workbench.md, "Recommendation evidence"):

- Forecast: a plan stores only its horizon totals per item-location (the drivers'
  `forecast`), so the periods are recomputed with the planning engine
  (`forecast_demand`) from the item-location's demand history up to the plan's day,
  with the plan's recorded period length and backtest windows. Price and promotion
  drivers are left out, and the range is calibrated on this series alone, so the
  numbers can differ a little from the plan's; both totals are returned side by side.
- Projection: the plan's own `project_inventory` over the newest stock count on or
  before that day, the open inbound supply and the recomputed forecast, without and
  with the action (`evidence_projection` says exactly what the action changes). Here:
  the policy's safety stock and reorder point, and what the shipping warehouse keeps.
- Lead times: the supplier's received PO lines of the item (of every item when the
  item has none), days from order to receipt next to the days promised, and the
  quoted lead time of the supply terms.

Only quantities and dates are returned: there is no money here for masking to hide.
What cannot be known is None, with a short reason in the matching `*_why` field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

import pandas as pd

from crossdock.domain.errors import CrossdockError
from crossdock.governance.access import Principal, authorize, in_sites
from crossdock.planning.forecasting import densify, forecast_demand
from crossdock.service_layer.deciding import UnknownRecommendation
from crossdock.service_layer.evidence_ports import EvidenceReads, EvidenceSubject, StockCount
from crossdock.service_layer.evidence_projection import (
    DailyDemand,
    ProjectionEvidence,
    receiver_projection,
    shipper_projection,
)
from crossdock.service_layer.plan_settings import PlanSettings

BAND_LEVEL: Final = 80  # the range shown: the forecast's 10% and 90% quantiles
HISTORY_PERIODS: Final = 12  # periods of actual demand shown before the forecast
MIN_CHART_DAYS: Final = 28
RECEIPTS_SHOWN: Final = 30
_Z80: Final = 1.2815515655446004  # the normal's 90% quantile: the 80% range's upper z
_TRANSFER_KINDS: Final = frozenset({"transfer", "rebalance"})


@dataclass(frozen=True)
class ForecastEvidence:
    """Demand per period at one warehouse: actual up to the plan's day, then forecast.

    `periods` are each period's last day; `actual` is None after today, `mean`, `low`
    and `high` (the BAND_LEVEL % range) are None up to today (`today_index`)."""

    location_code: str
    period_days: int
    periods: list[date]
    actual: list[float | None]
    mean: list[float | None]
    low: list[float | None]
    high: list[float | None]
    today_index: int
    model: str
    demand_class: str
    source: str
    level: int = BAND_LEVEL
    plan_horizon_days: int | None = None
    plan_demand: float | None = None  # the plan's stored forecast over its horizon
    recomputed_demand: float | None = None  # this forecast over the same days


@dataclass(frozen=True)
class LeadTimeObservation:
    po_number: str
    line_number: int
    location_code: str
    order_date: date
    received_date: date
    days: int
    promised_days: int | None


@dataclass(frozen=True)
class LeadTimeEvidence:
    """Received PO lines of a supplier, oldest first; `sku` None: every item's."""

    supplier_code: str
    sku: str | None
    observations: list[LeadTimeObservation]
    quoted_days: float | None

    @property
    def mean_days(self) -> float:
        return sum(o.days for o in self.observations) / len(self.observations)


@dataclass(frozen=True)
class RecommendationEvidence:
    recommendation_id: int
    as_of: date | None
    as_of_source: str
    forecast: ForecastEvidence | None = None
    forecast_why: str | None = None
    projection: ProjectionEvidence | None = None
    projection_why: str | None = None
    source_projection: ProjectionEvidence | None = None
    source_projection_why: str | None = None
    lead_times: LeadTimeEvidence | None = None
    lead_times_why: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Settings:
    period_days: int
    freq: str
    backtest_windows: int
    horizon_days: int
    max_horizon_days: int
    review_period_days: int

    @classmethod
    def of(cls, recorded: Mapping[str, Any]) -> _Settings:
        default = PlanSettings()
        freq = str(recorded.get("forecast_freq", default.forecast_freq))
        return cls(
            period_days=7 if freq == "W" else 1,
            freq=freq,
            backtest_windows=int(recorded.get("backtest_windows", default.backtest_windows)),
            horizon_days=int(recorded.get("horizon_days", default.horizon_days)),
            max_horizon_days=int(recorded.get("max_horizon_days", default.max_horizon_days)),
            review_period_days=int(recorded.get("review_period_days", default.review_period_days)),
        )


def recommendation_evidence(
    reads: EvidenceReads, *, actor: Principal, recommendation_id: int
) -> RecommendationEvidence:
    """The forecast, projection and lead-time evidence of one recommendation.

    Raises:
        NotAllowed: `actor` may not view recommendations.
        UnknownRecommendation: no such recommendation, or not at the actor's sites.
    """
    authorize(actor, "view_recommendations")
    subject = reads.subject(recommendation_id)
    if subject is None or not in_sites(actor, subject.to_code):
        raise UnknownRecommendation(recommendation_id)
    settings = _Settings.of(subject.plan_settings)
    stock = reads.stock(sku=subject.sku, location_code=subject.to_code, as_of=subject.plan_as_of)
    as_of, as_of_source = _as_of(subject, stock)
    if as_of is None:
        why = f"{subject.sku} was never counted at {subject.to_code}"
        return RecommendationEvidence(
            recommendation_id,
            None,
            as_of_source,
            forecast_why=why,
            projection_why=why,
            lead_times_why=why,
        )
    horizon = _horizon_days(subject, settings, as_of=as_of)
    locations = [subject.to_code]
    if subject.kind in _TRANSFER_KINDS and subject.from_code:
        locations.append(subject.from_code)
    forecasts, forecast_why = _forecasts(
        reads, subject, locations, settings, as_of=as_of, horizon=horizon
    )
    forecast = forecasts.get(subject.to_code)
    projection, projection_why = _projection_or_why(
        reads, subject, stock, forecast, forecast_why, as_of=as_of, horizon=horizon
    )
    source, source_why = _source_projection(
        reads, actor, subject, forecasts, forecast_why, as_of=as_of, horizon=horizon
    )
    lead_times, lead_times_why = _lead_times(reads, subject, as_of=as_of)
    return RecommendationEvidence(
        recommendation_id=recommendation_id,
        as_of=as_of,
        as_of_source=as_of_source,
        forecast=forecast,
        forecast_why=None if forecast else forecast_why.get(subject.to_code),
        projection=projection,
        projection_why=projection_why,
        source_projection=source,
        source_projection_why=source_why,
        lead_times=lead_times,
        lead_times_why=lead_times_why,
    )


def _as_of(subject: EvidenceSubject, stock: StockCount | None) -> tuple[date | None, str]:
    if subject.plan_as_of is not None:
        return subject.plan_as_of, f"plan run #{subject.plan_run_id} as of its day"
    if stock is None:
        return None, "no stock count"
    return stock.counted_on, "the newest stock count (an agent's recommendation)"


def _horizon_days(subject: EvidenceSubject, settings: _Settings, *, as_of: date) -> int:
    """Days charted: the plan's horizon for the item-location, at least MIN_CHART_DAYS,
    and past the arrival by a review period; never beyond the plan's longest horizon."""
    planned = _number(subject.drivers.get("forecast", {}).get("horizon_days"))
    days = max(int(planned or settings.horizon_days), MIN_CHART_DAYS)
    if subject.arrival_date is not None:
        days = max(days, (subject.arrival_date - as_of).days + settings.review_period_days)
    return min(days, max(settings.max_horizon_days, MIN_CHART_DAYS))


# ---------------------------------------------------------------- forecast


def _forecasts(
    reads: EvidenceReads,
    subject: EvidenceSubject,
    locations: Sequence[str],
    settings: _Settings,
    *,
    as_of: date,
    horizon: int,
) -> tuple[dict[str, ForecastEvidence], dict[str, str]]:
    step = settings.period_days
    periods = -(-horizon // step)
    history = pd.DataFrame(
        [
            {"unique_id": location, "ds": pd.Timestamp(day), "y": quantity}
            for location in locations
            for day, quantity in reads.daily_demand(
                sku=subject.sku, location_code=location, through=as_of
            )
        ],
        columns=["unique_id", "ds", "y"],
    )
    why: dict[str, str] = {}
    if history.empty or not (history["y"] > 0).any():
        for location in locations:
            why[location] = f"no demand recorded for {subject.sku} at {location} by {as_of}"
        return {}, why
    try:
        result = forecast_demand(
            history,
            horizon=periods,
            as_of=as_of,
            freq=settings.freq,
            levels=(BAND_LEVEL, 90),
            n_windows=settings.backtest_windows,
        )
    except (CrossdockError, ValueError) as error:
        return {}, dict.fromkeys(locations, f"the forecast failed: {error}")
    actual = densify(history, as_of=as_of, freq=settings.freq)
    found: dict[str, ForecastEvidence] = {}
    for location in locations:
        rows = result.forecasts[result.forecasts["unique_id"] == location]
        if rows.empty:
            why[location] = f"no demand recorded for {subject.sku} at {location} by {as_of}"
            continue
        chosen = result.selection[result.selection["unique_id"] == location].iloc[0]
        past = actual[actual["unique_id"] == location].tail(HISTORY_PERIODS)
        found[location] = _forecast_evidence(
            subject, location, past, rows, chosen, settings, as_of=as_of
        )
    return found, why


def _forecast_evidence(
    subject: EvidenceSubject,
    location: str,
    past: pd.DataFrame,
    rows: pd.DataFrame,
    chosen: pd.Series,
    settings: _Settings,
    *,
    as_of: date,
) -> ForecastEvidence:
    n_past, n_next = len(past), len(rows)
    blank_past: list[float | None] = [None] * n_past
    mean = [float(v) for v in rows["mean"]]
    plan = subject.drivers.get("forecast", {}) if location == subject.to_code else {}
    plan_days = int(_number(plan.get("horizon_days")) or 0)
    per_day = _per_day(mean, step=settings.period_days)
    kind = "weekly" if settings.period_days == 7 else "daily"
    return ForecastEvidence(
        location_code=location,
        period_days=settings.period_days,
        periods=[ts.date() for ts in past["ds"]] + [ts.date() for ts in rows["ds"]],
        actual=[float(v) for v in past["y"]] + [None] * n_next,
        mean=blank_past + list(mean),
        low=blank_past + [float(v) for v in rows[f"lo-{BAND_LEVEL}"]],
        high=blank_past + [float(v) for v in rows[f"hi-{BAND_LEVEL}"]],
        today_index=max(n_past - 1, 0),
        model=str(chosen["model"]),
        demand_class=str(chosen["demand_class"]),
        source=(
            f"recomputed from the demand history up to {as_of.isoformat()} with the "
            f"plan's {kind} periods and {settings.backtest_windows} backtest window(s); "
            "the plan stores only its horizon total"
        ),
        plan_horizon_days=plan_days or None,
        plan_demand=_number(plan.get("mean")),
        recomputed_demand=round(sum(per_day[:plan_days]), 4) if plan_days else None,
    )


def _per_day(values: Sequence[float], *, step: int) -> list[float]:
    """Each period's value spread evenly over its days, as the plan lays it out."""
    return [value / step for value in values for _ in range(step)]


# ---------------------------------------------------------------- projection


def _projection_or_why(
    reads: EvidenceReads,
    subject: EvidenceSubject,
    stock: StockCount | None,
    forecast: ForecastEvidence | None,
    forecast_why: Mapping[str, str],
    *,
    as_of: date,
    horizon: int,
) -> tuple[ProjectionEvidence | None, str | None]:
    if stock is None:
        return None, f"{subject.sku} was never counted at {subject.to_code} by {as_of}"
    policy = subject.drivers.get("policy", {})
    projection = receiver_projection(
        reads, subject, stock, _daily_of(forecast), as_of=as_of, horizon=horizon
    )
    return replace(
        projection,
        safety_stock=_number(policy.get("safety_stock")),
        reorder_point=_number(policy.get("reorder_point")),
    ), _no_forecast_note(forecast, forecast_why.get(subject.to_code))


def _source_projection(
    reads: EvidenceReads,
    actor: Principal,
    subject: EvidenceSubject,
    forecasts: Mapping[str, ForecastEvidence],
    forecast_why: Mapping[str, str],
    *,
    as_of: date,
    horizon: int,
) -> tuple[ProjectionEvidence | None, str | None]:
    source = subject.from_code
    if subject.kind not in _TRANSFER_KINDS or not source:
        return None, None
    if not in_sites(actor, source):
        return None, f"{source} is not one of your sites"
    stock = reads.stock(sku=subject.sku, location_code=source, as_of=as_of)
    if stock is None:
        return None, f"{subject.sku} was never counted at {source} by {as_of}"
    projection = shipper_projection(
        reads,
        subject,
        stock,
        _daily_of(forecasts.get(source)),
        source=source,
        as_of=as_of,
        horizon=horizon,
    )
    keeps = _number(subject.drivers.get("source", {}).get("keeps"))
    shipped = replace(projection, reorder_point=keeps)
    return shipped, _no_forecast_note(forecasts.get(source), forecast_why.get(source))


def _no_forecast_note(forecast: ForecastEvidence | None, why: str | None) -> str | None:
    return None if forecast is not None else f"projected without demand: {why}"


def _daily_of(forecast: ForecastEvidence | None) -> DailyDemand:
    """The forecast per day after as_of: means spread evenly over each period's days,
    variances too, the spread read from the range's upper bound (as plan_frames does
    from its 90% bound)."""
    if forecast is None:
        return DailyDemand([], [])
    step = forecast.period_days
    ahead = [
        (mean, high)
        for mean, high in zip(forecast.mean, forecast.high, strict=True)
        if mean is not None and high is not None
    ]
    spread = [max(high - mean, 0.0) / _Z80 for mean, high in ahead]
    return DailyDemand(
        _per_day([mean for mean, _ in ahead], step=step),
        [math.sqrt(s**2 / step) for s in spread for _ in range(step)],
    )


# ---------------------------------------------------------------- lead times


def _lead_times(
    reads: EvidenceReads, subject: EvidenceSubject, *, as_of: date
) -> tuple[LeadTimeEvidence | None, str | None]:
    supplier = subject.supplier_code
    if subject.kind in _TRANSFER_KINDS:
        return None, "a transfer between own warehouses: no supplier lead time"
    if not supplier:
        return None, "the recommendation names no supplier"
    scope: str | None = subject.sku
    received = reads.receipts(
        supplier_code=supplier, sku=subject.sku, through=as_of, limit=RECEIPTS_SHOWN
    )
    if not received:
        scope = None
        received = reads.receipts(
            supplier_code=supplier, sku=None, through=as_of, limit=RECEIPTS_SHOWN
        )
    if not received:
        return None, f"{supplier} has no received PO lines by {as_of.isoformat()}"
    observations = [
        LeadTimeObservation(
            po_number=r.po_number,
            line_number=r.line_number,
            location_code=r.location_code,
            order_date=r.order_date,
            received_date=r.received_date,
            days=(r.received_date - r.order_date).days,
            promised_days=(r.promised_date - r.order_date).days if r.promised_date else None,
        )
        for r in received
    ]
    quoted = reads.quoted_lead_time(supplier_code=supplier, sku=subject.sku)
    return LeadTimeEvidence(supplier, scope, observations, quoted), None


# ---------------------------------------------------------------- small helpers


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
