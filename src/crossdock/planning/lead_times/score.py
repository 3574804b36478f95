"""Score open PO lines: the probability each arrives after its promised date.

For a line not received by `as_of`, with lateness D = received - promised learned for
its group, and e = as_of - promised (days):

    p_late = P(D > 0 | D > e) = P(D > max(e, 0)) / P(D > e)

which equals the lead-time form P(L > promised - ordered | L > as_of - ordered) for a
given promised lead time. A line already past its promised date has p_late = 1. When
the supplier has shipped (ASN ship date s <= as_of) and transit history exists, the
transit time T = received - shipped replaces D: p_late = P(T > promised - s | T >
as_of - s). Acknowledgment shifts the log-odds of a not-yet-shipped line by what
history shows (or by the documented prior); see `learn.AcknowledgmentEffect`.

D and T are learned from received and still-open lines (Kaplan-Meier). When even the
longest line in all history is still open and the promise lies past it, history
cannot tell: p_late is NaN (see `LeadTimeModel.unknown_beyond`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossdock.planning.lead_times.distribution import EmpiricalDistribution
from crossdock.planning.lead_times.learn import LeadTimeModel, prepare_lines

PASS_THROUGH = ("po_number", "line_number", "sku", "supplier_code", "location_code")
SCORE_COLUMNS = (
    "p_late",
    "expected_receipt_date",
    "expected_days_late",
    "acknowledged",
    "shipped",
    "evidence_measure",
    "evidence_level",
    "evidence_key",
    "evidence_n",
)


@dataclass(frozen=True)
class _Score:
    p_late: float
    expected_offset: float  # days after the date the measure starts from
    expected_days_late: float


def _conditional(
    dist: EmpiricalDistribution, elapsed: float, due: float, unknown_beyond: float = math.inf
) -> _Score:
    """Lateness-style score: late iff X > due, given X > elapsed.

    When `due` lies past `unknown_beyond` (the longest observation in all history, itself
    still open), history cannot tell whether the line will make it: p_late is NaN.
    """
    still_open = float(dist.survival(elapsed))
    if elapsed < due and due > unknown_beyond:
        expected = float(dist.tail_mean(elapsed)) if still_open > 1e-12 else elapsed + 1.0
        return _Score(math.nan, expected, math.nan)
    if still_open <= 1e-12:
        # Open longer than anything in history: late if due has passed, and it is now.
        late = 1.0 if elapsed >= due else 0.0
        return _Score(late, elapsed + 1.0, max(elapsed + 1.0 - due, 0.0))
    late_mass = float(dist.survival(max(elapsed, due)))
    expected = float(dist.tail_mean(elapsed))
    days_late = float(dist.tail_mean(elapsed, floor=due)) - due
    return _Score(min(late_mass / still_open, 1.0), expected, days_late)


def _shift(p: float, log_odds: float) -> float:
    if log_odds == 0.0 or p <= 0.0 or p >= 1.0:
        return p
    return 1.0 / (1.0 + math.exp(-(math.log(p / (1.0 - p)) + log_odds)))


def score_open_lines(model: LeadTimeModel, lines: pd.DataFrame, *, as_of: object) -> pd.DataFrame:
    """Score the PO lines not received by `as_of`.

    Args:
        model: from `learn_lead_times`.
        lines: PO lines joined with their PO (same columns as for learning); lines
            received on or before `as_of` are left out of the result.
        as_of: the day of the assessment; acknowledgments and ship dates after it are
            ignored.

    Returns:
        One row per open line (input index kept): the identifying columns present
        (po_number, line_number, sku, supplier_code, location_code), p_late (NaN when
        the line has no promised date or there is no history), expected_receipt_date,
        expected_days_late, acknowledged, shipped, and the evidence: measure used
        (lateness, transit or lead_time), level, group key and its n.
    """
    as_of_day = pd.Timestamp(str(as_of)).normalize()
    frame = prepare_lines(lines, model.key_columns)
    frame = frame[frame["received_date"].isna() | (frame["received_date"] > as_of_day)]
    effect = model.acknowledgment
    rows: list[dict[str, object]] = []
    for raw in frame.to_dict("records"):
        record = {str(column): value for column, value in raw.items()}
        estimate = model.lookup(record)
        promised, ordered = record["promised_date"], record["order_date"]
        shipped_on, acked_on = record["shipped_date"], record["acknowledged_date"]
        acknowledged = pd.notna(acked_on) and acked_on <= as_of_day
        shipped = pd.notna(shipped_on) and shipped_on <= as_of_day
        transit = estimate.distributions["transit"]
        lateness = estimate.distributions["lateness"]
        lead_time = estimate.distributions["lead_time"]
        p_late, days_late, expected_date = float("nan"), float("nan"), pd.NaT
        if shipped and not transit.is_empty and pd.notna(promised):
            measure = "transit"
            score = _conditional(
                transit,
                float((as_of_day - shipped_on).days),
                float((promised - shipped_on).days),
                model.unknown_beyond.get("transit", math.inf),
            )
            p_late, days_late = score.p_late, score.expected_days_late
            expected_date = shipped_on + pd.Timedelta(days=round(score.expected_offset))
        elif pd.notna(promised) and not lateness.is_empty:
            measure = "lateness"
            score = _conditional(
                lateness,
                float((as_of_day - promised).days),
                0.0,
                model.unknown_beyond.get("lateness", math.inf),
            )
            p_late, days_late = score.p_late, score.expected_days_late
            expected_date = promised + pd.Timedelta(days=round(score.expected_offset))
            if not shipped and effect.source != "no acknowledgment data":
                waited = (as_of_day - ordered).days if pd.notna(ordered) else math.inf
                if acknowledged:
                    p_late = _shift(p_late, effect.shift_acknowledged)
                elif waited > effect.grace_days:
                    p_late = _shift(p_late, effect.shift_unacknowledged)
        else:
            measure = "lead_time"
            if pd.notna(ordered) and not lead_time.is_empty:
                score = _conditional(lead_time, float((as_of_day - ordered).days), math.inf)
                expected_date = ordered + pd.Timedelta(days=round(score.expected_offset))
        evidence = estimate.evidence[measure]
        row = {column: record[column] for column in PASS_THROUGH if column in lines.columns}
        row.update(
            {
                "p_late": p_late,
                "expected_receipt_date": expected_date,
                "expected_days_late": days_late,
                "acknowledged": bool(acknowledged),
                "shipped": bool(shipped),
                "evidence_measure": measure,
                "evidence_level": evidence.level,
                "evidence_key": evidence.key,
                "evidence_n": evidence.n,
            }
        )
        rows.append(row)
    columns = [c for c in PASS_THROUGH if c in lines.columns] + list(SCORE_COLUMNS)
    result = pd.DataFrame(rows, columns=columns, index=frame.index)
    result["expected_receipt_date"] = pd.to_datetime(result["expected_receipt_date"])
    result["p_late"] = result["p_late"].astype(np.float64)
    return result
