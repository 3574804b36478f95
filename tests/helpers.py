"""Helpers shared by test modules: the installed CLI, `crossdock serve` started and
waited for, the example converters, and promotions spread over the days they cover.

Loaded by benchmarks/bench_queue.py too, outside pytest: nothing here imports pytest."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from tests import forked_cli

REPO_ROOT = Path(__file__).resolve().parents[1]  # as tests.conftest's, which needs pytest
EXAMPLES = REPO_ROOT / "examples"
CROSSDOCK = Path(sys.executable).with_name("crossdock")


def run_crossdock(
    *args: str, env: Mapping[str, str], timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """`crossdock *args` with `env`, output captured as text: a process of its own, forked
    from a warm launcher (tests/forked_cli.py) when it can be, which saves the 1-2 s a
    fresh interpreter spends importing the engines."""
    assert CROSSDOCK.exists(), f"the crossdock command is not installed at {CROSSDOCK}"
    done = forked_cli.run(CROSSDOCK, args, env=env, timeout=timeout)
    if done is None:
        done = subprocess.run(
            [str(CROSSDOCK), *args], capture_output=True, text=True, env=env, timeout=timeout,
            check=False,
        )  # fmt: skip
    return done


def run_cli(
    database_url: str, *args: str, expect: int = 0, columns: int = 200
) -> subprocess.CompletedProcess[str]:
    """Run the installed `crossdock` on `database_url` in a terminal `columns` wide."""
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": database_url, "COLUMNS": str(columns)}
    done = run_crossdock(*args, env=env)
    assert done.returncode == expect, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def cli_json(database_url: str, *args: str, expect: int = 0) -> dict[str, Any]:
    """Run `crossdock ... --json` and parse what it printed."""
    parsed: dict[str, Any] = json.loads(
        run_cli(database_url, *args, "--json", expect=expect).stdout
    )
    return parsed


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def http_status(url: str, *, timeout: float = 5) -> int | None:
    """The HTTP status `GET url` answers with, or None while nothing answers there."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@contextmanager
def serving(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    log: Path,
    port: int | None = None,
    timeout: float = 60,
    ready: str = "/login",
) -> Iterator[str]:
    """`crossdock <args> --host 127.0.0.1 --port <port>` (a free port unless given), its
    output in `log`; yields its base URL once `GET <ready>` answers at all (any status:
    the caller checks what it expects). On leaving, the server's whole process group gets
    SIGINT (Ctrl-C: the web server and worker shut down cleanly), then SIGKILL if it has
    not stopped within 40 s, so no child it started outlives the test.

    Raises RuntimeError if the server exits before it answers, TimeoutError if it does
    not answer within `timeout` seconds."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(CROSSDOCK), *args, "--host", "127.0.0.1", "--port", str(port)],
            env=dict(env), stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + timeout
        while http_status(base + ready, timeout=2) is None:
            if server.poll() is not None:
                raise RuntimeError(f"crossdock {' '.join(args)} stopped: {log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"crossdock {' '.join(args)} did not answer in {timeout} s")
            time.sleep(0.2)
        yield base
    finally:
        _stop_group(server)


def _stop_group(server: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=40)
    with suppress(ProcessLookupError):  # what is left: the server if it hung, its children
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def load_converter(dataset: str) -> ModuleType:
    """Import examples/<dataset>/convert.py (not a package) under a unique module name."""
    path = EXAMPLES / dataset / "convert.py"
    spec = importlib.util.spec_from_file_location(f"crossdock_example_{dataset}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_benchmark(script: str) -> ModuleType:
    """Import benchmarks/<script>.py as `python benchmarks/<script>.py` would: with its
    folder on the path (for its sibling imports) and registered under its own name
    (dataclasses look their module up while it runs)."""
    folder = REPO_ROOT / "benchmarks"
    if str(folder) not in sys.path:
        sys.path.append(str(folder))
    spec = importlib.util.spec_from_file_location(script, folder / f"{script}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def promotion_days(promotions: pd.DataFrame) -> pd.DataFrame:
    """One row per SKU, warehouse and day some promotion covers, with `covered` True."""
    days = (promotions["end_date"] - promotions["start_date"]).dt.days + 1
    rows = promotions.loc[promotions.index.repeat(days), ["sku", "location_code", "start_date"]]
    offset = rows.groupby(level=0).cumcount().to_numpy()
    dated = pd.DataFrame(
        {
            "sku": rows["sku"].to_numpy(),
            "location_code": rows["location_code"].to_numpy(),
            "demand_date": rows["start_date"].to_numpy() + pd.to_timedelta(offset, unit="D"),
            "covered": True,
        }
    )
    return dated.drop_duplicates(["sku", "location_code", "demand_date"])
