"""A plan reads its large tables in chunks, straight into typed columns, on SQLite and
PostgreSQL: the same values as the tables hold, whatever the chunk size."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from crossdock.adapters.db import store as store_module
from crossdock.adapters.db.tables import canonical_tables
from crossdock.bootstrap import Crossdock
from crossdock.demo import DemoOptions
from crossdock.service_layer.demo import load_demo_network

AS_OF = date(2026, 11, 20)
PO_LINE_COLUMNS = [
    "po_number",
    "line_number",
    "sku",
    "supplier_code",
    "location_code",
    "status",
    "ordered_quantity",
    "received_quantity",
    "unit_price",
    "order_date",
    "promised_date",
    "acknowledged_date",
    "shipped_date",
    "received_date",
]


@pytest.fixture
def demo(crossdock: Crossdock) -> Crossdock:
    load_demo_network(
        DemoOptions(skus=10, warehouses=3, days=60, seed=3, end_date=AS_OF), store=crossdock.store
    )
    return crossdock


def test_demand_arrives_as_categorical_codes_dates_and_floats_with_the_stored_values(
    demo: Crossdock,
):
    history = demo.store.planning_data(as_of=AS_OF).demand_history

    assert isinstance(history["sku"].dtype, pd.CategoricalDtype)
    assert isinstance(history["location_code"].dtype, pd.CategoricalDtype)
    assert history["demand_date"].dtype == "datetime64[ns]"
    assert history["quantity"].dtype == "float64"
    demand = canonical_tables["demand_history"]
    with demo.engine.connect() as connection:
        stored = connection.execute(
            select(demand.c.sku, demand.c.location_code, demand.c.demand_date, demand.c.quantity)
        ).all()
    expected = sorted((s, loc, pd.Timestamp(d), q) for s, loc, d, q in stored)
    got = sorted(
        zip(
            history["sku"].astype(str),
            history["location_code"].astype(str),
            history["demand_date"],
            history["quantity"],
            strict=True,
        )
    )
    assert len(got) > 100
    assert got == expected


def test_po_lines_arrive_with_the_plan_s_columns_dates_as_datetimes_codes_shared(demo: Crossdock):
    lines = demo.store.planning_data(as_of=AS_OF).purchase_order_lines

    assert list(lines.columns) == PO_LINE_COLUMNS
    for column in ("order_date", "promised_date", "acknowledged_date", "received_date"):
        assert lines[column].dtype == "datetime64[ns]"
    for column in ("ordered_quantity", "received_quantity", "unit_price"):
        assert lines[column].dtype == "float64"
    for column in ("sku", "supplier_code", "location_code", "status"):
        assert lines[column].dtype == object
        assert len({id(code) for code in lines[column]}) == lines[column].nunique()
    assert lines["received_date"].isna().any()
    assert lines["received_date"].notna().any()
    assert (lines["order_date"] <= pd.Timestamp(AS_OF)).all()


def test_reading_in_small_chunks_gives_the_same_frames_as_one_chunk(
    demo: Crossdock, monkeypatch: pytest.MonkeyPatch
):
    whole = demo.store.planning_data(as_of=AS_OF, bucket_days=7)
    monkeypatch.setattr(store_module, "_READ_CHUNK_ROWS", 5)

    chunked = demo.store.planning_data(as_of=AS_OF, bucket_days=7)

    assert len(whole.demand_history) > 5 * 20
    assert len(whole.purchase_order_lines) > 5 * 3
    pd.testing.assert_frame_equal(chunked.demand_history, whole.demand_history)
    pd.testing.assert_frame_equal(chunked.purchase_order_lines, whole.purchase_order_lines)
