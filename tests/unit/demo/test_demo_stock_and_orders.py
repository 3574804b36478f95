"""Stock is out of balance between branches; the order book has holds and backorders."""

from __future__ import annotations

import datetime

import pandas as pd

from crossdock.demo import DemoOptions, generate_demo_network


def test_a_slow_branch_sits_on_weeks_of_supply_while_another_runs_short(
    network: dict[str, pd.DataFrame], weeks_of_supply: pd.DataFrame
) -> None:
    kinds = network["locations"].set_index("location_code")["location_type"]
    branches = weeks_of_supply[weeks_of_supply["location_code"].map(kinds) == "branch"]
    per_branch = branches.groupby("location_code")["weeks"]
    short_share = per_branch.apply(lambda weeks: (weeks < 1).mean())

    assert per_branch.mean().max() >= 8.0
    assert short_share.max() >= 0.25
    assert (branches["on_hand"] == 0).sum() >= 100


def test_the_overstocked_branch_is_a_slow_one(
    demand: pd.DataFrame, weeks_of_supply: pd.DataFrame
) -> None:
    mean_weeks = weeks_of_supply.groupby("location_code")["weeks"].mean()
    total_demand = demand.groupby("location_code")["quantity"].sum()
    branches = [code for code in total_demand.index if code.startswith("BR")]

    assert total_demand[mean_weeks[branches].idxmax()] < total_demand[branches].median()


def test_stock_positions_are_consistent_with_themselves(network: dict[str, pd.DataFrame]) -> None:
    stock = network["inventory_positions"]

    assert (stock["allocated"] <= stock["on_hand"] - stock["on_hold"]).all()
    assert (stock["on_hold"] <= stock["on_hand"]).all()
    assert (stock["allocated"] > 0).sum() >= 500
    assert (stock["on_order"] > 0).sum() >= 100
    assert (stock["in_transit"] > 0).sum() >= 100
    assert stock["snapshot_at"].unique().tolist() == [pd.Timestamp("2025-06-30 18:00", tz="UTC")]


def test_orders_on_hold_carry_site_hold_codes_and_others_carry_none(
    network: dict[str, pd.DataFrame],
) -> None:
    orders = network["sales_orders"]
    held = orders["status"] == "on_hold"

    assert held.sum() >= 50
    assert orders.loc[held, "hold_reason"].notna().all()
    assert orders.loc[~held, "hold_reason"].isna().all()
    assert set(orders.loc[held, "hold_reason"]) == {"CRHOLD", "CR", "PRC", "ADDR", "CUSTREQ"}


def test_backordered_orders_wait_for_stock_that_ran_short(
    network: dict[str, pd.DataFrame], weeks_of_supply: pd.DataFrame
) -> None:
    orders = network["sales_orders"]
    lines = network["sales_order_lines"].merge(orders, on="order_number")
    waiting = lines[lines["status"] == "backordered"]
    stock = weeks_of_supply.set_index(["sku", "location_code"])["weeks"]
    weeks = stock.reindex(pd.MultiIndex.from_frame(waiting[["sku", "location_code"]]))

    assert len(waiting) >= 100
    assert (waiting["backordered_quantity"] == waiting["ordered_quantity"]).all()
    assert (weeks < 1).mean() >= 0.9


def test_every_status_and_tier_appears(network: dict[str, pd.DataFrame]) -> None:
    assert set(network["sales_orders"]["status"]) == {
        "open", "released", "on_hold", "backordered", "partially_shipped", "shipped", "cancelled",
    }  # fmt: skip
    assert set(network["customers"]["service_tier"]) == {"gold", "silver", "bronze"}
    assert set(network["transfer_orders"]["status"]) >= {"received", "in_transit", "planned"}


def test_the_same_reason_is_written_differently_at_different_sites(
    network: dict[str, pd.DataFrame],
) -> None:
    mappings = network["reason_code_mappings"]
    short_pick = mappings[mappings["reason_code"] == "short_pick"]
    events = network["events"]
    short_picks = events[events["reason_code"].isin(short_pick["site_code"])]

    assert set(short_pick["site_code"]) == {"SHORT", "SP", "PS"}
    assert short_picks["reason_code"].nunique() >= 2


def test_transfers_in_transit_are_shipped_and_expected_but_not_received(
    network: dict[str, pd.DataFrame],
) -> None:
    transfers = network["transfer_orders"]
    moving = transfers[transfers["status"] == "in_transit"]

    assert len(moving) >= 4
    assert moving["shipped_date"].notna().all()
    assert moving["received_date"].isna().all()
    assert (moving["expected_date"] >= moving["shipped_date"]).all()


def test_more_than_eight_branches_get_regional_dcs_fed_by_the_national_dc() -> None:
    options = DemoOptions(skus=10, warehouses=20, days=28, end_date=datetime.date(2025, 6, 30))

    locations = generate_demo_network(options)["locations"]

    dcs = locations[locations["location_type"] == "dc"]
    assert dcs["location_code"].tolist() == ["DC01", "DC02", "DC03"]
    assert dcs["parent_location_code"].tolist() == [None, "DC01", "DC01"]
    per_dc = locations["parent_location_code"][locations["location_type"] == "branch"]
    assert per_dc.value_counts().sort_index().tolist() == [6, 6, 5]
