"""Replenishment policies behind one interface: what to order at a review, from what is
known up to that period (a policy never sees demand after it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from crossdock.planning.policy import lead_time_demand, size_for_cycle_service

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PolicyView:
    """What a policy knows at the review at the end of `period`.

    Attributes:
        period: the period just served (0-based).
        on_hand: stock on hand after serving it.
        on_order: ordered, not yet received.
        backorders: demand owed to customers (0 under lost sales).
        demand: demand of periods 0..period, one row per item-location.
        arriving: what is on order by the period it is due, from period + 1 on
            (rows x periods left; read-only), as open POs and transfers tell a planner.
    """

    period: int
    on_hand: FloatArray
    on_order: FloatArray
    backorders: FloatArray
    demand: FloatArray
    arriving: FloatArray | None = None

    @property
    def position(self) -> FloatArray:
        """Inventory position: on hand + on order - backorders."""
        return self.on_hand + self.on_order - self.backorders


@dataclass(frozen=True)
class Orders:
    """What a policy asks for at a review.

    Attributes:
        quantity: per row, units to buy (a row fed by its supplier) or to ask of its DC
            (a row fed by a DC); 0 for none.
        expedite: per row that buys, units to buy on top, expedited (the row's own
            shorter lead time, at a premium); None for none.
    """

    quantity: FloatArray
    expedite: FloatArray | None = None

    @classmethod
    def of(cls, asked: FloatArray | Orders) -> Orders:
        """`asked` as orders: a bare array of quantities has no expedites."""
        return asked if isinstance(asked, Orders) else cls(np.asarray(asked, dtype=np.float64))


class Policy(Protocol):
    """Decides quantities at a review; the kernel rounds them to MOQ and multiples, ships
    transfers from what each DC has, and places the buys."""

    @property
    def name(self) -> str: ...

    def order(self, view: PolicyView) -> FloatArray | Orders: ...


@dataclass(frozen=True)
class ReorderPolicy:
    """(s, S): order up to `order_up_to` when the position is at or below `reorder_point`.

    A static min/max order point (as in Tryton, Odoo and ERPNext) is (min, max); a
    base-stock policy is (S - 1 unit, S) in whole units: order whenever below S.
    """

    name: str
    reorder_point: FloatArray
    order_up_to: FloatArray

    def order(self, view: PolicyView) -> FloatArray:
        position = view.position
        wanted = np.where(position <= self.reorder_point, self.order_up_to - position, 0.0)
        return np.maximum(wanted, 0.0)


def static_min_max(
    mean_demand: npt.ArrayLike, *, min_periods: float, max_periods: float
) -> ReorderPolicy:
    """Min and max as planners set them: so many periods of average demand.

    Raises:
        ValueError: `max_periods` below `min_periods`, or either negative.
    """
    if not 0 <= min_periods <= max_periods:
        raise ValueError(
            f"min/max: need 0 <= min_periods <= max_periods, got {min_periods}, {max_periods}"
        )
    mean = np.asarray(mean_demand, dtype=np.float64)
    return ReorderPolicy(
        name=f"min/max {min_periods:g}/{max_periods:g} periods",
        reorder_point=mean * min_periods,
        order_up_to=mean * max_periods,
    )


def base_stock(order_up_to: npt.ArrayLike, name: str = "base stock") -> ReorderPolicy:
    """Order up to S at every review where the position is below S (whole units)."""
    level = np.asarray(order_up_to, dtype=np.float64)
    return ReorderPolicy(name=name, reorder_point=np.ceil(level) - 1.0, order_up_to=level)


def normal_reorder_policy(
    *,
    demand_mean: npt.ArrayLike,
    demand_std: npt.ArrayLike,
    lead_time_mean: npt.ArrayLike,
    lead_time_std: npt.ArrayLike = 0.0,
    review_period: float = 1.0,
    cycle_service_level: float,
    order_quantity: npt.ArrayLike = 0.0,
) -> ReorderPolicy:
    """The textbook (s, S): s = mean + z x std of demand over lead time + review period,
    normal approximation (demand and lead-time uncertainty combined, as the plan does in
    `planning.policy`); S = s + the order quantity. With the default quantity 0 this is
    the periodic-review base stock (R, S): each review orders up to S, and a review cycle
    runs out with probability 1 - `cycle_service_level`; a quantity above 0 orders less
    often and serves better than the target. Per-period inputs, one row per item-location.

    Raises:
        PolicyInputError: a missing or negative input, naming it and the row.
    """
    demand = lead_time_demand(
        demand_mean=demand_mean,
        demand_std=demand_std,
        lead_time_mean=lead_time_mean,
        lead_time_std=lead_time_std,
        review_period=review_period,
        family="normal",
    )
    levels = size_for_cycle_service(
        demand, cycle_service_level=cycle_service_level, order_quantity=order_quantity
    )
    return ReorderPolicy(
        name=f"(s, S) normal, {cycle_service_level:.1%} cycle service",
        reorder_point=levels.reorder_point,
        order_up_to=levels.order_up_to,
    )
