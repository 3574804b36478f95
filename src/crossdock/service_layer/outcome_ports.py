"""What outcome scoring and the decision KPIs read and write: decided recommendations,
demand since, open PO lines, ledger counts, and the records passed between them.

The SQL store in `adapters/db/outcome_store.py` implements `OutcomeStore`."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

import pandas as pd

from crossdock.domain.lifecycle import Status
from crossdock.governance.outcomes import (
    EXECUTED,
    REJECTED,
    Outcome,
)

# status -> how the outcome sees it: the action went to the ERP, or it was turned down
SCORED_STATUSES: Mapping[str, str] = {
    Status.EXECUTING.value: EXECUTED,
    Status.COMMITTED.value: EXECUTED,
    Status.REJECTED.value: REJECTED,
}
# the decision a recommendation got, strongest first (see `DecisionCount`)
DECISION_KINDS = ("rejected", "modified", "approved", "auto_approved")
UNKNOWN = "unknown"
UNROUTED = "unrouted"
_DEFAULT_HOLDING_RATE = 0.25
_DEFAULT_TAIL_DAYS = 7.0


# -- what the use cases read and write -------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecidedRecommendation:
    """An executed or rejected recommendation with what scoring it needs.

    Attributes:
        as_of: its plan run's as-of date: the replay starts the day after.
        drivers: the recommendation's drivers, parsed (forecast, lead_time, position,
            policy, po_line, source...).
        unit_cost: the item's unit cost (items.unit_cost), None when unknown.
        holding_rate, tail_days: the plan run's holding rate and review period.
        scored_through: the window end of its stored outcome; None: not scored yet.
    """

    id: int
    plan_run_id: int
    as_of: date
    status: str
    kind: str
    sku: str
    from_code: str | None
    to_code: str
    po_number: str | None
    line_number: int | None
    quantity: float
    expected_arrival_date: date | None
    action_cost: float
    drivers: Mapping[str, Any]
    approved_quantity: float | None = None
    approved_arrival_date: date | None = None
    order_value: float | None = None
    erp_document: str | None = None
    unit_cost: float | None = None
    holding_rate: float = _DEFAULT_HOLDING_RATE
    tail_days: float = _DEFAULT_TAIL_DAYS
    scored_through: date | None = None


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """One scored outcome to store: `through` is the last day of the window replayed."""

    recommendation_id: int
    through: date
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class DecisionCount:
    """Recommendations given one decision, per agent and approval policy version.

    `decision` is the strongest decision event in the ledger for the recommendation:
    rejected (a reject) > modified (a modify) > approved (an approve) > auto_approved.
    """

    proposed_by: str | None
    approval_policy_version: str | None
    decision: str
    count: int


@dataclass(frozen=True, slots=True)
class ActorDecisionCount:
    """How often one person approved, modified or rejected (ledger events)."""

    actor: str
    event: str
    count: int


@dataclass(frozen=True, slots=True)
class OverrideEvent:
    """One reject or modify in the ledger, with its reason code."""

    recommendation_id: int
    actor: str
    event: str
    reason_code: str | None


@dataclass(frozen=True, slots=True)
class OutcomeTotal:
    """Stored outcomes summed per agent, approval policy version and decision."""

    proposed_by: str | None
    approval_policy_version: str | None
    decision: str
    scored: int
    realised_value: Decimal
    stockout_units: float = 0.0
    excess_units: float = 0.0


class OutcomeStore(Protocol):
    """What outcome scoring and the decision KPIs read and write."""

    def decided_recommendations(self, *, statuses: Collection[str]) -> list[DecidedRecommendation]:
        """Recommendations in `statuses`, with their plan's as-of, settings and item cost."""
        ...

    def demand_after(
        self, *, item_locations: Collection[tuple[str, str]], after: date, through: date
    ) -> pd.DataFrame:
        """Daily demand (sku, location_code, demand_date as date, quantity) of the
        (sku, location_code) pairs, dated after `after` and up to `through`."""
        ...

    def open_po_lines(
        self, *, item_locations: Collection[tuple[str, str]], as_of: date
    ) -> pd.DataFrame:
        """PO lines open on `as_of` at those pairs: POs ordered on or before it, not
        cancelled, not received by then. Columns: po_number, line_number, sku,
        location_code, ordered_quantity, promised_date, received_date, received_quantity
        (dates as date or None)."""
        ...

    def demand_recorded_through(self, *, locations: Collection[str]) -> dict[str, date]:
        """Per location of `locations`, the newest day demand history holds."""
        ...

    def save_outcomes(self, outcomes: Sequence[OutcomeRecord], *, scored_at: datetime) -> None:
        """Insert or replace one outcome per recommendation, in one transaction."""
        ...

    def decision_counts(self, *, since: datetime | None) -> list[DecisionCount]:
        """Decided recommendations (not pending) per agent, policy version and decision,
        whose last decision event is at or after `since`."""
        ...

    def person_decisions(self, *, since: datetime | None) -> list[ActorDecisionCount]:
        """approve, modify and reject events per actor (not `system`) since `since`."""
        ...

    def override_events(self, *, since: datetime | None) -> list[OverrideEvent]:
        """Every reject and modify since `since`, with the reason code of its detail."""
        ...

    def outcome_totals(self, *, since: datetime | None) -> list[OutcomeTotal]:
        """Stored outcomes summed per agent, policy version and decision; with
        `since`, only of recommendations whose last decision event is at or after it."""
        ...

    def pending_routings(self) -> list[Mapping[str, Any] | None]:
        """The routing (parsed JSON) of every recommendation pending approval."""
        ...


# -- scoring ---------------------------------------------------------------------------
