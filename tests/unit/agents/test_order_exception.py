"""The order exception agent's reasoning, by hand-checked numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from crossdock.agents.fulfilment import Inbound, ItemSite, OrderLine, Source
from crossdock.agents.order_exception import (
    BACKORDER,
    CREDIT_HOLD,
    LATE_SHIPMENT,
    OTHER_HOLD,
    SHORT_PICK,
    STOCK_HOLD,
    Trigger,
    classify_hold,
    customer_message,
    hold_review,
    plan,
    shortfalls,
    trigger,
)

TODAY = date(2026, 12, 1)


def _line(
    number: str = "SO-1",
    quantity: float = 50.0,
    *,
    day: int = 8,
    tier: str = "silver",
    shipped: float = 0.0,
    status: str = "released",
    partials: bool = True,
) -> OrderLine:
    return OrderLine(number, 1, "A", "C1", tier, "BR", date(2026, 11, 20), date(2026, 12, day),
                     quantity, shipped, 20.0, status, accepts_partials=partials)  # fmt: skip


def _site(
    *orders: OrderLine,
    on_hand: float = 10.0,
    sources: tuple[Source, ...] = (),
    inbound: tuple[Inbound, ...] = (),
) -> ItemSite:
    return ItemSite("A", "BR", on_hand, 0.0, None, 10.0, 20.0, orders, inbound, (), sources)


def _backorder(units: float) -> Trigger:
    return Trigger("order_backordered", "SO-1", TODAY, sku="A", location_code="BR", units=units)


DC = Source("DC", 500.0, 3, 0.5)  # lands 4 Dec
FAR = Source("FAR", 500.0, 10, 0.1)  # cheaper, lands 11 Dec


def test_holds_are_told_apart_by_their_canonical_reason():
    assert classify_hold("credit_hold") == CREDIT_HOLD
    assert classify_hold("awaiting_stock") == STOCK_HOLD
    assert classify_hold("supplier_late") == STOCK_HOLD
    assert classify_hold("pricing_hold") == OTHER_HOLD
    assert classify_hold(None) == OTHER_HOLD  # a code nobody mapped


def test_a_credit_hold_states_the_order_value_at_risk_and_moves_nothing():
    lines = [_line(quantity=5), replace(_line(quantity=3), line_number=2, sku="B")]
    review = hold_review(CREDIT_HOLD, "CH = credit_hold", lines, {"A": 10.0, "B": 30.0})
    assert review is not None
    assert review.value_at_risk == 160.0  # (5 + 3) x 20.00
    # A: 5 x (20 - 10) x 1.5; B sells below cost: 3 x 30% of 30 x 1.5
    assert review.margin_at_risk == pytest.approx(75.0 + 40.5)
    assert "160.00 of order value at risk" in review.rationale
    assert "nothing is moved" in review.rationale
    assert hold_review(CREDIT_HOLD, "CH", [_line(shipped=50.0)], {}) is None


def test_a_backorder_ships_from_the_cheapest_warehouse_that_lands_in_time():
    line = _line()
    (short,) = shortfalls(_backorder(40), [line], {}, exception=BACKORDER)
    assert (short.units, short.on_time) == (40.0, 10.0)
    chosen = plan(short, _site(line, sources=(FAR, DC)), today=TODAY, why="backordered")
    assert chosen.action == "transfer"
    assert [(f.from_code, f.units, f.arrives) for f in chosen.fills] == [
        ("DC", 40.0, date(2026, 12, 4))
    ]  # FAR is cheaper a unit but lands after 8 Dec
    assert chosen.freight == 20.0
    assert chosen.do_nothing_cost == 600.0  # 40 x (20 - 10) x 1.5
    assert chosen.savings == 580.0
    assert customer_message([chosen]) is None  # it arrives complete and on time


def test_freight_above_the_margin_lost_is_not_worth_it_so_the_line_ships_split():
    line = _line(tier="bronze")
    dear = Source("DC", 500.0, 3, 12.0)  # a unit short loses 10.00 for bronze
    receipt = Inbound("PO-9 line 1", date(2026, 12, 12), 100.0)
    (short,) = shortfalls(_backorder(40), [line], {}, exception=BACKORDER)
    chosen = plan(short, _site(line, sources=(dear,), inbound=(receipt,)), today=TODAY, why="bo")
    assert chosen.action == "split"
    assert chosen.fills == ()
    assert (chosen.late_units, chosen.revised, chosen.revised_by) == (
        40.0, date(2026, 12, 12), "PO-9 line 1"
    )  # fmt: skip
    assert chosen.lost_margin == 400.0
    assert customer_message([chosen]) == (
        "Order SO-1: line 1 (A): 10 of 50 arrive on time, the other 40 follow by 12 December 2026."
    )


def test_a_short_pick_keeps_what_was_picked_on_time():
    pick = Trigger("short_pick", "SO-1", TODAY, sku="A", units=4, line_number=1, picked=20)
    (short,) = shortfalls(pick, [_line(quantity=24)], {}, exception=SHORT_PICK)
    assert (short.units, short.on_time) == (4.0, 20.0)


def test_a_customer_that_takes_no_partial_waits_whole_for_the_revised_date():
    line = _line(partials=False)
    receipt = Inbound("TO-7", date(2026, 12, 10), 60.0)
    little = Source("DC", 15.0, 3, 0.5)  # only 15 of the 40 in time: no use to this line
    (short,) = shortfalls(_backorder(40), [line], {}, exception=BACKORDER)
    chosen = plan(short, _site(line, sources=(little,), inbound=(receipt,)), today=TODAY, why="")
    assert (chosen.action, chosen.fills, chosen.revised) == ("revised_date", (), date(2026, 12, 10))
    assert customer_message([chosen]) == (
        "Order SO-1: line 1 (A): all 50 ship together by 10 December 2026."
    )


def test_without_open_supply_the_date_is_unknown_and_the_customer_hears_we_will_confirm():
    line = _line()
    (short,) = shortfalls(_backorder(40), [line], {}, exception=BACKORDER)
    chosen = plan(short, _site(line), today=TODAY, why="")
    assert chosen.revised is None
    assert "no open PO or transfer covers them yet" in chosen.rationale
    message = customer_message([chosen])
    assert message is not None
    assert message.endswith(
        "follow as soon as stock arrives. We will confirm the date as soon as we have it."
    )


def test_a_stock_hold_counts_what_the_shelf_holds_after_lines_due_earlier():
    held = _line("SO-2", 30.0, day=9, status="on_hold")
    earlier = _line("SO-1", 25.0, day=5)
    site = _site(earlier, held, on_hand=40.0)
    hold = Trigger("order_held", "SO-2", TODAY, reason_code="WAIT")
    (short,) = shortfalls(hold, [held], {"A": site}, exception=STOCK_HOLD)
    assert (short.units, short.on_time) == (15.0, 15.0)  # 40 - 25 leaves 15 of its 30


def test_a_late_shipment_on_the_truck_arrives_at_the_carriers_date_and_moves_nothing():
    shipped = _line(quantity=20, shipped=20.0, status="shipped")
    late = Trigger("shipment_delayed", "SO-1", TODAY, new_eta=date(2026, 12, 11))
    (short,) = shortfalls(late, [shipped], {}, exception=LATE_SHIPMENT)
    assert (short.units, short.movable, short.late_until) == (20.0, False, date(2026, 12, 11))
    chosen = plan(short, _site(shipped, sources=(DC,)), today=TODAY, why="late")
    assert (chosen.action, chosen.fills, chosen.revised) == ("revised_date", (), date(2026, 12, 11))
    assert customer_message([chosen]) == (
        "Order SO-1: line 1 (A) now arrives by 11 December 2026 instead of 8 December 2026."
    )
    early = Trigger("shipment_delayed", "SO-1", TODAY, new_eta=date(2026, 12, 7))
    assert shortfalls(early, [shipped], {}, exception=LATE_SHIPMENT) == []


def test_the_trigger_reads_what_the_event_says():
    event = {
        "event_id": "E1", "event_type": "short_pick", "occurred_at": "2026-12-01T07:00:00Z",
        "source": "wms", "reference": "SO-1", "sku": "A", "location_code": "BR",
        "quantity": 4.0, "reason_code": "SP",
        "data": {"line_number": 2, "ordered_quantity": 24.0, "picked_quantity": 20.0},
    }  # fmt: skip
    found = trigger(event)
    assert found is not None
    assert (found.order_number, found.today, found.units, found.line_number, found.picked) == (
        "SO-1", TODAY, 4.0, 2, 20.0
    )  # fmt: skip
    assert trigger({**event, "event_type": "po_changed"}) is None
