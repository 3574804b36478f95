"""The plan use case against an in-memory store loaded with a small demo network."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from crossdock.demo import DemoOptions
from crossdock.service_layer.demo import load_demo_network
from crossdock.service_layer.plan_frames import build_decision_inputs, build_frames
from crossdock.service_layer.plan_settings import PlanSettings
from crossdock.service_layer.planning import PlanFailed, plan
from crossdock.service_layer.recommending import RECOMMENDATION_KINDS
from tests.unit.service_layer.fakes import FakeStore

END = date(2026, 11, 20)
PARTS = ("holding", "shortage", "transport", "ordering", "purchase", "expedite")


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pd.DataFrame]:
    store = FakeStore()
    load_demo_network(DemoOptions(skus=12, warehouses=3, days=120, end_date=END), store=store)
    return store.tables


def store_with(tables: dict[str, pd.DataFrame]) -> FakeStore:
    store = FakeStore()
    store.tables = {name: frame.copy() for name, frame in tables.items()}
    store.runs = {1: {"kind": "demo", "source": "demo", "status": "succeeded"}}
    return store


def test_stores_one_recommendation_per_action_the_decision_returns(demo_tables):
    store = store_with(demo_tables)
    outcome = plan(store, as_of=END)
    actions = outcome.decision.actions
    taken = actions[actions["kind"] != "none"].reset_index(drop=True)
    stored = store.recommendations[0]
    assert len(store.plan_runs) == 1
    assert len(stored) == len(taken) > 0
    assert stored["kind"].replace("rebalance", "transfer").tolist() == taken["kind"].tolist()
    assert stored["sku"].tolist() == taken["sku"].tolist()
    assert stored["to_code"].tolist() == taken["to_code"].tolist()
    assert stored["quantity"].tolist() == taken["quantity"].tolist()
    assert (
        outcome.summary["by_kind"]
        == stored["kind"].value_counts().reindex(RECOMMENDATION_KINDS, fill_value=0).to_dict()
    )
    assert store.plan_runs[0].as_of == END
    assert store.plan_runs[0].import_run_id == 1


def test_each_recommendation_money_adds_up(demo_tables):
    store = store_with(demo_tables)
    outcome = plan(store, as_of=END)
    stored = store.recommendations[0]
    parts = stored[[f"{part}_cost" for part in PARTS]].sum(axis=1)
    np.testing.assert_allclose(stored["expected_cost"], parts, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        stored["savings"], stored["do_nothing_cost"] - stored["expected_cost"], rtol=0, atol=1e-9
    )
    summary = outcome.summary
    assert summary["expected_savings"] == pytest.approx(
        summary["do_nothing_cost"] - summary["planned_cost"], abs=1e-3
    )
    alternatives = json.loads(stored["alternatives"].iloc[0])
    assert {row["alternative"] for row in alternatives} >= {"none", "plan"}
    for row in alternatives:
        assert row["total"] == pytest.approx(sum(row[part] for part in PARTS), abs=1e-9)


def test_demand_and_orders_dated_after_as_of_change_nothing(demo_tables):
    before = store_with(demo_tables)
    plan(before, as_of=END)
    after = store_with(demo_tables)
    demand = after.tables["demand_history"]
    spike = demand.iloc[[0]].copy()
    spike["demand_date"] = pd.Timestamp(END) + pd.Timedelta(days=3)
    spike["quantity"] = 1_000_000.0
    after.tables["demand_history"] = pd.concat([demand, spike], ignore_index=True)
    orders = after.tables["purchase_orders"]
    late_po = orders.iloc[[0]].copy()
    late_po["po_number"] = "PO-FUTURE"
    late_po["order_date"] = pd.Timestamp(END) + pd.Timedelta(days=1)
    after.tables["purchase_orders"] = pd.concat([orders, late_po], ignore_index=True)
    lines = after.tables["purchase_order_lines"]
    late_line = lines.iloc[[0]].copy()
    late_line["po_number"] = "PO-FUTURE"
    late_line["received_date"] = late_line["promised_date"]
    after.tables["purchase_order_lines"] = pd.concat([lines, late_line], ignore_index=True)

    plan(after, as_of=END)

    pd.testing.assert_frame_equal(after.recommendations[0], before.recommendations[0])
    assert after.plan_runs[0].summary["inputs"] == before.plan_runs[0].summary["inputs"]


def test_a_plan_before_any_stock_count_is_recorded_as_failed_without_recommendations(
    demo_tables,
):
    store = store_with(demo_tables)
    with pytest.raises(PlanFailed) as failed:
        plan(store, as_of=date(2026, 11, 1))
    assert str(failed.value) == (
        "plan run #1 as of 2026-11-01 failed while reading data: "
        "no inventory positions on or before 2026-11-01: nothing to plan"
    )
    assert isinstance(failed.value.__cause__, ValueError)
    [run] = store.plan_runs
    assert (run.status, run.as_of, run.summary["failed_step"], run.import_run_id) == (
        "failed",
        date(2026, 11, 1),
        "reading data",
        None,
    )
    assert run.summary["error"].startswith("ValueError: no inventory positions")
    assert run.settings["policy_version"] == PlanSettings().policy_version
    assert [len(frame) for frame in store.recommendations] == [0]
    assert [len(frame) for frame in store.signals] == [0]


def test_a_plan_without_demand_history_says_so(demo_tables):
    tables = {**demo_tables, "demand_history": demo_tables["demand_history"].iloc[0:0]}
    with pytest.raises(PlanFailed) as failed:
        plan(store_with(tables), as_of=END)
    assert str(failed.value).endswith(
        f"failed while classifying and forecasting demand: no demand history on or before "
        f"{END.isoformat()}: import demand_history (docs/data-format.md) before planning"
    )


def test_a_step_that_fails_later_is_named_on_the_failed_run(demo_tables, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr("crossdock.service_layer.planning.decide", broken)
    store = store_with(demo_tables)
    with pytest.raises(PlanFailed, match="failed while deciding buys, transfers, expedites"):
        plan(store, as_of=END)
    [run] = store.plan_runs
    assert (run.status, run.import_run_id) == ("failed", 1)
    assert run.summary["error"] == "RuntimeError: solver crashed"
    assert set(run.summary["seconds"]) >= {"reading data", "projecting stock"}


def test_a_failure_to_record_the_failed_run_keeps_the_first_error(demo_tables):
    store = store_with(demo_tables)

    def unreachable(*args, **kwargs):
        raise ConnectionError("database is down")

    store.save_plan = unreachable  # type: ignore[method-assign]
    with pytest.raises(ValueError, match="no inventory positions") as failed:
        plan(store, as_of=date(2026, 11, 1))
    assert failed.value.__notes__ == [
        "the failed plan run could not be recorded either: database is down"
    ]


def test_a_dc_is_planned_as_the_echelon_of_the_branches_it_replenishes(demo_tables):
    store = store_with(demo_tables)
    outcome = plan(store, as_of=END)
    costs = outcome.decision.item_locations
    locations = demo_tables["locations"].set_index("location_code")
    is_dc = costs["location_code"].map(locations["location_type"]).eq("dc").to_numpy()
    assert costs.loc[is_dc, "echelon"].all()
    assert not costs.loc[~is_dc, "echelon"].any()
    # the DC's expected position covers its branches' too
    for sku, group in costs.groupby("sku"):
        dc = group[group["echelon"]]
        if len(dc):
            branches = group[~group["echelon"]]
            assert float(dc["do_nothing_position"].iloc[0]) > float(
                branches["do_nothing_position"].min()
            ), sku


def test_branches_are_offered_only_the_buys_they_made_before(demo_tables):
    store = store_with(demo_tables)
    data = store.planning_data(as_of=END)
    frames = build_frames(data, as_of=END, settings=PlanSettings())
    frames.add_lead_times(as_of=END)
    frames.rows["demand_mean"] = 1.0
    frames.rows["demand_std"] = 1.0
    frames.rows["demand_family"] = "normal"
    frames.rows["keep_quantity"] = 0.0
    frames.rows["obsolete"] = False
    options = build_decision_inputs(frames, settings=PlanSettings())["supply_options"]
    locations = demo_tables["locations"].set_index("location_code")
    at_branch = options[options["location_code"].map(locations["location_type"]) == "branch"]
    lines = data.purchase_order_lines
    bought = set(zip(lines["sku"], lines["location_code"], strict=True))
    offered = set(zip(at_branch["sku"], at_branch["location_code"], strict=True))
    assert offered <= bought
    dcs = options[options["location_code"].map(locations["location_type"]) == "dc"]
    assert len(dcs) > 0


def test_each_item_location_plans_over_its_lead_time_and_review_period(demo_tables):
    store = store_with(demo_tables)
    settings = PlanSettings()
    frames = build_frames(store.planning_data(as_of=END), as_of=END, settings=settings)
    frames.add_lead_times(as_of=END)
    rows = frames.rows
    protection = np.ceil(rows["lead_time_mean"] + settings.review_period_days)
    expected = protection.clip(settings.horizon_days, settings.max_horizon_days)
    assert rows["horizon_days"].tolist() == expected.astype(int).tolist()
    branches = rows[rows["parent_code"].notna()]
    assert (branches["horizon_days"] < 28).all()


def test_summary_counts_the_inputs_read_although_later_steps_let_them_go(demo_tables):
    store = store_with(demo_tables)
    demand = demo_tables["demand_history"]
    read = demand[pd.to_datetime(demand["demand_date"]) <= pd.Timestamp(END)]
    series = read.groupby(["sku", "location_code"]).ngroups

    outcome = plan(store, as_of=END)

    inputs = outcome.summary["inputs"]
    assert inputs["demand_rows"] == len(read) > 0
    assert inputs["item_locations"] == len(outcome.decision.item_locations) == 36
    assert sum(outcome.summary["demand_classes"].values()) == series > 0


def test_planned_promotions_ahead_are_read_and_cancelled_ones_left_out(demo_tables):
    store = store_with(demo_tables)
    promotions = demo_tables["promotions"]
    ahead = promotions[
        (pd.to_datetime(promotions["end_date"]) > pd.Timestamp(END))
        & (promotions["status"].astype(str) != "cancelled")
    ]
    outcome = plan(store, as_of=END)
    assert outcome.summary["inputs"]["promotions_ahead"] == len(ahead) > 0


def test_without_drivers_no_forecast_model_uses_them(demo_tables):
    with_drivers = plan(store_with(demo_tables), as_of=END).summary["forecast_models"]
    without = plan(
        store_with(demo_tables), as_of=END, settings=PlanSettings(forecast_drivers=False)
    ).summary["forecast_models"]
    assert not any(model.endswith("+drivers") for model in without)
    assert sum(without.values()) == sum(with_drivers.values())


def test_demand_signals_are_stored_with_the_run_and_shown_on_recommendations(demo_tables):
    recommended = plan(store_with(demo_tables), as_of=END).recommendations
    demand = demo_tables["demand_history"]
    days_sold = demand.groupby(["sku", "location_code"])["quantity"].count()
    keys = set(zip(recommended["sku"], recommended["to_code"], strict=True))
    target = days_sold[[key in keys for key in days_sold.index]].idxmax()
    # a 40-fold day, inside the tested window, at an item-location the plan acts on
    rows = demand[(demand["sku"] == target[0]) & (demand["location_code"] == target[1])]
    spike = rows.iloc[[-3]].copy()
    spike["quantity"] = spike["quantity"] * 40 + 400
    store = store_with(demo_tables)
    store.tables["demand_history"] = pd.concat(
        [demand.drop(index=spike.index), spike], ignore_index=True
    )

    outcome = plan(store, as_of=END)

    signals = store.signals[0]
    spikes = signals[signals["reason_code"] == "demand_spike"]
    assert target in set(zip(spikes["sku"], spikes["location_code"], strict=True))
    assert outcome.summary["demand_signals"]["demand_spike"] == len(spikes)
    evidence = json.loads(spikes["evidence"].iloc[0])
    assert evidence["actual"] > evidence["expected"]
    recs = store.recommendations[0]
    at = recs[(recs["sku"] == target[0]) & (recs["to_code"] == target[1])]
    assert len(at) > 0
    for drivers in at["drivers"]:
        assert json.loads(drivers)["demand_signals"][0]["reason_code"] == "demand_spike"


def test_excess_thresholds_from_the_settings_reach_the_projection(demo_tables):
    def excess(settings: PlanSettings) -> float:
        recommended = plan(store_with(demo_tables), as_of=END, settings=settings)
        return sum(
            json.loads(drivers)["risk"]["excess_units"]
            for drivers in recommended.recommendations["drivers"]
        )

    strict = PlanSettings(excess_margin=0.0, excess_days_of_supply=0.0)
    assert excess(strict) > excess(PlanSettings())


def test_forecasting_in_two_processes_recommends_the_same(demo_tables):
    one = plan(store_with(demo_tables), as_of=END).recommendations
    two = plan(store_with(demo_tables), as_of=END, settings=PlanSettings(forecast_jobs=2))
    columns = ["kind", "sku", "from_code", "to_code", "quantity", "expected_cost"]
    pd.testing.assert_frame_equal(
        one[columns].reset_index(drop=True), two.recommendations[columns].reset_index(drop=True)
    )
