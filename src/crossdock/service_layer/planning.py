"""Plan: read the store as of a day, run the engines in order, store typed recommendations.

Order of the engines (docs/planning/plan-command.md): classify and forecast demand, learn
supplier lead times and score open PO lines, size fill-rate policy levels, project
stock, then one joint decision over the whole network. The plan run and its
recommendations are written in one transaction after every engine has finished, so a
failure leaves no partial plan behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd

from crossdock import __version__
from crossdock.planning.decisions import JointDecision, decide
from crossdock.planning.forecasting import ForecastResult, forecast_demand
from crossdock.planning.projection import project_inventory
from crossdock.service_layer.importing import Progress
from crossdock.service_layer.plan_frames import PlanFrames, build_decision_inputs, build_frames
from crossdock.service_layer.ports import PlanningStore, PlanRunRecord
from crossdock.service_layer.recommending import recommendations_from


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """The knobs of a plan run; all are recorded on the run (see plan-command.md).

    Attributes:
        horizon_days: shortest planning horizon per item-location, in days; a location
            that buys from a supplier plans over at least its lead time + review period.
        max_horizon_days: longest horizon any item-location gets.
        review_period_days: days between planning runs (the R of an (R, S) policy).
        forecast_freq: forecast periods: "W" (7-day buckets ending on as_of) or "D".
        backtest_windows: rolling-origin windows used to pick each series' model.
        holding_rate: annual carrying cost as a fraction of unit cost.
        ordering_cost: money per purchase order placed.
        expedite_premium_rate: expedite cost per unit as a fraction of the unit price.
        expedite_po_days: days an expedited open PO line takes to arrive.
        expedite_lead_time_share: an expedited new buy arrives in this share of the
            normal lead time.
        default_margin_rate: margin on cost assumed when an item has no selling price.
        tier_penalty: shortage penalty multiplier of lost margin per customer tier.
        criticality_penalty: and per item criticality.
        default_lane_cost: transfer cost per unit when a lane has none.
    """

    horizon_days: int = 28
    max_horizon_days: int = 120
    review_period_days: int = 7
    forecast_freq: str = "W"
    backtest_windows: int = 1
    holding_rate: float = 0.25
    ordering_cost: float = 50.0
    expedite_premium_rate: float = 0.15
    expedite_po_days: int = 5
    expedite_lead_time_share: float = 0.5
    default_margin_rate: float = 0.3
    tier_penalty: dict[str, float] = field(
        default_factory=lambda: {"gold": 2.0, "silver": 1.5, "bronze": 1.0}
    )
    criticality_penalty: dict[str, float] = field(
        default_factory=lambda: {"high": 1.5, "medium": 1.0, "low": 0.75}
    )
    default_lane_cost: float = 0.5

    def __post_init__(self) -> None:
        if not 1 <= self.horizon_days <= self.max_horizon_days:
            raise ValueError(
                f"horizon_days must be between 1 and {self.max_horizon_days}, "
                f"got {self.horizon_days}"
            )
        if self.forecast_freq not in ("W", "D"):
            raise ValueError(f"forecast_freq must be W or D, got {self.forecast_freq!r}")

    @property
    def model_version(self) -> str:
        return (
            f"crossdock {__version__}; forecast freq={self.forecast_freq} "
            f"backtest_windows={self.backtest_windows}; lead-times default levels"
        )

    @property
    def policy_version(self) -> str:
        return (
            f"crossdock {__version__}; fill-rate targets default; R={self.review_period_days}d; "
            f"holding={self.holding_rate}; ordering={self.ordering_cost}; "
            f"expedite={self.expedite_premium_rate}"
        )


@dataclass(frozen=True)
class PlanOutcome:
    """What a plan run did: its id, summary, the recommendations it stored and the
    decision they came from."""

    plan_run_id: int
    as_of: date
    import_run_id: int | None
    summary: dict[str, Any]
    recommendations: pd.DataFrame
    decision: JointDecision

    def top(self, n: int) -> pd.DataFrame:
        """The `n` recommendations with the largest savings."""
        return self.recommendations.sort_values(
            ["savings", "sku", "to_code"], ascending=[False, True, True], kind="stable"
        ).head(n)


class _Steps:
    """Time each step and advance a progress bar per step."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        advance = self.progress(name, 1) if self.progress is not None else None
        started = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - started, 3)
        if advance is not None:
            advance(1)


def plan(
    store: PlanningStore,
    *,
    as_of: date,
    settings: PlanSettings | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PlanOutcome:
    """Plan the whole network as of `as_of` and store the recommendations.

    Args:
        store: where the data is read and the plan run written.
        as_of: the planning day; nothing dated after it is used.
        settings: engine settings; `PlanSettings()` by default.
        progress: optional sink for per-step progress.
        clock: wall-clock time recorded on the run.

    Returns:
        The plan run id, its summary and the recommendations stored.

    Raises:
        ValueError: the store holds no inventory positions on or before `as_of`.
    """
    settings = settings or PlanSettings()
    started_at = clock()
    steps = _Steps(progress)
    # Each step lets go of what no later step reads, so the peak is one step's working
    # set on top of the item-location rows rather than every step's frames at once.
    with steps.step("reading data"):
        frames, import_run_id = _read(store, as_of=as_of, settings=settings)
        input_counts = frames.counts()
    with steps.step("learning lead times, scoring open POs"):
        frames.add_lead_times(as_of=as_of)
    with steps.step("classifying and forecasting demand"):
        forecast = _forecast(frames, as_of=as_of, settings=settings)
        frames.history = frames.history.iloc[:0]
    with steps.step("sizing policy levels"):
        frames.add_demand_and_policy(forecast, settings=settings)
        demand_classes = _demand_classes(forecast)
        del forecast
    with steps.step("projecting stock"):
        projection = project_inventory(
            frames.projection_positions(),
            frames.projection_receipts(),
            frames.daily_forecast,
            as_of=as_of,
            horizon_days=int(frames.rows["horizon_days"].max()),
            policy=frames.projection_policy(),
        ).summary
        frames.add_projection(projection)
        frames.daily_forecast = frames.daily_forecast.iloc[:0]
    with steps.step("deciding buys, transfers, expedites"):
        decision = decide(
            as_of=as_of.isoformat(), **build_decision_inputs(frames, settings=settings)
        )
    with steps.step("building recommendations"):
        recommendations = recommendations_from(decision, frames, settings=settings)
        summary = _summary(decision, recommendations, frames, input_counts, demand_classes)
    with steps.step("saving the plan"):
        summary["seconds"] = steps.seconds
        run = PlanRunRecord(
            started_at=started_at,
            finished_at=clock(),
            as_of=as_of,
            import_run_id=import_run_id,
            money_at_risk=summary["money_at_risk"],
            expected_savings=summary["expected_savings"],
            settings={
                **asdict(settings),
                "model_version": settings.model_version,
                "policy_version": settings.policy_version,
            },
            summary=summary,
        )
        plan_run_id = store.save_plan(run, recommendations)
    summary["seconds"] = steps.seconds
    return PlanOutcome(
        plan_run_id=plan_run_id,
        as_of=as_of,
        import_run_id=import_run_id,
        summary=summary,
        recommendations=recommendations,
        decision=decision,
    )


def _read(
    store: PlanningStore, *, as_of: date, settings: PlanSettings
) -> tuple[PlanFrames, int | None]:
    """The plan's frames and the import run read; the store's frames are let go on return,
    so only what the plan uses stays in memory."""
    bucket_days = 7 if settings.forecast_freq == "W" else 1
    data = store.planning_data(as_of=as_of, bucket_days=bucket_days)
    return build_frames(data, as_of=as_of, settings=settings), data.import_run_id


def _forecast(frames: PlanFrames, *, as_of: date, settings: PlanSettings) -> ForecastResult:
    """Forecast every item-location over the longest horizon, in periods of the setting."""
    step = 7 if settings.forecast_freq == "W" else 1
    periods = -(-int(frames.rows["horizon_days"].max()) // step)
    return forecast_demand(
        frames.history,
        horizon=periods,
        as_of=as_of,
        freq=settings.forecast_freq,
        n_windows=settings.backtest_windows,
    )


def _demand_classes(forecast: ForecastResult) -> dict[str, int]:
    counts = forecast.selection["demand_class"].value_counts().sort_index()
    return {str(k): int(v) for k, v in counts.items()}


def _summary(
    decision: JointDecision,
    recommendations: pd.DataFrame,
    frames: PlanFrames,
    input_counts: dict[str, int],
    demand_classes: dict[str, int],
) -> dict[str, Any]:
    costs = decision.item_locations
    by_kind = recommendations["kind"].value_counts()
    do_nothing = float(costs["do_nothing_total"].sum())
    planned = float(costs["planned_total"].sum())
    return {
        "recommendations": len(recommendations),
        "by_kind": {kind: int(by_kind.get(kind, 0)) for kind in ("buy", "transfer", "expedite")},
        "money_at_risk": round(float(costs["do_nothing_shortage"].sum()), 4),
        "do_nothing_cost": round(do_nothing, 4),
        "planned_cost": round(planned, 4),
        "expected_savings": round(do_nothing - planned, 4),
        "inputs": input_counts,
        "demand_classes": demand_classes,
        "item_locations_at_risk": int(np.sum(frames.rows["stockout_probability"] >= 0.5)),
        "lp": {"variables": decision.lp_variables, "constraints": decision.lp_constraints},
    }
