"""Which option the procurement agent proposes for the orders a PO line change hits:
each of expedite, split, another supplier and another warehouse chosen when it is the
cheapest, and refused when it cannot be done. Hand-checked numbers.

The setting: PO-1 line 1 brings 100 units of A to DC on 1 Dec at 10.00 a unit; 50 are on
hand; SO-2 (silver, 20.00 a unit, item cost 10.00) needs 120 on 5 Dec. As promised the
line covers it; without it, or on 15 Dec, SO-2 is 70 short: 70 x (20 - 10) x 1.5 =
1,050.00 of lost margin. Today is 20 Nov.
"""

from __future__ import annotations

from datetime import date

import pytest

from crossdock.agents.procurement import LineChange, OpenLine, OrderLine, Position, hits
from crossdock.agents.procurement_options import (
    Option,
    Proposal,
    SpareStock,
    SupplierOffer,
    propose,
)

LINE = OpenLine("PO-1", 1, "A", "DC", "SUP", 100.0, date(2026, 12, 1), 10.0)
TODAY = date(2026, 11, 20)
DO_NOTHING = 70 * (20 - 10) * 1.5


def _order(number: str, day: int, quantity: float, tier: str = "silver") -> OrderLine:
    return OrderLine(number, 1, "C", tier, "BR", date(2026, 12, day), quantity, 20.0)


def _position(*orders: OrderLine, on_hand: float = 50.0) -> Position:
    return Position(
        on_hand=on_hand,
        receipts=(("PO-1", 1, date(2026, 12, 1), 100.0),),
        orders=orders or (_order("SO-2", 5, 120),),
        unit_cost=10.0,
    )


def _late(day: int = 15, *, quantity: float | None = None, asn: str | None = None) -> LineChange:
    return LineChange("PO-1", 1, asn, date(2026, 12, day), quantity, "late")


REJECTED = LineChange("PO-1", 1, None, None, 0.0, "the supplier rejected it", rejected=True)
UNACKNOWLEDGED = LineChange("PO-1", 1, None, None, None, "not acknowledged", waiting_days=3)


def _propose(
    change: LineChange,
    *,
    position: Position | None = None,
    offers: tuple[SupplierOffer, ...] = (),
    spare: tuple[SpareStock, ...] = (),
    today: date = TODAY,
) -> Proposal:
    position = position or _position()
    proposal = propose(
        LINE, change, position, hits(position, LINE, change),
        today=today, offers=offers, spare=spare,
    )  # fmt: skip
    assert proposal is not None
    return proposal


def _option(proposal: Proposal, name: str) -> Option:
    return next(o for o in proposal.options if o.name == name)


# ---------------------------------------------------------------- split


def test_a_split_is_chosen_when_one_more_delivery_costs_less_than_expediting():
    proposal = _propose(_late())
    # expediting 70 units costs 70 x 10.00 x 0.15 = 105.00; a split one delivery, 50.00
    assert (proposal.kind, proposal.chosen.action) == ("expedite", "split")
    assert (proposal.quantity, proposal.arrival) == (70.0, date(2026, 12, 1))
    assert (proposal.action_cost, proposal.shortage_cost) == (50.0, 0.0)
    assert proposal.expedite_cost == 0.0  # a delivery's cost, not an expedite premium
    assert proposal.do_nothing_cost == pytest.approx(DO_NOTHING)
    assert proposal.savings == pytest.approx(DO_NOTHING - 50.0)
    assert _option(proposal, "expedite").total == pytest.approx(105.0)
    assert (
        "Asking the supplier to ship 70 units as a partial delivery on 2026-12-01, the date "
        "first promised, and the rest on 2026-12-15 costs one more inbound delivery (50.00) "
        "against 1,050.00 of lost margin."
    ) in proposal.rationale


@pytest.mark.parametrize(
    ("change", "today", "why"),
    [
        (REJECTED, TODAY, "nothing announced to split"),
        (UNACKNOWLEDGED, TODAY, "nothing announced to split"),
        (_late(asn="ASN-9"), TODAY, "the goods have shipped as one delivery"),
        (_late(1, quantity=30.0), TODAY, "not a later date"),
        (_late(), date(2026, 12, 2), "the first promised date 2026-12-01 has passed"),
    ],
    ids=["rejected", "unacknowledged", "shipped", "quantity cut", "first date passed"],
)
def test_a_split_is_refused_when_there_is_no_later_date_to_split_from(
    change: LineChange, today: date, why: str
):
    proposal = _propose(change, today=today)
    split = _option(proposal, "split")
    assert not split.available
    assert why in split.note
    assert proposal.chosen.action != "split"


# ---------------------------------------------------------------- expedite


def test_an_expedite_is_chosen_when_cheaper_than_a_split():
    # 30 short (80 ordered): expediting 30 units costs 45.00, a split 50.00
    proposal = _propose(_late(), position=_position(_order("SO-2", 5, 80)))
    assert (proposal.kind, proposal.chosen.action, proposal.quantity) == (
        "expedite",
        "expedite",
        30,
    )
    assert proposal.expedite_cost == pytest.approx(45.0)


def test_no_expedite_of_a_line_cut_short_but_on_time():
    # 30 of the 100 come on 1 Dec: SO-2 is 40 short, and the 70 cut come on no date
    proposal = _propose(_late(1, quantity=30.0))
    assert not _option(proposal, "expedite").available
    assert proposal.kind == "follow_up"
    assert "Nothing brings the units in time for less than the 600.00" in proposal.rationale


# ---------------------------------------------------------------- another supplier

SUP2 = SupplierOffer("SUP2", 10, 10.50)  # lands 30 Nov


def test_another_supplier_is_chosen_for_a_rejected_line_at_the_price_difference():
    proposal = _propose(REJECTED, offers=(SUP2,))
    assert (proposal.kind, proposal.chosen.from_code) == ("buy", "SUP2")
    assert (proposal.quantity, proposal.arrival) == (70.0, date(2026, 11, 30))
    assert proposal.action_cost == pytest.approx(70 * 0.50)
    assert proposal.shortage_cost == 0.0
    assert proposal.savings == pytest.approx(DO_NOTHING - 35.0)
    assert "Buying 70 units from SUP2 (10 days' lead time at 10.50 a unit" in proposal.rationale
    assert "cut the PO line" not in proposal.rationale  # nothing left on it to cut


def test_another_supplier_is_bought_in_its_minimum_and_multiple():
    offer = SupplierOffer("SUP2", 10, 10.50, moq=50.0, order_multiple=25)
    proposal = _propose(REJECTED, offers=(offer,))
    assert (proposal.kind, proposal.quantity) == ("buy", 75.0)  # 70 rounded up to 25s
    assert proposal.action_cost == pytest.approx(75 * 0.50)


def test_a_cheaper_supplier_costs_nothing_extra_rather_than_earning_money():
    proposal = _propose(REJECTED, offers=(SupplierOffer("SUP2", 10, 9.00),))
    assert (proposal.kind, proposal.action_cost) == ("buy", 0.0)
    assert proposal.savings == pytest.approx(DO_NOTHING)


def test_a_late_line_bought_elsewhere_is_cut_by_as_much():
    # expediting costs 105.00, a split 50.00, another supplier 70 x 0.50 = 35.00
    proposal = _propose(_late(), offers=(SUP2,))
    assert (proposal.kind, proposal.action_cost) == ("buy", pytest.approx(35.0))
    assert proposal.rationale.count("cut the PO line by 70 units") == 1


@pytest.mark.parametrize(
    ("offer", "why"),
    [
        (SupplierOffer("SUP2", 20, 10.50), "lands 2026-12-10, after the last hit order's date"),
        (SupplierOffer("SUP2", 10, None), "its supply terms carry no price"),
    ],
    ids=["too slow", "no price"],
)
def test_another_supplier_is_refused_when_it_cannot_be_priced_or_land_in_time(
    offer: SupplierOffer, why: str
):
    proposal = _propose(REJECTED, offers=(offer,))
    assert not _option(proposal, "buy from SUP2").available
    assert why in _option(proposal, "buy from SUP2").note
    assert proposal.kind == "follow_up"
    assert proposal.shortage_cost == pytest.approx(DO_NOTHING)
    assert "Nothing replaces it yet: 1,050.00 of lost margin at risk" in proposal.rationale


def test_the_lines_own_supplier_is_not_another_supplier():
    proposal = _propose(REJECTED, offers=(SupplierOffer("SUP", 1, 10.0),))
    assert [o.name for o in proposal.options] == ["none", "expedite", "split"]
    assert proposal.kind == "follow_up"


# ---------------------------------------------------------------- another warehouse

DC2 = SpareStock("DC2", 200.0, 2, 0.30)  # lands 22 Nov


def test_another_warehouses_free_stock_is_moved_when_its_freight_is_cheapest():
    # freight 70 x 0.30 = 21.00 against another supplier's 35.00
    proposal = _propose(REJECTED, offers=(SUP2,), spare=(DC2,))
    assert (proposal.kind, proposal.chosen.from_code) == ("transfer", "DC2")
    assert (proposal.quantity, proposal.arrival) == (70.0, date(2026, 11, 22))
    assert proposal.action_cost == pytest.approx(21.0)
    assert proposal.savings == pytest.approx(DO_NOTHING - 21.0)
    assert "Moving 70 units of free stock from DC2 to DC, landing 2026-11-22" in (
        proposal.rationale
    )
    assert "buy from SUP2 35.00" in proposal.rationale


def test_a_warehouse_with_too_little_free_stock_leaves_the_rest_counted_short():
    proposal = _propose(REJECTED, spare=(SpareStock("DC2", 20.0, 2, 0.30),))
    transfer = _option(proposal, "transfer from DC2")
    # 20 moved for 6.00; 50 still short: 50 x 15.00 = 750.00
    assert (transfer.units, transfer.cost, transfer.shortage) == (
        20.0, pytest.approx(6.0), pytest.approx(750.0)
    )  # fmt: skip
    assert proposal.kind == "transfer"
    assert "750.00 of lost margin stays at risk" in proposal.rationale


def test_a_warehouse_too_far_away_is_refused():
    proposal = _propose(REJECTED, spare=(SpareStock("DC2", 200.0, 20, 0.30),))
    assert not _option(proposal, "transfer from DC2").available
    assert proposal.kind == "follow_up"


def test_without_free_stock_elsewhere_the_rationale_says_so():
    proposal = _propose(REJECTED)
    assert "no other warehouse with free A and a lane to DC" in proposal.rationale


def test_an_option_landing_between_two_orders_is_priced_with_the_order_it_misses():
    # nothing on hand: SO-A needs 40 on 3 Dec and SO-B 60 on 10 Dec, both from the line.
    # A transfer landing 5 Dec (15 days) reaches SO-B only: 60 moved, SO-A's 40 still short
    position = _position(_order("SO-A", 3, 40), _order("SO-B", 10, 60), on_hand=0.0)
    proposal = _propose(REJECTED, position=position, spare=(SpareStock("DC2", 200.0, 15, 0.5),))
    transfer = _option(proposal, "transfer from DC2")
    assert (transfer.units, transfer.cost, transfer.shortage) == (60.0, 30.0, 40 * 15.0)
    assert proposal.do_nothing_cost == pytest.approx(100 * 15.0)
    assert proposal.kind == "transfer"


def test_an_unacknowledged_line_is_covered_from_another_warehouse_when_it_pays():
    proposal = _propose(UNACKNOWLEDGED, spare=(DC2,))
    assert (proposal.kind, proposal.quantity, proposal.action_cost) == (
        "transfer", 70.0, pytest.approx(21.0)
    )  # fmt: skip


# ---------------------------------------------------------------- every option listed


def test_every_option_is_listed_with_its_money_and_the_cheapest_chosen():
    proposal = _propose(_late(), offers=(SUP2,), spare=(DC2,))
    assert [(o.name, o.available, round(o.total, 2)) for o in proposal.options] == [
        ("none", True, 1050.0),
        ("expedite", True, 105.0),
        ("split", True, 50.0),
        ("transfer from DC2", True, 21.0),
        ("buy from SUP2", True, 35.0),
    ]
    assert proposal.chosen.name == "transfer from DC2"
    assert proposal.expected_cost == pytest.approx(21.0)


def test_on_equal_money_nobody_acts_and_a_transfer_goes_before_a_buy():
    # freight of 15.00 a unit costs what a unit short costs: nothing gained, a follow-up
    dear = _propose(REJECTED, spare=(SpareStock("DC2", 200.0, 2, 15.0),))
    assert (dear.kind, _option(dear, "transfer from DC2").total) == ("follow_up", DO_NOTHING)
    # 70 x 0.50 of freight or of price difference: the stock already owned moves first
    even = _propose(REJECTED, offers=(SUP2,), spare=(SpareStock("DC2", 200.0, 2, 0.5),))
    assert (even.kind, even.action_cost) == ("transfer", pytest.approx(35.0))
