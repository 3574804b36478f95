"""The allocation agent's reasoning, by hand-checked numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from crossdock.agents.allocation import (
    STRATEGIC,
    allocate,
    as_left_by,
    by_policy,
    first_come,
    item_sites,
    propose,
)
from crossdock.agents.fulfilment import Inbound, ItemSite, OrderLine, Source

TODAY = date(2026, 12, 1)


def _line(
    number: str,
    quantity: float,
    tier: str | None,
    *,
    entered: int = 20,
    wanted: int = 5,
    price: float = 20.0,
    status: str = "released",
    partials: bool = True,
) -> OrderLine:
    return OrderLine(number, 1, "A", f"C-{number}", tier, "BR", date(2026, 11, entered),
                     date(2026, 12, wanted), quantity, 0.0, price, status,
                     accepts_partials=partials)  # fmt: skip


def _site(
    *orders: OrderLine,
    on_hand: float = 50.0,
    inbound: tuple[Inbound, ...] = (),
    sources: tuple[Source, ...] = (),
) -> ItemSite:
    return ItemSite("A", "BR", on_hand, 0.0, datetime(2026, 12, 1, 6, tzinfo=UTC), 10.0, 20.0,
                    orders, inbound, (), sources)  # fmt: skip


def _given(site: ItemSite, queue: list[OrderLine]) -> list[float]:
    shares = allocate(queue, site, today=TODAY)
    return [shares[line.key] for line in queue]


BRONZE_OLD = _line("SO-1", 30, "bronze", entered=10)
SILVER = _line("SO-2", 30, "silver", entered=15)
GOLD_NEW = _line("SO-3", 30, "gold", entered=25)


def test_policy_serves_gold_then_silver_then_bronze_first_come_by_order_date():
    site = _site(BRONZE_OLD, SILVER, GOLD_NEW)
    assert [o.order_number for o in by_policy(site.orders)] == ["SO-3", "SO-2", "SO-1"]
    assert _given(site, by_policy(site.orders)) == [30.0, 20.0, 0.0]
    assert _given(site, first_come(site.orders)) == [30.0, 20.0, 0.0]  # SO-1, SO-2, SO-3


def test_within_a_tier_the_earlier_date_then_the_better_price_goes_first():
    later = _line("SO-1", 10, "silver", wanted=9)
    cheap = _line("SO-2", 10, "silver", wanted=5, price=15.0)
    dear = _line("SO-3", 10, "silver", wanted=5, price=25.0)
    assert [o.order_number for o in by_policy([later, cheap, dear])] == ["SO-3", "SO-2", "SO-1"]


def test_a_line_takes_the_latest_supply_that_lands_in_time():
    # 20 on hand and 30 landing on 8 Dec: the gold line due 10 Dec takes the receipt and
    # leaves the shelf to the bronze line due 3 Dec
    gold_later = _line("SO-G", 30, "gold", wanted=10)
    bronze_soon = _line("SO-B", 20, "bronze", wanted=3)
    site = _site(gold_later, bronze_soon, on_hand=20.0,
                 inbound=(Inbound("PO-1 line 1", date(2026, 12, 8), 30.0),))  # fmt: skip
    assert _given(site, by_policy(site.orders)) == [30.0, 20.0]
    assert propose(site, today=TODAY) is None  # everyone is served in time


def test_a_customer_that_takes_no_partial_gets_all_or_nothing():
    whole = _line("SO-1", 30, "gold", partials=False)
    site = _site(whole, _line("SO-2", 30, "bronze"), on_hand=25.0)
    assert _given(site, by_policy(site.orders)) == [0.0, 25.0]


def test_held_orders_come_last():
    held = _line("SO-1", 30, "gold", status="on_hold")
    site = _site(held, _line("SO-2", 30, "bronze"), on_hand=40.0)
    assert _given(site, by_policy(site.orders)) == [30.0, 10.0]  # SO-2 then the held SO-1


def test_shorting_a_line_first_come_would_serve_is_strategic_and_priced_both_ways():
    site = _site(BRONZE_OLD, SILVER, on_hand=40.0)  # first come: SO-1 30, SO-2 10
    proposal = propose(site, today=TODAY)
    assert proposal is not None
    assert [(s.line.order_number, s.allocated, s.first_come) for s in proposal.shares] == [
        ("SO-2", 30.0, 10.0),
        ("SO-1", 10.0, 30.0),
    ]
    assert proposal.customer_tier == STRATEGIC
    assert proposal.first_come_cost == pytest.approx(20 * 10 * 1.5)  # SO-2 short 20, silver
    assert proposal.policy_cost == pytest.approx(20 * 10 * 1.0)  # SO-1 short 20, bronze
    assert proposal.savings == pytest.approx(100.0)
    assert proposal.shares[1].reason == (
        "short 20: stock went first to SO-2 (silver); first come would give it 30"
    )
    assert "a person must approve" in proposal.rationale


def test_a_gold_line_left_short_makes_the_tier_fact_gold():
    site = _site(_line("SO-1", 60, "gold"), on_hand=50.0)
    proposal = propose(site, today=TODAY)
    assert proposal is not None
    assert proposal.customer_tier == "gold"


def test_when_policy_and_first_come_agree_the_tier_fact_is_the_tier_left_short():
    site = _site(_line("SO-1", 40, "silver", entered=10), _line("SO-2", 30, "bronze"))
    proposal = propose(site, today=TODAY)
    assert proposal is not None
    assert proposal.customer_tier == "bronze"
    unknown = _site(_line("SO-1", 40, "silver", entered=10), _line("SO-2", 30, None))
    assert propose(unknown, today=TODAY).customer_tier is None  # type: ignore[union-attr]


def test_another_warehouse_covers_a_short_line_when_its_lane_lands_in_time_for_less():
    site = _site(BRONZE_OLD, SILVER, on_hand=40.0,
                 sources=(Source("DC", 100.0, 3, 0.5), Source("FAR", 100.0, 9, 0.1)))  # fmt: skip
    proposal = propose(site, today=TODAY)
    assert proposal is not None
    short = proposal.shares[1]
    assert [(f.from_code, f.units, f.freight) for f in short.fills] == [("DC", 20.0, 10.0)]
    assert proposal.lost_margin == 0.0
    assert proposal.savings == pytest.approx(300.0 - 10.0)
    assert "DC can land 20 for SO-1 by 2026-12-04 for 10.00" in proposal.rationale


def test_the_stock_a_count_taken_after_the_event_already_holds_is_not_changed_twice():
    site = _site(on_hand=50.0)
    before = {"event_type": "short_pick", "occurred_at": "2026-12-01T05:00:00Z", "quantity": 4.0}
    after = {**before, "occurred_at": "2026-12-01T07:00:00Z"}
    assert as_left_by(before, site, tier=None).on_hand == 50.0
    assert as_left_by(after, site, tier=None).on_hand == 46.0
    counted = {"event_type": "inventory_adjusted", "occurred_at": "2026-12-01T07:00:00Z",
               "quantity": -3.0, "data": {"on_hand_after": 12.0}}  # fmt: skip
    assert as_left_by(counted, site, tier=None).on_hand == 12.0
    out = {"event_type": "stockout", "occurred_at": "2026-12-01T07:00:00Z"}
    assert as_left_by(out, replace(site, on_hold=2.0), tier=None).on_hand == 2.0


def test_an_order_event_replaces_the_stored_lines_of_its_order():
    stored = _line("SO-9", 10, "silver", entered=15, price=18.0)
    site = _site(stored, _line("SO-1", 5, "bronze"))
    changed = {
        "event_type": "order_changed", "occurred_at": "2026-12-01T07:00:00Z",
        "reference": "SO-9", "location_code": "BR",
        "data": {"customer_code": "C-SO-9", "lines": [
            {"line_number": 1, "sku": "A", "quantity": 25.0, "requested_date": "2026-12-06"},
            {"line_number": 2, "sku": "OTHER", "quantity": 1.0, "requested_date": "2026-12-06"},
        ]},
    }  # fmt: skip
    assert item_sites(changed) == [("A", "BR"), ("OTHER", "BR")]
    orders = {o.key: o for o in as_left_by(changed, site, tier="silver").orders}
    assert sorted(orders) == [("SO-1", 1), ("SO-9", 1)]
    line = orders[("SO-9", 1)]
    assert (line.ordered_quantity, line.requested_date) == (25.0, date(2026, 12, 6))
    assert (line.order_date, line.unit_price) == (date(2026, 11, 15), 18.0)  # kept
    new = {**changed, "event_type": "order_created", "reference": "SO-10"}
    fresh = {o.key: o for o in as_left_by(new, site, tier="gold").orders}[("SO-10", 1)]
    assert (fresh.tier, fresh.order_date, fresh.unit_price) == ("gold", TODAY, 20.0)
