"""The replenishment agent's reasoning, and the plan engine's levels it reuses, by
hand-checked numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from crossdock.agents.replenishment import (
    Costs,
    ItemFacts,
    Levels,
    PlanRow,
    Supplier,
    demand_shift,
    propose,
)
from crossdock.agents.stock_position import (
    AfterEvent,
    OrderLine,
    Pending,
    Receipt,
    Stock,
    after_event,
)
from crossdock.planning.policy import size_network
from crossdock.service_layer.agent_handlers.replenishment_levels import (
    from_plan,
    shortfall,
    sized_now,
)

TODAY = date(2026, 11, 21)
LEVELS = Levels(10.0, 50.0, 40.0, 0.0, 21, 0.97, "plan run #1")
COSTS = Costs(unit_cost=6.2, shortage_penalty=15.0, holding_per_unit=0.05, ordering_cost=50.0)
ITEM = ItemFacts(unit_cost=6.2, unit_price=11.5, criticality="high", pack_size=1, order_multiple=5)
SUPPLIER = Supplier("SUP1", 14, 6.5, moq=50.0, order_multiple=10)
EVENT = {"event_type": "inventory_adjusted", "occurred_at": "2026-11-21T08:00:00+00:00",
         "quantity": -5.0, "data": {}}  # fmt: skip


def _stock(on_hand: float = 20.0) -> Stock:
    return Stock(
        sku="A100",
        location_code="DC1",
        on_hand=on_hand,
        on_hold=0.0,
        counted_at=datetime(2026, 11, 20, 6, tzinfo=UTC),
        receipts=(Receipt("PO-1", 1, date(2026, 11, 28), 10.0),),
        orders=(OrderLine("SO-1", 1, "C", "gold", date(2026, 11, 25), 15.0, 11.5),),
        unit_cost=6.2,
    )


def _deterministic(position: float) -> float:
    return max(40.0 - position, 0.0)  # demand of exactly 40 over the protection interval


def _propose(stock: Stock, pending: list[Pending] | None = None):  # type: ignore[no-untyped-def]
    return propose(
        AfterEvent(stock, "a count"),
        event=EVENT,
        levels=LEVELS,
        costs=COSTS,
        item=ITEM,
        supplier=SUPPLIER,
        pending=pending or [],
        shortfall=_deterministic,
        today=TODAY,
    )


def _pending(quantity: float) -> Pending:
    return Pending(14, "buy", quantity, date(2026, 12, 5), "pending_approval", "plan run #1")


def test_below_the_reorder_point_it_buys_up_to_it_rounded_to_moq_and_multiple():
    # position 20 + 10 - 15 = 15, 35 below 50; MOQ 50 in multiples of 10: 50
    proposal = _propose(_stock())
    assert proposal is not None
    assert (proposal.position, proposal.quantity) == (15.0, 50)
    assert proposal.arrival == date(2026, 12, 5)  # 14 days
    money = proposal.money
    assert money.shortage_before == pytest.approx(25 * 15.0)  # 40 - 15 short
    assert money.holding_before == 0.0
    assert money.shortage_after == 0.0
    assert money.holding_after == pytest.approx(25 * 0.05)  # 65 - 40 left over
    assert money.purchase == pytest.approx(50 * 0.3)  # 6.50 against 6.20 standard
    assert money.savings == pytest.approx(375 - 1.25 - 50 - 15)
    assert "inventory position 15 (20 available + 10 on order - 15 on open orders)" in (
        proposal.rationale
    )
    assert "below the reorder point of 50 (safety stock 10 for a 97.0% fill rate" in (
        proposal.rationale
    )
    assert "Buying 50 from SUP1" in proposal.rationale
    assert "it saves 308.75" in proposal.rationale


def test_at_or_above_the_reorder_point_nothing_is_proposed():
    assert _propose(_stock(on_hand=55.0)) is None  # 55 + 10 - 15 = 50


def test_an_open_recommendation_that_covers_the_gap_is_not_duplicated():
    assert _propose(_stock(), [_pending(40.0)]) is None


def test_an_open_recommendation_that_falls_short_gets_only_the_rest():
    proposal = _propose(_stock(on_hand=40.0), [_pending(10.0)])  # 35 + 10: 5 to go
    assert proposal is not None
    assert proposal.quantity == 50  # the MOQ
    assert "plus buy #14 of 10 (plan run #1, pending_approval) still open" in proposal.rationale


def test_a_dearer_buy_than_the_shortage_says_so():
    cheap = Costs(unit_cost=6.2, shortage_penalty=0.1, holding_per_unit=0.05, ordering_cost=50.0)
    proposal = propose(AfterEvent(_stock(), ""), event=EVENT, levels=LEVELS, costs=cheap,
                       item=ITEM, supplier=SUPPLIER, pending=[], shortfall=_deterministic,
                       today=TODAY)  # fmt: skip
    assert proposal is not None
    assert proposal.money.savings < 0
    assert "the fill-rate target asks for it" in proposal.rationale


def test_a_rejected_po_line_leaves_the_position():
    event = {"event_type": "po_rejected", "occurred_at": "2026-11-21T08:00:00+00:00",
             "reference": "PO-1", "data": {"supplier_code": "SUP1"}}  # fmt: skip
    after = after_event(event, _stock())
    assert after.stock.inventory_position == 5.0
    assert after.change == "the supplier rejected PO-1 line 1 (10)"


def test_a_po_change_replaces_the_line_quantity_net_of_what_was_received():
    # 40 ordered, 30 received: 10 open; the supplier cuts the line to 36 and moves it
    stock = replace(_stock(), receipts=(Receipt("PO-1", 1, date(2026, 11, 28), 10.0, 30.0),))
    line = {"line_number": 1, "quantity": 36, "promised_date": "2026-12-02"}
    event = {"event_type": "po_changed", "occurred_at": "2026-11-21T08:00:00+00:00",
             "reference": "PO-1", "data": {"supplier_code": "SUP1", "lines": [line]}}  # fmt: skip
    (receipt,) = after_event(event, stock).stock.receipts
    assert (receipt.open_quantity, receipt.arrival) == (6.0, date(2026, 12, 2))
    assert after_event(event, after_event(event, stock).stock).stock.receipts == (receipt,)


def test_only_a_level_shift_rescales_demand():
    shift = {"event_type": "demand_anomaly", "reason_code": "demand_shift",
             "data": {"actual": 90, "expected": 60, "window_days": 14}}  # fmt: skip
    spike = {"event_type": "demand_spike", "data": {"actual": 90, "expected": 60, "window_days": 3}}
    assert demand_shift(shift) == 1.5
    assert demand_shift(spike) is None
    assert demand_shift({**shift, "reason_code": "demand_spike"}) is None


# ---------------------------------------------------------------- the plan's engine, reused

PLAN = PlanRow(
    plan_run_id=3,
    as_of=date(2026, 11, 20),
    settings={"holding_rate": 0.25, "ordering_cost": 50.0, "review_period_days": 7,
              "model_version": "ignored"},
    drivers={
        "forecast": {"horizon_days": 21, "mean": 42.0, "std": 9.0, "demand_class": "smooth",
                     "backtest_wape": 0.3},
        "lead_time": {"mean_days": 14.0, "std_days": 2.0},
        "policy": {"fill_rate_target": 0.98, "safety_stock": 11.5, "reorder_point": 53.5,
                   "shortage_penalty": 15.9},
    },
)  # fmt: skip


def test_the_plans_levels_and_cost_terms_are_taken_as_the_plan_left_them():
    sized = from_plan(PLAN, unit_cost=6.2, shift=None)
    assert (sized.levels.safety_stock, sized.levels.reorder_point) == (11.5, 53.5)
    assert (sized.levels.demand_mean, sized.levels.protection_days) == (42.0, 21)
    assert sized.costs.holding_per_unit == pytest.approx(6.2 * 0.25 * 7 / 365)
    assert (sized.costs.shortage_penalty, sized.costs.ordering_cost) == (15.9, 50.0)
    assert sized.confidence == pytest.approx(0.7)
    assert sized.levels.basis == "plan run #3 as of 2026-11-20"


def test_a_level_shift_resizes_with_the_plans_own_sizing_call():
    sized = from_plan(PLAN, unit_cost=6.2, shift=1.5)
    engine = size_network(demand_mean=[42.0 * 1.5 / 21], demand_std=[9.0 * 1.5 / 21**0.5],
                          lead_time_mean=[14.0], lead_time_std=[2.0], review_period=7.0,
                          fill_rate=[0.98], intermittent=[False], parent=[-1])  # fmt: skip
    assert sized.levels.reorder_point == pytest.approx(float(engine.reorder_point[0]))
    assert sized.levels.reorder_point > 53.5
    assert sized.levels.demand_mean == pytest.approx(63.0)
    assert "re-sized by the plan's engine for demand at 1.50 times its forecast" in (
        sized.levels.basis
    )


def test_without_a_plan_one_item_location_is_sized_now_from_its_demand():
    # 2 a day, every day: no spread, so no safety stock; 2 x (14 + 7) = 42
    sized = sized_now([2.0] * 56, item=ITEM, tier="gold", supplier=SUPPLIER)
    assert sized.levels.safety_stock == pytest.approx(0.0)
    assert sized.levels.reorder_point == pytest.approx(42.0)
    assert sized.levels.fill_rate == 0.99  # high criticality, gold
    assert sized.costs.shortage_penalty == pytest.approx(5.3 * 2.0 * 1.5)  # margin x tier x crit
    assert sized.shortfall(30.0) == pytest.approx(12.0)
    assert sized.confidence == 0.5


def test_the_shortfall_is_the_plans_expected_shortage():
    units_short = shortfall(40.0, 10.0, gamma=False)
    assert units_short(40.0) == pytest.approx(10.0 * 0.3989422804, rel=1e-6)  # sigma x G(0)
    assert units_short(100.0) == pytest.approx(0.0, abs=1e-6)
