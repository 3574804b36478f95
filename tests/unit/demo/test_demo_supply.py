"""Suppliers keep their habits: some on time, some late, some never acknowledge."""

from __future__ import annotations

import pandas as pd
import pytest

END = pd.Timestamp("2025-06-30")


@pytest.fixture(scope="module")
def po_lines(network: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return network["purchase_order_lines"].merge(network["purchase_orders"], on="po_number")


def test_twenty_or_more_suppliers_each_with_a_quoted_lead_time(
    network: dict[str, pd.DataFrame],
) -> None:
    suppliers = network["suppliers"]

    assert len(suppliers) == 28
    assert (suppliers["default_lead_time_days"] >= 1).all()


def test_suppliers_differ_in_how_late_they_deliver(po_lines: pd.DataFrame) -> None:
    received = po_lines.dropna(subset=["received_date"])
    days_late = (received["received_date"] - received["promised_date"]).dt.days
    mean_late = days_late.groupby(received["supplier_code"]).mean()

    assert (mean_late.abs() <= 1.0).sum() >= 5
    assert (mean_late >= 5.0).sum() >= 3
    assert mean_late.max() - mean_late.min() >= 7.0


def test_some_suppliers_rarely_acknowledge_while_most_do(po_lines: pd.DataFrame) -> None:
    acknowledged = po_lines["acknowledged_date"].notna().groupby(po_lines["supplier_code"]).mean()

    assert (acknowledged < 0.5).sum() >= 2
    assert (acknowledged > 0.9).sum() >= 10


def test_open_pos_include_late_and_unacknowledged_lines(po_lines: pd.DataFrame) -> None:
    open_lines = po_lines[po_lines["received_date"].isna() & (po_lines["status"] != "cancelled")]
    overdue_ack = open_lines["acknowledged_date"].isna() & (
        open_lines["order_date"] < END - pd.Timedelta(days=7)
    )

    assert overdue_ack.sum() >= 50
    assert (open_lines["promised_date"] < END).sum() >= 50
    assert set(po_lines["status"]) == {
        "sent", "acknowledged", "shipped", "partially_received", "received", "cancelled",
    }  # fmt: skip


def test_each_po_line_s_journey_runs_forward_in_time(po_lines: pd.DataFrame) -> None:
    def never_before(later: str, earlier: str) -> bool:
        both = po_lines.dropna(subset=[later, earlier])
        return bool((both[later] >= both[earlier]).all()) and len(both) > 1000

    assert never_before("acknowledged_date", "order_date")
    assert never_before("shipped_date", "acknowledged_date")
    assert never_before("received_date", "shipped_date")
    assert never_before("promised_date", "order_date")
    shipped = po_lines["shipped_date"].notna()
    assert (po_lines["asn_number"].notna() == shipped).all()


def test_every_received_po_line_has_a_matching_receipt(
    network: dict[str, pd.DataFrame], po_lines: pd.DataFrame
) -> None:
    received = po_lines.dropna(subset=["received_date"])
    receipts = network["receipts"].dropna(subset=["po_number"])
    matched = received.merge(receipts, on=["po_number", "sku"], suffixes=("", "_receipt"))

    assert len(matched) == len(received) == len(receipts)
    assert (matched["quantity"] == matched["received_quantity"]).all()
    assert (
        matched["received_at"].dt.tz_localize(None).dt.normalize() == matched["received_date"]
    ).all()


def test_receiving_exceptions_use_each_site_s_own_codes(network: dict[str, pd.DataFrame]) -> None:
    receipts = network["receipts"].dropna(subset=["reason_code"])
    mappings = network["reason_code_mappings"]
    short_ship_codes = set(
        mappings.loc[mappings["reason_code"] == "supplier_short_ship", "site_code"]
    )

    assert set(receipts["reason_code"]) & short_ship_codes
    assert not set(receipts["reason_code"]) & {"supplier_short_ship", "damaged", "over_receipt"}
