"""Replay: an agent that was not running when an event was delivered (added later, or
run for a site added later) is handed the stored events it never handled, once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.dispatching import dispatch
from crossdock.service_layer.identity import add_person
from tests.helpers import cli_json, run_cli
from tests.integration.governance_fixtures import AT
from tests.integration.test_procurement_agent import LATE, PASSWORD, _network


def test_an_agent_added_later_is_handed_what_it_missed_once(database_url: str, tmp_path: Path):
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(_network(tmp_path)))
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(LATE) + "\n")
    cli_json(database_url, "events", "ingest", str(events), "--as", "ops")
    # delivered while no agent ran: the outbox is done, the procurement agent saw nothing
    assert dispatch(wired.events, [], now=datetime.now(UTC)).delivered == 1
    assert cli_json(database_url, "worker", "--once")["dispatch"]["claimed"] == 0
    assert wired.governance.recommendation_rows(limit=10) == []

    done = cli_json(database_url, "events", "replay", "--agent", "procurement", "--as", "ops")
    assert (done["agent"], done["read"], done["handled"], done["failed"]) == (
        "agent:procurement", 1, 1, 0,
    )  # fmt: skip
    assert done["routed"] == 1
    (rec,) = wired.governance.recommendation_rows(limit=10)
    assert (rec["kind"], rec["source_event_id"], rec["status"]) == (
        "expedite", LATE["event_id"], "pending_approval",
    )  # fmt: skip

    again = cli_json(database_url, "events", "replay", "--agent", "procurement", "--as", "ops")
    assert (again["read"], again["handled"]) == (0, 0)
    later = cli_json(database_url, "events", "replay", "--agent", "finance", "--as", "ops",
                     "--since", "2099-01-01")  # fmt: skip
    assert later["read"] == 0
    refused = run_cli(database_url, "events", "replay", "--agent", "buyer", "--as", "ops",
                      expect=1)  # fmt: skip
    assert "no agent 'buyer' runs here (running: procurement, finance" in refused.stderr
    assert len(wired.governance.recommendation_rows(limit=10)) == 1
    wired.engine.dispose()
