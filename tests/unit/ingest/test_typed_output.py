"""Accepted rows come out typed in the canonical dtypes, whatever dtypes came in."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from crossdock.domain.canonical import ENTITIES
from tests.unit.ingest.support import demand, found, validate


def test_accepted_columns_are_the_fields_in_spec_order_plus_site_codes():
    for spec in ENTITIES:
        result = validate(spec.name, [])
        site_codes = [f"{f.name}_site_code" for f in spec.fields if f.reason_code]
        assert list(result.accepted.columns) == [*spec.field_names, *site_codes], spec.name


def test_text_from_csv_becomes_canonical_dtypes():
    rows = [demand(quantity=" 2.5 ", unit_price="3", on_promotion="Yes", uom=" EA ")]
    accepted = validate("demand_history", rows).accepted
    assert accepted.dtypes.astype(str).to_dict() == {
        "sku": "object",
        "location_code": "object",
        "demand_date": "datetime64[us]",
        "quantity": "float64",
        "unit_price": "float64",
        "on_promotion": "boolean",
        "uom": "object",
    }
    row = accepted.iloc[0]
    assert (row["quantity"], row["unit_price"], row["on_promotion"], row["uom"]) == (
        2.5,
        3.0,
        True,
        "EA",
    )
    assert row["demand_date"] == pd.Timestamp("2026-11-10")


def test_integers_are_nullable_int64():
    rows = [{"sku": "A1", "uom": "EA", "unit_cost": "1", "pack_size": "12", "order_multiple": ""}]
    accepted = validate("items", rows).accepted
    assert str(accepted["pack_size"].dtype) == "Int64"
    assert accepted["pack_size"].tolist() == [12]
    assert accepted["order_multiple"].isna().tolist() == [True]


def test_timestamps_become_utc_and_naive_ones_are_read_as_utc():
    event = {"event_type": "stockout"}
    rows = [
        {**event, "event_id": "E1", "occurred_at": "2026-11-20T10:00:00+02:00"},
        {**event, "event_id": "E2", "occurred_at": "2026-11-20 10:00"},
        {**event, "event_id": "E3", "occurred_at": "2026-11-20"},
        {**event, "event_id": "E4", "occurred_at": "2026-11-20T10:00:00.5Z"},
        {**event, "event_id": "E5", "occurred_at": "2026-11-20 10:00:00-0500"},
    ]
    accepted = validate("events", rows).accepted
    assert str(accepted["occurred_at"].dtype) == "datetime64[us, UTC]"
    assert accepted["occurred_at"].tolist() == [
        pd.Timestamp("2026-11-20T08:00:00Z"),
        pd.Timestamp("2026-11-20T10:00:00Z"),
        pd.Timestamp("2026-11-20T00:00:00Z"),
        pd.Timestamp("2026-11-20T10:00:00.5Z"),
        pd.Timestamp("2026-11-20T15:00:00Z"),
    ]


def test_boolean_words_in_any_case():
    words = ["true", "FALSE", "1", "0", "yes", "No", "y", "N"]
    rows = [demand(day=f"2026-11-{day:02d}", on_promotion=w) for day, w in enumerate(words, 1)]
    accepted = validate("demand_history", rows).accepted
    assert accepted["on_promotion"].tolist() == [True, False, True, False, True, False, True, False]


def test_native_dtypes_from_parquet_or_the_demo_are_accepted_as_they_are():
    raw = pd.DataFrame(
        {
            "sku": ["A1", "A1", "A1"],
            "location_code": ["BR1", "BR1", "BR1"],
            "demand_date": pd.to_datetime(
                ["2026-11-01 13:45", "2026-11-02 00:00", "2026-11-03 08:00"]
            ),
            "quantity": [4, 0, 7],
            "unit_price": [1.5, np.nan, 2.0],
            "on_promotion": [True, False, True],
        }
    )
    result = validate("demand_history", raw)
    assert found(result) == []
    accepted = result.accepted
    assert accepted["demand_date"].tolist() == list(
        pd.to_datetime(["2026-11-01", "2026-11-02", "2026-11-03"])
    )
    assert accepted["quantity"].tolist() == [4.0, 0.0, 7.0]
    assert accepted["unit_price"].isna().tolist() == [False, True, False]
    assert accepted["on_promotion"].tolist() == [True, False, True]


def test_python_dates_and_numbers_in_object_columns_are_read():
    raw = pd.DataFrame(
        {
            "sku": pd.Series(["A1", "A1"], dtype=object),
            "location_code": pd.Series(["BR1", "BR1"], dtype=object),
            "demand_date": pd.Series(
                [dt.date(2026, 11, 1), dt.datetime(2026, 11, 2, tzinfo=dt.UTC)], dtype=object
            ),
            "quantity": pd.Series([3, 2.5], dtype=object),
        }
    )
    result = validate("demand_history", raw)
    assert found(result) == []
    assert result.accepted["quantity"].tolist() == [3.0, 2.5]


def test_negative_native_numbers_are_still_checked():
    raw = pd.DataFrame(
        {"sku": ["A1"], "location_code": ["BR1"], "demand_date": ["2026-11-01"], "quantity": [-2.0]}
    )
    result = validate("demand_history", raw)
    assert found(result) == [(1, "quantity", "-2.0", "negative_quantity")]


def test_frame_without_row_numbers_is_numbered_from_one():
    raw = pd.DataFrame({"sku": ["A1", ""], "uom": ["EA", "EA"], "unit_cost": ["1", "1"]})
    result = validate("items", raw)
    assert found(result) == [(2, "sku", "", "missing_required")]


def test_empty_frame_gives_empty_typed_frames():
    result = validate("demand_history", pd.DataFrame({"sku": pd.Series([], dtype="str")}))
    assert (result.rows_read, result.rows_accepted, len(result.issues)) == (0, 0, 0)
    assert str(result.accepted["demand_date"].dtype) == "datetime64[us]"
    assert list(result.issues.columns) == [
        "source",
        "row_number",
        "field",
        "value",
        "reason",
        "check",
        "severity",
        "key",
        "raw",
    ]
