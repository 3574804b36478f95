from pathlib import Path

import pytest

from crossdock.service_layer.plan_settings import PlanSettings, load_plan_settings, plan_settings

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "plan-settings.toml"


def test_the_example_file_holds_exactly_the_defaults() -> None:
    assert load_plan_settings(EXAMPLE) == PlanSettings()


def test_a_file_overrides_the_defaults_and_options_override_the_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text("review_period_days = 14\nholding_rate = 0.2\n[tier_penalty]\ngold = 3.0\n")
    settings = load_plan_settings(path, overrides={"review_period_days": 3, "horizon_days": None})
    assert settings.review_period_days == 3
    assert settings.holding_rate == 0.2
    assert settings.tier_penalty == {"gold": 3.0}
    assert settings.horizon_days == PlanSettings().horizon_days


def test_an_unknown_setting_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown setting 'holding_rte'"):
        plan_settings({"holding_rte": 0.2}, source="plan.toml")


def test_a_value_of_the_wrong_type_names_the_key_and_value() -> None:
    with pytest.raises(ValueError, match=r"plan.toml: review_period_days='weekly': "):
        plan_settings({"review_period_days": "weekly"}, source="plan.toml")


def test_a_file_that_is_not_toml_says_so(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text("review_period_days = = 3\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_plan_settings(path)


def test_fill_rate_targets_replace_only_the_segments_given() -> None:
    settings = plan_settings({"fill_rate_targets": {"high": {"gold": 0.995}}})
    table = settings.fill_rate_table()
    assert table.lookup(["high", "low"], ["gold", "bronze"]).tolist() == [0.995, 0.90]


def test_a_fill_rate_target_outside_0_and_1_is_refused_with_its_segment() -> None:
    with pytest.raises(ValueError, match=r"fill_rate_targets\[high, gold\]"):
        plan_settings({"fill_rate_targets": {"high": {"gold": 1.5}}})


def test_a_negative_excess_or_obsolete_threshold_is_refused_by_name() -> None:
    with pytest.raises(
        ValueError, match=r"plan\.toml: obsolete_after_days must be 0 or more, got -1"
    ):
        plan_settings({"obsolete_after_days": -1}, source="plan.toml")


def test_the_projection_thresholds_become_its_rules() -> None:
    rules = plan_settings({"excess_margin": 0.5, "obsolete_after_days": 90}).projection_rules
    assert (rules.excess_margin, rules.excess_days_of_supply, rules.obsolete_after_days) == (
        0.5,
        PlanSettings().excess_days_of_supply,
        90,
    )
