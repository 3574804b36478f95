"""Supplier lead-time risk: learn lead-time and lateness distributions, score open POs."""

from crossdock.planning.lead_times.distribution import (
    EmpiricalDistribution,
    ProductLimit,
    blend,
)
from crossdock.planning.lead_times.learn import (
    DEFAULT_LEVELS,
    AcknowledgmentEffect,
    Evidence,
    GroupHistory,
    LeadTimeEstimate,
    LeadTimeModel,
    learn_lead_times,
)
from crossdock.planning.lead_times.score import score_open_lines

__all__ = [
    "DEFAULT_LEVELS",
    "AcknowledgmentEffect",
    "EmpiricalDistribution",
    "Evidence",
    "GroupHistory",
    "LeadTimeEstimate",
    "LeadTimeModel",
    "ProductLimit",
    "blend",
    "learn_lead_times",
    "score_open_lines",
]
