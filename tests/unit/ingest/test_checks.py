"""One test per check: the bad row is quarantined with its field, value and reason,
the good rows of the same frame are accepted, and no row is silently dropped."""

from __future__ import annotations

import pandas as pd

from crossdock.ingest import Check
from tests.unit.ingest.support import (
    demand,
    found,
    nothing_dropped,
    promotion,
    reason_of,
    validate,
)

ITEM = {"sku": "A1", "uom": "EA", "unit_cost": "2.50"}


def test_missing_required_column_quarantines_every_row_of_the_file():
    result = validate("items", [{"sku": "A1", "uom": "EA"}, {"sku": "B2", "uom": "CS"}])
    assert found(result) == [
        (1, "unit_cost", "", "missing_column"),
        (2, "unit_cost", "", "missing_column"),
    ]
    assert reason_of(result, 1) == (
        "items row 1 (sku=A1): unit_cost is required but the file has no unit_cost column"
    )
    assert result.rows_accepted == 0
    assert nothing_dropped(result)


def test_missing_optional_column_is_filled_with_missing_values():
    result = validate("items", [ITEM])
    assert found(result) == []
    assert result.accepted["unit_price"].isna().tolist() == [True]
    assert result.accepted["description"].tolist() == [None]


def test_unknown_column_is_one_warning_for_the_file_and_rows_are_kept():
    result = validate("items", [{**ITEM, "colour": "red"}, {**ITEM, "sku": "B2", "colour": ""}])
    assert found(result) == [(0, "colour", "colour", "unknown_column")]
    assert result.issues["severity"].tolist() == ["warning"]
    assert result.issues["reason"].tolist() == [
        "items.csv: column 'colour' is not a field of items and is ignored"
    ]
    assert result.rows_accepted == 2
    assert nothing_dropped(result)


def test_malformed_row_reported_by_the_reader_is_quarantined():
    raw = pd.DataFrame(
        {
            "sku": ["A1", "B2"],
            "uom": ["EA", "CS"],
            "unit_cost": ["1", "2"],
            "_row": [1, 2],
            "_malformed": ["", "it has 4 fields where the header has 3: 'B2,CS,2,x'"],
        }
    )
    result = validate("items", raw)
    assert [(row, check) for row, _, _, check in found(result)] == [(2, "malformed_row")]
    assert reason_of(result, 2) == (
        "items row 2 (sku=B2): the row could not be split into fields: "
        "it has 4 fields where the header has 3: 'B2,CS,2,x'"
    )
    assert result.accepted["sku"].tolist() == ["A1"]
    assert nothing_dropped(result)


def test_missing_required_value_is_quarantined():
    result = validate("demand_history", [demand(), demand(day="2026-11-11", quantity="  ")])
    assert found(result) == [(2, "quantity", "  ", "missing_required")]
    assert reason_of(result, 2) == (
        "demand_history row 2 (sku=A1, location_code=BR1, demand_date=2026-11-11): "
        "quantity is required but empty"
    )
    assert result.accepted["quantity"].tolist() == [4.0]
    assert nothing_dropped(result)


def test_non_numeric_quantity_is_quarantined():
    rows = [demand(), demand(day="2026-11-11", quantity="4 units"), demand(day="2026-11-12")]
    result = validate("demand_history", rows)
    assert found(result) == [(2, "quantity", "4 units", "not_numeric")]
    assert reason_of(result, 2).endswith(": quantity='4 units' is not a number")
    assert result.rows_accepted == 2
    assert nothing_dropped(result)


def test_not_a_number_and_infinity_are_not_quantities():
    rows = [demand(quantity="nan"), demand(day="2026-11-11", quantity="inf")]
    result = validate("demand_history", rows)
    assert [check for *_, check in found(result)] == ["not_numeric", "not_numeric"]
    assert result.rows_accepted == 0


def test_fractional_integer_is_quarantined():
    result = validate("items", [ITEM, {**ITEM, "sku": "B2", "pack_size": "2.5"}])
    assert found(result) == [(2, "pack_size", "2.5", "not_integer")]
    assert reason_of(result, 2) == "items row 2 (sku=B2): pack_size='2.5' is not a whole number"
    assert result.rows_accepted == 1
    assert nothing_dropped(result)


def test_date_not_written_yyyy_mm_dd_is_quarantined():
    result = validate("demand_history", [demand(), demand(day="11/12/2026")])
    assert found(result) == [(2, "demand_date", "11/12/2026", "invalid_date")]
    assert reason_of(result, 2).endswith(
        ": demand_date='11/12/2026' is not a date written YYYY-MM-DD"
    )
    assert result.rows_accepted == 1
    assert nothing_dropped(result)


def test_unreadable_timestamp_is_an_invalid_date():
    position = {"sku": "A1", "location_code": "BR1", "on_hand": "3"}
    rows = [
        {**position, "snapshot_at": "2026-11-21T06:00:00Z"},
        {**position, "snapshot_at": "Friday 6am"},
    ]
    result = validate("inventory_positions", rows)
    assert found(result) == [(2, "snapshot_at", "Friday 6am", "invalid_date")]
    assert result.rows_accepted == 1


def test_word_that_is_not_yes_or_no_is_an_invalid_boolean():
    terms = {"supplier_code": "S1", "sku": "A1", "lead_time_days": "7"}
    rows = [{**terms, "is_primary": "Y"}, {**terms, "sku": "B2", "is_primary": "perhaps"}]
    result = validate("supply_terms", rows)
    assert found(result) == [(2, "is_primary", "perhaps", "invalid_boolean")]
    assert result.accepted["is_primary"].tolist() == [True]
    assert nothing_dropped(result)


def test_code_outside_the_allowed_list_is_quarantined_and_case_is_forgiven():
    rows = [{**ITEM, "criticality": "HIGH"}, {**ITEM, "sku": "B2", "criticality": "urgent"}]
    result = validate("items", rows)
    assert found(result) == [(2, "criticality", "urgent", "invalid_code")]
    assert reason_of(result, 2) == (
        "items row 2 (sku=B2): criticality='urgent' is not one of high, medium, low"
    )
    assert result.accepted["criticality"].tolist() == ["high"]
    assert nothing_dropped(result)


def test_negative_quantity_is_quarantined_and_zero_is_fine():
    rows = [demand(quantity="0"), demand(day="2026-11-11", quantity="-3")]
    result = validate("demand_history", rows)
    assert found(result) == [(2, "quantity", "-3", "negative_quantity")]
    assert reason_of(result, 2).endswith(": quantity='-3' is negative; it must be 0 or more")
    assert result.accepted["quantity"].tolist() == [0.0]
    assert nothing_dropped(result)


def test_quantity_on_an_event_may_be_negative():
    event = {"event_type": "inventory_adjusted", "occurred_at": "2026-11-20T10:00:00Z"}
    result = validate("events", [{**event, "event_id": "E1", "quantity": "-2"}])
    assert found(result) == []
    assert result.accepted["quantity"].tolist() == [-2.0]


def test_value_below_a_minimum_of_one_is_quarantined():
    line = {"order_number": "SO1", "sku": "A1", "ordered_quantity": "1"}
    rows = [{**line, "line_number": "1"}, {**line, "line_number": "0"}]
    known = {("sales_orders", "order_number"): {"SO1"}, ("items", "sku"): {"A1"}}
    result = validate("sales_order_lines", rows, known=known)
    assert found(result) == [(2, "line_number", "0", "below_minimum")]
    assert reason_of(result, 2).endswith(": line_number='0' is below the minimum of 1")
    assert result.rows_accepted == 1
    assert nothing_dropped(result)


def test_reference_to_an_unknown_record_is_quarantined():
    result = validate("demand_history", [demand(), demand(sku="ZZ9")])
    assert found(result) == [(2, "sku", "ZZ9", "unknown_reference")]
    assert reason_of(result, 2) == (
        "demand_history row 2 (sku=ZZ9, location_code=BR1, demand_date=2026-11-10): "
        "sku='ZZ9' matches no sku in items"
    )
    assert result.rows_accepted == 1
    assert nothing_dropped(result)


def test_references_are_matched_after_trimming_blanks():
    result = validate("demand_history", [demand(sku=" A1 ")])
    assert found(result) == []
    assert result.accepted["sku"].tolist() == ["A1"]


def test_parent_location_may_be_a_location_accepted_from_the_same_file():
    rows = [
        {"location_code": "NEW_DC", "location_type": "dc"},
        {"location_code": "NEW_BR", "location_type": "branch", "parent_location_code": "NEW_DC"},
        {"location_code": "LOST", "location_type": "branch", "parent_location_code": "NOWHERE"},
    ]
    result = validate("locations", rows, known={})
    assert found(result) == [(3, "parent_location_code", "NOWHERE", "unknown_reference")]
    assert result.accepted["location_code"].tolist() == ["NEW_DC", "NEW_BR"]
    assert nothing_dropped(result)


def test_a_location_whose_parent_is_quarantined_is_quarantined_too():
    rows = [
        {"location_code": "DC9", "location_type": "warehouse"},
        {"location_code": "BR9", "location_type": "branch", "parent_location_code": "DC9"},
        {"location_code": "BR8", "location_type": "branch", "parent_location_code": "BR9"},
    ]
    result = validate("locations", rows, known={})
    assert found(result) == [
        (1, "location_type", "warehouse", "invalid_code"),
        (2, "parent_location_code", "DC9", "unknown_reference"),
        (3, "parent_location_code", "BR9", "unknown_reference"),
    ]
    assert result.rows_accepted == 0
    assert nothing_dropped(result)


def test_unit_of_measure_other_than_the_items_is_quarantined():
    rows = [demand(uom="ea"), demand(day="2026-11-11", uom="CS"), demand(sku="B2", uom="")]
    result = validate("demand_history", rows)
    assert found(result) == [(2, "uom", "CS", "uom_mismatch")]
    assert reason_of(result, 2).endswith(": uom='CS' differs from item A1's stocking unit 'EA'")
    assert result.accepted["uom"].tolist() == ["ea", None]
    assert nothing_dropped(result)


def test_date_after_the_as_of_day_is_quarantined_and_the_as_of_day_itself_is_fine():
    rows = [demand(day="2026-11-21"), demand(day="2099-01-01")]
    result = validate("demand_history", rows)
    assert found(result) == [(2, "demand_date", "2099-01-01", "future_date")]
    assert reason_of(result, 2).endswith(
        ": demand_date='2099-01-01' is after the as-of date 2026-11-21"
    )
    assert result.rows_accepted == 1
    assert nothing_dropped(result)


def test_promotion_dates_may_lie_in_the_future():
    result = validate("promotions", [promotion(start="2099-01-01", end="2099-01-14")])
    assert found(result) == []
    assert result.accepted["end_date"].tolist() == [pd.Timestamp("2099-01-14")]


def test_end_date_before_start_date_is_quarantined_and_a_one_day_promotion_is_fine():
    rows = [
        promotion(sku="A1", start="2026-12-01", end="2026-12-01"),
        promotion(sku="B2", start="2026-12-14", end="2026-12-01"),
    ]
    result = validate("promotions", rows)
    assert found(result) == [(2, "end_date", "2026-12-01", "date_order")]
    assert reason_of(result, 2) == (
        "promotions row 2 (promotion_code=WINTER, sku=B2, location_code=BR1): "
        "end_date='2026-12-01' is before start_date '2026-12-14'"
    )
    assert result.accepted["sku"].tolist() == ["A1"]
    assert nothing_dropped(result)


def test_date_order_is_not_judged_when_either_date_is_unreadable():
    rows = [promotion(start="next week", end="2026-12-01"), promotion(sku="B2", end="")]
    result = validate("promotions", rows)
    assert found(result) == [
        (1, "start_date", "next week", "invalid_date"),
        (2, "end_date", "", "missing_required"),
    ]
    assert result.rows_accepted == 0
    assert nothing_dropped(result)


def test_discount_rate_outside_zero_to_one_is_quarantined_and_both_bounds_are_fine():
    rows = [
        promotion(sku="A1", discount_rate="0"),
        promotion(sku="B2", discount_rate="1"),
        promotion(sku="A1", location="BR2", discount_rate="1.2"),
        promotion(sku="B2", location="BR2", discount_rate="-0.1"),
    ]
    result = validate("promotions", rows)
    assert found(result) == [
        (3, "discount_rate", "1.2", "above_maximum"),
        (4, "discount_rate", "-0.1", "negative_quantity"),
    ]
    assert reason_of(result, 3).endswith(": discount_rate='1.2' is above the maximum of 1")
    assert result.accepted["discount_rate"].tolist() == [0.0, 1.0]
    assert nothing_dropped(result)


def test_promotion_at_an_unknown_warehouse_or_with_a_negative_price_is_quarantined():
    rows = [
        promotion(promo_price="0"),
        promotion(sku="B2", location="BR9"),
        promotion(location="BR2", promo_price="-1"),
    ]
    result = validate("promotions", rows)
    assert found(result) == [
        (2, "location_code", "BR9", "unknown_reference"),
        (3, "promo_price", "-1", "negative_quantity"),
    ]
    assert result.accepted["promo_price"].tolist() == [0.0]
    assert nothing_dropped(result)


def test_the_same_promotion_item_and_warehouse_twice_is_a_duplicate_whatever_the_dates():
    rows = [promotion(), promotion(start="2026-12-08", end="2026-12-21")]
    result = validate("promotions", rows)
    key = "promotion_code=WINTER, sku=A1, location_code=BR1"
    assert found(result) == [(2, "promotion_code, sku, location_code", key, "duplicate")]
    assert result.accepted["start_date"].tolist() == [pd.Timestamp("2026-12-01")]
    assert nothing_dropped(result)


def test_timestamp_later_on_the_as_of_day_is_not_in_the_future():
    event = {"event_type": "stockout"}
    rows = [
        {**event, "event_id": "E1", "occurred_at": "2026-11-21T23:00:00Z"},
        {**event, "event_id": "E2", "occurred_at": "2026-11-22T00:30:00+00:00"},
    ]
    result = validate("events", rows)
    assert found(result) == [(2, "occurred_at", "2026-11-22T00:30:00+00:00", "future_date")]


def test_site_reason_code_is_mapped_per_location_and_the_original_kept():
    order = {
        "customer_code": "C1",
        "order_date": "2026-11-20",
        "requested_date": "2026-11-22",
        "status": "on_hold",
    }
    rows = [
        {**order, "order_number": "SO1", "location_code": "BR1", "hold_reason": "short"},
        {**order, "order_number": "SO2", "location_code": "BR2", "hold_reason": "SP"},
        {**order, "order_number": "SO3", "location_code": "BR2", "hold_reason": "CH"},
        {**order, "order_number": "SO4", "location_code": "BR2", "hold_reason": "Credit_Hold"},
        {**order, "order_number": "SO5", "location_code": "BR2", "hold_reason": ""},
    ]
    result = validate("sales_orders", rows)
    assert found(result) == []
    accepted = result.accepted
    assert accepted["hold_reason"].tolist() == [
        "short_pick",
        "short_pick",
        "credit_hold",
        "credit_hold",
        None,
    ]
    assert accepted["hold_reason_site_code"].tolist() == ["short", "SP", "CH", "Credit_Hold", None]


def test_reason_code_with_no_mapping_at_its_location_is_quarantined():
    order = {
        "customer_code": "C1",
        "order_date": "2026-11-20",
        "requested_date": "2026-11-22",
        "status": "on_hold",
        "hold_reason": "SHORT",
    }
    rows = [
        {**order, "order_number": "SO1", "location_code": "BR1"},
        {**order, "order_number": "SO2", "location_code": "BR2"},
    ]
    result = validate("sales_orders", rows)
    assert found(result) == [(2, "hold_reason", "SHORT", "unknown_reason_code")]
    assert reason_of(result, 2) == (
        "sales_orders row 2 (order_number=SO2): hold_reason='SHORT' is not a canonical "
        "reason code and has no mapping for location BR2 or for every site (*): "
        "add it to reason_code_mappings"
    )
    assert result.accepted["order_number"].tolist() == ["SO1"]
    assert nothing_dropped(result)


def test_later_row_with_the_same_natural_key_is_quarantined_and_the_first_kept():
    rows = [demand(quantity="4"), demand(day="2026-11-11"), demand(quantity="5")]
    result = validate("demand_history", rows)
    assert found(result) == [
        (
            3,
            "sku, location_code, demand_date",
            "sku=A1, location_code=BR1, demand_date=2026-11-10",
            "duplicate",
        ),
    ]
    assert reason_of(result, 3) == (
        "demand_history row 3 (sku=A1, location_code=BR1, demand_date=2026-11-10): "
        "duplicate demand_history record: same sku, location_code, demand_date as row 1, "
        "which is kept"
    )
    assert result.accepted["quantity"].tolist() == [4.0, 4.0]
    assert nothing_dropped(result)


def test_duplicate_check_ignores_rows_that_already_failed():
    rows = [demand(quantity="oops"), demand(quantity="5")]
    result = validate("demand_history", rows)
    assert found(result) == [(1, "quantity", "oops", "not_numeric")]
    assert result.accepted["quantity"].tolist() == [5.0]


def test_keys_that_differ_only_by_blanks_are_duplicates():
    result = validate("items", [ITEM, {**ITEM, "sku": "A1 "}])
    assert [(row, check) for row, _, _, check in found(result)] == [(2, "duplicate")]


def test_stale_newest_snapshot_is_a_warning_and_the_row_is_kept():
    position = {"location_code": "BR1", "on_hand": "3"}
    rows = [
        {**position, "sku": "A1", "snapshot_at": "2026-11-20T06:00:00Z"},
        {**position, "sku": "A1", "snapshot_at": "2026-11-01T06:00:00Z"},
        {**position, "sku": "B2", "snapshot_at": "2026-11-18T06:00:00Z"},
        {**position, "sku": "B2", "location_code": "BR2", "snapshot_at": "2026-11-19T23:00:00Z"},
    ]
    result = validate("inventory_positions", rows)
    assert found(result) == [(3, "snapshot_at", "2026-11-18T06:00:00Z", "stale_snapshot")]
    assert result.issues["severity"].tolist() == ["warning"]
    assert reason_of(result, 3) == (
        "inventory_positions row 3 (sku=B2, location_code=BR1, snapshot_at=2026-11-18T06:00:00Z):"
        " snapshot_at='2026-11-18T06:00:00Z' is the newest for its sku, location_code but 3 days"
        " old at the as-of date 2026-11-21 (stale after 2)"
    )
    assert result.rows_accepted == 4
    assert result.quarantined_rows == 0
    assert result.warnings == 1


def test_a_row_with_several_faults_has_one_line_per_fault_and_counts_once():
    rows = [demand(), demand(sku="ZZ9", day="2099-01-01", quantity="-1", uom="KG")]
    result = validate("demand_history", rows)
    assert found(result) == [
        (2, "demand_date", "2099-01-01", "future_date"),
        (2, "quantity", "-1", "negative_quantity"),
        (2, "sku", "ZZ9", "unknown_reference"),
    ]
    assert result.quarantined_rows == 1
    assert result.counts_by_check == {
        "future_date": 1,
        "negative_quantity": 1,
        "unknown_reference": 1,
    }
    assert nothing_dropped(result)


def test_issue_lines_carry_the_source_key_and_the_whole_raw_row():
    result = validate("demand_history", [demand(quantity="x/y")])
    line = result.issues.iloc[0]
    assert line["source"] == "demand_history.csv"
    assert line["key"] == "sku=A1, location_code=BR1, demand_date=2026-11-10"
    assert line["raw"] == (
        '{"sku":"A1","location_code":"BR1","demand_date":"2026-11-10","quantity":"x/y"}'
    )
    assert line["severity"] == "error"


def test_check_names_are_the_documented_ones():
    assert [check.value for check in Check] == [
        "missing_column",
        "unknown_column",
        "malformed_row",
        "missing_required",
        "not_numeric",
        "not_integer",
        "invalid_date",
        "invalid_boolean",
        "invalid_code",
        "negative_quantity",
        "below_minimum",
        "above_maximum",
        "unknown_reference",
        "uom_mismatch",
        "future_date",
        "date_order",
        "unknown_reason_code",
        "duplicate",
        "stale_snapshot",
    ]
