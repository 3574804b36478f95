"""The settings of a plan run: defaults, and a TOML file that overrides them.

Every field is recorded on the plan run (`plan_runs.settings`). `crossdock plan
--settings FILE` reads a TOML file whose keys are field names (see
`examples/plan-settings.toml` and docs/planning/plan-command.md); unknown keys and
values of the wrong type are refused with the key and the value named.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from crossdock import __version__
from crossdock.planning.decisions import ReschedulingRules
from crossdock.planning.policy import FillRateTargets
from crossdock.planning.projection import ProjectionRules


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """The knobs of a plan run; all are recorded on the run (see plan-command.md).

    Attributes:
        horizon_days: shortest planning horizon per item-location, in days; each
            item-location plans over its lead time + review period (its protection
            interval), never less than this.
        max_horizon_days: longest horizon any item-location gets.
        review_period_days: days between planning runs (the R of an (R, S) policy).
        forecast_freq: forecast periods: "W" (7-day buckets ending on as_of) or "D".
        backtest_windows: rolling-origin windows used to pick each series' model.
        forecast_jobs: statsforecast worker processes (2 uses both cores of a 2-core
            machine: faster forecasting, more memory; same forecasts).
        holding_rate: annual carrying cost as a fraction of unit cost; a unit left
            over at the end of the horizon is charged for one review period.
        ordering_cost: money per purchase order placed.
        expedite_premium_rate: expedite cost per unit as a fraction of the unit price.
        expedite_po_days: days an expedited open PO line takes to arrive.
        expedite_lead_time_share: an expedited new buy arrives in this share of the
            normal lead time.
        default_margin_rate: margin on cost assumed when an item has no selling price.
        tier_penalty: shortage penalty multiplier of lost margin per customer tier.
        criticality_penalty: and per item criticality.
        default_lane_cost: transfer cost per unit when a lane has none.
        reschedule_cost: money per open PO line expedited, deferred or cancelled.
        cancellation_rate: charge for cancelling a line, as a share of its value.
        cancel_after_days: a line not needed within this many days is cancelled.
        min_deferral_days: a line needed fewer days than this after its due date stays.
        excess_margin: stock above the order-up-to level x (1 + this) is excess.
        excess_days_of_supply: stock above this many days of served demand is excess.
        obsolete_after_days: stock with no demand for this many days is obsolete.
        forecast_drivers: forecast with price and promotion (history, and the
            promotions calendar ahead) where the backtest shows they help.
        sense_demand: look for demand spikes and shifts in the last 28 days.
        fill_rate_targets: fill-rate targets that replace the defaults, by criticality
            then customer tier (e.g. {"high": {"gold": 0.995}}); see inventory-policy.md.
    """

    horizon_days: int = 7
    max_horizon_days: int = 120
    review_period_days: int = 7
    forecast_freq: str = "W"
    backtest_windows: int = 1
    forecast_jobs: int = 1
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
    reschedule_cost: float = 10.0
    cancellation_rate: float = 0.05
    cancel_after_days: float = 180.0
    min_deferral_days: float = 7.0
    excess_margin: float = 0.25
    excess_days_of_supply: float = 180.0
    obsolete_after_days: int = 180
    forecast_drivers: bool = True
    sense_demand: bool = True
    fill_rate_targets: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.fill_rate_table()  # refuses an unknown segment or a rate outside (0, 1)
        if not 1 <= self.horizon_days <= self.max_horizon_days:
            raise ValueError(
                f"horizon_days must be between 1 and {self.max_horizon_days}, "
                f"got {self.horizon_days}"
            )
        if self.forecast_freq not in ("W", "D"):
            raise ValueError(f"forecast_freq must be W or D, got {self.forecast_freq!r}")
        if self.forecast_jobs < 1:
            raise ValueError(f"forecast_jobs must be 1 or more, got {self.forecast_jobs}")
        for name in ("excess_margin", "excess_days_of_supply", "obsolete_after_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)}")

    def fill_rate_table(self) -> FillRateTargets:
        """The default fill-rate targets with this run's replacements."""
        return FillRateTargets().with_overrides(
            {
                (criticality, tier): rate
                for criticality, tiers in self.fill_rate_targets.items()
                for tier, rate in tiers.items()
            }
        )

    @property
    def rescheduling_rules(self) -> ReschedulingRules:
        return ReschedulingRules(
            reschedule_cost=self.reschedule_cost,
            cancellation_rate=self.cancellation_rate,
            cancel_after_days=self.cancel_after_days,
            min_deferral_days=self.min_deferral_days,
        )

    @property
    def projection_rules(self) -> ProjectionRules:
        return ProjectionRules(
            excess_margin=self.excess_margin,
            excess_days_of_supply=self.excess_days_of_supply,
            obsolete_after_days=self.obsolete_after_days,
        )

    @property
    def model_version(self) -> str:
        return (
            f"crossdock {__version__}; forecast freq={self.forecast_freq} "
            f"backtest_windows={self.backtest_windows} drivers={self.forecast_drivers}; "
            "lead-times default levels, open lines censored"
        )

    @property
    def policy_version(self) -> str:
        return (
            f"crossdock {__version__}; fill-rate targets default; R={self.review_period_days}d; "
            f"holding={self.holding_rate}; ordering={self.ordering_cost}; "
            f"expedite={self.expedite_premium_rate}"
        )


def load_plan_settings(path: Path, *, overrides: Mapping[str, Any] | None = None) -> PlanSettings:
    """Settings from a TOML file (keys are `PlanSettings` fields), then `overrides`.

    Raises:
        ValueError: the file is not TOML, names an unknown setting, or gives a value
            that does not fit (the key and value are named).
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"settings file {path}: not valid TOML: {error}") from None
    return plan_settings(data, source=str(path), overrides=overrides)


def plan_settings(
    data: Mapping[str, Any],
    *,
    source: str = "settings",
    overrides: Mapping[str, Any] | None = None,
) -> PlanSettings:
    """`PlanSettings` from a mapping of field names to values, then `overrides` (those
    that are not None)."""
    known = {f.name for f in fields(PlanSettings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(
            f"{source}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    try:
        settings = _ADAPTER.validate_python(dict(data))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        reason = str(first["msg"]).removeprefix("Value error, ")
        if not where:  # a rule across fields (checked after the types)
            raise ValueError(f"{source}: {reason}") from None
        raise ValueError(f"{source}: {where}={first.get('input')!r}: {reason}") from None
    given = {key: value for key, value in (overrides or {}).items() if value is not None}
    return replace(settings, **given) if given else settings


_ADAPTER: TypeAdapter[PlanSettings] = TypeAdapter(PlanSettings)
