"""Options are checked before any work is done, with messages naming the option."""

from __future__ import annotations

import datetime
import re

import pytest

from crossdock.demo import DemoOptions

END = datetime.date(2025, 6, 30)


def test_defaults_describe_one_dc_four_branches_two_thousand_skus_two_years() -> None:
    options = DemoOptions(end_date=END)

    assert (options.skus, options.warehouses, options.days, options.seed) == (2000, 5, 730, 42)
    assert options.shipped_history_weeks == 8
    assert options.item_locations == 10_000


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("skus", 0, "skus must be at least 1, got 0"),
        ("warehouses", 1, "warehouses must be at least 2, got 1"),
        ("days", 27, "days must be at least 28, got 27"),
        ("seed", -1, "seed must be at least 0, got -1"),
        ("shipped_history_weeks", -1, "shipped_history_weeks must be at least 0, got -1"),
        ("skus", 2.5, "skus must be an integer, got 2.5"),
        ("days", True, "days must be an integer, got True"),
    ],
)
def test_rejects_an_option_out_of_range_naming_it_and_its_value(
    option: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        DemoOptions(end_date=END, **{option: value})  # type: ignore[arg-type]


def test_rejects_a_timestamp_as_end_date() -> None:
    moment = datetime.datetime(2025, 6, 30, 12, tzinfo=datetime.UTC)

    with pytest.raises(ValueError, match=re.escape("end_date must be a calendar date")):
        DemoOptions(end_date=moment)


def test_end_date_has_no_default() -> None:
    with pytest.raises(TypeError, match="end_date"):
        DemoOptions()  # type: ignore[call-arg]
