"""Demand looks like a distributor's: a long tail, weekly and yearly rhythm, promotions."""

from __future__ import annotations

import pandas as pd
import pytest

from crossdock.demo import DemoOptions

SUMMER, WINTER = (6, 7, 8), (12, 1, 2)


def test_every_demand_class_holds_a_plausible_share_of_item_locations(
    demand_classes: pd.DataFrame,
) -> None:
    share = demand_classes["klass"].value_counts(normalize=True)

    assert set(share.index) == {"smooth", "erratic", "intermittent", "lumpy"}
    assert 0.18 <= share["smooth"] <= 0.32
    assert 0.10 <= share["erratic"] <= 0.22
    assert 0.28 <= share["intermittent"] <= 0.42
    assert 0.18 <= share["lumpy"] <= 0.32


def test_almost_every_item_location_has_demand(
    demand_classes: pd.DataFrame, default_options: DemoOptions
) -> None:
    assert len(demand_classes) >= 0.97 * default_options.item_locations


def test_smooth_series_sell_more_on_weekdays_than_at_weekends(
    demand: pd.DataFrame, demand_classes: pd.DataFrame
) -> None:
    smooth = demand_classes.index[demand_classes["klass"] == "smooth"]
    rows = demand.set_index(["sku", "location_code"]).loc[smooth]
    weekend = rows["weekday"] >= 5
    weekday_mean = rows.loc[~weekend].groupby(level=[0, 1])["quantity"].sum() / 5
    weekend_mean = rows.loc[weekend].groupby(level=[0, 1])["quantity"].sum() / 2
    weekend_mean = weekend_mean.reindex(weekday_mean.index, fill_value=0.0)

    assert (weekday_mean > weekend_mean).mean() >= 0.95
    assert weekday_mean.sum() / weekend_mean.sum() >= 2.0


def _summer_over_winter(demand: pd.DataFrame, category: str) -> float:
    rows = demand[demand["category"] == category]
    month = rows["demand_date"].dt.month
    dates = pd.Series(pd.date_range(demand["demand_date"].min(), demand["demand_date"].max()))
    per_day = rows.groupby(month)["quantity"].sum() / dates.dt.month.value_counts()
    return float(per_day[list(SUMMER)].mean() / per_day[list(WINTER)].mean())


@pytest.mark.parametrize(
    ("category", "low", "high"),
    [("HVAC", 1.5, 4.0), ("Snow & Ice", 0.1, 0.6), ("Fasteners", 0.8, 1.25)],
)
def test_seasonal_categories_peak_in_their_season_and_staples_do_not(
    demand: pd.DataFrame, category: str, low: float, high: float
) -> None:
    assert low <= _summer_over_winter(demand, category) <= high


def test_promotions_lift_quantities_and_lower_prices_for_the_same_item_locations(
    demand: pd.DataFrame,
) -> None:
    keys = ["sku", "location_code", "on_promotion"]
    per = demand.groupby(keys)[["quantity", "unit_price"]].mean().unstack("on_promotion")
    both = per.dropna()
    lift = both["quantity"][True] / both["quantity"][False]

    assert len(both) >= 500
    assert (lift > 1).mean() >= 0.75
    assert lift.median() >= 1.25
    assert (both["unit_price"][True] < both["unit_price"][False]).all()


def test_weather_spikes_multiply_a_category_s_demand_in_the_region_hit(
    network: dict[str, pd.DataFrame], demand: pd.DataFrame
) -> None:
    events = network["events"]
    spikes = events[events["event_type"] == "demand_anomaly"]
    ratios = []
    for spike in spikes.itertuples():
        category = spike.reference.split(" ", 2)[2]
        day = spike.occurred_at.tz_localize(None).normalize()
        rows = demand[
            (demand["category"] == category) & (demand["location_code"] == spike.location_code)
        ]
        daily = rows.groupby("demand_date")["quantity"].sum()
        weeks = range(1, 5) if day - pd.Timedelta(weeks=4) >= daily.index.min() else range(-5, -1)
        usual = [daily.get(day - pd.Timedelta(weeks=w), 0.0) for w in weeks]
        ratios.append(daily.get(day, 0.0) / (sum(usual) / 4))

    assert len(spikes) >= 3
    assert min(ratios) >= 1.5


def test_new_items_start_late_and_phase_out_items_fade(
    network: dict[str, pd.DataFrame], demand: pd.DataFrame, default_options: DemoOptions
) -> None:
    items = network["items"].set_index("sku")["lifecycle"]
    first_sale = demand.groupby("sku")["demand_date"].min()
    history_start = demand["demand_date"].min()
    new = first_sale[first_sale.index.map(items) == "new"]
    halfway = history_start + pd.Timedelta(days=default_options.days // 2)
    fading = demand[demand["sku"].map(items) == "phase_out"]
    second_year = fading["demand_date"] >= halfway

    assert len(new) >= 50
    assert (new > halfway).all()
    assert (
        fading.loc[second_year, "quantity"].sum() < 0.6 * fading.loc[~second_year, "quantity"].sum()
    )


def test_the_dc_sells_less_direct_than_the_average_branch(
    network: dict[str, pd.DataFrame], demand: pd.DataFrame
) -> None:
    kinds = network["locations"].set_index("location_code")["location_type"]
    total = demand.groupby("location_code")["quantity"].sum()

    assert total[kinds[total.index] == "dc"].max() < total[kinds[total.index] == "branch"].mean()


def test_quantities_are_whole_units_in_the_item_s_unit_of_measure(demand: pd.DataFrame) -> None:
    assert (demand["quantity"] == demand["quantity"].round()).all()
    assert set(demand["uom"].astype(object)) == {"EA", "CS", "KG"}
