"""The network view's rules without a database: what is short, what is in excess, and
which warehouses' demand a distribution centre serves."""

from __future__ import annotations

from decimal import Decimal

from crossdock.service_layer.network_health import echelons, excess_items, short_items
from crossdock.service_layer.network_ports import Position, Warehouse

COSTS = {"A": Decimal("2.10"), "B": Decimal("5.40")}


def _at(sku: str, on_hand: float, available: float | None = None) -> Position:
    return Position(
        location="BR2",
        sku=sku,
        on_hand=on_hand,
        available=on_hand if available is None else available,
    )


def test_short_when_available_is_below_the_lines_due():
    short = short_items(
        {"A": _at("A", 30, available=10)}, {"A": 25.0}, {}, horizon_days=14, unit_costs=COSTS
    )
    assert [(i.sku, i.units, i.value) for i in short] == [("A", 15.0, Decimal("31.500"))]


def test_lines_due_for_an_item_never_counted_are_all_short():
    short = short_items({}, {"B": 4.0}, {}, horizon_days=14, unit_costs=COSTS)
    assert [(i.sku, i.units) for i in short] == [("B", 4.0)]


def test_nothing_on_hand_with_demand_is_short_by_the_horizons_demand():
    short = short_items({"A": _at("A", 0)}, {}, {"A": 2.5}, horizon_days=14, unit_costs=COSTS)
    assert [(i.sku, i.units) for i in short] == [("A", 35.0)]


def test_covered_lines_and_idle_empty_items_are_not_short():
    positions = {"A": _at("A", 30), "B": _at("B", 0)}
    assert short_items(positions, {"A": 30.0}, {}, horizon_days=14, unit_costs=COSTS) == []


def test_excess_is_what_is_above_the_days_of_demand():
    # 55 on hand, 17 sold in 28 days: 60 days cover 36.43, so 18.57 is excess
    excess = excess_items({"A": _at("A", 55)}, {"A": 17 / 28}, excess_days=60, unit_costs=COSTS)
    assert [(i.sku, round(i.units, 2)) for i in excess] == [("A", 18.57)]
    # with no demand, all of it; an item without a unit cost has no value
    idle = excess_items({"C": _at("C", 8)}, {}, excess_days=60, unit_costs=COSTS)
    assert [(i.sku, i.units, i.value) for i in idle] == [("C", 8.0, None)]


def test_a_distribution_centre_serves_every_warehouse_below_it():
    network = [
        Warehouse("DC1", None, "dc", None, None),
        Warehouse("RDC", None, "dc", "DC1", None),
        Warehouse("BR1", None, "branch", "RDC", None),
        Warehouse("BR2", None, "branch", "DC1", None),
    ]
    tree = echelons(network)
    assert tree["DC1"] == {"DC1", "RDC", "BR1", "BR2"}
    assert tree["RDC"] == {"RDC", "BR1"}
    assert tree["BR2"] == {"BR2"}
