"""The balancing agent's reasoning, by hand-checked numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crossdock.agents.balancing import (
    Need,
    Source,
    need_from_exception,
    needs_from_stock,
    options,
    propose,
)
from crossdock.agents.stock_position import OrderLine, Pending, Receipt, Stock, after_event

TODAY = date(2026, 11, 21)


def _order(number: str, day: int, quantity: float, tier: str = "silver") -> OrderLine:
    return OrderLine(number, 1, "C", tier, date(2026, 11, day), quantity, 20.0)


def _stock(*orders: OrderLine, on_hand: float = 10.0, receipts: tuple[Receipt, ...] = ()) -> Stock:
    return Stock(
        sku="A",
        location_code="BR2",
        on_hand=on_hand,
        on_hold=0.0,
        counted_at=datetime(2026, 11, 20, 6, tzinfo=UTC),
        receipts=receipts,
        orders=orders,
        unit_cost=10.0,
        unit_price=20.0,
    )


def _source(
    code: str,
    *,
    days: int,
    cost: float,
    available: float = 100.0,
    orders_due: float = 0.0,
    safety_stock: float | None = None,
) -> Source:
    return Source(code, "sibling", available, orders_due, safety_stock, days, cost, None)


def _need(number: str, day: int, units: float, *, late: bool = False) -> Need:
    return Need(_order(number, day, units), units, 15.0, late)


def test_lines_short_are_found_first_come_first_served_with_receipts_on_their_dates():
    # 10 on hand serve SO-1 (30 on 23 Nov) first: 20 short; 15 arrive on 25 Nov for SO-2
    # (20 on 30 Nov, gold), which gets them and is 5 short; SO-3 is beyond four weeks
    receipt = Receipt("PO-1", 1, date(2026, 11, 25), 15.0)
    stock = _stock(
        _order("SO-1", 23, 30), _order("SO-2", 30, 20, "gold"),
        OrderLine("SO-3", 1, "C", "bronze", date(2027, 1, 30), 99.0, 20.0),
        receipts=(receipt,),
    )  # fmt: skip
    found = needs_from_stock(stock, today=TODAY)
    assert [(n.order.order_number, n.units) for n in found] == [("SO-1", 20.0), ("SO-2", 5.0)]
    assert [n.lost_margin_per_unit for n in found] == [10.0 * 1.5, 10.0 * 2.0]


def test_a_free_source_keeps_its_own_orders_due_in_transit_and_its_safety_stock():
    source = _source("BR1", days=1, cost=0.6, available=50.0, orders_due=12.0, safety_stock=8.0)
    assert source.free == 30.0
    assert _source("DC1", days=3, cost=0.4, available=5.0, orders_due=9.0).free == 0.0


def test_the_cheapest_source_in_time_is_proposed_with_its_money():
    needs = [_need("SO-1", 25, 20.0)]
    sources = [_source("BR1", days=1, cost=0.6), _source("DC1", days=3, cost=0.4),
               _source("BR3", days=6, cost=0.1)]  # fmt: skip
    found = options(needs, sources, today=TODAY)
    # BR3 arrives on 27 Nov, after the line's date: it reaches nothing
    assert [(o.source.location_code, o.in_time) for o in found] == [("BR1", True), ("DC1", True)]
    proposal = propose(_stock(), "", needs, found)
    assert proposal is not None
    chosen = proposal.option
    assert (chosen.source.location_code, chosen.quantity) == ("DC1", 20.0)
    assert chosen.arrival == date(2026, 11, 24)
    assert chosen.lost_margin_avoided == pytest.approx(300.0)  # 20 x 15
    assert chosen.transport_cost == pytest.approx(8.0)  # 20 x 0.40
    assert chosen.savings == pytest.approx(292.0)
    assert "Moving 20 from DC1 (sibling, 3 day(s), 0.40 a unit) arrives 2026-11-24, in time" in (
        proposal.rationale
    )
    assert "Other sources: BR1 (20 by 2026-11-22, saves 288.00)" in proposal.rationale


def test_a_source_with_little_free_stock_moves_what_it_has():
    needs = [_need("SO-1", 25, 20.0)]
    found = options(needs, [_source("BR1", days=1, cost=0.6, available=7.0)], today=TODAY)
    assert [o.quantity for o in found] == [7.0]


def test_when_none_arrives_in_time_the_late_transfer_is_proposed_only_for_what_it_saves():
    needs = [_need("SO-1", 22, 20.0), _need("SO-2", 30, 10.0)]
    found = options(needs, [_source("DC1", days=3, cost=0.4)], today=TODAY)
    proposal = propose(_stock(), "", needs, found)
    assert proposal is not None
    option = proposal.option
    assert not option.in_time
    assert [n.order.order_number for n, _ in option.covered] == ["SO-2"]
    assert [n.order.order_number for n in option.missed] == ["SO-1"]
    assert option.quantity == 10.0
    assert proposal.do_nothing_cost == pytest.approx(450.0)
    assert proposal.residual_shortage == pytest.approx(300.0)
    assert "No source that pays can get it there in time for SO-1" in proposal.rationale


def test_nothing_is_proposed_when_no_source_can_arrive_in_time_for_anything():
    needs = [_need("SO-1", 22, 20.0)]
    found = options(needs, [_source("DC1", days=3, cost=0.4)], today=TODAY)
    assert found == []
    assert propose(_stock(), "", needs, found) is None


def test_nothing_is_proposed_when_freight_costs_more_than_the_margin():
    needs = [Need(_order("SO-1", 25, 20.0), 20.0, 0.5, late=False)]
    found = options(needs, [_source("DC1", days=3, cost=0.8)], today=TODAY)
    assert found[0].savings == pytest.approx(20 * 0.5 - 20 * 0.8)
    assert propose(_stock(), "", needs, found) is None


def test_a_late_line_is_needed_by_the_day_the_fastest_source_can_get_there():
    needs = [_need("SO-1", 19, 20.0, late=True)]
    found = options(
        needs, [_source("BR1", days=1, cost=0.6), _source("DC1", days=3, cost=0.4)], today=TODAY
    )
    # BR1 can be there on 22 Nov: the line is needed then, and DC1 (24 Nov) is too late
    assert [(o.source.location_code, o.in_time) for o in found] == [("BR1", True)]


def test_a_short_pick_on_an_older_count_takes_the_units_off_the_book():
    stock = _stock(_order("SO-1", 22, 12.0), on_hand=10.0)
    event = {"event_type": "short_pick", "occurred_at": "2026-11-21T08:00:00+00:00",
             "quantity": 4.0, "data": {}}  # fmt: skip
    after = after_event(event, stock)
    assert after.stock.on_hand == 6.0
    assert "found 4 fewer than the book's 10" in after.change
    assert [n.units for n in needs_from_stock(after.stock, today=TODAY)] == [6.0]


def test_a_count_taken_after_the_event_already_holds_it():
    stock = _stock(on_hand=10.0)
    event = {"event_type": "stockout", "occurred_at": "2026-11-19T08:00:00+00:00", "data": {}}
    assert after_event(event, stock).stock.on_hand == 10.0


def test_an_order_exception_asks_for_its_units_less_what_is_already_proposed():
    stock = _stock(_order("SO-9", 25, 30.0, "gold")).with_pending(
        [Pending(7, "transfer", 12.0, date(2026, 11, 24), "pending_approval", "agent:balancing")]
    )
    event = {"event_type": "order_exception_raised", "reference": "SO-9", "quantity": 20.0,
             "data": {"line_number": 1, "customer_code": "C", "exception": "backorder",
                      "needed_by": "2026-11-25"}}  # fmt: skip
    (need,) = need_from_exception(event, stock, today=TODAY)
    assert (need.units, need.order.tier, need.lost_margin_per_unit) == (8.0, "gold", 20.0)
    event["quantity"] = 12.0
    assert need_from_exception(event, stock, today=TODAY) == []
