"""Lines still open at the cutoff are right-censored observations (Kaplan-Meier)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from crossdock.planning.lead_times import (
    EmpiricalDistribution,
    ProductLimit,
    learn_lead_times,
    score_open_lines,
)
from tests.unit.planning.lead_times.test_lead_time_risk import AS_OF, frame, received_lines

START = dt.date(2024, 1, 1)


def known_supplier(as_of_day: int) -> tuple[pd.DataFrame, pd.Timestamp]:
    """One line ordered each day 0..99, promised 20 days later; truly 30% late.

    Lines with day % 10 < 3 arrive 40 days late, the others 2 days early. At day 97
    the late lines ordered after day 37 and the early ones after day 79 are still out.
    """
    rows: list[dict[str, object]] = []
    for day in range(100):
        ordered = START + dt.timedelta(days=day)
        lateness = 40 if day % 10 < 3 else -2
        rows.append(
            {
                "po_number": f"PO-{day}",
                "supplier_code": "KNOWN",
                "mode": "truck",
                "order_date": ordered,
                "promised_date": ordered + dt.timedelta(days=20),
                "received_date": ordered + dt.timedelta(days=20 + lateness),
            }
        )
    return pd.DataFrame(rows), pd.Timestamp(START + dt.timedelta(days=as_of_day))


def test_open_lines_recover_the_true_late_rate_where_received_only_is_biased_low() -> None:
    lines, as_of = known_supplier(97)
    fresh = pd.DataFrame(
        [
            {
                "po_number": "NEW",
                "supplier_code": "KNOWN",
                "mode": "truck",
                "order_date": as_of,
                "promised_date": as_of + pd.Timedelta(days=20),
                "received_date": None,
            }
        ]
    )

    censored = learn_lead_times(lines, as_of=as_of)
    received_only = learn_lead_times(lines, as_of=as_of, use_open_lines=False)

    # Kaplan-Meier: 56 of the 80 lines ordered by day 79 arrived 2 days early, and every
    # line that could have arrived by day 40 of lateness did: P(late) = 24/80 exactly.
    # Received lines alone: 56 early, 12 late.
    assert score_open_lines(censored, fresh, as_of=as_of)["p_late"].tolist() == pytest.approx([0.3])
    assert score_open_lines(received_only, fresh, as_of=as_of)["p_late"].tolist() == (
        pytest.approx([12 / 68])
    )
    lead_time = censored.lookup({"supplier_code": "KNOWN", "mode": "truck"})
    assert lead_time.stats("lead_time")["mean"] == pytest.approx(0.7 * 18 + 0.3 * 60)
    assert received_only.lookup({"supplier_code": "KNOWN"}).stats("lead_time")[
        "mean"
    ] == pytest.approx((56 * 18 + 12 * 60) / 68)
    # Days 98 and 99 were not ordered yet: not history. 30 lines open, 68 received.
    evidence = lead_time.evidence["lateness"]
    assert (evidence.n, evidence.censored) == (98, 30)


def test_received_only_learning_ignores_open_lines() -> None:
    lines, as_of = known_supplier(97)

    model = learn_lead_times(lines, as_of=as_of, use_open_lines=False)

    assert model.groups[(), ()].counts["lateness"] == 68
    assert model.groups[(), ()].censored["lateness"] == 0


def test_a_group_of_only_open_lines_takes_its_tail_from_the_level_above() -> None:
    history = received_lines("LATE", [5] * 10 + [20] * 10) + received_lines("RELY", [-1] * 20)
    stuck = [
        {
            "po_number": f"NEW-{index}",
            "supplier_code": "NEW",
            "mode": "truck",
            "order_date": "2024-05-01",
            "promised_date": "2024-05-31",
            "received_date": None,
        }
        for index in range(6)
    ]
    model = learn_lead_times(frame(history + stuck), as_of=AS_OF)

    estimate = model.lookup({"supplier_code": "NEW", "mode": "truck"})

    # Global Kaplan-Meier: -1 (20/46), 5 (10/46), then the six lines open 10 days past
    # their promise leave, so 20 carries the remaining 16/46. NEW's own lines say "more
    # than 10 days late"; past 10 the level above only has 20. Suppliers differ far more
    # than they vary inside (k clipped to 1): NEW weighs 6 / 7.
    dist = estimate.distributions["lateness"]
    assert dist.values.tolist() == [-1.0, 5.0, 20.0]
    assert dist.weights.tolist() == pytest.approx([20 / 46 / 7, 10 / 46 / 7, 6 / 7 + 16 / 46 / 7])
    evidence = estimate.evidence["lateness"]
    assert (evidence.level, evidence.n, evidence.censored) == ("supplier_code x lane x mode", 6, 6)
    assert evidence.own_weight == pytest.approx(6 / 7)
    assert model.summary().set_index("key").loc["NEW", "lateness_censored"] == 6


def test_open_lines_of_a_thin_supplier_still_count_at_the_fallback_level() -> None:
    history = received_lines("LATE", [5] * 10 + [20] * 10) + received_lines("RELY", [-1] * 20)
    stuck = [
        {
            "po_number": f"NEW-{index}",
            "supplier_code": "NEW",
            "mode": "truck",
            "order_date": "2024-05-01",
            "promised_date": "2024-05-31",
            "received_date": None,
        }
        for index in range(2)
    ]
    model = learn_lead_times(frame(history + stuck), as_of=AS_OF)

    estimate = model.lookup({"supplier_code": "NEW", "mode": "truck"})

    evidence = estimate.evidence["lateness"]
    assert (evidence.level, evidence.key, evidence.n, evidence.censored) == (
        "mode",
        "truck",
        42,
        2,
    )
    # 22 at risk at -1 day (20 arrive), 12 left at 5 days (10 arrive), 2 censored at 10,
    # 10 arrive at 20: P(more than 10 days late) = 12/42, not the received-only 10/40.
    assert float(estimate.distributions["lateness"].survival(10)) == pytest.approx(12 / 42)


def test_open_lines_with_no_order_date_count_only_once_their_promise_has_passed() -> None:
    as_of = pd.Timestamp(AS_OF)
    no_order = [
        {  # open, 10 days past its promise: more than 10 days late
            "po_number": "PAST-DUE",
            "supplier_code": "SUP",
            "mode": "truck",
            "promised_date": as_of - pd.Timedelta(days=10),
            "received_date": None,
        },
        {  # open, not due yet: maybe not even ordered by as_of, so left out
            "po_number": "NOT-DUE",
            "supplier_code": "SUP",
            "mode": "truck",
            "promised_date": as_of + pd.Timedelta(days=5),
            "received_date": None,
        },
        {  # received early, before a promise still to come: withheld until then
            "po_number": "EARLY",
            "supplier_code": "SUP",
            "mode": "truck",
            "promised_date": as_of + pd.Timedelta(days=5),
            "received_date": as_of - pd.Timedelta(days=2),
        },
    ]
    lines = frame(received_lines("SUP", [0] * 10) + no_order)

    model = learn_lead_times(lines, as_of=as_of)
    later = learn_lead_times(lines, as_of=as_of + pd.Timedelta(days=6))
    scored = score_open_lines(model, lines, as_of=as_of)

    everything = model.groups[(), ()]
    assert (everything.counts["lateness"], everything.censored["lateness"]) == (11, 1)
    assert (everything.counts["lead_time"], everything.censored["lead_time"]) == (10, 0)
    # Six days on, both promises have passed: EARLY is 7 days early, NOT-DUE 1 day late.
    assert later.groups[(), ()].counts["lateness"] == 13
    assert later.groups[(), ()].censored["lateness"] == 2
    assert scored.set_index("po_number").loc["PAST-DUE", "p_late"] == 1.0
    # Ten lines on time and one more than 10 days late: a line 5 days from its promise
    # is late with P(D > 0) / P(D > -5) = 1/11 (0 from the received lines alone).
    assert scored.set_index("po_number").loc["NOT-DUE", "p_late"] == pytest.approx(1 / 11)


def test_with_every_line_still_open_lead_time_is_a_lower_bound_and_lateness_unknown() -> None:
    as_of = pd.Timestamp(AS_OF)
    lines = frame(
        [
            {
                "po_number": f"OPEN-{age}",
                "supplier_code": "SUP",
                "order_date": as_of - pd.Timedelta(days=age),
                "promised_date": as_of - pd.Timedelta(days=age) + pd.Timedelta(days=60),
                "received_date": None,
            }
            for age in (30, 35, 40, 45, 50)
        ]
    )

    model = learn_lead_times(lines, as_of=as_of)
    scored = score_open_lines(model, lines, as_of=as_of)

    lead_time = model.lookup({"supplier_code": "SUP"}).distributions["lead_time"]
    # All we know: more than 50 days. The mass is put one day past it, the least it can be.
    assert (lead_time.mean(), lead_time.std()) == (51.0, 0.0)
    assert lead_time.survival([50, 51]).tolist() == [1.0, 0.0]
    assert model.unknown_beyond["lateness"] == -10.0
    assert scored["p_late"].isna().all()
    assert scored["expected_receipt_date"].notna().all()


def test_product_limit_matches_the_kaplan_meier_estimate_by_hand() -> None:
    # Received after 1, 2, 2, 3 days; open after 2 and 4 days.
    estimate = ProductLimit.from_observations([1, 2, 2, 3], censored_at=[2, 4])

    # S(1) = 5/6; at 2 the line open since 2 is still at risk: S(2) = 5/6 * 3/5 = 1/2;
    # at 3 two lines are at risk: S(3) = 1/4, and that quarter lies past 4 days.
    assert estimate.values.tolist() == [1.0, 2.0, 3.0]
    assert estimate.weights.tolist() == pytest.approx([1 / 6, 1 / 3, 1 / 4])
    assert (estimate.beyond, estimate.horizon) == (pytest.approx(0.25), 4.0)
    assert (estimate.n, estimate.censored) == (6, 2)
    closed = estimate.closed()
    assert closed.values.tolist() == [1.0, 2.0, 3.0, 5.0]
    completed = estimate.completed(EmpiricalDistribution.from_samples([1, 6, 6, 10]))
    assert completed.values.tolist() == [1.0, 2.0, 3.0, 6.0, 10.0]
    assert completed.weights.tolist() == pytest.approx([1 / 6, 1 / 3, 1 / 4, 1 / 6, 1 / 12])


def test_product_limit_without_open_lines_is_the_empirical_distribution() -> None:
    samples = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]

    estimate = ProductLimit.from_observations(samples)
    with_nan_open = ProductLimit.from_observations(samples, censored_at=[math.nan])

    plain = EmpiricalDistribution.from_samples(samples)
    for result in (estimate, with_nan_open):
        assert result.values.tolist() == plain.values.tolist()
        assert np.allclose(result.weights, plain.weights)
        assert (result.beyond, result.censored) == (0.0, 0)


def test_open_acknowledged_lines_past_due_count_as_late_in_the_acknowledgment_effect() -> None:
    acknowledged = received_lines("SUP", [-1] * 40, acknowledged=True)
    silent = received_lines("SUP", [-1] * 20 + [3] * 20, acknowledged=False)
    as_of = pd.Timestamp(AS_OF)
    stuck = [
        {
            "po_number": f"STUCK-{index}",
            "supplier_code": "SUP",
            "mode": "truck",
            "order_date": as_of - pd.Timedelta(days=40),
            "promised_date": as_of - pd.Timedelta(days=20),
            "acknowledged_date": as_of - pd.Timedelta(days=38),
            "received_date": None,
        }
        for index in range(40)
    ]

    without = learn_lead_times(frame(acknowledged + silent), as_of=as_of).acknowledgment
    with_open = learn_lead_times(frame(acknowledged + silent + stuck), as_of=as_of).acknowledgment

    # Received only: acknowledged lines were never late, so acknowledging looks good.
    assert without.shift_acknowledged < 0 < without.shift_unacknowledged
    # With the 40 acknowledged lines stuck 20 days past their promise: half the
    # acknowledged lines are late against half the silent ones, so no shift is learned.
    assert (with_open.n_acknowledged, with_open.n_unacknowledged) == (80, 40)
    assert with_open.shift_acknowledged == pytest.approx(0.0, abs=1e-9)
    assert with_open.shift_unacknowledged == pytest.approx(0.0, abs=1e-9)
