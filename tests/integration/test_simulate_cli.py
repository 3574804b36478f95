"""`crossdock simulate` end to end: on the demo network in SQLite and PostgreSQL, and on
an import folder with another demand history."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.importing import import_sources
from crossdock.service_layer.simulation_network import read_network
from tests.helpers import EXAMPLES, cli_json, run_cli

AS_OF = datetime(2026, 11, 21, 12, tzinfo=UTC)

POLICIES = "min_max,min_max_abc,normal,crossdock,oracle"


def test_simulate_replays_the_demo_network_and_writes_its_report(database_url: str, tmp_path: Path):
    run_cli(database_url, "init")
    cli_json(database_url, "demo", "--skus", "12", "--days", "182", "--end-date", "2026-11-20")
    out = tmp_path / "report"
    results = cli_json(
        database_url,
        "simulate",
        "--policies", POLICIES,
        "--warmup", "6",
        "--refit-every", "8",
        "--target-fill-rate", "0.95",
        "--out", str(out),
    )  # fmt: skip
    assert results["network"]["item_locations"] >= 12 * 4
    assert results["settings"]["periods"] == 26
    by_kind = {p["kind"]: p for p in results["policies"]}
    assert list(by_kind) == POLICIES.split(",")
    for kind in ("min_max", "min_max_abc"):
        assert by_kind[kind]["network"]["fill_rate"] >= 0.95
    oracle = by_kind["oracle"]["network"]
    assert oracle["fill_rate"] >= max(p["network"]["fill_rate"] for p in results["policies"]) - 0.02
    assert oracle["average_on_hand_value"] == min(
        p["network"]["average_on_hand_value"] for p in results["policies"]
    )
    assert by_kind["crossdock"]["sized_for"] > 0.5
    page = (out / "report.html").read_text()
    assert "http://" not in page
    assert "https://" not in page
    assert all(p["name"] in page for p in results["policies"])
    assert json.loads((out / "results.json").read_text())["policies"][0]["name"] == "min/max tuned"


def test_simulate_a_folder_with_another_demand_history(database_url: str, tmp_path: Path):
    demand = pd.read_csv(EXAMPLES / "basic" / "demand_history.csv")
    doubled = demand.assign(quantity=demand["quantity"] * 2)
    doubled.to_csv(tmp_path / "doubled.csv", index=False)
    runs = {}
    for name, extra in (("own", ()), ("doubled", ("--demand", str(tmp_path / "doubled.csv")))):
        runs[name] = cli_json(
            database_url,
            "simulate",
            "--network", str(EXAMPLES / "basic"),
            *extra,
            "--bucket", "D",
            "--policies", "min_max,oracle",
            "--warmup", "2",
        )  # fmt: skip
    own, doubled_run = runs["own"], runs["doubled"]
    assert own["import"]["rows_quarantined"] == 0
    assert doubled_run["import"]["demand"].endswith("doubled.csv")
    own_demand = own["policies"][1]["network"]["demand_units"]
    assert doubled_run["policies"][1]["network"]["demand_units"] == 2 * own_demand


def test_simulate_refuses_demand_without_a_folder(database_url: str, tmp_path: Path):
    file = tmp_path / "d.csv"
    file.write_text("sku,location_code,demand_date,quantity\n")
    failed = run_cli(database_url, "simulate", "--demand", str(file), expect=1)
    assert "--demand needs --network" in failed.stderr


def test_simulate_prints_the_policies_side_by_side(database_url: str):
    shown = run_cli(
        database_url,
        "simulate",
        "--network", str(EXAMPLES / "basic"),
        "--bucket", "D",
        "--policies", "min_max,oracle",
        "--warmup", "2",
    ).stdout  # fmt: skip
    for label in ("fill rate", "days of supply", "total cost", "min/max tuned", "foresight"):
        assert label in shown


def test_the_network_read_from_the_store_keeps_lanes_parents_and_supply_terms(tmp_path: Path):
    crossdock = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'basic.db'}"))
    crossdock.migrate()
    sources, _ = crossdock.read_sources(EXAMPLES / "basic")
    import_sources(sources, store=crossdock.store, kind="import", description="basic", as_of=AS_OF)
    network = read_network(crossdock.store, bucket="D", today=AS_OF.date())
    rows = network.rows.set_index("series")
    data = network.inputs.checked()
    lanes = pd.read_csv(EXAMPLES / "basic" / "lanes.csv")
    parents = pd.read_csv(EXAMPLES / "basic" / "locations.csv").dropna(
        subset=["parent_location_code"]
    )
    replenishing = lanes.merge(
        parents,
        left_on=["from_location_code", "to_location_code"],
        right_on=["parent_location_code", "location_code"],
    )
    assert len(replenishing) > 0
    for lane in replenishing.itertuples():
        fed = rows.index[rows["location_code"] == lane.to_location_code]
        for series in fed:
            i = rows.index.get_loc(series)
            parent = data.parent[i]
            assert rows["location_code"].iloc[parent] == lane.from_location_code
            assert data.lane_capacity[data.lane[i]] == lane.capacity_units_per_day  # a day
            assert data.costs["transport_cost"][i] == lane.cost_per_unit
            assert data.lead_times.mean()[i] == lane.transit_days  # in days
    terms = pd.read_csv(EXAMPLES / "basic" / "supply_terms.csv")
    primary = terms.sort_values("is_primary", ascending=False).drop_duplicates("sku")
    for term in primary.itertuples():
        buying = rows.index[(rows["sku"] == term.sku) & (data.parent < 0)]
        for series in buying:
            i = rows.index.get_loc(series)
            assert data.moq[i] == (0.0 if pd.isna(term.moq) else term.moq)
    history = pd.read_csv(EXAMPLES / "basic" / "demand_history.csv")
    assert data.demand.sum() == history["quantity"].sum()
