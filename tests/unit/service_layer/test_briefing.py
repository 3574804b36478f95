"""The weekly brief as a use case, over in-memory reads: top risks ranked by money at
risk across queue pages, totals over every open recommendation, pending decisions by
approver with the oldest age, the agents' week (decisions of the week only), masking of
supplier cost by role, and what is missing said in words."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from crossdock.governance.access import NotAllowed, Principal
from crossdock.service_layer.briefing import NO_OUTCOMES, NO_PLAN, TOP_RISKS, weekly_brief
from crossdock.service_layer.exception_ports import ExceptionFilter
from crossdock.service_layer.kpi_ports import (
    AgentProposals,
    DayDemand,
    DayFill,
    DecisionTiming,
    ExpediteSpend,
    ForecastBacktest,
    StockOn,
)
from crossdock.service_layer.listing_ports import Key, PageRequest
from crossdock.service_layer.outcome_ports import DecisionCount, OutcomeTotal
from crossdock.service_layer.work_queue import (
    OpenRecommendation,
    QueueFilters,
    QueueKey,
)

WEEK_ENDING = date(2026, 11, 22)  # the week 16-22 Nov
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
EXECUTIVE = Principal(username="eve", kind="person", roles=frozenset({"executive"}))
PLANNER = Principal(username="pat", kind="person", roles=frozenset({"planner"}))
BR01_PLANNER = Principal(
    username="nora", kind="person", roles=frozenset({"planner"}), sites=frozenset({"BR01"})
)


# -- in-memory reads ---------------------------------------------------------------------


class FakeKpiReads:
    """Stock at cost every week end; nothing else recorded."""

    def order_fill(self, *, start: date, end: date) -> list[DayFill]:
        return []

    def stock_on(self, days: Sequence[date]) -> list[StockOn]:
        return [
            StockOn(day, item_locations=10, at_zero=2, units=500.0,
                    value_at_cost=Decimal("1234.50"), uncosted=0)
            for day in days
        ]  # fmt: skip

    def demand_by_day(self, *, start: date, end: date) -> list[DayDemand]:
        return []

    def expedite_spend(self, *, start: datetime, end: datetime) -> list[ExpediteSpend]:
        return []

    def decision_timings(self, *, start: datetime, end: datetime) -> list[DecisionTiming]:
        return []

    def forecast_backtests(self, *, start: date, end: date) -> list[ForecastBacktest]:
        return []


@dataclass
class Decided:
    at: datetime
    proposed_by: str
    decision: str
    realised_value: Decimal | None = None  # scored when set


@dataclass
class FakeOutcomes:
    """Decisions with when they were made; `since` filters them as the SQL does."""

    decided: list[Decided] = field(default_factory=list)

    def decision_counts(self, *, since: datetime | None) -> list[DecisionCount]:
        return [
            DecisionCount(proposed_by=d.proposed_by, approval_policy_version="p@1",
                          decision=d.decision, count=1)
            for d in self.decided
            if since is None or d.at >= since
        ]  # fmt: skip

    def outcome_totals(self, *, since: datetime | None) -> list[OutcomeTotal]:
        return [
            OutcomeTotal(proposed_by=d.proposed_by, approval_policy_version="p@1",
                         decision="executed", scored=1, realised_value=d.realised_value)
            for d in self.decided
            if d.realised_value is not None and (since is None or d.at >= since)
        ]  # fmt: skip

    def person_decisions(self, *, since: datetime | None) -> list[Any]:
        return []

    def override_events(self, *, since: datetime | None) -> list[Any]:
        return []

    def pending_routings(self) -> list[Any]:
        return []


class FakeQueue:
    """Open recommendations ranked by money at risk then id, in keyset pages."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = sorted(rows, key=lambda r: (r["do_nothing_cost"], r["id"]), reverse=True)
        self.pages_read = 0

    def open_page(
        self,
        *,
        filters: QueueFilters,
        sites: frozenset[str] | None,
        after: QueueKey | None,
        limit: int,
    ) -> list[OpenRecommendation]:
        self.pages_read += 1
        found = [
            OpenRecommendation(key=QueueKey(repr(r["do_nothing_cost"]), r["id"]), row=r)
            for r in self.rows
            if (sites is None or r["to_code"] in sites)
            and (
                after is None
                or (r["do_nothing_cost"], r["id"]) < (float(after.money_at_risk), after.id)
            )
        ]
        return found[:limit]

    def by_ids(self, ids: Sequence[int]) -> list[OpenRecommendation]:
        raise AssertionError("the brief reads the queue only")

    def ledger_page(self, **_: Any) -> list[dict[str, Any]]:
        raise AssertionError("the brief reads the queue only")


class FakeExceptions:
    def __init__(self, kinds: dict[str, int]) -> None:
        self.rows = [
            {"kind": kind, "id": i, "at": "2026-11-20T00:00:00+00:00", "subject": None,
             "reference": None, "field": None, "value": None, "reason": "x", "detail": {}}
            for kind, count in kinds.items()
            for i in range(count)
        ]  # fmt: skip

    def exception_page(
        self, *, where: ExceptionFilter, page: PageRequest
    ) -> tuple[list[dict[str, Any]], Key | None]:
        rows = [r for r in self.rows if r["kind"] in where.kinds]
        start = 0 if page.after is None else int(page.after[2]) + 1
        chunk = rows[start : start + page.limit]
        more = start + page.limit < len(rows)
        return chunk, (chunk[-1]["at"], chunk[-1]["kind"], start + len(chunk) - 1) if more else None


@dataclass
class FakeProposals:
    made: list[AgentProposals] = field(default_factory=list)
    asked: list[tuple[datetime, datetime]] = field(default_factory=list)

    def proposals(self, *, start: datetime, end: datetime) -> list[AgentProposals]:
        self.asked.append((start, end))
        return self.made


def _recommendation(id_: int, money: float, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": id_, "kind": "buy", "status": "proposed", "sku": f"SKU-{id_:03d}",
        "from_code": "SUP-1", "to_code": "BR01", "quantity": 120.0,
        "do_nothing_cost": money, "order_value": 10.0 * id_, "rationale": f"reason {id_}",
        "routing": {}, "alternatives": [], "drivers": {}, "proposed_by": "agent:replenishment",
        "status_changed_at": "2026-11-20T08:00:00+00:00",
    }  # fmt: skip
    row.update(changes)
    return row


def _pending(
    id_: int, money: float, roles: list[str], since: str, **changes: Any
) -> dict[str, Any]:
    routing = {"tier": "approval_required", "approver_roles": roles, "second_approver_roles": []}
    return _recommendation(
        id_, money, status="pending_approval", routing=routing, status_changed_at=since, **changes
    )


def _brief(actor: Principal = EXECUTIVE, **reads: Any) -> Any:
    given: dict[str, Any] = {
        "kpi_reads": FakeKpiReads(),
        "outcomes": FakeOutcomes(),
        "queue": FakeQueue([]),
        "exceptions": FakeExceptions({}),
        "proposals": FakeProposals(),
    }
    given.update(reads)
    return weekly_brief(**given, actor=actor, week_ending=WEEK_ENDING, now=NOW)


# -- the tests ---------------------------------------------------------------------------


def test_top_risks_are_the_ten_most_money_at_risk_and_totals_cover_every_page():
    # given 450 open recommendations: more than two pages of the queue
    rows = [_recommendation(i, money=float(i * 3 % 1000) + 0.25) for i in range(1, 451)]
    queue = FakeQueue(rows)

    brief = _brief(queue=queue)

    expected = sorted(rows, key=lambda r: (r["do_nothing_cost"], r["id"]), reverse=True)
    assert [r.recommendation_id for r in brief.top_risks] == [r["id"] for r in expected[:TOP_RISKS]]
    assert brief.top_risks[0].money_at_risk == expected[0]["do_nothing_cost"]
    assert queue.pages_read == 3  # 200 + 200 + 50
    assert brief.open_recommendations == 450
    assert brief.open_money_at_risk == pytest.approx(sum(r["do_nothing_cost"] for r in rows))
    first = brief.top_risks[0]
    assert first.what == f"buy 120 x {expected[0]['sku']}"
    assert first.where == "SUP-1 -> BR01"
    assert first.why == f"reason {expected[0]['id']}"


def test_pending_decisions_are_grouped_by_approver_with_money_and_the_oldest_age():
    queue = FakeQueue(
        [
            _pending(1, 100.0, ["planner", "warehouse_supervisor"], "2026-11-21T08:00:00+00:00"),
            _pending(2, 40.0, ["planner"], "2026-11-19T20:00:00+00:00"),
            _pending(3, 500.0, ["buyer"], "2026-11-22T08:00:00+00:00"),
            _recommendation(4, 900.0),  # proposed: waits for nobody
        ]
    )

    brief = _brief(queue=queue)

    by_role = {q.approver: q for q in brief.pending_by_approver}
    assert set(by_role) == {"planner", "warehouse_supervisor", "buyer"}
    assert (by_role["planner"].waiting, by_role["planner"].money_at_risk) == (2, 140.0)
    assert (by_role["warehouse_supervisor"].waiting, by_role["buyer"].waiting) == (1, 1)
    # the planner's oldest waits since 19 Nov 20:00: 3.5 days before 23 Nov 08:00
    assert by_role["planner"].oldest_since == datetime(2026, 11, 19, 20, tzinfo=UTC)
    assert by_role["planner"].oldest_age_days == 3.5
    assert by_role["buyer"].oldest_age_days == 1.0
    assert brief.pending_by_approver[0].approver == "buyer"  # the most money first


def test_the_agents_week_counts_only_decisions_of_the_week_and_proposals_of_the_week():
    inside = datetime(2026, 11, 18, 10, tzinfo=UTC)
    before = datetime(2026, 11, 10, 10, tzinfo=UTC)
    after = datetime(2026, 11, 23, 7, tzinfo=UTC)  # the next week (the brief is made later)
    outcomes = FakeOutcomes(
        [
            Decided(inside, "agent:procurement", "approved", realised_value=Decimal("25.5")),
            Decided(inside, "agent:procurement", "rejected"),
            Decided(before, "agent:procurement", "approved", realised_value=Decimal("100")),
            Decided(after, "agent:procurement", "rejected"),
            Decided(inside, "agent:replenishment", "auto_approved"),
        ]
    )
    proposals = FakeProposals(
        [AgentProposals("agent:procurement", proposed=4, order_value=Decimal("812.40"),
                        with_order_value=3)]
    )  # fmt: skip

    brief = _brief(outcomes=outcomes, proposals=proposals)

    assert proposals.asked == [
        (datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
    ]
    agents = {a.agent: a for a in brief.agents}
    procurement = agents["agent:procurement"]
    assert (procurement.proposed, procurement.proposed_order_value) == (4, 812.40)
    assert (procurement.approved, procurement.rejected, procurement.auto_approved) == (1, 1, 0)
    assert (procurement.realised_value_week, procurement.scored_week) == (25.5, 1)
    assert (procurement.realised_value_total, procurement.scored_total) == (125.5, 2)
    replenishment = agents["agent:replenishment"]
    assert (replenishment.proposed, replenishment.auto_approved) == (0, 1)
    assert replenishment.realised_value_total is None
    assert NO_OUTCOMES not in brief.missing


def test_supplier_cost_is_hidden_from_a_planner_and_shown_to_an_executive():
    queue = FakeQueue([_recommendation(7, 300.0)])
    proposals = FakeProposals(
        [AgentProposals("agent:replenishment", proposed=1, order_value=Decimal("70"),
                        with_order_value=1)]
    )  # fmt: skip

    executive = _brief(EXECUTIVE, queue=queue, proposals=proposals)
    planner = _brief(PLANNER, queue=queue, proposals=proposals)

    assert executive.top_risks[0].order_value == 70.0
    assert executive.agents[0].proposed_order_value == 70.0
    assert executive.kpi("stock_value").this_week == 1234.5
    assert executive.masked == ()
    assert planner.top_risks[0].order_value is None
    assert planner.top_risks[0].order_value_masked
    assert planner.agents[0].proposed_order_value is None
    assert planner.agents[0].proposed_order_value_masked
    assert planner.kpi("stock_value").masked
    assert planner.kpi("stock_value").this_week is None
    assert planner.masked  # said in words
    assert "70" not in json.dumps(planner.to_json()["top_risks"])


def test_what_is_missing_is_said_in_words():
    brief = _brief()

    assert NO_OUTCOMES in brief.missing
    assert NO_PLAN in brief.missing
    assert any(line.startswith("Fill rate (units): ") for line in brief.missing)
    assert brief.open_recommendations == 0
    assert brief.top_risks == ()


def test_exceptions_are_counted_by_kind_across_pages_and_site_people_see_their_own_only():
    exceptions = FakeExceptions({"dead_letter": 3, "quarantined_row": 1203, "failed_job": 0})
    queue = FakeQueue([_recommendation(1, 10.0), _recommendation(2, 20.0, to_code="BR02")])

    everyone = _brief(EXECUTIVE, exceptions=exceptions, queue=queue)
    site = _brief(BR01_PLANNER, exceptions=exceptions, queue=queue)

    assert everyone.exceptions_by_kind == {
        "dead_letter": 3, "quarantined_row": 1203, "failed_recommendation": 0, "failed_job": 0,
    }  # fmt: skip
    assert everyone.open_recommendations == 2
    # installation-wide kinds belong to no one site; the queue is the person's sites only
    assert site.exceptions_by_kind == {"failed_recommendation": 0}
    assert site.open_recommendations == 1
    assert site.sites == ("BR01",)


def test_the_week_and_trends_are_stated_and_the_json_is_plain():
    brief = _brief()

    body = json.loads(json.dumps(brief.to_json()))
    assert (body["week_start"], body["week_ending"]) == ("2026-11-16", "2026-11-22")
    assert body["made_at"] == NOW.isoformat()
    assert body["week_endings"][-1] == "2026-11-22"
    assert len(body["week_endings"]) == 8
    stockouts = brief.kpi("stockouts")
    assert (stockouts.this_week, stockouts.last_week) == (2.0, 2.0)
    assert len(stockouts.trend) == 8


def test_a_person_without_view_kpis_is_refused():
    nobody = Principal(username="nobody", kind="person", roles=frozenset())
    proposals = FakeProposals()

    with pytest.raises(NotAllowed):
        _brief(nobody, proposals=proposals)

    assert proposals.asked == []  # nothing was read


def test_a_recommendation_waiting_since_an_unknown_time_has_no_age():
    waiting = {**_pending(1, 10.0, ["planner"], ""), "status_changed_at": None}

    brief = _brief(queue=FakeQueue([waiting]))

    assert brief.pending_by_approver[0].waiting == 1
    assert brief.pending_by_approver[0].oldest_since is None
    assert brief.pending_by_approver[0].oldest_age_days is None
