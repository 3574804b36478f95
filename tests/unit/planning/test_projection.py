"""Inventory projection: the mean path, stockout risk over the lead time, excess, obsolete."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from crossdock.domain.model import InventoryPosition
from crossdock.planning.projection import (
    InventoryProjection,
    ProjectionInputError,
    ProjectionRules,
    project_inventory,
)

AS_OF = date(2026, 3, 2)
PHI_1 = 0.8413447460685429  # standard normal CDF at 1
PHI_MINUS_2_5 = 0.006209665325776132


def day(n: int) -> pd.Timestamp:
    return pd.Timestamp(AS_OF + timedelta(days=n))


def positions(*rows: dict[str, object]) -> pd.DataFrame:
    base = {"location_code": "DC1", "allocated": 0.0, "on_hold": 0.0}
    return pd.DataFrame([base | row for row in rows])


def flat_forecast(sku: str, mean: float, std: float = 0.0, days: int = 30) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": sku,
            "location_code": "DC1",
            "ds": [day(d) for d in range(1, days + 1)],
            "mean": mean,
            "std": std,
        }
    )


def receipt(sku: str, on_day: int, quantity: float) -> dict[str, object]:
    return {"sku": sku, "location_code": "DC1", "expected_date": day(on_day), "quantity": quantity}


def project(
    stock: pd.DataFrame,
    forecast: pd.DataFrame,
    receipts: list[dict[str, object]] | None = None,
    *,
    horizon_days: int = 10,
    policy: pd.DataFrame | None = None,
) -> InventoryProjection:
    return project_inventory(
        stock,
        pd.DataFrame(receipts) if receipts else None,
        forecast,
        as_of=AS_OF,
        horizon_days=horizon_days,
        policy=policy,
    )


def row(projection: InventoryProjection, sku: str) -> pd.Series:
    summary = projection.summary.set_index("sku")
    return summary.loc[[sku]].iloc[0]


# ---------------------------------------------------------------- the mean path


def test_projected_on_hand_is_available_stock_less_cumulative_forecast() -> None:
    # available = 100 - 20 allocated - 10 on hold = 70; 10 a day runs out after day 7.
    stock = positions({"sku": "A", "on_hand": 100.0, "allocated": 20.0, "on_hold": 10.0})
    projection = project(stock, flat_forecast("A", 10.0))
    daily = projection.daily()
    assert daily["projected_on_hand"].tolist() == [60, 50, 40, 30, 20, 10, 0, -10, -20, -30]
    assert daily["cumulative_demand_mean"].tolist() == [10 * d for d in range(1, 11)]
    assert daily["date"].tolist() == [day(d) for d in range(1, 11)]
    assert row(projection, "A")["first_stockout_date"] == day(8)
    assert row(projection, "A")["projected_on_hand_end"] == -30.0


def test_receipt_before_the_stockout_date_pushes_it_out() -> None:
    stock = positions({"sku": "A", "on_hand": 70.0, "on_order": 50.0})
    forecast = flat_forecast("A", 10.0)
    without = project(stock, forecast, horizon_days=20)
    early = project(stock, forecast, [receipt("A", 5, 50.0)], horizon_days=20)
    # 70 + 50 = 120 units last 12 days: first short day is day 13 instead of day 8.
    assert row(without, "A")["first_stockout_date"] == day(8)
    assert row(early, "A")["first_stockout_date"] == day(13)
    assert early.daily()["receipts"].tolist()[4] == 50.0


def test_receipt_after_the_stockout_date_does_not_move_it() -> None:
    stock = positions({"sku": "A", "on_hand": 70.0})
    late = project(stock, flat_forecast("A", 10.0), [receipt("A", 9, 50.0)], horizon_days=20)
    assert row(late, "A")["first_stockout_date"] == day(8)
    assert late.daily()["projected_on_hand"].tolist()[8] == 70 + 50 - 90


def test_overdue_receipt_counts_on_the_first_projected_day() -> None:
    stock = positions({"sku": "A", "on_hand": 0.0})
    projection = project(stock, flat_forecast("A", 0.0), [receipt("A", -3, 12.0)])
    assert projection.daily()["receipts"].tolist()[:2] == [12.0, 0.0]
    assert row(projection, "A")["scheduled_receipts"] == 12.0


def test_inbound_without_a_dated_receipt_is_reported_not_projected() -> None:
    stock = positions({"sku": "A", "on_hand": 0.0, "on_order": 50.0, "in_transit": 10.0})
    projection = project(stock, flat_forecast("A", 1.0), [receipt("A", 3, 30.0)])
    summary = row(projection, "A")
    assert summary["scheduled_receipts"] == 30.0
    assert summary["unscheduled_inbound"] == 30.0
    assert summary["projected_on_hand_end"] == 30.0 - 10.0


def test_receipts_beyond_the_horizon_are_counted_apart() -> None:
    stock = positions({"sku": "A", "on_hand": 5.0})
    projection = project(stock, flat_forecast("A", 1.0), [receipt("A", 40, 8.0)])
    assert row(projection, "A")["scheduled_receipts"] == 0.0
    assert row(projection, "A")["receipts_after_horizon"] == 8.0


def test_backorders_come_off_the_start_of_the_path() -> None:
    stock = positions({"sku": "A", "on_hand": 5.0, "backordered": 8.0})
    projection = project(stock, flat_forecast("A", 0.0))
    assert projection.daily()["projected_on_hand"].tolist()[0] == -3.0
    assert row(projection, "A")["first_stockout_date"] == day(1)


# ---------------------------------------------------------------- availability, supply


def test_allocated_and_on_hold_stock_is_not_available() -> None:
    stock = positions(
        {"sku": "A", "on_hand": 100.0, "allocated": 20.0, "on_hold": 10.0},
        {"sku": "B", "on_hand": 10.0, "allocated": 8.0, "on_hold": 5.0},
    )
    forecast = pd.concat([flat_forecast("A", 10.0), flat_forecast("B", 10.0)])
    projection = project(stock, forecast)
    assert row(projection, "A")["available"] == 70.0
    assert row(projection, "B")["available"] == 0.0  # never below zero
    assert row(projection, "A")["days_of_supply"] == 7.0
    domain = InventoryPosition(
        sku="A",
        location_code="DC1",
        snapshot_at=datetime(2026, 3, 2, 18, tzinfo=UTC),
        on_hand=100.0,
        allocated=20.0,
        on_hold=10.0,
    )
    assert row(projection, "A")["available"] == domain.available
    assert row(projection, "A")["days_of_supply"] == domain.days_of_supply(10.0)


def test_zero_demand_item_has_infinite_days_of_supply_and_no_stockout_risk() -> None:
    stock = positions({"sku": "Z", "on_hand": 5.0}, {"sku": "E", "on_hand": 0.0})
    forecast = pd.concat([flat_forecast("Z", 0.0), flat_forecast("E", 0.0)])
    projection = project(stock, forecast)
    for sku in ("Z", "E"):
        summary = row(projection, sku)
        assert summary["days_of_supply"] == math.inf
        assert summary["stockout_probability"] == 0.0
        assert pd.isna(summary["first_stockout_date"])


def test_item_without_forecast_rows_is_treated_as_no_demand() -> None:
    stock = positions({"sku": "A", "on_hand": 5.0}, {"sku": "N", "on_hand": 5.0})
    projection = project(stock, flat_forecast("A", 1.0))
    assert row(projection, "N")["forecast_days"] == 0
    assert row(projection, "A")["forecast_days"] == 10  # days inside the horizon
    assert row(projection, "N")["days_of_supply"] == math.inf


# ---------------------------------------------------------------- stockout probability


def lead_time_policy(**columns: list[object]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"location_code": ["DC1"] * n, **columns})


def test_stockout_probability_is_the_normal_tail_of_lead_time_demand() -> None:
    # 4 days x N(10, 2^2) a day: mean 40, std 4; 36 available: P = Phi((40 - 36) / 4).
    stock = positions({"sku": "A", "on_hand": 36.0})
    policy = lead_time_policy(sku=["A"], lead_time_days=[4.0])
    summary = row(project(stock, flat_forecast("A", 10.0, 2.0), policy=policy), "A")
    assert summary["lead_time_demand_mean"] == pytest.approx(40.0, abs=1e-12)
    assert summary["lead_time_demand_std"] == pytest.approx(4.0, abs=1e-12)
    assert summary["stockout_probability"] == pytest.approx(PHI_1, abs=1e-12)


def test_spread_read_from_the_upper_interval_when_no_std_is_given() -> None:
    forecast = flat_forecast("A", 10.0).drop(columns="std")
    forecast["hi-90"] = 10.0 + 1.6448536269514722 * 2.0
    forecast["hi-80"] = 10.0 + 1.2815515655446004 * 2.0
    stock = positions({"sku": "A", "on_hand": 36.0})
    policy = lead_time_policy(sku=["A"], lead_time_days=[4.0])
    summary = row(project(stock, forecast, policy=policy), "A")
    assert summary["stockout_probability"] == pytest.approx(PHI_1, abs=1e-9)


def test_receipts_due_within_the_lead_time_count_as_supply() -> None:
    stock = positions({"sku": "A", "on_hand": 36.0}, {"sku": "B", "on_hand": 36.0})
    forecast = pd.concat([flat_forecast("A", 10.0, 2.0), flat_forecast("B", 10.0, 2.0)])
    policy = lead_time_policy(sku=["A", "B"], lead_time_days=[4.0, 4.0])
    receipts = [receipt("A", 4, 4.0), receipt("B", 5, 4.0)]
    projection = project(stock, forecast, receipts, policy=policy)
    assert row(projection, "A")["supply_within_lead_time"] == 40.0
    assert row(projection, "A")["stockout_probability"] == pytest.approx(0.5, abs=1e-12)
    assert row(projection, "B")["supply_within_lead_time"] == 36.0
    assert row(projection, "B")["stockout_probability"] == pytest.approx(PHI_1, abs=1e-12)


def test_stockout_probability_rises_with_lead_time() -> None:
    stock = positions(*({"sku": s, "on_hand": 36.0} for s in "ABC"))
    forecast = pd.concat([flat_forecast(s, 10.0, 2.0) for s in "ABC"])
    policy = lead_time_policy(sku=list("ABC"), lead_time_days=[2.0, 4.0, 8.0])
    p = project(stock, forecast, policy=policy).summary["stockout_probability"].to_numpy()
    assert p[0] < p[1] < p[2]
    assert p[1] == pytest.approx(PHI_1, abs=1e-12)


def test_stockout_probability_falls_with_more_stock() -> None:
    stock = positions(
        *({"sku": s, "on_hand": q} for s, q in zip("ABC", (30.0, 36.0, 50.0), strict=True))
    )
    forecast = pd.concat([flat_forecast(s, 10.0, 2.0) for s in "ABC"])
    policy = lead_time_policy(sku=list("ABC"), lead_time_days=[4.0] * 3)
    p = project(stock, forecast, policy=policy).summary["stockout_probability"].to_numpy()
    assert p[0] > p[1] > p[2]
    assert p[2] == pytest.approx(PHI_MINUS_2_5, abs=1e-12)  # (40 - 50) / 4


def test_lead_time_uncertainty_adds_stockout_risk_above_the_mean() -> None:
    # std = sqrt(4 * 2^2 + 10^2 * 1^2) = sqrt(116); 50 available, mean 40.
    stock = positions({"sku": "A", "on_hand": 50.0}, {"sku": "B", "on_hand": 50.0})
    forecast = pd.concat([flat_forecast("A", 10.0, 2.0), flat_forecast("B", 10.0, 2.0)])
    policy = lead_time_policy(
        sku=["A", "B"], lead_time_days=[4.0, 4.0], lead_time_std_days=[0.0, 1.0]
    )
    projection = project(stock, forecast, policy=policy)
    assert row(projection, "A")["stockout_probability"] == pytest.approx(PHI_MINUS_2_5, abs=1e-12)
    expected = 0.5 * math.erfc(10.0 / math.sqrt(116.0) / math.sqrt(2.0))
    assert row(projection, "B")["stockout_probability"] == pytest.approx(expected, abs=1e-12)


def test_lumpy_item_uses_the_gamma_tail() -> None:
    # 4 days of mean 2, std 2: lead-time mean 8, variance 16 -> Gamma(shape 4, scale 2).
    # P(X > 10) = P(Poisson(5) < 4) = e^-5 (1 + 5 + 25/2 + 125/6).
    stock = positions({"sku": "A", "on_hand": 10.0})
    policy = lead_time_policy(sku=["A"], lead_time_days=[4.0], demand_class=["lumpy"])
    summary = row(project(stock, flat_forecast("A", 2.0, 2.0), policy=policy), "A")
    assert bool(summary["lead_time_demand_gamma"]) is True
    expected = math.exp(-5.0) * (1.0 + 5.0 + 12.5 + 125.0 / 6.0)
    assert summary["stockout_probability"] == pytest.approx(expected, abs=1e-12)


def test_certain_demand_gives_a_zero_or_one_stockout_probability() -> None:
    stock = positions({"sku": "A", "on_hand": 39.0}, {"sku": "B", "on_hand": 40.0})
    forecast = pd.concat([flat_forecast("A", 10.0), flat_forecast("B", 10.0)])
    policy = lead_time_policy(sku=["A", "B"], lead_time_days=[4.0, 4.0])
    p = project(stock, forecast, policy=policy).summary["stockout_probability"].tolist()
    assert p == [1.0, 0.0]


# ---------------------------------------------------------------- excess and obsolete


def test_stock_above_order_up_to_plus_margin_is_excess() -> None:
    # limit = 100 * 1.25 = 125; position = on hand + on order.
    stock = positions(
        {"sku": "A", "on_hand": 100.0, "on_order": 30.0},
        {"sku": "B", "on_hand": 100.0, "on_order": 25.0},
    )
    forecast = pd.concat([flat_forecast("A", 10.0), flat_forecast("B", 10.0)])
    policy = lead_time_policy(sku=["A", "B"], order_up_to=[100.0, 100.0])
    projection = project(stock, forecast, policy=policy)
    assert row(projection, "A")["excess_limit"] == 125.0
    assert row(projection, "A")["excess_units"] == 5.0
    assert bool(row(projection, "A")["excess"]) is True
    assert row(projection, "B")["excess_units"] == 0.0
    assert bool(row(projection, "B")["excess"]) is False


def test_stock_above_the_days_of_supply_cap_is_excess_without_an_order_up_to() -> None:
    # 1 a day x 180 days = 180 units allowed.
    stock = positions({"sku": "A", "on_hand": 200.0}, {"sku": "B", "on_hand": 150.0})
    forecast = pd.concat([flat_forecast("A", 1.0), flat_forecast("B", 1.0)])
    projection = project(stock, forecast)
    assert row(projection, "A")["excess_units"] == 20.0
    assert bool(row(projection, "A")["excess"]) is True
    assert bool(row(projection, "B")["excess"]) is False


def test_a_dc_is_judged_against_the_demand_it_serves_for_its_branches() -> None:
    # the DC sells 1 a day itself but feeds branches selling 20 a day: 180 x 21 allowed
    stock = positions({"sku": "A", "on_hand": 2_000.0}, {"sku": "B", "on_hand": 2_000.0})
    forecast = pd.concat([flat_forecast("A", 1.0), flat_forecast("B", 1.0)])
    policy = lead_time_policy(sku=["A", "B"], served_daily_demand=[21.0, np.nan])
    projection = project(stock, forecast, policy=policy)
    assert row(projection, "A")["excess_limit"] == 180.0 * 21.0
    assert bool(row(projection, "A")["excess"]) is False
    assert bool(row(projection, "B")["excess"]) is True


def test_stock_that_still_serves_branches_is_not_obsolete() -> None:
    policy = lead_time_policy(
        sku=["dc", "alone"],
        demand_class=["no_demand", "no_demand"],
        served_daily_demand=[5.0, np.nan],
    )
    assert obsolete_flags(policy, [10.0, 10.0]) == [False, True]


def obsolete_flags(policy: pd.DataFrame, on_hand: list[float]) -> list[bool]:
    skus = policy["sku"].tolist()
    stock = positions(*({"sku": s, "on_hand": q} for s, q in zip(skus, on_hand, strict=True)))
    forecast = pd.concat([flat_forecast(s, 0.0) for s in skus])
    return project(stock, forecast, policy=policy).summary["obsolete"].tolist()


def test_stock_with_no_recent_demand_and_a_dying_class_is_obsolete() -> None:
    long_ago, recently = day(-200), day(-30)
    policy = lead_time_policy(
        sku=["dying", "smooth", "recent", "empty", "unclassified", "never"],
        demand_class=["dying", "smooth", "dying", "dying", None, "no_demand"],
        last_demand_date=[long_ago, long_ago, recently, long_ago, long_ago, pd.NaT],
    )
    flags = obsolete_flags(policy, [10.0, 10.0, 10.0, 0.0, 10.0, 10.0])
    assert flags == [True, False, False, False, True, True]


def test_class_alone_decides_obsolescence_when_no_last_demand_date_is_given() -> None:
    policy = lead_time_policy(sku=["A", "B"], demand_class=["no_demand", "intermittent"])
    assert obsolete_flags(policy, [3.0, 3.0]) == [True, False]


def test_nothing_is_obsolete_without_a_class_or_a_last_demand_date() -> None:
    stock = positions({"sku": "A", "on_hand": 3.0})
    assert project(stock, flat_forecast("A", 0.0)).summary["obsolete"].tolist() == [False]


def test_obsolete_window_is_a_rule() -> None:
    policy = lead_time_policy(sku=["A"], last_demand_date=[day(-30)])
    stock = positions({"sku": "A", "on_hand": 3.0})
    projection = project_inventory(
        stock,
        None,
        flat_forecast("A", 0.0),
        as_of=AS_OF,
        horizon_days=5,
        policy=policy,
        rules=ProjectionRules(obsolete_after_days=30),
    )
    assert projection.summary["days_since_last_demand"].tolist() == [30.0]
    assert projection.summary["obsolete"].tolist() == [True]


# ---------------------------------------------------------------- frames and errors


def test_daily_chunks_join_up_to_the_whole_daily_projection() -> None:
    stock = positions(*({"sku": s, "on_hand": 10.0 * i} for i, s in enumerate("ABCDE")))
    forecast = pd.concat([flat_forecast(s, float(i)) for i, s in enumerate("ABCDE")])
    projection = project(stock, forecast, horizon_days=7)
    chunks = pd.concat(list(projection.iter_daily(chunk_size=2)), ignore_index=True)
    pd.testing.assert_frame_equal(chunks, projection.daily())
    assert len(chunks) == 5 * 7


def test_summary_keeps_the_order_of_positions() -> None:
    stock = positions({"sku": "B", "on_hand": 1.0}, {"sku": "A", "on_hand": 2.0})
    forecast = pd.concat([flat_forecast("A", 1.0), flat_forecast("B", 1.0)])
    summary = project(stock, forecast).summary
    assert summary["sku"].tolist() == ["B", "A"]
    assert summary["available"].tolist() == [1.0, 2.0]


def test_negative_quantity_is_refused_naming_the_column() -> None:
    stock = positions({"sku": "A", "on_hand": 5.0, "allocated": -1.0})
    with pytest.raises(ProjectionInputError, match=r"positions\.allocated\[0\]=-1\.0"):
        project(stock, flat_forecast("A", 1.0))


def test_duplicate_positions_are_refused() -> None:
    stock = positions({"sku": "A", "on_hand": 5.0}, {"sku": "A", "on_hand": 6.0})
    with pytest.raises(ProjectionInputError, match="one position per item-location"):
        project(stock, flat_forecast("A", 1.0))


def test_receipt_without_a_date_is_refused() -> None:
    stock = positions({"sku": "A", "on_hand": 5.0})
    bad: list[dict[str, object]] = [
        {"sku": "A", "location_code": "DC1", "expected_date": None, "quantity": 3.0}
    ]
    with pytest.raises(ProjectionInputError, match="expected_date"):
        project(stock, flat_forecast("A", 1.0), bad)


def test_projection_of_no_positions_is_empty() -> None:
    empty = pd.DataFrame({"sku": [], "location_code": [], "on_hand": []})
    projection = project(empty, flat_forecast("A", 1.0))
    assert len(projection.summary) == 0
    assert len(projection.daily()) == 0
    assert np.asarray(projection.projected_on_hand).shape == (0, 10)
