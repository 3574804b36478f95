"""Replay demand through stock under a replenishment policy, period by period.

The first layer of the network simulator (docs/planning/simulation.md): one echelon of
item-locations replenished by their suppliers, stochastic lead times drawn from observed
ones, lost sales or backorders, a review period, MOQ and order multiples, and the
metrics of issue 4 that one echelon can give. Transfers between warehouses, the
planning engine as a policy and the oracle come next.
"""

from crossdock.planning.simulation.kernel import (
    SimulationInputs,
    SimulationRun,
    simulate,
)
from crossdock.planning.simulation.lead_times import EmpiricalLeadTimes
from crossdock.planning.simulation.policies import (
    Policy,
    PolicyView,
    ReorderPolicy,
    base_stock,
    normal_reorder_policy,
    static_min_max,
)
from crossdock.planning.simulation.tuning import TunedMinMax, tune_min_max

__all__ = [
    "EmpiricalLeadTimes",
    "Policy",
    "PolicyView",
    "ReorderPolicy",
    "SimulationInputs",
    "SimulationRun",
    "TunedMinMax",
    "base_stock",
    "normal_reorder_policy",
    "simulate",
    "static_min_max",
    "tune_min_max",
]
