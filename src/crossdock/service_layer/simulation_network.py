"""The network a simulation replays, read from the store: one row per item-location with
its demand per period, its DC, its supply terms, lead times, lanes, costs and starting
stock, in the arrays `planning.simulation` takes.

Choices (docs/planning/simulation.md, "From the store"):
- rows: every item-location with demand, plus the item at each DC that feeds one;
- lead times: a row that buys draws from its primary supplier's observed lead times
  (received - ordered on received PO lines), in whole periods (rounded), else the
  quoted lead time; a row fed by a DC draws its lane's transit time;
- starting stock: the newest inventory snapshot on or before the first period; without
  one, each row starts with its mean demand over lead time + review period;
- drivers: each period's price and promotion share from the demand history, read as
  known ahead (a retailer plans its prices and promotions before the week).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from crossdock.planning.simulation import Costs, EmpiricalLeadTimes, SimulationInputs
from crossdock.service_layer.ports import PlanningData, PlanningStore

BUCKET_DAYS = {"D": 1.0, "W": 7.0, "MS": 365.25 / 12.0}
PERIODS_PER_YEAR = {"D": 365.0, "W": 52.0, "MS": 12.0}


@dataclass(frozen=True)
class CostRates:
    """Money rates that turn the network's activity into cost.

    Attributes:
        holding_rate_per_year: share of unit cost that holding a unit a year costs.
        order_cost: per purchase-order line.
        transfer_cost: per transfer shipment (on top of the lane's cost per unit).
        expedite_premium: share of unit cost an expedited unit costs extra.
        shortage_share: share of the unit price lost per unit short when the item has no
            price margin on record (else the margin, price - cost, is lost).
    """

    holding_rate_per_year: float = 0.25
    order_cost: float = 25.0
    transfer_cost: float = 5.0
    expedite_premium: float = 0.3
    shortage_share: float = 0.3


@dataclass(frozen=True)
class SimulationNetwork:
    """The rows, their labels and what the simulation needs of them."""

    rows: pd.DataFrame  # sku, location_code, location_type, parent_row, series, ...
    inputs: SimulationInputs
    period_starts: pd.DatetimeIndex
    bucket: str
    drivers: pd.DataFrame | None

    @property
    def days_per_period(self) -> float:
        return BUCKET_DAYS[self.bucket]


def read_network(
    store: PlanningStore,
    *,
    bucket: str = "W",
    review_period: int = 1,
    rates: CostRates | None = None,
    today: date | None = None,
) -> SimulationNetwork:
    """The whole demand history in the store, replayed from its first period.

    Raises:
        ValueError: an unknown bucket, or a store without demand history.
    """
    if bucket not in BUCKET_DAYS:
        raise ValueError(f"bucket: need one of {', '.join(BUCKET_DAYS)}, got {bucket!r}")
    rates = rates or CostRates()
    data = store.planning_data(as_of=today or datetime.now(UTC).date(), with_drivers=True)
    history = data.demand_history
    if history.empty:
        raise ValueError("demand_history: the store holds no demand to replay")
    dates = pd.to_datetime(history["demand_date"])
    first = dates.min().normalize()
    starts = _period_starts(first, dates.max(), bucket)
    period = starts.searchsorted(dates, side="right") - 1
    locations = data.locations.set_index("location_code")
    parent_of = locations["parent_location_code"].where(
        locations["parent_location_code"].notna(), None
    )
    keys = history[["sku", "location_code"]].astype(str).drop_duplicates()
    parents = keys.assign(location_code=keys["location_code"].map(parent_of)).dropna()
    rows = (
        pd.concat([keys, parents], ignore_index=True)
        .drop_duplicates()
        .sort_values(["location_code", "sku"], ignore_index=True)
    )
    rows["series"] = rows["sku"] + "@" + rows["location_code"]
    index = pd.Index(rows["series"])
    where = index.get_indexer(
        history["sku"].astype(str) + "@" + history["location_code"].astype(str)
    )
    demand = np.zeros((len(rows), len(starts)))
    np.add.at(demand, (where, period), history["quantity"].to_numpy(np.float64))
    rows["location_type"] = rows["location_code"].map(locations["location_type"]).fillna("branch")
    parent_code = rows["location_code"].map(parent_of)
    parent_rows = index.get_indexer(rows["sku"] + "@" + parent_code.fillna("").astype(str))
    rows["parent_row"] = np.where(parent_code.notna(), parent_rows, -1)
    step = BUCKET_DAYS[bucket]
    lead, quoted = _lead_times(rows, data, step)
    rows["lead_time_periods"] = quoted
    items = data.items.set_index("sku")
    unit_cost = rows["sku"].map(pd.to_numeric(items["unit_cost"], errors="coerce")).fillna(1.0)
    listed = items["unit_price"] if "unit_price" in items else pd.Series(dtype="float64")
    price = rows["sku"].map(pd.to_numeric(listed, errors="coerce"))
    margin = (price - unit_cost).where(price > unit_cost, rates.shortage_share * unit_cost)
    terms = _primary_terms(data.supply_terms)
    buys = rows["parent_row"] < 0
    moq = np.where(buys, rows["sku"].map(terms["moq"]).fillna(0.0), 0.0)
    multiple = np.where(buys, rows["sku"].map(terms["order_multiple"]).fillna(1.0), 1.0)
    lane_cost, lane, capacity = _lanes(rows, data.lanes, parent_code, step)
    on_hand = _starting_stock(store, rows, first.date(), demand, quoted, review_period)
    inputs = SimulationInputs(
        demand=demand,
        on_hand=on_hand,
        lead_times=lead,
        moq=moq.astype(np.float64),
        order_multiple=multiple.astype(np.int64),
        unit_cost=unit_cost.to_numpy(np.float64),
        parent=rows["parent_row"].to_numpy(np.int64),
        lane=lane,
        lane_capacity=capacity,
        costs=Costs(
            holding_rate=rates.holding_rate_per_year / PERIODS_PER_YEAR[bucket],
            order_cost=rates.order_cost,
            transfer_cost=np.where(buys, 0.0, rates.transfer_cost),
            transport_cost=lane_cost,
            expedite_cost=rates.expedite_premium * unit_cost.to_numpy(np.float64),
            shortage_cost=margin.to_numpy(np.float64),
        ),
    )
    return SimulationNetwork(
        rows=rows,
        inputs=inputs,
        period_starts=starts,
        bucket=bucket,
        drivers=_drivers(history, starts, period, bucket),
    )


def _period_starts(first: pd.Timestamp, last: pd.Timestamp, bucket: str) -> pd.DatetimeIndex:
    if bucket == "MS":
        return pd.date_range(first.to_period("M").start_time, last, freq="MS")
    return pd.date_range(first, last, freq=f"{int(BUCKET_DAYS[bucket])}D")


def _primary_terms(terms: pd.DataFrame) -> pd.DataFrame:
    """One supply term per item: the primary one, else the first."""
    if terms.empty:
        return pd.DataFrame(columns=["supplier_code", "lead_time_days", "moq", "order_multiple"])
    primary = (
        terms["is_primary"].isin([True, 1])
        if "is_primary" in terms
        else pd.Series(data=False, index=terms.index)
    )
    ordered = terms.assign(_primary=primary).sort_values(
        ["sku", "_primary"], ascending=[True, False]
    )
    first = ordered.drop_duplicates("sku").set_index("sku")
    return first.assign(
        moq=pd.to_numeric(first["moq"], errors="coerce").fillna(0.0),
        order_multiple=pd.to_numeric(first["order_multiple"], errors="coerce").fillna(1.0),
        lead_time_days=pd.to_numeric(first["lead_time_days"], errors="coerce"),
    )


def _lead_times(
    rows: pd.DataFrame, data: PlanningData, step: float
) -> tuple[EmpiricalLeadTimes, np.ndarray]:
    """Per row, its lead-time group (a supplier's observed lead times, or a lane's
    transit), and the quoted lead time in periods."""
    terms = _primary_terms(data.supply_terms)
    lines = data.purchase_order_lines
    observed: dict[str, np.ndarray] = {}
    if len(lines):
        received = lines.dropna(subset=["received_date", "order_date"])
        taken = (
            pd.to_datetime(received["received_date"]) - pd.to_datetime(received["order_date"])
        ).dt.days
        for supplier, values in taken.groupby(received["supplier_code"].astype(str)):
            observed[str(supplier)] = np.maximum(np.round(values.to_numpy() / step), 0)
    lanes = data.lanes
    transit = {
        (str(a), str(b)): float(t)
        for a, b, t in zip(
            lanes["from_location_code"],
            lanes["to_location_code"],
            lanes["transit_days"],
            strict=True,
        )
    }
    groups: dict[tuple[str, ...], int] = {}
    samples: list[np.ndarray] = []
    group = np.zeros(len(rows), dtype=np.int64)
    quoted = np.zeros(len(rows))
    codes = rows["location_code"].to_numpy(object)
    for i, (sku, parent) in enumerate(zip(rows["sku"], rows["parent_row"], strict=True)):
        if parent >= 0:
            days: float = transit.get((str(codes[parent]), str(codes[i])), step)
            key: tuple[str, ...] = ("lane", f"{days:g}")
            sample = np.array([max(round(days / step), 0)])
        else:
            supplier = str(terms["supplier_code"].get(sku, ""))
            days = float(terms["lead_time_days"].get(sku, np.nan))
            days = 14.0 if np.isnan(days) else days  # no quoted lead time: two weeks
            key = ("supplier", supplier) if supplier in observed else ("quoted", f"{days:g}")
            sample = observed.get(supplier, np.array([max(round(days / step), 0)]))
        if key not in groups:
            groups[key] = len(samples)
            samples.append(sample)
        group[i] = groups[key]
        quoted[i] = float(np.mean(samples[groups[key]]))
    return EmpiricalLeadTimes.of(samples, group), quoted


def _lanes(
    rows: pd.DataFrame, lanes: pd.DataFrame, parent_code: pd.Series, step: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: its lane's cost per unit, the lane's index; and per lane its capacity
    per period (inf = none)."""
    if lanes.empty:
        return np.zeros(len(rows)), np.full(len(rows), -1), np.zeros(0)
    keyed = lanes.assign(
        key=lanes["from_location_code"].astype(str) + ">" + lanes["to_location_code"].astype(str)
    ).drop_duplicates("key")
    index = pd.Index(keyed["key"])
    lane = index.get_indexer(parent_code.fillna("").astype(str) + ">" + rows["location_code"])
    cost = pd.to_numeric(keyed["cost_per_unit"], errors="coerce").fillna(0.0).to_numpy()
    per_day = pd.to_numeric(keyed["capacity_units_per_day"], errors="coerce").to_numpy()
    capacity = np.where(np.isnan(per_day), np.inf, per_day * step)
    return np.where(lane >= 0, cost[lane], 0.0), lane.astype(np.int64), capacity


def _starting_stock(
    store: PlanningStore,
    rows: pd.DataFrame,
    first: date,
    demand: np.ndarray,
    lead_periods: np.ndarray,
    review_period: int,
) -> np.ndarray:
    """The snapshot on or before the first period, else mean demand over lead time +
    review period (a DC: its branches' too)."""
    snapshot = store.planning_data(as_of=first - timedelta(days=1)).inventory_positions
    if len(snapshot):
        keyed = snapshot.assign(
            series=snapshot["sku"].astype(str) + "@" + snapshot["location_code"].astype(str)
        ).set_index("series")
        on_hand = pd.to_numeric(keyed["on_hand"], errors="coerce").groupby(level=0).sum()
        return rows["series"].map(on_hand).fillna(0.0).clip(lower=0.0).to_numpy(np.float64)
    parent = rows["parent_row"].to_numpy(np.int64)
    served = demand.mean(axis=1)
    child = parent >= 0
    served = served + np.bincount(parent[child], served[child], minlength=len(rows))
    return np.asarray(np.ceil(served * (lead_periods + review_period)), dtype=np.float64)


def _drivers(
    history: pd.DataFrame,
    starts: pd.DatetimeIndex,
    period: np.ndarray,
    bucket: str,
) -> pd.DataFrame | None:
    """Per series and period: mean price and promotion share, for series whose drivers
    move (a promotion, or a price more than 3% apart); None when none do."""
    if "unit_price" not in history or history["unit_price"].isna().all():
        return None
    frame = pd.DataFrame(
        {
            "unique_id": history["sku"].astype(str) + "@" + history["location_code"].astype(str),
            "ds": starts[period],
            "unit_price": pd.to_numeric(history["unit_price"], errors="coerce"),
            "on_promotion": pd.to_numeric(history["on_promotion"], errors="coerce").fillna(0.0),
        }
    )
    per = frame.groupby(["unique_id", "ds"], as_index=False).mean()
    moves = per.groupby("unique_id").agg(
        promo=("on_promotion", "max"), low=("unit_price", "min"), high=("unit_price", "max")
    )
    moving = moves.index[(moves["promo"] > 0) | (moves["high"] > 1.03 * moves["low"])]
    per = per[per["unique_id"].isin(moving)]
    if per.empty:
        return None
    # the periods after the history, as far as any forecast looks: prices carried on,
    # no promotion planned
    ahead = _period_starts(starts[-1], starts[-1] + (starts[-1] - starts[0]), bucket)
    grid = pd.MultiIndex.from_product([moving, starts.union(ahead)], names=["unique_id", "ds"])
    full = per.set_index(["unique_id", "ds"]).reindex(grid)
    full["unit_price"] = full.groupby(level="unique_id")["unit_price"].ffill().bfill()
    full["on_promotion"] = full["on_promotion"].fillna(0.0)
    return full.reset_index()
