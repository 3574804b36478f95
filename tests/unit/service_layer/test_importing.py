"""import_sources against an in-memory store: ordering, references, failures."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from crossdock.service_layer.importing import import_sources
from crossdock.service_layer.ports import SourceFrame
from tests.unit.service_layer.fakes import FakeStore

AS_OF = datetime(2026, 11, 21, 12, tzinfo=UTC)


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    raw = pd.DataFrame(rows, dtype=object).fillna("")
    raw["_row"] = range(1, len(raw) + 1)
    return raw


ITEMS = SourceFrame(
    "items",
    "items.csv",
    frame(
        [
            {"sku": "A", "uom": "EA", "unit_cost": "2.5"},
            {"sku": "B", "uom": "CS", "unit_cost": "10"},
        ]
    ),
)
LOCATIONS = SourceFrame(
    "locations",
    "locations.csv",
    frame(
        [
            {"location_code": "DC", "location_type": "dc"},
            {"location_code": "BR1", "location_type": "branch", "parent_location_code": "DC"},
        ]
    ),
)
DEMAND = SourceFrame(
    "demand_history",
    "demand_history.csv",
    frame(
        [
            {"sku": "A", "location_code": "BR1", "demand_date": "2026-11-01", "quantity": "4"},
            {"sku": "B", "location_code": "BR1", "demand_date": "2026-11-01", "quantity": "1"},
            {"sku": "Z", "location_code": "BR1", "demand_date": "2026-11-01", "quantity": "1"},
        ]
    ),
)


def run(store: FakeStore, *sources: SourceFrame):
    return import_sources(
        list(sources), store=store, kind="import", description="test", as_of=AS_OF
    )


def test_files_land_in_canonical_order_whatever_order_they_come_in():
    store = FakeStore()
    run(store, DEMAND, LOCATIONS, ITEMS)
    assert store.landed_order == ["items", "locations", "demand_history"]


def test_references_resolve_against_rows_accepted_earlier_in_the_same_import():
    store = FakeStore()
    outcome = run(store, DEMAND, LOCATIONS, ITEMS)
    assert sorted(store.tables["demand_history"]["sku"]) == ["A", "B"]
    assert [(q["field"], q["value"], q["check"]) for q in store.quarantined] == [
        ("sku", "Z", "unknown_reference")
    ]
    demand = outcome.to_dict()["entities"]["demand_history"]
    assert (demand["rows_read"], demand["rows_accepted"], demand["rows_quarantined"]) == (3, 2, 1)


def test_references_resolve_against_what_the_store_already_holds():
    store = FakeStore()
    run(store, ITEMS, LOCATIONS)
    run(store, DEMAND)
    assert len(store.tables["demand_history"]) == 2


def test_a_failure_keeps_earlier_files_and_marks_the_run_failed():
    store = FakeStore(fail_on="demand_history")
    with pytest.raises(OSError, match="disk full"):
        run(store, ITEMS, LOCATIONS, DEMAND)
    assert set(store.tables) == {"items", "locations"}
    assert store.runs[1]["status"] == "failed"
    assert store.runs[1]["report"]["totals"]["rows_accepted"] == 4


def test_reason_code_mappings_in_the_same_import_translate_site_codes():
    store = FakeStore()
    customers = SourceFrame(
        "customers",
        "customers.csv",
        frame(
            [
                {"customer_code": "C1", "service_tier": "gold"},
            ]
        ),
    )
    mappings = SourceFrame(
        "reason_code_mappings",
        "m.csv",
        frame(
            [
                {"scope": "BR1", "site_code": "SHORT", "reason_code": "short_pick"},
                {"scope": "*", "site_code": "CRH", "reason_code": "credit_hold"},
            ]
        ),
    )
    orders = SourceFrame(
        "sales_orders",
        "so.csv",
        frame(
            [
                {
                    "order_number": "SO1",
                    "customer_code": "C1",
                    "location_code": "BR1",
                    "order_date": "2026-11-02",
                    "requested_date": "2026-11-09",
                    "status": "on_hold",
                    "hold_reason": "CRH",
                },
                {
                    "order_number": "SO2",
                    "customer_code": "C1",
                    "location_code": "BR1",
                    "order_date": "2026-11-02",
                    "requested_date": "2026-11-09",
                    "status": "on_hold",
                    "hold_reason": "???",
                },
            ]
        ),
    )
    run(store, orders, mappings, customers, LOCATIONS, ITEMS)
    landed = store.tables["sales_orders"]
    assert landed[["order_number", "hold_reason", "hold_reason_site_code"]].values.tolist() == [
        ["SO1", "credit_hold", "CRH"]
    ]
    assert [(q["value"], q["check"]) for q in store.quarantined] == [("???", "unknown_reason_code")]


def test_the_run_records_totals_that_add_up():
    store = FakeStore()
    outcome = run(store, ITEMS, LOCATIONS, DEMAND)
    totals = outcome.to_dict()["totals"]
    assert totals["rows_read"] == totals["rows_accepted"] + totals["rows_quarantined"] == 7
    assert store.runs[1]["status"] == "succeeded"
