"""Outcomes and decision KPIs: what decided recommendations did, and how people and
policies decide (docs/governance.md, "Outcomes and decision KPIs").

`score_outcomes` replays every executed or rejected recommendation whose window has
passed on the demand recorded since (`crossdock.governance.outcomes`) and stores one
outcome each. `decision_kpis` reads acceptance, overrides, auto-approval, pending
approvals and realised value from the ledger, the recommendations and the outcomes.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from crossdock.governance.access import Principal, authorize
from crossdock.governance.outcomes import (
    EXECUTED,
    LINE_KINDS,
    CostRates,
    OpenLine,
    Outcome,
    Receipt,
    StartingPosition,
    SupplyChange,
    UnscorableAction,
    score_outcome,
    supply_change,
)
from crossdock.service_layer.importing import Progress
from crossdock.service_layer.outcome_ports import (
    SCORED_STATUSES,
    DecidedRecommendation,
    OutcomeRecord,
    OutcomeStore,
)


@dataclass(frozen=True, slots=True)
class SkippedRecommendation:
    recommendation_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class ScoreReport:
    """What `score_outcomes` did.

    Attributes:
        considered: executed or rejected recommendations found.
        scored: outcomes computed and stored by this run.
        waiting: windows still open on `through` (scored by a later run).
        already_scored: scored before and not asked to re-score.
        skipped: recommendations that could not be scored, with the reason.
        by_decision, by_label: the scored ones counted.
        realised_value, stockout_units, excess_units: the scored ones summed.
    """

    through: date
    considered: int
    scored: int
    waiting: int
    already_scored: int
    skipped: tuple[SkippedRecommendation, ...]
    by_decision: dict[str, int]
    by_label: dict[str, int]
    realised_value: float
    stockout_units: float
    excess_units: float

    def to_json(self) -> dict[str, Any]:
        return {
            "through": self.through.isoformat(),
            "considered": self.considered,
            "scored": self.scored,
            "waiting": self.waiting,
            "already_scored": self.already_scored,
            "skipped": [
                {"recommendation_id": s.recommendation_id, "reason": s.reason} for s in self.skipped
            ],
            "by_decision": dict(self.by_decision),
            "by_label": dict(self.by_label),
            "realised_value": round(self.realised_value, 2),
            "stockout_units": round(self.stockout_units, 4),
            "excess_units": round(self.excess_units, 4),
        }


class _Skip(Exception):
    """A recommendation that cannot be scored yet; the message says why."""


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A recommendation ready to replay, but for the data read per plan run."""

    recommendation: DecidedRecommendation
    decision: str
    start: StartingPosition
    end: date
    change: SupplyChange
    rates: CostRates
    lead_time_days: int | None
    moved_line: tuple[str, int | None] | None
    note: dict[str, Any]


def score_outcomes(
    store: OutcomeStore,
    *,
    actor: Principal,
    through: date,
    now: datetime,
    rescore: bool = False,
    progress: Progress | None = None,
) -> ScoreReport:
    """Score every executed or rejected recommendation whose window ended by `through`.

    A recommendation's window runs from the day after its plan's as-of to the latest
    day its action moves a receipt (arrival, a line's due date) plus its forecast
    horizon (drivers.forecast.horizon_days). Only whole windows are scored: one still
    open on `through` is counted as waiting. An outcome, once stored, is kept unless
    `rescore` (e.g. after demand was corrected); storing replaces it.

    Recommendations that cannot be scored are skipped with the reason (no demand
    recorded through the window's end at the location, drivers missing a field, no
    unit cost); the others are still scored.

    Args:
        store: where recommendations, demand and PO lines are read and outcomes kept.
        through: the last day of observed data to use.
        now: when the outcomes are scored (stored as scored_at).
        rescore: score again recommendations that already have an outcome.
        progress: optional sink: one step per recommendation replayed.
    """
    authorize(actor, "score_outcomes")
    decided = store.decided_recommendations(statuses=tuple(SCORED_STATUSES))
    skipped: list[SkippedRecommendation] = []
    waiting = already = 0
    due: list[_Prepared] = []
    for recommendation in decided:
        try:
            prepared = _prepare(recommendation)
        except (_Skip, UnscorableAction) as error:
            skipped.append(SkippedRecommendation(recommendation.id, str(error)))
            continue
        if prepared.end > through:
            waiting += 1
        elif recommendation.scored_through is not None and not rescore:
            already += 1
        else:
            due.append(prepared)
    advance = progress("scoring outcomes", len(due)) if progress is not None and due else None
    recorded = (
        store.demand_recorded_through(locations={p.recommendation.to_code for p in due})
        if due
        else {}
    )
    records: list[OutcomeRecord] = []
    for as_of, group in _by_as_of(due).items():
        keys = {(p.recommendation.sku, p.recommendation.to_code) for p in group}
        demand = _demand_by_key(
            store.demand_after(item_locations=keys, after=as_of, through=max(p.end for p in group))
        )
        lines = store.open_po_lines(item_locations=keys, as_of=as_of)
        for prepared in group:
            recommendation = prepared.recommendation
            try:
                records.append(_score(prepared, demand=demand, lines=lines, recorded=recorded))
            except (_Skip, UnscorableAction) as error:
                skipped.append(SkippedRecommendation(recommendation.id, str(error)))
            if advance is not None:
                advance(1)
    if records:
        store.save_outcomes(records, scored_at=now)
    outcomes = [record.outcome for record in records]
    return ScoreReport(
        through=through,
        considered=len(decided),
        scored=len(records),
        waiting=waiting,
        already_scored=already,
        skipped=tuple(sorted(skipped, key=lambda s: s.recommendation_id)),
        by_decision=dict(sorted(Counter(o.decision for o in outcomes).items())),
        by_label=dict(sorted(Counter(o.label for o in outcomes).items())),
        realised_value=float(sum(o.realised_value for o in outcomes)),
        stockout_units=float(sum(o.stockout_units for o in outcomes)),
        excess_units=float(sum(o.excess_units for o in outcomes)),
    )


def _prepare(recommendation: DecidedRecommendation) -> _Prepared:
    """The starting position, the change, the rates and the window of one recommendation."""
    r = recommendation
    drivers = r.drivers
    decision = SCORED_STATUSES[r.status]
    executed = decision == EXECUTED
    quantity = r.approved_quantity if executed and r.approved_quantity is not None else r.quantity
    arrival = (
        r.approved_arrival_date
        if executed and r.approved_arrival_date is not None
        else r.expected_arrival_date
    )
    lead_time = _optional_number(drivers, "lead_time", "mean_days")
    lead_time_days = None if lead_time is None else math.ceil(lead_time)
    line = None
    moved_line = None
    if r.kind in LINE_KINDS and "po_line" in drivers:
        po_line = drivers["po_line"]
        promised = po_line.get("promised_date")
        if promised is not None:
            due = date.fromisoformat(str(promised))
        elif lead_time_days is not None:
            due = r.as_of + timedelta(days=lead_time_days)
        else:
            raise _Skip("drivers.po_line.promised_date=None and no lead time to assume one")
        line = OpenLine(open_quantity=float(po_line["open_quantity"]), due=due)
        moved_line = (str(po_line["po_number"]), _optional_int(po_line.get("line_number")))
    share = quantity / r.quantity if r.quantity > 0 else 1.0
    change = supply_change(
        kind=r.kind,
        quantity=quantity,
        arrival=arrival,
        line=line,
        action_cost=r.action_cost * share,
    )
    moved = [receipt.arrival for receipt in (*change.with_action, *change.without_action)]
    horizon = _number(drivers, "forecast", "horizon_days")
    end = max([*moved, r.as_of + timedelta(days=1)]) + timedelta(days=math.ceil(horizon))
    unit_cost = r.unit_cost
    if unit_cost is None and r.order_value is not None and r.quantity > 0:
        unit_cost = r.order_value / r.quantity
    if unit_cost is None:
        raise _Skip(f"items.unit_cost of {r.sku} is unknown")
    rates = CostRates.from_unit_cost(
        unit_cost=unit_cost,
        holding_rate=r.holding_rate,
        shortage_penalty=_number(drivers, "policy", "shortage_penalty"),
        tail_days=r.tail_days,
    )
    start = StartingPosition(
        as_of=r.as_of,
        available=_number(drivers, "position", "available"),
        backordered=_optional_number(drivers, "position", "backordered") or 0.0,
        cover_level=_number(drivers, "policy", "reorder_point"),
    )
    note: dict[str, Any] = {
        "recommendation": {
            "kind": r.kind,
            "status": r.status,
            "quantity": quantity,
            "proposed_quantity": r.quantity,
            "arrival": None if arrival is None else arrival.isoformat(),
            "proposed_arrival": None
            if r.expected_arrival_date is None
            else r.expected_arrival_date.isoformat(),
            "action_cost": round(change.action_cost, 4),
        }
    }
    if r.kind in ("transfer", "rebalance"):
        source = drivers.get("source", {})
        note["shipper"] = {
            "location_code": r.from_code,
            "units_shipped": quantity,
            "available_at_plan": source.get("available"),
            "scored": False,
        }
    return _Prepared(
        recommendation=r,
        decision=decision,
        start=start,
        end=end,
        change=change,
        rates=rates,
        lead_time_days=lead_time_days,
        moved_line=moved_line,
        note=note,
    )


def _score(
    prepared: _Prepared,
    *,
    demand: Mapping[tuple[str, str], dict[date, float]],
    lines: pd.DataFrame,
    recorded: Mapping[str, date],
) -> OutcomeRecord:
    r = prepared.recommendation
    newest = recorded.get(r.to_code)
    if newest is None or newest < prepared.end:
        held = "no demand" if newest is None else f"demand only through {newest.isoformat()}"
        raise _Skip(f"{r.to_code} has {held} recorded; the window ends {prepared.end.isoformat()}")
    receipts, source = _common_receipts(prepared, lines=lines)
    outcome = score_outcome(
        decision=prepared.decision,
        start=prepared.start,
        end=prepared.end,
        demand=demand.get((r.sku, r.to_code), {}),
        receipts=receipts,
        change=prepared.change,
        rates=prepared.rates,
    )
    detail = {**outcome.detail, **prepared.note, "common_receipts": source}
    return OutcomeRecord(
        recommendation_id=r.id,
        through=prepared.end,
        outcome=Outcome(
            decision=outcome.decision,
            label=outcome.label,
            stockout_units=outcome.stockout_units,
            excess_units=outcome.excess_units,
            expedite_cost=outcome.expedite_cost,
            realised_cost=outcome.realised_cost,
            alternative_cost=outcome.alternative_cost,
            realised_value=outcome.realised_value,
            detail=detail,
        ),
    )


def _common_receipts(
    prepared: _Prepared, *, lines: pd.DataFrame
) -> tuple[list[Receipt], dict[str, Any]]:
    """Receipts both worlds get: the other PO lines open on as-of, as actually received
    within the window; without PO lines in the store, the position's open PO quantity
    (less the line acted on) arriving after the mean lead time."""
    r = prepared.recommendation
    here = lines[(lines["sku"] == r.sku) & (lines["location_code"] == r.to_code)]
    rows = [
        {str(key): value for key, value in row.items()}
        for row in here.to_dict("records")
        if (str(row["po_number"]), _optional_int(row["line_number"])) != prepared.moved_line
        and (r.erp_document is None or str(row["po_number"]) != r.erp_document)
    ]
    if not here.empty:
        receipts = [
            Receipt(_as_date(row["received_date"]), _received_quantity(row))
            for row in rows
            if _present(row["received_date"]) and _as_date(row["received_date"]) <= prepared.end
        ]
        never = len(rows) - len(receipts)
        return receipts, {
            "from": "po_lines",
            "lines": len(rows),
            "received_units": round(sum(receipt.quantity for receipt in receipts), 4),
            "lines_not_received_in_window": never,
        }
    open_units = _optional_number(r.drivers, "position", "open_po_quantity") or 0.0
    if prepared.moved_line is not None:
        open_units -= float(r.drivers["po_line"]["open_quantity"])
    if open_units <= 0.0:
        return [], {"from": "none"}
    if prepared.lead_time_days is None:
        raise _Skip(
            "no PO lines stored for the open PO quantity and drivers.lead_time.mean_days=None"
        )
    arrival = r.as_of + timedelta(days=prepared.lead_time_days)
    return [Receipt(arrival, open_units)], {
        "from": "position open_po_quantity at the mean lead time",
        "units": round(open_units, 4),
        "arrival": arrival.isoformat(),
    }


def _by_as_of(prepared: Iterable[_Prepared]) -> dict[date, list[_Prepared]]:
    groups: dict[date, list[_Prepared]] = defaultdict(list)
    for item in prepared:
        groups[item.recommendation.as_of].append(item)
    return dict(sorted(groups.items()))


def _demand_by_key(frame: pd.DataFrame) -> dict[tuple[str, str], dict[date, float]]:
    out: dict[tuple[str, str], dict[date, float]] = defaultdict(dict)
    for sku, location, day, quantity in zip(
        frame["sku"], frame["location_code"], frame["demand_date"], frame["quantity"], strict=True
    ):
        out[(str(sku), str(location))][_as_date(day)] = float(quantity)
    return out


def _number(drivers: Mapping[str, Any], group: str, name: str) -> float:
    value = _optional_number(drivers, group, name)
    if value is None:
        raise _Skip(f"drivers.{group}.{name} is missing")
    return value


def _optional_number(drivers: Mapping[str, Any], group: str, name: str) -> float | None:
    section: Mapping[str, Any] = drivers.get(group) or {}
    value: Any = section.get(name)
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _optional_int(value: object) -> int | None:
    return int(value) if _present(value) else None  # type: ignore[call-overload]


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)  # type: ignore[call-overload]


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def _received_quantity(row: Mapping[str, Any]) -> float:
    received: Any = row.get("received_quantity")
    return float(received) if _present(received) else float(row["ordered_quantity"])


# -- decision KPIs ---------------------------------------------------------------------
