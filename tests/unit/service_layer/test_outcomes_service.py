"""Outcome scoring and decision KPIs as use cases, against an in-memory OutcomeStore."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from crossdock.governance.access import SYSTEM, NotAllowed, Principal
from crossdock.service_layer.decision_kpis import decision_kpis
from crossdock.service_layer.outcome_ports import (
    ActorDecisionCount,
    DecidedRecommendation,
    DecisionCount,
    OutcomeRecord,
    OutcomeTotal,
    OverrideEvent,
)
from crossdock.service_layer.outcomes import score_outcomes

AS_OF = date(2026, 11, 20)
NOW = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
DRIVERS: dict[str, Any] = {
    "forecast": {"horizon_days": 7, "mean": 35.0},
    "lead_time": {"mean_days": 3.0},
    "position": {"on_hand": 12.0, "available": 10.0, "open_po_quantity": 0.0, "backordered": 0.0},
    "policy": {"reorder_point": 20.0, "shortage_penalty": 4.0},
}

AUDITOR = Principal(username="aud", kind="person", roles=frozenset({"auditor"}))


def _recommendation(id_: int, **changes: Any) -> DecidedRecommendation:
    # unit cost 146 x 25% a year / 365 = 0.10 a unit-day; leftovers carried 7 days
    base = DecidedRecommendation(
        id=id_,
        plan_run_id=1,
        as_of=AS_OF,
        status="committed",
        kind="buy",
        sku="SKU-1",
        from_code="SUP-1",
        to_code="BR01",
        po_number=None,
        line_number=None,
        quantity=40.0,
        expected_arrival_date=date(2026, 11, 23),
        action_cost=50.0,
        drivers=DRIVERS,
        unit_cost=146.0,
        holding_rate=0.25,
        tail_days=7.0,
    )
    return replace(base, **changes)


class FakeOutcomeStore:
    def __init__(
        self,
        recommendations: Sequence[DecidedRecommendation] = (),
        *,
        demand: Mapping[tuple[str, str], Mapping[date, float]] | None = None,
        recorded: Mapping[str, date] | None = None,
        po_lines: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.recommendations = list(recommendations)
        self.demand = dict(demand or {})
        self.recorded = dict(recorded or {})
        self.po_lines = list(po_lines)
        self.saved: dict[int, OutcomeRecord] = {}
        self.saves = 0
        self.decisions: list[DecisionCount] = []
        self.people: list[ActorDecisionCount] = []
        self.overrides: list[OverrideEvent] = []
        self.totals: list[OutcomeTotal] = []
        self.routings: list[Mapping[str, Any] | None] = []
        self.since_asked: list[datetime | None] = []

    def decided_recommendations(self, *, statuses: Collection[str]) -> list[DecidedRecommendation]:
        return [
            replace(r, scored_through=self.saved[r.id].through) if r.id in self.saved else r
            for r in self.recommendations
            if r.status in statuses
        ]

    def demand_after(
        self, *, item_locations: Collection[tuple[str, str]], after: date, through: date
    ) -> pd.DataFrame:
        rows = [
            (sku, location, day, units)
            for (sku, location), days in self.demand.items()
            if (sku, location) in item_locations
            for day, units in days.items()
            if after < day <= through
        ]
        return pd.DataFrame(rows, columns=["sku", "location_code", "demand_date", "quantity"])

    def open_po_lines(
        self, *, item_locations: Collection[tuple[str, str]], as_of: date
    ) -> pd.DataFrame:
        columns = [
            "po_number",
            "line_number",
            "sku",
            "location_code",
            "ordered_quantity",
            "promised_date",
            "received_date",
            "received_quantity",
        ]
        rows = [
            line for line in self.po_lines if (line["sku"], line["location_code"]) in item_locations
        ]
        return pd.DataFrame(rows, columns=columns)

    def demand_recorded_through(self, *, locations: Collection[str]) -> dict[str, date]:
        return {k: v for k, v in self.recorded.items() if k in locations}

    def save_outcomes(self, outcomes: Sequence[OutcomeRecord], *, scored_at: datetime) -> None:
        self.saves += 1
        for record in outcomes:
            self.saved[record.recommendation_id] = record

    def decision_counts(self, *, since: datetime | None) -> list[DecisionCount]:
        self.since_asked.append(since)
        return self.decisions

    def person_decisions(self, *, since: datetime | None) -> list[ActorDecisionCount]:
        return self.people

    def override_events(self, *, since: datetime | None) -> list[OverrideEvent]:
        return self.overrides

    def outcome_totals(self, *, since: datetime | None) -> list[OutcomeTotal]:
        return self.totals

    def pending_routings(self) -> list[Mapping[str, Any] | None]:
        return self.routings


def _daily(units: float, days: int = 10) -> dict[date, float]:
    return {AS_OF + timedelta(days=d): units for d in range(1, days + 1)}


# -- scoring ------------------------------------------------------------------------


def test_scores_an_executed_buy_at_its_approved_quantity_and_a_rejected_one_as_proposed():
    # the unit test in tests/unit/governance works the numbers out: with the buy 64.50,
    # without 160.50. The executed one was modified from 50 units (action cost 62.50)
    # to 40: its action cost scales to 50.00.
    executed = _recommendation(
        1, quantity=50.0, approved_quantity=40.0, action_cost=62.5, status="executing"
    )
    rejected = _recommendation(2, status="rejected", to_code="BR02")
    store = FakeOutcomeStore(
        [executed, rejected],
        demand={("SKU-1", "BR01"): _daily(5.0), ("SKU-1", "BR02"): _daily(5.0)},
        recorded={"BR01": date(2026, 12, 1), "BR02": date(2026, 12, 1)},
    )

    report = score_outcomes(store, actor=SYSTEM, through=date(2026, 11, 30), now=NOW)

    assert (report.considered, report.scored, report.waiting, report.skipped) == (2, 2, 0, ())
    assert report.by_decision == {"executed": 1, "rejected": 1}
    assert report.by_label == {"stockout avoided": 1, "stockout suffered": 1}
    assert report.realised_value == pytest.approx(0.0)
    assert report.stockout_units == pytest.approx(40.0)
    first, second = store.saved[1], store.saved[2]
    assert first.through == date(2026, 11, 30)  # arrival Nov 23 + 7 horizon days
    assert first.outcome.realised_value == pytest.approx(96.0)
    assert first.outcome.detail["recommendation"]["quantity"] == 40.0
    assert first.outcome.detail["recommendation"]["action_cost"] == pytest.approx(50.0)
    assert second.outcome.realised_value == pytest.approx(-96.0)
    assert second.outcome.decision == "rejected"
    assert store.saves == 1


def test_a_window_still_open_waits_and_nothing_is_saved():
    store = FakeOutcomeStore(
        [_recommendation(1)], demand={("SKU-1", "BR01"): _daily(5.0)}, recorded={"BR01": AS_OF}
    )

    report = score_outcomes(store, actor=SYSTEM, through=date(2026, 11, 29), now=NOW)

    assert (report.scored, report.waiting) == (0, 1)
    assert store.saves == 0
    assert store.saved == {}


def test_recommendations_without_data_are_skipped_with_the_reason_and_the_rest_scored():
    no_demand_yet = _recommendation(1, to_code="BR02")
    no_penalty = _recommendation(
        2, drivers={**DRIVERS, "policy": {"reorder_point": 20.0}}, to_code="BR01"
    )
    no_cost = _recommendation(3, unit_cost=None, order_value=None)
    fine = _recommendation(4)
    store = FakeOutcomeStore(
        [no_demand_yet, no_penalty, no_cost, fine],
        demand={("SKU-1", "BR01"): _daily(5.0)},
        recorded={"BR01": date(2026, 11, 30), "BR02": date(2026, 11, 29)},
    )

    report = score_outcomes(store, actor=SYSTEM, through=date(2026, 12, 5), now=NOW)

    assert [(s.recommendation_id, s.reason) for s in report.skipped] == [
        (1, "BR02 has demand only through 2026-11-29 recorded; the window ends 2026-11-30"),
        (2, "drivers.policy.shortage_penalty is missing"),
        (3, "items.unit_cost of SKU-1 is unknown"),
    ]
    assert report.scored == 1
    assert set(store.saved) == {4}


def test_an_outcome_is_kept_unless_rescoring_is_asked_for():
    store = FakeOutcomeStore(
        [_recommendation(1)],
        demand={("SKU-1", "BR01"): _daily(5.0)},
        recorded={"BR01": date(2026, 11, 30)},
    )
    score_outcomes(store, actor=SYSTEM, through=date(2026, 11, 30), now=NOW)
    store.demand[("SKU-1", "BR01")] = _daily(1.0)  # demand corrected by a later import

    again = score_outcomes(store, actor=SYSTEM, through=date(2026, 12, 31), now=NOW)

    assert (again.scored, again.already_scored) == (0, 1)
    assert store.saved[1].outcome.label == "stockout avoided"

    rescored = score_outcomes(
        store, actor=SYSTEM, through=date(2026, 12, 31), now=NOW, rescore=True
    )

    assert rescored.scored == 1
    assert store.saved[1].outcome.label == "excess created"
    assert store.saves == 2


def test_statuses_not_yet_executed_are_not_scored():
    store = FakeOutcomeStore(
        [_recommendation(1, status="approved"), _recommendation(2, status="failed")],
        demand={("SKU-1", "BR01"): _daily(5.0)},
        recorded={"BR01": date(2026, 11, 30)},
    )

    report = score_outcomes(store, actor=SYSTEM, through=date(2026, 12, 31), now=NOW)

    assert (report.considered, report.scored) == (0, 0)


def test_other_open_lines_arrive_as_received_and_the_moved_line_only_as_planned():
    # expedite PO-7/1 (30 units due Nov 28) to Nov 23; PO-8/1 (10 units) received Nov 21;
    # PO-9/1 never received in the window. The window runs to Nov 28 + 7 = Dec 5.
    drivers = {
        **DRIVERS,
        "po_line": {
            "po_number": "PO-7",
            "line_number": 1,
            "open_quantity": 30.0,
            "promised_date": "2026-11-28",
        },
    }
    expedite = _recommendation(
        1, kind="expedite", po_number="PO-7", line_number=1, quantity=30.0, drivers=drivers,
        action_cost=20.0,
    )  # fmt: skip
    lines = [
        _line("PO-7", received=date(2026, 11, 22), quantity=30.0),
        _line("PO-8", received=date(2026, 11, 21), quantity=10.0),
        _line("PO-9", received=None, quantity=99.0),
    ]
    store = FakeOutcomeStore(
        [expedite],
        demand={("SKU-1", "BR01"): _daily(5.0, days=15)},
        recorded={"BR01": date(2026, 12, 5)},
        po_lines=lines,
    )

    report = score_outcomes(store, actor=SYSTEM, through=date(2026, 12, 5), now=NOW)

    assert report.scored == 1
    record = store.saved[1]
    assert record.through == date(2026, 12, 5)
    detail = record.outcome.detail
    assert detail["common_receipts"] == {
        "from": "po_lines",
        "lines": 2,
        "received_units": 10.0,
        "lines_not_received_in_window": 1,
    }
    assert detail["without_action"]["received_units"] == pytest.approx(40.0)
    assert record.outcome.expedite_cost == pytest.approx(20.0)


def test_without_po_lines_the_open_quantity_arrives_after_the_mean_lead_time():
    drivers = {**DRIVERS, "position": {**DRIVERS["position"], "open_po_quantity": 25.0}}
    store = FakeOutcomeStore(
        [_recommendation(1, drivers=drivers)],
        demand={("SKU-1", "BR01"): _daily(5.0)},
        recorded={"BR01": date(2026, 11, 30)},
    )

    score_outcomes(store, actor=SYSTEM, through=date(2026, 11, 30), now=NOW)

    assert store.saved[1].outcome.detail["common_receipts"] == {
        "from": "position open_po_quantity at the mean lead time",
        "units": 25.0,
        "arrival": "2026-11-23",
    }


def test_a_transfer_is_scored_at_the_receiver_and_names_the_shipper():
    drivers = {**DRIVERS, "source": {"location_code": "DC01", "available": 500.0}}
    store = FakeOutcomeStore(
        [_recommendation(1, kind="transfer", from_code="DC01", drivers=drivers)],
        demand={("SKU-1", "BR01"): _daily(5.0)},
        recorded={"BR01": date(2026, 11, 30)},
    )

    score_outcomes(store, actor=SYSTEM, through=date(2026, 11, 30), now=NOW)

    assert store.saved[1].outcome.detail["shipper"] == {
        "location_code": "DC01",
        "units_shipped": 40.0,
        "available_at_plan": 500.0,
        "scored": False,
    }


def test_progress_advances_once_per_recommendation_replayed():
    advanced: list[tuple[str, int, int]] = []

    def progress(label: str, total: int):
        def advance(step: int) -> None:
            advanced.append((label, total, step))

        return advance

    store = FakeOutcomeStore(
        [_recommendation(1), _recommendation(2)],
        demand={("SKU-1", "BR01"): _daily(5.0)},
        recorded={"BR01": date(2026, 11, 30)},
    )

    score_outcomes(store, actor=SYSTEM, through=date(2026, 11, 30), now=NOW, progress=progress)

    assert advanced == [("scoring outcomes", 2, 1), ("scoring outcomes", 2, 1)]


def _line(po_number: str, *, received: date | None, quantity: float) -> dict[str, Any]:
    return {
        "po_number": po_number,
        "line_number": 1,
        "sku": "SKU-1",
        "location_code": "BR01",
        "ordered_quantity": quantity,
        "promised_date": date(2026, 11, 28),
        "received_date": received,
        "received_quantity": None if received is None else quantity,
    }


# -- KPIs ---------------------------------------------------------------------------


def test_kpis_share_decisions_by_how_they_were_made_per_agent_and_policy_version():
    store = FakeOutcomeStore()
    store.decisions = [
        DecisionCount("agent:replenishment", "standard@1", "auto_approved", 5),
        DecisionCount("agent:replenishment", "standard@1", "approved", 2),
        DecisionCount("agent:replenishment", "standard@2", "modified", 1),
        DecisionCount("agent:replenishment", "standard@2", "rejected", 1),
        DecisionCount("agent:transfers", "standard@2", "rejected", 1),
    ]
    store.people = [
        ActorDecisionCount("alice", "approve", 2),
        ActorDecisionCount("alice", "reject", 1),
        ActorDecisionCount("bob", "modify", 1),
        ActorDecisionCount("bob", "reject", 1),
    ]
    store.overrides = [
        OverrideEvent(8, "bob", "modify", "demand_knowledge"),
        OverrideEvent(9, "alice", "reject", "supplier_issue"),
        OverrideEvent(10, "bob", "reject", "demand_knowledge"),
    ]
    store.totals = [
        OutcomeTotal("agent:replenishment", "standard@1", "executed", 4, Decimal("300.5")),
        OutcomeTotal("agent:replenishment", "standard@2", "rejected", 1, Decimal("-96"), 40.0),
        OutcomeTotal("agent:transfers", "standard@2", "rejected", 1, Decimal("10")),
    ]
    store.routings = [
        {"approver_roles": ["buyer", "finance"]},
        {"approver_roles": ["buyer"]},
        None,
    ]

    kpis = decision_kpis(store, actor=AUDITOR, since=date(2026, 11, 1)).to_json()

    assert store.since_asked == [datetime(2026, 11, 1, tzinfo=UTC)]
    assert kpis["since"] == "2026-11-01"
    assert (kpis["decided"], kpis["auto_approved"], kpis["approved"]) == (10, 5, 2)
    assert (kpis["modified"], kpis["rejected"]) == (1, 2)
    assert kpis["acceptance_rate"] == 0.7
    assert kpis["override_rate"] == 0.3
    assert kpis["auto_approval_rate"] == 0.5
    assert kpis["overrides_by_reason"] == {
        "demand_knowledge": {"overrides": 2, "rate": 0.2},
        "supplier_issue": {"overrides": 1, "rate": 0.1},
    }
    assert kpis["by_planner"]["alice"] == {
        "decisions": 3,
        "approved": 2,
        "modified": 0,
        "rejected": 1,
        "override_rate": 0.3333,
    }
    assert kpis["by_planner"]["bob"]["override_rate"] == 1.0
    replenishment = kpis["by_agent"]["agent:replenishment"]
    assert (replenishment["decided"], replenishment["acceptance_rate"]) == (9, 0.7778)
    assert (replenishment["scored"], replenishment["realised_value"]) == (5, 204.5)
    transfers = kpis["by_agent"]["agent:transfers"]
    assert (transfers["decided"], transfers["override_rate"], transfers["realised_value"]) == (
        1,
        1.0,
        10.0,
    )
    assert kpis["by_policy_version"]["standard@1"]["acceptance_rate"] == 1.0
    assert kpis["by_policy_version"]["standard@2"]["realised_value"] == -86.0
    assert kpis["value"] == {
        "scored": 6,
        "realised_value": 214.5,
        "stockout_units": 40.0,
        "excess_units": 0.0,
    }
    assert kpis["value_by_decision"]["rejected"]["realised_value"] == -86.0
    assert kpis["pending"] == 3
    assert kpis["pending_by_role"] == {"buyer": 2, "finance": 1, "unrouted": 1}


def test_kpis_of_an_empty_store_have_no_rates_rather_than_dividing_by_zero():
    kpis = decision_kpis(FakeOutcomeStore(), actor=AUDITOR).to_json()

    assert kpis["decided"] == 0
    assert kpis["acceptance_rate"] is None
    assert kpis["override_rate"] is None
    assert kpis["by_agent"] == {}
    assert kpis["pending_by_role"] == {}


def test_scoring_and_kpis_are_refused_to_roles_without_them():
    planner = Principal(username="pat", kind="person", roles=frozenset({"planner"}))
    with pytest.raises(NotAllowed):
        score_outcomes(FakeOutcomeStore(), actor=planner, through=date(2026, 11, 30), now=NOW)
    agent = Principal(username="agent:x", kind="agent", agent_actions=frozenset({"propose"}))
    with pytest.raises(NotAllowed):
        decision_kpis(FakeOutcomeStore(), actor=agent)
