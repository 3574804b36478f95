"""Validating several entities together, and reporting on them."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from crossdock.domain.reason_codes import ReasonCode, ReasonCodeMapping
from crossdock.ingest import DataQualityReport, KnownKeys, validate_batch
from tests.unit.ingest.support import AS_OF, demand, raw_frame, validate


@dataclass(frozen=True)
class Raw:
    entity: str
    source: str
    frame: pd.DataFrame


ITEMS = Raw(
    "items",
    "items.csv",
    raw_frame(
        [
            {"sku": "N1", "uom": "EA", "unit_cost": "1"},
            {"sku": "N2", "uom": "CS", "unit_cost": "oops"},
        ]
    ),
)
LOCATIONS = Raw(
    "locations",
    "locations.csv",
    raw_frame(
        [
            {"location_code": "L1", "location_type": "dc"},
        ]
    ),
)
DEMAND = Raw(
    "demand_history",
    "demand_history.csv",
    raw_frame(
        [
            {
                "sku": "N1",
                "location_code": "L1",
                "demand_date": "2026-11-01",
                "quantity": "1",
                "uom": "EA",
            },
            {"sku": "N2", "location_code": "L1", "demand_date": "2026-11-01", "quantity": "1"},
            {
                "sku": "N1",
                "location_code": "L1",
                "demand_date": "2026-11-02",
                "quantity": "1",
                "uom": "CS",
            },
        ]
    ),
)


def test_batch_validates_in_load_order_and_references_see_earlier_entities():
    results = validate_batch([DEMAND, LOCATIONS, ITEMS], as_of=AS_OF)
    assert [r.entity.name for r in results] == ["items", "locations", "demand_history"]
    demand_result = results[2]
    assert list(
        zip(demand_result.issues["row_number"], demand_result.issues["check"], strict=True)
    ) == [(2, "unknown_reference"), (3, "uom_mismatch")]
    assert demand_result.accepted["sku"].tolist() == ["N1"]


def test_batch_adds_accepted_keys_to_the_known_keys_it_is_given():
    known = KnownKeys({("items", "sku"): {"OLD"}})
    validate_batch([ITEMS], as_of=AS_OF, known=known)
    assert known[("items", "sku")] == {"OLD", "N1"}


def test_batch_uses_reason_code_mappings_accepted_earlier_and_those_given():
    mappings = Raw(
        "reason_code_mappings",
        "m.csv",
        raw_frame(
            [
                {"scope": "*", "site_code": "DMG", "reason_code": "Damaged"},
            ]
        ),
    )
    event = {"event_type": "goods_received", "occurred_at": "2026-11-20T10:00:00Z"}
    events = Raw(
        "events",
        "events.csv",
        raw_frame(
            [
                {**event, "event_id": "E1", "reason_code": "dmg"},
                {**event, "event_id": "E2", "reason_code": "LATE"},
            ]
        ),
    )
    existing = [ReasonCodeMapping("*", "LATE", ReasonCode.SUPPLIER_LATE)]
    results = validate_batch([events, mappings], as_of=AS_OF, reason_code_mappings=existing)
    assert results[1].accepted["reason_code"].tolist() == ["damaged", "supplier_late"]


def test_known_keys_record_only_fields_other_entities_point_at():
    known = KnownKeys()
    known.add_accepted(validate("items", [{"sku": "A1", "uom": "EA", "unit_cost": "1"}]))
    known.add_accepted(validate("demand_history", [demand()]))
    assert dict(known) == {("items", "sku"): {"A1"}}


def test_report_counts_per_entity_and_in_total():
    report = DataQualityReport.of(validate_batch([DEMAND, LOCATIONS, ITEMS], as_of=AS_OF))
    summary = report.to_dict()
    assert summary["entities"]["items"] == {
        "files": ["items.csv"],
        "rows_read": 2,
        "rows_accepted": 1,
        "rows_quarantined": 1,
        "errors": 1,
        "warnings": 0,
        "issues": {"not_numeric": 1},
    }
    assert summary["totals"] == {
        "files": ["items.csv", "locations.csv", "demand_history.csv"],
        "rows_read": 6,
        "rows_accepted": 3,
        "rows_quarantined": 3,
        "errors": 3,
        "warnings": 0,
        "issues": {"not_numeric": 1, "unknown_reference": 1, "uom_mismatch": 1},
    }
    assert report.has_errors
    json.dumps(summary)


def test_report_built_one_validation_at_a_time_matches_the_one_built_at_once():
    results = validate_batch([ITEMS, LOCATIONS, DEMAND], as_of=AS_OF)
    report = DataQualityReport()
    for result in results:
        report.add(result)
    assert report.to_dict() == DataQualityReport.of(results).to_dict()


def test_sample_takes_the_first_line_of_every_check_before_the_second_of_any():
    noisy = validate(
        "demand_history", [demand(day=f"2026-11-{d:02d}", quantity="x") for d in range(1, 6)]
    )
    quiet = validate("demand_history", [demand(sku="ZZ")])
    report = DataQualityReport.of([noisy, quiet])
    sample = report.sample(3)
    assert list(zip(sample["check"], sample["row_number"], strict=True)) == [
        ("not_numeric", 1),
        ("unknown_reference", 1),
        ("not_numeric", 2),
    ]
    assert report.to_dict(sample=2)["quarantine_sample"][1]["field"] == "sku"


def test_empty_report_is_all_zeros():
    summary = DataQualityReport().to_dict()
    assert summary["entities"] == {}
    assert summary["totals"]["rows_read"] == 0
    assert summary["quarantine_sample"] == []
