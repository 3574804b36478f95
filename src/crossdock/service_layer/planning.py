"""Plan: read the store as of a day, run the engines in order, store typed recommendations.

Order of the engines (docs/planning/plan-command.md): classify and forecast demand, learn
supplier lead times and score open PO lines, size fill-rate policy levels, project
stock, then one joint decision over the whole network. The plan run and its
recommendations are written in one transaction after every engine has finished, so a
failure leaves no partial plan behind; a run that fails is recorded as failed, with the
step it failed in and the error, and no recommendations.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd

from crossdock.domain.errors import CrossdockError
from crossdock.planning.decisions import JointDecision, decide
from crossdock.planning.forecasting import ForecastResult, forecast_demand
from crossdock.planning.projection import project_inventory
from crossdock.service_layer.importing import Progress
from crossdock.service_layer.plan_drivers import forecast_drivers
from crossdock.service_layer.plan_frames import PlanFrames, build_decision_inputs, build_frames
from crossdock.service_layer.plan_settings import PlanSettings
from crossdock.service_layer.plan_signals import (
    SENSING_DAYS,
    SIGNAL_COLUMNS,
    sense_demand,
    signals_by_item_location,
)
from crossdock.service_layer.ports import RECOMMENDATION_COLUMNS, PlanningStore, PlanRunRecord
from crossdock.service_layer.recommending import RECOMMENDATION_KINDS, recommendations_from


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
    signals: pd.DataFrame

    def top(self, n: int) -> pd.DataFrame:
        """The `n` recommendations the plan would lose most without (marginal savings)."""
        return self.recommendations.sort_values(
            ["marginal_savings", "sku", "to_code"], ascending=[False, True, True], kind="stable"
        ).head(n)


class _Steps:
    """Time each step and advance a progress bar per step."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self.current = "starting"
        self.import_run_id: int | None = None  # the snapshot read, once it has been read

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.current = name
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
        PlanFailed: a step failed (e.g. the store holds no inventory positions on or
            before `as_of`); the run is recorded as failed and the cause is chained.
    """
    settings = settings or PlanSettings()
    started_at = clock()
    steps = _Steps(progress)
    try:
        return _run(
            store, as_of=as_of, settings=settings, steps=steps, started_at=started_at, clock=clock
        )
    except Exception as error:
        failed = PlanRunRecord(
            started_at=started_at,
            finished_at=clock(),
            as_of=as_of,
            import_run_id=steps.import_run_id,
            money_at_risk=0.0,
            expected_savings=0.0,
            settings=_recorded_settings(settings),
            summary={
                "failed_step": steps.current,
                "error": f"{type(error).__name__}: {error}",
                "seconds": steps.seconds,
            },
            status="failed",
        )
        try:
            run_id = store.save_plan(
                failed,
                pd.DataFrame(columns=list(RECOMMENDATION_COLUMNS)),
                pd.DataFrame(columns=list(SIGNAL_COLUMNS)),
            )
        except Exception as recording:  # noqa: BLE001 - the first error is raised instead
            error.add_note(f"the failed plan run could not be recorded either: {recording}")
            raise error from None
        raise PlanFailed(run_id, as_of=as_of, step=steps.current, cause=error) from error


class PlanFailed(CrossdockError):
    """A plan run failed in one of its steps; it is stored with status `failed`."""

    def __init__(self, plan_run_id: int, *, as_of: date, step: str, cause: Exception) -> None:
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else repr(cause)
        super().__init__(
            f"plan run #{plan_run_id} as of {as_of.isoformat()} failed while {step}: {reason}"
        )
        self.plan_run_id = plan_run_id
        self.step = step


def _recorded_settings(settings: PlanSettings) -> dict[str, Any]:
    return {
        **asdict(settings),
        "model_version": settings.model_version,
        "policy_version": settings.policy_version,
    }


def _run(
    store: PlanningStore,
    *,
    as_of: date,
    settings: PlanSettings,
    steps: _Steps,
    started_at: datetime,
    clock: Callable[[], datetime],
) -> PlanOutcome:
    # Each step lets go of what no later step reads, so the peak is one step's working
    # set on top of the item-location rows rather than every step's frames at once.
    with steps.step("reading data"):
        frames, import_run_id = _read(store, as_of=as_of, settings=settings)
        steps.import_run_id = import_run_id
        input_counts = frames.counts()
    with steps.step("learning lead times, scoring open POs"):
        frames.add_lead_times(as_of=as_of)
    with steps.step("classifying and forecasting demand"):
        forecast = _forecast(frames, as_of=as_of, settings=settings)
        frames.history = _emptied(frames.history)
    with steps.step("sensing demand spikes and shifts"):
        signals = (
            sense_demand(frames.recent_demand, frames.categories, as_of=as_of)
            if settings.sense_demand
            else pd.DataFrame(columns=list(SIGNAL_COLUMNS))
        )
        frames.recent_demand = _emptied(frames.recent_demand)
    with steps.step("sizing policy levels"):
        frames.add_demand_and_policy(forecast, settings=settings)
        demand_classes = _demand_classes(forecast)
        models = _counts(forecast.selection["model"])
        del forecast
    with steps.step("projecting stock"):
        projection = project_inventory(
            frames.projection_positions(),
            frames.projection_receipts(),
            frames.daily_forecast,
            as_of=as_of,
            horizon_days=int(frames.rows["horizon_days"].max()),
            policy=frames.projection_policy(),
            rules=settings.projection_rules,
        ).summary
        frames.add_projection(projection)
        frames.daily_forecast = _emptied(frames.daily_forecast)
    with steps.step("deciding buys, transfers, expedites"):
        decision = decide(
            as_of=as_of.isoformat(),
            rescheduling=settings.rescheduling_rules,
            **build_decision_inputs(frames, settings=settings),
        )
    with steps.step("building recommendations"):
        recommendations = recommendations_from(
            decision, frames, settings=settings, signals=signals_by_item_location(signals)
        )
        summary = _summary(decision, recommendations, frames, input_counts, demand_classes)
        summary["forecast_models"] = models
        summary["demand_signals"] = {
            reason: int((signals["reason_code"] == reason).sum())
            for reason in ("demand_spike", "demand_shift")
        }
    with steps.step("saving the plan"):
        summary["seconds"] = steps.seconds
        run = PlanRunRecord(
            started_at=started_at,
            finished_at=clock(),
            as_of=as_of,
            import_run_id=import_run_id,
            money_at_risk=summary["money_at_risk"],
            expected_savings=summary["expected_savings"],
            settings=_recorded_settings(settings),
            summary=summary,
        )
        plan_run_id = store.save_plan(run, recommendations, signals)
    summary["seconds"] = steps.seconds
    return PlanOutcome(
        plan_run_id=plan_run_id,
        as_of=as_of,
        import_run_id=import_run_id,
        summary=summary,
        recommendations=recommendations,
        decision=decision,
        signals=signals,
    )


def _emptied(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's columns without its rows, as a copy: a zero-row slice would be a view
    that keeps the whole frame's blocks alive."""
    return frame.iloc[:0].copy()


def _read(
    store: PlanningStore, *, as_of: date, settings: PlanSettings
) -> tuple[PlanFrames, int | None]:
    """The plan's frames and the import run read; the store's frames are let go on return,
    so only what the plan uses stays in memory."""
    bucket_days = 7 if settings.forecast_freq == "W" else 1
    data = store.planning_data(
        as_of=as_of,
        bucket_days=bucket_days,
        with_drivers=settings.forecast_drivers,
        recent_days=SENSING_DAYS if settings.sense_demand else 0,
    )
    return build_frames(data, as_of=as_of, settings=settings), data.import_run_id


def _forecast(frames: PlanFrames, *, as_of: date, settings: PlanSettings) -> ForecastResult:
    """Forecast every item-location over the longest horizon, in periods of the setting.

    Raises:
        ValueError: no demand history on or before `as_of`: nothing to forecast from.
    """
    if frames.history.empty:
        raise ValueError(
            f"no demand history on or before {as_of.isoformat()}: import demand_history "
            "(docs/data-format.md) before planning"
        )
    step = 7 if settings.forecast_freq == "W" else 1
    periods = -(-int(frames.rows["horizon_days"].max()) // step)
    drivers = (
        forecast_drivers(
            frames.history, frames.promotions, as_of=as_of, periods=periods, step_days=step
        )
        if settings.forecast_drivers
        else None
    )
    return forecast_demand(
        frames.history[["unique_id", "ds", "y"]],
        horizon=periods,
        as_of=as_of,
        freq=settings.forecast_freq,
        n_windows=settings.backtest_windows,
        drivers=drivers,
        n_jobs=settings.forecast_jobs,
    )


def _demand_classes(forecast: ForecastResult) -> dict[str, int]:
    return _counts(forecast.selection["demand_class"])


def _counts(values: pd.Series) -> dict[str, int]:
    counts = values.value_counts().sort_index()
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
        "by_kind": {kind: int(by_kind.get(kind, 0)) for kind in RECOMMENDATION_KINDS},
        "money_at_risk": round(float(costs["do_nothing_shortage"].sum()), 4),
        "do_nothing_cost": round(do_nothing, 4),
        "planned_cost": round(planned, 4),
        "expected_savings": round(do_nothing - planned, 4),
        "inputs": input_counts,
        "demand_classes": demand_classes,
        "item_locations_at_risk": int(np.sum(frames.rows["stockout_probability"] >= 0.5)),
        "lp": {"variables": decision.lp_variables, "constraints": decision.lp_constraints},
    }
