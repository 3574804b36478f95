"""Same seed and options give the same network; another seed gives another."""

from __future__ import annotations

import datetime

import pandas as pd

from crossdock.demo import DemoOptions, generate_demo_network

END = datetime.date(2025, 6, 30)
SMALL = {"skus": 300, "warehouses": 6, "days": 400, "end_date": END}


def test_same_seed_and_options_give_identical_frames() -> None:
    first = generate_demo_network(DemoOptions(seed=7, **SMALL))
    second = generate_demo_network(DemoOptions(seed=7, **SMALL))

    assert list(first) == list(second)
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, second[name], obj=name)


def test_another_seed_gives_other_demand() -> None:
    first = generate_demo_network(DemoOptions(seed=7, **SMALL))["demand_history"]
    second = generate_demo_network(DemoOptions(seed=8, **SMALL))["demand_history"]

    keys = ["sku", "location_code", "demand_date"]
    both = first.astype({"sku": object, "location_code": object}).merge(
        second.astype({"sku": object, "location_code": object}), on=keys, how="outer"
    )
    differing = both["quantity_x"].ne(both["quantity_y"]).mean()
    assert differing > 0.5


def test_progress_reports_each_step_from_zero_to_its_total_in_order() -> None:
    calls: list[tuple[str, int, int]] = []

    generate_demo_network(DemoOptions(**SMALL), progress=lambda *call: calls.append(call))

    steps = list(dict.fromkeys(step for step, _, _ in calls))
    assert steps == [
        "network", "demand history", "sales orders", "purchase orders",
        "transfers", "receipts", "inventory", "events",
    ]  # fmt: skip
    for step in steps:
        reported = [(done, total) for name, done, total in calls if name == step]
        total = reported[0][1]
        assert [done for done, _ in reported] == list(range(total + 1))
        assert {t for _, t in reported} == {total}
    demand_units = next(total for name, _, total in calls if name == "demand history")
    assert demand_units == 2  # 1,800 item-locations fit one block, plus building the frame
