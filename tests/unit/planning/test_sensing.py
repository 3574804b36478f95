"""Demand sensing: spikes and shifts against expectation, raised as canonical events."""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import pandas as pd
import pytest

from crossdock.domain.canonical import entity
from crossdock.planning.sensing import EVIDENCE_COLUMNS, detect_demand_anomalies

AS_OF = date(2024, 6, 30)
SPAN = 140  # 112 history days + 28 window days, the defaults
DAYS = pd.date_range(end=pd.Timestamp(AS_OF), periods=SPAN, freq="D")
WINDOW_START = DAYS[SPAN - 28]


def sparse_history(demand: np.ndarray, *, location: str = "BR01") -> pd.DataFrame:
    """demand_history rows (only days with demand) for series SKU-0000, SKU-0001, ..."""
    rows, cols = np.nonzero(demand)
    return pd.DataFrame(
        {
            "sku": [f"SKU-{r:04d}" for r in rows],
            "location_code": location,
            "demand_date": DAYS[cols],
            "quantity": demand[rows, cols].astype(float),
        }
    )


def poisson_series(rate: float, series: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).poisson(rate, (series, SPAN)).astype(float)


def intermittent_series(series: int, seed: int) -> np.ndarray:
    """Orders on ~8% of days, 1 to 12 units each."""
    rng = np.random.default_rng(seed)
    has_order = rng.random((series, SPAN)) < 0.08
    return np.where(has_order, rng.integers(1, 13, (series, SPAN)), 0).astype(float)


def test_finds_a_single_day_spike_on_its_exact_date() -> None:
    demand = poisson_series(8.0, 1, seed=3)
    demand[0, 130] += 30

    result = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)

    assert result.evidence["reason_code"].tolist() == ["demand_spike"]
    assert result.evidence["start_date"].tolist() == [DAYS[130]]
    assert result.evidence["end_date"].tolist() == [DAYS[130]]
    assert result.events["quantity"].tolist() == [demand[0, 130]]
    assert result.events["occurred_at"].tolist() == [DAYS[130].tz_localize("UTC")]


def test_finds_a_sixty_percent_level_shift_within_three_days_of_its_start() -> None:
    rng = np.random.default_rng(11)
    demand = np.concatenate(
        [rng.poisson(10.0, (1, 122)), rng.poisson(16.0, (1, 18))], axis=1
    ).astype(float)

    result = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)

    shifts = result.evidence[result.evidence["reason_code"] == "demand_shift"]
    assert len(shifts) == 1
    started = shifts["start_date"].iloc[0]
    assert abs((started - DAYS[122]).days) <= 3
    assert shifts["end_date"].iloc[0] == DAYS[-1]
    assert 35.0 <= shifts["shift_pct"].iloc[0] <= 85.0


@pytest.mark.parametrize(
    ("demand_of", "bound"),
    [
        (lambda seed: poisson_series(2.0, 500, seed), 0.01),
        (lambda seed: poisson_series(20.0, 500, seed), 0.01),
        (lambda seed: intermittent_series(500, seed), 0.01),
    ],
    ids=["poisson-2", "poisson-20", "intermittent"],
)
def test_stationary_series_raise_fewer_false_alarms_than_one_per_hundred_windows(
    demand_of: object, bound: float
) -> None:
    alarms = 0
    windows = 0
    for seed in range(4):
        demand = demand_of(seed)  # type: ignore[operator]
        result = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)
        alarms += len(result.events)
        windows += len(demand)

    assert alarms / windows < bound


def test_an_ordinary_order_on_an_intermittent_item_is_not_flagged() -> None:
    demand = np.zeros((1, SPAN))
    demand[0, [5, 19, 40, 58, 77, 90, 104]] = [6, 8, 5, 7, 6, 9, 7]
    demand[0, 125] = 8  # one normal-sized order in the window, on a usually-zero day

    result = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)

    assert result.events.empty


def test_one_unit_on_a_zero_forecast_day_is_not_a_spike() -> None:
    demand = poisson_series(3.0, 1, seed=5)
    demand[0, 120] = 1
    forecast = pd.DataFrame(
        {
            "sku": "SKU-0000",
            "location_code": "BR01",
            "demand_date": DAYS[112:],
            "expected": np.where(np.arange(28) == 8, 0.0, 3.0),
        }
    )

    result = detect_demand_anomalies(sparse_history(demand), forecast, as_of=AS_OF)

    assert DAYS[120] not in set(result.evidence["start_date"])


def test_a_forecast_that_expected_the_surge_explains_it_away() -> None:
    demand = poisson_series(8.0, 1, seed=3)
    demand[0, 130] += 30
    forecast = pd.DataFrame(
        {
            "sku": "SKU-0000",
            "location_code": "BR01",
            "demand_date": DAYS[112:],
            "expected": np.where(np.arange(28) == 18, 38.0, 8.0),
        }
    )

    with_forecast = detect_demand_anomalies(sparse_history(demand), forecast, as_of=AS_OF)
    without = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)

    assert with_forecast.events.empty
    assert len(without.events) == 1


def test_event_ids_hash_item_location_kind_and_start_date() -> None:
    demand = poisson_series(8.0, 1, seed=3)
    demand[0, 130] += 30

    result = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)

    key = f"SKU-0000|BR01|demand_spike|{DAYS[130]:%Y-%m-%d}"
    assert result.events["event_id"].tolist() == [
        "DS-" + hashlib.sha256(key.encode()).hexdigest()[:20]
    ]


def test_running_twice_gives_the_same_events_and_evidence() -> None:
    demand = poisson_series(6.0, 40, seed=8)
    demand[::3, 125:128] += 60
    history = sparse_history(demand)

    first = detect_demand_anomalies(history, as_of=AS_OF)
    second = detect_demand_anomalies(history.sample(frac=1.0, random_state=1), as_of=AS_OF)

    assert len(first.events) == 14
    pd.testing.assert_frame_equal(first.events, second.events)
    pd.testing.assert_frame_equal(first.evidence, second.evidence)


def test_consecutive_spike_days_make_one_event_with_their_total() -> None:
    demand = poisson_series(8.0, 1, seed=3)
    demand[0, 125:128] += 40

    result = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)

    assert result.evidence["days"].tolist() == [3]
    assert result.events["quantity"].tolist() == [demand[0, 125:128].sum()]


def test_events_have_the_canonical_events_columns_and_evidence_is_keyed_by_event_id() -> None:
    demand = poisson_series(8.0, 1, seed=3)
    demand[0, 130] += 30

    result = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)

    spec = entity("events")
    assert list(result.events.columns) == [*spec.field_names, "reason_code_site_code"]
    assert result.events["event_type"].tolist() == ["demand_anomaly"]
    assert result.events["source"].tolist() == ["crossdock.sensing"]
    assert str(result.events["occurred_at"].dtype) == "datetime64[ns, UTC]"
    assert list(result.evidence.columns) == list(EVIDENCE_COLUMNS)
    assert result.evidence["event_id"].tolist() == result.events["event_id"].tolist()
    assert result.evidence["window_start"].tolist() == [WINDOW_START]


def test_item_locations_too_new_to_judge_are_not_tested() -> None:
    demand = np.zeros((1, SPAN))
    demand[0, 120:] = 50.0  # launched inside the window

    result = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)

    assert result.events.empty


def test_demand_after_as_of_is_ignored() -> None:
    demand = poisson_series(8.0, 1, seed=3)
    history = sparse_history(demand)
    later = pd.DataFrame(
        {
            "sku": ["SKU-0000"],
            "location_code": ["BR01"],
            "demand_date": [pd.Timestamp(AS_OF) + pd.Timedelta(days=1)],
            "quantity": [500.0],
        }
    )

    result = detect_demand_anomalies(pd.concat([history, later]), as_of=AS_OF)

    assert result.events.empty


def test_rejects_actuals_without_the_quantity_column() -> None:
    history = sparse_history(poisson_series(8.0, 1, seed=3)).rename(columns={"quantity": "qty"})

    with pytest.raises(ValueError, match="actuals has no column 'quantity'"):
        detect_demand_anomalies(history, as_of=AS_OF)


# Known drivers: promotions ----------------------------------------------------------

PROMOTED_IN_HISTORY = [*range(14, 21), *range(56, 63), *range(91, 98)]  # three 7-day deals


def promoted_history(window_promotion: list[int], window_lift: float) -> pd.DataFrame:
    """SKU-0000 at BR01 selling Poisson(20) a day, three times that on promoted days.

    History promotions sell at the usual x3; `window_promotion` days sell `window_lift`
    times the normal rate. Rows carry `on_promotion` as demand_history does.
    """
    rng = np.random.default_rng(21)
    rate = np.full(SPAN, 20.0)
    rate[PROMOTED_IN_HISTORY] *= 3.0
    rate[window_promotion] *= window_lift
    history = sparse_history(rng.poisson(rate)[None, :].astype(float))
    promoted = {DAYS[day] for day in [*PROMOTED_IN_HISTORY, *window_promotion]}
    return history.assign(on_promotion=history["demand_date"].isin(promoted))


def test_a_promoted_day_with_the_usual_lift_is_not_a_spike() -> None:
    history = promoted_history([130], window_lift=3.0)

    result = detect_demand_anomalies(history, as_of=AS_OF, promotion_col="on_promotion")

    # judged against the unlifted level of 20 a day, ~60 units would be a spike (z ~ 9)
    assert history.loc[history["demand_date"] == DAYS[130], "quantity"].item() > 45
    assert result.events.empty


def test_a_promoted_day_far_above_the_usual_lift_is_a_spike_with_the_lift_in_evidence() -> None:
    history = promoted_history([130], window_lift=12.0)

    result = detect_demand_anomalies(history, as_of=AS_OF, promotion_col="on_promotion")

    assert result.evidence["reason_code"].tolist() == ["demand_spike"]
    assert result.evidence["start_date"].tolist() == [DAYS[130]]
    evidence = result.evidence.iloc[0]
    assert evidence["promoted_days"] == 1
    assert 2.6 <= evidence["promotion_lift"] <= 3.4  # learned from the three history deals
    assert 52.0 <= evidence["expected"] <= 68.0  # 20 a day x the lift


def test_unmarked_history_deals_hide_a_real_spike_that_marked_ones_reveal() -> None:
    history = promoted_history([130], window_lift=12.0)

    with_drivers = detect_demand_anomalies(history, as_of=AS_OF, promotion_col="on_promotion")
    without = detect_demand_anomalies(history, as_of=AS_OF)

    # unmarked, the three deals count as normal days: they widen what looks normal
    assert without.events.empty
    assert with_drivers.evidence["reason_code"].tolist() == ["demand_spike"]


def test_a_promotion_running_to_as_of_is_not_a_shift() -> None:
    rng = np.random.default_rng(4)
    rate = np.full((2, SPAN), 20.0)
    rate[1, PROMOTED_IN_HISTORY] *= 3.0  # SKU-0001's deals teach the usual lift
    deal = list(range(126, SPAN))  # SKU-0000's first deal runs the last two weeks
    rate[0, deal] *= 3.0
    history = sparse_history(rng.poisson(rate).astype(float))
    promoted = set(zip(["SKU-0001"] * 21, DAYS[PROMOTED_IN_HISTORY], strict=True)) | set(
        zip(["SKU-0000"] * len(deal), DAYS[deal], strict=True)
    )
    keys = zip(history["sku"], history["demand_date"], strict=True)
    history = history.assign(on_promotion=[key in promoted for key in keys])

    with_drivers = detect_demand_anomalies(history, as_of=AS_OF, promotion_col="on_promotion")
    without = detect_demand_anomalies(history, as_of=AS_OF)

    assert with_drivers.events.empty
    shifts = without.evidence[without.evidence["reason_code"] == "demand_shift"]
    assert shifts["sku"].tolist() == ["SKU-0000"]


def test_a_promotion_column_is_read_only_when_named() -> None:
    history = promoted_history([130], window_lift=3.0)

    named_none = detect_demand_anomalies(history, as_of=AS_OF)
    no_column = detect_demand_anomalies(history.drop(columns="on_promotion"), as_of=AS_OF)

    pd.testing.assert_frame_equal(named_none.events, no_column.events)
    pd.testing.assert_frame_equal(named_none.evidence, no_column.evidence)
    assert named_none.evidence["promoted_days"].tolist() == [0] * len(named_none.evidence)


def test_rejects_a_named_promotion_column_that_is_missing() -> None:
    history = sparse_history(poisson_series(8.0, 1, seed=3))

    with pytest.raises(ValueError, match="actuals has no column 'on_promotion'"):
        detect_demand_anomalies(history, as_of=AS_OF, promotion_col="on_promotion")


# Pooling: one category at one location --------------------------------------------


def category_of(skus: int, name: str, first: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"sku": [f"SKU-{first + i:04d}" for i in range(skus)], "category": name})


def test_a_category_wide_surge_on_slow_items_is_pooled_where_single_series_miss_it() -> None:
    rng = np.random.default_rng(5)
    demand = intermittent_series(60, seed=6)  # SKU-0000..0039 Snow & Ice, 0040..0059 Tools
    storm = [122, 123, 124]
    ordered = rng.random((40, len(storm))) < 0.6  # 60% order on storm days, usually 8%
    demand[:40, storm] = np.where(ordered, rng.integers(1, 13, ordered.shape), 0)
    groups = pd.concat([category_of(40, "Snow & Ice"), category_of(20, "Tools", first=40)])

    alone = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)
    pooled = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF, groups=groups)

    storm_days = set(DAYS[storm])
    assert not storm_days & set(alone.evidence["start_date"])
    spikes = pooled.evidence[pooled.evidence["reason_code"] == "demand_spike"]
    took_part = {f"SKU-{i:04d}" for i in range(40) if ordered[i].any()}
    assert set(spikes["sku"]) == took_part  # one event per item-location that surged
    assert set(spikes["start_date"]) == {DAYS[122]}
    assert set(spikes["end_date"]) == {DAYS[124]}
    assert set(spikes["test"]) == {"pooled"}
    assert set(spikes["group"]) == {"Snow & Ice"}
    assert (spikes["group_exceeding"] >= 0.45 * spikes["group_members"]).all()
    assert (spikes["group_expected"] < 0.2 * spikes["group_members"]).all()


def test_the_pooled_test_leaves_promoted_items_out_of_the_count() -> None:
    demand = intermittent_series(40, seed=6)
    deal = [122, 123, 124]
    demand[:, deal] = np.where(np.arange(40)[:, None] % 2 == 0, 6.0, demand[:, deal])
    history = sparse_history(demand)
    on_deal = history["demand_date"].isin(set(DAYS[deal])) & history["sku"].isin(
        {f"SKU-{i:04d}" for i in range(0, 40, 2)}
    )
    history = history.assign(on_promotion=on_deal)
    groups = category_of(40, "Plumbing")

    with_drivers = detect_demand_anomalies(
        history, as_of=AS_OF, groups=groups, promotion_col="on_promotion"
    )
    without = detect_demand_anomalies(history, as_of=AS_OF, groups=groups)

    assert with_drivers.events.empty
    assert set(without.evidence["test"]) == {"pooled"}


def test_a_category_wide_rise_is_not_a_shift_but_one_item_stepping_up_on_top_is() -> None:
    rng = np.random.default_rng(9)
    factor = np.ones(SPAN)
    factor[112:] = 1.0 + np.arange(28) / 28  # the whole category ramps to 2x in the window
    rate = np.full((13, SPAN), 20.0) * factor
    rate[12, 119:] *= 1.8  # and SKU-0012 steps up 80% on top of that in the second week
    demand = rng.poisson(rate).astype(float)
    groups = category_of(13, "HVAC")

    grouped = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF, groups=groups)
    alone = detect_demand_anomalies(sparse_history(demand), as_of=AS_OF)

    shifts = grouped.evidence[grouped.evidence["reason_code"] == "demand_shift"]
    assert shifts["sku"].tolist() == ["SKU-0012"]
    alone_shifts = alone.evidence[alone.evidence["reason_code"] == "demand_shift"]
    assert len(alone_shifts) == 13
    riser = alone_shifts[alone_shifts["sku"] == "SKU-0012"]
    # against its category the item is up by its own step, not by step and ramp together
    assert 50.0 <= shifts["shift_pct"].iloc[0] <= 110.0
    assert riser["shift_pct"].iloc[0] > shifts["shift_pct"].iloc[0] + 40.0
