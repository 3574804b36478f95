"""Fill-rate targets by item criticality and customer tier."""

import pytest

from crossdock.planning.policy import DEFAULT_FILL_RATE_TARGETS, FillRateTargets, PolicyInputError


def test_defaults_cover_all_nine_segments_and_fall_with_criticality_and_tier() -> None:
    targets = FillRateTargets()
    assert len(DEFAULT_FILL_RATE_TARGETS) == 9
    looked_up = targets.lookup(
        ["high", "medium", "low", "low"], ["gold", "silver", "bronze", "gold"]
    )
    assert looked_up.tolist() == [0.99, 0.97, 0.90, 0.95]


def test_missing_codes_fall_back_to_medium_and_silver() -> None:
    assert FillRateTargets().lookup([None, "", "high"], ["gold", None, float("nan")]).tolist() == [
        0.98,
        0.97,
        0.98,
    ]


def test_overrides_replace_only_the_named_segments() -> None:
    targets = FillRateTargets().with_overrides({("low", "bronze"): 0.85})
    assert targets.lookup(["low", "low"], ["bronze", "silver"]).tolist() == [0.85, 0.93]
    assert FillRateTargets().lookup(["low"], ["bronze"]).tolist() == [0.90]


def test_refuses_a_target_of_one() -> None:
    with pytest.raises(PolicyInputError, match=r"fill_rate_targets\[high, gold\]"):
        FillRateTargets().with_overrides({("high", "gold"): 1.0})


def test_refuses_an_unknown_tier_naming_the_row() -> None:
    with pytest.raises(PolicyInputError, match=r"service_tier\[1\]='platinum': must be one of"):
        FillRateTargets().lookup(["high", "high"], ["gold", "platinum"])
