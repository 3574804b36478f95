"""Replay demand through stock under a replenishment policy, period by period.

The first layer of the network simulator (docs/planning/simulation.md): one echelon of
item-locations replenished by their suppliers, stochastic lead times drawn from observed
ones, lost sales or backorders, a review period, MOQ and order multiples, and the
metrics of issue 4 that one echelon can give. Transfers between warehouses, the
planning engine as a policy and the oracle come next.
"""

from crossdock.planning.simulation.inputs import CheckedInputs, Costs, SimulationInputs
from crossdock.planning.simulation.kernel import drawn_lead_times, simulate
from crossdock.planning.simulation.lead_times import EmpiricalLeadTimes
from crossdock.planning.simulation.policies import (
    Orders,
    Policy,
    PolicyView,
    ReorderPolicy,
    base_stock,
    normal_reorder_policy,
    static_min_max,
)
from crossdock.planning.simulation.run import SimulationRun
from crossdock.planning.simulation.tuning import TunedMinMax, tune_min_max

__all__ = [
    "CheckedInputs",
    "Costs",
    "EmpiricalLeadTimes",
    "Orders",
    "Policy",
    "PolicyView",
    "ReorderPolicy",
    "SimulationInputs",
    "SimulationRun",
    "TunedMinMax",
    "base_stock",
    "drawn_lead_times",
    "normal_reorder_policy",
    "simulate",
    "static_min_max",
    "tune_min_max",
]
