"""The SQL side of outcome scoring and decision KPIs, on SQLite or PostgreSQL.

Implements `crossdock.service_layer.outcomes.OutcomeStore` over the recommendations, plan
runs, demand history, PO lines, the audit ledger and `recommendation_outcomes`. Counts and
sums are SQL aggregates; JSON columns (drivers, settings, routing, ledger detail) are
parsed in Python, so no JSON function of either database is needed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import (
    Engine,
    Float,
    case,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from crossdock.adapters.db.tables import (
    audit_ledger,
    canonical_tables,
    outcomes,
    plan_runs,
    recommendations,
)
from crossdock.domain.lifecycle import Status
from crossdock.service_layer.outcome_ports import (
    ActorDecisionCount,
    DecidedRecommendation,
    DecisionCount,
    OutcomeRecord,
    OutcomeTotal,
    OverrideEvent,
)

_CHUNK = 500  # values per IN list
_DECISION_EVENTS = ("auto_approve", "approve", "modify", "reject")
_PERSON_EVENTS = ("approve", "modify", "reject")
_OVERRIDE_EVENTS = ("reject", "modify")
_UNDECIDED = (Status.PROPOSED.value, Status.PENDING_APPROVAL.value)
_SYSTEM = "system"


class SqlOutcomeStore:
    """Implements `OutcomeStore` over one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- scoring -------------------------------------------------------------------

    def decided_recommendations(self, *, statuses: Collection[str]) -> list[DecidedRecommendation]:
        r, p, o = recommendations, plan_runs, outcomes
        items = canonical_tables["items"]
        query = (
            select(
                r.c.id,
                r.c.plan_run_id,
                p.c.as_of,
                p.c.settings,
                r.c.status,
                r.c.kind,
                r.c.sku,
                r.c.from_code,
                r.c.to_code,
                r.c.po_number,
                r.c.line_number,
                r.c.quantity,
                r.c.expected_arrival_date,
                r.c.action_cost,
                r.c.drivers,
                r.c.approved_quantity,
                r.c.approved_arrival_date,
                r.c.order_value,
                r.c.erp_document,
                items.c.unit_cost,
                o.c.through.label("scored_through"),
            )
            .join(p, p.c.id == r.c.plan_run_id)
            .outerjoin(items, items.c.sku == r.c.sku)
            .outerjoin(o, o.c.recommendation_id == r.c.id)
            .where(r.c.status.in_(list(statuses)))
            .order_by(r.c.id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        settings: dict[int, tuple[float, float]] = {}
        out = []
        for row in rows:
            run = int(row["plan_run_id"])
            if run not in settings:
                settings[run] = _rates_of(row["settings"])
            holding_rate, tail_days = settings[run]
            out.append(
                DecidedRecommendation(
                    id=int(row["id"]),
                    plan_run_id=run,
                    as_of=row["as_of"],
                    status=str(row["status"]),
                    kind=str(row["kind"]),
                    sku=str(row["sku"]),
                    from_code=row["from_code"],
                    to_code=str(row["to_code"]),
                    po_number=row["po_number"],
                    line_number=row["line_number"],
                    quantity=float(row["quantity"]),
                    expected_arrival_date=row["expected_arrival_date"],
                    action_cost=float(row["action_cost"]),
                    drivers=json.loads(row["drivers"]),
                    approved_quantity=_float(row["approved_quantity"]),
                    approved_arrival_date=row["approved_arrival_date"],
                    order_value=_float(row["order_value"]),
                    erp_document=row["erp_document"],
                    unit_cost=_float(row["unit_cost"]),
                    holding_rate=holding_rate,
                    tail_days=tail_days,
                    scored_through=row["scored_through"],
                )
            )
        return out

    def demand_after(
        self, *, item_locations: Collection[tuple[str, str]], after: date, through: date
    ) -> pd.DataFrame:
        demand = canonical_tables["demand_history"]
        columns = ["sku", "location_code", "demand_date", "quantity"]
        locations = sorted({location for _, location in item_locations})
        rows: list[Any] = []
        with self.engine.connect() as connection:
            for skus in _chunks(sorted({sku for sku, _ in item_locations})):
                rows.extend(
                    connection.execute(
                        select(*(demand.c[name] for name in columns)).where(
                            demand.c.sku.in_(skus),
                            demand.c.location_code.in_(locations),
                            demand.c.demand_date > after,
                            demand.c.demand_date <= through,
                        )
                    ).all()
                )
        return _only(pd.DataFrame(rows, columns=columns), item_locations)

    def open_po_lines(
        self, *, item_locations: Collection[tuple[str, str]], as_of: date
    ) -> pd.DataFrame:
        po = canonical_tables["purchase_orders"]
        pol = canonical_tables["purchase_order_lines"]
        columns = [
            pol.c.po_number,
            pol.c.line_number,
            pol.c.sku,
            po.c.location_code,
            pol.c.ordered_quantity,
            pol.c.promised_date,
            pol.c.received_date,
            pol.c.received_quantity,
        ]
        locations = sorted({location for _, location in item_locations})
        rows: list[Any] = []
        with self.engine.connect() as connection:
            for skus in _chunks(sorted({sku for sku, _ in item_locations})):
                rows.extend(
                    connection.execute(
                        select(*columns)
                        .join(po, po.c.po_number == pol.c.po_number)
                        .where(
                            pol.c.sku.in_(skus),
                            po.c.location_code.in_(locations),
                            po.c.order_date <= as_of,
                            po.c.status != "cancelled",
                            or_(pol.c.received_date.is_(None), pol.c.received_date > as_of),
                        )
                        .order_by(pol.c.po_number, pol.c.line_number)
                    ).all()
                )
        frame = pd.DataFrame(rows, columns=[column.name for column in columns])
        return _only(frame, item_locations)

    def demand_recorded_through(self, *, locations: Collection[str]) -> dict[str, date]:
        demand = canonical_tables["demand_history"]
        out: dict[str, date] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(sorted(locations)):
                rows = connection.execute(
                    select(demand.c.location_code, func.max(demand.c.demand_date))
                    .where(demand.c.location_code.in_(chunk))
                    .group_by(demand.c.location_code)
                ).all()
                out.update({str(location): _date(newest) for location, newest in rows})
        return out

    def save_outcomes(self, outcomes_: Sequence[OutcomeRecord], *, scored_at: datetime) -> None:
        records = [
            {
                "recommendation_id": record.recommendation_id,
                "scored_at": scored_at,
                "through": record.through,
                "decision": record.outcome.decision,
                "stockout_units": float(record.outcome.stockout_units),
                "excess_units": float(record.outcome.excess_units),
                "expedite_cost": _money(record.outcome.expedite_cost),
                "realised_cost": _money(record.outcome.realised_cost),
                "alternative_cost": _money(record.outcome.alternative_cost),
                "realised_value": _money(record.outcome.realised_value),
                "detail": json.dumps(
                    {**record.outcome.detail, "label": record.outcome.label},
                    sort_keys=True,
                    default=str,
                ),
            }
            for record in outcomes_
        ]
        ids = [record["recommendation_id"] for record in records]
        with self.engine.begin() as connection:
            for chunk in _chunks(ids):
                connection.execute(delete(outcomes).where(outcomes.c.recommendation_id.in_(chunk)))
            for start in range(0, len(records), _CHUNK):
                connection.execute(insert(outcomes), records[start : start + _CHUNK])

    # -- decision KPIs -------------------------------------------------------------

    def decision_counts(self, *, since: datetime | None) -> list[DecisionCount]:
        decided = _decided(since)
        r = recommendations
        per_recommendation = (
            select(r.c.proposed_by, r.c.approval_policy_version, decided.c.decision)
            .join(decided, decided.c.recommendation_id == r.c.id)
            .where(r.c.status.not_in(_UNDECIDED))
            .subquery()
        )
        grouped = (
            select(
                per_recommendation.c.proposed_by,
                per_recommendation.c.approval_policy_version,
                per_recommendation.c.decision,
                func.count().label("count"),
            )
            .group_by(
                per_recommendation.c.proposed_by,
                per_recommendation.c.approval_policy_version,
                per_recommendation.c.decision,
            )
            .order_by(
                per_recommendation.c.proposed_by,
                per_recommendation.c.approval_policy_version,
                per_recommendation.c.decision,
            )
        )
        with self.engine.connect() as connection:
            rows = connection.execute(grouped).all()
        return [
            DecisionCount(
                proposed_by=agent,
                approval_policy_version=version,
                decision=str(decision),
                count=int(count),
            )
            for agent, version, decision, count in rows
        ]

    def person_decisions(self, *, since: datetime | None) -> list[ActorDecisionCount]:
        ledger = audit_ledger
        query = (
            select(ledger.c.actor, ledger.c.event, func.count())
            .where(
                ledger.c.event.in_(_PERSON_EVENTS),
                ledger.c.actor != _SYSTEM,
                ledger.c.recommendation_id.is_not(None),
                *_since(ledger.c.at, since),
            )
            .group_by(ledger.c.actor, ledger.c.event)
            .order_by(ledger.c.actor, ledger.c.event)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            ActorDecisionCount(actor=str(actor), event=str(event), count=int(count))
            for actor, event, count in rows
        ]

    def override_events(self, *, since: datetime | None) -> list[OverrideEvent]:
        ledger = audit_ledger
        query = (
            select(ledger.c.recommendation_id, ledger.c.actor, ledger.c.event, ledger.c.detail)
            .where(
                ledger.c.event.in_(_OVERRIDE_EVENTS),
                ledger.c.recommendation_id.is_not(None),
                *_since(ledger.c.at, since),
            )
            .order_by(ledger.c.seq)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            OverrideEvent(
                recommendation_id=int(recommendation_id),
                actor=str(actor),
                event=str(event),
                reason_code=_reason_code(detail),
            )
            for recommendation_id, actor, event, detail in rows
        ]

    def outcome_totals(self, *, since: datetime | None) -> list[OutcomeTotal]:
        r, o = recommendations, outcomes
        keys = (r.c.proposed_by, r.c.approval_policy_version, o.c.decision)
        query = select(
            *keys,
            func.count().label("scored"),
            type_coerce(func.sum(o.c.realised_value), Float()).label("realised_value"),
            func.sum(o.c.stockout_units).label("stockout_units"),
            func.sum(o.c.excess_units).label("excess_units"),
        ).join(r, r.c.id == o.c.recommendation_id)
        if since is not None:
            decided = _decided(since)
            query = query.join(decided, decided.c.recommendation_id == o.c.recommendation_id)
        query = query.group_by(*keys).order_by(*keys)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            OutcomeTotal(
                proposed_by=agent,
                approval_policy_version=version,
                decision=str(decision),
                scored=int(scored),
                realised_value=_money(value),
                stockout_units=float(stockout or 0.0),
                excess_units=float(excess or 0.0),
            )
            for agent, version, decision, scored, value, stockout, excess in rows
        ]

    def pending_routings(self) -> list[Mapping[str, Any] | None]:
        r = recommendations
        query = (
            select(r.c.routing).where(r.c.status == Status.PENDING_APPROVAL.value).order_by(r.c.id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).scalars().all()
        return [_json_object(routing) for routing in rows]


def _decided(since: datetime | None) -> Any:
    """Per recommendation with a decision event: its strongest decision (rejected >
    modified > approved > auto_approved), when its last decision event is at or after
    `since`."""
    ledger = audit_ledger
    flags = {
        name: func.max(_when(ledger.c.event == event))
        for name, event in (
            ("rejected", "reject"),
            ("modified", "modify"),
            ("approved", "approve"),
            ("auto_approved", "auto_approve"),
        )
    }
    decision = _first_flagged(flags)
    query = (
        select(ledger.c.recommendation_id, decision.label("decision"))
        .where(ledger.c.event.in_(_DECISION_EVENTS), ledger.c.recommendation_id.is_not(None))
        .group_by(ledger.c.recommendation_id)
    )
    if since is not None:
        query = query.having(func.max(ledger.c.at) >= since)
    return query.subquery()


def _when(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """1 where `condition` holds, else 0 (constants inlined: no parameters to type)."""
    return case((condition, literal_column("1")), else_=literal_column("0"))


def _first_flagged(flags: Mapping[str, ColumnElement[Any]]) -> ColumnElement[Any]:
    """The name of the first flag set, in the mapping's order; the last one otherwise."""
    names = list(flags)
    return case(
        *((flags[name] == literal_column("1"), literal_column(f"'{name}'")) for name in names[:-1]),
        else_=literal_column(f"'{names[-1]}'"),
    )


def _since(column: ColumnElement[Any], since: datetime | None) -> tuple[ColumnElement[bool], ...]:
    return () if since is None else (column >= since,)


def _chunks(values: Sequence[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


def _only(frame: pd.DataFrame, item_locations: Collection[tuple[str, str]]) -> pd.DataFrame:
    """The rows of the wanted (sku, location_code) pairs only (the query filters each
    column on its own)."""
    if frame.empty:
        return frame
    wanted = set(item_locations)
    keep = [
        (str(sku), str(location)) in wanted
        for sku, location in zip(frame["sku"], frame["location_code"], strict=True)
    ]
    return frame.loc[keep].reset_index(drop=True)


def _rates_of(settings: str | None) -> tuple[float, float]:
    """The plan run's holding rate and review period (defaults when not recorded)."""
    recorded = _json_object(settings) or {}
    holding = recorded.get("holding_rate", 0.25)
    review = recorded.get("review_period_days", 7)
    return float(holding), float(review)


def _json_object(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _reason_code(detail: str | None) -> str | None:
    code = (_json_object(detail) or {}).get("reason_code")
    return None if code is None else str(code)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _money(value: object) -> Decimal:
    """Money for a Numeric(18, 4) column: rounded to 4 places, 0 when missing."""
    number = 0.0 if value is None else float(value)  # type: ignore[arg-type]
    number = number if math.isfinite(number) else 0.0
    return Decimal(f"{number:.4f}")
