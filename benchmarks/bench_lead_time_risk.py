"""Backtest supplier lead-time risk on the real SCMS shipments: accuracy and calibration.

At each cutoff (quarterly, 2009-01-01 to 2013-04-01) the model learns from what was
known at the cutoff, then scores the lines open at it (ordered before the cutoff,
received after) and is compared with what happened (received after promised?).

Methods, fitted on the same history in the same process:

- the lead-time model as shipped: lines still open at the cutoff are right-censored
  observations (Kaplan-Meier per group);
- the same model learning from received lines only (`use_open_lines=False`), as it was
  before censoring;
- the shipped model followed by a rolling Platt recalibration: a logistic fit of the
  outcome on logit(p_late) over the model's own past scores (monthly cutoffs from
  2007), using only lines whose outcome was settled by the cutoff (promised before
  it), applied to the lines not yet due. Measured here, not shipped (see RESULTS.md);
- the global late rate, and each supplier's own late rate without fallback (the
  global rate for a supplier with no history), from lines received by the cutoff.

Lines with no order date (all From-RDC lines, and 'Date Not Captured') cannot be
placed as open at a cutoff and are left out of scoring; they still teach lateness.

Calibration is summarised by the expected calibration error (ECE): the line-weighted
mean of |mean p_late - observed late rate| over ten equal-count bins of p_late. The
"after - before" intervals resample purchase orders (lines of one PO and the same line
at several cutoffs are not independent), 1,000 times with a fixed seed.

    python benchmarks/bench_lead_time_risk.py [--data ../shared/data] [--write-results]
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.stats import rankdata

from crossdock.planning.lead_times import learn_lead_times, score_open_lines
from results_file import write_section

REPO_ROOT = Path(__file__).resolve().parents[1]
STEM = Path(__file__).stem
CUTOFFS = pd.date_range("2009-01-01", "2013-04-01", freq="QS")
RECALIBRATION_CUTOFFS = pd.date_range("2007-01-01", CUTOFFS[-1], freq="MS")
MIN_RECALIBRATION_LATE = 30
EPSILON = 1e-4
BINS = 10
BOOTSTRAP = 1000
METHODS = (
    ("lead-time model, open lines censored", "p_late"),
    ("lead-time model, received lines only (before)", "p_received_only"),
    ("censored model + rolling Platt recalibration", "p_platt"),
    ("global late rate", "p_global"),
    ("per-supplier rate", "p_supplier"),
)


def load_converter() -> ModuleType:
    path = REPO_ROOT / "examples" / "scms" / "convert.py"
    spec = importlib.util.spec_from_file_location("crossdock_example_scms", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def auc(outcome: np.ndarray, score: np.ndarray) -> float:
    positives = outcome.sum()
    negatives = len(outcome) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[outcome].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def expected_calibration_error(outcome: np.ndarray, p: np.ndarray, bins: int = BINS) -> float:
    """Mean |mean p - observed rate| over `bins` equal-count bins of p, weighted by lines."""
    order = np.argsort(p, kind="stable")
    error = 0.0
    for part in np.array_split(order, bins):
        if part.size:
            error += part.size * abs(float(p[part].mean()) - float(outcome[part].mean()))
    return error / len(p)


def metrics(outcome: np.ndarray, p: np.ndarray) -> dict[str, float]:
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    log_loss = -np.mean(outcome * np.log(clipped) + (~outcome) * np.log(1 - clipped))
    return {
        "brier": float(np.mean((p - outcome) ** 2)),
        "log_loss": float(log_loss),
        "auc": auc(outcome, p),
        "ece": expected_calibration_error(outcome, p),
    }


def score_at(lines: pd.DataFrame, cutoff: pd.Timestamp, *, use_open_lines: bool) -> pd.DataFrame:
    """The model learned at `cutoff` scores the lines open at it; outcomes attached."""
    open_lines = lines[(lines["order_date"] < cutoff) & (lines["received_date"] > cutoff)]
    model = learn_lead_times(lines, as_of=cutoff, use_open_lines=use_open_lines)
    result = score_open_lines(model, open_lines, as_of=cutoff)
    result["cutoff"] = cutoff
    result["promised_date"] = open_lines["promised_date"].to_numpy()
    result["late"] = (open_lines["received_date"] > open_lines["promised_date"]).to_numpy()
    result["due_after_cutoff"] = (open_lines["promised_date"] > cutoff).to_numpy()
    return result


def backtest(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per (cutoff, open line): each method's p_late, and the outcome."""
    scored: list[pd.DataFrame] = []
    for cutoff in CUTOFFS:
        if not ((lines["order_date"] < cutoff) & (lines["received_date"] > cutoff)).any():
            continue
        result = score_at(lines, cutoff, use_open_lines=True)
        before = score_at(lines, cutoff, use_open_lines=False)
        history = lines[lines["received_date"] <= cutoff]
        was_late = history["received_date"] > history["promised_date"]
        global_rate = float(was_late.mean())
        per_supplier = was_late.groupby(history["supplier_code"]).mean()
        result["p_received_only"] = before["p_late"].to_numpy()
        result["p_global"] = global_rate
        result["p_supplier"] = (
            result["supplier_code"].map(per_supplier).fillna(global_rate).astype(float)
        )
        scored.append(result)
    return pd.concat(scored, ignore_index=True)


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    return np.asarray(np.log(clipped / (1 - clipped)), dtype=np.float64)


def platt(p: np.ndarray, outcome: np.ndarray) -> tuple[float, float]:
    """Intercept and slope of the logistic fit of outcome on logit(p)."""
    x = _logit(p)

    def loss(w: np.ndarray) -> float:
        z = w[0] + w[1] * x
        return float(np.sum(np.logaddexp(0.0, z) - outcome * z))

    fit = minimize(loss, np.array([0.0, 1.0]), method="BFGS")
    return float(fit.x[0]), float(fit.x[1])


def add_recalibrated(lines: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """`p_platt`: p_late recalibrated at each cutoff on the model's own past scores.

    Past scores come from monthly cutoffs before the cutoff; a pair is used only when
    the line was not yet due when scored and its promised date is before the cutoff,
    so its outcome was known then (received by the promise, or not). A fit needs
    MIN_RECALIBRATION_LATE late outcomes and a positive slope, else p_late is kept.
    """
    past_runs = [
        score_at(lines, cutoff, use_open_lines=True)
        for cutoff in RECALIBRATION_CUTOFFS
        if cutoff not in set(CUTOFFS)
        and ((lines["order_date"] < cutoff) & (lines["received_date"] > cutoff)).any()
    ]
    past = pd.concat([*past_runs, frame[past_runs[0].columns]], ignore_index=True)
    past = past[past["due_after_cutoff"]]
    frame = frame.copy()
    frame["p_platt"] = frame["p_late"]
    for cutoff in CUTOFFS:
        settled = past[(past["cutoff"] < cutoff) & (past["promised_date"] < cutoff)]
        outcome = settled["late"].to_numpy(dtype=np.float64)
        if outcome.sum() < MIN_RECALIBRATION_LATE:
            continue
        intercept, slope = platt(settled["p_late"].to_numpy(), outcome)
        at = (frame["cutoff"] == cutoff) & frame["due_after_cutoff"]
        if slope > 0 and at.any():
            z = intercept + slope * _logit(frame.loc[at, "p_late"].to_numpy())
            frame.loc[at, "p_platt"] = 1.0 / (1.0 + np.exp(-z))
    return frame


def bootstrap_difference(
    frame: pd.DataFrame, after: str, before: str, seed: int = 0
) -> dict[str, tuple[float, float, float]]:
    """after - before for each metric: the point estimate and a 95% PO-cluster interval."""
    outcome = frame["late"].to_numpy(dtype=bool)
    p_after, p_before = frame[after].to_numpy(), frame[before].to_numpy()
    point_after, point_before = metrics(outcome, p_after), metrics(outcome, p_before)
    clusters = frame.groupby("po_number").indices
    members = list(clusters.values())
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {name: [] for name in point_after}
    for _ in range(BOOTSTRAP):
        chosen = rng.integers(0, len(members), len(members))
        rows = np.concatenate([members[i] for i in chosen])
        m_after = metrics(outcome[rows], p_after[rows])
        m_before = metrics(outcome[rows], p_before[rows])
        for name, values in draws.items():
            values.append(m_after[name] - m_before[name])
    return {
        name: (
            point_after[name] - point_before[name],
            float(np.percentile(values, 2.5)),
            float(np.percentile(values, 97.5)),
        )
        for name, values in draws.items()
    }


def deciles(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    bins = pd.qcut(frame[column].rank(method="first"), BINS, labels=False)
    table = frame.groupby(bins).agg(
        lines=("late", "size"), mean_p=(column, "mean"), observed=("late", "mean")
    )
    table.index = table.index + 1
    return table


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    aligned = ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(aligned) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def report(frame: pd.DataFrame, lines: pd.DataFrame, seconds: float) -> str:
    not_yet_due = frame[frame["due_after_cutoff"]]
    measured = (
        f"Measured {pd.Timestamp.now(tz='UTC').date()} (Python {platform.python_version()}), "
        f"`python benchmarks/bench_lead_time_risk.py`, {seconds:.0f} s in all."
    )
    headline = (
        f"SCMS shipments: {len(lines)} lines; {len(CUTOFFS)} quarterly cutoffs "
        f"{CUTOFFS[0].date()}..{CUTOFFS[-1].date()}; {len(frame)} open line-cutoffs scored "
        f"({int(frame['late'].sum())} late; {len(not_yet_due)} not yet due, "
        f"{int(not_yet_due['late'].sum())} of them late) on "
        f"{frame['po_number'].nunique()} POs."
    )
    out = [measured, "", headline, ""]
    rows: list[list[str]] = []
    for subset, part in (("all open", frame), ("not yet due", not_yet_due)):
        outcome = part["late"].to_numpy(dtype=bool)
        shipped = metrics(outcome, part["p_late"].to_numpy())
        for name, column in METHODS:
            m = metrics(outcome, part[column].to_numpy())
            rows.append(
                [
                    f"{subset} (n={len(part)})",
                    name,
                    f"{m['brier']:.4f}",
                    f"{m['log_loss']:.4f}",
                    f"{m['auc']:.3f}",
                    f"{m['ece']:.4f}",
                    f"{shipped['brier'] / m['brier']:.2f}",
                ]
            )
    header = ["lines scored", "method", "Brier", "log loss", "AUC", "ECE"]
    out += _table([*header, "Brier ratio censored model / method"], rows)

    out += ["", "Differences between methods, with 95% PO-bootstrap intervals:", ""]
    rows = []
    for subset, part in (("all open", frame), ("not yet due", not_yet_due)):
        for label, after, before in (
            ("censored - received only", "p_late", "p_received_only"),
            ("censored + Platt - censored", "p_platt", "p_late"),
        ):
            diff = bootstrap_difference(part, after, before)
            rows.append(
                [subset, label]
                + [f"{d:+.4f} [{lo:+.4f}, {hi:+.4f}]" for d, lo, hi in diff.values()]
            )
    out += _table(["lines", "difference", "Brier", "log loss", "AUC", "ECE"], rows)

    out += ["", "Calibration, not-yet-due lines, deciles of each model's own p_late:", ""]
    before = deciles(not_yet_due, "p_received_only")
    after = deciles(not_yet_due, "p_late")
    rows = [
        [
            str(decile),
            str(int(after.loc[decile, "lines"])),
            f"{before.loc[decile, 'mean_p']:.3f}",
            f"{before.loc[decile, 'observed']:.3f}",
            f"{after.loc[decile, 'mean_p']:.3f}",
            f"{after.loc[decile, 'observed']:.3f}",
        ]
        for decile in after.index
    ]
    out += _table(
        [
            "decile",
            "lines",
            "received only: mean p_late",
            "observed late",
            "censored: mean p_late",
            "observed late",
        ],
        rows,
    )

    out += ["", "Calibration in the large by cutoff year, not-yet-due lines:", ""]
    by_year = not_yet_due.groupby(not_yet_due["cutoff"].dt.year).agg(
        lines=("late", "size"),
        observed=("late", "mean"),
        received_only=("p_received_only", "mean"),
        censored=("p_late", "mean"),
        platt=("p_platt", "mean"),
        global_rate=("p_global", "mean"),
    )
    rows = [
        [str(year), str(int(row.lines))]
        + [
            f"{value:.3f}"
            for value in (
                row.observed,
                row.received_only,
                row.censored,
                row.platt,
                row.global_rate,
            )
        ]
        for year, row in by_year.iterrows()
    ]
    out += _table(
        [
            "cutoff year",
            "lines",
            "observed late",
            "received only",
            "censored",
            "censored + Platt",
            "global rate",
        ],
        rows,
    )
    evidence = frame["evidence_level"].value_counts()
    out += ["", "Evidence level used: " + ", ".join(f"{k} {v}" for k, v in evidence.items())]
    return "\n".join(out)


def timed(step: Callable[[], pd.DataFrame]) -> tuple[pd.DataFrame, float]:
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    convert = load_converter()
    with tempfile.TemporaryDirectory() as folder:
        convert.convert(args.data, Path(folder))
        lines = convert.load_lines(Path(folder))
    frame, seconds = timed(lambda: add_recalibrated(lines, backtest(lines)))
    text = report(frame, lines, seconds)
    print(text)
    if args.write_results:
        write_section(STEM, text, heading="Supplier lead-time risk (SCMS backtest)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
