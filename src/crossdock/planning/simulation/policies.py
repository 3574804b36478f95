"""Replenishment policies behind one interface: what to order at a review, from what is
known up to that period (a policy never sees demand after it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

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
    """

    period: int
    on_hand: FloatArray
    on_order: FloatArray
    backorders: FloatArray
    demand: FloatArray

    @property
    def position(self) -> FloatArray:
        """Inventory position: on hand + on order - backorders."""
        return self.on_hand + self.on_order - self.backorders


class Policy(Protocol):
    """Decides order quantities at a review; the kernel rounds them to MOQ and multiples."""

    @property
    def name(self) -> str: ...

    def order(self, view: PolicyView) -> FloatArray: ...


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
