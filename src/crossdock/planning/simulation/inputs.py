"""What a simulation replays: demand per item-location (row), the network that supplies
each row, its supply terms and its costs, checked before a run starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from crossdock.planning.simulation.lead_times import EmpiricalLeadTimes

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Costs:
    """What the network's activity costs, per row (a scalar applies to every row).

    Attributes:
        holding_rate: share of the unit cost that holding a unit for one period costs.
        order_cost: per purchase-order line placed with a supplier.
        transfer_cost: per transfer shipment received from the row's DC.
        transport_cost: per unit moved into the row (its lane's freight, or the
            supplier's inbound freight).
        expedite_cost: premium per unit expedited.
        shortage_cost: per unit of demand not filled when demanded (a lost margin, or
            the penalty of a backorder).
    """

    holding_rate: npt.ArrayLike = 0.0
    order_cost: npt.ArrayLike = 0.0
    transfer_cost: npt.ArrayLike = 0.0
    transport_cost: npt.ArrayLike = 0.0
    expedite_cost: npt.ArrayLike = 0.0
    shortage_cost: npt.ArrayLike = 0.0

    def per_row(self, rows: int) -> dict[str, FloatArray]:
        """Every cost as one value per row.

        Raises:
            ValueError: a cost that is negative or not one per row, naming it and the row.
        """
        out = {}
        for name in COST_FIELDS:
            values = np.broadcast_to(np.asarray(getattr(self, name), dtype=np.float64), (rows,))
            _refuse(f"costs.{name}", values, ~np.isfinite(values) | (values < 0), "is not >= 0")
            out[name] = values.copy()
        return out


COST_FIELDS = (
    "holding_rate",
    "order_cost",
    "transfer_cost",
    "transport_cost",
    "expedite_cost",
    "shortage_cost",
)


@dataclass(frozen=True)
class SimulationInputs:
    """Demand to replay and the stock, supply and costs of each item-location (row).

    Attributes:
        demand: units demanded by customers, shape (rows, periods); a DC that only
            feeds branches has a row of zeros.
        on_hand: stock at the start of period 0.
        lead_times: per row, the lead time of its replenishment in periods: its
            supplier's for a row that buys, its lane's transit for a row fed by a DC.
            One is drawn per order.
        moq: minimum order quantity per row (0 = none).
        order_multiple: orders are whole multiples of it (1 = any whole quantity).
        unit_cost: value of a unit, for inventory value, turns and holding cost.
        parent: per row, the row (same item, at its DC) that replenishes it by
            transfer, or -1 for a row that buys from its supplier. Two echelons: a
            parent buys from its supplier.
        lane: per row, the lane its replenishment travels (shared by the rows of one
            lane, for its capacity), or -1 for none.
        lane_capacity: units each lane can carry per period (inf = no limit).
        expedite_lead_time: per row, periods an expedited buy takes (default: the
            shortest lead time observed for the row).
        costs: what holding, ordering, moving, expediting and shortages cost.
    """

    demand: FloatArray
    on_hand: FloatArray
    lead_times: EmpiricalLeadTimes
    moq: FloatArray | None = None
    order_multiple: IntArray | None = None
    unit_cost: FloatArray | None = None
    parent: IntArray | None = None
    lane: IntArray | None = None
    lane_capacity: FloatArray | None = None
    expedite_lead_time: IntArray | None = None
    costs: Costs | None = None

    def checked(self) -> CheckedInputs:
        """These inputs with defaults filled in.

        Raises:
            ValueError: a shape that does not match, a negative or missing quantity or
                cost, or a network that is not two echelons, naming field, row (and
                period) and value.
        """
        demand = np.asarray(self.demand, dtype=np.float64)
        if demand.ndim != 2:
            raise ValueError(f"demand: need rows x periods, got shape {demand.shape}")
        rows = demand.shape[0]
        bad = ~np.isfinite(demand) | (demand < 0)
        if bad.any():
            row, period = (int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"demand of row {row}, period {period}: {float(demand[row, period])!r} is not a "
                "number of units >= 0"
            )
        on_hand = _per_row(self.on_hand, rows, "on_hand", 0.0)
        _refuse("on_hand", on_hand, ~np.isfinite(on_hand) | (on_hand < 0), "is not >= 0")
        if self.lead_times.group.size != rows:
            raise ValueError(
                f"lead_times: {self.lead_times.group.size} rows for {rows} rows of demand"
            )
        moq = _per_row(self.moq, rows, "moq", 0.0)
        multiple = _per_row(self.order_multiple, rows, "order_multiple", 1.0)
        unit_cost = _per_row(self.unit_cost, rows, "unit_cost", 1.0)
        _refuse("moq", moq, ~np.isfinite(moq) | (moq < 0), "is not >= 0")
        _refuse(
            "order_multiple",
            multiple,
            ~np.isfinite(multiple) | (multiple < 1) | (multiple != np.round(multiple)),
            "is not a whole number >= 1",
        )
        _refuse("unit_cost", unit_cost, ~np.isfinite(unit_cost) | (unit_cost < 0), "is not >= 0")
        parent = self._parents(rows)
        lane, capacity = self._lanes(rows)
        expedite = (
            self.lead_times.shortest().astype(np.float64)
            if self.expedite_lead_time is None
            else _per_row(self.expedite_lead_time, rows, "expedite_lead_time", 0.0)
        )
        _refuse(
            "expedite_lead_time",
            expedite,
            (expedite < 0) | (expedite != np.round(expedite)),
            "is not a whole number of periods >= 0",
        )
        return CheckedInputs(
            demand=demand,
            on_hand=on_hand,
            lead_times=self.lead_times,
            moq=moq,
            order_multiple=multiple.astype(np.int64),
            unit_cost=unit_cost,
            parent=parent,
            lane=lane,
            lane_capacity=capacity,
            expedite_lead_time=expedite.astype(np.int64),
            costs=(self.costs or Costs()).per_row(rows),
        )

    def _parents(self, rows: int) -> IntArray:
        if self.parent is None:
            return np.full(rows, -1, dtype=np.int64)
        parent = _per_row(self.parent, rows, "parent", -1.0)
        _refuse(
            "parent",
            parent,
            (parent != np.round(parent)) | (parent < -1) | (parent >= rows),
            "names no row",
        )
        up = parent.astype(np.int64)
        _refuse("parent", parent, up == np.arange(rows), "is the row itself")
        deeper = (up >= 0) & (up[np.maximum(up, 0)] >= 0)
        _refuse("parent", parent, deeper, "is itself fed by a DC (two echelons at most)")
        return up

    def _lanes(self, rows: int) -> tuple[IntArray, FloatArray]:
        capacity = (
            np.zeros(0)
            if self.lane_capacity is None
            else np.asarray(self.lane_capacity, dtype=np.float64).ravel()
        )
        _refuse("lane_capacity", capacity, np.isnan(capacity) | (capacity < 0), "is not >= 0")
        if self.lane is None:
            return np.full(rows, -1, dtype=np.int64), capacity
        lane = _per_row(self.lane, rows, "lane", -1.0)
        _refuse(
            "lane",
            lane,
            (lane != np.round(lane)) | (lane < -1) | (lane >= capacity.size),
            f"names no lane (capacities given for {capacity.size})",
        )
        return lane.astype(np.int64), capacity


def _per_row(values: Any, rows: int, name: str, default: float) -> FloatArray:
    if values is None:
        return np.full(rows, default, dtype=np.float64)
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (rows,):
        raise ValueError(f"{name}: need one value per row ({rows}), got shape {array.shape}")
    return array


def _refuse(name: str, values: FloatArray, bad: npt.NDArray[np.bool_], why: str) -> None:
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} of row {row}: {float(values[row])!r} {why}")


@dataclass(frozen=True)
class CheckedInputs:
    """`SimulationInputs` after checking: every per-row array present."""

    demand: FloatArray
    on_hand: FloatArray
    lead_times: EmpiricalLeadTimes
    moq: FloatArray
    order_multiple: IntArray
    unit_cost: FloatArray
    parent: IntArray
    lane: IntArray
    lane_capacity: FloatArray
    expedite_lead_time: IntArray
    costs: dict[str, FloatArray]

    @property
    def rows(self) -> int:
        return int(self.demand.shape[0])

    @property
    def periods(self) -> int:
        return int(self.demand.shape[1])
