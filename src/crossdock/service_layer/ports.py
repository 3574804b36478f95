"""Ports: what the service layer needs from the outside world, as Protocols.

Adapters implement them (the SQL store in `adapters/db`); unit tests use fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

import pandas as pd

from crossdock.domain.canonical import Entity
from crossdock.domain.reason_codes import ReasonCodeMapping

RowsWritten = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class SourceFrame:
    """One entity's rows as read from one source (a file, or the demo generator).

    `frame` holds the raw values plus `_row`, the 1-based data row in the source.
    """

    entity: str
    source: str
    frame: pd.DataFrame


@dataclass(frozen=True, slots=True)
class EntityStatus:
    """How much of one entity the store holds and how current it is."""

    rows: int
    latest: str | None  # newest value of the entity's freshness field, ISO 8601


@dataclass(frozen=True, slots=True)
class QuarantineLine:
    """One problem with one row that did not land."""

    import_run_id: int
    entity: str
    source_file: str
    row_number: int
    natural_key: str | None
    field: str
    value: str | None
    check: str
    reason: str


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """What is in the store: counts, freshness, open quality issues, last import."""

    database: str
    schema_revision: str | None
    entities: dict[str, EntityStatus]
    open_quality_issues: dict[str, dict[str, int]]  # entity -> check -> quarantined rows
    last_run: dict[str, Any] | None = field(default=None)


class CanonicalStore(Protocol):
    """Where canonical records, import runs and quarantined rows are kept."""

    def start_run(self, *, kind: str, source: str, started_at: datetime) -> int:
        """Record that an import began; returns its run id."""
        ...

    def finish_run(
        self, run_id: int, *, status: str, finished_at: datetime, report: Mapping[str, Any]
    ) -> None:
        """Record how an import ended, with its data-quality report."""
        ...

    def existing_values(self, entity: str, field: str) -> set[str]:
        """Every distinct value of `entity.field` already stored."""
        ...

    def item_uoms(self) -> dict[str, str]:
        """Stocking unit of measure per SKU already stored."""
        ...

    def reason_code_mappings(self) -> list[ReasonCodeMapping]:
        """Site-to-canonical reason code mappings already stored."""
        ...

    def land(
        self,
        entity: Entity,
        accepted: pd.DataFrame,
        issues: pd.DataFrame,
        *,
        source: str,
        run_id: int,
        at: datetime,
        progress: RowsWritten | None = None,
    ) -> None:
        """Upsert the accepted rows and quarantine the rejected ones, in one transaction.

        Open quarantine lines from earlier imports of the same entity and source are
        marked resolved by this run, so re-importing a fixed file clears them.
        """
        ...

    def delete_canonical_records(self) -> None:
        """Empty every canonical table (runs and quarantine history stay)."""
        ...

    def status(self) -> StoreStatus:
        """Counts per entity, freshness, open quality issues and the last run."""
        ...

    def open_quarantine(
        self, *, entity: str | None = None, check: str | None = None, limit: int = 100
    ) -> list[QuarantineLine]:
        """Unresolved quarantine lines, oldest file row first, optionally filtered."""
        ...


# -- planning -----------------------------------------------------------------------

RECOMMENDATION_COLUMNS = (
    "kind",  # buy | transfer | rebalance | expedite | defer | cancel
    "sku",
    "from_code",  # supplier, PO number or shipping warehouse
    "to_code",  # receiving warehouse
    "po_number",  # the open PO line expedited, deferred or cancelled, else None
    "line_number",  # that line's number within its PO
    "quantity",
    "expected_arrival_date",
    "action_cost",  # this action's own transport + ordering + purchase + expedite
    "expected_cost",  # the plan where the action lands: sum of the six parts below
    "holding_cost",
    "shortage_cost",
    "transport_cost",
    "ordering_cost",
    "purchase_cost",
    "expedite_cost",
    "do_nothing_cost",  # same scope, nothing done
    "savings",  # do_nothing_cost - expected_cost
    "marginal_savings",  # what the plan would lose without this action alone
    "order_value",  # quantity x unit price of goods bought or moved out (None: transfers)
    "scope",  # the item-locations the money covers, "|"-separated sku@location
    "alternatives",  # JSON: every option considered for the receiver
    "drivers",  # JSON: forecast, lead-time risk, position, policy levels
    "confidence",
    "model_version",
    "policy_version",
)


@dataclass(frozen=True)
class PlanningData:
    """What a plan reads from the store, as of one day (canonical column names).

    Attributes:
        items, locations, lanes, suppliers, customers, supply_terms: master data.
        demand_history: sku, location_code, demand_date, quantity; dates <= as_of.
        inventory_positions: the newest snapshot per item-location taken on or before
            as_of (end of day, UTC).
        purchase_order_lines: lines of POs ordered on or before as_of (not cancelled),
            joined with their PO: supplier_code, location_code, order_date, status.
        sales_order_lines: lines of sales orders entered on or before as_of (not
            cancelled), joined with their order: customer_code, location_code,
            order_date, requested_date, status.
        import_run_id: the newest import run in the store: the data snapshot read.
        recent_demand: daily demand of the last `recent_days` days up to as_of: sku,
            location_code, demand_date, quantity, on_promotion (0/1); empty when none
            were asked for.
        promotions: promotions not cancelled that end after as_of (running or
            planned): promotion_code, sku, location_code, start_date, end_date,
            promo_price, discount_rate.
    """

    items: pd.DataFrame
    locations: pd.DataFrame
    lanes: pd.DataFrame
    suppliers: pd.DataFrame
    customers: pd.DataFrame
    supply_terms: pd.DataFrame
    demand_history: pd.DataFrame
    inventory_positions: pd.DataFrame
    purchase_order_lines: pd.DataFrame
    sales_order_lines: pd.DataFrame
    import_run_id: int | None
    recent_demand: pd.DataFrame = field(default_factory=pd.DataFrame)
    promotions: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class PlanRunRecord:
    """One finished plan run, as stored next to its recommendations. A failed run has
    status `failed`, no recommendations, and its failed step and error in the summary."""

    started_at: datetime
    finished_at: datetime
    as_of: date
    import_run_id: int | None
    money_at_risk: float
    expected_savings: float
    settings: Mapping[str, Any]
    summary: Mapping[str, Any]
    status: str = "succeeded"


class PlanningStore(Protocol):
    """Where a plan reads its inputs and keeps its runs and recommendations."""

    def planning_data(
        self,
        *,
        as_of: date,
        bucket_days: int = 1,
        with_drivers: bool = False,
        recent_days: int = 0,
    ) -> PlanningData:
        """Every frame a plan needs, holding only data dated on or before `as_of`.

        With `bucket_days` > 1, demand_history may come pre-summed per block of that many
        days counted back from `as_of`: one row per item-location and block, dated on the
        block's last day with demand, so block totals and last-demand dates are exact.
        `with_drivers` adds unit_price (mean over the days with a price) and on_promotion
        (share of the days promoted) to demand_history; `recent_days` > 0 fills
        recent_demand with that many days of daily demand.
        """
        ...

    def save_plan(
        self, run: PlanRunRecord, recommendations: pd.DataFrame, signals: pd.DataFrame
    ) -> int:
        """Store a plan run, its recommendations (`RECOMMENDATION_COLUMNS`) and its demand
        signals (`plan_signals.SIGNAL_COLUMNS`) in one transaction; returns the run id."""
        ...
