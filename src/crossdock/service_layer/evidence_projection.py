"""Stock at one warehouse projected day by day without and with a recommendation's
action, for the recommendation page's evidence (docs/workbench.md, "Recommendation
evidence").

`project_inventory`, the code the plan runs, over the newest stock count on or before
the plan's day, open PO lines (on their promised date) and open transfers (on their
expected date) into the warehouse, and the forecast laid out per day. "With the
action" changes only the action's own supply: a buy or an incoming transfer arrives on
its arrival date; an expedite or a deferral moves its PO line's units to that date; a
cancellation removes them; the shipping warehouse of a transfer gives the units up from
the first day.

Kept apart from `recommendation_evidence`, which reads the drivers, checks the actor's
sites and says why a projection is missing; this module only projects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final

import pandas as pd

from crossdock.planning.projection import project_inventory
from crossdock.service_layer.evidence_ports import (
    EvidenceReads,
    EvidenceSubject,
    InboundLine,
    StockCount,
)

_INBOUND_KINDS: Final = frozenset({"buy", "transfer", "rebalance"})
_LINE_KINDS: Final = frozenset({"expedite", "defer", "cancel"})


@dataclass(frozen=True)
class ProjectionEvidence:
    """Projected on hand per day at one warehouse, without and with the action."""

    location_code: str
    dates: list[date]
    without_action: list[float]
    with_action: list[float] | None
    available: float
    backordered: float
    counted_on: date
    scheduled: list[InboundLine]
    undated: int = 0  # open lines without a date: not in the projection
    action_index: int | None = None  # the day the action changes stock, in `dates`
    action_label: str = "arrival"
    why_no_action: str | None = None
    safety_stock: float | None = None
    reorder_point: float | None = None
    reorder_point_label: str = "reorder point"
    first_stockout_without: date | None = None
    first_stockout_with: date | None = None


@dataclass(frozen=True)
class DailyDemand:
    """A warehouse's forecast laid out per day after as_of, as the plan does: the mean
    and standard deviation of each day's demand (both empty: projected without demand)."""

    mean: list[float]
    std: list[float]


def receiver_projection(
    reads: EvidenceReads,
    subject: EvidenceSubject,
    stock: StockCount,
    daily: DailyDemand,
    *,
    as_of: date,
    horizon: int,
) -> ProjectionEvidence:
    """Stock at the warehouse the recommendation supplies (`subject.to_code`), without
    and with its action, from `stock` and the warehouse's open inbound on `as_of`."""
    inbound = reads.inbound(sku=subject.sku, location_code=subject.to_code, as_of=as_of)
    return _project(
        stock,
        inbound,
        _receiver_change(subject, inbound, as_of=as_of),
        daily,
        location=subject.to_code,
        as_of=as_of,
        horizon=horizon,
    )


def shipper_projection(
    reads: EvidenceReads,
    subject: EvidenceSubject,
    stock: StockCount,
    daily: DailyDemand,
    *,
    source: str,
    as_of: date,
    horizon: int,
) -> ProjectionEvidence:
    """Stock at the warehouse that ships a transfer (`source`), without and with the
    transfer's units committed from the first day after `as_of`."""
    inbound = reads.inbound(sku=subject.sku, location_code=source, as_of=as_of)
    change = _Change(receipts=inbound, committed=subject.quantity, day=as_of + timedelta(days=1))
    projection = _project(
        stock, inbound, change, daily, location=source, as_of=as_of, horizon=horizon
    )
    return replace(projection, action_label="ships", reorder_point_label="keeps")


@dataclass(frozen=True)
class _Change:
    """What the action does to one warehouse's inputs in the "with" scenario."""

    receipts: list[InboundLine]
    committed: float = 0.0  # units leaving from the first day (a transfer's shipper)
    day: date | None = None
    why_not: str | None = None


def _receiver_change(
    subject: EvidenceSubject, inbound: list[InboundLine], *, as_of: date
) -> _Change:
    arrival = subject.arrival_date
    quantity = subject.quantity
    if subject.kind in _INBOUND_KINDS:
        if arrival is None:
            return _Change(inbound, why_not="the recommendation has no arrival date")
        added = InboundLine(
            "action", f"recommendation {subject.recommendation_id}", 1, quantity, arrival
        )
        return _Change([*inbound, added], day=max(arrival, as_of + timedelta(days=1)))
    if subject.kind in _LINE_KINDS:
        return _line_change(subject, inbound, as_of=as_of)
    return _Change(inbound, why_not=f"a {subject.kind} does not change stock on hand here")


def _line_change(subject: EvidenceSubject, inbound: list[InboundLine], *, as_of: date) -> _Change:
    """An expedite or deferral moves the PO line's units to the new arrival date; a
    cancellation takes them out."""
    at = [
        i
        for i, line in enumerate(inbound)
        if line.source == "po"
        and line.document == subject.po_number
        and line.line_number == subject.line_number
    ]
    if not at:
        return _Change(
            inbound,
            why_not=f"PO {subject.po_number} line {subject.line_number} was not open "
            f"on {as_of.isoformat()}",
        )
    line = inbound[at[0]]
    moved = min(subject.quantity, line.quantity)
    receipts = [*inbound[: at[0]], replace(line, quantity=line.quantity - moved)]
    receipts += inbound[at[0] + 1 :]
    if subject.kind == "cancel":
        return _Change(receipts, day=line.expected_date)
    arrival = subject.arrival_date
    if arrival is None:
        return _Change(inbound, why_not="the recommendation has no new arrival date")
    return _Change(
        [*receipts, replace(line, quantity=moved, expected_date=arrival)],
        day=min(arrival, line.expected_date or arrival),
    )


def _project(
    stock: StockCount,
    inbound: Sequence[InboundLine],
    change: _Change,
    daily: DailyDemand,
    *,
    location: str,
    as_of: date,
    horizon: int,
) -> ProjectionEvidence:
    """Run the plan's projection engine for "without" and "with" in one call."""
    scenarios = ["without"] if change.why_not else ["without", "with"]
    positions = pd.DataFrame(
        {
            "scenario": scenarios,
            "on_hand": stock.on_hand,
            "allocated": stock.allocated,
            "on_hold": stock.on_hold,
            "in_transit": stock.in_transit,
            "on_order": stock.on_order,
            "backordered": [stock.backordered, stock.backordered + change.committed][
                : len(scenarios)
            ],
        }
    )
    supply = {"without": list(inbound), "with": change.receipts}
    receipts = pd.DataFrame(
        [
            {"scenario": s, "expected_date": pd.Timestamp(line.expected_date), "quantity": q}
            for s in scenarios
            for line in supply[s]
            if line.expected_date is not None and (q := line.quantity) > 0
        ],
        columns=["scenario", "expected_date", "quantity"],
    )
    days = pd.date_range(pd.Timestamp(as_of) + pd.Timedelta(days=1), periods=len(daily.mean))
    forecasts = pd.DataFrame(
        {
            "scenario": [s for s in scenarios for _ in daily.mean],
            "ds": list(days) * len(scenarios),
            "mean": daily.mean * len(scenarios),
            "std": daily.std * len(scenarios),
        }
    )
    result = project_inventory(
        positions,
        receipts if len(receipts) else None,
        forecasts,
        as_of=as_of,
        horizon_days=horizon,
        key_columns=("scenario",),
    )
    dates = [ts.date() for ts in result.dates]
    paths = [[round(float(v), 4) for v in row] for row in result.projected_on_hand]
    stockouts = [_day(v) for v in result.summary["first_stockout_date"]]
    action_index = None
    if change.day is not None and dates and change.day <= dates[-1]:
        action_index = max((change.day - dates[0]).days, 0)  # overdue: the first day
    return ProjectionEvidence(
        location_code=location,
        dates=dates,
        without_action=paths[0],
        with_action=paths[1] if len(paths) > 1 else None,
        available=max(stock.on_hand - stock.allocated - stock.on_hold, 0.0),
        backordered=stock.backordered,
        counted_on=stock.counted_on,
        scheduled=[line for line in inbound if line.expected_date is not None],
        undated=sum(1 for line in inbound if line.expected_date is None),
        action_index=action_index,
        why_no_action=change.why_not,
        first_stockout_without=stockouts[0],
        first_stockout_with=stockouts[1] if len(stockouts) > 1 else None,
    )


def _day(value: object) -> date | None:
    if value is None or value is pd.NaT:
        return None
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(stamp) else stamp.date()
