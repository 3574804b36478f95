"""`crossdock simulate` end to end: on the demo network in SQLite and PostgreSQL, and on
an import folder with another demand history."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.helpers import EXAMPLES, cli_json, run_cli

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
