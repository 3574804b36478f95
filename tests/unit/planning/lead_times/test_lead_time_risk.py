"""Learning lead-time distributions from PO history and scoring open lines."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crossdock.planning.lead_times import (
    EmpiricalDistribution,
    learn_lead_times,
    score_open_lines,
)

AS_OF = "2024-06-10"


def received_lines(
    supplier: str,
    lateness_days: list[int],
    *,
    acknowledged: bool = False,
    mode: str = "truck",
) -> list[dict[str, object]]:
    """History: one line every 3 days from 2024-01-01, promised 20 days after order."""
    rows: list[dict[str, object]] = []
    for index, late in enumerate(lateness_days):
        ordered = dt.date(2024, 1, 1) + dt.timedelta(days=3 * index)
        promised = ordered + dt.timedelta(days=20)
        rows.append(
            {
                "po_number": f"{supplier}-{index}",
                "supplier_code": supplier,
                "mode": mode,
                "order_date": ordered,
                "promised_date": promised,
                "acknowledged_date": ordered + dt.timedelta(days=2) if acknowledged else None,
                "received_date": promised + dt.timedelta(days=late),
            }
        )
    return rows


def open_line(
    supplier: str, *, promised: str = "2024-06-21", acknowledged: str | None = None
) -> dict[str, object]:
    return {
        "po_number": f"OPEN-{supplier}-{acknowledged}",
        "supplier_code": supplier,
        "mode": "truck",
        "order_date": "2024-06-01",
        "promised_date": promised,
        "acknowledged_date": acknowledged,
        "received_date": None,
    }


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def test_chronically_late_supplier_scores_higher_than_a_reliable_one() -> None:
    history = frame(received_lines("LATE", [5] * 20) + received_lines("RELY", [-1] * 20))
    model = learn_lead_times(history, as_of=AS_OF)

    scored = score_open_lines(model, frame([open_line("LATE"), open_line("RELY")]), as_of=AS_OF)

    # Between-supplier spread with no within-supplier spread gives k = 1: weight 20/21.
    assert scored["p_late"].tolist() == pytest.approx([41 / 42, 1 / 42])
    assert scored["expected_receipt_date"].tolist() == [
        pd.Timestamp("2024-06-26"),
        pd.Timestamp("2024-06-20"),
    ]
    assert scored["evidence_level"].tolist() == ["supplier_code x lane x mode"] * 2
    assert scored["evidence_n"].tolist() == [20, 20]


def test_supplier_with_one_observation_falls_back_to_its_mode() -> None:
    history = frame(
        received_lines("LATE", [5] * 20)
        + received_lines("RELY", [-1] * 20)
        + received_lines("NEW", [30])
    )
    model = learn_lead_times(history, as_of=AS_OF, min_samples=5)

    scored = score_open_lines(model, frame([open_line("NEW")]), as_of=AS_OF)

    row = scored.iloc[0]
    assert (row["evidence_level"], row["evidence_key"], row["evidence_n"]) == ("mode", "truck", 41)
    assert row["p_late"] == pytest.approx(21 / 41)


def test_unseen_supplier_gets_the_distribution_of_its_mode() -> None:
    history = frame(received_lines("LATE", [5] * 20) + received_lines("RELY", [-1] * 20))
    model = learn_lead_times(history, as_of=AS_OF)

    estimate = model.lookup({"supplier_code": "NEVER-SEEN", "mode": "truck"})

    assert estimate.evidence["lateness"].level == "mode"
    assert estimate.stats("lateness")["mean"] == pytest.approx(2.0)


def test_line_past_its_promised_date_and_not_received_is_certainly_late() -> None:
    history = frame(received_lines("RELY", [-1] * 20))
    model = learn_lead_times(history, as_of=AS_OF)

    scored = score_open_lines(model, frame([open_line("RELY", promised="2024-06-05")]), as_of=AS_OF)

    assert scored["p_late"].tolist() == [1.0]
    assert scored["expected_receipt_date"].tolist() == [pd.Timestamp("2024-06-11")]


def test_unacknowledged_line_scores_later_when_history_says_acknowledgment_matters() -> None:
    history = frame(
        received_lines("SUP", [-1] * 40, acknowledged=True)
        + received_lines("SUP", [3] * 40, acknowledged=False)
    )
    model = learn_lead_times(history, as_of=AS_OF)
    lines = frame([open_line("SUP", acknowledged="2024-06-03"), open_line("SUP")])

    scored = score_open_lines(model, lines, as_of=AS_OF)

    assert model.acknowledgment.source == "learned"
    # Base 1/2 shifted by the smoothed log-odds log(1/81) and log(81).
    assert scored["p_late"].tolist() == pytest.approx([1 / 82, 81 / 82])
    assert scored["acknowledged"].tolist() == [True, False]


def test_received_lines_are_not_scored_and_future_receipts_are_not_observations() -> None:
    history = frame(received_lines("SUP", [1] * 10))
    model = learn_lead_times(history, as_of="2024-01-25")

    scored = score_open_lines(model, history, as_of="2024-01-25")

    # Received 2024-01-22 and 2024-01-25: observed. Ordered 2024-01-07..2024-01-25 and
    # still open: censored. Ordered 2024-01-28: not known yet, so not history at all.
    assert model.groups[(), ()].counts["lateness"] == 9
    assert model.groups[(), ()].censored["lateness"] == 7
    assert len(scored) == 8


def test_shipped_line_is_scored_on_transit_time() -> None:
    rows = received_lines("SUP", [0] * 20)
    for row in rows:
        row["shipped_date"] = row["received_date"] - dt.timedelta(days=2)  # type: ignore[operator]
    model = learn_lead_times(frame(rows), as_of=AS_OF)
    line = open_line("SUP", promised="2024-06-14") | {"shipped_date": "2024-06-09"}

    scored = score_open_lines(model, frame([line]), as_of=AS_OF)

    assert scored["evidence_measure"].tolist() == ["transit"]
    assert scored["p_late"].tolist() == [0.0]
    assert scored["expected_receipt_date"].tolist() == [pd.Timestamp("2024-06-11")]


def test_summary_reports_quantiles_and_rates_per_group() -> None:
    rows = received_lines("SUP", [-1] * 3 + [2])
    for index, row in enumerate(rows):
        row["received_date"] = row["order_date"] + dt.timedelta(days=index + 1)  # type: ignore[operator]
        row["promised_date"] = row["order_date"] + dt.timedelta(days=2)  # type: ignore[operator]
    model = learn_lead_times(frame(rows), as_of=AS_OF, min_samples=1)

    summary = model.summary().set_index("level")

    assert summary.loc["global", "lead_time_q50"] == 2.0
    assert summary.loc["global", "lead_time_q95"] == 4.0
    assert summary.loc["global", "on_time_rate"] == 0.5
    assert summary.loc["global", "acknowledgment_rate"] == 0.0


def test_empirical_quantiles_and_survival() -> None:
    dist = EmpiricalDistribution.from_samples(list(range(1, 101)))

    assert [dist.quantile(q) for q in (0.5, 0.8, 0.9, 0.95)] == [50.0, 80.0, 90.0, 95.0]
    assert dist.survival([0, 50, 100]).tolist() == pytest.approx([1.0, 0.5, 0.0])


def test_levels_must_end_with_global() -> None:
    with pytest.raises(ValueError, match="must end with"):
        learn_lead_times(frame(received_lines("SUP", [0])), as_of=AS_OF, levels=[("mode",)])
