"""Outcome scoring on constructed demand: both worlds replayed, worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crossdock.governance.outcomes import (
    CostRates,
    OpenLine,
    Receipt,
    StartingPosition,
    UnscorableAction,
    replay,
    score_outcome,
    supply_change,
)

AS_OF = date(2026, 11, 20)
END = date(2026, 11, 30)  # ten days: Nov 21 .. Nov 30
RATES = CostRates(holding_per_unit_day=0.1, shortage_penalty=4.0, tail_days=7.0)
START = StartingPosition(as_of=AS_OF, available=10.0, backordered=0.0, cover_level=20.0)


def _daily(units: float, days: int = 10) -> dict[date, float]:
    return {AS_OF + timedelta(days=d): units for d in range(1, days + 1)}


BUY_40_ON_NOV_23 = supply_change(
    kind="buy", quantity=40.0, arrival=date(2026, 11, 23), action_cost=50.0
)


def test_a_rejected_buy_that_was_needed_shows_the_stockout_and_a_negative_value():
    # without: 10 units last two days (end stock 5, 0), then 8 days x 5 short = 40 short
    #   holding 0.5 + shortage 160 = 160.5
    # with: 40 arrive on day 3: end stocks 5,0,35,30,25,20,15,10,5,0 = 145 -> 14.5, + 50
    outcome = score_outcome(
        decision="rejected",
        start=START,
        end=END,
        demand=_daily(5.0),
        receipts=[],
        change=BUY_40_ON_NOV_23,
        rates=RATES,
    )

    assert outcome.label == "stockout suffered"
    assert outcome.stockout_units == pytest.approx(40.0)
    assert outcome.realised_cost == pytest.approx(160.5)
    assert outcome.alternative_cost == pytest.approx(64.5)
    assert outcome.realised_value == pytest.approx(-96.0)
    assert outcome.detail["realised_world"] == "without_action"
    assert outcome.detail["without_action"]["first_stockout"] == "2026-11-23"
    assert outcome.detail["with_action"]["stockout_units"] == 0.0


def test_an_executed_buy_that_avoided_a_stockout_has_a_positive_value():
    outcome = score_outcome(
        decision="executed",
        start=START,
        end=END,
        demand=_daily(5.0),
        receipts=[],
        change=BUY_40_ON_NOV_23,
        rates=RATES,
    )

    assert outcome.label == "stockout avoided"
    assert outcome.stockout_units == 0.0
    assert outcome.excess_units == 0.0
    assert outcome.realised_cost == pytest.approx(64.5)
    assert outcome.alternative_cost == pytest.approx(160.5)
    assert outcome.realised_value == pytest.approx(96.0)
    assert outcome.expedite_cost == 0.0


def test_an_executed_buy_creates_excess_when_demand_falls():
    # demand 1 a day. without: end stocks 9..0 = 45 -> 4.5, nothing left
    # with: 9, 8, then 47..40 (348) = 365 -> 36.5; 40 left: tail 40 x 0.1 x 7 = 28; + 50
    outcome = score_outcome(
        decision="executed",
        start=START,
        end=END,
        demand=_daily(1.0),
        receipts=[],
        change=BUY_40_ON_NOV_23,
        rates=RATES,
    )

    assert outcome.label == "excess created"
    assert outcome.stockout_units == 0.0
    assert outcome.excess_units == pytest.approx(20.0)  # 40 left - cover level 20
    assert outcome.realised_cost == pytest.approx(114.5)
    assert outcome.alternative_cost == pytest.approx(4.5)
    assert outcome.realised_value == pytest.approx(-110.0)
    assert outcome.detail["with_action"]["tail_holding_cost"] == pytest.approx(28.0)


def test_a_rejected_buy_avoided_excess_when_demand_fell():
    outcome = score_outcome(
        decision="rejected",
        start=START,
        end=END,
        demand=_daily(1.0),
        receipts=[],
        change=BUY_40_ON_NOV_23,
        rates=RATES,
    )

    assert outcome.label == "excess avoided"
    assert outcome.excess_units == 0.0
    assert outcome.realised_value == pytest.approx(110.0)


def test_an_expedite_brings_a_line_forward_at_its_cost_and_shortens_the_stockout():
    # line of 30 due Nov 28 (day 8), expedited to Nov 23 (day 3) for 20.00
    # without: 5, 0, 5 days x 5 short, then 25, 20, 15: holding 6.5, tail 10.5, short 100
    # with: 5, 0, 25, 20, 15, 10, 5, 0, then 2 days x 5 short: holding 8, short 40, + 20
    change = supply_change(
        kind="expedite",
        quantity=30.0,
        arrival=date(2026, 11, 23),
        line=OpenLine(open_quantity=30.0, due=date(2026, 11, 28)),
        action_cost=20.0,
    )

    outcome = score_outcome(
        decision="executed",
        start=START,
        end=END,
        demand=_daily(5.0),
        receipts=[],
        change=change,
        rates=RATES,
    )

    assert outcome.label == "stockout avoided"
    assert outcome.stockout_units == pytest.approx(10.0)
    assert outcome.expedite_cost == pytest.approx(20.0)
    assert outcome.realised_cost == pytest.approx(68.0)
    assert outcome.alternative_cost == pytest.approx(117.0)
    assert outcome.realised_value == pytest.approx(49.0)
    assert outcome.detail["without_action"]["stockout_units"] == pytest.approx(25.0)


def test_a_rejected_expedite_spends_no_expedite_money():
    change = supply_change(
        kind="expedite",
        quantity=30.0,
        arrival=date(2026, 11, 23),
        line=OpenLine(open_quantity=30.0, due=date(2026, 11, 28)),
        action_cost=20.0,
    )

    outcome = score_outcome(
        decision="rejected",
        start=START,
        end=END,
        demand=_daily(5.0),
        receipts=[],
        change=change,
        rates=RATES,
    )

    assert outcome.expedite_cost == 0.0
    assert outcome.realised_value == pytest.approx(-49.0)
    assert outcome.detail["with_action"]["expedite_cost"] == pytest.approx(20.0)


def test_a_partial_defer_moves_only_its_units_and_keeps_the_rest_due():
    change = supply_change(
        kind="defer",
        quantity=20.0,
        arrival=date(2026, 12, 20),
        line=OpenLine(open_quantity=30.0, due=date(2026, 11, 22)),
        action_cost=10.0,
    )

    assert change.with_action == (
        Receipt(date(2026, 11, 22), 10.0),
        Receipt(date(2026, 12, 20), 20.0),
    )
    assert change.without_action == (Receipt(date(2026, 11, 22), 30.0),)
    assert change.expedite_cost == 0.0


def test_an_executed_cancel_of_a_line_not_needed_saves_its_carrying_cost():
    # demand 1 a day; without: 30 more arrive on day 2: end stocks 9, 38, 37..30 -> 315
    #   -> 31.5 + tail 30 x 0.7 = 21 -> 52.5; with: 4.5 + 10.00 charge = 14.5
    change = supply_change(
        kind="cancel",
        quantity=30.0,
        arrival=None,
        line=OpenLine(open_quantity=30.0, due=date(2026, 11, 22)),
        action_cost=10.0,
    )

    outcome = score_outcome(
        decision="executed",
        start=START,
        end=END,
        demand=_daily(1.0),
        receipts=[],
        change=change,
        rates=RATES,
    )

    assert outcome.label == "excess avoided"
    assert outcome.realised_cost == pytest.approx(14.5)
    assert outcome.alternative_cost == pytest.approx(52.5)
    assert outcome.realised_value == pytest.approx(38.0)


def test_common_receipts_reach_both_worlds_and_late_ones_none():
    # a receipt of 10 on day 1 in both worlds, one after the window in neither
    outcome = score_outcome(
        decision="executed",
        start=START,
        end=END,
        demand=_daily(5.0),
        receipts=[Receipt(date(2026, 11, 21), 10.0), Receipt(date(2026, 12, 5), 99.0)],
        change=BUY_40_ON_NOV_23,
        rates=RATES,
    )

    without = outcome.detail["without_action"]
    assert without["stockout_units"] == pytest.approx(30.0)
    assert without["received_units"] == pytest.approx(10.0)
    assert without["due_after_window_units"] == pytest.approx(99.0)


def test_backorders_are_served_first_on_the_first_day_and_an_overdue_receipt_arrives_then():
    world = replay(
        start=StartingPosition(as_of=AS_OF, available=3.0, backordered=4.0, cover_level=0.0),
        end=date(2026, 11, 22),
        demand={date(2026, 11, 21): 2.0, date(2026, 11, 22): 2.0, date(2026, 11, 23): 50.0},
        receipts=[Receipt(date(2026, 11, 1), 1.0)],
        rates=RATES,
    )

    # day 1: 3 + 1 overdue = 4 on hand for 4 owed + 2 wanted: 2 short; day 2: 2 short
    assert world.demand_units == pytest.approx(8.0)
    assert world.stockout_units == pytest.approx(4.0)
    assert world.first_stockout == date(2026, 11, 21)
    assert world.end_stock == 0.0


def test_rates_from_unit_cost_and_annual_holding_rate():
    rates = CostRates.from_unit_cost(
        unit_cost=73.0, holding_rate=0.25, shortage_penalty=9.0, tail_days=7.0
    )

    assert rates.holding_per_unit_day == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "buy", "quantity": 0.0, "arrival": AS_OF}, "quantity=0.0: must be above 0"),
        ({"kind": "buy", "quantity": 5.0, "arrival": None}, "expected_arrival_date=None"),
        ({"kind": "defer", "quantity": 5.0, "arrival": AS_OF}, "po_line=None: a defer needs"),
        ({"kind": "swap", "quantity": 5.0, "arrival": AS_OF}, "kind='swap': not one of"),
    ],
)
def test_an_action_that_cannot_be_replayed_names_the_field_and_value(kwargs, message):
    with pytest.raises(UnscorableAction, match=message.replace("(", r"\(")):
        supply_change(**kwargs)


def test_a_window_ending_on_the_as_of_day_is_refused():
    with pytest.raises(UnscorableAction, match="end='2026-11-20': must be after as_of"):
        replay(start=START, end=AS_OF, demand={}, receipts=[], rates=RATES)
