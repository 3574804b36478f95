"""The procurement agent's answer to a short customer order line: an expedite of an open
PO line or a buy from a supplier, chosen when cheaper than the lost margin; nothing when
the pool serves the line in time or nothing pays. Hand-checked numbers.

The setting: 50 units of A on hand over DC and its branches; SO-9 line 1 (gold, 20.00 a
unit, item cost 10.00) wants 120 at BR on 5 Dec; PO-1 line 1 brings 100 from SUP at
10.00 on 15 Dec. The pool is 70 short on 5 Dec: 70 x (20 - 10) x 2.0 = 1,400.00 of lost
margin. Today is 20 Nov.
"""

from __future__ import annotations

from datetime import date

from crossdock.agents.procurement import OpenLine, OrderLine, Position
from crossdock.agents.procurement_cover import Cover, Shortfall, cover, shortfall
from crossdock.agents.procurement_options import Option, SupplierOffer

TODAY = date(2026, 11, 20)
LATE_LINE = OpenLine("PO-1", 1, "A", "DC", "SUP", 100.0, date(2026, 12, 15), 10.0)
ORDER = OrderLine("SO-9", 1, "C1", "gold", "BR", date(2026, 12, 5), 120.0, 20.0)
SHORT = Shortfall("SO-9", 1, "A", "BR", 70.0, date(2026, 12, 5), "backorder")


def _position(*orders: OrderLine, on_hand: float = 50.0, line: OpenLine = LATE_LINE) -> Position:
    receipt = (line.po_number, line.line_number, line.promised_date, line.open_quantity)
    return Position(on_hand, (receipt,), orders or (ORDER,), unit_cost=10.0)


def _cover(
    short: Shortfall = SHORT,
    *,
    position: Position | None = None,
    lines: tuple[OpenLine, ...] = (LATE_LINE,),
    offers: tuple[SupplierOffer, ...] = (),
) -> Cover:
    found = cover(
        short, position or _position(), pool="DC", lines=lines, offers=offers, today=TODAY
    )
    assert found is not None
    return found


def _option(found: Cover, name: str) -> Option:
    return next(o for o in found.options if o.name == name)


def test_the_event_names_the_short_line_and_its_date():
    event = {
        "event_type": "order_exception_raised",
        "reference": "SO-9",
        "sku": "A",
        "location_code": "BR",
        "quantity": 70,
        "data": {"line_number": 1, "exception": "backorder", "needed_by": "2026-12-05"},
    }
    assert shortfall(event) == SHORT
    assert shortfall({**event, "event_type": "order_backordered"}) is None


def test_a_late_po_line_is_expedited_when_the_premium_is_less_than_the_lost_margin():
    found = _cover()
    assert found.chosen.name == "expedite PO-1 line 1"
    assert found.line == LATE_LINE
    # 70 units by 5 Dec at 15% of 10.00: 105.00 against 1,400.00
    assert (found.chosen.units, found.chosen.arrives) == (70.0, date(2026, 12, 5))
    assert round(found.chosen.cost, 2) == 105.0
    assert found.chosen.shortage == 0.0
    assert round(found.do_nothing_cost, 2) == 1400.0
    assert round(found.savings, 2) == 1295.0
    assert "Expediting 70 units of PO-1 line 1 to arrive by 2026-12-05 costs 105.00" in (
        found.rationale
    )
    assert "stock from another warehouse is the balancing agent's answer" in found.rationale


def test_a_supplier_landing_in_time_is_bought_from_when_cheaper_than_expediting():
    # SUP2: 7 days, 10.50 a unit, minimum 80: 80 x 0.50 = 40.00 over the item's cost
    offer = SupplierOffer("SUP2", 7, 10.5, moq=80.0, order_multiple=10)
    found = _cover(offers=(offer,))
    assert (found.chosen.action, found.chosen.from_code) == ("buy", "SUP2")
    assert (found.chosen.units, found.chosen.arrives) == (80.0, date(2026, 11, 27))
    assert round(found.chosen.cost, 2) == 40.0
    assert found.line is None
    assert "against the item's cost 10.00" in found.chosen.note


def test_a_supplier_too_slow_for_the_date_is_named_and_not_chosen():
    slow = SupplierOffer("SUP3", 30, 9.0)
    found = _cover(offers=(slow,))
    assert found.chosen.name == "expedite PO-1 line 1"
    assert not _option(found, "buy from SUP3").available
    assert "after the last hit order's date 2026-12-05" in _option(found, "buy from SUP3").note


def test_only_the_units_the_exception_names_are_covered():
    found = _cover(Shortfall("SO-9", 1, "A", "BR", 30.0, date(2026, 12, 5), "short_pick"))
    assert found.units == 30.0
    assert found.chosen.units == 30.0
    assert round(found.do_nothing_cost, 2) == 600.0  # 30 x 10 x 2.0


def test_the_units_go_first_to_an_earlier_order_short_too():
    # SO-8 (bronze) wants 40 on 1 Dec: it takes 40 of the 50 on hand, so SO-9 is 110
    # short, at most 70 of them asked for; an expedite of 70 lands on 5 Dec, after SO-8
    earlier = OrderLine("SO-8", 1, "C2", "bronze", "DC", date(2026, 12, 1), 40.0, 20.0)
    found = _cover(position=_position(earlier, ORDER))
    assert found.units == 70.0
    assert found.chosen.units == 70.0
    assert found.chosen.shortage == 0.0


def test_nothing_is_proposed_when_the_pool_serves_the_line_in_time():
    in_time = OpenLine("PO-1", 1, "A", "DC", "SUP", 100.0, date(2026, 12, 1), 10.0)
    position = _position(line=in_time)
    assert cover(SHORT, position, pool="DC", lines=(in_time,), offers=(), today=TODAY) is None


def test_nothing_is_proposed_for_a_line_no_longer_open():
    other = OrderLine("SO-7", 1, "C1", "gold", "BR", date(2026, 12, 5), 120.0, 20.0)
    position = _position(other)
    assert cover(SHORT, position, pool="DC", lines=(), offers=(), today=TODAY) is None


def test_when_nothing_pays_the_answer_is_to_do_nothing():
    # a thin margin: 70 x (10.10 - 10.00) x 2.0 = 14.00 at risk, less than the 105.00 premium
    thin = OrderLine("SO-9", 1, "C1", "gold", "BR", date(2026, 12, 5), 120.0, 10.1)
    found = _cover(position=_position(thin))
    assert not found.acting
    assert "Nothing from supply brings the units in time for less than the 14.00" in (
        found.rationale
    )


def test_without_po_lines_or_suppliers_the_rationale_says_so():
    found = _cover(position=_position(line=LATE_LINE), lines=())
    assert not found.acting
    assert "no open PO line for A into DC promised after the date" in found.rationale
    assert "no supplier of A in the supply terms" in found.rationale
