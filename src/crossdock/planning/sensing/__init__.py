"""Demand sensing: spikes and level shifts against the forecast, raised as events.

`detect_demand_anomalies` lays the last `history_days + window_days` days of a sparse
daily demand history out as an item-location x day matrix, sets an expectation for
every day of the test window (the caller's forecast, else a robust weekday baseline
from the unpromoted history days, scaled by the item's category-location level when
groups are given, times a learned promotion lift on promoted days), and runs three
residual tests over whole matrices:

- **spike**, one series: a day (or run of days) far above expectation on the count
  model (robust z, Poisson / negative-binomial tail) AND in size (log day size against
  the history's, Student t): one ordinary order, or one lumpy order of a kind the
  history has seen, is not a spike;
- **pooled spike**, one group at one location: far more of its item-locations above
  their usual high on the same day than normal (many slow items each ordering once);
  one event per item-location that took part;
- **shift**: a level change that started inside the window and lasted to `as_of`, at
  least `min_run` days long, `shift_threshold` standard errors and `min_shift` (a
  fraction) away from expectation; spike and promoted days do not count towards it.

The result is one canonical `events` row per anomaly plus an evidence frame keyed by
`event_id` (the events entity has no column for evidence).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossdock.domain.canonical import entity
from crossdock.domain.reason_codes import EventType, ReasonCode
from crossdock.planning.sensing._baseline import FloatArray, NoiseModel, noise_model
from crossdock.planning.sensing._groups import cell_codes, cell_levels
from crossdock.planning.sensing._matrix import (
    BoolArray,
    DemandMatrix,
    FloatMatrix,
    IntArray,
    build_matrix,
)
from crossdock.planning.sensing._pooled import PooledSpikes, pooled_spikes
from crossdock.planning.sensing._tests import Anomalies, find_shifts, spike_days, spike_runs

SOURCE = "crossdock.sensing"
EVENT_ID_PREFIX = "DS-"
SHIFT_WINSOR = 3.0  # a day counts towards a shift by at most 3 count-model sds
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
    "size_z",
    "shift_pct",
    "window_start",
    "as_of",
    "promoted_days",
    "promotion_lift",
    "test",
    "group",
    "group_members",
    "group_exceeding",
    "group_expected",
    "group_z",
    "group_level",
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
    groups: pd.DataFrame | None = None,
    window_days: int = 28,
    history_days: int = 112,
    promotion_col: str | None = None,
    forecast_has_promotions: bool = False,
    spike_threshold: float = 5.0,
    spike_alpha: float = 1e-6,
    spike_over_history_max: float = 1.0,
    spike_size_threshold: float = 5.0,
    pool_threshold: float = 5.0,
    pool_alpha: float = 1e-6,
    pool_min_members: int = 5,
    pool_min_exceeding: int = 3,
    pool_min_share: float = 0.3,
    shift_threshold: float = 4.0,
    min_shift: float = 0.5,
    min_run: int = 7,
    min_history_demand_days: int = 3,
    sku_col: str = "sku",
    location_col: str = "location_code",
    time_col: str = "demand_date",
    target_col: str = "quantity",
    expected_col: str = "expected",
    group_col: str = "category",
) -> DemandAnomalies:
    """Find demand spikes and level shifts in the `window_days` days ending on `as_of`.

    Args:
        actuals: sparse daily demand, one row per item-location and day with demand (an
            absent day is zero; duplicate rows are summed), as `demand_history` holds it:
            `sku_col`, `location_col`, `time_col` (dates), `target_col` (units), and
            `promotion_col` when named. Rows outside the history + window span are ignored.
        expected: optional expected units per item-location and test-window day
            (`sku_col`, `location_col`, `time_col`, `expected_col`), e.g. a forecast
            made before the window. Days it leaves out use the robust baseline.
        as_of: last day tested; nothing later is read.
        groups: optional `sku_col` -> `group_col` (e.g. the items frame's category).
            Turns on the pooled test (item-locations of one group at one location
            spiking together), scales each baseline by its group-location's current
            level (a season or trend the whole category shares is not an anomaly), and
            lets promotion lifts pool by group. SKUs it leaves out are judged alone.
        window_days: days tested, ending on `as_of`.
        history_days: days before the window that set the baseline and the noise level;
            a multiple of 7 (whole weeks, for the weekday baseline).
        promotion_col: boolean column of `actuals` saying the day was promoted (e.g.
            "on_promotion"). Promoted days are left out of the baseline, expected at the
            baseline times a promotion lift learned from the history, and never count
            towards a shift. None: no day is known to be promoted.
        forecast_has_promotions: the `expected` forecast already includes promotions,
            so promoted days are not lifted again.
        spike_threshold: robust z-score a spike day must reach.
        spike_alpha: largest count-model upper-tail probability of a spike day.
        spike_over_history_max: a spike day must also exceed this multiple of the
            largest day in the history (0 turns the guard off).
        spike_size_threshold: a spike day's size, log(actual / expected) against the
            history's log day sizes, must be as unlikely as a normal z of this (Student
            t, so a spread measured on few days asks for more; 0 turns the guard off).
        pool_threshold, pool_alpha: z-score and largest upper-tail probability of a
            pooled spike day.
        pool_min_members: group-locations with fewer eligible item-locations are not
            pooled.
        pool_min_exceeding: fewest item-locations above their usual high on a pooled
            spike day.
        pool_min_share: smallest share of the group-location's tested item-locations
            above their usual high on a pooled spike day.
        shift_threshold: z-score of the summed residuals a shift must reach.
        min_shift: smallest relative change of level that counts as a shift (0.3 = 30%).
        min_run: fewest days, ending on `as_of`, a shift must have lasted.
        min_history_demand_days: item-locations with fewer days of demand in the
            history are not tested (too new or too sparse to know what is normal), nor
            are those whose first demand falls in the second half of the history (a
            launch: the days before it say nothing about its normal level).

    Returns:
        `DemandAnomalies` with the canonical events and their evidence.

    Raises:
        ValueError: a column is missing or a parameter is out of range.
    """
    _check_arguments(window_days, history_days, min_run, spike_alpha)
    _check_probability("pool_alpha", pool_alpha)
    _check_probability("pool_min_share", pool_min_share)
    columns = (sku_col, location_col, time_col, target_col)
    _require_columns(
        "actuals", actuals, columns if promotion_col is None else (*columns, promotion_col)
    )
    if expected is not None:
        _require_columns("expected", expected, (sku_col, location_col, time_col, expected_col))
    if groups is not None:
        _require_columns("groups", groups, (sku_col, group_col))
    matrix = build_matrix(
        actuals,
        expected,
        as_of=as_of,
        history_days=history_days,
        window_days=window_days,
        columns=columns,
        expected_col=expected_col,
        promotion_col=promotion_col,
    )
    sku_code = pd.factorize(matrix.skus)[0].astype(np.int64)
    group_of_row = _group_of_rows(matrix, groups, sku_col, group_col)
    group_code = pd.factorize(group_of_row)[0].astype(np.int64)
    noise = noise_model(
        matrix,
        sku_code=sku_code,
        group_code=group_code,
        forecast_has_promotions=forecast_has_promotions,
    )
    eligible = (noise.history_demand_days >= min_history_demand_days) & (
        noise.first_demand_day < history_days // 2
    )
    cell = cell_codes(group_code, pd.factorize(matrix.locations)[0].astype(np.int64))
    level = _cell_levels(matrix, noise, eligible, cell)
    expectation = _expected_at_cell_level(matrix, noise, cell, level)
    window = matrix.demand[:, history_days:]
    promoted = matrix.promoted[:, history_days:]
    single, z, p, size_z = spike_days(
        window,
        expectation,
        noise,
        eligible,
        promoted,
        z_threshold=spike_threshold,
        alpha=spike_alpha,
        over_history_max=spike_over_history_max,
        size_threshold=spike_size_threshold,
    )
    pooled = None
    spike = single
    if groups is not None:
        pooled = pooled_spikes(
            matrix.demand,
            np.concatenate([noise.history_expected, expectation], axis=1),
            matrix.promoted,
            eligible,
            cell,
            history_days=history_days,
            z_threshold=pool_threshold,
            alpha=pool_alpha,
            min_members=pool_min_members,
            min_exceeding=pool_min_exceeding,
            min_share=pool_min_share,
        )
        spike = single | pooled.member_days
    spikes = spike_runs(spike, window, expectation, z, p, size_z)
    calm = _calm_days(window, expectation, noise, spike | promoted)
    shifts = find_shifts(
        calm,
        np.where(spike | promoted, expectation, window),
        expectation,
        noise.dispersion,
        noise.weekly_variance,
        eligible,
        history_days=history_days,
        z_threshold=shift_threshold,
        min_shift=min_shift,
        min_run=min_run,
    )
    context = _Context(
        matrix=matrix,
        noise=noise,
        as_of=as_of,
        single=single,
        pooled=pooled,
        group_of_row=group_of_row,
        cell=cell,
        level=level,
    )
    evidence = pd.concat(
        [
            _evidence(spikes, ReasonCode.DEMAND_SPIKE, context, shift=False),
            _evidence(shifts, ReasonCode.DEMAND_SHIFT, context, shift=True),
        ],
        ignore_index=True,
    )
    evidence = evidence.sort_values("event_id", ignore_index=True)
    return DemandAnomalies(events=_events(evidence), evidence=evidence)


def _calm_days(
    window: FloatMatrix, expected: FloatMatrix, noise: NoiseModel, explained: BoolArray
) -> FloatMatrix:
    """Window days as the shift test sees them.

    Spike and promoted days count as expected; every other day is held to at most
    SHIFT_WINSOR count-model sds above expectation (and a slow row's days to its largest
    history day), so a level shift must show on many days, not in a short burst.
    """
    ceiling = expected + SHIFT_WINSOR * np.sqrt(
        np.maximum(noise.dispersion[:, None] * expected, 1.0)
    )
    held = np.minimum(np.minimum(window, noise.cap[:, None]), ceiling)
    calm: FloatMatrix = np.where(explained, expected, held)
    return calm


def _cell_levels(
    matrix: DemandMatrix, noise: NoiseModel, eligible: BoolArray, cell: IntArray
) -> FloatMatrix:
    """Cells x days level of each group-location against its history (1 = as usual)."""
    h = matrix.history_days
    usable = (noise.frequent & eligible & (cell >= 0))[:, None] & ~matrix.promoted
    return cell_levels(
        np.minimum(matrix.demand, noise.cap[:, None]),
        np.concatenate([noise.history_expected, noise.baseline], axis=1),
        usable,
        cell,
        history_days=h,
    )


def _expected_at_cell_level(
    matrix: DemandMatrix, noise: NoiseModel, cell: IntArray, level: FloatMatrix
) -> FloatMatrix:
    """Baseline days scaled by their cell's level; forecast days as the caller gave them."""
    h = matrix.history_days
    factor = np.ones_like(noise.expected)
    grouped = cell >= 0
    factor[grouped] = level[cell[grouped], h:]
    scaled: FloatMatrix = np.where(
        np.isnan(matrix.expected), noise.expected * factor, noise.expected
    )
    return scaled


@dataclass(frozen=True, slots=True)
class _Context:
    """What the evidence of any anomaly is read from."""

    matrix: DemandMatrix
    noise: NoiseModel
    as_of: date
    single: BoolArray
    pooled: PooledSpikes | None
    group_of_row: npt.NDArray[np.object_]
    cell: IntArray
    level: FloatMatrix


def _group_of_rows(
    matrix: DemandMatrix, groups: pd.DataFrame | None, sku_col: str, group_col: str
) -> npt.NDArray[np.object_]:
    """Group of each row's SKU (None when unknown or no groups were given)."""
    if groups is None:
        return np.full(len(matrix.skus), None, dtype=object)
    known = groups.dropna(subset=[group_col]).drop_duplicates(subset=[sku_col])
    lookup = pd.Series(
        known[group_col].astype(str).to_numpy(dtype=object),
        index=known[sku_col].astype(str).to_numpy(dtype=object),
    )
    found = pd.Series(matrix.skus, dtype=object).map(lookup)
    return found.astype(object).where(found.notna(), None).to_numpy(dtype=object)


def _evidence(
    found: Anomalies, reason: ReasonCode, context: _Context, *, shift: bool
) -> pd.DataFrame:
    matrix = context.matrix
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
    days = _span_mask(found, matrix.promoted.shape[1] - matrix.history_days)
    promoted_days = (days & matrix.promoted[found.row, matrix.history_days :]).sum(axis=1)
    group = _group_evidence(found, days, context, shift=shift)
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
            "size_z": found.size_z,
            "shift_pct": 100.0 * change if shift else np.full(len(ids), np.nan),
            "window_start": pd.Timestamp(window_start.astype("datetime64[ns]")),
            "as_of": pd.Timestamp(context.as_of),
            "promoted_days": promoted_days.astype(np.int64),
            "promotion_lift": np.where(promoted_days > 0, context.noise.lift[found.row], np.nan),
            **group,
        },
        columns=list(EVIDENCE_COLUMNS),
    )


def _level_on_start(found: Anomalies, context: _Context) -> FloatArray:
    """The cell's level (1 = as in its history) on each anomaly's first day."""
    cell = context.cell[found.row]
    column = context.matrix.history_days + found.start
    safe = np.maximum(cell, 0)
    on_start = context.level[safe, column] if len(context.level) else np.ones(len(cell))
    return np.where(cell >= 0, on_start, np.nan)


def _span_mask(found: Anomalies, window: int) -> BoolArray:
    column = np.arange(window)[None, :]
    return (column >= found.start[:, None]) & (column <= found.end[:, None])


def _group_evidence(
    found: Anomalies, days: BoolArray, context: _Context, *, shift: bool
) -> dict[str, object]:
    """Which test found each spike, and the pooled counts on its strongest pooled day."""
    k = len(found.row)
    series = (days & context.single[found.row]).any(axis=1)
    empty = np.full(k, np.nan)
    columns: dict[str, object] = {
        "test": np.where(series | shift, "series", "pooled").astype(object),
        "group": pd.Series(context.group_of_row[found.row], dtype=object),
        "group_members": empty,
        "group_exceeding": empty,
        "group_expected": empty,
        "group_z": empty,
        "group_level": _level_on_start(found, context),
    }
    pooled = context.pooled
    if pooled is None or shift or k == 0:
        return columns
    cell = pooled.cell[found.row]
    safe = np.maximum(cell, 0)
    on_pool = days & pooled.spike[safe] & (cell >= 0)[:, None]
    strongest = np.argmax(np.where(on_pool, pooled.z[safe], -np.inf), axis=1)
    hit = on_pool.any(axis=1)

    def at_strongest(values: FloatMatrix) -> FloatArray:
        return np.where(hit, values[safe, strongest], np.nan)

    columns["test"] = np.select(
        [series & hit, hit], ["series+pooled", "pooled"], default="series"
    ).astype(object)
    columns["group_members"] = at_strongest(pooled.members)
    columns["group_exceeding"] = at_strongest(pooled.exceeding)
    columns["group_expected"] = at_strongest(pooled.expected)
    columns["group_z"] = at_strongest(pooled.z)
    return columns


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
    _check_probability("spike_alpha", alpha)


def _check_probability(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value}")


__all__ = ["EVIDENCE_COLUMNS", "SOURCE", "DemandAnomalies", "detect_demand_anomalies"]
