"""examples/dominicks/convert.py: Dominick's orange juice to the canonical format."""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from crossdock.domain.canonical import entity
from tests.helpers import promotion_days

ENTITY_FILES = (
    "items",
    "locations",
    "suppliers",
    "lanes",
    "supply_terms",
    "demand_history",
    "promotions",
)


def weekly_row(
    store: int, brand: int, week: int, ounces_sold: float, **overrides: float
) -> dict[str, Any]:
    """One row of orange_juice_weekly.csv; every brand priced at 1 cent an ounce."""
    row: dict[str, Any] = {
        "store": store,
        "brand": brand,
        "week": week,
        "logmove": math.log(ounces_sold),
    }
    row["constant"] = 1
    row.update({f"price{b}": 0.01 for b in range(1, 12)})
    row.update({"deal": 0, "feat": 0.0, "profit": 25.0})
    row.update(overrides)
    return row


def write_source(data_dir: Path, rows: list[dict[str, Any]]) -> Path:
    folder = data_dir / "dominicks"
    folder.mkdir(parents=True)
    pd.DataFrame(rows).to_csv(folder / "orange_juice_weekly.csv", index=False)
    return data_dir


def read_output(out_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out_dir / f"{name}.csv", dtype=str, keep_default_na=False)


def test_week_numbers_map_to_the_thursday_each_week_starts(dominicks: ModuleType) -> None:
    starts = dominicks.week_start(pd.Series([1, 40, 160]))

    assert starts.dt.strftime("%Y-%m-%d %a").tolist() == [
        "1989-09-14 Thu",
        "1990-06-14 Thu",
        "1992-10-01 Thu",
    ]


def test_ounces_sold_become_cartons_of_each_brands_own_size(
    dominicks: ModuleType, tmp_path: Path
) -> None:
    rows = [
        weekly_row(5, 1, 40, 64 * 123, price1=0.0467),
        weekly_row(5, 2, 40, 96 * 62, price2=0.0495),
        weekly_row(5, 11, 40, 128 * 53, price11=0.0275),
    ]

    dominicks.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    demand = read_output(tmp_path / "out", "demand_history")
    assert demand.to_dict("records") == [
        {
            "sku": "OJ-01",
            "location_code": "STORE-005",
            "demand_date": "1990-06-14",
            "quantity": "123",
            "unit_price": "2.9888",
            "on_promotion": "false",
            "uom": "EA",
        },
        {
            "sku": "OJ-02",
            "location_code": "STORE-005",
            "demand_date": "1990-06-14",
            "quantity": "62",
            "unit_price": "4.752",
            "on_promotion": "false",
            "uom": "EA",
        },
        {
            "sku": "OJ-11",
            "location_code": "STORE-005",
            "demand_date": "1990-06-14",
            "quantity": "53",
            "unit_price": "3.52",
            "on_promotion": "false",
            "uom": "EA",
        },
    ]


def test_a_deal_or_any_share_of_feature_advertising_marks_a_promotion(
    dominicks: ModuleType, tmp_path: Path
) -> None:
    rows = [
        weekly_row(5, 1, 40, 640, deal=0, feat=0.0),
        weekly_row(5, 1, 41, 640, deal=1, feat=0.0),
        weekly_row(5, 1, 42, 640, deal=0, feat=0.04),
        weekly_row(5, 1, 43, 640, deal=1, feat=1.0),
    ]

    dominicks.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    demand = read_output(tmp_path / "out", "demand_history")
    assert demand["on_promotion"].tolist() == ["false", "true", "true", "true"]


def test_deal_and_feature_weeks_become_promotions_one_per_run_at_one_price(
    dominicks: ModuleType, tmp_path: Path
) -> None:
    rows = [
        weekly_row(5, 1, 40, 640),
        weekly_row(5, 1, 41, 640, deal=1, price1=0.04),
        weekly_row(5, 1, 42, 640, deal=1, price1=0.04, feat=0.5),
        weekly_row(5, 1, 43, 640, deal=1, price1=0.035),  # a new price: a new promotion
        weekly_row(5, 1, 45, 640, deal=1, price1=0.035),  # week 44 missing: a new one too
        weekly_row(8, 1, 41, 640, deal=1, price1=0.04),
    ]

    dominicks.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    promotions = read_output(tmp_path / "out", "promotions")
    assert promotions.to_dict("records") == [
        {
            "promotion_code": "DEAL-W041",
            "sku": "OJ-01",
            "location_code": "STORE-005",
            "start_date": "1990-06-21",
            "end_date": "1990-07-04",
            "promo_price": "2.56",
            "kind": "deal",
        },
        {
            "promotion_code": "DEAL-W041",
            "sku": "OJ-01",
            "location_code": "STORE-008",
            "start_date": "1990-06-21",
            "end_date": "1990-06-27",
            "promo_price": "2.56",
            "kind": "deal",
        },
        {
            "promotion_code": "FEAT-W042",
            "sku": "OJ-01",
            "location_code": "STORE-005",
            "start_date": "1990-06-28",
            "end_date": "1990-07-04",
            "promo_price": "2.56",
            "kind": "feature",
        },
        {
            "promotion_code": "DEAL-W043",
            "sku": "OJ-01",
            "location_code": "STORE-005",
            "start_date": "1990-07-05",
            "end_date": "1990-07-11",
            "promo_price": "2.24",
            "kind": "deal",
        },
        {
            "promotion_code": "DEAL-W045",
            "sku": "OJ-01",
            "location_code": "STORE-005",
            "start_date": "1990-07-19",
            "end_date": "1990-07-25",
            "promo_price": "2.24",
            "kind": "deal",
        },
    ]


def test_item_cost_is_the_median_shelf_price_less_the_recorded_margin(
    dominicks: ModuleType, tmp_path: Path
) -> None:
    rows = [
        weekly_row(5, 1, 40, 640, price1=0.05, profit=20.0),
        weekly_row(5, 1, 41, 640, price1=0.05, profit=30.0),
        weekly_row(5, 1, 42, 640, price1=0.05, profit=40.0),
        weekly_row(5, 1, 43, 640, price1=0.04, profit=0.0),  # no margin recorded: ignored
    ]

    dominicks.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    items = read_output(tmp_path / "out", "items")
    assert items[["sku", "uom", "pack_size", "unit_cost", "unit_price"]].to_dict("records") == [
        {"sku": "OJ-01", "uom": "EA", "pack_size": "8", "unit_cost": "2.24", "unit_price": "3.2"}
    ]
    terms = read_output(tmp_path / "out", "supply_terms")
    assert terms.to_dict("records") == [
        {
            "supplier_code": "SUP-TROPICANA",
            "sku": "OJ-01",
            "lead_time_days": "7",
            "moq": "8",
            "order_multiple": "8",
            "unit_price": "2.24",
            "is_primary": "true",
        }
    ]


@pytest.mark.parametrize(
    ("store", "dc"),
    [(5, "DC-A"), (69, "DC-A"), (70, "DC-B"), (104, "DC-B"), (105, "DC-C"), (137, "DC-C")],
)
def test_stores_are_served_by_the_dc_of_their_store_number_range(
    dominicks: ModuleType, store: int, dc: str
) -> None:
    assert dominicks.dc_for(store)[0] == dc


def test_each_store_gets_one_lane_from_its_dc_and_dcs_are_linked_both_ways(
    dominicks: ModuleType, tmp_path: Path
) -> None:
    rows = [weekly_row(store, 1, 40, 640) for store in (5, 70, 71, 105)]

    dominicks.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    locations = read_output(tmp_path / "out", "locations")
    assert locations[["location_code", "location_type", "parent_location_code"]].to_dict(
        "records"
    ) == [
        {"location_code": "DC-A", "location_type": "dc", "parent_location_code": ""},
        {"location_code": "DC-B", "location_type": "dc", "parent_location_code": ""},
        {"location_code": "DC-C", "location_type": "dc", "parent_location_code": ""},
        {"location_code": "STORE-005", "location_type": "branch", "parent_location_code": "DC-A"},
        {"location_code": "STORE-070", "location_type": "branch", "parent_location_code": "DC-B"},
        {"location_code": "STORE-071", "location_type": "branch", "parent_location_code": "DC-B"},
        {"location_code": "STORE-105", "location_type": "branch", "parent_location_code": "DC-C"},
    ]
    lanes = read_output(tmp_path / "out", "lanes")
    assert list(zip(lanes["from_location_code"], lanes["to_location_code"], strict=True)) == [
        ("DC-A", "DC-B"),
        ("DC-A", "DC-C"),
        ("DC-B", "DC-A"),
        ("DC-B", "DC-C"),
        ("DC-C", "DC-A"),
        ("DC-C", "DC-B"),
        ("DC-A", "STORE-005"),
        ("DC-B", "STORE-070"),
        ("DC-B", "STORE-071"),
        ("DC-C", "STORE-105"),
    ]


def test_a_brand_outside_bayesms_list_stops_the_conversion(
    dominicks: ModuleType, tmp_path: Path
) -> None:
    data_dir = write_source(tmp_path / "data", [weekly_row(5, 12, 40, 640)])

    with pytest.raises(ValueError, match=r"brands \[12\]"):
        dominicks.convert(data_dir, tmp_path / "out")

    assert not (tmp_path / "out").exists()


@pytest.mark.realdata
def test_first_2000_real_rows_become_2000_demand_rows_with_spec_headers(
    dominicks: ModuleType, shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "dominicks" / "orange_juice_weekly.csv"
    slice_dir = tmp_path / "data" / "dominicks"
    slice_dir.mkdir(parents=True)
    head = pd.read_csv(source, nrows=2000)
    head.to_csv(slice_dir / "orange_juice_weekly.csv", index=False)

    counts = dominicks.convert(tmp_path / "data", tmp_path / "out")

    stores = head["store"].nunique()
    dcs = len({dominicks.dc_for(store) for store in head["store"].unique()})
    assert {name: rows for name, rows in counts.items() if name != "promotions"} == {
        "items": head["brand"].nunique(),
        "locations": dcs + stores,
        "suppliers": len({dominicks.BRANDS[brand][2] for brand in head["brand"].unique()}),
        "lanes": dcs * (dcs - 1) + stores,
        "supply_terms": head["brand"].nunique(),
        "demand_history": 2000,
    }
    assert 0 < counts["promotions"] <= ((head["deal"] == 1) | (head["feat"] > 0)).sum() * 2
    for name in ENTITY_FILES:
        written = read_output(tmp_path / "out", name)
        assert len(written) == counts[name]
        assert set(written.columns) <= set(entity(name).field_names)
        assert set(entity(name).required_fields) <= set(written.columns)


@pytest.mark.realdata
def test_real_promotions_cover_exactly_the_weeks_demand_marks_as_promoted(
    dominicks: ModuleType, shared_data: Path
) -> None:
    weekly = dominicks.read_weekly(shared_data)

    promotions = dominicks.build_promotions(weekly)
    demand = dominicks.build_demand_history(weekly)

    dates = {"start_date": "datetime64[ns]", "end_date": "datetime64[ns]"}
    covered = promotion_days(promotions.astype(dates))
    weeks = demand.astype({"demand_date": "datetime64[ns]"}).merge(
        covered, on=["sku", "location_code", "demand_date"], how="left"
    )
    assert len(weeks) == len(demand)
    assert (weeks["on_promotion"] == weeks["covered"].notna()).all()
    assert set(covered["demand_date"].dt.day_name()) == {
        "Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday",
    }  # fmt: skip
    assert not promotions.duplicated(["promotion_code", "sku", "location_code"]).any()


@pytest.mark.realdata
def test_every_real_quantity_is_a_whole_number_of_cartons(
    dominicks: ModuleType, shared_data: Path
) -> None:
    weekly = dominicks.read_weekly(shared_data)

    cartons = np.exp(weekly["logmove"]) / weekly["ounces"]

    assert float((cartons - np.rint(cartons)).abs().max()) < 1e-4
    assert int(np.rint(cartons).min()) >= 1
