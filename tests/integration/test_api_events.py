"""`POST /api/v1/events` on real databases: a connector's agent account that declares
import_data feeds a batch; bad items are dead-lettered, repeats counted, and a caller
without import_data is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.entrypoints.api import create_app
from crossdock.service_layer.identity import add_agent, issue_api_token
from tests.conftest import REPO_ROOT

SAMPLE = REPO_ROOT / "examples" / "events" / "sample.jsonl"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@pytest.fixture
def client(database_url: str) -> Iterator[tuple[TestClient, Crossdock]]:
    wired = bootstrap(Settings(database_url=database_url, mode="demo"))
    wired.migrate()
    with TestClient(create_app(wired)) as test_client:
        yield test_client, wired
    wired.engine.dispose()


def _token(wired: Crossdock, name: str, actions: list[str]) -> dict[str, str]:
    add_agent(wired.governance, username=name, actions=actions, data=[], now=NOW)
    token = issue_api_token(wired.governance, username=name, name="test", now=NOW)
    return {"Authorization": f"Bearer {token}"}


def test_a_connector_posts_a_batch_of_events(client):
    api, wired = client
    events = [json.loads(line) for line in SAMPLE.read_text().splitlines() if line.strip()][:12]
    headers = _token(wired, "connector:wms", ["import_data"])
    first = api.post("/api/v1/events", json=events, headers=headers).json()
    assert first["read"] == 12
    assert first["accepted"] + first["duplicates"] + first["dead_lettered"] == 12
    assert first["accepted"] == wired.events.event_counts()["events"]
    again = api.post("/api/v1/events", json=events, headers=headers).json()
    assert again["accepted"] == 0
    assert again["duplicates"] == first["accepted"] + first["duplicates"]
    broken = api.post(
        "/api/v1/events", json=[{"event_id": "X-1", "event_type": "teleport"}], headers=headers
    ).json()
    assert broken["dead_lettered"] == 1
    assert broken["problems"][0]["where"] == "request item 0"


def test_a_caller_without_import_data_is_refused(client):
    api, wired = client
    headers = _token(wired, "agent:reader", ["view_recommendations"])
    refused = api.post("/api/v1/events", json=[], headers=headers)
    assert refused.status_code == 403
    assert wired.events.event_counts()["events"] == 0
