"""Tune a static min/max to a fill-rate target, the way a diligent planner would."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossdock.planning.simulation.inputs import SimulationInputs
from crossdock.planning.simulation.kernel import simulate
from crossdock.planning.simulation.policies import ReorderPolicy, static_min_max


@dataclass(frozen=True)
class TunedMinMax:
    """The tuned policy and the search that found it.

    Attributes:
        policy: min/max at `scale` times the periods asked for.
        scale: the smallest multiplier found that reaches the target.
        fill_rate: the network fill rate at `scale`.
        below: a multiplier just under `scale` that misses the target (0 if none is
            needed: the target is met with no stock policy at all).
        runs: simulations the search took.
    """

    policy: ReorderPolicy
    scale: float
    fill_rate: float
    below: float
    runs: int


def tune_min_max(
    inputs: SimulationInputs,
    mean_demand: npt.ArrayLike,
    *,
    min_periods: float,
    max_periods: float,
    target_fill_rate: float,
    review_period: int = 1,
    lost_sales: bool = True,
    seed: int = 0,
    tolerance: float = 0.01,
    max_scale: float = 64.0,
) -> TunedMinMax:
    """Scale min and max together (min = k x `min_periods`, max = k x `max_periods` periods
    of `mean_demand`) to the smallest k, within `tolerance` relative, whose network fill
    rate on `inputs` reaches `target_fill_rate`. Every trial replays the same demand with
    the same seed, so trials differ only by k. The tuning sees the whole history it is
    scored on: an in-sample, favourable tuning of the baseline.

    Raises:
        ValueError: a target outside (0, 1], or one not reached even at `max_scale`
            (the best fill rate reached is named).
    """
    if not 0.0 < target_fill_rate <= 1.0:
        raise ValueError(f"target_fill_rate: need a share in (0, 1], got {target_fill_rate}")
    mean = np.asarray(mean_demand, dtype=np.float64)
    checked = inputs.checked()
    runs = 0

    def fill_rate(scale: float) -> float:
        nonlocal runs
        runs += 1
        policy = static_min_max(
            mean, min_periods=scale * min_periods, max_periods=scale * max_periods
        )
        run = simulate(
            checked, policy, review_period=review_period, lost_sales=lost_sales, seed=seed
        )
        return run.metrics()["fill_rate"]

    low, high = 0.0, 1.0
    reached = fill_rate(high)
    while reached < target_fill_rate:
        low, high = high, high * 2.0
        if high > max_scale:
            raise ValueError(
                f"min/max cannot reach a fill rate of {target_fill_rate:.1%}: "
                f"{reached:.2%} at {low:g}x ({low * min_periods:g}/{low * max_periods:g} "
                "periods of demand)"
            )
        reached = fill_rate(high)
    if low == 0.0:
        at_zero = fill_rate(low)  # no orders at all: the starting stock alone
        if at_zero >= target_fill_rate:
            high, reached = low, at_zero
    while high - low > tolerance * high:
        middle = (low + high) / 2.0
        met = fill_rate(middle)
        if met >= target_fill_rate:
            high, reached = middle, met
        else:
            low = middle
    return TunedMinMax(
        policy=static_min_max(mean, min_periods=high * min_periods, max_periods=high * max_periods),
        scale=high,
        fill_rate=reached,
        below=low,
        runs=runs,
    )
