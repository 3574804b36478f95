"""Replay demand through a network under a replenishment policy, period by period.

The network simulator (docs/planning/simulation.md): DCs feeding branches by transfer
over lanes with transit times and capacities, suppliers with lead times drawn from
observed ones, lost sales or backorders, a review period, MOQ and order multiples,
expedites and costs; policies behind one interface (ERP min/max and its tuner, (s, S),
base stock; the planning engine in `engine`, the perfect-foresight oracle in `oracle`);
figures per network, location or any set of rows.
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
