"""Backtest supplier lead-time risk on the real SCMS shipments.

At each cutoff (quarterly, 2009-01-01 to 2013-04-01) the model learns from the lines
received by the cutoff, then scores the lines open at it (ordered before the cutoff,
received after) and is compared with what happened (received after promised?).
Baselines, fitted on the same history in the same process: the global late rate, and
each supplier's own late rate without fallback (the global rate for a supplier with no
history). Lines with no order date (all From-RDC lines, and 'Date Not Captured') cannot
be placed as open at a cutoff and are left out of scoring; they still teach lateness.

    python benchmarks/bench_lead_time_risk.py [--data ../shared/data] [--write-results]
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from crossdock.planning.lead_times import learn_lead_times, score_open_lines
from results_file import write_section

REPO_ROOT = Path(__file__).resolve().parents[1]
STEM = Path(__file__).stem
CUTOFFS = pd.date_range("2009-01-01", "2013-04-01", freq="QS")
EPSILON = 1e-4


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


def metrics(outcome: np.ndarray, p: np.ndarray) -> dict[str, float]:
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    log_loss = -np.mean(outcome * np.log(clipped) + (~outcome) * np.log(1 - clipped))
    return {
        "brier": float(np.mean((p - outcome) ** 2)),
        "log_loss": float(log_loss),
        "auc": auc(outcome, p),
    }


def backtest(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per (cutoff, open line): model and baseline p_late, and the outcome."""
    scored: list[pd.DataFrame] = []
    for cutoff in CUTOFFS:
        history = lines[lines["received_date"] <= cutoff]
        open_lines = lines[(lines["order_date"] < cutoff) & (lines["received_date"] > cutoff)]
        if open_lines.empty:
            continue
        model = learn_lead_times(lines, as_of=cutoff)
        result = score_open_lines(model, open_lines, as_of=cutoff)
        was_late = history["received_date"] > history["promised_date"]
        global_rate = float(was_late.mean())
        per_supplier = was_late.groupby(history["supplier_code"]).mean()
        result["cutoff"] = cutoff
        result["late"] = (open_lines["received_date"] > open_lines["promised_date"]).to_numpy()
        result["due_after_cutoff"] = (open_lines["promised_date"] > cutoff).to_numpy()
        result["p_global"] = global_rate
        result["p_supplier"] = (
            result["supplier_code"].map(per_supplier).fillna(global_rate).astype(float)
        )
        scored.append(result)
    return pd.concat(scored, ignore_index=True)


def calibration(frame: pd.DataFrame) -> pd.DataFrame:
    bins = pd.qcut(frame["p_late"].rank(method="first"), 10, labels=False)
    table = frame.groupby(bins).agg(
        lines=("late", "size"),
        mean_p_late=("p_late", "mean"),
        observed_late=("late", "mean"),
    )
    table.index = table.index + 1
    table.index.name = "decile"
    return table


def report(frame: pd.DataFrame, lines: pd.DataFrame, seconds: float) -> str:
    headline = (
        f"SCMS shipments: {len(lines)} lines; {len(CUTOFFS)} quarterly cutoffs "
        f"{CUTOFFS[0].date()}..{CUTOFFS[-1].date()}; {len(frame)} open line-cutoffs scored "
        f"({int(frame['late'].sum())} late) in {seconds:.1f} s."
    )
    out = [
        headline,
        "",
        "| lines scored | method | Brier | log loss | AUC | Brier ratio model / method |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for subset, part in (
        ("all open", frame),
        ("not yet due", frame[frame["due_after_cutoff"]]),
    ):
        outcome = part["late"].to_numpy(dtype=bool)
        model = metrics(outcome, part["p_late"].to_numpy())
        for name, column in (
            ("lead-time model", "p_late"),
            ("global late rate", "p_global"),
            ("per-supplier rate", "p_supplier"),
        ):
            m = metrics(outcome, part[column].to_numpy())
            ratio = model["brier"] / m["brier"]
            out.append(
                f"| {subset} (n={len(part)}) | {name} | {m['brier']:.4f} | "
                f"{m['log_loss']:.4f} | {m['auc']:.3f} | {ratio:.2f} |"
            )
    out += ["", "Calibration, not-yet-due lines, deciles of predicted p_late:", ""]
    table = calibration(frame[frame["due_after_cutoff"]])
    out += ["| decile | lines | mean p_late | observed late |", "|---:|---:|---:|---:|"]
    out += [
        f"| {decile} | {row.lines} | {row.mean_p_late:.3f} | {row.observed_late:.3f} |"
        for decile, row in zip(table.index, table.itertuples(), strict=True)
    ]
    evidence = frame["evidence_level"].value_counts()
    out += ["", "Evidence level used: " + ", ".join(f"{k} {v}" for k, v in evidence.items())]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    convert = load_converter()
    with tempfile.TemporaryDirectory() as folder:
        convert.convert(args.data, Path(folder))
        lines = convert.load_lines(Path(folder))
    started = time.perf_counter()
    frame = backtest(lines)
    text = report(frame, lines, time.perf_counter() - started)
    print(text)
    if args.write_results:
        write_section(STEM, text, heading="Supplier lead-time risk (SCMS backtest)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
