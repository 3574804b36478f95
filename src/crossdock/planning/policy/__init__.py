"""Inventory policy maths: lead-time demand, fill-rate sizing, segment targets, order sizing.

Arrays in, arrays out, one row per item-location; every function is vectorised.
"""

from crossdock.planning.policy._arrays import PolicyInputError
from crossdock.planning.policy.echelon import EchelonTargets, two_echelon_targets
from crossdock.planning.policy.lead_time_demand import (
    GAMMA_CV_THRESHOLD,
    LeadTimeDemand,
    lead_time_demand,
)
from crossdock.planning.policy.loss import (
    gamma_loss,
    inverse_gamma_loss,
    inverse_normal_loss,
    normal_loss,
)
from crossdock.planning.policy.network import NetworkLevels, size_network
from crossdock.planning.policy.order_quantity import (
    economic_order_quantity,
    review_period_quantity,
    round_order_quantities,
)
from crossdock.planning.policy.segments import DEFAULT_FILL_RATE_TARGETS, FillRateTargets
from crossdock.planning.policy.sizing import (
    PolicyLevels,
    cycle_quantity,
    newsvendor_quantity,
    size_for_cycle_service,
    size_for_fill_rate,
)

__all__ = [
    "DEFAULT_FILL_RATE_TARGETS",
    "GAMMA_CV_THRESHOLD",
    "EchelonTargets",
    "FillRateTargets",
    "LeadTimeDemand",
    "NetworkLevels",
    "PolicyInputError",
    "PolicyLevels",
    "cycle_quantity",
    "economic_order_quantity",
    "gamma_loss",
    "inverse_gamma_loss",
    "inverse_normal_loss",
    "lead_time_demand",
    "newsvendor_quantity",
    "normal_loss",
    "review_period_quantity",
    "round_order_quantities",
    "size_for_cycle_service",
    "size_for_fill_rate",
    "size_network",
    "two_echelon_targets",
]
