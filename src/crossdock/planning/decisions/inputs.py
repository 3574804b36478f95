"""Input frames of the joint decision, checked and turned into arrays and one action table.

Columns (one row each; optional columns take the default shown):

positions, one row per item-location:
    sku, location_code; available (units on hand net of allocations, may be < 0);
    in_transit (0: units already moving here, due within the horizon); demand_mean,
    demand_std (forecast demand over the horizon, units); committed_demand (0: open
    customer orders due within the horizon, on top of the forecast); demand_family
    ("normal" or "gamma"; default normal); unit_cost (standard cost, money/unit);
    holding_rate (annual fraction of unit cost); shortage_penalty (money per unit
    short: lost margin or penalty by customer tier and criticality); reorder_point
    (0: what the location keeps for its own needs; only stock above it is spared to
    others); horizon_days (the planning horizon, e.g. the protection interval).
purchase_orders, one row per open PO line:
    po_number, sku, location_code, quantity (open units), due_in_days (expected
    arrival, days from as_of), p_late (probability it misses that date; a late line
    is assumed to miss the horizon); expedite_premium (NaN: money/unit to expedite),
    expedite_days (NaN: arrival in days if expedited).
lanes, one row per warehouse pair (shared by all items):
    from_code, to_code, cost_per_unit, transit_days; capacity (NaN = unlimited: units
    over the horizon, all items together).
supply_options, one row per (sku, location_code, supplier_code):
    unit_price, lead_time_days; moq (0), order_multiple (1), p_late (0: probability a
    new order misses the horizon), ordering_cost (0: money per order),
    expedite_premium (NaN: money/unit for an expedited buy), expedite_lead_time_days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.planning.decisions.costs import HorizonDemand
from crossdock.planning.policy._arrays import FloatArray, IntArray, PolicyInputError

POSITION_DEFAULTS: dict[str, object] = {
    "in_transit": 0.0,
    "committed_demand": 0.0,
    "demand_family": "normal",
    "reorder_point": 0.0,
}
POSITION_REQUIRED = (
    "sku",
    "location_code",
    "available",
    "demand_mean",
    "demand_std",
    "unit_cost",
    "holding_rate",
    "shortage_penalty",
    "horizon_days",
)
PO_DEFAULTS: dict[str, object] = {"expedite_premium": np.nan, "expedite_days": np.nan}
PO_REQUIRED = ("po_number", "sku", "location_code", "quantity", "due_in_days", "p_late")
LANE_DEFAULTS: dict[str, object] = {"capacity": np.nan}
LANE_REQUIRED = ("from_code", "to_code", "cost_per_unit", "transit_days")
SUPPLY_DEFAULTS: dict[str, object] = {
    "moq": 0.0,
    "order_multiple": 1,
    "p_late": 0.0,
    "ordering_cost": 0.0,
    "expedite_premium": np.nan,
    "expedite_lead_time_days": np.nan,
}
SUPPLY_REQUIRED = ("sku", "location_code", "supplier_code", "unit_price", "lead_time_days")

ACTION_COLUMNS = (
    "kind",  # buy | expedite | transfer
    "sku",
    "dest",  # row of the receiving item-location
    "source",  # row of the shipping item-location (transfers), else -1
    "from_code",  # supplier, PO number or shipping warehouse
    "to_code",
    "po_number",  # expedites of an open line, else None
    "purchase_per_unit",
    "expedite_per_unit",
    "transport_per_unit",
    "gain",  # expected units of position gained at dest per unit ordered
    "upper",  # most units (inf if none)
    "lane",  # index into lanes (transfers), else -1
    "ordering_cost",  # money per order (buys)
    "moq",
    "order_multiple",
    "arrival_days",
)


def _frame(
    frame: pd.DataFrame, name: str, required: tuple[str, ...], defaults: dict[str, object]
) -> pd.DataFrame:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise PolicyInputError(field=f"{name}.{missing[0]}", row=0, value=None, reason="missing")
    out = frame.reset_index(drop=True).copy()
    for column, default in defaults.items():
        if column not in out.columns:
            out[column] = pd.Series([default] * len(out), index=out.index, dtype=object)
    return out


def _numbers(frame: pd.DataFrame, name: str, column: str, *, nan_ok: bool = False) -> FloatArray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
    bad = np.isnan(values) & ~np.asarray(nan_ok)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise PolicyInputError(
            field=f"{name}.{column}", row=row, value=frame[column].iloc[row], reason="not a number"
        )
    return values


@dataclass(frozen=True)
class Problem:
    """Everything the optimiser and the explanation need, one row per item-location."""

    positions: pd.DataFrame  # sku, location_code (row order = array order)
    demand: HorizonDemand
    base: FloatArray  # expected position by the horizon end if nothing is done
    holding_per_unit: FloatArray
    shortage_penalty: FloatArray
    spare: FloatArray  # units each item-location can ship to others
    lane_capacity: FloatArray
    actions: pd.DataFrame  # ACTION_COLUMNS
    as_of: pd.Timestamp

    @property
    def dest(self) -> IntArray:
        return self.actions["dest"].to_numpy(np.int64)

    @property
    def source(self) -> IntArray:
        return self.actions["source"].to_numpy(np.int64)

    @property
    def unit_cost(self) -> FloatArray:
        """Per-unit money of each action (purchase + expedite + transport)."""
        a = self.actions
        return np.asarray(
            a["purchase_per_unit"] + a["expedite_per_unit"] + a["transport_per_unit"],
            dtype=np.float64,
        ).copy()


def build_problem(  # noqa: PLR0915 - one pass over four frames reads best in order
    positions: pd.DataFrame,
    *,
    purchase_orders: pd.DataFrame | None = None,
    lanes: pd.DataFrame | None = None,
    supply_options: pd.DataFrame | None = None,
    as_of: object = "1970-01-01",
) -> Problem:
    """Check the frames and build the problem (see the module docstring for columns).

    Raises:
        PolicyInputError: a missing column or a non-numeric value, naming frame, column, row.
    """
    pos = _frame(positions, "positions", POSITION_REQUIRED, POSITION_DEFAULTS)
    num = {
        c: _numbers(pos, "positions", c)
        for c in (*POSITION_REQUIRED[2:], "in_transit", "committed_demand", "reorder_point")
    }
    horizon = num["horizon_days"]
    family = pos["demand_family"].fillna("normal").astype(str).to_numpy()
    demand = HorizonDemand(
        mean=np.maximum(num["demand_mean"], 0.0),
        std=np.maximum(num["demand_std"], 0.0),
        committed=np.maximum(num["committed_demand"], 0.0),
        is_gamma=np.asarray(family == "gamma", dtype=np.bool_),
    )
    keys = pd.MultiIndex.from_arrays([pos["sku"].astype(str), pos["location_code"].astype(str)])
    if keys.has_duplicates:
        dup = int(np.flatnonzero(keys.duplicated())[0])
        raise PolicyInputError(
            field="positions.sku", row=dup, value=keys[dup], reason="duplicate item-location"
        )

    def rows_of(sku: pd.Series, location: pd.Series) -> IntArray:
        wanted = pd.MultiIndex.from_arrays([sku.astype(str), location.astype(str)])
        return np.asarray(keys.get_indexer(wanted), dtype=np.int64)

    base = num["available"] + num["in_transit"]
    actions: list[pd.DataFrame] = []
    if purchase_orders is not None and len(purchase_orders):
        po = _frame(purchase_orders, "purchase_orders", PO_REQUIRED, PO_DEFAULTS)
        row = rows_of(po["sku"], po["location_code"])
        qty, due = (
            _numbers(po, "purchase_orders", "quantity"),
            _numbers(po, "purchase_orders", "due_in_days"),
        )
        p_late = np.clip(_numbers(po, "purchase_orders", "p_late", nan_ok=True), 0.0, 1.0)
        p_late = np.nan_to_num(p_late, nan=0.0)
        known = row >= 0
        in_time = np.where(due <= horizon[np.maximum(row, 0)], 1.0 - p_late, 0.0)
        np.add.at(base, row[known], (qty * in_time)[known])
        premium = _numbers(po, "purchase_orders", "expedite_premium", nan_ok=True)
        exp_days = _numbers(po, "purchase_orders", "expedite_days", nan_ok=True)
        ok = (
            known & ~np.isnan(premium) & (exp_days <= horizon[np.maximum(row, 0)]) & (in_time < 1.0)
        )
        actions.append(
            pd.DataFrame(
                {
                    "kind": "expedite",
                    "sku": po["sku"].astype(str),
                    "dest": row,
                    "source": -1,
                    "from_code": po["po_number"].astype(str),
                    "to_code": po["location_code"].astype(str),
                    "po_number": po["po_number"].astype(str),
                    "purchase_per_unit": 0.0,
                    "expedite_per_unit": premium,
                    "transport_per_unit": 0.0,
                    "gain": 1.0 - in_time,
                    "upper": qty,
                    "lane": -1,
                    "ordering_cost": 0.0,
                    "moq": 0.0,
                    "order_multiple": 1,
                    "arrival_days": exp_days,
                }
            )[ok]
        )
    if supply_options is not None and len(supply_options):
        so = _frame(supply_options, "supply_options", SUPPLY_REQUIRED, SUPPLY_DEFAULTS)
        row = rows_of(so["sku"], so["location_code"])
        safe = np.maximum(row, 0)
        price = _numbers(so, "supply_options", "unit_price")
        premium_over_cost = np.maximum(price - num["unit_cost"][safe], 0.0)
        lead = _numbers(so, "supply_options", "lead_time_days")
        p_late = np.nan_to_num(_numbers(so, "supply_options", "p_late", nan_ok=True), nan=0.0)
        common = {
            "sku": so["sku"].astype(str),
            "dest": row,
            "source": -1,
            "from_code": so["supplier_code"].astype(str),
            "to_code": so["location_code"].astype(str),
            "po_number": None,
            "purchase_per_unit": premium_over_cost,
            "transport_per_unit": 0.0,
            "upper": np.inf,
            "lane": -1,
            "ordering_cost": _numbers(so, "supply_options", "ordering_cost"),
            "moq": _numbers(so, "supply_options", "moq"),
            "order_multiple": _numbers(so, "supply_options", "order_multiple").astype(np.int64),
        }
        buy = pd.DataFrame(
            {
                **common,
                "kind": "buy",
                "expedite_per_unit": 0.0,
                "gain": 1.0 - np.clip(p_late, 0, 1),
                "arrival_days": lead,
            }
        )
        actions.append(buy[(row >= 0) & (lead <= horizon[safe])])
        premium = _numbers(so, "supply_options", "expedite_premium", nan_ok=True)
        fast = _numbers(so, "supply_options", "expedite_lead_time_days", nan_ok=True)
        rush = pd.DataFrame(
            {
                **common,
                "kind": "expedite",
                "expedite_per_unit": premium,
                "gain": 1.0,
                "arrival_days": fast,
            }
        )
        actions.append(rush[(row >= 0) & ~np.isnan(premium) & (fast <= horizon[safe])])
    spare = np.floor(np.maximum(np.minimum(num["available"], base - num["reorder_point"]), 0.0))
    capacity = np.zeros(0)
    if lanes is not None and len(lanes):
        ln = _frame(lanes, "lanes", LANE_REQUIRED, LANE_DEFAULTS)
        capacity = _numbers(ln, "lanes", "capacity", nan_ok=True)
        capacity = np.where(np.isnan(capacity), np.inf, capacity)
        actions.append(_transfers(pos, ln, keys, horizon, spare))
    columns = list(ACTION_COLUMNS)
    table = (
        pd.concat([a[columns] for a in actions], ignore_index=True)
        if actions
        else pd.DataFrame(columns=columns)
    )
    return Problem(
        positions=pos[["sku", "location_code"]].astype(str),
        demand=demand,
        base=base,
        holding_per_unit=num["unit_cost"] * num["holding_rate"] * horizon / 365.0,
        shortage_penalty=num["shortage_penalty"],
        spare=spare,
        lane_capacity=capacity,
        actions=table.reset_index(drop=True),
        as_of=pd.Timestamp(str(as_of)).normalize(),
    )


def _transfers(
    pos: pd.DataFrame,
    lanes: pd.DataFrame,
    keys: pd.MultiIndex,
    horizon: FloatArray,
    spare: FloatArray,
) -> pd.DataFrame:
    """One candidate per (item, lane) whose source has spare stock and whose transit fits."""
    givers = pd.DataFrame(
        {
            "sku": keys.get_level_values(0),
            "from_code": keys.get_level_values(1),
            "source": np.arange(len(pos)),
        }
    )[spare > 0]
    lane_table = (
        lanes[["from_code", "to_code"]]
        .astype(str)
        .assign(
            lane=np.arange(len(lanes)),
            transport_per_unit=_numbers(lanes, "lanes", "cost_per_unit"),
            arrival_days=_numbers(lanes, "lanes", "transit_days"),
        )
    )
    pairs = givers.merge(lane_table, on="from_code")
    dest = keys.get_indexer(pd.MultiIndex.from_arrays([pairs["sku"], pairs["to_code"]]))
    pairs = pairs.assign(dest=dest)
    pairs = pairs[(dest >= 0) & (pairs["arrival_days"].to_numpy() <= horizon[np.maximum(dest, 0)])]
    return pairs.assign(
        kind="transfer",
        po_number=None,
        purchase_per_unit=0.0,
        expedite_per_unit=0.0,
        gain=1.0,
        upper=spare[pairs["source"].to_numpy()],
        ordering_cost=0.0,
        moq=0.0,
        order_multiple=1,
    )
