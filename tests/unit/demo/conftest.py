"""One default-sized demo network, generated once and read by many tests."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from crossdock.demo import DemoOptions, generate_demo_network

END_DATE = datetime.date(2025, 6, 30)
ADI_CUT = 1.32
CV2_CUT = 0.49


@pytest.fixture(scope="session")
def default_options() -> DemoOptions:
    return DemoOptions(end_date=END_DATE)


@pytest.fixture(scope="session")
def network(default_options: DemoOptions) -> dict[str, pd.DataFrame]:
    return generate_demo_network(default_options)


@pytest.fixture(scope="session")
def demand(network: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """demand_history with plain text keys, a weekday and the item's category."""
    frame = network["demand_history"].astype({"sku": object, "location_code": object})
    category = network["items"].set_index("sku")["category"]
    return frame.assign(
        weekday=frame["demand_date"].dt.day_of_week,
        category=frame["sku"].map(category),
    )


@pytest.fixture(scope="session")
def demand_classes(demand: pd.DataFrame) -> pd.DataFrame:
    """Syntetos-Boylan class per item-location, from the frames alone.

    ADI = days from the first demand to end_date / days with demand;
    CV² = squared coefficient of variation of the non-zero quantities.
    Item-locations with fewer than two demand days are left out.
    """
    per = demand.groupby(["sku", "location_code"])["quantity"]
    first = demand.groupby(["sku", "location_code"])["demand_date"].min()
    stats = pd.DataFrame(
        {
            "demand_days": per.size(),
            "span": (pd.Timestamp(END_DATE) - first).dt.days + 1,
            "cv2": per.var(ddof=0) / per.mean() ** 2,
        }
    )
    stats = stats[stats["demand_days"] >= 2]
    stats["adi"] = stats["span"] / stats["demand_days"]
    frequent = stats["adi"] < ADI_CUT
    steady = stats["cv2"] < CV2_CUT
    stats["klass"] = np.select(
        [frequent & steady, frequent, steady], ["smooth", "erratic", "intermittent"], "lumpy"
    )
    return stats


@pytest.fixture(scope="session")
def weeks_of_supply(network: dict[str, pd.DataFrame], demand: pd.DataFrame) -> pd.DataFrame:
    """On hand over the mean weekly demand of the last 8 weeks, per active item-location."""
    recent = demand[demand["demand_date"] > pd.Timestamp(END_DATE) - pd.Timedelta(days=56)]
    weekly = recent.groupby(["sku", "location_code"])["quantity"].sum() / 8
    stock = network["inventory_positions"].set_index(["sku", "location_code"])
    joined = stock.join(weekly.rename("weekly"), how="inner")
    return joined.assign(weeks=joined["on_hand"] / joined["weekly"]).reset_index()
