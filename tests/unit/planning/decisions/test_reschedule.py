"""Deferring and cancelling open PO lines that are not needed when they come."""

import numpy as np
import pandas as pd

from crossdock.planning.decisions import ReschedulingRules, decide

POSITION = {
    "sku": "G",
    "location_code": "BR1",
    "available": 60.0,
    "demand_mean": 70.0,
    "demand_std": 10.0,
    "unit_cost": 10.0,
    "holding_rate": 0.25,
    "holding_days": 7.0,
    "shortage_penalty": 20.0,
    "horizon_days": 14,
}


def _lines(*rows: tuple[str, float, float, bool]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "po_number": po,
                "line_number": 1,
                "sku": "G",
                "location_code": "BR1",
                "quantity": quantity,
                "due_in_days": due,
                "p_late": 0.0,
                "unit_price": 10.0,
                "reschedulable": movable,
            }
            for po, quantity, due, movable in rows
        ]
    )


def _moves(decision) -> dict[str, str]:  # type: ignore[no-untyped-def]
    taken = decision.actions[decision.actions["kind"].isin(["defer", "cancel"])]
    return dict(zip(taken["po_number"], taken["kind"], strict=True))


def test_a_surplus_line_is_deferred_to_when_it_is_needed() -> None:
    decision = decide(
        pd.DataFrame([POSITION]),
        purchase_orders=_lines(("PO-6", 60, 2, True), ("PO-7", 200, 5, True)),
        as_of="2026-03-02",
    )
    assert _moves(decision) == {"PO-7": "defer"}
    deferred = decision.actions[decision.actions["kind"] == "defer"].iloc[0]
    # 120 left without it, 28.2 safety stock, 5 a day: needed on day 18.4 -> day 19
    assert deferred["expected_arrival_date"] == pd.Timestamp("2026-03-21")
    assert deferred["marginal_savings"] > 0.0


def test_a_shipped_line_is_never_deferred_but_counts_as_coming() -> None:
    decision = decide(
        pd.DataFrame([POSITION]),
        purchase_orders=_lines(("PO-6", 60, 2, True), ("PO-7", 200, 5, False)),
    )
    # PO-7 is on its way (not reschedulable): it stays, and makes PO-6 the surplus
    assert _moves(decision) == {"PO-6": "defer"}


def test_a_later_line_that_stays_keeps_every_earlier_line() -> None:
    # PO-8 (due last) is too small to be worth a message; PO-7 before it then stays too,
    # because taking PO-7 out while PO-8 stays is not what was priced.
    decision = decide(
        pd.DataFrame([POSITION]),
        purchase_orders=_lines(("PO-6", 60, 2, True), ("PO-7", 200, 5, True), ("PO-8", 1, 9, True)),
    )
    assert _moves(decision) == {}


def test_a_move_worth_less_than_its_charge_is_not_proposed() -> None:
    lines = _lines(("PO-6", 60, 2, True), ("PO-7", 200, 5, True))
    costly = ReschedulingRules(reschedule_cost=1_000.0)
    assert _moves(decide(pd.DataFrame([POSITION]), purchase_orders=lines)) == {"PO-7": "defer"}
    assert (
        _moves(decide(pd.DataFrame([POSITION]), purchase_orders=lines, rescheduling=costly)) == {}
    )


def test_a_line_needed_only_after_the_cancel_window_is_cancelled() -> None:
    slow = {**POSITION, "demand_mean": 7.0, "demand_std": 2.0, "available": 100.0}
    decision = decide(pd.DataFrame([slow]), purchase_orders=_lines(("PO-7", 500, 5, True)))
    # 100 on hand, 5.6 safety stock, half a unit a day: the 500 are needed on day 189
    assert _moves(decision) == {"PO-7": "cancel"}
    cancel = decision.actions[decision.actions["kind"] == "cancel"].iloc[0]
    assert cancel["purchase"] == 0.05 * 500 * 10.0
    costs = decision.item_locations.iloc[0]
    np.testing.assert_allclose(
        costs["planned_total"],
        costs[
            [
                f"planned_{p}"
                for p in ("holding", "shortage", "transport", "ordering", "purchase", "expedite")
            ]
        ].sum(),
    )
