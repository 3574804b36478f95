"""The procurement agent's reasoning, by hand-checked numbers: which orders a PO line
change hits (here), and which option serves them (test_procurement_options.py)."""

from __future__ import annotations

from datetime import date

import pytest

from crossdock.agents.procurement import (
    Hit,
    LineChange,
    OpenLine,
    OrderLine,
    Position,
    hits,
    supply_changes,
)
from crossdock.agents.procurement_options import Proposal
from crossdock.agents.procurement_options import propose as propose_options

LINE = OpenLine("PO-1", 1, "A", "DC", "SUP", 100.0, date(2026, 12, 1), 10.0)
TODAY = date(2026, 11, 20)


def propose(
    position: Position, change: LineChange, found: list[Hit], *, line: OpenLine = LINE
) -> Proposal | None:
    """No other supplier, no other warehouse: expedite, split or follow-up."""
    return propose_options(line, change, position, found, today=TODAY)


def _order(number: str, day: int, quantity: float, tier: str = "silver") -> OrderLine:
    return OrderLine(number, 1, "C", tier, "BR", date(2026, 12, day), quantity, 20.0)


def _position(*orders: OrderLine, on_hand: float = 50.0) -> Position:
    return Position(
        on_hand=on_hand,
        receipts=(("PO-1", 1, date(2026, 12, 1), 100.0),),
        orders=orders,
        unit_cost=10.0,
    )


def _late(day: int | None, *, quantity: float | None = None) -> LineChange:
    return LineChange(
        "PO-1", 1, None, None if day is None else date(2026, 12, day), quantity, "late",
        rejected=day is None,
    )  # fmt: skip


def test_only_orders_short_because_of_the_change_are_hit():
    position = _position(_order("SO-1", 2, 40), _order("SO-2", 5, 80), _order("SO-3", 20, 10))
    # before: 150 units by 1 Dec covers 40 + 80 + 10; after (15 Dec): 50 units by 5 Dec
    found = hits(position, LINE, _late(15))
    assert [(h.order.order_number, h.short_before, h.short_after) for h in found] == [
        ("SO-2", 0.0, 70.0)
    ]


def test_gold_orders_are_served_first_on_the_same_day():
    position = _position(_order("SO-S", 2, 40, "silver"), _order("SO-G", 2, 40, "gold"))
    found = hits(position, LINE, _late(15))
    assert [(h.order.order_number, h.extra) for h in found] == [("SO-S", 30.0)]


def test_an_expedite_that_pays_is_proposed_with_its_money():
    position = _position(_order("SO-2", 5, 80))
    found = hits(position, LINE, _late(15))
    proposal = propose(position, _late(15), found)
    assert proposal is not None
    assert (proposal.kind, proposal.chosen.action) == ("expedite", "expedite")
    assert proposal.quantity == 30.0
    assert proposal.do_nothing_cost == pytest.approx(30 * (20 - 10) * 1.5)
    assert proposal.expedite_cost == pytest.approx(30 * 10.0 * 0.15)
    assert proposal.shortage_cost == 0.0  # the 30 units arrive by 5 Dec
    assert proposal.savings == pytest.approx(450 - 45)
    assert proposal.needed_by == proposal.arrival == date(2026, 12, 5)
    # a split would do as well, for one more delivery (50.00): dearer than 45.00
    split = next(o for o in proposal.options if o.action == "split")
    assert (split.available, split.total) == (True, 50.0)
    assert "Weighed: split 50.00; no other supplier of A" in proposal.rationale


def test_a_rejected_line_asks_for_a_follow_up_with_the_money_at_risk():
    position = _position(_order("SO-2", 5, 80))
    found = hits(position, LINE, _late(None))
    proposal = propose(position, _late(None), found)
    assert proposal is not None
    assert (proposal.kind, proposal.expedite_cost, proposal.savings) == ("follow_up", 0.0, 0.0)
    assert proposal.shortage_cost == proposal.do_nothing_cost == pytest.approx(450.0)
    assert "Nothing replaces it yet" in proposal.rationale


def test_an_expedite_dearer_than_the_shortage_becomes_a_follow_up():
    cheap = OrderLine("SO-2", 1, "C", "bronze", "BR", date(2026, 12, 5), 80.0, 10.2)
    position = _position(cheap)
    found = hits(position, LINE, _late(15))
    proposal = propose(position, _late(15), found)
    assert proposal is not None
    assert proposal.kind == "follow_up"
    assert "Expediting would cost 45.00, more than the 6.00 at risk" in proposal.rationale


def test_no_order_hit_no_proposal():
    position = _position(_order("SO-2", 20, 80))
    found = hits(position, LINE, _late(15))
    assert found == []
    assert propose(position, _late(15), found) is None


def test_each_triggering_event_names_its_lines():
    ack = {"event_type": "po_acknowledged", "reference": "PO-1", "data": {"lines": [
        {"line_number": 1, "status": "accepted"},
        {"line_number": 2, "status": "changed", "promised_date": "2026-12-09"},
        {"line_number": 3, "status": "rejected"}]}}  # fmt: skip
    assert [(c.line_number, c.new_date, c.rejected) for c in supply_changes(ack)] == [
        (2, date(2026, 12, 9), False),
        (3, None, True),
    ]
    asn = {"event_type": "asn_received", "reference": "ASN-9", "data": {
        "po_number": "PO-1", "expected_arrival": "2026-12-04",
        "lines": [{"po_line": 1, "sku": "A", "quantity": 60}]}}  # fmt: skip
    (change,) = supply_changes(asn)
    assert (change.po_number, change.new_quantity, change.new_date) == (
        "PO-1", 60.0, date(2026, 12, 4)
    )  # fmt: skip
    delayed = {"event_type": "shipment_delayed", "reference": "ASN-9",
               "data": {"new_eta": "2026-12-12"}}  # fmt: skip
    (change,) = supply_changes(delayed)
    assert (change.asn_number, change.po_number, change.new_date) == (
        "ASN-9", None, date(2026, 12, 12)
    )  # fmt: skip
    rejected = {"event_type": "po_rejected", "reference": "PO-1", "data": {}}
    assert [(c.line_number, c.rejected) for c in supply_changes(rejected)] == [(None, True)]
    assert supply_changes({"event_type": "goods_received", "data": {}}) == []


UNACKNOWLEDGED = {
    "event_type": "po_unacknowledged",
    "reference": "PO-1",
    "data": {"supplier_code": "SUP", "order_date": "2026-11-25", "days_waiting": 3,
             "line_numbers": [1, 4]},
}  # fmt: skip


def test_an_unacknowledged_po_names_each_waiting_line_and_how_long():
    changes = supply_changes(UNACKNOWLEDGED)
    assert [(c.po_number, c.line_number, c.waiting_days, c.rejected) for c in changes] == [
        ("PO-1", 1, 3, False),
        ("PO-1", 4, 3, False),
    ]
    assert all(c.unacknowledged and c.may_not_come for c in changes)
    assert changes[0].new_date is None
    assert changes[0].why == (
        "the supplier has not acknowledged it, 3 days after the PO was sent on 2026-11-25"
    )


def test_an_unacknowledged_line_puts_the_orders_that_need_it_at_risk_and_asks_for_a_follow_up():
    change = supply_changes(UNACKNOWLEDGED)[0]
    # 50 on hand; without the 100 due 1 Dec, SO-2 (80 on 5 Dec) is 30 short; SO-1 is covered
    position = _position(_order("SO-1", 2, 40), _order("SO-2", 5, 80))
    found = hits(position, LINE, change)
    assert [(h.order.order_number, h.short_before, h.short_after) for h in found] == [
        ("SO-2", 0.0, 70.0)
    ]
    proposal = propose(position, change, found)
    assert proposal is not None
    # expediting 70 units would cost 105.00 against 1,050.00: still a follow-up, not an
    # expedite, because nobody has promised a date to expedite
    assert (proposal.kind, proposal.quantity, proposal.needed_by) == (
        "follow_up", 70.0, date(2026, 12, 5)
    )  # fmt: skip
    assert (proposal.expedite_cost, proposal.savings) == (0.0, 0.0)
    assert proposal.shortage_cost == pytest.approx(70 * (20 - 10) * 1.5)
    assert proposal.rationale == (
        "PO-1 line 1 (A, 100 open, promised 2026-12-01): the supplier has not acknowledged "
        "it, 3 days after the PO was sent on 2026-11-25. 1 customer order line(s) hit: "
        "SO-2 (C, silver, 70 short on 2026-12-05). Until the supplier confirms it, 70 units "
        "needed by 2026-12-05 and 1,050.00 of lost margin are at risk: ask the supplier to "
        "confirm quantity and date. Weighed: expedite not possible (nobody has promised a "
        "date to expedite); split not possible (nothing announced to split); no other "
        "supplier of A in the supply terms; no other warehouse with free A and a lane to DC."
    )


def test_an_unacknowledged_line_no_order_needs_proposes_nothing():
    change = supply_changes(UNACKNOWLEDGED)[0]
    position = _position(_order("SO-1", 2, 40), on_hand=500.0)
    found = hits(position, LINE, change)
    assert found == []
    assert propose(position, change, found) is None
