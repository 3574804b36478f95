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
    others); horizon_days (the planning horizon, e.g. the protection interval);
    holding_days (horizon_days: how long a unit left over at the horizon end is carried
    before it can be used, e.g. the review period); parent_code (empty: the warehouse
    of the same item that replenishes this one; a parent is priced as its echelon, see
    `echelon.py`); obsolete (False: stock that is not expected to sell; open lines
    for it are cancelled, not deferred).
purchase_orders, one row per open PO line:
    po_number, sku, location_code, quantity (open units), due_in_days (expected
    arrival, days from as_of), p_late (probability it misses that date; a late line
    is assumed to miss the horizon); line_number (None); expedite_premium (NaN:
    money/unit to expedite), expedite_days (NaN: arrival in days if expedited);
    reschedulable (False: the line may still be deferred or cancelled, i.e. not
    shipped); unit_price (NaN = the position's unit cost: what the line costs a unit).
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
from functools import cached_property

import numpy as np
import pandas as pd

from crossdock.planning.decisions.candidates import (
    OpenLines,
    ReschedulingRules,
    flags,
    open_line_actions,
    supply_actions,
    transfer_actions,
)
from crossdock.planning.decisions.costs import HorizonDemand
from crossdock.planning.decisions.echelon import action_effects, parent_rows, pool_echelons
from crossdock.planning.policy._arrays import BoolArray, FloatArray, IntArray, PolicyInputError

POSITION_DEFAULTS: dict[str, object] = {
    "in_transit": 0.0,
    "committed_demand": 0.0,
    "demand_family": "normal",
    "reorder_point": 0.0,
    "holding_days": np.nan,
    "parent_code": None,
    "obsolete": False,
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
PO_DEFAULTS: dict[str, object] = {
    "line_number": None,
    "expedite_premium": np.nan,
    "expedite_days": np.nan,
    "reschedulable": False,
    "unit_price": np.nan,
}
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
SUPPLY_NAN_OK = ("p_late", "expedite_premium", "expedite_lead_time_days")

ACTION_COLUMNS = (
    "kind",  # buy | expedite | transfer | defer | cancel
    "sku",
    "dest",  # row of the receiving item-location
    "source",  # row of the shipping item-location (transfers), else -1
    "from_code",  # supplier, PO number or shipping warehouse
    "to_code",
    "po_number",  # expedites, defers and cancels of an open line, else None
    "line_number",  # the line within that PO (None where not given)
    "purchase_per_unit",
    "expedite_per_unit",
    "transport_per_unit",
    "gain",  # expected units of position gained at dest per unit (< 0: taken out)
    "upper",  # most units (inf if none)
    "lane",  # index into lanes (transfers), else -1
    "ordering_cost",  # money per order (buys)
    "moq",
    "order_multiple",
    "arrival_days",
    "unit_value",  # what a unit of the goods costs (buys and PO lines; 0 for transfers)
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
    demand: HorizonDemand  # echelon rows: pooled over the echelon
    base: FloatArray  # expected position by the horizon end if nothing is done (echelon)
    holding_per_unit: FloatArray
    shortage_penalty: FloatArray
    spare: FloatArray  # units each item-location can ship to others
    lane_capacity: FloatArray
    actions: pd.DataFrame  # ACTION_COLUMNS
    as_of: pd.Timestamp
    parent: IntArray  # row of the warehouse replenishing each row, -1 if none
    is_echelon: BoolArray  # rows priced as their echelon (parents of other rows)
    horizon: FloatArray  # days
    holding_per_day: FloatArray  # money per unit and day
    obsolete: BoolArray
    rescheduling: ReschedulingRules

    @property
    def dest(self) -> IntArray:
        return self.actions["dest"].to_numpy(np.int64)

    @property
    def source(self) -> IntArray:
        return self.actions["source"].to_numpy(np.int64)

    @property
    def gain(self) -> FloatArray:
        return self.actions["gain"].to_numpy(np.float64)

    @cached_property
    def _effects(self) -> tuple[IntArray, IntArray, FloatArray]:
        return action_effects(
            dest=self.dest, source=self.source, gain=self.gain, parent=self.parent
        )

    def effects(self) -> tuple[IntArray, IntArray, FloatArray]:
        """(row, action, units per unit): every position each action changes."""
        return self._effects

    @property
    def unit_cost(self) -> FloatArray:
        """Per-unit money of each action (purchase + expedite + transport)."""
        a = self.actions
        return np.asarray(
            a["purchase_per_unit"] + a["expedite_per_unit"] + a["transport_per_unit"],
            dtype=np.float64,
        ).copy()


def build_problem(
    positions: pd.DataFrame,
    *,
    purchase_orders: pd.DataFrame | None = None,
    lanes: pd.DataFrame | None = None,
    supply_options: pd.DataFrame | None = None,
    as_of: object = "1970-01-01",
    rescheduling: ReschedulingRules | None = None,
) -> Problem:
    """Check the frames and build the problem (see the module docstring for columns).

    Raises:
        PolicyInputError: a missing column or a non-numeric value, naming frame, column, row.
    """
    rescheduling = rescheduling or ReschedulingRules()
    pos = _frame(positions, "positions", POSITION_REQUIRED, POSITION_DEFAULTS)
    num = {
        c: _numbers(pos, "positions", c)
        for c in (*POSITION_REQUIRED[2:], "in_transit", "committed_demand", "reorder_point")
    }
    horizon = num["horizon_days"]
    holding_days = _numbers(pos, "positions", "holding_days", nan_ok=True)
    holding_days = np.where(np.isnan(holding_days), horizon, holding_days)
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
        lines = OpenLines(
            frame=po,
            row=rows_of(po["sku"], po["location_code"]),
            quantity=_numbers(po, "purchase_orders", "quantity"),
            due_in_days=_numbers(po, "purchase_orders", "due_in_days"),
            p_late=_numbers(po, "purchase_orders", "p_late", nan_ok=True),
            expedite_premium=_numbers(po, "purchase_orders", "expedite_premium", nan_ok=True),
            expedite_days=_numbers(po, "purchase_orders", "expedite_days", nan_ok=True),
            unit_price=_numbers(po, "purchase_orders", "unit_price", nan_ok=True),
        )
        known = lines.row >= 0
        in_time = lines.in_time(horizon)
        np.add.at(base, lines.row[known], (lines.quantity * in_time)[known])
        actions += open_line_actions(
            lines, horizon=horizon, unit_cost=num["unit_cost"], rules=rescheduling
        )
    if supply_options is not None and len(supply_options):
        so = _frame(supply_options, "supply_options", SUPPLY_REQUIRED, SUPPLY_DEFAULTS)
        row = rows_of(so["sku"], so["location_code"])
        numbers = {
            column: _numbers(so, "supply_options", column, nan_ok=column in SUPPLY_NAN_OK)
            for column in (*SUPPLY_REQUIRED[3:], *SUPPLY_DEFAULTS)
        }
        actions += supply_actions(
            so, row=row, horizon=horizon, unit_cost=num["unit_cost"], numbers=numbers
        )
    spare = np.floor(np.maximum(np.minimum(num["available"], base - num["reorder_point"]), 0.0))
    echelons = pool_echelons(
        parent=parent_rows(pos["sku"], pos["parent_code"], keys),
        base=base,
        demand=demand,
        horizon=horizon,
        shortage_penalty=num["shortage_penalty"],
    )
    capacity = np.zeros(0)
    if lanes is not None and len(lanes):
        ln = _frame(lanes, "lanes", LANE_REQUIRED, LANE_DEFAULTS)
        capacity = _numbers(ln, "lanes", "capacity", nan_ok=True)
        capacity = np.where(np.isnan(capacity), np.inf, capacity)
        actions.append(
            transfer_actions(
                ln,
                keys=keys,
                horizon=horizon,
                spare=spare,
                cost_per_unit=_numbers(ln, "lanes", "cost_per_unit"),
                transit_days=_numbers(ln, "lanes", "transit_days"),
            )
        )
    columns = list(ACTION_COLUMNS)
    table = (
        pd.concat(
            [a[columns].dropna(axis=1, how="all") for a in actions if len(a)], ignore_index=True
        ).reindex(columns=columns)
        if any(len(a) for a in actions)
        else pd.DataFrame(columns=columns)
    )
    return Problem(
        positions=pos[["sku", "location_code"]].astype(str),
        demand=echelons.demand,
        base=echelons.base,
        holding_per_unit=num["unit_cost"] * num["holding_rate"] * holding_days / 365.0,
        shortage_penalty=echelons.shortage_penalty,
        spare=spare,
        lane_capacity=capacity,
        actions=table.reset_index(drop=True),
        as_of=pd.Timestamp(str(as_of)).normalize(),
        parent=echelons.parent,
        is_echelon=echelons.is_echelon,
        horizon=horizon,
        holding_per_day=num["unit_cost"] * num["holding_rate"] / 365.0,
        obsolete=flags(pos["obsolete"]),
        rescheduling=rescheduling,
    )
