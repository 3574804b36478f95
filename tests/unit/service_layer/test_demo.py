"""load_demo_network against an in-memory store."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from crossdock.demo import DemoOptions
from crossdock.service_layer.demo import load_demo_network
from tests.unit.service_layer.fakes import FakeStore

END = date(2026, 11, 20)


def morning_of_the_last_day() -> datetime:
    return datetime(2026, 11, 20, 7, tzinfo=UTC)


def test_a_network_ending_today_lands_whole_even_with_counts_later_today():
    # "Future" is judged by calendar date, so an 18:00 count seen at 07:00 still lands.
    store = FakeStore()
    options = DemoOptions(skus=8, warehouses=3, days=40, seed=3, end_date=END)
    outcome = load_demo_network(options, store=store, clock=morning_of_the_last_day)
    totals = outcome.to_dict()["totals"]
    assert totals["rows_quarantined"] == 0
    assert len(store.tables["inventory_positions"]) == 24
    snapshots = pd.to_datetime(store.tables["inventory_positions"]["snapshot_at"], utc=True)
    assert snapshots.max() > morning_of_the_last_day()


def test_replace_leaves_only_the_new_network():
    store = FakeStore()
    load_demo_network(DemoOptions(skus=10, warehouses=2, days=30, end_date=END), store=store)
    load_demo_network(
        DemoOptions(skus=4, warehouses=2, days=30, end_date=END), store=store, replace=True
    )
    assert len(store.tables["items"]) == 4


def test_without_replace_a_smaller_network_upserts_over_the_larger_one():
    store = FakeStore()
    load_demo_network(DemoOptions(skus=10, warehouses=2, days=30, end_date=END), store=store)
    load_demo_network(DemoOptions(skus=4, warehouses=2, days=30, end_date=END), store=store)
    assert len(store.tables["items"]) == 10
