"""Demand classification on hand-built series, one per class."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from crossdock.planning.classification import classify_demand

AS_OF = datetime.date(2024, 12, 31)
DAYS = pd.date_range("2024-01-01", "2024-12-31")


def _series(name: str, quantities: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({"unique_id": name, "ds": DAYS, "y": quantities.astype(float)})
    return frame[frame["y"] > 0]  # sparse, as demand_history is stored


def _classes(history: pd.DataFrame) -> dict[str, str]:
    result = classify_demand(history, as_of=AS_OF)
    return dict(zip(result["unique_id"], result["demand_class"], strict=True))


def test_classifies_each_hand_built_series_into_its_class() -> None:
    n = len(DAYS)
    every_day = np.arange(n)
    history = pd.concat(
        [
            _series("smooth", np.full(n, 10)),
            _series("erratic", np.where(every_day % 2 == 0, 1, 30)),
            _series("intermittent", np.where(every_day % 3 == 0, 5, 0)),
            _series("lumpy", np.where(every_day % 3 == 0, np.where(every_day % 2 == 0, 1, 40), 0)),
            _series("new", np.where(every_day >= n - 20, 4, 0)),
            _series("dying", np.where(every_day < n - 120, 6, 0)),
            _series(
                "dropped", np.where(every_day < n - 56, 50, np.where(every_day % 2 == 0, 1, 0))
            ),
            _series("too_few_sales", np.where(np.isin(every_day, [10, 200]), 3, 0)),
            pd.DataFrame({"unique_id": ["none"], "ds": [DAYS[5]], "y": [0.0]}),
        ]
    )

    assert _classes(history) == {
        "dropped": "dying",
        "dying": "dying",
        "erratic": "erratic",
        "intermittent": "intermittent",
        "lumpy": "lumpy",
        "new": "new",
        "none": "no_demand",
        "smooth": "smooth",
        "too_few_sales": "new",
    }


def test_series_with_one_sale_is_densified_from_that_sale_to_as_of() -> None:
    history = pd.DataFrame({"unique_id": ["A"], "ds": [pd.Timestamp("2024-12-22")], "y": [7.0]})

    row = classify_demand(history, as_of=AS_OF).iloc[0]

    assert row["periods"] == 10
    assert row["demand_periods"] == 1
    assert row["adi"] == 10.0
    assert row["cv2"] == 0.0
    assert row["first_demand"] == pd.Timestamp("2024-12-22")
    assert row["demand_class"] == "new"


def test_adi_and_cv2_follow_syntetos_boylan_definitions() -> None:
    history = pd.DataFrame(
        {
            "unique_id": ["A", "A", "A", "A"],
            "ds": pd.to_datetime(["2024-12-01", "2024-12-11", "2024-12-21", "2024-12-31"]),
            "y": [2.0, 4.0, 2.0, 4.0],
        }
    )

    row = classify_demand(history, as_of=AS_OF).iloc[0]

    assert row["periods"] == 31
    assert row["adi"] == 31 / 4
    assert row["cv2"] == 1 / 9  # sizes 2, 4: variance 1, mean 3


def test_ignores_demand_after_as_of_and_sums_duplicate_days() -> None:
    history = pd.DataFrame(
        {
            "unique_id": ["A", "A", "A"],
            "ds": pd.to_datetime(["2024-12-30", "2024-12-30", "2025-01-05"]),
            "y": [1.0, 2.0, 100.0],
        }
    )

    row = classify_demand(history, as_of=AS_OF).iloc[0]

    assert row["total_demand"] == 3.0
    assert row["demand_periods"] == 1
    assert row["last_demand"] == pd.Timestamp("2024-12-30")


def test_monthly_history_counts_calendar_months() -> None:
    months = pd.date_range("2020-01-01", "2022-12-01", freq="MS")
    history = pd.DataFrame({"unique_id": "A", "ds": months, "y": 5.0})

    row = classify_demand(history, as_of=datetime.date(2022, 12, 1), freq="MS").iloc[0]

    assert row["periods"] == 36
    assert row["adi"] == 1.0
    assert row["demand_class"] == "smooth"
