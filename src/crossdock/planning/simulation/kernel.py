"""The simulation loop: receive, serve, review, transfer, buy; period by period, all rows
at once.

Order of events in a period t: receipts due in t arrive (from suppliers and from DCs);
customer demand of t is served (backorders first, oldest demand first); at a review (t
divisible by the review period) the policy sees everything up to t and asks for
quantities; rows fed by a DC get transfers from their DC's stock (shared in proportion
to what each asked when the DC is short; what it cannot ship is not owed); then the
policy is asked again, seeing the stock the transfers left, and rows that buy place
purchase orders, and expedited ones on top when the policy asks. A lane carries at most its capacity
per period. An order or transfer placed in t with lead time L is received at the end of
t + L, so it serves demand from period t + L + 1 on (the textbook convention: a review
protects lead time + review period). What is due after the last period stays on order.
"""

from __future__ import annotations

import numpy as np

from crossdock.planning.policy import round_order_quantities
from crossdock.planning.simulation.inputs import (
    CheckedInputs,
    FloatArray,
    IntArray,
    SimulationInputs,
)
from crossdock.planning.simulation.policies import Orders, Policy, PolicyView
from crossdock.planning.simulation.run import Ledger, SimulationRun

__all__ = ["drawn_lead_times", "simulate"]


def drawn_lead_times(data: CheckedInputs, seed: int) -> IntArray:
    """The lead time of an order by each row in each period, as `simulate` draws them for
    `seed`: the same for every policy (common random numbers), and what a
    perfect-foresight policy is allowed to know."""
    return data.lead_times.draw_all(np.random.default_rng(seed), data.periods)


def simulate(
    inputs: SimulationInputs | CheckedInputs,
    policy: Policy,
    *,
    review_period: int = 1,
    lost_sales: bool = True,
    seed: int = 0,
) -> SimulationRun:
    """Replay `inputs.demand` under `policy`; the same seed gives the same run.

    Raises:
        ValueError: a review period below 1, or inputs that do not check (see
            `SimulationInputs.checked`; check once and pass `CheckedInputs` to replay
            the same inputs many times).
    """
    if review_period < 1:
        raise ValueError(f"review_period: need at least 1 period, got {review_period}")
    if isinstance(inputs, SimulationInputs):
        inputs = inputs.checked()
    lead = drawn_lead_times(inputs, seed)
    book = Ledger.starting(inputs)
    fed = inputs.parent >= 0
    for period in range(inputs.periods):
        book.receive(period)
        book.serve(period, inputs.demand[:, period], lost_sales=lost_sales)
        if period % review_period == 0:
            used = np.zeros(inputs.lane_capacity.size)
            asked = _asked(policy, book, inputs, period)
            _transfer(book, inputs, period, np.where(fed, asked.quantity, 0.0), lead, used)
            # buys are decided after the transfers left: a DC sees what it has left
            asked = _asked(policy, book, inputs, period)
            normal = np.where(fed, 0.0, asked.quantity)
            _buy(book, inputs, period, normal, lead, used, expedited=False)
            if asked.expedite is not None:
                fast = np.where(fed, 0.0, asked.expedite)
                _buy(book, inputs, period, fast, lead, used, expedited=True)
        book.close(period)
    return book.run(policy=policy.name, review_period=review_period, lost_sales=lost_sales)


def _asked(policy: Policy, book: Ledger, inputs: CheckedInputs, period: int) -> Orders:
    """What the policy asks for, seeing the stock as it is now, rounded to MOQ and
    multiples."""
    arriving = book.arrivals[:, period + 1 :]
    arriving.flags.writeable = False  # a view: the policy reads, never writes
    view = PolicyView(
        period=period,
        on_hand=book.on_hand.copy(),
        on_order=book.on_order.copy(),
        backorders=book.backorders.copy(),
        demand=inputs.demand[:, : period + 1],
        arriving=arriving,
    )
    asked = Orders.of(policy.order(view))

    def rounded(units: FloatArray) -> FloatArray:
        return round_order_quantities(
            units, order_multiple=inputs.order_multiple, moq=inputs.moq
        ).astype(np.float64)

    fast = None if asked.expedite is None else rounded(asked.expedite)
    return Orders(rounded(asked.quantity), fast)


def _transfer(
    book: Ledger,
    data: CheckedInputs,
    period: int,
    asked: FloatArray,
    lead: IntArray,
    used: FloatArray,
) -> None:
    rows = np.flatnonzero(asked > 0)
    if not rows.size:
        return
    dc = data.parent[rows]
    shipped = _share(asked[rows], dc, np.maximum(book.on_hand, 0.0), data.rows)
    shipped = _within_capacity(rows, shipped, data, used)
    book.ship_transfers(period, rows, dc, asked[rows], shipped, lead[rows, period])


def _buy(
    book: Ledger,
    data: CheckedInputs,
    period: int,
    quantity: FloatArray,
    lead: IntArray,
    used: FloatArray,
    *,
    expedited: bool,
) -> None:
    rows = np.flatnonzero(quantity > 0)
    if not rows.size:
        return
    placed = _within_capacity(rows, quantity[rows], data, used)
    lead_time = data.expedite_lead_time[rows] if expedited else lead[rows, period]
    book.place_buys(period, rows, placed, lead_time, expedited=expedited)


def _share(asked: FloatArray, dc: IntArray, available: FloatArray, rows: int) -> FloatArray:
    """Whole units each request gets from its DC: all of it when the DC has enough, else
    the DC's stock in proportion to the requests (the units left by rounding down go to
    the largest remainders)."""
    total = np.bincount(dc, asked, minlength=rows)
    stock = np.floor(available)
    ratio = np.where(total > stock, stock / np.where(total > 0, total, 1.0), 1.0)
    exact = asked * ratio[dc]
    shipped = np.floor(exact + 1e-9)
    short = ratio[dc] < 1.0
    if short.any():
        spare = stock - np.bincount(dc, shipped, minlength=rows)
        order = np.lexsort((-(exact - shipped), dc))
        rank = np.empty_like(order)
        ordered_dc = dc[order]
        first = np.searchsorted(ordered_dc, ordered_dc)  # first position of each DC
        rank[order] = np.arange(order.size) - first
        extra = short & (rank < spare[dc]) & (shipped < asked)
        shipped = shipped + extra
    return np.minimum(shipped, asked)


def _within_capacity(
    rows: IntArray, quantity: FloatArray, data: CheckedInputs, used: FloatArray
) -> FloatArray:
    """Quantities cut, in proportion, to what each lane can still carry this period."""
    lane = data.lane[rows]
    on_lane = lane >= 0
    if not on_lane.any():
        return quantity
    load = np.bincount(lane[on_lane], quantity[on_lane], minlength=used.size)
    room = np.maximum(data.lane_capacity - used, 0.0)
    factor = np.where(load > room, room / np.where(load > 0, load, 1.0), 1.0)
    out = quantity.copy()
    out[on_lane] = np.floor(quantity[on_lane] * factor[lane[on_lane]] + 1e-9)
    used += np.bincount(lane[on_lane], out[on_lane], minlength=used.size)
    return out
