"""Candidate actions, one table row each (`inputs.ACTION_COLUMNS`).

* open PO lines: expedite the part expected late; defer or cancel a line that is not
  needed when it comes (chosen after the LP, see `reschedule.py`);
* supply options: buy, or buy expedited, where the lead time fits the horizon;
* lanes: transfer from a warehouse with spare stock to one that stocks the same item.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.planning.policy._arrays import FloatArray, IntArray


@dataclass(frozen=True, slots=True)
class ReschedulingRules:
    """When an open PO line not yet shipped is moved out or cancelled, and what it costs.

    Attributes:
        reschedule_cost: money per open line expedited, deferred or cancelled (the
            buyer's and the supplier's work).
        cancellation_rate: charge for cancelling, as a share of the line's value.
        cancel_after_days: a line not needed within this many days of `as_of` is
            cancelled rather than deferred (it can be bought again when it is needed).
        min_deferral_days: moves shorter than this are not worth a message.
    """

    reschedule_cost: float = 10.0
    cancellation_rate: float = 0.05
    cancel_after_days: float = 180.0
    min_deferral_days: float = 7.0


@dataclass(frozen=True, slots=True)
class OpenLines:
    """Open PO lines, checked: the frame plus its numeric columns and receiving rows."""

    frame: pd.DataFrame
    row: IntArray  # receiving item-location, -1 if unknown
    quantity: FloatArray
    due_in_days: FloatArray
    p_late: FloatArray
    expedite_premium: FloatArray
    expedite_days: FloatArray
    unit_price: FloatArray

    def in_time(self, horizon: FloatArray) -> FloatArray:
        """Share of each line expected by its receiver's horizon end (0 if due after)."""
        p_late = np.nan_to_num(np.clip(self.p_late, 0.0, 1.0), nan=0.0)
        due_in_horizon = self.due_in_days <= horizon[np.maximum(self.row, 0)]
        return np.asarray(np.where(due_in_horizon, 1.0 - p_late, 0.0), dtype=np.float64)


def flags(column: pd.Series) -> np.ndarray:
    """A yes/no column as booleans; missing values are no."""
    known = column.notna().to_numpy()
    values = column.where(column.notna(), other=False).astype(bool).to_numpy()
    return np.asarray(known & values, dtype=np.bool_)


def _line_table(lines: OpenLines, kind: str, value: FloatArray, **columns: object) -> pd.DataFrame:
    po = lines.frame
    return pd.DataFrame(
        {
            "kind": kind,
            "sku": po["sku"].astype(str),
            "dest": lines.row,
            "source": -1,
            "from_code": po["po_number"].astype(str),
            "to_code": po["location_code"].astype(str),
            "po_number": po["po_number"].astype(str),
            "line_number": po["line_number"],
            "purchase_per_unit": 0.0,
            "expedite_per_unit": 0.0,
            "transport_per_unit": 0.0,
            "upper": lines.quantity,
            "lane": -1,
            "ordering_cost": 0.0,
            "moq": 0.0,
            "order_multiple": 1,
            "unit_value": value,
            **columns,
        }
    )


def open_line_actions(
    lines: OpenLines, *, horizon: FloatArray, unit_cost: FloatArray, rules: ReschedulingRules
) -> list[pd.DataFrame]:
    """Expedite, defer and cancel candidates for the open PO lines.

    An expedite brings the part expected late (`p_late`) inside the horizon. A defer or
    cancel takes out the part expected on time (negative gain); it is offered only for
    lines flagged `reschedulable` (not shipped) and due within the horizon, and the
    LP never chooses it: `reschedule.py` does, after the plan is known.
    """
    known = lines.row >= 0
    safe = np.maximum(lines.row, 0)
    in_time = lines.in_time(horizon)
    value = np.where(np.isnan(lines.unit_price), unit_cost[safe], lines.unit_price)
    expedite = _line_table(
        lines,
        "expedite",
        value,
        expedite_per_unit=lines.expedite_premium,
        ordering_cost=rules.reschedule_cost,
        gain=1.0 - in_time,
        arrival_days=lines.expedite_days,
    )
    can_expedite = (
        known
        & ~np.isnan(lines.expedite_premium)
        & (lines.expedite_days <= horizon[safe])
        & (in_time < 1.0)
    )
    movable = known & (in_time > 0.0) & flags(lines.frame["reschedulable"])
    defer = _line_table(
        lines,
        "defer",
        value,
        gain=-in_time,
        ordering_cost=rules.reschedule_cost,
        arrival_days=lines.due_in_days,
    )
    cancel = _line_table(
        lines,
        "cancel",
        value,
        gain=-in_time,
        ordering_cost=rules.reschedule_cost,
        purchase_per_unit=rules.cancellation_rate * value,
        arrival_days=np.nan,
    )
    return [expedite[can_expedite], defer[movable], cancel[movable]]


def supply_actions(
    options: pd.DataFrame,
    *,
    row: IntArray,
    horizon: FloatArray,
    unit_cost: FloatArray,
    numbers: dict[str, FloatArray],
) -> list[pd.DataFrame]:
    """Buy and expedited-buy candidates for each (item-location, supplier) option.

    A buy lands `1 - p_late` units in time per unit ordered and pays the supplier's
    price above standard cost; an expedited buy arrives in its shorter lead time, for
    its premium, and is counted as certain.
    """
    safe = np.maximum(row, 0)
    common = {
        "sku": options["sku"].astype(str),
        "dest": row,
        "source": -1,
        "from_code": options["supplier_code"].astype(str),
        "to_code": options["location_code"].astype(str),
        "po_number": None,
        "line_number": None,
        "purchase_per_unit": np.maximum(numbers["unit_price"] - unit_cost[safe], 0.0),
        "transport_per_unit": 0.0,
        "upper": np.inf,
        "lane": -1,
        "ordering_cost": numbers["ordering_cost"],
        "moq": numbers["moq"],
        "order_multiple": numbers["order_multiple"].astype(np.int64),
        "unit_value": numbers["unit_price"],
    }
    lead = numbers["lead_time_days"]
    p_late = np.nan_to_num(numbers["p_late"], nan=0.0)
    buy = pd.DataFrame(
        {
            **common,
            "kind": "buy",
            "expedite_per_unit": 0.0,
            "gain": 1.0 - np.clip(p_late, 0, 1),
            "arrival_days": lead,
        }
    )
    premium, fast = numbers["expedite_premium"], numbers["expedite_lead_time_days"]
    rush = pd.DataFrame(
        {
            **common,
            "kind": "expedite",
            "expedite_per_unit": premium,
            "gain": 1.0,
            "arrival_days": fast,
        }
    )
    return [
        buy[(row >= 0) & (lead <= horizon[safe])],
        rush[(row >= 0) & ~np.isnan(premium) & (fast <= horizon[safe])],
    ]


def transfer_actions(
    lanes: pd.DataFrame,
    *,
    keys: pd.MultiIndex,
    horizon: FloatArray,
    spare: FloatArray,
    cost_per_unit: FloatArray,
    transit_days: FloatArray,
) -> pd.DataFrame:
    """One candidate per (item, lane) whose source has spare stock and whose transit fits."""
    givers = pd.DataFrame(
        {
            "sku": keys.get_level_values(0),
            "from_code": keys.get_level_values(1),
            "source": np.arange(len(keys)),
        }
    )[spare > 0]
    lane_table = (
        lanes[["from_code", "to_code"]]
        .astype(str)
        .assign(
            lane=np.arange(len(lanes)),
            transport_per_unit=cost_per_unit,
            arrival_days=transit_days,
        )
    )
    pairs = givers.merge(lane_table, on="from_code")
    dest = keys.get_indexer(pd.MultiIndex.from_arrays([pairs["sku"], pairs["to_code"]]))
    pairs = pairs.assign(dest=dest)
    pairs = pairs[(dest >= 0) & (pairs["arrival_days"].to_numpy() <= horizon[np.maximum(dest, 0)])]
    return pairs.assign(
        kind="transfer",
        po_number=None,
        line_number=None,
        purchase_per_unit=0.0,
        expedite_per_unit=0.0,
        gain=1.0,
        upper=spare[pairs["source"].to_numpy()],
        ordering_cost=0.0,
        moq=0.0,
        order_multiple=1,
        unit_value=0.0,
    )
