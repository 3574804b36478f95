"""The promotional calendar: the promotions that ran, and those planned ahead.

The history's promotions are the windows demand was simulated with, so
`demand_history.on_promotion` and the calendar agree day for day. Planned ones are
drawn with the same rhythm (promoted SKUs, windows a year, 7 to 14 days each) for
the `PLANNED_DAYS` after the last day of history, as a distributor agrees its deals
with customers and suppliers weeks ahead. Promotions are national: each window is one
row per warehouse, never one per day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.demo.catalogue import Catalogue
from crossdock.demo.demand import PROMOTION_DAYS, PROMOTIONS_PER_YEAR, PromotionWindows
from crossdock.demo.frames import (
    BoolArray,
    FloatArray,
    IntArray,
    TextArray,
    as_dates,
    entity_frame,
    numbered,
)
from crossdock.demo.network import Network

PLANNED_DAYS = 56  # the calendar reaches 8 weeks past the last day of history
KINDS = ("price_cut", "deal", "feature")
KIND_SHARES = (0.5, 0.3, 0.2)
CANCELLED_SHARE = 0.05  # of planned promotions, called off since they were agreed


@dataclass(frozen=True, slots=True)
class PromotionCalendar:
    """Promotion windows in the order of their codes (by start day, then SKU).

    Overlapping windows of one SKU are merged into one promotion, so a SKU is on
    promotion on exactly the days some window covers. Days count from the first day
    of history; `end` is exclusive.
    """

    sku: IntArray
    start: IntArray
    end: IntArray
    discount: FloatArray  # per window, the share off the list price
    kind: TextArray
    cancelled: BoolArray  # only planned promotions are ever cancelled


def plan_promotions(
    history: PromotionWindows,
    *,
    days: int,
    discontinued: BoolArray,
    rng: np.random.Generator,
) -> PromotionCalendar:
    """The history's promotions and those planned for the next `PLANNED_DAYS` days.

    Args:
        history: the windows demand was simulated with, for `days` days of history.
        days: days of history; day `days` is the first planned day.
        discontinued: per SKU, no longer sold, so never promoted again.
        rng: draws the planned windows, every kind and the cancellations; the
            history is not drawn again, so it stays as demand saw it.

    Returns:
        Every window, merged where one SKU's windows overlap.
    """
    promoted = np.unique(history.sku)
    promoted = promoted[~discontinued[promoted]]
    count = rng.poisson(PROMOTIONS_PER_YEAR * PLANNED_DAYS / 365.25, len(promoted))
    planned_sku = np.repeat(promoted, count)
    planned_start = days + rng.integers(0, PLANNED_DAYS, len(planned_sku))
    planned_end = planned_start + rng.integers(*PROMOTION_DAYS, len(planned_sku))
    sku, start, end = _merge_overlaps(
        np.concatenate([history.sku, planned_sku]),
        np.concatenate([history.start, planned_start]),
        np.concatenate([history.end, planned_end]),
    )
    kind = np.asarray(KINDS, dtype=object)[rng.choice(len(KINDS), len(sku), p=KIND_SHARES)]
    cancelled = (start >= days) & (rng.random(len(sku)) < CANCELLED_SHARE)
    return PromotionCalendar(
        sku=sku,
        start=start,
        end=end,
        discount=history.discount[sku],
        kind=kind,
        cancelled=cancelled,
    )


def _merge_overlaps(
    sku: IntArray, start: IntArray, end: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """One window per run of overlapping windows of a SKU, ordered by start, then SKU."""
    if len(sku) == 0:
        return sku, start, end
    order = np.lexsort((start, sku))
    sku, start, end = sku[order], start[order], end[order]
    # The furthest end so far within each SKU: SKUs ascend, so offsetting each end by
    # its SKU keeps a running maximum from leaking into the next SKU.
    span = int(end.max()) + 1
    reach = np.maximum.accumulate(sku * span + end) - sku * span
    first = np.ones(len(sku), dtype=np.bool_)
    first[1:] = (sku[1:] != sku[:-1]) | (start[1:] >= reach[:-1])
    heads = np.flatnonzero(first)
    merged = (sku[heads], start[heads], np.maximum.reduceat(end, heads))
    chronological = np.lexsort((merged[0], merged[1]))
    return merged[0][chronological], merged[1][chronological], merged[2][chronological]


def promotion_frame(
    calendar: PromotionCalendar,
    *,
    network: Network,
    catalogue: Catalogue,
    origin: np.datetime64,
) -> pd.DataFrame:
    """The `promotions` rows: every window at every warehouse."""
    warehouses = network.size
    windows = len(calendar.sku)
    window = np.repeat(np.arange(windows), warehouses)
    codes = numbered("PROMO-", windows, width=6)
    sku = calendar.sku[window]
    discount = calendar.discount[window]
    list_price = catalogue.unit_prices[sku]
    status = np.where(calendar.cancelled, "cancelled", "confirmed").astype(object)
    return entity_frame(
        "promotions",
        {
            "promotion_code": codes[window],
            "sku": catalogue.skus[sku],
            "location_code": np.tile(np.array(network.codes, dtype=object), windows),
            "start_date": as_dates(calendar.start[window], origin),
            "end_date": as_dates(calendar.end[window] - 1, origin),  # inclusive
            "promo_price": np.round(list_price * (1.0 - discount), 2),
            "discount_rate": np.round(discount, 4),
            "kind": calendar.kind[window],
            "status": status[window],
        },
    )
