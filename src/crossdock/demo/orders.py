"""The open sales order book: orders on hold (site hold codes), backorders, releases.

The shipped orders of the weeks before are in order_history.py; both go out as one
book (`SalesOrders.followed_by`), the open orders numbered first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.demo.catalogue import Catalogue
from crossdock.demo.demand import DemandHistory
from crossdock.demo.frames import (
    BoolArray,
    FloatArray,
    IntArray,
    TextArray,
    as_dates,
    entity_frame,
    numbered,
)
from crossdock.demo.network import NATIONAL_REGION, Network
from crossdock.demo.site_codes import site_code
from crossdock.demo.stock import Stock
from crossdock.domain.reason_codes import ReasonCode

STATUS_SHARES = {
    "open": 0.30,
    "released": 0.24,
    "on_hold": 0.12,
    "backordered": 0.12,
    "partially_shipped": 0.10,
    "shipped": 0.08,
    "cancelled": 0.04,
}
HOLD_SHARES = {
    ReasonCode.CREDIT_HOLD: 0.55,
    ReasonCode.PRICING_HOLD: 0.25,
    ReasonCode.ADDRESS_HOLD: 0.10,
    ReasonCode.CUSTOMER_REQUEST: 0.10,
}
TIER_DISCOUNT = {"gold": 0.12, "silver": 0.07, "bronze": 0.03}
ALLOCATING_STATUSES = ("open", "released", "partially_shipped")
ITEM_LOCATIONS_PER_ORDER = 12


@dataclass(frozen=True, slots=True)
class SalesOrders:
    """Order headers and lines as parallel arrays."""

    order_customer: IntArray
    order_location: IntArray
    order_day: IntArray
    requested_day: IntArray
    status: TextArray
    hold_reason: TextArray  # site code, or None
    line_order: IntArray
    line_number: IntArray
    line_sku: IntArray
    ordered: FloatArray
    shipped: FloatArray
    backordered: FloatArray
    unit_price: FloatArray

    @property
    def numbers(self) -> TextArray:
        return numbered("SO-", len(self.order_day), width=7)

    def followed_by(self, later: SalesOrders) -> SalesOrders:
        """One book: these orders, then `later`'s, numbered on after these."""
        return SalesOrders(
            order_customer=np.concatenate([self.order_customer, later.order_customer]),
            order_location=np.concatenate([self.order_location, later.order_location]),
            order_day=np.concatenate([self.order_day, later.order_day]),
            requested_day=np.concatenate([self.requested_day, later.requested_day]),
            status=np.concatenate([self.status, later.status]),
            hold_reason=np.concatenate([self.hold_reason, later.hold_reason]),
            line_order=np.concatenate([self.line_order, later.line_order + len(self.order_day)]),
            line_number=np.concatenate([self.line_number, later.line_number]),
            line_sku=np.concatenate([self.line_sku, later.line_sku]),
            ordered=np.concatenate([self.ordered, later.ordered]),
            shipped=np.concatenate([self.shipped, later.shipped]),
            backordered=np.concatenate([self.backordered, later.backordered]),
            unit_price=np.concatenate([self.unit_price, later.unit_price]),
        )

    def open_quantity_by_item_location(self, warehouses: int, skus: int) -> FloatArray:
        """Units still to ship on orders that hold stock, per item-location."""
        allocating = np.isin(self.status[self.line_order], ALLOCATING_STATUSES)
        remaining = np.where(allocating, self.ordered - self.shipped - self.backordered, 0.0)
        il = self.line_sku * warehouses + self.order_location[self.line_order]
        return np.bincount(il, remaining, minlength=skus * warehouses).astype(np.float64)


def take_orders(
    *,
    days: int,
    network: Network,
    catalogue: Catalogue,
    demand: DemandHistory,
    stock: Stock,
    rng: np.random.Generator,
) -> SalesOrders:
    warehouses, skus = network.size, len(catalogue.skus)
    count = max(4, skus * warehouses // ITEM_LOCATIONS_PER_ORDER)
    weight = network.demand_scale * np.where(network.is_dc, 0.5, 1.0)
    location = rng.choice(warehouses, count, p=weight / weight.sum())
    statuses = np.array(list(STATUS_SHARES), dtype=object)
    status = rng.choice(statuses, count, p=list(STATUS_SHARES.values()))
    short = running_short(demand, stock)
    runs_short: BoolArray = np.asarray(short.reshape(skus, warehouses).any(axis=0))
    status[(status == "backordered") & ~runs_short[location]] = "released"
    age = np.minimum(rng.geometric(0.2, count) - 1, days - 1)
    age = np.where(np.isin(status, ("shipped", "cancelled")), np.maximum(age, 1), age)
    order_day = (days - 1) - age
    customer = regional_customers(location, network, catalogue, rng)
    hold = rng.choice(len(HOLD_SHARES), count, p=list(HOLD_SHARES.values()))
    reasons = list(HOLD_SHARES)
    hold_reason = np.array(
        [
            site_code(reasons[h], loc) if s == "on_hold" else None
            for h, loc, s in zip(hold, location, status, strict=True)
        ],
        dtype=object,
    )

    lines_per_order = np.minimum(1 + rng.poisson(1.6, count), 12)
    line_order = np.repeat(np.arange(count), lines_per_order)
    line_sku = _pick_skus(
        line_order,
        location=location,
        status=status,
        demand=demand,
        short=short,
        warehouses=warehouses,
        rng=rng,
    )
    line_order, line_sku = _without_repeats(line_order, line_sku, skus)
    first_line = np.searchsorted(line_order, line_order)
    line_number = np.arange(len(line_order)) - first_line + 1

    il = line_sku * warehouses + location[line_order]
    usual = np.where(demand.mean_size[il] > 0, demand.mean_size[il], 1.0)
    ordered = np.maximum(1.0, np.rint(usual * rng.lognormal(0.0, 0.5, len(il))))
    shipped, backordered = _fulfilment(status[line_order], line_order, ordered, rng)
    tier = catalogue.customer_tiers[customer][line_order]
    discount = np.array([TIER_DISCOUNT[t] for t in tier]) if len(tier) else np.zeros(0)
    return SalesOrders(
        order_customer=customer,
        order_location=location.astype(np.int64),
        order_day=order_day.astype(np.int64),
        requested_day=(order_day + rng.integers(1, 11, count)).astype(np.int64),
        status=status,
        hold_reason=hold_reason,
        line_order=line_order,
        line_number=line_number.astype(np.int64),
        line_sku=line_sku,
        ordered=ordered,
        shipped=shipped,
        backordered=backordered,
        unit_price=np.round(catalogue.unit_prices[line_sku] * (1.0 - discount), 2),
    )


def sales_order_frames(
    orders: SalesOrders, *, network: Network, catalogue: Catalogue, origin: np.datetime64
) -> dict[str, pd.DataFrame]:
    numbers = orders.numbers
    return {
        "sales_orders": entity_frame(
            "sales_orders",
            {
                "order_number": numbers,
                "customer_code": catalogue.customer_codes[orders.order_customer],
                "location_code": np.array(network.codes, dtype=object)[orders.order_location],
                "order_date": as_dates(orders.order_day, origin),
                "requested_date": as_dates(orders.requested_day, origin),
                "status": orders.status,
                "hold_reason": orders.hold_reason,
            },
        ),
        "sales_order_lines": entity_frame(
            "sales_order_lines",
            {
                "order_number": numbers[orders.line_order],
                "line_number": orders.line_number,
                "sku": catalogue.skus[orders.line_sku],
                "ordered_quantity": orders.ordered,
                "shipped_quantity": orders.shipped,
                "backordered_quantity": orders.backordered,
                "unit_price": orders.unit_price,
                "uom": catalogue.uoms[orders.line_sku],
            },
        ),
    }


def regional_customers(
    location: IntArray, network: Network, catalogue: Catalogue, rng: np.random.Generator
) -> IntArray:
    """A customer from the ordering warehouse's region (national accounts at DCs)."""
    customer = rng.integers(0, len(catalogue.customer_codes), len(location))
    for loc in np.unique(location):
        region = NATIONAL_REGION if network.is_dc[loc] else network.regions[loc]
        local = np.flatnonzero(catalogue.customer_regions == region)
        here = np.flatnonzero(location == loc)
        if len(local):
            customer[here] = rng.choice(local, len(here))
    return customer.astype(np.int64)


def _pick_skus(
    line_order: IntArray,
    *,
    location: IntArray,
    status: TextArray,
    demand: DemandHistory,
    short: BoolArray,
    warehouses: int,
    rng: np.random.Generator,
) -> IntArray:
    """SKUs in proportion to recent demand; backorders from stock that has run short."""
    line_location = location[line_order]
    short_order = status[line_order] == "backordered"
    sku = np.zeros(len(line_order), dtype=np.int64)
    for loc in np.unique(line_location):
        weight = demand.recent_daily[loc::warehouses] + 0.02
        for lines, allowed in ((~short_order, None), (short_order, short[loc::warehouses])):
            here = np.flatnonzero((line_location == loc) & lines)
            if len(here):
                p = weight if allowed is None else weight * allowed
                sku[here] = rng.choice(len(p), len(here), p=p / p.sum())
    return sku


def running_short(demand: DemandHistory, stock: Stock) -> BoolArray:
    """Item-locations selling and holding less than a week of recent demand."""
    return (stock.on_hand < 7 * demand.recent_daily) & (demand.recent_daily > 0)


def _without_repeats(
    line_order: IntArray, line_sku: IntArray, skus: int
) -> tuple[IntArray, IntArray]:
    """Drop a SKU's second line on the same order, keeping lines in order."""
    _, first = np.unique(line_order * skus + line_sku, return_index=True)
    keep = np.sort(first)
    return line_order[keep], line_sku[keep]


def _fulfilment(
    status: TextArray, line_order: IntArray, ordered: FloatArray, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Shipped and backordered units per line, consistent with the order's status."""
    n = len(ordered)
    shipped = np.where(status == "shipped", ordered, 0.0)
    backordered = np.where(status == "backordered", ordered, 0.0)
    partial = status == "partially_shipped"
    complete = partial & (rng.random(n) < 0.5)
    some = np.floor(ordered * rng.uniform(0.0, 0.8, n))
    shipped = np.where(partial, np.where(complete, ordered, some), shipped)
    backordered = np.where(partial & ~complete, ordered - some, backordered)
    # A partially shipped order has something left: reopen its first line if not.
    still_open = np.bincount(line_order, (partial & (shipped < ordered)).astype(float))
    nothing_left = partial & (still_open[line_order] == 0) & _first_of_group(line_order)
    shipped = np.where(nothing_left, np.floor(ordered / 2), shipped)
    backordered = np.where(nothing_left, ordered - np.floor(ordered / 2), backordered)
    return shipped, backordered


def _first_of_group(group: IntArray) -> np.ndarray:
    first = np.ones(len(group), dtype=bool)
    first[1:] = group[1:] != group[:-1]
    return first
