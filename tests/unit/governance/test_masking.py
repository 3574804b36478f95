"""Field-level masking: who sees supplier cost, customer pricing and margin."""

from __future__ import annotations

import copy
import json

import pytest

from crossdock.governance.access import SYSTEM, Principal, Role
from crossdock.governance.masking import (
    field_class,
    mask,
    mask_ledger_entry,
    mask_recommendation,
    mask_rows,
    scrub,
    visible_classes,
)

# written out by hand: the classes each role sees
EXPECTED_CLASSES = {
    "planner": {"customer_pricing"},
    "buyer": {"supplier_cost"},
    "warehouse_supervisor": set(),
    "customer_service": {"customer_pricing"},
    "finance": {"supplier_cost", "customer_pricing", "margin"},
    "executive": {"supplier_cost", "customer_pricing", "margin"},
    "admin": set(),
    "auditor": {"supplier_cost", "customer_pricing", "margin"},
}


def person(*roles: str) -> Principal:
    return Principal(username="ana", kind="person", roles=frozenset(Role(r) for r in roles))


def agent(*data: str) -> Principal:
    return Principal(
        username="bot",
        kind="agent",
        agent_actions=frozenset({"propose"}),
        agent_data=frozenset(data),
    )


def recommendation() -> dict[str, object]:
    """A buy recommendation row as the read side returns it (drivers decoded)."""
    return {
        "id": 7,
        "kind": "buy",
        "sku": "SKU-1",
        "quantity": 120.0,
        "action_cost": 1290.0,
        "expected_cost": 1500.0,
        "holding_cost": 80.0,
        "shortage_cost": 130.0,
        "transport_cost": 0.0,
        "ordering_cost": 50.0,
        "purchase_cost": 1240.0,
        "expedite_cost": 0.0,
        "do_nothing_cost": 2600.0,
        "savings": 1100.0,
        "marginal_savings": 900.0,
        "order_value": 1240.0,
        "drivers": {
            "supplier": {"supplier_code": "ACME", "unit_price": 10.33},
            "forecast": {"mean": 4.2, "unit_price": 19.9},
        },
        "alternatives": [
            {"alternative": "none", "purchase": 0.0, "total": 2600.0},
            {"alternative": "buy ACME", "purchase": 1240.0, "total": 1500.0},
        ],
    }


@pytest.mark.parametrize("role", list(EXPECTED_CLASSES))
def test_each_role_sees_exactly_its_classes(role: str) -> None:
    assert visible_classes(person(role)) == EXPECTED_CLASSES[role]


def test_roles_combine_and_margin_needs_both_cost_and_price() -> None:
    assert visible_classes(person("planner", "buyer")) == {
        "supplier_cost",
        "customer_pricing",
        "margin",
    }
    assert "margin" not in visible_classes(person("customer_service"))


def test_system_sees_everything() -> None:
    assert visible_classes(SYSTEM) == {"supplier_cost", "customer_pricing", "margin"}
    row = recommendation()
    assert mask(row, SYSTEM) == row


def test_agent_sees_only_the_classes_its_data_names() -> None:
    assert visible_classes(agent("demand", "inventory")) == set()
    assert visible_classes(agent("demand", "supplier_cost")) == {"supplier_cost"}
    assert visible_classes(agent("supplier_cost", "customer_pricing")) == {
        "supplier_cost",
        "customer_pricing",
        "margin",
    }


def test_planner_sees_the_money_explanation_but_not_supplier_cost() -> None:
    masked = mask(recommendation(), person("planner"))
    assert masked["purchase_cost"] is None
    assert masked["order_value"] is None
    assert masked["drivers"]["supplier"] == {"supplier_code": "ACME", "unit_price": None}
    assert masked["drivers"]["forecast"] == {"mean": 4.2, "unit_price": 19.9}
    assert [a["purchase"] for a in masked["alternatives"]] == [None, None]
    assert [a["total"] for a in masked["alternatives"]] == [2600.0, 1500.0]
    for kept in ("action_cost", "expected_cost", "holding_cost", "savings", "do_nothing_cost"):
        assert masked[kept] == recommendation()[kept], kept
    assert masked["masked_fields"] == [
        "alternatives.0.purchase",
        "alternatives.1.purchase",
        "drivers.supplier.unit_price",
        "order_value",
        "purchase_cost",
    ]


def test_buyer_sees_supplier_cost_but_not_selling_prices() -> None:
    masked = mask(recommendation(), person("buyer"))
    assert masked["purchase_cost"] == 1240.0
    assert masked["drivers"]["supplier"]["unit_price"] == 10.33
    assert masked["drivers"]["forecast"]["unit_price"] is None
    assert masked["masked_fields"] == ["drivers.forecast.unit_price"]


def test_nothing_masked_adds_no_masked_fields_key() -> None:
    masked = mask(recommendation(), person("finance"))
    assert "masked_fields" not in masked
    assert masked == recommendation()


def test_masking_does_not_mutate_the_input_or_share_nested_objects() -> None:
    row = recommendation()
    before = copy.deepcopy(row)
    masked = mask(row, person("warehouse_supervisor"))
    assert row == before
    masked["drivers"]["forecast"]["mean"] = 0.0
    assert row["drivers"]["forecast"]["mean"] == 4.2  # type: ignore[index]
    unmasked = mask(row, person("finance"))
    unmasked["alternatives"][0]["total"] = 0.0
    assert row == before


def test_warehouse_supervisor_sees_neither_cost_nor_price() -> None:
    masked = mask(recommendation(), person("warehouse_supervisor"))
    assert masked["drivers"]["forecast"]["unit_price"] is None
    assert masked["drivers"]["supplier"]["unit_price"] is None
    assert "drivers.forecast.unit_price" in masked["masked_fields"]
    assert masked["quantity"] == 120.0


def test_json_text_columns_are_masked_inside_and_stay_text() -> None:
    row = recommendation()
    row["drivers"] = json.dumps(row["drivers"])
    row["alternatives"] = json.dumps(row["alternatives"])
    masked = mask(row, person("planner"))
    assert isinstance(masked["drivers"], str)
    assert json.loads(masked["drivers"])["supplier"]["unit_price"] is None
    assert [a["purchase"] for a in json.loads(masked["alternatives"])] == [None, None]
    assert "drivers.supplier.unit_price" in masked["masked_fields"]


def test_json_text_that_is_not_json_is_withheld_whole() -> None:
    masked = mask({"drivers": "{not json"}, person("planner"))
    assert masked == {"drivers": None, "masked_fields": ["drivers"]}


def test_unit_price_on_a_purchase_order_line_is_supplier_cost() -> None:
    line = {"po_number": "PO-1", "line_number": 1, "unit_price": 10.33}
    assert mask(line, person("planner"), entity="purchase_order_lines") == {
        "po_number": "PO-1",
        "line_number": 1,
        "unit_price": None,
        "masked_fields": ["unit_price"],
    }
    assert mask(line, person("buyer"), entity="purchase_order_lines") == line
    assert mask(line, person("planner"), entity="sales_order_lines") == line


def test_item_cost_and_margin_fields() -> None:
    item = {"sku": "SKU-1", "unit_cost": 8.0, "unit_price": 12.0, "gross_margin": 4.0}
    masked = mask(item, person("customer_service"), entity="items")
    assert masked == {
        "sku": "SKU-1",
        "unit_cost": None,
        "unit_price": 12.0,
        "gross_margin": None,
        "masked_fields": ["gross_margin", "unit_cost"],
    }


def test_mask_rows_masks_every_row() -> None:
    rows = [{"sku": "A", "unit_cost": 1.0}, {"sku": "B", "unit_cost": 2.0}]
    assert mask_rows(rows, person("planner")) == [
        {"sku": "A", "unit_cost": None, "masked_fields": ["unit_cost"]},
        {"sku": "B", "unit_cost": None, "masked_fields": ["unit_cost"]},
    ]


def test_field_class_reads_names_in_context() -> None:
    assert field_class("unit_price") == "customer_pricing"
    assert field_class("unit_price", context="supply_terms") == "supplier_cost"
    assert field_class("Unit_Cost") == "supplier_cost"
    assert field_class("savings") is None
    assert field_class("order_value", context="sales_orders") == "customer_pricing"


# ------------------------------------------------------------------------ free text

ROUTED = {
    "tier": "approve",
    "rule": "buys",
    "reasons": ["value 93,750.53 is above buys.value_at_most 25,000.00"],
}


def test_scrub_replaces_whole_figures_only():
    text = "value 1,200.00; 1200.00 here, 11200.00 and 1,200.001 stay, 0.50 stays"
    assert scrub(text, [1200.0, 0.5], value_hidden=False) == (
        "value masked; masked here, 11200.00 and 1,200.001 stay, 0.50 stays"
    )
    assert scrub("ordered 1,200, then 1200. Not 1,2000", [1200.0], value_hidden=False) == (
        "ordered masked, then masked. Not 1,2000"
    )
    assert scrub("credit -1,200.00", [-1200.0], value_hidden=False) == "credit -masked"


def test_a_recommendations_texts_lose_the_order_value_for_a_planner_not_a_buyer():
    row = {
        "id": 7,
        "order_value": 93750.5328,
        "status_reason": ROUTED["reasons"][0],
        "rationale": "buy now: 93,750.53 of stock lands before the stockout",
        "routing": ROUTED,
    }
    shown, clean = mask_recommendation(row, person("planner"))
    assert shown["order_value"] is None
    assert shown["status_reason"] == "value masked is above buys.value_at_most 25,000.00"
    assert shown["rationale"] == "buy now: masked of stock lands before the stockout"
    assert shown["routing"]["reasons"] == [shown["status_reason"]]
    assert clean("ordered 93750.53") == "ordered masked"
    seen, _ = mask_recommendation(row, person("buyer"))
    assert seen["status_reason"] == row["status_reason"]
    assert seen["rationale"] == row["rationale"]


def test_a_transfers_policy_value_stays_readable_it_is_no_order_value():
    row = {"order_value": None, "status_reason": "value 120.00 is at most t.value_at_most 500.00"}
    shown, _ = mask_recommendation(row, person("planner"))
    assert shown["status_reason"] == row["status_reason"]


def test_a_ledger_entry_is_parsed_masked_and_its_routing_text_cleaned():
    entry = {
        "seq": 3,
        "reason": ROUTED["reasons"][0],
        "detail": json.dumps({"routing": ROUTED, "order_value": 93750.5328}),
    }
    known = mask_ledger_entry(entry, person("planner"), order_value=93750.5328)
    assert known["detail"]["order_value"] is None
    assert known["reason"].startswith("value masked is above")
    assert known["detail"]["routing"]["reasons"] == [known["reason"]]
    # not told the order value: every policy value is hidden, to be safe
    unknown = mask_ledger_entry({**entry, "detail": "{}"}, person("planner"))
    assert unknown["reason"].startswith("value masked is above")
    # told it has none: the value is some other money and stays
    none = mask_ledger_entry({**entry, "detail": "{}"}, person("planner"), order_value=None)
    assert none["reason"] == entry["reason"]
    auditor = mask_ledger_entry(entry, person("auditor"), order_value=93750.5328)
    assert auditor["reason"] == entry["reason"]
