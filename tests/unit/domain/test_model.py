from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crossdock.domain.errors import InvalidRecord
from crossdock.domain.model import (
    InventoryPosition,
    Item,
    PurchaseOrderLine,
    echelon_of,
)

SNAPSHOT = datetime(2026, 11, 20, 18, tzinfo=UTC)


def item(**overrides: object) -> Item:
    values: dict[str, object] = {"sku": "SKU-1", "uom": "EA", "unit_cost": Decimal("2.50")}
    values.update(overrides)
    return Item(**values)  # type: ignore[arg-type]


def test_order_quantity_rounds_up_to_the_lcm_of_pack_size_and_order_multiple():
    assert item(pack_size=6, order_multiple=4).round_order_quantity(13) == 24


def test_order_quantity_respects_the_moq_then_rounds():
    assert item(pack_size=10).round_order_quantity(3, moq=25) == 30


def test_no_need_means_no_order_even_with_an_moq():
    assert item(pack_size=10).round_order_quantity(0, moq=25) == 0


def test_an_exact_multiple_is_not_rounded_further():
    assert item(order_multiple=12).round_order_quantity(24) == 24


def test_item_refuses_a_zero_pack_size_naming_the_field_and_value():
    with pytest.raises(InvalidRecord, match="items SKU-1: pack_size=0: must be >= 1"):
        item(pack_size=0)


def test_item_refuses_a_negative_cost():
    with pytest.raises(InvalidRecord, match="unit_cost"):
        item(unit_cost=Decimal("-1"))


def test_available_excludes_allocated_and_held_stock():
    position = InventoryPosition("S", "BR1", SNAPSHOT, on_hand=100, allocated=30, on_hold=5)
    assert position.available == 65


def test_available_never_goes_negative_when_overallocated():
    position = InventoryPosition("S", "BR1", SNAPSHOT, on_hand=10, allocated=30)
    assert position.available == 0


def test_inventory_position_counts_pipeline_and_nets_commitments():
    position = InventoryPosition(
        "S",
        "BR1",
        SNAPSHOT,
        on_hand=100,
        allocated=30,
        on_hold=5,
        in_transit=20,
        on_order=50,
        backordered=15,
    )
    assert position.inventory_position == 120


def test_days_of_supply_of_available_stock():
    position = InventoryPosition("S", "BR1", SNAPSHOT, on_hand=70, allocated=0)
    assert position.days_of_supply(10) == 7
    assert position.days_of_supply(0) == float("inf")


def test_snapshot_without_time_zone_is_refused():
    with pytest.raises(InvalidRecord, match="needs a time zone"):
        InventoryPosition("S", "BR1", datetime(2026, 11, 20), on_hand=1)  # noqa: DTZ001


def po_line(**overrides: object) -> PurchaseOrderLine:
    values: dict[str, object] = {
        "po_number": "PO-1",
        "line_number": 1,
        "sku": "S",
        "order_date": date(2026, 10, 1),
        "ordered_quantity": 100,
        "promised_date": date(2026, 10, 15),
    }
    values.update(overrides)
    return PurchaseOrderLine(**values)  # type: ignore[arg-type]


def test_open_po_line_is_late_by_the_days_past_its_promise():
    assert po_line().days_late(date(2026, 10, 20)) == 5


def test_received_po_line_is_late_by_its_receipt_date_not_today():
    line = po_line(received_date=date(2026, 10, 17), received_quantity=100)
    assert line.days_late(date(2026, 11, 20)) == 2
    assert not line.is_open
    assert line.lead_time_days() == 16


def test_early_or_unpromised_lines_are_not_late():
    assert po_line().days_late(date(2026, 10, 10)) == 0
    assert po_line(promised_date=None).days_late(date(2026, 12, 1)) == 0


def test_partly_received_line_stays_open_and_unacknowledged_until_an_855():
    line = po_line(received_date=date(2026, 10, 14), received_quantity=40)
    assert line.is_open
    assert not line.is_acknowledged


def test_echelon_counts_the_chain_up_to_the_top_dc():
    parents = {"DC": None, "RDC": "DC", "BR1": "RDC"}
    assert [echelon_of(code, parents) for code in ("DC", "RDC", "BR1")] == [1, 2, 3]


def test_a_looping_replenishment_chain_is_refused_with_the_loop_shown():
    with pytest.raises(InvalidRecord, match="A -> B -> A"):
        echelon_of("A", {"A": "B", "B": "A"})


def test_an_unknown_parent_is_named():
    with pytest.raises(InvalidRecord, match="BR1: parent_location_code='NOPE': unknown"):
        echelon_of("BR1", {"BR1": "NOPE"})
