"""Demand sensing: spikes and level shifts against the forecast, raised as events.

`detect_demand_anomalies` lays the last `history_days + window_days` days of a sparse
daily demand history out as an item-location x day matrix, sets an expectation for
every day of the test window (the caller's forecast, else a robust weekday baseline
from the history before the window), and runs two residual tests over whole matrices:

- **spike**: a day (or run of consecutive days) far above expectation: robust z-score
  at least `spike_threshold` AND a Poisson / negative-binomial upper-tail probability at
  most `spike_alpha`, so one ordinary order on an intermittent item is not a spike;
- **shift**: a level change that started inside the window and lasted to `as_of`, at
  least `min_run` days long, `shift_threshold` standard errors and `min_shift` (a
  fraction) away from expectation; spike days do not count towards it.

The result is one canonical `events` row per anomaly plus an evidence frame keyed by
`event_id` (the events entity has no column for evidence).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from crossdock.domain.canonical import entity
from crossdock.domain.reason_codes import EventType, ReasonCode
from crossdock.planning.sensing._matrix import (
    DemandMatrix,
    build_matrix,
    noise_model,
)
from crossdock.planning.sensing._tests import Anomalies, find_shifts, find_spikes

SOURCE = "crossdock.sensing"
EVENT_ID_PREFIX = "DS-"
EVIDENCE_COLUMNS = (
    "event_id",
    "sku",
    "location_code",
    "reason_code",
    "start_date",
    "end_date",
    "days",
    "actual",
    "expected",
    "residual",
    "robust_z",
    "tail_p",
    "shift_pct",
    "window_start",
    "as_of",
)


@dataclass(frozen=True, slots=True)
class DemandAnomalies:
    """What `detect_demand_anomalies` returns.

    Attributes:
        events: canonical `events` frame (its fields in spec order, plus
            `reason_code_site_code`), one row per anomaly, sorted by event_id.
        evidence: one row per event, same order, columns `EVIDENCE_COLUMNS`.
    """

    events: pd.DataFrame
    evidence: pd.DataFrame


def detect_demand_anomalies(
    actuals: pd.DataFrame,
    expected: pd.DataFrame | None = None,
    *,
    as_of: date,
    window_days: int = 28,
    history_days: int = 112,
    spike_threshold: float = 5.0,
    spike_alpha: float = 1e-6,
    spike_over_history_max: float = 1.0,
    shift_threshold: float = 4.0,
    min_shift: float = 0.3,
    min_run: int = 7,
    min_history_demand_days: int = 3,
    sku_col: str = "sku",
    location_col: str = "location_code",
    time_col: str = "demand_date",
    target_col: str = "quantity",
    expected_col: str = "expected",
) -> DemandAnomalies:
    """Find demand spikes and level shifts in the `window_days` days ending on `as_of`.

    Args:
        actuals: sparse daily demand, one row per item-location and day with demand (an
            absent day is zero; duplicate rows are summed), as `demand_history` holds it:
            `sku_col`, `location_col`, `time_col` (dates), `target_col` (units).
            Rows outside the history + window span are ignored.
        expected: optional expected units per item-location and test-window day
            (`sku_col`, `location_col`, `time_col`, `expected_col`), e.g. a forecast
            made before the window. Days it leaves out use the robust baseline.
        as_of: last day tested; nothing later is read.
        window_days: days tested, ending on `as_of`.
        history_days: days before the window that set the baseline and the noise level;
            a multiple of 7 (whole weeks, for the weekday baseline).
        spike_threshold: robust z-score a spike day must reach.
        spike_alpha: largest count-model upper-tail probability of a spike day.
        spike_over_history_max: a spike day must also exceed this multiple of the
            largest day in the history (0 turns the guard off).
        shift_threshold: z-score of the summed residuals a shift must reach.
        min_shift: smallest relative change of level that counts as a shift (0.3 = 30%).
        min_run: fewest days, ending on `as_of`, a shift must have lasted.
        min_history_demand_days: item-locations with fewer days of demand in the
            history are not tested (too new or too sparse to know what is normal).

    Returns:
        `DemandAnomalies` with the canonical events and their evidence.

    Raises:
        ValueError: a column is missing or a parameter is out of range.
    """
    _check_arguments(window_days, history_days, min_run, spike_alpha)
    columns = (sku_col, location_col, time_col, target_col)
    _require_columns("actuals", actuals, columns)
    if expected is not None:
        _require_columns("expected", expected, (sku_col, location_col, time_col, expected_col))
    matrix = build_matrix(
        actuals,
        expected,
        as_of=as_of,
        history_days=history_days,
        window_days=window_days,
        columns=columns,
        expected_col=expected_col,
    )
    noise = noise_model(matrix)
    eligible = noise.history_demand_days >= min_history_demand_days
    window = matrix.demand[:, history_days:]
    spike_days, _, spikes = find_spikes(
        window,
        noise.expected,
        noise.dispersion,
        eligible,
        noise.history_max,
        z_threshold=spike_threshold,
        alpha=spike_alpha,
        over_history_max=spike_over_history_max,
    )
    calm = np.where(spike_days, noise.expected, window)
    shifts = find_shifts(
        calm,
        noise.expected,
        noise.dispersion,
        eligible,
        history_days=history_days,
        z_threshold=shift_threshold,
        min_shift=min_shift,
        min_run=min_run,
    )
    evidence = pd.concat(
        [
            _evidence(spikes, ReasonCode.DEMAND_SPIKE, matrix, as_of=as_of, shift=False),
            _evidence(shifts, ReasonCode.DEMAND_SHIFT, matrix, as_of=as_of, shift=True),
        ],
        ignore_index=True,
    )
    evidence = evidence.sort_values("event_id", ignore_index=True)
    return DemandAnomalies(events=_events(evidence), evidence=evidence)


def _evidence(
    found: Anomalies,
    reason: ReasonCode,
    matrix: DemandMatrix,
    *,
    as_of: date,
    shift: bool,
) -> pd.DataFrame:
    window_start = matrix.first_day + np.timedelta64(matrix.history_days, "D")
    start = (window_start + found.start.astype("timedelta64[D]")).astype("datetime64[ns]")
    end = (window_start + found.end.astype("timedelta64[D]")).astype("datetime64[ns]")
    skus = matrix.skus[found.row]
    locations = matrix.locations[found.row]
    change = np.divide(
        found.actual - found.expected,
        found.expected,
        out=np.full(len(found.row), np.nan),
        where=found.expected > 0,
    )
    start_text = pd.DatetimeIndex(start).strftime("%Y-%m-%d")
    ids = [
        EVENT_ID_PREFIX + _digest(f"{sku}|{location}|{reason.value}|{day}")
        for sku, location, day in zip(skus, locations, start_text, strict=True)
    ]
    return pd.DataFrame(
        {
            "event_id": pd.Series(ids, dtype=object),
            "sku": pd.Series(skus, dtype=object),
            "location_code": pd.Series(locations, dtype=object),
            "reason_code": pd.Series([reason.value] * len(ids), dtype=object),
            "start_date": pd.DatetimeIndex(start),
            "end_date": pd.DatetimeIndex(end),
            "days": (found.end - found.start + 1).astype(np.int64),
            "actual": found.actual,
            "expected": found.expected,
            "residual": found.actual - found.expected,
            "robust_z": found.robust_z,
            "tail_p": found.tail_p,
            "shift_pct": 100.0 * change if shift else np.full(len(ids), np.nan),
            "window_start": pd.Timestamp(window_start.astype("datetime64[ns]")),
            "as_of": pd.Timestamp(as_of),
        },
        columns=list(EVIDENCE_COLUMNS),
    )


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _events(evidence: pd.DataFrame) -> pd.DataFrame:
    spec = entity("events")
    occurred = pd.DatetimeIndex(evidence["start_date"]).tz_localize("UTC")
    values = {
        "event_id": evidence["event_id"].to_numpy(dtype=object),
        "event_type": np.full(len(evidence), EventType.DEMAND_ANOMALY.value, dtype=object),
        "occurred_at": occurred,
        "location_code": evidence["location_code"].to_numpy(dtype=object),
        "sku": evidence["sku"].to_numpy(dtype=object),
        "reference": np.full(len(evidence), None, dtype=object),
        "quantity": evidence["actual"].to_numpy(dtype=np.float64),
        "reason_code": evidence["reason_code"].to_numpy(dtype=object),
        "source": np.full(len(evidence), SOURCE, dtype=object),
    }
    frame = pd.DataFrame({name: values[name] for name in spec.field_names})
    frame["reason_code_site_code"] = frame["reason_code"].to_numpy(dtype=object)
    return frame


def _require_columns(name: str, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} has no column {missing[0]!r}; columns: {list(frame.columns)}")


def _check_arguments(window_days: int, history_days: int, min_run: int, alpha: float) -> None:
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, got {window_days}")
    if history_days < 28 or history_days % 7:
        raise ValueError(f"history_days must be a multiple of 7, at least 28, got {history_days}")
    if min_run < 1:
        raise ValueError(f"min_run must be at least 1, got {min_run}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"spike_alpha must lie strictly between 0 and 1, got {alpha}")


__all__ = ["EVIDENCE_COLUMNS", "SOURCE", "DemandAnomalies", "detect_demand_anomalies"]
