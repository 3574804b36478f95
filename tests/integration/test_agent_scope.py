"""Agents per site: an agent named in CROSSDOCK_AGENT_SITES proposes only for each
listed warehouse and those it replenishes, as a consumer of its own per site."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.identity import add_person
from tests.helpers import CROSSDOCK, cli_json, run_cli
from tests.integration.governance_fixtures import AT
from tests.integration.test_procurement_agent import LATE, PASSWORD, _network


def _worker(database_url: str, sites: dict[str, list[str]]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": database_url,
           "CROSSDOCK_AGENT_SITES": json.dumps(sites)}  # fmt: skip
    return subprocess.run(
        [str(CROSSDOCK), "worker", "--once", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_agent_run_per_site_proposes_only_inside_its_sites(database_url: str, tmp_path: Path):
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(_network(tmp_path)))
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(LATE) + "\n")
    cli_json(database_url, "events", "ingest", str(events), "--as", "ops")

    refused = _worker(database_url, {"procurment": ["BR1"]})
    assert refused.returncode == 1
    assert "no agent named procurment" in refused.stderr + refused.stdout
    refused = _worker(database_url, {"procurement": ["XX9"]})
    assert "no warehouse 'XX9' in the network" in refused.stderr + refused.stdout

    done = _worker(database_url, {"procurement": ["BR1", "DC1"]})
    assert done.returncode == 0, done.stderr
    by_consumer = json.loads(done.stdout)["dispatch"]["by_consumer"]
    assert by_consumer["agent:procurement@BR1"] == 1  # saw it, proposed nothing
    assert by_consumer["agent:procurement@DC1"] == 1
    assert "agent:procurement" not in by_consumer
    (rec,) = wired.governance.recommendation_rows(limit=10)  # PO-5004 lands at DC1
    assert (rec["kind"], rec["to_code"]) == ("expedite", "DC1")
    wired.engine.dispose()


def test_crossdock_agents_lists_each_agent_with_its_declaration(database_url: str):
    run_cli(database_url, "init")
    listed = cli_json(database_url, "agents")["agents"]
    by_name = {row["agent"]: row for row in listed}
    assert len(by_name) == 7
    assert by_name["agent:finance"]["workflows"] == ["invoice_match"]
    assert "events.invoice_received" in by_name["agent:finance"]["topics"]
    assert by_name["agent:order_exception"]["workflows"] == ["customer_message", "order_exception"]
    assert all(row["handled"] == 0 for row in listed)
    assert "replenishment" in run_cli(database_url, "agents").stdout
