"""`crossdock serve` on SQLite and PostgreSQL: a connector posts a late supplier
acknowledgment to the API of a running server, and the worker embedded in the same
process hands it to the procurement agent, whose proposal is routed; SIGTERM stops the
server and its worker cleanly. With `--no-worker` the event waits in the outbox."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.demo_governance import DEMO_PASSWORD, seed_demo_governance
from crossdock.service_layer.identity import add_agent, issue_api_token
from tests.helpers import CROSSDOCK, cli_json, run_cli
from tests.integration.test_procurement_agent import LATE, _network

SECRET = "a signing secret for the serve test, long enough"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _call(url: str, *, body: Any = None, token: str | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})},
        method="GET" if body is None else "POST",
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _started(server: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, f"serve exited: {server.communicate()}"
        assert time.monotonic() < deadline, "the API did not answer in 60 s"
        try:
            _call(f"{base}/api/v1/openapi.json")
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)


def _connector_token(database_url: str, tmp_path: Path) -> str:
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(_network(tmp_path)))
    wired = bootstrap(Settings(database_url=database_url))
    now = datetime.now(UTC)
    add_agent(wired.governance, username="connector:edi", actions=["import_data"], data=[], now=now)
    token = issue_api_token(wired.governance, username="connector:edi", name="edi", now=now)
    wired.engine.dispose()
    return token


def _serve(
    database_url: str, port: int, *more: str, mode: str = "production"
) -> subprocess.Popen[str]:
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": database_url, "CROSSDOCK_SECRET_KEY": SECRET,
           "CROSSDOCK_MODE": mode}  # fmt: skip
    return subprocess.Popen(
        [str(CROSSDOCK), "serve", "--port", str(port), "--no-jobs", "--poll-seconds", "0.2",
         *more],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def test_an_event_posted_to_the_server_reaches_the_agents(database_url: str, tmp_path: Path):
    token = _connector_token(database_url, tmp_path)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(database_url, port)
    try:
        _started(server, base)
        posted = _call(f"{base}/api/v1/events", body=[LATE], token=token)
        assert posted["accepted"] == 1
        deadline, expedites = time.monotonic() + 60, []
        while not expedites:
            assert time.monotonic() < deadline, "no routed proposal in 60 s"
            time.sleep(0.3)
            wired = bootstrap(Settings(database_url=database_url))
            expedites = [
                r for r in wired.governance.recommendation_rows(limit=10)
                if r["agent"] == "agent:procurement" and r["routing"]
            ]  # fmt: skip
            wired.engine.dispose()
        assert expedites[0]["source_event_id"] == LATE["event_id"]
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert f"Crossdock serving {base}/api/v1" in out
    assert f"Workbench: {base}/" in out
    assert "Demo logins" not in out  # not in demo mode
    assert "embedded worker: in-process" in out
    assert "worker stopped: 1 events delivered, 0 restarts" in out
    status = cli_json(database_url, "events", "status")
    assert status["waiting"] == 0


def test_without_a_worker_the_event_waits(database_url: str, tmp_path: Path):
    token = _connector_token(database_url, tmp_path)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(database_url, port, "--no-worker")
    try:
        _started(server, base)
        assert _call(f"{base}/api/v1/events", body=[LATE], token=token)["accepted"] == 1
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "embedded worker: off (--no-worker)" in out
    assert cli_json(database_url, "events", "status")["waiting"] == 1
    done = cli_json(database_url, "worker", "--once")  # a standalone worker takes it
    assert done["dispatch"]["by_consumer"]["agent:procurement"] == 1


def test_in_demo_mode_it_prints_the_workbench_and_the_demo_logins(
    database_url: str, tmp_path: Path
):
    run_cli(database_url, "init")
    wired = bootstrap(Settings(database_url=database_url))
    seed_demo_governance(wired.governance, now=datetime.now(UTC), demo_mode=True)
    wired.engine.dispose()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(database_url, port, "--no-worker", mode="demo")
    try:
        _started(server, base)
        with urllib.request.urlopen(f"{base}/login", timeout=10) as page:
            assert "Sign in" in page.read().decode()
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert f"Workbench: {base}/" in out
    assert f"Demo logins (password {DEMO_PASSWORD}): admin (admin), planner (planner)" in (
        " ".join(out.split())
    )
