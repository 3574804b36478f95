"""The joint decision keeps its books whatever the network: echelons only change through
their borders, every total is the sum of its parts, nobody ships what it lacks, every
action recommended is worth something and the plan never costs more than doing nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from crossdock.planning.decisions import build_problem, decide
from crossdock.planning.decisions.plan import position_after

PARTS = ("holding", "shortage", "transport", "ordering", "purchase", "expedite")
BRANCHES = ("BR1", "BR2", "BR3")


@st.composite
def networks(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    """One item at a DC and three branches it feeds, lanes DC -> branch and between
    branches, a supplier at the DC and open lines anywhere."""
    locations = ("DC1", *BRANCHES)
    stock = draw(st.lists(st.integers(0, 400), min_size=4, max_size=4))
    means = draw(st.lists(st.floats(0.0, 200.0), min_size=4, max_size=4))
    cvs = draw(st.lists(st.floats(0.0, 1.5), min_size=4, max_size=4))
    positions = pd.DataFrame(
        {
            "sku": "X",
            "location_code": locations,
            "parent_code": [None, "DC1", "DC1", "DC1"],
            "available": [float(s) for s in stock],
            "demand_mean": means,
            "demand_std": [m * c for m, c in zip(means, cvs, strict=True)],
            "committed_demand": draw(st.lists(st.integers(0, 30), min_size=4, max_size=4)),
            "unit_cost": 10.0,
            "holding_rate": 0.25,
            "holding_days": 7.0,
            "shortage_penalty": draw(st.sampled_from([3.0, 10.0, 30.0])),
            "reorder_point": [
                float(r) for r in draw(st.lists(st.integers(0, 300), min_size=4, max_size=4))
            ],
            "horizon_days": [35.0, 9.0, 9.0, 9.0],
        }
    )
    pairs = [("DC1", b) for b in BRANCHES] + [(a, b) for a in BRANCHES for b in BRANCHES if a != b]
    lanes = pd.DataFrame(
        {
            "from_code": [a for a, _ in pairs],
            "to_code": [b for _, b in pairs],
            "cost_per_unit": draw(st.lists(st.floats(0.1, 3.0), min_size=9, max_size=9)),
            "transit_days": 1,
        }
    )
    supply = pd.DataFrame(
        {
            "sku": ["X"],
            "location_code": ["DC1"],
            "supplier_code": ["S"],
            "unit_price": [draw(st.floats(9.0, 13.0))],
            "lead_time_days": [21],
            "moq": [float(draw(st.integers(0, 100)))],
            "order_multiple": [draw(st.sampled_from([1, 6, 24]))],
            "ordering_cost": [50.0],
        }
    )
    n_lines = draw(st.integers(0, 3))
    lines = pd.DataFrame(
        {
            "po_number": [f"PO{i}" for i in range(n_lines)],
            "line_number": 1,
            "sku": "X",
            "location_code": draw(
                st.lists(st.sampled_from(locations), min_size=n_lines, max_size=n_lines)
            ),
            "quantity": [
                float(q)
                for q in draw(st.lists(st.integers(1, 500), min_size=n_lines, max_size=n_lines))
            ],
            "due_in_days": draw(st.lists(st.integers(0, 30), min_size=n_lines, max_size=n_lines)),
            "p_late": draw(st.lists(st.floats(0.0, 1.0), min_size=n_lines, max_size=n_lines)),
            "expedite_premium": 1.5,
            "expedite_days": 2,
            "reschedulable": draw(st.lists(st.booleans(), min_size=n_lines, max_size=n_lines)),
        }
    )
    return {
        "positions": positions,
        "lanes": lanes,
        "supply_options": supply,
        "purchase_orders": lines,
    }


@settings(max_examples=60, deadline=None)
@given(frames=networks(), amounts=st.lists(st.integers(0, 50), min_size=9, max_size=9))
def test_moves_inside_the_echelon_leave_the_dc_echelon_unchanged(frames, amounts) -> None:
    problem = build_problem(frames.pop("positions"), **frames)
    quantity = np.zeros(len(problem.actions))
    moves = np.flatnonzero(problem.actions["kind"].to_numpy() == "transfer")
    quantity[moves] = np.asarray(amounts, dtype=np.float64)[: moves.size]
    after = position_after(problem, quantity)
    assert after[0] == problem.base[0]  # the DC row is the echelon of all four
    ships = problem.source[moves]
    received = np.bincount(problem.dest[moves], quantity[moves], minlength=4)
    shipped = np.bincount(ships, quantity[moves], minlength=4)
    np.testing.assert_allclose(after[1:], problem.base[1:] + received[1:] - shipped[1:])


@settings(max_examples=60, deadline=None)
@given(frames=networks())
def test_every_plan_adds_up_and_never_ships_more_than_is_spare(frames) -> None:
    positions = frames.pop("positions")
    decision = decide(positions, as_of="2026-03-02", **frames)
    costs = decision.item_locations
    np.testing.assert_allclose(
        costs["planned_total"], costs[[f"planned_{p}" for p in PARTS]].sum(axis=1), atol=1e-9
    )
    np.testing.assert_allclose(
        costs["savings"], costs["do_nothing_total"] - costs["planned_total"], atol=1e-9
    )
    alt = decision.alternatives
    np.testing.assert_allclose(alt["total"], alt[list(PARTS)].sum(axis=1), atol=1e-9)
    moves = decision.actions[decision.actions["kind"] == "transfer"]
    problem = build_problem(positions, **frames)
    spare = dict(zip(problem.positions["location_code"], problem.spare, strict=True))
    for giver, moved in moves.groupby("from_code")["quantity"].sum().items():
        assert moved <= spare[giver] + 1e-9
    taken = decision.actions[decision.actions["kind"] != "none"]
    assert (taken["quantity"] > 0).all()
    assert (taken["marginal_savings"] > 0).all()  # nothing recommended is worth nothing


@settings(max_examples=100, deadline=None)
@given(frames=networks())
def test_the_plan_never_costs_more_than_doing_nothing(frames) -> None:
    decision = decide(frames.pop("positions"), as_of="2026-03-02", **frames)
    assert decision.total_cost <= decision.do_nothing_cost + 1e-6
