"""What a simulation records, period by period and row by row, and the figures it gives:
service, stock, activity and cost, for the network, a location or any set of rows, over
the whole run or after a warm-up."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from crossdock.planning.simulation.inputs import CheckedInputs, FloatArray, IntArray

# per row and period: what was served, short, received, sent, ordered and held
RECORDS = (
    "filled",  # customer demand served in the period it was demanded
    "short",  # customer demand of the period not served in it (lost or backordered)
    "shipped",  # to customers, backorders served late included
    "received",  # from suppliers and DCs
    "transferred_out",  # to branches
    "on_hand",  # at the end of the period
    "ordered",  # units bought (placed)
    "orders",  # purchase-order lines placed
    "moved",  # units set on their way into the row (bought or transferred)
    "transfers",  # transfer shipments into the row
    "transfer_short",  # units a transfer asked for that its DC could not ship
    "expedites",  # expedited purchase-order lines
    "expedited",  # units expedited
)


@dataclass
class Ledger:
    """Every row's stock while the simulation runs, and the record of each period."""

    on_hand: FloatArray
    on_order: FloatArray
    backorders: FloatArray
    arrivals: FloatArray  # (rows, periods): units due at the start of each period
    records: dict[str, FloatArray]
    start_on_hand: FloatArray
    data: CheckedInputs = field(repr=False)

    @classmethod
    def starting(cls, data: CheckedInputs) -> Ledger:
        shape = (data.rows, data.periods)
        return cls(
            on_hand=data.on_hand.copy(),
            on_order=np.zeros(data.rows),
            backorders=np.zeros(data.rows),
            arrivals=np.zeros(shape),
            records={name: np.zeros(shape) for name in RECORDS},
            start_on_hand=data.on_hand.copy(),
            data=data,
        )

    def receive(self, period: int) -> None:
        arrived = self.arrivals[:, period]
        self.on_hand += arrived
        self.on_order -= arrived
        self.records["received"][:, period] = arrived

    def serve(self, period: int, demand: FloatArray, *, lost_sales: bool) -> None:
        """Ship what is owed (backorders first), then record what the period missed."""
        owed = self.backorders + demand
        shipped = np.minimum(self.on_hand, owed)
        filled = np.maximum(shipped - self.backorders, 0.0)
        self.on_hand -= shipped
        if not lost_sales:
            self.backorders = owed - shipped
        self.records["filled"][:, period] = filled
        self.records["short"][:, period] = demand - filled
        self.records["shipped"][:, period] = shipped

    def ship_transfers(
        self,
        period: int,
        rows: IntArray,
        dc: IntArray,
        asked: FloatArray,
        shipped: FloatArray,
        lead_time: IntArray,
    ) -> None:
        out = np.bincount(dc, shipped, minlength=self.on_hand.size)
        self.on_hand -= out
        self.records["transferred_out"][:, period] += out
        self.records["transfer_short"][rows, period] = asked - shipped
        going = shipped > 0
        self._set_off(period, rows[going], shipped[going], lead_time[going])
        self.records["transfers"][rows[going], period] = 1.0

    def place_buys(
        self,
        period: int,
        rows: IntArray,
        quantity: FloatArray,
        lead_time: IntArray,
        *,
        expedited: bool,
    ) -> None:
        going = quantity > 0
        rows, quantity, lead_time = rows[going], quantity[going], lead_time[going]
        self._set_off(period, rows, quantity, lead_time)
        self.records["ordered"][rows, period] += quantity
        self.records["orders"][rows, period] += 1.0
        if expedited:
            self.records["expedites"][rows, period] += 1.0
            self.records["expedited"][rows, period] += quantity

    def _set_off(
        self, period: int, rows: IntArray, quantity: FloatArray, lead_time: IntArray
    ) -> None:
        due = period + lead_time + 1  # received at the end of t + L
        inside = due < self.arrivals.shape[1]
        np.add.at(self.arrivals, (rows[inside], due[inside]), quantity[inside])
        self.on_order[rows] += quantity
        self.records["moved"][rows, period] += quantity

    def close(self, period: int) -> None:
        self.records["on_hand"][:, period] = self.on_hand

    def run(self, *, policy: str, review_period: int, lost_sales: bool) -> SimulationRun:
        return SimulationRun(
            policy=policy,
            review_period=review_period,
            lost_sales=lost_sales,
            demand=self.data.demand,
            records=self.records,
            start_on_hand=self.start_on_hand,
            end_on_hand=self.on_hand.copy(),
            end_on_order=self.on_order.copy(),
            end_backorders=self.backorders.copy(),
            unit_cost=self.data.unit_cost,
            parent=self.data.parent,
            costs=self.data.costs,
        )


@dataclass(frozen=True)
class SimulationRun:
    """What happened, per row and period, over the replayed periods.

    Units are conserved for every row: start on hand + received - shipped - transferred
    out - end on hand = 0; what was bought or transferred in is received or still on
    order (transfers in transit count as on order of the row they go to).
    """

    policy: str
    review_period: int
    lost_sales: bool
    demand: FloatArray = field(repr=False)  # (rows, periods)
    records: dict[str, FloatArray] = field(repr=False)  # (rows, periods) each, see RECORDS
    start_on_hand: FloatArray = field(repr=False)
    end_on_hand: FloatArray = field(repr=False)
    end_on_order: FloatArray = field(repr=False)
    end_backorders: FloatArray = field(repr=False)
    unit_cost: FloatArray = field(repr=False)
    parent: IntArray = field(repr=False)
    costs: dict[str, FloatArray] = field(repr=False)

    def total(self, record: str) -> FloatArray:
        """Per row, a record summed over every period."""
        return np.asarray(self.records[record].sum(axis=1), dtype=np.float64)

    @property
    def on_hand(self) -> FloatArray:
        """Stock at the end of each period, (rows, periods)."""
        return self.records["on_hand"]

    def metrics(
        self, rows: npt.NDArray[np.bool_] | None = None, *, start: int = 0
    ) -> dict[str, float]:
        """The figures for a set of rows (default: the network) over periods `start`
        onwards: service, stock, activity and cost. A DC's own row counts the transfers
        it ships to branches outside the set as outflow (for turns and periods of
        supply); within the network those are internal moves."""
        inside = np.ones(self.parent.size, dtype=np.bool_) if rows is None else rows
        window = slice(start, None)

        def summed(record: str) -> float:
            return float(self.records[record][inside, window].sum())

        demand = float(self.demand[inside, window].sum())
        periods = max(self.demand.shape[1] - start, 0)
        on_hand = self.records["on_hand"][inside, window].mean(axis=1) if periods else np.zeros(0)
        value = float((on_hand * self.unit_cost[inside]).sum())
        leaving = (self.parent >= 0) & ~inside & inside[np.maximum(self.parent, 0)]
        outflow_units = self.records["shipped"][inside, window].sum(axis=1)
        outflow_value = float((outflow_units * self.unit_cost[inside]).sum()) + float(
            (self.records["moved"][leaving, window].sum(axis=1) * self.unit_cost[leaving]).sum()
        )
        outflow = float(outflow_units.sum()) + float(self.records["moved"][leaving, window].sum())
        per_period = outflow / periods if periods else 0.0
        costs = self._costs(inside, window)
        return {
            "fill_rate": float(summed("filled")) / demand if demand else 1.0,
            "cycle_service_level": self._cycle_service(inside, start),
            "stockout_periods": float((self.records["short"][inside, window] > 0).sum()),
            "average_on_hand": float(on_hand.sum()),
            "average_on_hand_value": value,
            "turns": outflow_value / value if value else float("inf"),
            "periods_of_supply": float(on_hand.sum()) / per_period if per_period else float("inf"),
            "purchase_orders": summed("orders"),
            "transfers": summed("transfers"),
            "expedites": summed("expedites"),
            "demand_units": demand,
            "short_units": summed("short"),
            "transfer_short_units": summed("transfer_short"),
            **{f"{name}_cost": amount for name, amount in costs.items()},
        }

    def _cycle_service(self, inside: npt.NDArray[np.bool_], start: int) -> float:
        """Share of review cycles (from the first one starting at or after `start`)
        without a stockout, over rows with customer demand in the window."""
        first = -(-start // self.review_period) * self.review_period
        short = self.records["short"][inside, first:] > 0
        demanded = self.demand[inside, first:].sum(axis=1) > 0
        if not short.shape[1] or not demanded.any():
            return 1.0
        cycles = -(-short.shape[1] // self.review_period)
        padded = np.zeros((short.shape[0], cycles * self.review_period), dtype=np.bool_)
        padded[:, : short.shape[1]] = short
        short_cycles = np.asarray(
            padded.reshape(short.shape[0], cycles, self.review_period).any(axis=2)
        )
        missed = float(short_cycles[demanded].sum())
        return float(1.0 - missed / (cycles * int(demanded.sum())))

    def _costs(self, inside: npt.NDArray[np.bool_], window: slice) -> dict[str, float]:
        def cost(record: str, rate: str, scale: FloatArray | None = None) -> float:
            units = self.records[record][inside, window].sum(axis=1)
            per_unit = self.costs[rate][inside] * (1.0 if scale is None else scale[inside])
            return float((units * per_unit).sum())

        parts = {
            "holding": cost("on_hand", "holding_rate", self.unit_cost),
            "ordering": cost("orders", "order_cost"),
            "transport": cost("moved", "transport_cost") + cost("transfers", "transfer_cost"),
            "expedite": cost("expedited", "expedite_cost"),
            "shortage": cost("short", "shortage_cost"),
        }
        return {**parts, "total": sum(parts.values())}
