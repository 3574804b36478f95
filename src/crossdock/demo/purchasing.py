"""Purchase orders: a year of history to learn lead times from, and the open book.

Each supplier keeps its habit: reliable ones deliver on the promised day and send
acknowledgements and ASNs; chronically late ones arrive a week or two after the
promise; erratic ones anywhere around it; unacknowledging ones are roughly on time
but rarely confirm or announce. POs still open at the end include late ones
(promised in the past, not received) and unacknowledged ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.demo.catalogue import Catalogue, Reliability
from crossdock.demo.demand import DemandHistory
from crossdock.demo.frames import (
    NO_DAY,
    BoolArray,
    FloatArray,
    IntArray,
    TextArray,
    as_dates,
    entity_frame,
    masked,
    numbered,
    text_where,
)
from crossdock.demo.network import Network
from crossdock.domain.reason_codes import ReasonCode

PO_HISTORY_DAYS = 365
DIRECT_SHIP_SHARE = 0.04  # SKUs suppliers also deliver straight to every branch
SECONDARY_SHARE = 0.15  # orders placed with the secondary supplier when there is one
ORDER_COST_FACTOR = 16_640.0  # 2 * order cost 40 * 52 weeks / 25% holding: EOQ in weeks


@dataclass(frozen=True, slots=True)
class Habit:
    """How a kind of supplier acknowledges, announces and ships."""

    ack_rate: float
    ack_lag: tuple[int, int]  # days after the order, inclusive
    asn_rate: float
    short_ship_rate: float
    open_line_rate: float  # a line left to follow on a recently received PO


HABITS = {
    Reliability.RELIABLE: Habit(0.98, (0, 1), 0.95, 0.01, 0.02),
    Reliability.LATE: Habit(0.90, (1, 3), 0.80, 0.05, 0.06),
    Reliability.ERRATIC: Habit(0.85, (0, 5), 0.75, 0.08, 0.08),
    Reliability.UNACKNOWLEDGING: Habit(0.25, (3, 9), 0.30, 0.03, 0.04),
}


@dataclass(frozen=True, slots=True)
class Purchasing:
    """PO headers and lines as parallel arrays; days count from the history start."""

    po_supplier: IntArray
    po_location: IntArray
    po_order_day: IntArray
    po_status: TextArray
    po_receipt_second: IntArray  # second of the day goods were received
    line_po: IntArray
    line_number: IntArray
    line_sku: IntArray
    ordered: FloatArray
    unit_price: FloatArray
    promised_day: IntArray
    ack_day: IntArray
    ack_quantity: FloatArray
    asn: TextArray
    shipped_day: IntArray
    shipped_quantity: FloatArray
    received_day: IntArray
    received_quantity: FloatArray
    exception: TextArray  # canonical reason for a receiving exception, or None

    @property
    def numbers(self) -> TextArray:
        return numbered("PO-", len(self.po_order_day), width=7)

    def open_quantities(self, warehouses: int, skus: int) -> tuple[FloatArray, FloatArray]:
        """(in transit, on order) units per item-location on open PO lines."""
        live = (self.received_day == NO_DAY) & (self.po_status[self.line_po] != "cancelled")
        announced = self.asn != None  # noqa: E711 - elementwise on an object array
        il = self.line_sku * warehouses + self.po_location[self.line_po]
        size = skus * warehouses
        in_transit = np.bincount(il, np.where(live & announced, self.shipped_quantity, 0), size)
        on_order = np.bincount(il, np.where(live & ~announced, self.ordered, 0), size)
        return in_transit.astype(np.float64), on_order.astype(np.float64)


def place_purchase_orders(
    *,
    days: int,
    first_weekday: int,
    network: Network,
    catalogue: Catalogue,
    demand: DemandHistory,
    rng: np.random.Generator,
) -> Purchasing:
    last = days - 1
    line_sku, line_location, line_term, order_day, quantity = _order_lines(
        days=days,
        first_weekday=first_weekday,
        network=network,
        catalogue=catalogue,
        demand=demand,
        rng=rng,
    )
    suppliers = len(catalogue.supplier_codes)
    supplier = catalogue.term_supplier[line_term]
    key = (order_day * suppliers + supplier) * network.size + line_location
    header_key, line_po = np.unique(key, return_inverse=True)
    order = np.lexsort((line_sku, line_po))
    line_po, line_sku, line_term = line_po[order], line_sku[order], line_term[order]
    quantity = quantity[order]
    headers = len(header_key)
    po_day = header_key // (suppliers * network.size)
    po_supplier = (header_key // network.size) % suppliers
    po_location = header_key % network.size

    reliability = catalogue.supplier_reliability[po_supplier]
    habits = [HABITS[Reliability(r)] for r in reliability]
    lead = catalogue.supplier_lead_days[po_supplier]
    delay = _delays(reliability, lead, po_supplier, suppliers, rng)
    received = po_day + np.maximum(1, lead + delay)
    shipped = np.maximum(po_day, received - catalogue.supplier_transit_days[po_supplier])
    lag_low, lag_high = np.array([h.ack_lag for h in habits], dtype=np.int64).reshape(-1, 2).T
    acknowledged = np.minimum(po_day + rng.integers(lag_low, lag_high + 1), shipped)
    acks = rng.random(headers) < np.array([h.ack_rate for h in habits])
    announces = rng.random(headers) < np.array([h.asn_rate for h in habits])
    cancelled = (rng.random(headers) < 0.01) & (po_day < last - 30)

    lines = len(line_po)
    habit_of_line = np.array([[h.short_ship_rate, h.open_line_rate] for h in HABITS.values()])
    short_rate, open_rate = habit_of_line[reliability[line_po]].T if lines else (0.0, 0.0)
    multiple = catalogue.term_order_multiple[line_term].astype(np.float64)
    short = (rng.random(lines) < short_rate) & (quantity >= 2)
    to_ship = np.where(
        short, np.maximum(1, np.floor(quantity * rng.uniform(0.5, 0.95, lines))), quantity
    )
    damaged = (rng.random(lines) < 0.005) & (to_ship >= 2)
    over = (rng.random(lines) < 0.003) & ~damaged
    to_receive = np.where(damaged, to_ship - np.maximum(1, np.floor(to_ship * 0.2)), to_ship)
    to_receive = np.where(over, to_ship + multiple, to_receive)
    exception = np.select(
        [damaged, over, short],
        [
            ReasonCode.DAMAGED.value,
            ReasonCode.OVER_RECEIPT.value,
            ReasonCode.SUPPLIER_SHORT_SHIP.value,
        ],
        "",
    ).astype(object)
    exception[exception == ""] = None

    recent = (received[line_po] >= last - 30) & (received[line_po] <= last)
    follows = recent & (rng.random(lines) < open_rate)
    live = ~cancelled[line_po]
    is_acked = acks[line_po] & (acknowledged[line_po] <= last)
    is_shipped = live & ~follows & (shipped[line_po] <= last) & announces[line_po]
    is_received = live & ~follows & (received[line_po] <= last)
    asn_numbers = numbered("ASN-", headers, width=7)
    status = _statuses(
        line_po,
        headers,
        cancelled=cancelled,
        acked=is_acked,
        shipped=is_shipped,
        received=is_received,
    )
    return Purchasing(
        po_supplier=po_supplier,
        po_location=po_location,
        po_order_day=po_day,
        po_status=status,
        po_receipt_second=rng.integers(7 * 3600, 17 * 3600, headers),
        line_po=line_po,
        line_number=_line_numbers(line_po),
        line_sku=line_sku,
        ordered=quantity,
        unit_price=catalogue.term_price[line_term],
        promised_day=po_day[line_po] + catalogue.term_lead_days[line_term],
        ack_day=np.where(is_acked, acknowledged[line_po], NO_DAY),
        ack_quantity=masked(to_ship, is_acked),
        asn=text_where(is_shipped, asn_numbers[line_po]),
        shipped_day=np.where(is_shipped, shipped[line_po], NO_DAY),
        shipped_quantity=masked(to_ship, is_shipped),
        received_day=np.where(is_received, received[line_po], NO_DAY),
        received_quantity=masked(to_receive, is_received),
        exception=text_where(is_received, exception),
    )


def purchase_order_frames(
    purchasing: Purchasing, *, network: Network, catalogue: Catalogue, origin: np.datetime64
) -> dict[str, pd.DataFrame]:
    p = purchasing
    numbers = p.numbers
    return {
        "purchase_orders": entity_frame(
            "purchase_orders",
            {
                "po_number": numbers,
                "supplier_code": catalogue.supplier_codes[p.po_supplier],
                "location_code": np.array(network.codes, dtype=object)[p.po_location],
                "order_date": as_dates(p.po_order_day, origin),
                "status": p.po_status,
            },
        ),
        "purchase_order_lines": entity_frame(
            "purchase_order_lines",
            {
                "po_number": numbers[p.line_po],
                "line_number": p.line_number,
                "sku": catalogue.skus[p.line_sku],
                "ordered_quantity": p.ordered,
                "unit_price": p.unit_price,
                "promised_date": as_dates(p.promised_day, origin),
                "acknowledged_date": as_dates(p.ack_day, origin),
                "acknowledged_quantity": p.ack_quantity,
                "asn_number": p.asn,
                "shipped_date": as_dates(p.shipped_day, origin),
                "shipped_quantity": p.shipped_quantity,
                "received_date": as_dates(p.received_day, origin),
                "received_quantity": p.received_quantity,
                "uom": catalogue.uoms[p.line_sku],
            },
        ),
    }


def _order_lines(
    *,
    days: int,
    first_weekday: int,
    network: Network,
    catalogue: Catalogue,
    demand: DemandHistory,
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]:
    """(sku, location, supply term, order day, quantity) of every PO line ever placed.

    The national DC orders every SKU for the network; a few SKUs also go straight to
    branches. Each stream orders every few weeks (an EOQ-like cycle) on its
    supplier's ordering weekday.
    """
    skus, warehouses = len(catalogue.skus), network.size
    branches = np.array(network.branch_indices, dtype=np.int64)
    direct = np.flatnonzero(rng.random(skus) < DIRECT_SHIP_SHARE)
    sku = np.r_[np.arange(skus), np.repeat(direct, len(branches))]
    location = np.r_[np.zeros(skus, dtype=np.int64), np.tile(branches, len(direct))]
    daily = np.r_[
        demand.mean_daily.reshape(skus, warehouses).sum(axis=1),
        demand.mean_daily[sku[skus:] * warehouses + location[skus:]],
    ]
    weekly = 7 * daily
    cost = catalogue.unit_costs[sku]
    cycle = np.clip(np.rint(np.sqrt(ORDER_COST_FACTOR / np.maximum(cost * weekly, 1e-9))), 1, 13)
    cycle = cycle.astype(np.int64)
    order_weekday = rng.integers(0, 5, len(catalogue.supplier_codes))
    primary = catalogue.primary_term[sku]
    first_day = max(0, days - PO_HISTORY_DAYS)
    weekday_of_first = (first_weekday + first_day) % 7
    shift = (order_weekday[catalogue.term_supplier[primary]] - weekday_of_first) % 7
    first = first_day + shift + 7 * rng.integers(0, cycle)
    orders = np.where(first <= days - 1, (days - 1 - first) // (7 * cycle) + 1, 0)
    stream = np.repeat(np.arange(len(sku)), orders)
    nth = np.arange(len(stream)) - np.repeat(np.cumsum(orders) - orders, orders)
    order_day = first[stream] + 7 * cycle[stream] * nth

    secondary = np.full(skus, -1, dtype=np.int64)
    secondary[catalogue.term_sku[~catalogue.term_is_primary]] = np.flatnonzero(
        ~catalogue.term_is_primary
    )
    line_sku = sku[stream]
    switch = (secondary[line_sku] >= 0) & (rng.random(len(stream)) < SECONDARY_SHARE)
    term = np.where(switch, secondary[line_sku], primary[stream])
    multiple = catalogue.term_order_multiple[term]
    wanted = cycle[stream] * weekly[stream] * rng.uniform(0.85, 1.15, len(stream))
    wanted = np.maximum(wanted, catalogue.term_moq[term])
    quantity = np.maximum(1, np.ceil(wanted / multiple)) * multiple
    keep = (catalogue.lifecycle[line_sku] != "discontinued") | (order_day < days - 60)
    return (
        line_sku[keep],
        location[stream][keep],
        term[keep],
        order_day[keep],
        quantity[keep].astype(np.float64),
    )


def _delays(
    reliability: IntArray,
    lead: IntArray,
    supplier: IntArray,
    suppliers: int,
    rng: np.random.Generator,
) -> IntArray:
    """Days late (negative: early) against the quoted lead time, by supplier habit."""
    n = len(reliability)
    normal = rng.standard_normal(n)
    late_by = rng.uniform(5.0, 12.0, suppliers)[supplier]
    erratic = np.rint(normal * 0.35 * lead) + np.where(
        rng.random(n) < 0.1, rng.integers(5, 21, n), 0
    )
    return np.select(
        [
            reliability == Reliability.RELIABLE,
            reliability == Reliability.LATE,
            reliability == Reliability.ERRATIC,
        ],
        [np.clip(np.rint(normal), -3, 3), np.rint(rng.gamma(2.0, late_by / 2)) + 2, erratic],
        np.rint(1 + 2 * normal),
    ).astype(np.int64)


def _statuses(
    line_po: IntArray,
    headers: int,
    *,
    cancelled: BoolArray,
    acked: BoolArray,
    shipped: BoolArray,
    received: BoolArray,
) -> TextArray:
    def count(flags: BoolArray) -> IntArray:
        return np.bincount(line_po, flags.astype(np.float64), headers).astype(np.int64)

    lines, done = count(np.ones(len(line_po), dtype=bool)), count(received)
    return np.select(
        [cancelled, (done == lines) & (lines > 0), done > 0, count(shipped) > 0, count(acked) > 0],
        ["cancelled", "received", "partially_received", "shipped", "acknowledged"],
        "sent",
    ).astype(object)


def _line_numbers(group: IntArray) -> IntArray:
    return (np.arange(len(group)) - np.searchsorted(group, group) + 1).astype(np.int64)
