"""Shipped customer orders of the weeks before the last day, drawn from the demand history.

The open order book (orders.py) is what is still to ship; this is what went out before
it, so a fill rate over recent weeks has something shipped to measure. Each day's
demand at a warehouse becomes a few orders from that warehouse's customers: one line
per SKU sold that day, shipped in full except where stock was short. A short line
ships part and the balance is cancelled, so the order is closed ("shipped") and never
reads as open demand to the agents, the plan or the stock allocated.

To keep the rows bounded, a warehouse-day gives at most `line_cap(skus)` lines: its
largest, which carry most of the units (at the default size the 200 largest of about
900 lines a day carry nearly 60% of them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossdock.demo.catalogue import Catalogue
from crossdock.demo.demand import DailyDemand
from crossdock.demo.frames import BoolArray, FloatArray, IntArray
from crossdock.demo.network import Network
from crossdock.demo.orders import SalesOrders, regional_customers

LINES_PER_ORDER = 20  # a day's lines at a warehouse are spread over ceil(lines / 20) orders
MIN_LINES_PER_WAREHOUSE_DAY = 200
SKUS_PER_LINE = 10  # larger catalogues: up to a tenth of the SKUs a warehouse-day
MAX_LEAD_DAYS = 3  # an order is placed 0 to 3 days before the day it is wanted and shipped
SHORT_SHARE_BY_TIER = {"gold": 0.01, "silver": 0.025, "bronze": 0.035}  # of lines
RUNNING_SHORT_DAYS = 14  # item-locations short at the end were short this long before it
RUNNING_SHORT_SHARE = 0.15  # added to the share of their lines shipped short in that time
SHORT_SHIPPED = (0.3, 0.9)  # share of the ordered units a short line ships


@dataclass(frozen=True, slots=True)
class RecentDemand:
    """The daily demand rows of the last weeks, item-location `il` as in DailyDemand."""

    item_location: IntArray
    day: IntArray
    quantity: FloatArray
    unit_price: FloatArray


def recent_demand(daily: DailyDemand, *, days: int, weeks: int) -> RecentDemand:
    """The demand of the last `weeks` weeks of a `days`-day history (all of it if shorter)."""
    keep = daily.day >= max(0, days - 7 * weeks) if weeks > 0 else np.zeros(len(daily.day), bool)
    return RecentDemand(
        item_location=daily.item_location[keep].astype(np.int64),
        day=daily.day[keep].astype(np.int64),
        quantity=daily.quantity[keep].astype(np.float64),
        unit_price=daily.unit_price[keep].astype(np.float64),
    )


def line_cap(skus: int) -> int:
    """Most order lines a warehouse gives for one day of demand."""
    return max(MIN_LINES_PER_WAREHOUSE_DAY, skus // SKUS_PER_LINE)


def ship_order_history(
    recent: RecentDemand,
    *,
    days: int,
    network: Network,
    catalogue: Catalogue,
    short: BoolArray,
    rng: np.random.Generator,
) -> SalesOrders:
    """Shipped orders for `recent` demand, in order of day, warehouse and order.

    Args:
        recent: Demand rows to turn into order lines (one line per row kept).
        days: Days of history; days count from its first day.
        network: The warehouses, whose regions pick the customers.
        catalogue: Customers (with tiers) and SKUs.
        short: Per item-location, whether stock is short at the end
            (`orders.running_short`); its lines of the last two weeks ship short more often.
        rng: The only source of randomness: same generator state, same orders.

    Returns:
        Orders requested on the day of the demand, placed 0-3 days before, all
        "shipped"; lines ship what was ordered, or part of it when short, with nothing
        backordered.
    """
    warehouses, cap = network.size, line_cap(len(catalogue.skus))
    kept = _largest_lines(recent, warehouses, cap)
    warehouse_day = recent.day[kept] * warehouses + recent.item_location[kept] % warehouses
    orders_that_day = np.ceil(np.bincount(warehouse_day)[warehouse_day] / LINES_PER_ORDER)
    slot = np.floor(rng.random(len(kept)) * orders_that_day).astype(np.int64)
    most_orders = -(-cap // LINES_PER_ORDER)
    keys, line_order = np.unique(warehouse_day * most_orders + slot, return_inverse=True)
    by_line = np.lexsort((recent.item_location[kept], line_order))  # SKU order in an order
    kept, line_order = kept[by_line], line_order[by_line]
    il, day = recent.item_location[kept], recent.day[kept]
    line_number = np.arange(len(kept)) - np.searchsorted(line_order, line_order) + 1

    first_line = np.searchsorted(line_order, np.arange(len(keys)))
    location = il[first_line] % warehouses
    wanted = day[first_line]
    customer = regional_customers(location, network, catalogue, rng)
    lead = np.minimum(rng.integers(0, MAX_LEAD_DAYS + 1, len(keys)), wanted)
    ordered = recent.quantity[kept]
    shipped = _shipped(
        ordered,
        tier=catalogue.customer_tiers[customer][line_order],
        running_short=short[il] & (day >= days - RUNNING_SHORT_DAYS),
        rng=rng,
    )
    return SalesOrders(
        order_customer=customer,
        order_location=location.astype(np.int64),
        order_day=(wanted - lead).astype(np.int64),
        requested_day=wanted.astype(np.int64),
        status=np.full(len(keys), "shipped", dtype=object),
        hold_reason=np.full(len(keys), None, dtype=object),
        line_order=line_order.astype(np.int64),
        line_number=line_number.astype(np.int64),
        line_sku=il // warehouses,
        ordered=ordered,
        shipped=shipped,
        backordered=np.zeros(len(ordered)),
        unit_price=recent.unit_price[kept],
    )


def _largest_lines(recent: RecentDemand, warehouses: int, cap: int) -> IntArray:
    """Rows of `recent` kept: each warehouse-day's `cap` largest (ties by item-location)."""
    warehouse_day = recent.day * warehouses + recent.item_location % warehouses
    ranked = np.lexsort((recent.item_location, -recent.quantity, warehouse_day))
    grouped = warehouse_day[ranked]
    rank = np.arange(len(ranked)) - np.searchsorted(grouped, grouped)
    return np.sort(ranked[rank < cap]).astype(np.int64)


def _shipped(
    ordered: FloatArray, *, tier: np.ndarray, running_short: BoolArray, rng: np.random.Generator
) -> FloatArray:
    """Units shipped per line: all, or (on a short line) at least one and not all."""
    share = np.zeros(len(ordered))
    for name, tier_share in SHORT_SHARE_BY_TIER.items():
        share[tier == name] = tier_share
    share += np.where(running_short, RUNNING_SHORT_SHARE, 0.0)
    is_short = (rng.random(len(ordered)) < share) & (ordered >= 2)
    part = np.floor(ordered * rng.uniform(*SHORT_SHIPPED, len(ordered)))
    return np.where(is_short, np.clip(part, 1.0, ordered - 1.0), ordered)
