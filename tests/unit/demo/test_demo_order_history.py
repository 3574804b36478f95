"""Behind the open order book, the orders shipped in the 8 weeks before the last day:
drawn from the demand history, closed, mostly shipped in full, so the fill rate reads
as a distributor's does."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from crossdock.demo import DemoOptions, generate_demo_network
from crossdock.demo.order_history import LINES_PER_ORDER, line_cap
from crossdock.demo.orders import ALLOCATING_STATUSES
from crossdock.service_layer.kpi_ports import DayFill
from crossdock.service_layer.kpis import fill_of, weeks_ending
from tests.unit.demo.conftest import END_DATE

# The default network's open book as generated before the shipped history existed:
# its orders and lines, written as CSV, hash to these.
OPEN_BOOK = {
    "sales_orders": (833, "c8cfcb0aa6895fa689eab1b19f50ac111aa86cf47d1b2b803d1e71ade99df852"),
    "sales_order_lines": (
        2147,
        "f8c6dc23ef7b096f2b1fc032c18fc0c88eb0d2126f08af892fead40be230bda2",
    ),
}


def _small(*, weeks: int = 8) -> DemoOptions:
    return DemoOptions(
        skus=300, warehouses=6, days=400, end_date=END_DATE, shipped_history_weeks=weeks
    )


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def _history(network: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped history's orders and their lines (numbered after the open book)."""
    open_count = OPEN_BOOK["sales_orders"][0]
    orders = network["sales_orders"].iloc[open_count:]
    lines = network["sales_order_lines"].merge(orders, on="order_number")
    return orders, lines


def _fill(network: dict[str, pd.DataFrame], *, weeks: int) -> tuple[float, float]:
    """Unit and line fill rate over the `weeks` weeks ending on the last day, as the KPI
    dashboard sums them: lines by their order's requested date, orders not cancelled."""
    lines = network["sales_order_lines"].merge(network["sales_orders"], on="order_number")
    window = weeks_ending(END_DATE, weeks)
    start, end = pd.Timestamp(window[0].start), pd.Timestamp(window[-1].end)
    lines = lines[
        (lines["requested_date"] >= start)
        & (lines["requested_date"] <= end)
        & (lines["status"] != "cancelled")
    ]
    shipped = lines["shipped_quantity"].fillna(0.0)
    per_day = lines.assign(shipped=shipped, filled=shipped >= lines["ordered_quantity"]).groupby(
        "requested_date"
    )
    days = [
        DayFill(
            day=group["requested_date"].iloc[0].date(),
            lines=len(group),
            lines_filled=int(group["filled"].sum()),
            ordered=float(group["ordered_quantity"].sum()),
            shipped=float(group["shipped"].sum()),
        )
        for _, group in per_day
    ]
    fill = fill_of(days)
    assert fill.unit_fill_rate is not None
    assert fill.line_fill_rate is not None
    return fill.unit_fill_rate, fill.line_fill_rate


def test_the_fill_rate_of_the_last_four_weeks_is_a_distributors(
    network: dict[str, pd.DataFrame],
) -> None:
    units, lines = _fill(network, weeks=4)
    without_history = generate_demo_network(_small(weeks=0))
    small_units, _ = _fill(generate_demo_network(_small()), weeks=4)

    assert 0.9 <= units <= 0.99
    assert 0.9 <= lines <= 0.99
    assert 0.9 <= small_units <= 0.99
    assert _fill(without_history, weeks=4)[0] < 0.5  # the open book alone: mostly unshipped


def test_the_default_open_book_is_the_one_generated_before_the_history(
    network: dict[str, pd.DataFrame],
) -> None:
    for name, (rows, digest) in OPEN_BOOK.items():
        frame = network[name].iloc[:rows]

        assert _digest(frame) == digest, name
    assert network["sales_orders"]["order_number"].iloc[20] == "SO-0000021"


def test_the_history_changes_nothing_but_adds_orders_numbered_after_the_open_book() -> None:
    with_history = generate_demo_network(_small())
    without = generate_demo_network(_small(weeks=0))

    for name, frame in without.items():
        if name.startswith("sales_order"):
            added = with_history[name].iloc[len(frame) :]
            pd.testing.assert_frame_equal(with_history[name].iloc[: len(frame)], frame, obj=name)
            assert len(added) > len(frame), name
        else:
            pd.testing.assert_frame_equal(with_history[name], frame, obj=name)
    numbers = with_history["sales_orders"]["order_number"]
    assert numbers.tolist() == [f"SO-{n:07d}" for n in range(1, len(numbers) + 1)]


def test_shipped_orders_are_closed_and_never_read_as_open_demand(
    network: dict[str, pd.DataFrame],
) -> None:
    orders, lines = _history(network)
    last_day = pd.Timestamp(END_DATE)
    lead = (orders["requested_date"] - orders["order_date"]).dt.days

    assert set(orders["status"]) == {"shipped"}
    assert not set(orders["status"]) & set(ALLOCATING_STATUSES)
    assert orders["hold_reason"].isna().all()
    assert lead.between(0, 3).all()
    assert lead.nunique() == 4
    assert orders["requested_date"].min() == last_day - pd.Timedelta(days=55)
    assert orders["requested_date"].max() == last_day
    assert (lines["backordered_quantity"] == 0).all()
    assert (lines["shipped_quantity"] >= 1).all()
    assert (lines["shipped_quantity"] <= lines["ordered_quantity"]).all()


def test_a_few_lines_ship_short_and_gold_customers_least_often(
    network: dict[str, pd.DataFrame],
) -> None:
    _, lines = _history(network)
    tier = lines["customer_code"].map(
        network["customers"].set_index("customer_code")["service_tier"]
    )
    short = lines["shipped_quantity"] < lines["ordered_quantity"]
    by_tier = short.groupby(tier).mean()

    assert 0.02 <= short.mean() <= 0.06
    assert by_tier["gold"] < by_tier["silver"] < by_tier["bronze"]


def test_each_line_is_a_days_demand_at_the_warehouse_largest_first_within_the_cap(
    network: dict[str, pd.DataFrame], demand: pd.DataFrame
) -> None:
    _, lines = _history(network)
    keys = ["sku", "location_code", "requested_date"]
    sold = demand.rename(columns={"demand_date": "requested_date", "unit_price": "sold_at"})
    matched = lines.merge(sold[[*keys, "quantity", "sold_at"]], on=keys, how="left")
    recent = sold[sold["requested_date"] >= lines["requested_date"].min()]
    per_day = recent.groupby(["location_code", "requested_date"])["quantity"]
    taken = lines.groupby(["location_code", "requested_date"])
    cap = line_cap(len(network["items"]))
    smallest_taken = taken["ordered_quantity"].min()
    largest_left = (
        recent.merge(lines[keys], on=keys, how="left", indicator=True)
        .query("_merge == 'left_only'")
        .groupby(["location_code", "requested_date"])["quantity"]
        .max()
    )

    assert len(matched) == len(lines)
    assert (matched["quantity"] == matched["ordered_quantity"]).all()
    assert np.allclose(matched["sold_at"], matched["unit_price"])
    assert (taken.size() == np.minimum(per_day.size(), cap)).all()
    assert (taken["order_number"].nunique() <= -(-cap // LINES_PER_ORDER)).all()
    assert (largest_left <= smallest_taken.reindex(largest_left.index)).all()


def test_customers_order_from_the_warehouse_that_serves_their_region(
    network: dict[str, pd.DataFrame],
) -> None:
    orders, _ = _history(network)
    locations = network["locations"].set_index("location_code")
    region = orders["customer_code"].map(network["customers"].set_index("customer_code")["region"])

    assert (region.to_numpy() == locations.loc[orders["location_code"], "region"].to_numpy()).all()
    assert orders.groupby("location_code")["customer_code"].nunique().min() >= 5


@pytest.mark.parametrize("weeks", [1, 20])
def test_the_history_spans_the_weeks_asked_for_or_the_whole_history(weeks: int) -> None:
    def options(history_weeks: int) -> DemoOptions:
        return DemoOptions(
            skus=40, warehouses=3, days=60, end_date=END_DATE, shipped_history_weeks=history_weeks
        )

    open_book = generate_demo_network(options(0))["sales_orders"]
    orders = generate_demo_network(options(weeks))["sales_orders"]
    history = orders.iloc[len(open_book) :]

    last_day = pd.Timestamp(END_DATE)
    first_day = last_day - pd.Timedelta(days=60 - 1)
    first = max(first_day, last_day - pd.Timedelta(days=7 * weeks - 1))
    assert history["requested_date"].min() == first
    assert history["order_date"].min() >= max(first_day, first - pd.Timedelta(days=3))
    assert history["requested_date"].max() == last_day
