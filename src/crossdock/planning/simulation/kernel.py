"""The simulation loop: receive, serve, review, order; period by period, all rows at once.

Order of events in a period t: receipts due in t arrive; demand of t is served (backorders
first, oldest demand first); at a review (t divisible by the review period) the policy
sees everything up to t and orders; an order placed in t with lead time L is received at
the end of t + L, so it serves demand from period t + L + 1 on (the textbook convention:
a review protects lead time + review period). Receipts due after the last period stay on
order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from crossdock.planning.policy import round_order_quantities
from crossdock.planning.simulation.lead_times import EmpiricalLeadTimes
from crossdock.planning.simulation.policies import Policy, PolicyView

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SimulationInputs:
    """Demand to replay and the stock and supply terms of each item-location (row).

    Attributes:
        demand: units demanded, shape (rows, periods).
        on_hand: stock at the start of period 0.
        lead_times: supplier lead times in periods, drawn per order.
        moq: minimum order quantity per row (0 = none).
        order_multiple: orders are whole multiples of it (1 = any whole quantity).
        unit_cost: value of a unit, for inventory value and turns (1 = units).
    """

    demand: FloatArray
    on_hand: FloatArray
    lead_times: EmpiricalLeadTimes
    moq: FloatArray | None = None
    order_multiple: IntArray | None = None
    unit_cost: FloatArray | None = None

    def checked(self) -> CheckedInputs:
        """These inputs with defaults filled in.

        Raises:
            ValueError: a shape that does not match, or a negative or missing demand or
                stock, naming the row, period and value.
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
        on_hand = self._per_row(self.on_hand, rows, "on_hand", 0.0)
        _refuse("on_hand", on_hand, ~np.isfinite(on_hand) | (on_hand < 0), "is not >= 0")
        if self.lead_times.group.size != rows:
            raise ValueError(
                f"lead_times: {self.lead_times.group.size} rows for {rows} rows of demand"
            )
        moq = self._per_row(self.moq, rows, "moq", 0.0)
        multiple = self._per_row(self.order_multiple, rows, "order_multiple", 1.0)
        unit_cost = self._per_row(self.unit_cost, rows, "unit_cost", 1.0)
        _refuse("moq", moq, ~np.isfinite(moq) | (moq < 0), "is not >= 0")
        _refuse(
            "order_multiple",
            multiple,
            ~np.isfinite(multiple) | (multiple < 1) | (multiple != np.round(multiple)),
            "is not a whole number >= 1",
        )
        _refuse("unit_cost", unit_cost, ~np.isfinite(unit_cost) | (unit_cost < 0), "is not >= 0")
        return CheckedInputs(
            demand=demand,
            on_hand=on_hand,
            lead_times=self.lead_times,
            moq=moq,
            order_multiple=multiple.astype(np.int64),
            unit_cost=unit_cost,
        )

    @staticmethod
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


@dataclass(frozen=True)
class SimulationRun:
    """What happened, per row, over the replayed periods.

    `filled` counts units served in the period they were demanded (the fill rate's
    numerator); `shipped` also counts backorders served later. Units are conserved:
    start on hand + received - shipped - end on hand = 0 for every row.
    """

    policy: str
    review_period: int
    lost_sales: bool
    demand: FloatArray
    filled: FloatArray
    shipped: FloatArray
    received: FloatArray
    start_on_hand: FloatArray
    end_on_hand: FloatArray
    end_on_order: FloatArray
    end_backorders: FloatArray
    lost: FloatArray
    orders: IntArray
    ordered: FloatArray
    stockout_periods: IntArray
    cycles: int
    cycles_short: IntArray
    on_hand: FloatArray = field(repr=False)  # (rows, periods), at the end of each period
    unit_cost: FloatArray = field(repr=False)

    def metrics(self) -> dict[str, float]:
        """The network's figures: fill rate (units), cycle service level, stockout
        periods, average on hand (units, value), turns, periods of supply, orders."""
        demand = float(self.demand.sum())
        on_hand = self.on_hand.mean(axis=1)
        value = float((on_hand * self.unit_cost).sum())
        shipped_value = float((self.shipped * self.unit_cost).sum())
        periods = self.on_hand.shape[1]
        per_period = demand / periods if periods else 0.0
        return {
            "fill_rate": float(self.filled.sum()) / demand if demand else 1.0,
            "cycle_service_level": (
                1.0 - float(self.cycles_short.sum()) / (self.cycles * len(self.demand))
                if self.cycles and len(self.demand)
                else 1.0
            ),
            "stockout_periods": float(self.stockout_periods.sum()),
            "average_on_hand": float(on_hand.sum()),
            "average_on_hand_value": value,
            "turns": shipped_value / value if value else float("inf"),
            "periods_of_supply": float(on_hand.sum()) / per_period if per_period else float("inf"),
            "orders": float(self.orders.sum()),
            "lost_units": float(self.lost.sum()),
        }


def simulate(
    inputs: SimulationInputs,
    policy: Policy,
    *,
    review_period: int = 1,
    lost_sales: bool = True,
    seed: int = 0,
) -> SimulationRun:
    """Replay `inputs.demand` under `policy`; the same seed gives the same run.

    Raises:
        ValueError: a review period below 1, or inputs that do not check (see
            `SimulationInputs.checked`).
    """
    if review_period < 1:
        raise ValueError(f"review_period: need at least 1 period, got {review_period}")
    data = inputs.checked()
    rng = np.random.default_rng(seed)
    rows, periods = data.demand.shape
    stock = _Stock.starting(data.on_hand, periods)
    short_in_cycle = np.zeros((rows, -(-periods // review_period)), dtype=bool)
    path = np.empty((rows, periods))
    for period in range(periods):
        stock.receive(period)
        short = stock.serve(data.demand[:, period], lost_sales=lost_sales)
        short_in_cycle[:, period // review_period] |= short > 0
        if period % review_period == 0:
            view = PolicyView(
                period=period,
                on_hand=stock.on_hand.copy(),
                on_order=stock.on_order.copy(),
                backorders=stock.backorders.copy(),
                demand=data.demand[:, : period + 1],
            )
            quantity = round_order_quantities(
                policy.order(view), order_multiple=data.order_multiple, moq=data.moq
            ).astype(np.float64)
            stock.order(period, quantity, data.lead_times, rng)
        path[:, period] = stock.on_hand
    return SimulationRun(
        policy=policy.name,
        review_period=review_period,
        lost_sales=lost_sales,
        demand=data.demand.sum(axis=1),
        filled=stock.filled,
        shipped=stock.shipped,
        received=stock.received,
        start_on_hand=data.on_hand.copy(),
        end_on_hand=stock.on_hand,
        end_on_order=stock.on_order,
        end_backorders=stock.backorders,
        lost=stock.lost,
        orders=stock.orders,
        ordered=stock.ordered,
        stockout_periods=stock.stockout_periods,
        cycles=short_in_cycle.shape[1],
        cycles_short=short_in_cycle.sum(axis=1),
        on_hand=path,
        unit_cost=data.unit_cost,
    )


@dataclass
class _Stock:
    """Every row's stock and running totals while the simulation runs."""

    on_hand: FloatArray
    arrivals: FloatArray  # (rows, periods): units due at the start of each period
    on_order: FloatArray
    backorders: FloatArray
    filled: FloatArray
    shipped: FloatArray
    received: FloatArray
    lost: FloatArray
    ordered: FloatArray
    orders: IntArray
    stockout_periods: IntArray

    @classmethod
    def starting(cls, on_hand: FloatArray, periods: int) -> _Stock:
        rows = on_hand.size

        def zeros() -> FloatArray:
            return np.zeros(rows)

        return cls(
            on_hand=on_hand.copy(),
            arrivals=np.zeros((rows, periods)),
            on_order=zeros(),
            backorders=zeros(),
            filled=zeros(),
            shipped=zeros(),
            received=zeros(),
            lost=zeros(),
            ordered=zeros(),
            orders=np.zeros(rows, dtype=np.int64),
            stockout_periods=np.zeros(rows, dtype=np.int64),
        )

    def receive(self, period: int) -> None:
        arrived = self.arrivals[:, period]
        self.on_hand += arrived
        self.on_order -= arrived
        self.received += arrived

    def serve(self, demand: FloatArray, *, lost_sales: bool) -> FloatArray:
        """Ship what is owed (backorders first); returns this period's demand not filled."""
        owed = self.backorders + demand
        shipped = np.minimum(self.on_hand, owed)
        filled = np.maximum(shipped - self.backorders, 0.0)
        self.on_hand -= shipped
        short = demand - filled
        if lost_sales:
            self.lost += short
        else:
            self.backorders = owed - shipped
        self.filled += filled
        self.shipped += shipped
        self.stockout_periods += short > 0
        return short

    def order(
        self,
        period: int,
        quantity: FloatArray,
        lead_times: EmpiricalLeadTimes,
        rng: np.random.Generator,
    ) -> None:
        """Place the positive quantities; each arrives after a lead time drawn for it."""
        placing = np.flatnonzero(quantity > 0)
        if not placing.size:
            return
        due = period + lead_times.draw(rng, placing) + 1  # received at the end of t + L
        inside = due < self.arrivals.shape[1]
        np.add.at(self.arrivals, (placing[inside], due[inside]), quantity[placing[inside]])
        self.on_order[placing] += quantity[placing]
        self.ordered[placing] += quantity[placing]
        self.orders[placing] += 1
