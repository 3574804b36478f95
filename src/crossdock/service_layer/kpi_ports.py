"""What the KPI dashboard reads, already summed by day or by snapshot so a year of
sales stays a few hundred rows: order lines by requested date, stock as of a day, demand
by day, expedite spend, decision times from the ledger, and the forecast backtests the
plan runs stored. The SQL is in `adapters/db/kpi_reads.py`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True)
class DayFill:
    """Sales order lines requested on `day` (orders not cancelled)."""

    day: date
    lines: int
    lines_filled: int  # shipped at least what was ordered
    ordered: float
    shipped: float


@dataclass(frozen=True, slots=True)
class StockOn:
    """Every item-location's newest inventory snapshot taken on or before `day`."""

    day: date
    item_locations: int
    at_zero: int  # on hand 0 or less
    units: float
    value_at_cost: Decimal  # on hand x the item's unit cost, where it has one
    uncosted: int  # item-locations whose item has no unit cost


@dataclass(frozen=True, slots=True)
class DayDemand:
    day: date
    units: float
    value_at_cost: Decimal  # units x unit cost, where the item has one


@dataclass(frozen=True, slots=True)
class ExpediteSpend:
    """An executing or committed recommendation's expedite cost, when it got there."""

    at: datetime
    expedite_cost: Decimal


@dataclass(frozen=True, slots=True)
class DecisionTiming:
    """From the ledger: when a recommendation was created, sent for approval (if it
    was) and first reached a decided status (auto_approved, approved, modified,
    rejected)."""

    recommendation_id: int
    kind: str
    created_at: datetime | None
    requested_at: datetime | None
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class ForecastBacktest:
    """One plan run's backtest error at one location: the mean WAPE over the
    item-locations it recommended for (drivers.forecast.backtest_wape), and their mean
    bias (drivers.forecast.backtest_bias) over the `biased` ones that stored it (plans
    before it was stored have none)."""

    plan_run_id: int
    as_of: date
    location_code: str
    item_locations: int
    mean_wape: float
    mean_bias: float | None = None
    biased: int = 0


class KpiReads(Protocol):
    def order_fill(self, *, start: date, end: date) -> list[DayFill]:
        """Per requested date from `start` to `end` (inclusive)."""
        ...

    def stock_on(self, days: Sequence[date]) -> list[StockOn]:
        """One per day asked (none for a day before every snapshot)."""
        ...

    def demand_by_day(self, *, start: date, end: date) -> list[DayDemand]: ...

    def expedite_spend(self, *, start: datetime, end: datetime) -> list[ExpediteSpend]:
        """Recommendations now executing or committed whose status changed in
        [start, end)."""
        ...

    def decision_timings(self, *, start: datetime, end: datetime) -> list[DecisionTiming]:
        """Recommendations first decided in [start, end)."""
        ...

    def forecast_backtests(self, *, start: date, end: date) -> list[ForecastBacktest]:
        """Of succeeded plan runs with `as_of` from `start` to `end`."""
        ...


@dataclass(frozen=True, slots=True)
class AgentProposals:
    """Recommendations one proposer (`proposed_by`: an agent or a person) created in a
    span, by their `created` ledger entry, and the order value (supplier cost) of those
    that carry one."""

    proposed_by: str | None
    proposed: int
    order_value: Decimal
    with_order_value: int


class ProposalReads(Protocol):
    """The weekly brief's read of what each agent proposed (in `adapters/db/kpi_reads.py`)."""

    def proposals(self, *, start: datetime, end: datetime) -> list[AgentProposals]:
        """Per proposer, recommendations created in [start, end)."""
        ...
