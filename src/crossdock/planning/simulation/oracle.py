"""The perfect-foresight policy: the bound every real policy is measured against.

It knows the whole demand history and the lead time each of its orders will get (the
draws of the run's seed), and orders just in time: at each review, enough to cover what
its row must ship until the next review's order arrives, less what it has and has on
the way. A DC's requirement is its own customers' demand plus what its branches'
perfect-foresight orders will ask of it. It holds no safety stock; MOQs, order
multiples and lane capacities still make it hold some. It is a just-in-time heuristic
with perfect information, not an optimised bound: with fixed costs per order a policy
could beat it by ordering less often.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossdock.planning.simulation.inputs import CheckedInputs, FloatArray, IntArray
from crossdock.planning.simulation.kernel import drawn_lead_times
from crossdock.planning.simulation.policies import PolicyView


@dataclass(frozen=True)
class PerfectForesight:
    """Orders with the future known; build it with `perfect_foresight`."""

    cumulative: FloatArray  # (rows, periods): units each row must ship up to each period
    covered_until: IntArray  # (rows, periods): first period the next order can serve
    name: str = "perfect foresight"

    def needed(self, period: int) -> FloatArray:
        """Per row, what it must ship from `period` + 1 until the next order arrives."""
        last = np.minimum(self.covered_until[:, period] - 1, self.cumulative.shape[1] - 1)
        rows = np.arange(self.cumulative.shape[0])
        return np.asarray(self.cumulative[rows, last] - self.cumulative[:, period])

    def order(self, view: PolicyView) -> FloatArray:
        wanted = self.needed(view.period) - view.position
        return np.asarray(np.maximum(wanted, 0.0), dtype=np.float64)


def perfect_foresight(
    inputs: CheckedInputs, *, review_period: int = 1, seed: int = 0
) -> PerfectForesight:
    """The oracle for `inputs` replayed with `seed` every `review_period` periods."""
    lead = drawn_lead_times(inputs, seed)
    periods = inputs.periods
    t = np.arange(periods)
    next_review = (t // review_period + 1) * review_period
    # the first period the order of the next review can serve, per row and period
    later = np.minimum(next_review, periods - 1)
    covered = np.where(
        next_review[None, :] < periods, next_review[None, :] + lead[:, later] + 1, periods
    )
    requirement = inputs.demand.copy()
    branches = np.flatnonzero(inputs.parent >= 0)
    if branches.size:
        asked = _unconstrained_orders(
            np.cumsum(inputs.demand[branches], axis=1),
            covered[branches],
            inputs.on_hand[branches],
            review_period,
        )
        np.add.at(requirement, inputs.parent[branches], asked)
    return PerfectForesight(np.cumsum(requirement, axis=1), covered.astype(np.int64))


def _unconstrained_orders(
    cumulative: FloatArray, covered_until: IntArray, on_hand: FloatArray, review_period: int
) -> FloatArray:
    """What perfect-foresight branches ask of their DC in each period, when every
    transfer ships in full and arrives when drawn."""
    rows, periods = cumulative.shape
    asked = np.zeros((rows, periods))
    supplied = on_hand.copy()  # starting stock + everything asked so far
    for t in range(0, periods, review_period):
        last = np.minimum(covered_until[:, t] - 1, periods - 1)
        need = cumulative[np.arange(rows), last]
        asked[:, t] = np.maximum(need - supplied, 0.0)
        supplied = np.maximum(supplied, need)
    return asked
