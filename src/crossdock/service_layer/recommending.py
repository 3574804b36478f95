"""Recommendations from a joint decision: one per action, with money, drivers, confidence.

The money of a recommendation is the plan where its goods land (the receiving
item-location plus any warehouse shipping to it): six parts whose sum is
`expected_cost`, the do-nothing cost over the same scope, and `savings`, their
difference. See docs/planning/plan-command.md.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crossdock.planning.decisions import JointDecision
from crossdock.service_layer.plan_frames import PARTS, PlanFrames
from crossdock.service_layer.ports import RECOMMENDATION_COLUMNS

if TYPE_CHECKING:
    from crossdock.service_layer.plan_settings import PlanSettings


RECOMMENDATION_KINDS = ("buy", "transfer", "rebalance", "expedite", "defer", "cancel")
_LINE_KINDS = ("expedite", "defer", "cancel")


def recommendations_from(
    decision: JointDecision,
    frames: PlanFrames,
    *,
    settings: PlanSettings,
    signals: Mapping[tuple[str, str], list[dict[str, Any]]] | None = None,
) -> pd.DataFrame:
    """One recommendation per action of the decision, with its money, drivers, confidence.

    A transfer between warehouses that do not replenish each other (branch to branch),
    out of stock the projection flags as excess, is a `rebalance`: it moves stock that
    would otherwise sit. A DC replenishing its own branch is a `transfer`.
    """
    actions = decision.actions[decision.actions["kind"] != "none"].reset_index(drop=True)
    alternatives = decision.alternatives
    plans = _by_key(alternatives[alternatives["alternative"] == "plan"], "location_code")
    options = {
        key: group.drop(columns=["sku", "location_code"]).to_dict("records")
        for key, group in alternatives.groupby(["sku", "location_code"], sort=False)
    }
    rows = _by_key(frames.rows, "location_code")
    priced = _by_key(decision.item_locations, "location_code")
    lines = {
        (str(line["po_number"]), _line(line["line_number"])): line
        for line in _records(frames.po_lines)
    }
    receivers = list(zip(actions["sku"].astype(str), actions["to_code"].astype(str), strict=True))
    per_receiver = Counter(receivers)
    out: list[dict[str, Any]] = []
    for action in _records(actions):
        key = (str(action["sku"]), str(action["to_code"]))
        money = plans[key]
        row = rows[key]
        kind = str(action["kind"])
        drivers = _drivers(row, priced[key])
        lead_n = math.inf
        if kind == "transfer":
            source = rows[(key[0], str(action["from_code"]))]
            drivers["source"] = {
                "location_code": action["from_code"],
                "available": float(source["available"]),
                "keeps": round(float(source["keep_quantity"]), 4),
                "excess_units": round(float(source["excess_units"]), 4),
            }
            lateral = row["parent_code"] != action["from_code"]
            if lateral and float(source["excess_units"]) > 0.0:
                kind = "rebalance"
        elif kind in _LINE_KINDS and _present(action["po_number"]):
            line = lines[(str(action["po_number"]), _line(action["line_number"]))]
            drivers["po_line"] = {
                "po_number": action["po_number"],
                "line_number": _line(action["line_number"]),
                "open_quantity": float(line["open_quantity"]),
                "promised_date": _iso(line["promised_date"]),
                "p_late": _number(line["p_late"]),
                "evidence_n": int(line["evidence_n"]),
            }
            if kind == "expedite":
                lead_n = float(line["evidence_n"])
            else:
                drivers["po_line"]["obsolete"] = bool(row["obsolete"])
        else:
            supplier = frames.suppliers.get(str(action["from_code"]), {})
            lead_n = float(supplier.get("n", 0))
            drivers["supplier"] = {
                "supplier_code": action["from_code"],
                "unit_price": _number(action["unit_value"]),
                "lead_time_mean_days": _number(supplier.get("mean")),
                "lead_time_std_days": _number(supplier.get("std")),
                "evidence_level": supplier.get("level"),
                "evidence_n": int(supplier.get("n", 0)),
            }
        drivers["actions_at_receiver"] = int(per_receiver[key])
        if signals and key in signals:
            drivers["demand_signals"] = signals[key]
        lead_factor = 1.0 if math.isinf(lead_n) else lead_n / (lead_n + 10.0)
        parts = {f"{part}_cost": float(money[part]) for part in PARTS}
        quantity = float(action["quantity"])
        out.append(
            {
                "kind": kind,
                "sku": key[0],
                "from_code": action["from_code"],
                "to_code": key[1],
                "po_number": action["po_number"],
                "line_number": _line(action["line_number"]),
                "quantity": quantity,
                "expected_arrival_date": action["expected_arrival_date"],
                "action_cost": float(action["action_cost"]),
                "expected_cost": float(sum(parts.values())),
                **parts,
                "do_nothing_cost": float(money["do_nothing_total"]),
                "savings": float(money["do_nothing_total"]) - float(sum(parts.values())),
                "marginal_savings": float(action["marginal_savings"]),
                "order_value": None
                if action["kind"] == "transfer"
                else quantity * float(action["unit_value"]),
                "scope": str(money["scope"]),
                "alternatives": json.dumps(_clean(options.get(key, [])), default=_json_default),
                "drivers": json.dumps(_clean(drivers), default=_json_default),
                "confidence": round(float(row["forecast_confidence"]) * lead_factor, 3),
                "model_version": settings.model_version,
                "policy_version": settings.policy_version,
            }
        )
    return pd.DataFrame(out, columns=list(RECOMMENDATION_COLUMNS))


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _line(value: object) -> int | None:
    return int(value) if _present(value) else None  # type: ignore[call-overload]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in record.items()} for record in frame.to_dict("records")]


def _by_key(frame: pd.DataFrame, location: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(str(r["sku"]), str(r[location])): r for r in _records(frame)}


def _drivers(row: dict[str, Any], priced: dict[str, Any]) -> dict[str, Any]:
    drivers = {
        "forecast": {
            "horizon_days": int(row["horizon_days"]),
            "mean": round(float(row["demand_mean"]), 4),
            "std": round(float(row["demand_std"]), 4),
            "demand_class": row["demand_class"],
            "model": row["model"],
            "backtest_wape": _number(row["backtest_wape"]),
            "backtest_bias": _number(row.get("backtest_bias")),
        },
        "lead_time": {
            "replenished_from": row["replenished_from"],
            "mean_days": _number(row["lead_time_mean"]),
            "std_days": _number(row["lead_time_std"]),
            "evidence_n": _number(row["lead_time_n"]),
        },
        "position": {
            "on_hand": float(row["on_hand"]),
            "available": float(row["available"]),
            "open_po_quantity": float(row["open_po_quantity"]),
            "backordered": float(row["backordered"]),
        },
        "policy": {
            "tier": row["tier"] if isinstance(row["tier"], str) else None,
            "criticality": row["criticality"] if isinstance(row["criticality"], str) else None,
            "fill_rate_target": float(row["fill_rate_target"]),
            "safety_stock": round(float(row["safety_stock"]), 4),
            "reorder_point": round(float(row["reorder_point"]), 4),
            "shortage_penalty": round(float(row["shortage_penalty"]), 4),
        },
        "risk": {
            "stockout_probability": round(float(row["stockout_probability"]), 4),
            "days_of_supply": _number(row["days_of_supply"]),
            "first_stockout_date": _iso(row["first_stockout_date"]),
            "excess_units": round(float(row["excess_units"]), 4),
            "obsolete": bool(row["obsolete"]),
        },
    }
    if priced["echelon"]:
        drivers["echelon"] = {
            "members": "this warehouse and the warehouses it replenishes",
            "position": round(float(priced["do_nothing_position"]), 4),
            "demand_mean": round(float(priced["demand_mean"]), 4),
            "demand_std": round(float(priced["demand_std"]), 4),
            "committed_demand": round(float(priced["committed_demand"]), 4),
        }
    return drivers


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return round(number, 4) if math.isfinite(number) else None


def _iso(value: object) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).date().isoformat()  # type: ignore[arg-type]


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinity become null, numpy scalars plain Python."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        item = value.item()
        return None if isinstance(item, float) and not math.isfinite(item) else item
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)
