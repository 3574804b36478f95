"""Forecast drivers for a plan: price and promotion, past from demand history, future from
the promotions calendar.

History: each demand row (a day, or a 7-day block summed in SQL) carries its mean price
and the share of its days that were promoted. Future: one row per item-location and
forecast period after `as_of`: `on_promotion` = share of the period's days covered by a
promotion of that item-location (confirmed, not cancelled), `unit_price` = the
promotion's price on those days (its `promo_price`, else the usual price less its
`discount_rate`, else the usual price) and the usual price on the others. The usual
price is the mean price of the item-location's latest period without promotion (its
latest period if every one was promoted). Item-locations that never had a price are
left out: the forecast treats them exactly as without drivers. So are those whose
drivers never move (never promoted, nothing planned, the price never more than 3% apart
from period to period): a driver model would only repeat its plain twin there, at twice
the cost. No promotions calendar
means no promotion is expected: the history is still read without its promotions.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

DRIVER_COLUMNS = ("unit_price", "on_promotion")
PRICE_MOVE = 0.03  # a price that never moves more than 3% (rounding, mix) is no driver


def forecast_drivers(
    history: pd.DataFrame,
    promotions: pd.DataFrame,
    *,
    as_of: date,
    periods: int,
    step_days: int,
) -> pd.DataFrame | None:
    """The `drivers` frame for `forecast_demand`, or None when history has no prices.

    Args:
        history: `unique_id`, `ds`, `unit_price`, `on_promotion` (one row per period or
            day with demand, up to `as_of`).
        promotions: `sku`, `location_code`, `start_date`, `end_date` (inclusive),
            `promo_price`, `discount_rate`; only rows not cancelled.
        as_of: the plan date; future periods start the day after.
        periods: forecast periods after `as_of`.
        step_days: days per period (7 weekly, 1 daily).
    """
    if not set(DRIVER_COLUMNS) <= set(history.columns):
        return None
    priced = history[history["unit_price"].notna()]
    if priced.empty:
        return None
    past = priced[["unique_id", "ds", *DRIVER_COLUMNS]]
    usual = _usual_price(past)
    ids = usual.index.to_numpy()
    day = np.datetime64(pd.Timestamp(as_of).date(), "D")
    period_end = day + np.arange(1, periods + 1) * step_days
    share, promo_price = _promotion_share(
        promotions, ids=ids, usual=usual, as_of=day, periods=periods, step_days=step_days
    )
    moving = _drivers_move(past, ids) | (share.reshape(ids.size, periods) > 0.0).any(axis=1)
    if not moving.any():
        return None
    keep = np.repeat(moving, periods)
    ids, usual = ids[moving], usual[moving]
    share, promo_price = share[keep], promo_price[keep]
    past = past[past["unique_id"].isin(ids)]
    usual_price = np.repeat(usual.to_numpy(np.float64), periods)
    future = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, periods),
            "ds": np.tile(period_end.astype("datetime64[ns]"), ids.size),
            "unit_price": (1.0 - share) * usual_price + share * promo_price,
            "on_promotion": share,
        }
    )
    return pd.concat([past, future], ignore_index=True)


def _drivers_move(past: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    """Per series (in `ids` order): was it ever promoted, or did its price really move?"""
    grouped = past.groupby("unique_id", sort=True)
    promoted = grouped["on_promotion"].max().fillna(0.0) > 0.0
    prices = grouped["unit_price"]
    varied = prices.max() > prices.min() * (1.0 + PRICE_MOVE)
    return np.asarray((promoted | varied).reindex(ids, fill_value=False), dtype=np.bool_)


def _usual_price(past: pd.DataFrame) -> pd.Series:
    """Per series: mean price of its latest period without promotion, else its latest."""
    ordered = past.sort_values(["unique_id", "ds"], kind="stable")
    plain = ordered[ordered["on_promotion"].fillna(0.0) <= 0.0]
    latest_plain = plain.groupby("unique_id", sort=True)["unit_price"].last()
    latest = ordered.groupby("unique_id", sort=True)["unit_price"].last()
    return latest_plain.reindex(latest.index).fillna(latest)


def _promotion_share(
    promotions: pd.DataFrame,
    *,
    ids: np.ndarray,
    usual: pd.Series,
    as_of: np.datetime64,
    periods: int,
    step_days: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(share of promoted days, price on those days) per series and future period, flat in
    series-major order; the price is the usual one where nothing is promoted."""
    share = np.zeros(ids.size * periods)
    price = np.repeat(usual.to_numpy(np.float64), periods)
    if promotions.empty:
        return share, price
    promo = promotions.assign(
        unique_id=promotions["sku"].astype(str) + "@" + promotions["location_code"].astype(str)
    )
    row = pd.Index(ids).get_indexer(promo["unique_id"])
    promo, row = promo[row >= 0], row[row >= 0]
    if promo.empty:
        return share, price
    start = pd.to_datetime(promo["start_date"]).to_numpy("datetime64[D]")
    end = pd.to_datetime(promo["end_date"]).to_numpy("datetime64[D]")
    first = as_of + 1 + np.arange(periods) * step_days  # first day of each period
    last = first + step_days - 1
    overlap = (
        np.minimum(end[:, None], last[None, :]) - np.maximum(start[:, None], first[None, :])
    ).astype(np.int64) + 1
    days = np.clip(overlap, 0, step_days).astype(np.float64)  # promotion x period
    base = usual.to_numpy(np.float64)[row]
    promo_price = pd.to_numeric(promo["promo_price"], errors="coerce").to_numpy(np.float64)
    discount = pd.to_numeric(promo["discount_rate"], errors="coerce").to_numpy(np.float64)
    on_promo = np.where(
        np.isfinite(promo_price),
        promo_price,
        base * (1.0 - np.nan_to_num(discount, nan=0.0)),
    )
    cells = row[:, None] * periods + np.arange(periods)[None, :]
    promoted_days = np.bincount(cells.ravel(), days.ravel(), minlength=share.size)
    priced_days = np.bincount(
        cells.ravel(), (days * on_promo[:, None]).ravel(), minlength=share.size
    )
    covered = np.minimum(promoted_days, step_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_promo_price = np.where(promoted_days > 0, priced_days / promoted_days, price)
    share = covered / step_days
    return share, mean_promo_price
