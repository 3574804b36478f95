"""What an operator sees of the agents: Prometheus metrics per agent (from the worker's
own endpoint and the API's), JSON log lines carrying the event id as correlation id,
and `crossdock events status` with each agent's lag and dead letters."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client import generate_latest

from crossdock.adapters.metrics.prometheus import registry_for
from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.entrypoints.api.app import create_app
from crossdock.service_layer.dispatching import Consumer, dispatch
from crossdock.service_layer.intake import ingest_events
from tests.helpers import CROSSDOCK, cli_json, run_cli
from tests.integration.test_procurement_agent import LATE, _network


def _setup(database_url: str, tmp_path: Path) -> Crossdock:
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(_network(tmp_path)))
    wired = bootstrap(Settings(database_url=database_url))
    report = ingest_events(wired.events, [("test", LATE)], channel="test", now=datetime.now(UTC))
    assert report.accepted == 1
    return wired


def _sample(text: str, name: str, labels: str = "") -> float:
    for line in text.splitlines():
        if line.startswith(f"{name}{labels} "):
            return float(line.split()[-1])
    raise AssertionError(f"{name}{labels} not in the metrics:\n{text}")


def test_metrics_count_per_agent_and_read_the_outbox(crossdock: Crossdock):
    store = crossdock.events
    items = [
        (str(i), {"event_id": f"ADJ-{i}", "event_type": "inventory_adjusted",
                  "occurred_at": "2026-11-24T07:48:20Z", "source": "wms", "sku": "X",
                  "location_code": f"L{i}", "quantity": 1, "reason_code": "CC"})
        for i in range(3)
    ]  # fmt: skip
    ingest_events(store, items, channel="test", now=datetime.now(UTC))
    registry, metrics = registry_for(store)
    before = generate_latest(registry).decode()
    assert _sample(before, "crossdock_outbox_waiting") == 3

    def handle(event: Mapping[str, Any]) -> None:
        if event["event_id"] == "ADJ-2":
            raise ValueError("no stock record for X@L2")

    consumers = [Consumer("test:counter", ("events.*",), handle)]
    dispatch(store, consumers, now=datetime.now(UTC), max_attempts=1, observer=metrics)
    after = generate_latest(registry).decode()
    agent = '{agent="test:counter"}'
    assert _sample(after, "crossdock_agent_events_handled_total", agent) == 2
    assert _sample(after, "crossdock_agent_failures_total", agent) == 1
    assert _sample(after, "crossdock_agent_dead_letters_total", agent) == 1
    assert _sample(after, "crossdock_agent_handle_seconds_count", agent) == 2
    assert _sample(after, "crossdock_outbox_waiting") == 0
    assert _sample(after, "crossdock_dead_letters", '{stage="delivery"}') == 1


def test_the_api_serves_the_outbox_gauges(crossdock: Crossdock, monkeypatch):
    monkeypatch.setattr(crossdock.settings, "mode", "demo")
    client = TestClient(create_app(crossdock))
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert _sample(answer.text, "crossdock_events_stored") == 0


def test_worker_logs_json_with_correlation_ids_and_status_shows_each_agent(
    database_url: str, tmp_path: Path
):
    wired = _setup(database_url, tmp_path)
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": database_url,
           "CROSSDOCK_LOG_FORMAT": "json", "CROSSDOCK_LOG_LEVEL": "DEBUG"}  # fmt: skip
    done = subprocess.run(
        [str(CROSSDOCK), "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    handled = [
        line
        for line in lines
        if line.get("outcome") == "handled" and line["consumer"] == "agent:procurement"
    ]
    assert len(handled) == 1
    assert handled[0]["correlation_id"] == LATE["event_id"]
    assert handled[0]["logger"] == "crossdock.delivery"
    assert handled[0]["ms"] >= 0
    status = cli_json(database_url, "events", "status")
    (procurement,) = [a for a in status["agents"] if a["agent"] == "agent:procurement"]
    assert procurement["handled"] == 1
    assert procurement["dead_letters"] == 0
    assert procurement["lag_p95_s"] >= 0
    wired.engine.dispose()


def test_worker_serves_prometheus_metrics(database_url: str, tmp_path: Path):
    wired = _setup(database_url, tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": database_url}
    worker = subprocess.Popen(
        [
            str(CROSSDOCK),
            "worker",
            "--no-jobs",
            "--poll-seconds",
            "0.2",
            "--metrics-port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, text = time.monotonic() + 60, ""
        # the agent's counter moves while it handles the event; the outbox gauge when the
        # worker marks the claim delivered a moment later: wait for both
        while "agent:procurement" not in text or _sample(text, "crossdock_outbox_waiting"):
            assert time.monotonic() < deadline, f"no delivery in the metrics in 60 s:\n{text}"
            time.sleep(0.2)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as answer:
                    text = answer.read().decode()
            except OSError:
                continue
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    agent = '{agent="agent:procurement"}'
    assert _sample(text, "crossdock_agent_events_handled_total", agent) == 1
    assert _sample(text, "crossdock_outbox_waiting") == 0
    wired.engine.dispose()
