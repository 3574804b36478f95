"""The receiving agent's ranking of the dock queue, by hand-checked numbers."""

from __future__ import annotations

from datetime import date

import pytest

from crossdock.agents.receiving import (
    Demand,
    InboundLine,
    OrderLine,
    Shipment,
    propose,
    rank,
    shipments,
    waiting,
)

DOCK_DAY = date(2026, 11, 21)


def _order(number: str, sku: str, day: int, quantity: float, tier: str | None, *,
           site: str = "BR1", margin: float = 5.0) -> OrderLine:  # fmt: skip
    return OrderLine(number, 1, "C-" + number, tier, site, date(2026, 11, day), sku, quantity,
                     10.0 + margin, margin)  # fmt: skip


def _truck(reference: str, day: int, *lines: tuple[str, float]) -> Shipment:
    units = tuple((i + 1, sku, q) for i, (sku, q) in enumerate(lines))
    return Shipment(reference, "PO-" + reference, "SUP1", date(2026, 11, day), units)


def _demand(*orders: OrderLine, **on_hand: float) -> Demand:
    return Demand(on_hand=on_hand, orders=orders, transit_days={"BR1": 2})


def test_orders_short_of_stock_wait_first_come_first_served_gold_first_on_a_tie():
    demand = _demand(
        _order("SO-1", "A", 22, 80, "silver"),
        _order("SO-2", "A", 22, 30, "gold"),
        _order("SO-3", "A", 27, 40, "bronze", site="DC1"),
        _order("SO-4", "A", 29, 99, "gold"),  # beyond the week's horizon
        A=60,
    )
    short = waiting(demand, DOCK_DAY)
    # SO-2 (gold) takes 30, SO-1 the other 30 and waits for 50; SO-3 waits for 40
    assert [(f.order.order_number, f.units, f.cross_dock) for f in short["A"]] == [
        ("SO-1", 50.0, True),  # due 22 Nov at BR1, two days away: leaves the dock at once
        ("SO-3", 40.0, False),  # due 27 Nov at DC1: put away first
    ]


def test_the_shipment_whose_orders_wait_is_received_before_an_earlier_one():
    demand = _demand(
        _order("SO-1", "A", 22, 80, "gold"), _order("SO-2", "A", 27, 40, "bronze", site="DC1"),
        A=50,
    )  # fmt: skip
    gloves, bolts = _truck("ASN-A", 20, ("B", 500)), _truck("ASN-B", 21, ("A", 100))
    proposal = propose("DC1", [bolts, gloves], waiting(demand, DOCK_DAY))
    assert proposal is not None
    assert proposal.first.shipment is bolts
    # 30 gold cross-dock units x 5 x 2.0 x 1.25 + 40 bronze units x 5 x 1.0
    assert proposal.first.score == pytest.approx(375.0 + 200.0)
    assert [s.reference for s in proposal.ahead] == ["ASN-A"]
    waits = [(f.order.order_number, f.units) for f in proposal.waits]
    assert waits == [("SO-1", 30.0), ("SO-2", 40.0)]
    assert proposal.margin_waiting == pytest.approx(350.0)
    assert "behind 1 shipment(s) (ASN-A)" in proposal.rationale
    assert "SO-1 (C-SO-1, gold, 30 A for BR1 due 2026-11-22, cross-dock)" in proposal.rationale
    assert "Their margin, 350.00, waits" in proposal.rationale


def test_nothing_is_proposed_when_first_come_first_served_is_already_best():
    demand = _demand(_order("SO-1", "A", 22, 80, "gold"), A=50)
    bolts, gloves = _truck("ASN-B", 20, ("A", 100)), _truck("ASN-A", 21, ("B", 500))
    assert propose("DC1", [gloves, bolts], waiting(demand, DOCK_DAY)) is None


def test_nothing_is_proposed_when_no_order_waits():
    demand = _demand(_order("SO-1", "A", 22, 40, "gold"), A=50)
    trucks = [_truck("ASN-A", 20, ("B", 5)), _truck("ASN-B", 21, ("A", 100))]
    assert propose("DC1", trucks, waiting(demand, DOCK_DAY)) is None


def test_an_earlier_truck_with_the_same_item_leaves_nothing_waiting():
    demand = _demand(_order("SO-1", "A", 22, 80, "gold"), A=50)
    early, late = _truck("ASN-A", 20, ("A", 30)), _truck("ASN-B", 21, ("A", 100))
    # both fill the 30 waiting units; on a tie the earlier one stays first
    ranked = rank([late, early], waiting(demand, DOCK_DAY))
    assert [r.shipment.reference for r in ranked] == ["ASN-A", "ASN-B"]
    assert ranked[1].fills == ()
    assert propose("DC1", [late, early], waiting(demand, DOCK_DAY)) is None


def test_a_gold_customer_outranks_more_units_for_a_bronze_one():
    demand = _demand(
        _order("SO-G", "A", 22, 20, "gold"), _order("SO-B", "B", 22, 35, "bronze"), A=0, B=0
    )
    early_b, late_a = _truck("ASN-1", 20, ("B", 35)), _truck("ASN-2", 21, ("A", 20))
    ranked = rank([early_b, late_a], waiting(demand, DOCK_DAY))
    # gold: 20 x 5 x 2.0 x 1.25 = 250 against bronze 35 x 5 x 1.0 x 1.25 = 218.75
    scores = [(r.shipment.reference, r.score) for r in ranked]
    assert scores == [("ASN-2", 250.0), ("ASN-1", 218.75)]


def _line(po: str, n: int, sku: str, open_quantity: float, in_transit: float | None,
          asn: str | None = None, day: int = 20) -> InboundLine:  # fmt: skip
    return InboundLine(po, n, sku, "SUP1", open_quantity, in_transit, asn, date(2026, 11, day))


def _event(event_id: str, kind: str, reference: str, at: str, **data: object) -> dict[str, object]:
    return {"event_id": event_id, "event_type": kind, "reference": reference,
            "occurred_at": at, "data": data}  # fmt: skip


def test_the_queue_is_the_erps_shipped_lines_then_the_inbound_events_in_order():
    lines = [
        _line("PO-1", 1, "A", 100, 100, "ASN-1"),
        _line("PO-1", 2, "B", 50, 20, "ASN-1"),
        _line("PO-2", 1, "C", 80, None),  # not shipped
        _line("PO-3", 1, "D", 10, None),
    ]
    events = [
        _event("E3", "shipment_delayed", "ASN-1", "2026-11-20T10:00:00Z", new_eta="2026-11-23"),
        _event("E1", "asn_received", "ASN-9", "2026-11-20T08:00:00Z", po_number="PO-2",
               expected_arrival="2026-11-21",
               lines=[{"po_line": 1, "sku": "C", "quantity": 90}]),
        _event("E2", "asn_received", "ASN-X", "2026-11-20T09:00:00Z", po_number="PO-7",
               expected_arrival="2026-11-21", lines=[{"po_line": 1, "sku": "Z", "quantity": 5}]),
        _event("E4", "po_shipped", "PO-3", "2026-11-20T11:00:00Z"),
    ]  # fmt: skip
    found = {s.reference: s for s in shipments(lines, events)}
    assert sorted(found) == ["ASN-1", "ASN-9", "PO-3"]  # PO-7 is not due at this warehouse
    assert found["ASN-1"].lines == ((1, "A", 100.0), (2, "B", 20.0))
    assert found["ASN-1"].arrival == date(2026, 11, 23)
    assert found["ASN-9"].lines == ((1, "C", 80.0),)  # no more than the line still expects
    assert (found["PO-3"].arrival, found["PO-3"].units) == (date(2026, 11, 20), 10.0)
    received = _event("E5", "goods_received", "PO-1", "2026-11-21T07:00:00Z", asn_number="ASN-1")
    assert "ASN-1" not in {s.reference for s in shipments(lines, [*events, received])}
