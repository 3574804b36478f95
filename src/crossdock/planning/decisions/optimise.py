"""The joint decision as one sparse LP, solved by HiGHS (through scipy.optimize.linprog).

For every item-location r touched by a candidate action, the expected position at the
horizon end is y_r = b0_r - u_r + sum_k d_rk + t_r with d_rk in [0, width_k] (the chords
of the shortage curve, see `costs`), u_r >= 0 (below the first breakpoint, shortage
slope -1) and t_r >= 0 (above the last, slope 0). Its cost h (y - mean) + (h + p) S(y)
becomes the linear objective p u + sum_k (h + (h + p) slope_k) d_k + h t plus a constant;
convexity makes the LP fill the segments in order. Rows:

    y_r - sum_a effect_ra x_a = base_r      (effect: +gain where a delivers, -1 where it
                                             ships from, the same at their echelons)
    sum_a x_a [a ships from r] <= spare_r                 (what the source can spare)
    sum_a x_a [a uses lane l]  <= capacity_l               (lanes shared by all items)

Items only meet in lane capacities, so the matrix is block diagonal plus those rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse

from crossdock.domain.errors import CrossdockError
from crossdock.planning.decisions.costs import exceedance, shortage_chords
from crossdock.planning.decisions.inputs import Problem
from crossdock.planning.policy._arrays import BoolArray, FloatArray


class DecisionSolveError(CrossdockError, RuntimeError):
    """HiGHS did not return an optimal plan; carries its status and message."""

    def __init__(self, *, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(f"joint decision LP failed (status {status}): {message}")


@dataclass(frozen=True, slots=True)
class LpSolution:
    """Units per candidate action (unrounded), and the LP's own size and objective."""

    quantity: FloatArray  # one per row of problem.actions; 0 for pruned candidates
    considered: BoolArray  # False where pruning showed the action can never pay
    objective: float
    variables: int
    constraints: int


def worth_considering(problem: Problem) -> BoolArray:
    """Candidates whose first unit saves more where it lands than it costs.

    The cost is convex in the positions, so an action whose first unit does not pay at
    today's positions never pays (destinations do not ship out what they receive). What
    it lands on is its destination and, if that has one, the destination's echelon.
    """
    if problem.dest.size == 0:
        return np.zeros(0, dtype=np.bool_)
    h, p = problem.holding_per_unit, problem.shortage_penalty
    tail = exceedance(problem.demand, problem.base)
    saving_per_unit = (h + p) * tail - h
    rows, cols, coef = problem.effects()
    adds = coef > 0.0
    saving = np.bincount(
        cols[adds], coef[adds] * saving_per_unit[rows[adds]], minlength=problem.dest.size
    )
    return np.asarray((saving > problem.unit_cost + 1e-9) & (problem.gain > 0.0), dtype=np.bool_)


def solve(problem: Problem) -> LpSolution:
    """Solve the LP for every candidate worth considering.

    Raises:
        DecisionSolveError: HiGHS reports anything but an optimum.
    """
    keep = worth_considering(problem)
    n_actions = len(problem.actions)
    quantity = np.zeros(n_actions)
    chosen = np.flatnonzero(keep)
    if chosen.size == 0:
        return LpSolution(quantity, keep, 0.0, 0, 0)
    source = problem.source[chosen]
    effect_row, effect_col, effect = problem.effects()
    picked = keep[effect_col]
    column = np.full(n_actions, -1, dtype=np.int64)
    column[chosen] = np.arange(chosen.size)
    effect_row, effect_col, effect = (
        effect_row[picked],
        column[effect_col[picked]],
        effect[picked],
    )
    active = np.unique(effect_row)
    local = np.full(len(problem.base), -1, dtype=np.int64)
    local[active] = np.arange(active.size)
    n_rows = active.size

    demand = problem.demand.take(active)
    chords = shortage_chords(demand)
    width = np.diff(chords.points, axis=1)
    k = width.shape[1]
    h, p = problem.holding_per_unit[active], problem.shortage_penalty[active]
    seg_cost = h[:, None] + (h + p)[:, None] * chords.slopes
    b0 = chords.points[:, 0]
    constant = float(np.sum(h * (b0 - demand.total_mean) + (h + p) * chords.values[:, 0]))

    # column blocks, in order: u per row, d per row and segment, t per row, x per action
    n_seg = n_rows * k
    off_d, off_t, off_x = n_rows, n_rows + n_seg, 2 * n_rows + n_seg
    n_cols = off_x + chosen.size
    cost = np.concatenate([p, seg_cost.ravel(), h, problem.unit_cost[chosen]])
    upper = np.concatenate(
        [
            np.full(n_rows, np.inf),
            width.ravel(),
            np.full(n_rows, np.inf),
            problem.actions["upper"].to_numpy(np.float64)[chosen],
        ]
    )
    rows_idx = np.arange(n_rows)
    x_idx = off_x + np.arange(chosen.size)
    ships = source >= 0
    eq_rows = np.concatenate([rows_idx, np.repeat(rows_idx, k), rows_idx, local[effect_row]])
    eq_cols = np.concatenate(
        [rows_idx, off_d + np.arange(n_seg), off_t + rows_idx, off_x + effect_col]
    )
    eq_vals = np.concatenate([-np.ones(n_rows), np.ones(n_seg), np.ones(n_rows), -effect])
    a_eq = sparse.csr_matrix((eq_vals, (eq_rows, eq_cols)), shape=(n_rows, n_cols))
    b_eq = problem.base[active] - b0

    givers, giver_row = np.unique(source[ships], return_inverse=True)
    lanes = problem.actions["lane"].to_numpy(np.int64)[chosen]
    capacity = problem.lane_capacity
    limited = (lanes >= 0) & np.isfinite(capacity[np.maximum(lanes, 0)] if capacity.size else False)
    lane_ids, lane_row = np.unique(lanes[limited], return_inverse=True)
    ub_rows = np.concatenate([giver_row, givers.size + lane_row])
    ub_cols = np.concatenate([x_idx[ships], x_idx[limited]])
    a_ub = sparse.csr_matrix(
        (np.ones(ub_rows.size), (ub_rows, ub_cols)), shape=(givers.size + lane_ids.size, n_cols)
    )
    b_ub = np.concatenate([problem.spare[givers], capacity[lane_ids] if lane_ids.size else []])
    result = optimize.linprog(
        cost,
        A_ub=a_ub if b_ub.size else None,
        b_ub=b_ub if b_ub.size else None,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=np.column_stack([np.zeros(n_cols), upper]),
        method="highs",
        # Devex pricing in HiGHS' dual simplex: same optimum, about 15% faster on the
        # 10 x 10k benchmark than HiGHS' own choice; see benchmarks/RESULTS.md.
        options={"simplex_dual_edge_weight_strategy": "devex"},
    )
    if result.status != 0:
        raise DecisionSolveError(status=int(result.status), message=str(result.message))
    quantity[chosen] = np.maximum(result.x[off_x:], 0.0)
    return LpSolution(
        quantity=quantity,
        considered=keep,
        objective=float(result.fun) + constant,
        variables=n_cols,
        constraints=n_rows + int(b_ub.size),
    )
