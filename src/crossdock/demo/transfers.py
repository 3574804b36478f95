"""Transfer orders: DC-to-branch replenishment over the last weeks, and rebalancing.

Each parent ships to each child three times a week; the transfer created yesterday
is still on the road, today's is only planned. Slow branches send excess stock to a
short branch over the branch-to-branch lanes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.demo.catalogue import Catalogue
from crossdock.demo.demand import DemandHistory
from crossdock.demo.frames import (
    NO_DAY,
    FloatArray,
    IntArray,
    TextArray,
    as_dates,
    entity_frame,
    masked,
    numbered,
)
from crossdock.demo.network import Network, Role
from crossdock.demo.stock import Stock

TRANSFER_WINDOW_DAYS = 28
SHIPPING_WEEKDAYS = (0, 2, 4)  # Monday, Wednesday, Friday
REBALANCE_LINES = 40


@dataclass(frozen=True, slots=True)
class Transfers:
    """Transfer headers and lines as parallel arrays."""

    lane: IntArray  # index into the network's lanes
    created_day: IntArray
    status: TextArray
    shipped_day: IntArray
    expected_day: IntArray
    received_day: IntArray
    receipt_second: IntArray
    line_transfer: IntArray
    line_number: IntArray
    line_sku: IntArray
    quantity: FloatArray
    shipped_quantity: FloatArray
    received_quantity: FloatArray

    @property
    def numbers(self) -> TextArray:
        return numbered("TO-", len(self.created_day), width=6)

    def in_transit(self, network: Network, skus: int) -> FloatArray:
        """Units shipped and not yet received, per receiving item-location."""
        moving = self.status[self.line_transfer] == "in_transit"
        to = network.lane_to[self.lane[self.line_transfer]]
        il = self.line_sku * network.size + to
        moved = np.where(moving, self.shipped_quantity, 0.0)
        return np.bincount(il, moved, skus * network.size).astype(np.float64)


def move_stock(
    *,
    days: int,
    first_weekday: int,
    network: Network,
    catalogue: Catalogue,
    demand: DemandHistory,
    stock: Stock,
    rng: np.random.Generator,
) -> Transfers:
    last = days - 1
    window = np.arange(max(0, days - TRANSFER_WINDOW_DAYS), days)
    shipping_days = window[np.isin((first_weekday + window) % 7, SHIPPING_WEEKDAYS)]
    headers: list[tuple[int, int]] = []  # (lane, created day)
    line_header: list[IntArray] = []
    line_sku: list[IntArray] = []
    line_quantity: list[FloatArray] = []
    for lane_index, (source, target) in enumerate(
        zip(network.lane_from, network.lane_to, strict=True)
    ):
        if network.roles[source] >= Role.BRANCH:
            if network.roles[source] is Role.SLOW_BRANCH:
                sku, quantity = _rebalancing(
                    source, target, warehouses=network.size, demand=demand, stock=stock, rng=rng
                )
                if len(sku):
                    line_header.append(np.full(len(sku), len(headers)))
                    headers.append((lane_index, int(rng.choice(window))))
                    line_sku.append(sku)
                    line_quantity.append(quantity)
            continue
        served = network.served_by(target)
        recent = demand.recent_daily.reshape(-1, network.size)[:, served].sum(axis=1)
        chance = np.where(recent >= 1, 0.3, np.where(recent > 0, 0.08, 0.01))
        pack = catalogue.pack_sizes.astype(np.float64)
        for day in np.unique(np.r_[shipping_days, max(0, last - 1), last]):
            sku = np.flatnonzero(rng.random(len(recent)) < chance)
            if len(sku) == 0:
                continue
            cover = np.ceil(recent[sku] * 3.5 / pack[sku]) * pack[sku]
            line_header.append(np.full(len(sku), len(headers)))
            headers.append((lane_index, int(day)))
            line_sku.append(sku)
            line_quantity.append(np.maximum(pack[sku], cover))
    lane = np.array([h[0] for h in headers], dtype=np.int64)
    created = np.array([h[1] for h in headers], dtype=np.int64)
    order = np.argsort(created, kind="stable")
    renumber = np.empty(len(order), dtype=np.int64)
    renumber[order] = np.arange(len(order))
    lines = np.concatenate(line_header) if line_header else np.zeros(0, dtype=np.int64)
    transfer = renumber[lines] if len(lines) else lines
    sku = np.concatenate(line_sku) if line_sku else np.zeros(0, dtype=np.int64)
    quantity = np.concatenate(line_quantity) if line_quantity else np.zeros(0)
    line_order = np.lexsort((sku, transfer))
    return _journeys(
        lane=lane[order],
        created=created[order],
        line_transfer=transfer[line_order],
        sku=sku[line_order],
        quantity=quantity[line_order],
        network=network,
        last=last,
        rng=rng,
    )


def transfer_frames(
    transfers: Transfers, *, network: Network, catalogue: Catalogue, origin: np.datetime64
) -> dict[str, pd.DataFrame]:
    t = transfers
    numbers = t.numbers
    codes = np.array(network.codes, dtype=object)
    return {
        "transfer_orders": entity_frame(
            "transfer_orders",
            {
                "transfer_number": numbers,
                "from_location_code": codes[network.lane_from[t.lane]],
                "to_location_code": codes[network.lane_to[t.lane]],
                "created_date": as_dates(t.created_day, origin),
                "status": t.status,
                "shipped_date": as_dates(t.shipped_day, origin),
                "expected_date": as_dates(t.expected_day, origin),
                "received_date": as_dates(t.received_day, origin),
            },
        ),
        "transfer_order_lines": entity_frame(
            "transfer_order_lines",
            {
                "transfer_number": numbers[t.line_transfer],
                "line_number": t.line_number,
                "sku": catalogue.skus[t.line_sku],
                "quantity": t.quantity,
                "shipped_quantity": t.shipped_quantity,
                "received_quantity": t.received_quantity,
                "uom": catalogue.uoms[t.line_sku],
            },
        ),
    }


def _rebalancing(
    source: int,
    target: int,
    *,
    warehouses: int,
    demand: DemandHistory,
    stock: Stock,
    rng: np.random.Generator,
) -> tuple[IntArray, FloatArray]:
    """SKUs the slow branch has in excess and the other branch is short of."""
    weekly_there = 7 * demand.recent_daily[target::warehouses]
    weekly_here = 7 * demand.recent_daily[source::warehouses]
    excess = stock.on_hand[source::warehouses] - 4 * weekly_here
    short = stock.on_hand[target::warehouses] < weekly_there
    candidates = np.flatnonzero((excess >= 1) & short & (weekly_there > 0))
    sku = np.sort(rng.permutation(candidates)[:REBALANCE_LINES])
    quantity = np.maximum(1.0, np.floor(np.minimum(excess[sku], 2 * weekly_there[sku])))
    return sku.astype(np.int64), quantity


def _journeys(
    *,
    lane: IntArray,
    created: IntArray,
    line_transfer: IntArray,
    sku: IntArray,
    quantity: FloatArray,
    network: Network,
    last: int,
    rng: np.random.Generator,
) -> Transfers:
    """Ship, travel and receive each transfer, as far as the last day allows."""
    n = len(created)
    lag = np.where(created >= last - 1, 1, (rng.random(n) < 0.3).astype(np.int64))
    shipped = created + lag
    expected = shipped + network.lane_transit_days[lane]
    received = expected + (rng.random(n) < 0.15)
    cancelled = (rng.random(n) < 0.02) & (created < last - 7)
    is_shipped = ~cancelled & (shipped <= last)
    is_received = is_shipped & (received <= last)
    status = np.select(
        [cancelled, is_received, is_shipped, created < last],
        ["cancelled", "received", "in_transit", "released"],
        "planned",
    ).astype(object)
    lines = len(line_transfer)
    short_pick = (rng.random(lines) < 0.02) & (quantity >= 2)
    picked = np.where(short_pick, np.floor(quantity * rng.uniform(0.3, 0.9, lines)), quantity)
    line_shipped = is_shipped[line_transfer]
    return Transfers(
        lane=lane,
        created_day=created,
        status=status,
        shipped_day=np.where(is_shipped, shipped, NO_DAY),
        expected_day=np.where(cancelled, NO_DAY, expected),
        received_day=np.where(is_received, received, NO_DAY),
        receipt_second=rng.integers(7 * 3600, 17 * 3600, n),
        line_transfer=line_transfer,
        line_number=(np.arange(lines) - np.searchsorted(line_transfer, line_transfer) + 1),
        line_sku=sku,
        quantity=quantity,
        shipped_quantity=masked(picked, line_shipped),
        received_quantity=masked(picked, is_received[line_transfer]),
    )
