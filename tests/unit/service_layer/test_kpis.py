"""The KPI dashboard's arithmetic, without a database: weeks, fill rates, days of
supply, turns, medians, forecast accuracy, and decisions between two dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from crossdock.service_layer.decision_kpis import DecisionMix, RealisedValue
from crossdock.service_layer.kpi_ports import DayFill
from crossdock.service_layer.kpis import (
    Week,
    days_of_supply,
    fill_of,
    forecast_accuracy,
    hours,
    inventory_turns,
    median_hours,
    mix_between,
    value_between,
    weeks_ending,
)


def test_weeks_end_on_the_day_asked_oldest_first():
    weeks = weeks_ending(date(2026, 11, 20), 3)
    assert weeks == [
        Week(date(2026, 10, 31), date(2026, 11, 6)),
        Week(date(2026, 11, 7), date(2026, 11, 13)),
        Week(date(2026, 11, 14), date(2026, 11, 20)),
    ]
    assert weeks[-1].opens == datetime(2026, 11, 14, tzinfo=UTC)
    assert weeks[-1].closes == datetime(2026, 11, 21, tzinfo=UTC)  # the instant after


def test_fill_rate_in_units_and_in_lines():
    fill = fill_of(
        [
            DayFill(date(2026, 11, 19), lines=2, lines_filled=2, ordered=20, shipped=20),
            DayFill(date(2026, 11, 20), lines=6, lines_filled=1, ordered=123, shipped=29),
        ]
    )
    assert (fill.lines, fill.lines_filled, fill.ordered, fill.shipped) == (8, 3, 143, 49)
    assert fill.unit_fill_rate == 49 / 143
    assert fill.line_fill_rate == 3 / 8


def test_no_lines_is_no_fill_rate_not_zero():
    assert fill_of([]).unit_fill_rate is None
    assert fill_of([]).line_fill_rate is None


def test_days_of_supply_is_stock_over_daily_demand():
    # 1,000 of stock, 280 of demand in 28 days = 10 a day: 100 days
    assert days_of_supply(Decimal(1000), Decimal(280), days=28) == 100.0
    assert days_of_supply(Decimal("9383.25"), Decimal("2419.15"), days=28) == 108.6
    assert days_of_supply(Decimal(1000), Decimal(0), days=28) is None  # no demand


def test_turns_are_a_years_demand_over_stock():
    # 280 in 28 days is 3,650 a year; over 1,000 of stock: 3.65 turns
    assert inventory_turns(Decimal(1000), Decimal(280), days=28) == 3.65
    assert inventory_turns(Decimal(0), Decimal(280), days=28) is None  # no stock


def test_hours_and_their_median():
    start = datetime(2026, 11, 19, 9, tzinfo=UTC)
    assert hours(start, datetime(2026, 11, 20, 11, tzinfo=UTC)) == 26.0
    assert median_hours([5.0, 26.0]) == 15.5
    assert median_hours([5.0, 26.0, 1.0]) == 5.0
    assert median_hours([]) is None


def test_forecast_accuracy_is_one_less_wape_floored_at_zero():
    assert forecast_accuracy(0.3) == 0.7
    assert forecast_accuracy(1.4) == 0.0


def test_decisions_between_two_dates_are_the_difference_of_since():
    since_monday = DecisionMix(auto_approved=4, approved=3, modified=2, rejected=1)
    since_friday = DecisionMix(auto_approved=1, approved=1, modified=0, rejected=1)
    week = mix_between(since_monday, since_friday)
    assert week == DecisionMix(auto_approved=3, approved=2, modified=2, rejected=0)
    assert week.to_json()["acceptance_rate"] == round(5 / 7, 4)
    assert week.to_json()["override_rate"] == round(2 / 7, 4)
    value = value_between(
        RealisedValue(scored=3, realised_value=Decimal("120.50"), stockout_units=4.0),
        RealisedValue(scored=1, realised_value=Decimal("20.25"), stockout_units=1.0),
    )
    assert (value.scored, value.realised_value, value.stockout_units) == (
        2,
        Decimal("100.25"),
        3.0,
    )
