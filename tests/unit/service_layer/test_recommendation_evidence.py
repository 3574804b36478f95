"""A recommendation's evidence over a fake store: projected stock worked out by hand,
with and without the action, for a buy, a transfer's two warehouses and a cancelled
PO line; lead times in days; and what cannot be known says why."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pytest

from crossdock.governance.access import Principal, Role
from crossdock.service_layer.deciding import UnknownRecommendation
from crossdock.service_layer.evidence_ports import (
    EvidenceSubject,
    InboundLine,
    PurchaseReceipt,
    StockCount,
)
from crossdock.service_layer.recommendation_evidence import recommendation_evidence

AS_OF = date(2026, 11, 21)
PLANNER = Principal(username="pat", kind="person", roles=frozenset({Role.PLANNER}))
DAILY = {"forecast_freq": "D", "backtest_windows": 1, "horizon_days": 7}


def _day(n: int) -> date:
    return AS_OF + timedelta(days=n)


@dataclass
class FakeReads:
    """Two warehouses selling exactly 2 and 1 units a day for 60 days."""

    subjects: dict[int, EvidenceSubject] = field(default_factory=dict)
    demand_per_day: dict[str, float] = field(default_factory=lambda: {"BR1": 2.0, "DC1": 1.0})
    counts: dict[str, StockCount] = field(
        default_factory=lambda: {
            "BR1": StockCount(AS_OF, on_hand=10.0, allocated=2.0, backordered=1.0),
            "DC1": StockCount(AS_OF, on_hand=100.0),
        }
    )
    lines: dict[str, list[InboundLine]] = field(
        default_factory=lambda: {"BR1": [InboundLine("po", "PO-1", 1, 5.0, _day(2))]}
    )
    received: list[PurchaseReceipt] = field(default_factory=list)

    def subject(self, recommendation_id: int) -> EvidenceSubject | None:
        return self.subjects.get(recommendation_id)

    def daily_demand(self, *, sku: str, location_code: str, through: date):
        per_day = self.demand_per_day.get(location_code, 0.0)
        return [(through - timedelta(days=n), per_day) for n in range(59, -1, -1) if per_day]

    def stock(self, *, sku: str, location_code: str, as_of: date | None):
        return self.counts.get(location_code)

    def inbound(self, *, sku: str, location_code: str, as_of: date):
        return list(self.lines.get(location_code, []))

    def receipts(self, *, supplier_code: str, sku: str | None, through: date, limit: int):
        return [r for r in self.received if sku is None or r.sku == sku][-limit:]

    def quoted_lead_time(self, *, supplier_code: str, sku: str):
        return 14.0


def _subject(**changes: object) -> EvidenceSubject:
    buy = EvidenceSubject(
        recommendation_id=1,
        kind="buy",
        sku="A",
        from_code="SUP",
        to_code="BR1",
        quantity=20.0,
        arrival_date=_day(3),
        supplier_code="SUP",
        plan_run_id=4,
        plan_as_of=AS_OF,
        plan_settings=DAILY,
        drivers={"policy": {"safety_stock": 3.0, "reorder_point": 9.0}},
    )
    return replace(buy, **changes)  # type: ignore[arg-type]


def _reads(subject: EvidenceSubject, **changes: object) -> FakeReads:
    reads = FakeReads(subjects={subject.recommendation_id: subject})
    for name, value in changes.items():
        setattr(reads, name, value)
    return reads


def test_a_buy_adds_its_quantity_from_its_arrival_day_on():
    reads = _reads(_subject())

    evidence = recommendation_evidence(reads, actor=PLANNER, recommendation_id=1)

    projection = evidence.projection
    assert projection is not None
    # available 10 - 2 = 8, backordered 1, 2 a day sold, 5 due on day 2, 20 on day 3
    assert projection.without_action[:5] == pytest.approx([5, 8, 6, 4, 2], abs=1e-6)
    assert projection.with_action is not None
    assert projection.with_action[:5] == pytest.approx([5, 8, 26, 24, 22], abs=1e-6)
    assert projection.action_index == 2
    assert projection.dates[0] == _day(1)
    assert len(projection.dates) == 28  # at least four weeks are charted
    # first day below zero: 8 - 1 + 5 - 2 * 7 = -2 without, 8 - 1 + 25 - 2 * 17 = -2 with
    assert projection.first_stockout_without == _day(7)
    assert projection.first_stockout_with == _day(17)
    assert (projection.safety_stock, projection.reorder_point) == (3.0, 9.0)
    assert evidence.projection_why is None


def test_the_forecast_repeats_a_steady_demand_and_shows_the_history_before_it():
    evidence = recommendation_evidence(_reads(_subject()), actor=PLANNER, recommendation_id=1)

    forecast = evidence.forecast
    assert forecast is not None
    assert forecast.period_days == 1
    assert forecast.periods[forecast.today_index] == AS_OF
    assert forecast.actual[: forecast.today_index + 1] == [2.0] * (forecast.today_index + 1)
    ahead = forecast.mean[forecast.today_index + 1 :]
    assert ahead == pytest.approx([2.0] * len(ahead), abs=1e-6)
    assert "recomputed" in forecast.source


def test_a_transfer_takes_its_units_from_the_shipping_warehouse_from_the_first_day():
    transfer = _subject(kind="transfer", from_code="DC1", supplier_code=None, quantity=30.0)
    reads = _reads(transfer)

    evidence = recommendation_evidence(reads, actor=PLANNER, recommendation_id=1)

    source = evidence.source_projection
    assert source is not None
    assert source.location_code == "DC1"
    assert source.without_action[:3] == pytest.approx([99, 98, 97], abs=1e-6)
    assert source.with_action is not None
    assert source.with_action[:3] == pytest.approx([69, 68, 67], abs=1e-6)
    assert source.action_index == 0
    receiving = evidence.projection
    assert receiving is not None
    assert receiving.with_action is not None
    assert receiving.with_action[:4] == pytest.approx([5, 8, 36, 34], abs=1e-6)
    assert evidence.lead_times is None
    assert evidence.lead_times_why == "a transfer between own warehouses: no supplier lead time"


def test_a_cancelled_po_line_no_longer_arrives():
    cancel = _subject(kind="cancel", po_number="PO-1", line_number=1, quantity=5.0)
    reads = _reads(cancel)

    projection = recommendation_evidence(reads, actor=PLANNER, recommendation_id=1).projection

    assert projection is not None
    assert projection.with_action is not None
    assert projection.without_action[:3] == pytest.approx([5, 8, 6], abs=1e-6)
    assert projection.with_action[:3] == pytest.approx([5, 3, 1], abs=1e-6)
    assert projection.action_index == 1


def test_a_po_line_that_is_not_open_gives_no_with_line_and_says_why():
    expedite = _subject(kind="expedite", po_number="PO-9", line_number=2, arrival_date=_day(1))

    evidence = recommendation_evidence(_reads(expedite), actor=PLANNER, recommendation_id=1)

    assert evidence.projection is not None
    assert evidence.projection.with_action is None
    assert evidence.projection.why_no_action == "PO PO-9 line 2 was not open on 2026-11-21"


def test_lead_times_are_days_from_order_to_receipt_next_to_the_promise():
    received = [
        PurchaseReceipt(
            "PO-7", 1, "A", "BR1", date(2026, 9, 1), date(2026, 9, 15), date(2026, 9, 18)
        ),
        PurchaseReceipt("PO-8", 1, "A", "BR1", date(2026, 10, 1), None, date(2026, 10, 13)),
    ]
    reads = _reads(_subject(), received=received)

    lead_times = recommendation_evidence(reads, actor=PLANNER, recommendation_id=1).lead_times

    assert lead_times is not None
    assert [(o.days, o.promised_days) for o in lead_times.observations] == [(17, 14), (12, None)]
    assert lead_times.mean_days == 14.5
    assert lead_times.quoted_days == 14.0
    assert lead_times.sku == "A"


def test_a_supplier_without_receipts_of_any_item_says_so():
    evidence = recommendation_evidence(_reads(_subject()), actor=PLANNER, recommendation_id=1)

    assert evidence.lead_times is None
    assert evidence.lead_times_why == "SUP has no received PO lines by 2026-11-21"


def test_an_item_never_counted_has_no_projection_and_says_why():
    agent_buy = _subject(plan_run_id=None, plan_as_of=None, plan_settings={})
    reads = _reads(agent_buy, counts={})

    evidence = recommendation_evidence(reads, actor=PLANNER, recommendation_id=1)

    assert evidence.as_of is None
    assert evidence.projection is None
    assert evidence.projection_why == "A was never counted at BR1"
    assert evidence.forecast is None


def test_an_item_without_demand_is_projected_flat_and_says_why():
    reads = _reads(_subject(), demand_per_day={})

    evidence = recommendation_evidence(reads, actor=PLANNER, recommendation_id=1)

    assert evidence.forecast is None
    assert evidence.forecast_why == "no demand recorded for A at BR1 by 2026-11-21"
    assert evidence.projection is not None
    assert evidence.projection.without_action[:3] == pytest.approx([7, 12, 12])


def test_a_recommendation_outside_the_readers_sites_is_unknown_to_them():
    elsewhere = Principal(
        username="nora", kind="person", roles=frozenset({Role.PLANNER}), sites=frozenset({"BR9"})
    )

    with pytest.raises(UnknownRecommendation):
        recommendation_evidence(_reads(_subject()), actor=elsewhere, recommendation_id=1)
    with pytest.raises(UnknownRecommendation):
        recommendation_evidence(_reads(_subject()), actor=PLANNER, recommendation_id=2)
