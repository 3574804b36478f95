"""Operational events of the last weeks, each in the reporting site's own codes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crossdock.demo.catalogue import CATEGORIES
from crossdock.demo.demand import DemandHistory
from crossdock.demo.frames import (
    NO_DAY,
    SECONDS_PER_DAY,
    IntArray,
    TextArray,
    as_timestamps,
    entity_frame,
    numbered,
)
from crossdock.demo.network import Network, Role
from crossdock.demo.orders import SalesOrders
from crossdock.demo.purchasing import Purchasing
from crossdock.demo.receipts import Receipts
from crossdock.demo.site_codes import SHARED_CODES, site_codes_by_location
from crossdock.demo.stock import Stock
from crossdock.demo.transfers import Transfers
from crossdock.domain.reason_codes import EventType, ReasonCode

RECENT_DAYS = 14
ITEM_LOCATIONS_PER_ADJUSTMENT = 400
ITEM_LOCATIONS_PER_STOCKOUT = 200
_COLUMNS = ("location", "sku", "reference", "quantity", "reason", "source")


@dataclass
class EventLog:
    """Event columns, collected kind by kind, then numbered in time order."""

    rng: np.random.Generator
    location_codes: TextArray
    sku_codes: TextArray
    columns: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, kind: EventType, day: IntArray, **values: object) -> None:
        """Events of `kind` on `day`s (at a working hour).

        Values are arrays or scalars; `location` and `sku` are indexes.
        """
        n = len(day)
        row: dict[str, np.ndarray] = {
            "event_type": np.full(n, kind.value, dtype=object),
            "second": day * SECONDS_PER_DAY + self.rng.integers(7 * 3600, 17 * 3600, n),
        }
        for name in _COLUMNS:
            value = values.get(name)
            dtype = np.float64 if name == "quantity" else object
            row[name] = value if isinstance(value, np.ndarray) else np.full(n, value, dtype=dtype)
        for name, codes in (("location", self.location_codes), ("sku", self.sku_codes)):
            if isinstance(values.get(name), np.ndarray):
                row[name] = codes[row[name]]
        for name, column in row.items():
            self.columns.setdefault(name, []).append(column)

    def frame(self, *, origin: np.datetime64) -> pd.DataFrame:
        column = {name: np.concatenate(parts) for name, parts in self.columns.items()}
        order = np.argsort(column["second"], kind="stable")
        return entity_frame(
            "events",
            {
                "event_id": numbered("EV-", len(order), width=8),
                "event_type": column["event_type"][order],
                "occurred_at": as_timestamps(column["second"][order], origin),
                "location_code": column["location"][order],
                "sku": column["sku"][order],
                "reference": column["reference"][order],
                "quantity": column["quantity"][order],
                "reason_code": column["reason"][order],
                "source": column["source"][order],
            },
        )


def record_events(
    *,
    days: int,
    network: Network,
    skus: TextArray,
    demand: DemandHistory,
    stock: Stock,
    orders: SalesOrders,
    purchasing: Purchasing,
    transfers: Transfers,
    receipts: Receipts,
    rng: np.random.Generator,
) -> EventLog:
    """Holds, backorders, EDI messages, receipts, transfers, adjustments, stockouts, spikes."""
    recent = days - RECENT_DAYS
    log = EventLog(rng, np.array(network.codes, dtype=object), skus)
    _order_events(log, orders, network)
    _supply_events(
        log,
        purchasing=purchasing,
        transfers=transfers,
        receipts=receipts,
        network=network,
        recent=recent,
    )
    _warehouse_events(
        log, days=days, network=network, skus=skus, demand=demand, stock=stock, transfers=transfers
    )
    for spike in demand.spikes:
        hit = [
            i
            for i, (role, region) in enumerate(zip(network.roles, network.regions, strict=True))
            if role >= Role.BRANCH and region == spike.region
        ]
        log.add(
            EventType.DEMAND_ANOMALY,
            np.full(len(hit), spike.start_day),
            location=np.array(hit, dtype=np.int64),
            reference=f"WEATHER {spike.region} {CATEGORIES[spike.category].name}",
            reason=SHARED_CODES[ReasonCode.DEMAND_SPIKE],
            source="erp",
        )
    return log


def _order_events(log: EventLog, orders: SalesOrders, network: Network) -> None:
    held = np.flatnonzero(orders.status == "on_hold")
    log.add(
        EventType.ORDER_HELD,
        orders.order_day[held],
        location=orders.order_location[held],
        reference=orders.numbers[held],
        reason=orders.hold_reason[held],
        source="erp",
    )
    waiting = np.flatnonzero(orders.backordered > 0)
    order = orders.line_order[waiting]
    location = orders.order_location[order]
    log.add(
        EventType.ORDER_BACKORDERED,
        orders.order_day[order],
        location=location,
        sku=orders.line_sku[waiting],
        reference=orders.numbers[order],
        quantity=orders.backordered[waiting],
        reason=site_codes_by_location(ReasonCode.AWAITING_STOCK, network.size)[location],
        source="erp",
    )


def _supply_events(
    log: EventLog,
    *,
    purchasing: Purchasing,
    transfers: Transfers,
    receipts: Receipts,
    network: Network,
    recent: int,
) -> None:
    p = purchasing
    first_line = p.line_number == 1
    for kind, day, reference in (
        (EventType.PO_ACKNOWLEDGED, p.ack_day, p.numbers[p.line_po]),
        (EventType.PO_SHIPPED, p.shipped_day, p.asn),
    ):
        chosen = np.flatnonzero(first_line & (day != NO_DAY) & (day >= recent))
        location = p.po_location[p.line_po[chosen]]
        log.add(kind, day[chosen], location=location, reference=reference[chosen], source="edi")

    r = receipts
    day = r.received_second // SECONDS_PER_DAY
    exceptional = np.array([reason is not None for reason in r.reason], dtype=bool)
    arrived = np.flatnonzero((day >= recent) & ((r.line_number == 1) | exceptional))
    po = r.po_number[arrived]
    log.add(
        EventType.GOODS_RECEIVED,
        day[arrived],
        location=r.location[arrived],
        sku=r.sku[arrived],
        reference=np.where([n is not None for n in po], po, r.transfer_number[arrived]),
        quantity=r.quantity[arrived],
        reason=r.reason[arrived],
        source="wms",
    )
    t = transfers
    moving = np.flatnonzero(t.status == "in_transit")
    log.add(
        EventType.TRANSFER_SHIPPED,
        t.shipped_day[moving],
        location=network.lane_from[t.lane[moving]],
        reference=t.numbers[moving],
        source="wms",
    )


def _warehouse_events(
    log: EventLog,
    *,
    days: int,
    network: Network,
    skus: TextArray,
    demand: DemandHistory,
    stock: Stock,
    transfers: Transfers,
) -> None:
    """Short picks (on transfers and at random), count adjustments and stockouts."""
    rng, warehouses = log.rng, network.size
    t = transfers
    short = np.flatnonzero(t.shipped_quantity < t.quantity)
    source = network.lane_from[t.lane[t.line_transfer[short]]]
    short_pick = site_codes_by_location(ReasonCode.SHORT_PICK, warehouses)
    log.add(
        EventType.INVENTORY_ADJUSTED,
        t.shipped_day[t.line_transfer[short]],
        location=source,
        sku=t.line_sku[short],
        reference=t.numbers[t.line_transfer[short]],
        quantity=t.shipped_quantity[short] - t.quantity[short],
        reason=short_pick[source],
        source="wms",
    )
    item_locations = len(stock.on_hand)
    branch = np.tile([r >= Role.BRANCH for r in network.roles], len(skus))
    active = np.flatnonzero(branch & (demand.recent_daily > 0))
    count = min(len(active), max(3, item_locations // ITEM_LOCATIONS_PER_ADJUSTMENT))
    picked = rng.choice(active, count, replace=False) if count else active
    counted = picked[: count // 3]
    for chosen, reason, change in (
        (picked[count // 3 :], ReasonCode.SHORT_PICK, -rng.integers(1, 4, count)),
        (counted, ReasonCode.COUNT_ADJUSTMENT, rng.choice([-3, -2, -1, 1, 2], count)),
    ):
        location = chosen % warehouses
        log.add(
            EventType.INVENTORY_ADJUSTED,
            rng.integers(max(0, days - 30), days, len(chosen)),
            location=location,
            sku=chosen // warehouses,
            quantity=change[: len(chosen)].astype(np.float64),
            reason=site_codes_by_location(reason, warehouses)[location],
            source="wms",
        )
    out = np.flatnonzero((stock.on_hand == 0) & (demand.recent_daily > 0))
    out = rng.permutation(out)[: max(1, item_locations // ITEM_LOCATIONS_PER_STOCKOUT)]
    log.add(
        EventType.STOCKOUT,
        rng.integers(max(0, days - 7), days, len(out)),
        location=out % warehouses,
        sku=out // warehouses,
        source="wms",
    )
