"""examples/stallion/convert.py: the Stallion beverage agencies to the canonical format."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest

from crossdock.domain.canonical import entity

ENTITY_FILES = ("items", "locations", "suppliers", "lanes", "supply_terms", "demand_history")


def monthly_row(
    agency: str, sku: str, month: str, volume: float, **overrides: float
) -> dict[str, Any]:
    """One row of stallion_monthly.parquet, with the columns the converter reads."""
    row: dict[str, Any] = {
        "agency": agency,
        "sku": sku,
        "date": pd.Timestamp(month),
        "volume": volume,
        "price_regular": 1000.0,
        "price_actual": 900.0,
        "discount_in_percent": 10.0,
        "avg_population_2017": 50_000,
    }
    row.update(overrides)
    return row


def write_source(data_dir: Path, rows: list[dict[str, Any]]) -> Path:
    """Write the rows as the real file stores them: categorical codes, ms timestamps."""
    folder = data_dir / "stallion"
    folder.mkdir(parents=True)
    frame = pd.DataFrame(rows).astype({"agency": "category", "sku": "category"})
    frame["date"] = frame["date"].astype("datetime64[ms]")
    frame.to_parquet(folder / "stallion_monthly.parquet", index=False)
    return data_dir


def read_output(out_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out_dir / f"{name}.csv", dtype=str, keep_default_na=False)


def test_zero_months_are_left_out_but_negative_and_missing_volumes_are_written(
    stallion: ModuleType, tmp_path: Path
) -> None:
    rows = [
        monthly_row("Agency_01", "SKU_01", "2013-01-01", 0.0),
        monthly_row("Agency_01", "SKU_01", "2013-02-01", 80.676),
        monthly_row("Agency_01", "SKU_01", "2013-03-01", -2.5),
        monthly_row("Agency_01", "SKU_01", "2013-04-01", float("nan")),
    ]

    counts = stallion.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    demand = read_output(tmp_path / "out", "demand_history")
    assert counts["demand_history"] == 3
    assert demand[["demand_date", "quantity"]].to_dict("records") == [
        {"demand_date": "2013-02-01", "quantity": "80.676"},
        {"demand_date": "2013-03-01", "quantity": "-2.5"},
        {"demand_date": "2013-04-01", "quantity": ""},
    ]


def test_demand_is_in_hectolitres_at_the_actual_price_on_the_first_of_the_month(
    stallion: ModuleType, tmp_path: Path
) -> None:
    rows = [monthly_row("Agency_07", "SKU_03", "2015-06-01", 12.5, price_actual=1234.56789)]

    stallion.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    assert read_output(tmp_path / "out", "demand_history").to_dict("records") == [
        {
            "sku": "SKU_03",
            "location_code": "AGENCY-07",
            "demand_date": "2015-06-01",
            "quantity": "12.5",
            "unit_price": "1234.5679",
            "on_promotion": "false",
            "uom": "HL",
        }
    ]


def test_a_price_15_percent_or_more_below_regular_marks_the_month_as_promoted(
    stallion: ModuleType, tmp_path: Path
) -> None:
    rows = [
        monthly_row("Agency_01", "SKU_01", "2013-01-01", 1.0, discount_in_percent=14.99),
        monthly_row("Agency_01", "SKU_01", "2013-02-01", 1.0, discount_in_percent=15.0),
        monthly_row(
            "Agency_01", "SKU_01", "2013-03-01", 1.0, price_actual=0.0, discount_in_percent=100.0
        ),
        # sold above the regular price: the file still says a 20% "discount"
        monthly_row(
            "Agency_01", "SKU_01", "2013-04-01", 1.0, price_actual=1200.0, discount_in_percent=20.0
        ),
    ]

    stallion.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    demand = read_output(tmp_path / "out", "demand_history")
    assert demand[["unit_price", "on_promotion"]].to_dict("records") == [
        {"unit_price": "900.0", "on_promotion": "false"},
        {"unit_price": "900.0", "on_promotion": "true"},
        {"unit_price": "0.0", "on_promotion": "true"},
        {"unit_price": "1200.0", "on_promotion": "false"},
    ]


def test_months_without_any_recorded_price_get_no_price_and_no_promotion_flag(
    stallion: ModuleType, tmp_path: Path
) -> None:
    rows = [
        monthly_row(
            "Agency_01",
            "SKU_01",
            "2013-01-01",
            3.1,
            price_regular=0.0,
            price_actual=0.0,
            discount_in_percent=0.0,
        ),
        monthly_row("Agency_01", "SKU_01", "2013-02-01", 2.0),
    ]

    stallion.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    demand = read_output(tmp_path / "out", "demand_history")
    assert demand[["quantity", "unit_price", "on_promotion"]].to_dict("records") == [
        {"quantity": "3.1", "unit_price": "", "on_promotion": ""},
        {"quantity": "2.0", "unit_price": "900.0", "on_promotion": "false"},
    ]


def test_a_negative_actual_price_is_passed_on_for_the_importer_to_quarantine(
    stallion: ModuleType, tmp_path: Path
) -> None:
    rows = [monthly_row("Agency_46", "SKU_17", "2017-06-01", 0.0852, price_actual=-3121.690141)]

    stallion.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    demand = read_output(tmp_path / "out", "demand_history")
    assert demand[["quantity", "unit_price"]].to_dict("records") == [
        {"quantity": "0.0852", "unit_price": "-3121.6901"}
    ]


def test_items_cost_three_quarters_of_their_median_regular_price(
    stallion: ModuleType, tmp_path: Path
) -> None:
    rows = [
        monthly_row("Agency_01", "SKU_01", "2013-01-01", 1.0, price_regular=1000.0),
        monthly_row("Agency_01", "SKU_01", "2013-02-01", 1.0, price_regular=1200.0),
        monthly_row("Agency_01", "SKU_01", "2013-03-01", 0.0, price_regular=1600.0),
        monthly_row("Agency_01", "SKU_01", "2013-04-01", 0.0, price_regular=0.0),
    ]

    stallion.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    items = read_output(tmp_path / "out", "items")
    assert items[["sku", "uom", "unit_cost", "unit_price"]].to_dict("records") == [
        {"sku": "SKU_01", "uom": "HL", "unit_cost": "900.0", "unit_price": "1200.0"}
    ]
    terms = read_output(tmp_path / "out", "supply_terms")
    assert terms.to_dict("records") == [
        {
            "supplier_code": "STALLION-BREWERIES",
            "sku": "SKU_01",
            "lead_time_days": "7",
            "unit_price": "900.0",
            "is_primary": "true",
        }
    ]


def test_agencies_of_a_million_people_or_more_hang_off_the_metro_dc(
    stallion: ModuleType, tmp_path: Path
) -> None:
    rows = [
        monthly_row("Agency_01", "SKU_01", "2013-01-01", 1.0, avg_population_2017=999_999),
        monthly_row("Agency_02", "SKU_01", "2013-01-01", 1.0, avg_population_2017=1_000_000),
    ]

    stallion.convert(write_source(tmp_path / "data", rows), tmp_path / "out")

    locations = read_output(tmp_path / "out", "locations")
    assert locations[["location_code", "location_type", "parent_location_code"]].to_dict(
        "records"
    ) == [
        {"location_code": "DC-METRO", "location_type": "dc", "parent_location_code": ""},
        {"location_code": "DC-REGIONAL", "location_type": "dc", "parent_location_code": ""},
        {
            "location_code": "AGENCY-01",
            "location_type": "branch",
            "parent_location_code": "DC-REGIONAL",
        },
        {
            "location_code": "AGENCY-02",
            "location_type": "branch",
            "parent_location_code": "DC-METRO",
        },
    ]
    lanes = read_output(tmp_path / "out", "lanes")
    columns = ["from_location_code", "to_location_code", "transit_days"]
    assert [tuple(lane) for lane in lanes[columns].to_numpy()] == [
        ("DC-METRO", "DC-REGIONAL", "2"),
        ("DC-REGIONAL", "DC-METRO", "2"),
        ("DC-REGIONAL", "AGENCY-01", "2"),
        ("DC-METRO", "AGENCY-01", "4"),
        ("DC-METRO", "AGENCY-02", "2"),
        ("DC-REGIONAL", "AGENCY-02", "4"),
    ]


def test_a_file_without_the_volume_column_stops_the_conversion(
    stallion: ModuleType, tmp_path: Path
) -> None:
    folder = tmp_path / "data" / "stallion"
    folder.mkdir(parents=True)
    pd.DataFrame({"agency": ["Agency_01"], "sku": ["SKU_01"]}).to_parquet(
        folder / "stallion_monthly.parquet"
    )

    with pytest.raises(ValueError, match="lacks columns"):
        stallion.convert(tmp_path / "data", tmp_path / "out")

    assert not (tmp_path / "out").exists()


@pytest.mark.realdata
def test_first_2000_real_rows_keep_every_non_zero_month_with_spec_headers(
    stallion: ModuleType, shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "stallion" / "stallion_monthly.parquet"
    head = pd.read_parquet(source).head(2000)
    slice_dir = tmp_path / "data" / "stallion"
    slice_dir.mkdir(parents=True)
    head.to_parquet(slice_dir / "stallion_monthly.parquet", index=False)

    counts = stallion.convert(tmp_path / "data", tmp_path / "out")

    agencies = head["agency"].astype(str).nunique()
    assert counts == {
        "items": head["sku"].astype(str).nunique(),
        "locations": 2 + agencies,
        "suppliers": 1,
        "lanes": 2 + 2 * agencies,
        "supply_terms": head["sku"].astype(str).nunique(),
        "demand_history": int((head["volume"] != 0).sum()),
    }
    for name in ENTITY_FILES:
        written = read_output(tmp_path / "out", name)
        assert len(written) == counts[name]
        assert set(written.columns) <= set(entity(name).field_names)
        assert set(entity(name).required_fields) <= set(written.columns)
