"""Joint replenishment decision: buy, transfer, expedite or nothing, explained in money.

Frames in (see `inputs`), one sparse LP over the whole network solved by HiGHS
(`optimise`), orderable quantities and exact money out (`plan`, `decide`).
"""

from crossdock.planning.decisions.candidates import ReschedulingRules
from crossdock.planning.decisions.costs import (
    BREAKPOINT_FACTORS,
    HorizonDemand,
    ShortageChords,
    chord_error_bound,
    expected_leftover,
    expected_shortage,
    optimal_position,
    position_costs,
    shortage_chords,
)
from crossdock.planning.decisions.decide import ALTERNATIVE_COLUMNS, JointDecision, decide
from crossdock.planning.decisions.inputs import Problem, build_problem
from crossdock.planning.decisions.optimise import DecisionSolveError, LpSolution, solve

__all__ = [
    "ALTERNATIVE_COLUMNS",
    "BREAKPOINT_FACTORS",
    "DecisionSolveError",
    "HorizonDemand",
    "JointDecision",
    "LpSolution",
    "Problem",
    "ReschedulingRules",
    "ShortageChords",
    "build_problem",
    "chord_error_bound",
    "decide",
    "expected_leftover",
    "expected_shortage",
    "optimal_position",
    "position_costs",
    "shortage_chords",
    "solve",
]
