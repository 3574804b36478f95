"""Projected on hand per item-location and day, and a risk summary per item-location.

The mean path, per row and projected day d (day 1 = the day after `as_of`):

    projected_on_hand[d] = available - backordered + receipts due on days 1..d
                           - forecast mean demand on days 1..d

where `available` is `InventoryPosition.available` (on hand - allocated - on hold, not
below 0). Negative values are units short (backorders or lost sales) on the mean path.
See docs/planning/projection.md for what every summary column means.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from crossdock.planning.policy import lead_time_demand
from crossdock.planning.projection.inputs import (
    BoolArray,
    FloatArray,
    IntArray,
    ProjectionInputError,
    check_unique_keys,
    day_numbers,
    dense_forecast,
    quantity_column,
    read_receipts,
    read_stock,
    require_columns,
    row_numbers,
)

KEY_COLUMNS: Final = ("sku", "location_code")
STOCKOUT_TOLERANCE: Final = 1e-9


@dataclass(frozen=True, slots=True)
class ProjectionRules:
    """Thresholds of the projection, all documented in docs/planning/projection.md.

    Attributes:
        default_lead_time_days: lead time for rows without `lead_time_days` in `policy`.
        excess_margin: stock above order_up_to * (1 + margin) is excess.
        excess_days_of_supply: stock above this many days of mean demand is excess.
        obsolete_after_days: no demand for at least this many days makes stock obsolete.
        obsolete_classes: demand classes that confirm obsolescence where a class is given.
        intermittent_classes: demand classes whose lead-time demand is modelled as gamma.
    """

    default_lead_time_days: float = 14.0
    excess_margin: float = 0.25
    excess_days_of_supply: float = 180.0
    obsolete_after_days: int = 180
    obsolete_classes: tuple[str, ...] = ("dying", "no_demand")
    intermittent_classes: tuple[str, ...] = ("intermittent", "lumpy")


@dataclass(frozen=True)
class InventoryProjection:
    """What `project_inventory` returns: a summary frame and the daily path on demand.

    Attributes:
        summary: one row per position (same order), see `SUMMARY_COLUMNS`.
        dates: the projected days, `as_of` + 1 .. `as_of` + horizon_days.
    """

    summary: pd.DataFrame
    dates: pd.DatetimeIndex
    keys: pd.DataFrame
    demand_mean: FloatArray
    receipts: FloatArray
    projected_on_hand: FloatArray

    def daily(self, start: int = 0, stop: int | None = None) -> pd.DataFrame:
        """The daily projection of positions rows `start:stop` (all by default).

        Columns: the key columns, `date`, `demand_mean`, `cumulative_demand_mean`,
        `receipts`, `projected_on_hand`; rows ordered by item-location, then date.
        """
        stop = len(self.keys) if stop is None else min(stop, len(self.keys))
        horizon = len(self.dates)
        n = max(stop - start, 0)
        frame = {
            column: np.repeat(self.keys[column].to_numpy()[start:stop], horizon)
            for column in self.keys.columns
        }
        demand = self.demand_mean[start:stop]
        frame["date"] = np.tile(self.dates.to_numpy(), n)
        frame["demand_mean"] = demand.ravel()
        frame["cumulative_demand_mean"] = np.cumsum(demand, axis=1).ravel()
        frame["receipts"] = self.receipts[start:stop].ravel()
        frame["projected_on_hand"] = self.projected_on_hand[start:stop].ravel()
        return pd.DataFrame(frame)

    def iter_daily(self, chunk_size: int = 20_000) -> Iterator[pd.DataFrame]:
        """The daily projection in frames of `chunk_size` item-locations each."""
        for start in range(0, len(self.keys), chunk_size):
            yield self.daily(start, start + chunk_size)


SUMMARY_COLUMNS: Final = (
    "available",
    "inventory_position",
    "scheduled_receipts",
    "receipts_after_horizon",
    "unscheduled_inbound",
    "forecast_days",
    "mean_daily_demand",
    "days_of_supply",
    "projected_on_hand_end",
    "first_stockout_date",
    "lead_time_days",
    "lead_time_demand_mean",
    "lead_time_demand_std",
    "lead_time_demand_gamma",
    "supply_within_lead_time",
    "stockout_probability",
    "excess_limit",
    "excess_units",
    "excess",
    "days_since_last_demand",
    "obsolete",
)


def project_inventory(
    positions: pd.DataFrame,
    receipts: pd.DataFrame | None,
    forecasts: pd.DataFrame,
    *,
    as_of: date,
    horizon_days: int,
    policy: pd.DataFrame | None = None,
    rules: ProjectionRules | None = None,
    key_columns: Sequence[str] = KEY_COLUMNS,
) -> InventoryProjection:
    """Project stock day by day and summarise stockout risk, excess and obsolescence.

    Args:
        positions: one row per item-location: the key columns, `on_hand` (required),
            and optionally `allocated`, `on_hold`, `in_transit`, `on_order`,
            `backordered` (absent or missing = 0), as counted at the end of `as_of`.
        receipts: scheduled inbound, one row per line: the key columns,
            `expected_date` and `quantity` (open quantity). Build it from open PO lines
            (`score_open_lines(...).expected_receipt_date`, quantity ordered - received)
            and open transfer lines (their expected date). Dates on or before `as_of`
            (overdue) count on day 1. None when there is nothing scheduled.
        forecasts: long daily forecast: the key columns, `ds`, `mean`, and `std` or
            `hi-<level>` columns for the spread. Days without a row count as no demand.
        as_of: the day of the stock count; day 1 of the projection is the day after.
        horizon_days: days to project, >= 1.
        policy: optional, one row per item-location: the key columns and any of
            `lead_time_days`, `lead_time_std_days`, `order_up_to`, `demand_class`,
            `last_demand_date`, `served_daily_demand` (a DC: demand per day of its own
            customers and of the warehouses it replenishes; excess is judged against
            it, and stock that still serves demand is not obsolete).
        rules: thresholds; `ProjectionRules()` by default.
        key_columns: the columns naming an item-location in every frame.

    Returns:
        An `InventoryProjection`: `summary` one row per position, `daily()` the path.

    Raises:
        ProjectionInputError: a missing column, a duplicated position, or a negative or
            missing quantity, naming the frame, column, row and value.
    """
    if horizon_days < 1:
        raise ProjectionInputError(
            frame="arguments", field="horizon_days", row=None, value=horizon_days, reason=">= 1"
        )
    rules = rules or ProjectionRules()
    keys = list(key_columns)
    require_columns(positions, keys, name="positions")
    check_unique_keys(positions, keys)
    n = len(positions)
    stock = read_stock(positions)
    require_columns(forecasts, keys, name="forecasts")
    demand = dense_forecast(
        forecasts,
        row_numbers(positions, forecasts, keys),
        n_rows=n,
        as_of=as_of,
        horizon_days=horizon_days,
    )
    if receipts is not None:
        require_columns(receipts, keys, name="receipts")
    scheduled = read_receipts(
        receipts,
        None if receipts is None else row_numbers(positions, receipts, keys),
        as_of=as_of,
    )
    inbound = scheduled.dense(n_rows=n, horizon_days=horizon_days)
    cumulative_demand = np.cumsum(demand.mean, axis=1)
    available = stock.available
    projected = (available - stock.backordered)[:, None] + np.cumsum(inbound, axis=1)
    projected -= cumulative_demand

    settings = _policy_columns(positions, policy, keys, n=n, as_of=as_of, rules=rules)
    mean_daily = cumulative_demand[:, -1] / horizon_days
    with np.errstate(divide="ignore", invalid="ignore"):
        days_of_supply = np.where(mean_daily > 0.0, available / mean_daily, np.inf)

    dates = pd.date_range(pd.Timestamp(as_of) + pd.Timedelta(days=1), periods=horizon_days)
    risk = _stockout_risk(
        demand.mean,
        demand.variance,
        lead_time=settings.lead_time,
        lead_time_std=settings.lead_time_std,
        intermittent=settings.intermittent,
        supply=available
        - stock.backordered
        + scheduled.total_by_row(n_rows=n, within_days=settings.lead_time),
    )
    position = stock.inventory_position
    served = np.where(
        np.isnan(settings.served_daily_demand), mean_daily, settings.served_daily_demand
    )
    excess_limit = np.fmin(
        settings.order_up_to * (1.0 + rules.excess_margin),
        rules.excess_days_of_supply * served,
    )
    excess_units = np.maximum(position - excess_limit, 0.0)
    total_scheduled = scheduled.total_by_row(n_rows=n)
    within_horizon = inbound.sum(axis=1)
    columns = {
        "available": available,
        "inventory_position": position,
        "scheduled_receipts": within_horizon,
        "receipts_after_horizon": total_scheduled - within_horizon,
        "unscheduled_inbound": np.maximum(stock.in_transit + stock.on_order - total_scheduled, 0.0),
        "forecast_days": demand.days_covered,
        "mean_daily_demand": mean_daily,
        "days_of_supply": days_of_supply,
        "projected_on_hand_end": projected[:, -1],
        "first_stockout_date": _first_stockout(projected, dates),
        "lead_time_days": settings.lead_time,
        "lead_time_demand_mean": risk.mean,
        "lead_time_demand_std": risk.std,
        "lead_time_demand_gamma": risk.is_gamma,
        "supply_within_lead_time": risk.supply,
        "stockout_probability": risk.probability,
        "excess_limit": excess_limit,
        "excess_units": excess_units,
        "excess": excess_units > 0.0,
        "days_since_last_demand": settings.days_since_last_demand,
        "obsolete": (stock.on_hand > 0.0)
        & settings.obsolete_evidence
        & ~(settings.served_daily_demand > 0.0),
    }
    summary = pd.concat([positions[keys].reset_index(drop=True), pd.DataFrame(columns)], axis=1)
    return InventoryProjection(
        summary=summary,
        dates=dates,
        keys=positions[keys].reset_index(drop=True),
        demand_mean=demand.mean,
        receipts=inbound,
        projected_on_hand=projected,
    )


def _first_stockout(projected: FloatArray, dates: pd.DatetimeIndex) -> npt.NDArray[np.datetime64]:
    """First date the mean path goes below zero; NaT where it never does."""
    short = projected < -STOCKOUT_TOLERANCE
    first = dates.to_numpy()[np.argmax(short, axis=1)]
    return np.where(short.any(axis=1), first, np.datetime64("NaT"))


@dataclass(frozen=True, slots=True)
class _Settings:
    lead_time: FloatArray
    lead_time_std: FloatArray
    order_up_to: FloatArray
    intermittent: BoolArray
    days_since_last_demand: FloatArray
    obsolete_evidence: BoolArray
    served_daily_demand: FloatArray


def _policy_columns(
    positions: pd.DataFrame,
    policy: pd.DataFrame | None,
    keys: list[str],
    *,
    n: int,
    as_of: date,
    rules: ProjectionRules,
) -> _Settings:
    """Per-row policy inputs aligned to positions; NaN where the policy has nothing."""
    aligned = pd.DataFrame(index=pd.RangeIndex(n))
    if policy is not None:
        require_columns(policy, keys, name="policy")
        rows = row_numbers(policy, positions, keys)
        aligned = policy.reset_index(drop=True).reindex(rows).reset_index(drop=True)

    def floats(column: str) -> FloatArray:
        if column not in aligned.columns:
            return np.full(n, np.nan)
        quantity_column(aligned, column, name="policy")  # refuses negatives
        return pd.to_numeric(aligned[column], errors="coerce").to_numpy(dtype=np.float64)

    lead_time = floats("lead_time_days")
    lead_time = np.where(np.isnan(lead_time), rules.default_lead_time_days, lead_time)
    lead_time_std = np.nan_to_num(floats("lead_time_std_days"), nan=0.0)
    classes = (
        aligned["demand_class"] if "demand_class" in aligned.columns else pd.Series([None] * n)
    )
    class_known = classes.notna().to_numpy()
    dead_class = classes.isin(rules.obsolete_classes).to_numpy()
    if "last_demand_date" in aligned.columns:
        last = aligned["last_demand_date"]
        waited = (-day_numbers(last, as_of=as_of)).astype(np.float64)
        days_since = np.where(last.isna().to_numpy(), np.inf, waited)
        stale = days_since >= rules.obsolete_after_days
        evidence = stale & (dead_class | ~class_known)
    else:
        days_since = np.full(n, np.nan)
        evidence = dead_class
    return _Settings(
        lead_time=lead_time,
        lead_time_std=lead_time_std,
        order_up_to=floats("order_up_to"),
        intermittent=classes.isin(rules.intermittent_classes).to_numpy(),
        days_since_last_demand=days_since,
        obsolete_evidence=np.asarray(evidence, dtype=np.bool_),
        served_daily_demand=floats("served_daily_demand"),
    )


@dataclass(frozen=True, slots=True)
class _Risk:
    mean: FloatArray
    std: FloatArray
    is_gamma: BoolArray
    supply: FloatArray
    probability: FloatArray


def _stockout_risk(
    daily_mean: FloatArray,
    daily_variance: FloatArray,
    *,
    lead_time: FloatArray,
    lead_time_std: FloatArray,
    intermittent: BoolArray,
    supply: FloatArray,
) -> _Risk:
    """P(demand over the lead time > supply) per row.

    Demand per day over the lead time is the forecast's average over its first
    ceil(L) days (capped at the horizon): mean and variance per day, combined with the
    lead-time spread by `policy.lead_time_demand` (normal or gamma by its rule).
    """
    n, horizon = daily_mean.shape
    window = np.clip(np.ceil(lead_time).astype(np.int64), 1, horizon)
    rows: IntArray = np.arange(n, dtype=np.int64)
    per_day_mean = np.cumsum(daily_mean, axis=1)[rows, window - 1] / window
    per_day_var = np.cumsum(daily_variance, axis=1)[rows, window - 1] / window
    demand = lead_time_demand(
        demand_mean=per_day_mean,
        demand_std=np.sqrt(per_day_var),
        lead_time_mean=lead_time,
        lead_time_std=lead_time_std,
        intermittent=intermittent,
    )
    random = demand.is_random
    with np.errstate(divide="ignore", invalid="ignore"):
        normal = special.ndtr((demand.mean - supply) / demand.std)
        scaled = np.maximum(supply, 0.0) / demand.gamma_scale
        gamma = np.where(supply > 0.0, special.gammaincc(demand.gamma_shape, scaled), 1.0)
    certain = (demand.mean > supply + STOCKOUT_TOLERANCE).astype(np.float64)
    probability = np.where(random, np.where(demand.is_gamma, gamma, normal), certain)
    return _Risk(
        mean=demand.mean,
        std=demand.std,
        is_gamma=demand.is_gamma,
        supply=supply,
        probability=np.asarray(probability, dtype=np.float64),
    )
