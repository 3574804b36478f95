"""The KPI dashboard: service, stock, cost, decisions and forecasts, each with its trend
over the last N weeks (docs/api.md, "GET /kpis").

Each figure is computed from what Crossdock stores, never estimated:

- fill rate: units shipped over units ordered on sales order lines by requested date
  (orders not cancelled), and the share of lines shipped in full;
- stockouts: item-locations whose newest snapshot shows nothing on hand;
- stock value, days of supply and turns: stock at unit cost at the week's end against
  the demand of the 28 days to then, at unit cost (days of supply = stock / daily
  demand; turns = a year's demand at that pace / stock); items without a unit cost are
  left out and counted;
- expedite cost: of recommendations executing or committed, by when they got there;
- exception resolution time: created to first decided, for order exceptions; approval
  time: sent for approval to first decided;
- acceptance, override and auto-approval rates, realised value: `decision_kpis`, per
  week by when the recommendation was last decided;
- forecast accuracy by location: 1 - the mean backtest WAPE the newest plan run of the
  week stored in its recommendations' drivers (item-locations it recommended for only);
  forecast bias the same way from their backtest bias, sum(forecast - actual) /
  sum(actual), positive when over-forecast (null with the reason for plans stored
  before bias was).

Stock value is supplier cost: roles that may not see it get null (`masked_fields`).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from crossdock.governance.access import Principal, authorize
from crossdock.governance.masking import MASKED_FIELDS_KEY, SUPPLIER_COST, visible_classes
from crossdock.service_layer.decision_kpis import (
    DecisionKpis,
    DecisionMix,
    RealisedValue,
    decision_kpis,
)
from crossdock.service_layer.kpi_ports import (
    DayDemand,
    DayFill,
    DecisionTiming,
    ForecastBacktest,
    KpiReads,
    StockOn,
)
from crossdock.service_layer.listing_ports import InvalidQuery
from crossdock.service_layer.outcome_ports import OutcomeStore

DEMAND_WINDOW_DAYS = 28
MAX_WEEKS = 52
ORDER_EXCEPTION = "order_exception"
NO_BIAS = "no plan run in the window stored a backtest bias"


@dataclass(frozen=True, slots=True)
class Week:
    """Seven days, `start` to `end` inclusive."""

    start: date
    end: date

    @property
    def opens(self) -> datetime:
        return datetime.combine(self.start, time.min, UTC)

    @property
    def closes(self) -> datetime:
        """The first instant after the week."""
        return datetime.combine(self.end + timedelta(days=1), time.min, UTC)


def weeks_ending(as_of: date, weeks: int) -> list[Week]:
    """`weeks` weeks, oldest first, the last ending on `as_of`."""
    ends = [as_of - timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]
    return [Week(start=end - timedelta(days=6), end=end) for end in ends]


# -- the arithmetic -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fill:
    lines: int = 0
    lines_filled: int = 0
    ordered: float = 0.0
    shipped: float = 0.0

    @property
    def unit_fill_rate(self) -> float | None:
        return _ratio(self.shipped, self.ordered)

    @property
    def line_fill_rate(self) -> float | None:
        return _ratio(self.lines_filled, self.lines)


def fill_of(days: Iterable[DayFill]) -> Fill:
    """Order lines summed over `days`."""
    total = Fill()
    for one in days:
        total = Fill(
            lines=total.lines + one.lines,
            lines_filled=total.lines_filled + one.lines_filled,
            ordered=total.ordered + one.ordered,
            shipped=total.shipped + one.shipped,
        )
    return total


def days_of_supply(stock_value: Decimal, demand_value: Decimal, *, days: int) -> float | None:
    """Stock over the daily demand of the last `days`; None without demand."""
    if demand_value <= 0:
        return None
    return round(float(stock_value / (demand_value / days)), 2)


def inventory_turns(stock_value: Decimal, demand_value: Decimal, *, days: int) -> float | None:
    """A year's demand at the pace of the last `days`, over the stock; None without stock."""
    if stock_value <= 0:
        return None
    return round(float(demand_value * 365 / days / stock_value), 2)


def hours(earlier: datetime, later: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def median_hours(spans: Sequence[float]) -> float | None:
    return None if not spans else round(statistics.median(spans), 2)


def forecast_accuracy(mean_wape: float) -> float:
    """1 - WAPE, floored at 0 (a WAPE above 1 is no accuracy at all)."""
    return round(max(0.0, 1.0 - mean_wape), 4)


def mix_between(since_start: DecisionMix, since_end: DecisionMix) -> DecisionMix:
    """Decisions whose last decision fell between two `since` dates: the difference."""
    return DecisionMix(
        auto_approved=since_start.auto_approved - since_end.auto_approved,
        approved=since_start.approved - since_end.approved,
        modified=since_start.modified - since_end.modified,
        rejected=since_start.rejected - since_end.rejected,
    )


def value_between(since_start: RealisedValue, since_end: RealisedValue) -> RealisedValue:
    return RealisedValue(
        scored=since_start.scored - since_end.scored,
        realised_value=since_start.realised_value - since_end.realised_value,
        stockout_units=since_start.stockout_units - since_end.stockout_units,
        excess_units=since_start.excess_units - since_end.excess_units,
    )


# -- the dashboard --------------------------------------------------------------------

DecisionKpisSince = Callable[[date], DecisionKpis]


@dataclass(slots=True)
class Figure:
    """One KPI: its value over the window (or at its end), the same per week, and why
    it is null when it is."""

    value: Any
    trend: list[Any]
    why: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    money_class: str | None = None  # the masking class of value and trend

    def to_json(self, weeks: Sequence[Week]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "value": self.value,
            **self.detail,
            "trend": [
                {"week_ending": week.end.isoformat(), "value": value}
                for week, value in zip(weeks, self.trend, strict=True)
            ],
        }
        if self.why is not None:
            out["why"] = self.why
        return out


def kpi_dashboard(
    reads: KpiReads,
    outcomes: OutcomeStore,
    *,
    actor: Principal,
    as_of: date,
    weeks: int = 8,
) -> dict[str, Any]:
    """Every KPI over the `weeks` weeks ending `as_of`, each with its weekly trend.

    Raises:
        InvalidQuery: `weeks` outside 1..52.
    """
    authorize(actor, "view_kpis")

    def decisions_since(day: date) -> DecisionKpis:
        return decision_kpis(outcomes, actor=actor, since=day)

    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidQuery(field="query.weeks", value=weeks, reason=f"must be 1 to {MAX_WEEKS}")
    window = weeks_ending(as_of, weeks)
    first, last = window[0], window[-1]
    figures: dict[str, Figure] = {}
    figures["fill_rate"] = _fill_rate(reads.order_fill(start=first.start, end=last.end), window)
    stock = {one.day: one for one in reads.stock_on([week.end for week in window])}
    demand = reads.demand_by_day(
        start=first.end - timedelta(days=DEMAND_WINDOW_DAYS - 1), end=last.end
    )
    figures.update(_stock_figures(stock, demand, window))
    figures["expedite_cost"] = _expedite_cost(reads, window)
    timings = reads.decision_timings(start=first.opens, end=last.closes)
    figures["exception_resolution_hours"] = _resolution(timings, window)
    figures["approval_hours"] = _approval(timings, window)
    decided = _decisions(decisions_since, window)
    figures.update(decided)
    figures.update(_forecast(reads.forecast_backtests(start=first.start, end=last.end), window))
    body: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "weeks": weeks,
        "week_endings": [week.end.isoformat() for week in window],
        "kpis": {name: figure.to_json(window) for name, figure in figures.items()},
    }
    return _masked(body, figures, actor)


def _fill_rate(fills: list[DayFill], window: list[Week]) -> Figure:
    total = fill_of(fills)
    per_week = [fill_of(f for f in fills if week.start <= f.day <= week.end) for week in window]
    return Figure(
        value=_round(total.unit_fill_rate),
        trend=[_round(fill.unit_fill_rate) for fill in per_week],
        why=None if total.lines else "no sales order lines requested in the window",
        detail={
            "lines": total.lines,
            "lines_filled": total.lines_filled,
            "line_fill_rate": _round(total.line_fill_rate),
            "ordered": total.ordered,
            "shipped": total.shipped,
        },
    )


def _stock_figures(
    stock: dict[date, StockOn], demand: list[DayDemand], window: list[Week]
) -> dict[str, Figure]:
    def demand_to(end: date) -> Decimal:
        start = end - timedelta(days=DEMAND_WINDOW_DAYS - 1)
        return sum((d.value_at_cost for d in demand if start <= d.day <= end), Decimal(0))

    ends = [week.end for week in window]
    at_end = stock.get(window[-1].end)
    no_stock = None if at_end else "no inventory snapshot on or before the window's end"
    values = [_money(stock[end].value_at_cost) if end in stock else None for end in ends]
    supply = [
        days_of_supply(stock[end].value_at_cost, demand_to(end), days=DEMAND_WINDOW_DAYS)
        if end in stock
        else None
        for end in ends
    ]
    turns = [
        inventory_turns(stock[end].value_at_cost, demand_to(end), days=DEMAND_WINDOW_DAYS)
        if end in stock
        else None
        for end in ends
    ]
    return {
        "stockouts": Figure(
            value=None if at_end is None else at_end.at_zero,
            trend=[stock[end].at_zero if end in stock else None for end in ends],
            why=no_stock,
            detail={
                "item_locations": None if at_end is None else at_end.item_locations,
                "share": None
                if at_end is None
                else _round(_ratio(at_end.at_zero, at_end.item_locations)),
            },
        ),
        "stock_value": Figure(
            value=values[-1],
            trend=values,
            why=no_stock,
            detail={"uncosted_item_locations": None if at_end is None else at_end.uncosted},
            money_class=SUPPLIER_COST,
        ),
        "days_of_supply": Figure(
            value=supply[-1],
            trend=supply,
            why=no_stock or (None if supply[-1] is not None else "no demand in the last 28 days"),
            detail={"demand_days": DEMAND_WINDOW_DAYS},
        ),
        "turns": Figure(
            value=turns[-1],
            trend=turns,
            why=no_stock or (None if turns[-1] is not None else "no stock at cost"),
            detail={"demand_days": DEMAND_WINDOW_DAYS},
        ),
    }


def _expedite_cost(reads: KpiReads, window: list[Week]) -> Figure:
    spend = reads.expedite_spend(start=window[0].opens, end=window[-1].closes)
    per_week = [
        sum((s.expedite_cost for s in spend if week.opens <= s.at < week.closes), Decimal(0))
        for week in window
    ]
    return Figure(
        value=_money(sum(per_week, Decimal(0))),
        trend=[_money(cost) for cost in per_week],
        detail={"recommendations": len(spend)},
    )


def _resolution(timings: list[DecisionTiming], window: list[Week]) -> Figure:
    spans = [
        (t.decided_at, hours(t.created_at, t.decided_at))
        for t in timings
        if t.kind == ORDER_EXCEPTION and t.created_at is not None
    ]
    return _span_figure(spans, window, none_why="no order exception decided in the window")


def _approval(timings: list[DecisionTiming], window: list[Week]) -> Figure:
    spans = [
        (t.decided_at, hours(t.requested_at, t.decided_at))
        for t in timings
        if t.requested_at is not None and t.requested_at <= t.decided_at
    ]
    return _span_figure(spans, window, none_why="no approval decided in the window")


def _span_figure(
    spans: list[tuple[datetime, float]], window: list[Week], *, none_why: str
) -> Figure:
    every = [span for _, span in spans]
    return Figure(
        value=median_hours(every),
        trend=[
            median_hours([span for at, span in spans if week.opens <= at < week.closes])
            for week in window
        ],
        why=None if every else none_why,
        detail={
            "statistic": "median",
            "mean": None if not every else round(statistics.fmean(every), 2),
            "decided": len(every),
        },
    )


def _decisions(decisions_since: DecisionKpisSince, window: list[Week]) -> dict[str, Figure]:
    bounds = [week.start for week in window] + [window[-1].end + timedelta(days=1)]
    seen = [decisions_since(bound) for bound in bounds]
    mixes = [mix_between(a.overall, b.overall) for a, b in pairwise(seen)]
    values = [value_between(a.value, b.value) for a, b in pairwise(seen)]
    mix = mix_between(seen[0].overall, seen[-1].overall)
    value = value_between(seen[0].value, seen[-1].value)
    rates = {
        name: Figure(
            value=mix.to_json()[name],
            trend=[m.to_json()[name] for m in mixes],
            why=None if mix.decided else "no recommendation decided in the window",
            detail={"decided": mix.decided},
        )
        for name in ("acceptance_rate", "override_rate", "auto_approval_rate")
    }
    rates["realised_value"] = Figure(
        value=value.to_json()["realised_value"] if value.scored else None,
        trend=[v.to_json()["realised_value"] if v.scored else None for v in values],
        why=None if value.scored else "no outcome scored for decisions in the window",
        detail={"scored": value.scored},
    )
    return rates


def _forecast(backtests: list[ForecastBacktest], window: list[Week]) -> dict[str, Figure]:
    def newest_in(week: Week) -> list[ForecastBacktest]:
        runs = [b for b in backtests if week.start <= b.as_of <= week.end]
        newest = max((b.plan_run_id for b in runs), default=None)
        return [b for b in runs if b.plan_run_id == newest]

    per_week = [newest_in(week) for week in window]
    latest = next((runs for runs in reversed(per_week) if runs), [])
    by_location = {
        b.location_code: {
            "accuracy": forecast_accuracy(b.mean_wape),
            "mean_wape": round(b.mean_wape, 4),
            "bias": None if b.mean_bias is None else round(b.mean_bias, 4),
            "item_locations": b.item_locations,
            "plan_run_id": b.plan_run_id,
            "as_of": b.as_of.isoformat(),
        }
        for b in latest
    }
    return {
        "forecast_accuracy": Figure(
            value=_weighted_accuracy(latest),
            trend=[_weighted_accuracy(runs) for runs in per_week],
            why=None if latest else "no plan run in the window stored a backtest",
            detail={
                "basis": "1 - mean backtest WAPE of the item-locations the plan recommended for",
                "by_location": by_location,
            },
        ),
        "forecast_bias": Figure(
            value=_weighted_bias(latest),
            trend=[_weighted_bias(runs) for runs in per_week],
            why=None if _weighted_bias(latest) is not None else NO_BIAS,
            detail={
                "basis": "mean backtest bias, sum(forecast - actual) / sum(actual), of the "
                "item-locations the plan recommended for; positive: over-forecast",
                "by_location": {
                    code: {"bias": row["bias"], "plan_run_id": row["plan_run_id"]}
                    for code, row in by_location.items()
                },
            },
        ),
    }


def _weighted_bias(backtests: list[ForecastBacktest]) -> float | None:
    counted = sum(b.biased for b in backtests if b.mean_bias is not None)
    if not counted:
        return None
    total = sum(b.mean_bias * b.biased for b in backtests if b.mean_bias is not None)
    return round(total / counted, 4)


def _weighted_accuracy(backtests: list[ForecastBacktest]) -> float | None:
    counted = sum(b.item_locations for b in backtests)
    if not counted:
        return None
    return forecast_accuracy(sum(b.mean_wape * b.item_locations for b in backtests) / counted)


def _masked(body: dict[str, Any], figures: dict[str, Figure], actor: Principal) -> dict[str, Any]:
    seen = visible_classes(actor)
    masked = []
    for name, figure in figures.items():
        if figure.money_class is not None and figure.money_class not in seen:
            kpi = body["kpis"][name]
            kpi["value"] = None
            for point in kpi["trend"]:
                point["value"] = None
            masked += [f"kpis.{name}.value", f"kpis.{name}.trend"]
    if masked:
        body[MASKED_FIELDS_KEY] = masked
    return body


def _ratio(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _money(value: Decimal) -> float:
    return round(float(value), 2)
