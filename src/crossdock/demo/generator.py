"""Generate a whole demo network: every canonical entity, seeded and reproducible."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.demo.catalogue import Catalogue, build_catalogue
from crossdock.demo.demand import DailyDemand, block_count, simulate_demand
from crossdock.demo.events import record_events
from crossdock.demo.frames import as_dates, entity_frame
from crossdock.demo.master_data import catalogue_frames, network_frames, reason_code_frame
from crossdock.demo.network import Network, build_network
from crossdock.demo.options import SNAPSHOT_HOUR_UTC, DemoOptions
from crossdock.demo.order_history import recent_demand, ship_order_history
from crossdock.demo.orders import running_short, sales_order_frames, take_orders
from crossdock.demo.promotions import plan_promotions, promotion_frame
from crossdock.demo.purchasing import place_purchase_orders, purchase_order_frames
from crossdock.demo.receipts import receipt_frame, receive_goods
from crossdock.demo.stock import count_stock, inventory_frame
from crossdock.demo.transfers import move_stock, transfer_frames
from crossdock.domain.canonical import ENTITIES

Progress = Callable[[str, int, int], None]


@dataclass
class _Steps:
    """Reports `(step, done, total)`: units done of the step now running."""

    report: Progress | None
    name: str = ""
    total: int = 1
    done: int = 0

    def start(self, name: str, total: int = 1) -> None:
        self.name, self.total, self.done = name, total, 0
        self._emit()

    def advance(self, units: int = 1) -> None:
        self.done += units
        self._emit()

    def _emit(self) -> None:
        if self.report is not None:
            self.report(self.name, self.done, self.total)


def generate_demo_network(
    options: DemoOptions, *, progress: Progress | None = None
) -> dict[str, pd.DataFrame]:
    """A realistic distribution network with two years (by default) of history.

    Args:
        options: Size, history length, seed and last day of history.
        progress: Called as `progress(step_name, done, total)` while work proceeds:
            once with `done=0` when a step starts, then as its units finish, ending
            with `done == total`. Steps, in order: network, demand history (one unit
            per block of item-locations, the bulk of the time, then one for the
            frame and the promotional calendar), sales orders (the open book, then
            the shipped history), purchase orders, transfers, receipts, inventory,
            events.

    Returns:
        One frame per canonical entity, keyed by entity name in load order; columns
        are exactly the entity's fields. demand_history is sparse (only days with
        demand) and holds sku, location_code and uom as categoricals to save memory.
        Reason-code fields hold the sites' own codes, mapped by reason_code_mappings.
        sales_orders holds the open order book (SO-0000001 on), then the orders
        shipped in the `shipped_history_weeks` before `end_date`, numbered on.
        Stock is counted at `end_date` 18:00 UTC and nothing happens later;
        promised, requested and expected dates may lie in the future, and so may
        promotions: the calendar runs 8 weeks past `end_date`.
    """
    days, skus, warehouses = options.days, options.skus, options.warehouses
    steps = _Steps(progress)
    # Children are numbered: spawning one more leaves the first ones (and so every
    # entity drawn from them) as they were.
    seeds = np.random.SeedSequence(options.seed).spawn(10)

    def rng(i: int) -> np.random.Generator:
        return np.random.default_rng(seeds[i])

    last_day = np.datetime64(options.end_date, "D")
    origin = last_day - np.timedelta64(days - 1, "D")
    first_weekday = int((origin.astype(np.int64) + 3) % 7)  # 1970-01-01 was a Thursday

    steps.start("network")
    network = build_network(warehouses, rng(0))
    catalogue = build_catalogue(skus, network, rng(1))
    frames = {**network_frames(network), **catalogue_frames(catalogue)}
    frames["reason_code_mappings"] = reason_code_frame(network)
    steps.advance()

    steps.start("demand history", block_count(skus, warehouses) + 1)
    daily, demand = simulate_demand(
        days=days,
        history_start=origin,
        network=network,
        catalogue=catalogue,
        seed=seeds[2],
        on_block=lambda _: steps.advance(),
    )
    frames["demand_history"] = _demand_frame(daily, network, catalogue, origin)
    recent = recent_demand(daily, days=days, weeks=options.shipped_history_weeks)
    del daily
    calendar = plan_promotions(
        demand.promotions,
        days=days,
        discontinued=catalogue.lifecycle == "discontinued",
        rng=rng(8),
    )
    frames["promotions"] = promotion_frame(
        calendar, network=network, catalogue=catalogue, origin=origin
    )
    steps.advance()

    steps.start("sales orders")
    stock = count_stock(network, catalogue, demand, rng(3))
    orders = take_orders(
        days=days, network=network, catalogue=catalogue, demand=demand, stock=stock, rng=rng(4)
    )
    shipped = ship_order_history(
        recent,
        days=days,
        network=network,
        catalogue=catalogue,
        short=running_short(demand, stock),
        rng=rng(9),
    )
    del recent
    frames |= sales_order_frames(
        orders.followed_by(shipped), network=network, catalogue=catalogue, origin=origin
    )
    steps.advance()

    steps.start("purchase orders")
    purchasing = place_purchase_orders(
        days=days,
        first_weekday=first_weekday,
        network=network,
        catalogue=catalogue,
        demand=demand,
        rng=rng(5),
    )
    frames |= purchase_order_frames(purchasing, network=network, catalogue=catalogue, origin=origin)
    steps.advance()

    steps.start("transfers")
    transfers = move_stock(
        days=days,
        first_weekday=first_weekday,
        network=network,
        catalogue=catalogue,
        demand=demand,
        stock=stock,
        rng=rng(6),
    )
    frames |= transfer_frames(transfers, network=network, catalogue=catalogue, origin=origin)
    steps.advance()

    steps.start("receipts")
    receipts = receive_goods(purchasing, transfers, network)
    frames["receipts"] = receipt_frame(
        receipts, network=network, catalogue=catalogue, origin=origin
    )
    steps.advance()

    steps.start("inventory")
    po_in_transit, on_order = purchasing.open_quantities(warehouses, skus)
    frames["inventory_positions"] = inventory_frame(
        network=network,
        catalogue=catalogue,
        stock=stock,
        open_sales=orders.open_quantity_by_item_location(warehouses, skus),
        in_transit=po_in_transit + transfers.in_transit(network, skus),
        on_order=on_order,
        snapshot_at=last_day + np.timedelta64(SNAPSHOT_HOUR_UTC, "h"),
    )
    steps.advance()

    steps.start("events")
    log = record_events(
        days=days,
        network=network,
        skus=catalogue.skus,
        demand=demand,
        stock=stock,
        orders=orders,
        purchasing=purchasing,
        transfers=transfers,
        receipts=receipts,
        rng=rng(7),
    )
    frames["events"] = log.frame(origin=origin)
    steps.advance()
    return {entity.name: frames[entity.name] for entity in ENTITIES}


def _demand_frame(
    daily: DailyDemand, network: Network, catalogue: Catalogue, origin: np.datetime64
) -> pd.DataFrame:
    warehouses = network.size
    sku = daily.item_location // warehouses
    uoms, uom_of_sku = np.unique(catalogue.uoms.astype(str), return_inverse=True)
    return entity_frame(
        "demand_history",
        {
            "sku": _categorical(sku, catalogue.skus),
            "location_code": _categorical(
                daily.item_location % warehouses, np.array(network.codes, dtype=object)
            ),
            "demand_date": as_dates(daily.day.astype(np.int64), origin),
            "quantity": daily.quantity,
            "unit_price": daily.unit_price,
            "on_promotion": daily.on_promotion,
            "uom": _categorical(uom_of_sku[sku], uoms.astype(object)),
        },
    )


def _categorical(codes: np.ndarray, categories: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object))
