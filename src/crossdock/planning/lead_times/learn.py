"""Learn supplier lead-time and lateness distributions from PO line history.

Per group of a fallback hierarchy (default: supplier x lane x mode -> supplier -> mode
-> global), three empirical distributions in days:

- lead time: received - ordered;
- lateness: received - promised (negative = early);
- transit: received - shipped (ASN ship date), where ASNs exist.

A lookup walks the hierarchy from global to the most specific level. Each level whose
group has at least `min_samples` observations is blended with what is above it,
weighted n / (n + k): the empirical-Bayes (Buhlmann) credibility weight, where k =
within-group variance / between-group variance of the group means at that level,
estimated by the method of moments. Groups below `min_samples` are skipped, so thin
history falls back to the parent. See docs/planning/lead-time-risk.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crossdock.planning.lead_times.distribution import EmpiricalDistribution, blend

Level = tuple[str, ...]
MEASURES = ("lead_time", "lateness", "transit")
DEFAULT_LEVELS: tuple[Level, ...] = (
    ("supplier_code", "lane", "mode"),
    ("supplier_code",),
    ("mode",),
    (),
)
REQUIRED_COLUMNS = ("supplier_code", "order_date", "promised_date", "received_date")
DATE_COLUMNS = ("order_date", "promised_date", "acknowledged_date", "shipped_date", "received_date")
NO_VALUE = "(none)"
QUANTILES = (0.5, 0.8, 0.9, 0.95)
MAX_PRIOR_STRENGTH = 1000.0
# Priors used when history cannot show how acknowledgment matters (see the docs).
PRIOR_UNACKNOWLEDGED_ODDS_RATIO = 1.5
PRIOR_ACKNOWLEDGMENT_GRACE_DAYS = 2


def level_name(level: Level) -> str:
    """How a level is named in evidence: its key columns joined by ' x ', or 'global'."""
    return " x ".join(level) if level else "global"


@dataclass(frozen=True)
class GroupHistory:
    """One group's own observations (not blended)."""

    level: Level
    key: tuple[str, ...]
    distributions: Mapping[str, EmpiricalDistribution]
    counts: Mapping[str, int]
    on_time_rate: float
    acknowledgment_rate: float


@dataclass(frozen=True)
class Evidence:
    """Which group a blended distribution rests on, and how much."""

    level: str
    key: str
    n: int
    own_weight: float


@dataclass(frozen=True)
class LeadTimeEstimate:
    """Blended distributions for one (supplier, lane, mode, ...) and their evidence."""

    distributions: Mapping[str, EmpiricalDistribution]
    evidence: Mapping[str, Evidence]

    def stats(self, measure: str) -> dict[str, float]:
        """n, mean, std and the 50/80/90/95% quantiles of one measure, in days."""
        dist = self.distributions[measure]
        stats = {"n": float(self.evidence[measure].n), "mean": dist.mean(), "std": dist.std()}
        stats.update({f"q{round(q * 100)}": dist.quantile(q) for q in QUANTILES})
        return stats


@dataclass(frozen=True)
class AcknowledgmentEffect:
    """Shifts in the log-odds of lateness for acknowledged and unacknowledged lines."""

    shift_acknowledged: float
    shift_unacknowledged: float
    grace_days: int
    source: str  # "learned", "prior" or "no acknowledgment data"
    n_acknowledged: int
    n_unacknowledged: int


@dataclass(frozen=True)
class LeadTimeModel:
    """What `learn_lead_times` learned; `lookup` gives the distribution for any keys."""

    as_of: pd.Timestamp
    levels: tuple[Level, ...]
    min_samples: int
    groups: Mapping[tuple[Level, tuple[str, ...]], GroupHistory]
    prior_strength: Mapping[tuple[Level, str], float]
    acknowledgment: AcknowledgmentEffect
    _cache: dict[tuple[str, ...], LeadTimeEstimate] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def key_columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(column for level in self.levels for column in level))

    def lookup(self, keys: Mapping[str, object]) -> LeadTimeEstimate:
        """The blended distributions for `keys` (missing or unseen values fall back)."""
        values = tuple(_key_value(keys.get(column)) for column in self.key_columns)
        cached = self._cache.get(values)
        if cached is not None:
            return cached
        by_column = dict(zip(self.key_columns, values, strict=True))
        distributions: dict[str, EmpiricalDistribution] = {}
        evidence: dict[str, Evidence] = {}
        for measure in MEASURES:
            dist = EmpiricalDistribution.from_samples([])
            used = Evidence("none", "", 0, 0.0)
            used_level: Level = ()
            for level in reversed(self.levels):
                key = tuple(by_column[column] for column in level)
                group = self.groups.get((level, key))
                if group is None or group.counts[measure] < max(self.min_samples, 1):
                    continue
                n = group.counts[measure]
                if n == used.n and set(level) >= set(used_level):
                    # Same lines as the level above (a subset of equal size): name the
                    # narrower group, but do not count its observations twice.
                    used = Evidence(level_name(level), " / ".join(key), n, used.own_weight)
                    used_level = level
                    continue
                weight = 1.0 if dist.is_empty else n / (n + self.prior_strength[level, measure])
                dist = blend(group.distributions[measure], dist, weight)
                used = Evidence(level_name(level), " / ".join(key), n, weight)
                used_level = level
            distributions[measure] = dist
            evidence[measure] = used
        estimate = LeadTimeEstimate(distributions, evidence)
        self._cache[values] = estimate
        return estimate

    def summary(self) -> pd.DataFrame:
        """One row per group at every level: its own n, mean, std, quantiles and rates."""
        rows: list[dict[str, object]] = []
        for group in self.groups.values():
            row: dict[str, object] = {
                "level": level_name(group.level),
                "key": " / ".join(group.key),
            }
            for measure in ("lead_time", "lateness"):
                dist = group.distributions[measure]
                row[f"{measure}_n"] = group.counts[measure]
                row[f"{measure}_mean"] = dist.mean()
                row[f"{measure}_std"] = dist.std()
                for q in QUANTILES:
                    row[f"{measure}_q{round(q * 100)}"] = dist.quantile(q)
            row["on_time_rate"] = group.on_time_rate
            row["acknowledgment_rate"] = group.acknowledgment_rate
            rows.append(row)
        return pd.DataFrame(rows)


def learn_lead_times(
    lines: pd.DataFrame,
    *,
    as_of: object,
    levels: Sequence[Level] = DEFAULT_LEVELS,
    min_samples: int = 5,
    min_status_samples: int = 30,
) -> LeadTimeModel:
    """Learn lead-time, lateness and transit distributions from received PO lines.

    Args:
        lines: PO lines joined with their PO, canonical column names: supplier_code,
            order_date, promised_date, received_date (required), acknowledged_date,
            shipped_date and the key columns of `levels` (optional; absent = unknown).
        as_of: only lines received on or before this day are history.
        levels: the fallback hierarchy, most specific first; it must end with () (global).
        min_samples: a group with fewer observations of a measure is skipped for it.
        min_status_samples: acknowledged and unacknowledged lines needed, each, before
            the acknowledgment effect is learned rather than taken from the prior.

    Returns:
        A LeadTimeModel; `model.lookup({...})` works for unseen keys too.
    """
    levels = tuple(tuple(level) for level in levels)
    if not levels or levels[-1] != ():
        raise ValueError(f"levels must end with () (global); got {levels!r}")
    as_of_day = pd.Timestamp(str(as_of)).normalize()
    history = _history(lines, levels, as_of_day)
    groups: dict[tuple[Level, tuple[str, ...]], GroupHistory] = {}
    prior_strength: dict[tuple[Level, str], float] = {}
    for level in levels:
        level_groups = _groups_at(history, level)
        groups.update({(level, g.key): g for g in level_groups})
        for measure in MEASURES:
            prior_strength[level, measure] = _prior_strength(level_groups, measure, min_samples)
    return LeadTimeModel(
        as_of=as_of_day,
        levels=levels,
        min_samples=min_samples,
        groups=groups,
        prior_strength=prior_strength,
        acknowledgment=_acknowledgment_effect(history, min_status_samples),
    )


def _key_value(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return NO_VALUE
    text = str(value).strip()
    return text or NO_VALUE


def prepare_lines(lines: pd.DataFrame, key_columns: Sequence[str]) -> pd.DataFrame:
    """Dates as normalised datetimes, key columns as text with NO_VALUE for missing."""
    missing = [column for column in REQUIRED_COLUMNS if column not in lines.columns]
    if missing:
        raise ValueError(f"PO lines lack required columns {missing}")
    frame = lines.copy()
    for column in DATE_COLUMNS:
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column], errors="coerce").dt.normalize()
        else:
            frame[column] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for column in key_columns:
        source = frame[column] if column in frame.columns else pd.Series(None, index=frame.index)
        frame[column] = [_key_value(value) for value in source]
    return frame


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.days.astype("float64")


def _history(lines: pd.DataFrame, levels: tuple[Level, ...], as_of: pd.Timestamp) -> pd.DataFrame:
    key_columns = tuple(dict.fromkeys(column for level in levels for column in level))
    frame = prepare_lines(lines, key_columns)
    frame = frame[frame["received_date"].notna() & (frame["received_date"] <= as_of)].copy()
    lead_time = _days(frame["received_date"], frame["order_date"])
    transit = _days(frame["received_date"], frame["shipped_date"])
    # A receipt before its order or shipment is a data error, not a lead time.
    frame["lead_time"] = lead_time.where(lead_time >= 0)
    frame["transit"] = transit.where(transit >= 0)
    frame["lateness"] = _days(frame["received_date"], frame["promised_date"])
    frame["acknowledged"] = frame["acknowledged_date"].notna()
    return frame


def _groups_at(history: pd.DataFrame, level: Level) -> list[GroupHistory]:
    if level:
        grouped = history.groupby(list(level), sort=True)
        parts = [(key if isinstance(key, tuple) else (key,), part) for key, part in grouped]
    else:
        parts = [((), history)]
    groups: list[GroupHistory] = []
    for key, part in parts:
        distributions = {m: EmpiricalDistribution.from_samples(part[m]) for m in MEASURES}
        counts = {m: int(part[m].notna().sum()) for m in MEASURES}
        lateness = part["lateness"].dropna()
        groups.append(
            GroupHistory(
                level=level,
                key=tuple(str(value) for value in key),
                distributions=distributions,
                counts=counts,
                on_time_rate=float((lateness <= 0).mean()) if len(lateness) else float("nan"),
                acknowledgment_rate=float(part["acknowledged"].mean()) if len(part) else math.nan,
            )
        )
    return groups


def _prior_strength(groups: list[GroupHistory], measure: str, min_samples: int) -> float:
    """k = within-group variance / between-group variance of means (method of moments)."""
    usable = [g for g in groups if g.counts[measure] >= max(min_samples, 2)]
    if len(usable) < 2:
        return float(max(min_samples, 1))
    counts = np.array([g.counts[measure] for g in usable], dtype=np.float64)
    means = np.array([g.distributions[measure].mean() for g in usable])
    variances = np.array([g.distributions[measure].std() ** 2 for g in usable]) * (
        counts / (counts - 1)
    )
    within = float(np.sum((counts - 1) * variances) / np.sum(counts - 1))
    between = float(np.var(means, ddof=1) - np.mean(within / counts))
    if between <= 0:
        return MAX_PRIOR_STRENGTH
    return float(np.clip(within / between, 1.0, MAX_PRIOR_STRENGTH))


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _acknowledgment_effect(history: pd.DataFrame, min_status_samples: int) -> AcknowledgmentEffect:
    known = history[history["lateness"].notna()]
    acknowledged = known["acknowledged"].to_numpy(dtype=bool)
    late = (known["lateness"] > 0).to_numpy(dtype=bool)
    n_ack, n_unack = int(acknowledged.sum()), int((~acknowledged).sum())
    delays = _days(known["acknowledged_date"], known["order_date"]).dropna()
    delays = delays[delays >= 0]
    grace = math.ceil(delays.quantile(0.9)) if len(delays) else PRIOR_ACKNOWLEDGMENT_GRACE_DAYS
    if n_ack == 0:
        return AcknowledgmentEffect(0.0, 0.0, grace, "no acknowledgment data", 0, n_unack)
    if min(n_ack, n_unack) < min_status_samples:
        shift = math.log(PRIOR_UNACKNOWLEDGED_ODDS_RATIO)
        return AcknowledgmentEffect(0.0, shift, grace, "prior", n_ack, n_unack)

    def smoothed(mask: np.ndarray) -> float:
        return (float(late[mask].sum()) + 0.5) / (float(mask.sum()) + 1.0)

    overall = _logit(smoothed(np.ones_like(late)))
    return AcknowledgmentEffect(
        shift_acknowledged=_logit(smoothed(acknowledged)) - overall,
        shift_unacknowledged=_logit(smoothed(~acknowledged)) - overall,
        grace_days=grace,
        source="learned",
        n_acknowledged=n_ack,
        n_unacknowledged=n_unack,
    )
