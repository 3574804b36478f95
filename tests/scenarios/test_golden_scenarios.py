"""Golden-file scenarios for the joint decision: each folder holds the input frames as
CSV, scenario.json (as_of and what the case is about) and expected.json (the hand-checked
decision and money). The test runs the decision and diffs it against expected.json.

Set CROSSDOCK_UPDATE_GOLDEN=1 to rewrite expected.json after a deliberate change, then
check the diff by hand.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from crossdock.planning.decisions import decide

UNCHECKED = "not yet checked by hand"

HERE = Path(__file__).parent
SCENARIOS = sorted(p for p in HERE.iterdir() if (p / "scenario.json").exists())
FRAMES = ("positions", "purchase_orders", "lanes", "supply_options")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _run(folder: Path) -> dict[str, Any]:
    meta = json.loads((folder / "scenario.json").read_text())
    frames = {
        name: pd.read_csv(folder / f"{name}.csv", dtype={"sku": str})
        for name in FRAMES
        if (folder / f"{name}.csv").exists()
    }
    decision = decide(frames.pop("positions"), as_of=meta["as_of"], **frames)
    taken = decision.actions[decision.actions["kind"] != "none"]
    actions = [
        {
            "kind": row["kind"],
            "sku": row["sku"],
            "from_code": row["from_code"],
            "to_code": row["to_code"],
            "line_number": None if pd.isna(row["line_number"]) else int(row["line_number"]),
            "quantity": float(row["quantity"]),
            "expected_arrival_date": str(pd.Timestamp(row["expected_arrival_date"]).date()),
            "action_cost": round(float(row["action_cost"]), 2),
        }
        for row in _records(taken)
    ]
    locations = [
        {
            "sku": row["sku"],
            "location_code": row["location_code"],
            "planned_position": round(float(row["planned_position"]), 2),
            "do_nothing_total": round(float(row["do_nothing_total"]), 2),
            "planned_total": round(float(row["planned_total"]), 2),
            "savings": round(float(row["savings"]), 2),
        }
        for row in _records(decision.item_locations)
    ]
    return {"actions": actions, "item_locations": locations, "_decision": decision}


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_decision_matches_its_golden_file(folder: Path) -> None:
    result = _run(folder)
    decision = result.pop("_decision")
    expected_path = folder / "expected.json"
    if os.environ.get("CROSSDOCK_UPDATE_GOLDEN") == "1":
        old = json.loads(expected_path.read_text()) if expected_path.exists() else {}
        result["hand_check"] = old.get("hand_check", UNCHECKED)
        expected_path.write_text(json.dumps(result, indent=2) + "\n")
    expected = json.loads(expected_path.read_text())
    assert expected.get("hand_check", UNCHECKED) != UNCHECKED, (
        f"{expected_path}: write down how the expected decision was checked by hand"
    )
    assert result["actions"] == expected["actions"]
    assert result["item_locations"] == expected["item_locations"]
    _assert_money_adds_up(decision)


def _assert_money_adds_up(decision: Any) -> None:
    costs = decision.item_locations
    parts = ["holding", "shortage", "transport", "ordering", "purchase", "expedite"]
    np.testing.assert_allclose(
        costs["planned_total"], costs[[f"planned_{p}" for p in parts]].sum(axis=1)
    )
    alt = decision.alternatives
    np.testing.assert_allclose(alt["total"], alt[parts].sum(axis=1))
    np.testing.assert_allclose(alt["savings"], alt["do_nothing_total"] - alt["total"])


def test_expensive_lane_leaves_stock_where_it_is() -> None:
    result = _run(HERE / "e_transfer_not_chosen_when_lane_costs_more")
    decision = result["_decision"]
    assert "transfer" not in set(decision.actions["kind"])
    br2 = decision.item_locations.set_index("location_code").loc["BR2"]
    assert br2["planned_position"] == br2["do_nothing_position"] == 200.0
