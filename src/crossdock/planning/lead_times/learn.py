"""Learn supplier lead-time and lateness distributions from PO line history.

Per group of a fallback hierarchy (default: supplier x lane x mode -> supplier -> mode
-> global), three distributions in days:

- lead time: received - ordered;
- lateness: received - promised (negative = early);
- transit: received - shipped (ASN ship date), where ASNs exist.

Lines received by `as_of` are observations; lines still open at `as_of` are
right-censored ones (the measure exceeds what has elapsed), and each group's
distribution is the Kaplan-Meier (product-limit) estimate over both. Past a group's
longest observation, when that one is still open, the tail is shaped like the level
above (`ProductLimit.completed`).

A lookup walks the hierarchy from global to the most specific level. Each level whose
group has at least `min_samples` observations (received or open) is blended with what
is above it, weighted n / (n + k): the empirical-Bayes (Buhlmann) credibility weight,
where k = within-group variance / between-group variance of the group means at that
level, estimated by the method of moments. Groups below `min_samples` are skipped, so
thin history falls back to the parent. See docs/planning/lead-time-risk.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crossdock.planning.lead_times.distribution import (
    EmpiricalDistribution,
    ProductLimit,
    blend,
)

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
    """One group's own observations (not blended).

    `survival` holds the group's Kaplan-Meier estimate per measure; `distributions`
    the same made proper with the global tail past the group's longest observation
    (what `summary()` and the credibility weights use). `counts` are received plus
    open lines, `censored` the open ones among them.
    """

    level: Level
    key: tuple[str, ...]
    distributions: Mapping[str, EmpiricalDistribution]
    counts: Mapping[str, int]
    on_time_rate: float
    acknowledgment_rate: float
    survival: Mapping[str, ProductLimit]
    censored: Mapping[str, int]


@dataclass(frozen=True)
class Evidence:
    """Which group a blended distribution rests on, and how much.

    `n` counts its lines, received or still open at `as_of`; `censored` the open ones.
    """

    level: str
    key: str
    n: int
    own_weight: float
    censored: int = 0


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
    # Per measure, the longest global observation when that one is still open: past it
    # history cannot tell how the open lines' mass is spread (infinite when it can).
    unknown_beyond: Mapping[str, float] = field(default_factory=dict)
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
                n, censored = group.counts[measure], group.censored[measure]
                if n == used.n and set(level) >= set(used_level):
                    # Same lines as the level above (a subset of equal size): name the
                    # narrower group, but do not count its observations twice.
                    used = Evidence(
                        level_name(level), " / ".join(key), n, used.own_weight, censored
                    )
                    used_level = level
                    continue
                # The group's own estimate, its tail past its longest line from above.
                own = group.survival[measure].completed(dist)
                weight = 1.0 if dist.is_empty else n / (n + self.prior_strength[level, measure])
                dist = blend(own, dist, weight)
                used = Evidence(level_name(level), " / ".join(key), n, weight, censored)
                used_level = level
            distributions[measure] = dist
            evidence[measure] = used
        estimate = LeadTimeEstimate(distributions, evidence)
        self._cache[values] = estimate
        return estimate

    def summary(self) -> pd.DataFrame:
        """One row per group at every level: its own n, mean, std, quantiles and rates.

        `*_n` counts received and open lines, `*_censored` the open ones; past a
        group's longest line, when that one is still open, the global tail is assumed.
        """
        rows: list[dict[str, object]] = []
        for group in self.groups.values():
            row: dict[str, object] = {
                "level": level_name(group.level),
                "key": " / ".join(group.key),
            }
            for measure in ("lead_time", "lateness"):
                dist = group.distributions[measure]
                row[f"{measure}_n"] = group.counts[measure]
                row[f"{measure}_censored"] = group.censored[measure]
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
    use_open_lines: bool = True,
) -> LeadTimeModel:
    """Learn lead-time, lateness and transit distributions from PO line history.

    Args:
        lines: PO lines joined with their PO, canonical column names: supplier_code,
            order_date, promised_date, received_date (required; NaT while open),
            acknowledged_date, shipped_date and the key columns of `levels` (optional;
            absent = unknown). Lines received after `as_of` count as open.
        as_of: the day of the assessment. Lines received on or before it are observed;
            lines open at it are right-censored observations if they were known then:
            ordered on or before it, or, with no order date, promised on or before it.
        levels: the fallback hierarchy, most specific first; it must end with () (global).
        min_samples: a group with fewer observations of a measure is skipped for it.
        min_status_samples: acknowledged and unacknowledged lines needed, each, before
            the acknowledgment effect is learned rather than taken from the prior.
        use_open_lines: False learns from received lines only, ignoring open ones
            (biased towards the early ones; kept to measure against).

    Returns:
        A LeadTimeModel; `model.lookup({...})` works for unseen keys too.
    """
    levels = tuple(tuple(level) for level in levels)
    if not levels or levels[-1] != ():
        raise ValueError(f"levels must end with () (global); got {levels!r}")
    as_of_day = pd.Timestamp(str(as_of)).normalize()
    history, grace = _history(lines, levels, as_of_day, use_open_lines=use_open_lines)
    global_survival = {m: _product_limit(history, m) for m in MEASURES}
    global_tail = {m: global_survival[m].closed() for m in MEASURES}
    groups: dict[tuple[Level, tuple[str, ...]], GroupHistory] = {}
    prior_strength: dict[tuple[Level, str], float] = {}
    for level in levels:
        level_groups = _groups_at(history, level, global_tail)
        groups.update({(level, g.key): g for g in level_groups})
        for measure in MEASURES:
            prior_strength[level, measure] = _prior_strength(level_groups, measure, min_samples)
    return LeadTimeModel(
        as_of=as_of_day,
        levels=levels,
        min_samples=min_samples,
        groups=groups,
        prior_strength=prior_strength,
        acknowledgment=_acknowledgment_effect(
            history, min_status_samples, grace, global_tail["lateness"]
        ),
        unknown_beyond={
            m: global_survival[m].horizon if global_survival[m].beyond > 0 else math.inf
            for m in MEASURES
        },
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


def _days(later: pd.Series | pd.Timestamp, earlier: pd.Series) -> pd.Series:
    delta: pd.Series = pd.Series(later - earlier, index=earlier.index)
    days: pd.Series = delta.dt.days.astype("float64")
    return days


def _history(
    lines: pd.DataFrame, levels: tuple[Level, ...], as_of: pd.Timestamp, *, use_open_lines: bool
) -> tuple[pd.DataFrame, int]:
    """Lines known at `as_of`, each measure as observed days or censored (`*_open`) days.

    Also returns the acknowledgment grace in days (90th percentile of the delays seen).
    """
    key_columns = tuple(dict.fromkeys(column for level in levels for column in level))
    frame = prepare_lines(lines, key_columns)
    received = frame["received_date"].notna() & (frame["received_date"] <= as_of)
    has_order = frame["order_date"].notna()
    # A promise is made when ordering: a line with no order date is known from its
    # promised date on. Until then its lateness is withheld even when received early,
    # so that early receipts are not kept while their still-open siblings are dropped.
    promise_passed = frame["promised_date"].notna() & (frame["promised_date"] <= as_of)
    known = (has_order & (frame["order_date"] <= as_of)) | (~has_order & promise_passed)
    if use_open_lines:
        still_open = ~received & known
        lateness_known = has_order | promise_passed | frame["promised_date"].isna()
    else:
        still_open = pd.Series(data=False, index=frame.index)
        lateness_known = pd.Series(data=True, index=frame.index)
    frame = frame[received | still_open].copy()
    received, still_open = received[frame.index], still_open[frame.index]
    lateness_known = lateness_known[frame.index]

    lead_time = _days(frame["received_date"], frame["order_date"])
    transit = _days(frame["received_date"], frame["shipped_date"])
    # A receipt before its order or shipment is a data error, not a lead time.
    frame["lead_time"] = lead_time.where(received & (lead_time >= 0))
    frame["transit"] = transit.where(received & (transit >= 0))
    frame["lateness"] = _days(frame["received_date"], frame["promised_date"]).where(
        received & lateness_known
    )
    shipped = frame["shipped_date"].notna() & (frame["shipped_date"] <= as_of)
    frame["lead_time_open"] = _days(as_of, frame["order_date"]).where(still_open)
    frame["lateness_open"] = _days(as_of, frame["promised_date"]).where(still_open)
    frame["transit_open"] = _days(as_of, frame["shipped_date"]).where(still_open & shipped)

    acknowledged = frame["acknowledged_date"].notna() & (frame["acknowledged_date"] <= as_of)
    delays = _days(frame["acknowledged_date"], frame["order_date"]).where(acknowledged).dropna()
    delays = delays[delays >= 0]
    grace = math.ceil(delays.quantile(0.9)) if len(delays) else PRIOR_ACKNOWLEDGMENT_GRACE_DAYS
    # Acknowledgment status: settled once acknowledged, received, or open past the grace.
    waited = _days(as_of, frame["order_date"]).fillna(math.inf)
    settled = acknowledged | received | (waited > grace)
    frame["acknowledged"] = acknowledged.astype("float64").where(settled)
    return frame, grace


def _product_limit(part: pd.DataFrame, measure: str) -> ProductLimit:
    return ProductLimit.from_observations(part[measure], part[f"{measure}_open"])


def _groups_at(
    history: pd.DataFrame, level: Level, global_tail: Mapping[str, EmpiricalDistribution]
) -> list[GroupHistory]:
    if level:
        grouped = history.groupby(list(level), sort=True)
        parts = [(key if isinstance(key, tuple) else (key,), part) for key, part in grouped]
    else:
        parts = [((), history)]
    groups: list[GroupHistory] = []
    for key, part in parts:
        survival = {m: _product_limit(part, m) for m in MEASURES}
        distributions = {m: survival[m].completed(global_tail[m]) for m in MEASURES}
        lateness = distributions["lateness"]
        status = part["acknowledged"].dropna()
        groups.append(
            GroupHistory(
                level=level,
                key=tuple(str(value) for value in key),
                distributions=distributions,
                counts={m: survival[m].n for m in MEASURES},
                on_time_rate=math.nan if lateness.is_empty else lateness.cdf_at_or_below(0.0),
                acknowledgment_rate=float(status.mean()) if len(status) else math.nan,
                survival=survival,
                censored={m: survival[m].censored for m in MEASURES},
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


def _acknowledgment_effect(
    history: pd.DataFrame,
    min_status_samples: int,
    grace: int,
    global_lateness: EmpiricalDistribution,
) -> AcknowledgmentEffect:
    has_lateness = history["lateness"].notna() | history["lateness_open"].notna()
    known = history[has_lateness & history["acknowledged"].notna()]
    acknowledged = (known["acknowledged"] == 1.0).to_numpy(dtype=bool)
    n_ack, n_unack = int(acknowledged.sum()), int((~acknowledged).sum())
    if n_ack == 0:
        return AcknowledgmentEffect(0.0, 0.0, grace, "no acknowledgment data", 0, n_unack)
    if min(n_ack, n_unack) < min_status_samples:
        shift = math.log(PRIOR_UNACKNOWLEDGED_ODDS_RATIO)
        return AcknowledgmentEffect(0.0, shift, grace, "prior", n_ack, n_unack)

    def smoothed(mask: np.ndarray) -> float:
        """The Kaplan-Meier late rate P(lateness > 0), shrunk by half a line each way."""
        late = _product_limit(known[mask], "lateness").completed(global_lateness)
        count = float(mask.sum())
        return (float(late.survival(0.0)) * count + 0.5) / (count + 1.0)

    overall = _logit(smoothed(np.ones_like(acknowledged)))
    return AcknowledgmentEffect(
        shift_acknowledged=_logit(smoothed(acknowledged)) - overall,
        shift_unacknowledged=_logit(smoothed(~acknowledged)) - overall,
        grace_days=grace,
        source="learned",
        n_acknowledged=n_ack,
        n_unacknowledged=n_unack,
    )
