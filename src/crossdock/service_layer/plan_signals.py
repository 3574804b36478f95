"""Demand signals of a plan: spikes and shifts in the last 28 days, with their evidence.

The plan reads the last `SENSING_DAYS` days of daily demand (112 days of history that
set what is normal, then the 28 tested, ending on `as_of`) and runs
`crossdock.planning.sensing.detect_demand_anomalies` with the items' categories (the
pooled test: a category spiking at one location together) and the promotion flag
(promoted days are judged against a promotion lift, and never make a shift). See
docs/planning/demand-sensing.md.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from crossdock.planning.sensing import detect_demand_anomalies

HISTORY_DAYS = 112
WINDOW_DAYS = 28
SENSING_DAYS = HISTORY_DAYS + WINDOW_DAYS
SIGNAL_COLUMNS = (
    "event_id",
    "reason_code",
    "sku",
    "location_code",
    "start_date",
    "end_date",
    "actual",
    "expected",
    "evidence",
)


def sense_demand(recent: pd.DataFrame, items: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """One row per spike or shift (`SIGNAL_COLUMNS`, evidence as JSON), by event id.

    `recent`: daily demand of the `SENSING_DAYS` days ending on `as_of` (sku,
    location_code, demand_date, quantity, on_promotion); `items`: sku and category.
    """
    if recent.empty:
        return pd.DataFrame(columns=list(SIGNAL_COLUMNS))
    window = recent.reset_index(drop=True)
    day = pd.to_datetime(window["demand_date"]).dt.normalize()
    actuals = pd.DataFrame(
        {
            "sku": window["sku"].astype(str).to_numpy(),
            "location_code": window["location_code"].astype(str).to_numpy(),
            "demand_date": day.to_numpy(),
            "quantity": pd.to_numeric(window["quantity"], errors="coerce").fillna(0.0).to_numpy(),
            "on_promotion": pd.to_numeric(window["on_promotion"], errors="coerce")
            .fillna(0.0)
            .to_numpy()
            > 0.0,
        }
    )
    groups = items.loc[items["category"].notna(), ["sku", "category"]].astype(str)
    found = detect_demand_anomalies(
        actuals,
        as_of=as_of,
        groups=groups if len(groups) else None,
        window_days=WINDOW_DAYS,
        history_days=HISTORY_DAYS,
        promotion_col="on_promotion",
    )
    evidence = found.evidence
    if evidence.empty:
        return pd.DataFrame(columns=list(SIGNAL_COLUMNS))
    records = [
        json.dumps({str(k): _plain(v) for k, v in row.items()})
        for row in evidence.to_dict("records")
    ]
    return pd.DataFrame(
        {
            "event_id": evidence["event_id"].astype(str),
            "reason_code": evidence["reason_code"].astype(str),
            "sku": evidence["sku"].astype(str),
            "location_code": evidence["location_code"].astype(str),
            "start_date": pd.to_datetime(evidence["start_date"]).dt.date,
            "end_date": pd.to_datetime(evidence["end_date"]).dt.date,
            "actual": evidence["actual"].astype("float64"),
            "expected": evidence["expected"].astype("float64"),
            "evidence": records,
        }
    ).reset_index(drop=True)


def signals_by_item_location(signals: pd.DataFrame) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Per (sku, location_code), its signals as the recommendation drivers show them."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in signals.to_dict("records"):
        out.setdefault((str(row["sku"]), str(row["location_code"])), []).append(
            {
                "event_id": row["event_id"],
                "reason_code": row["reason_code"],
                "start_date": str(row["start_date"]),
                "end_date": str(row["end_date"]),
                "actual": round(float(row["actual"]), 4),
                "expected": round(float(row["expected"]), 4),
            }
        )
    return out


def _plain(value: object) -> object:
    """A JSON-ready value: numpy scalars as Python, dates as ISO text, NaN as null."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp | date):
        return value.isoformat()[:10]
    return value
