"""The warm launcher the tests run `crossdock` through (tests/forked_cli.py) answers as a
fresh `crossdock` process does: same exit code, stdout and stderr, the caller's
environment (terminal width) and working folder; a call that outlives its timeout is
killed and the launcher serves the next one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests import forked_cli
from tests.helpers import CROSSDOCK


@pytest.fixture(autouse=True)
def _warm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSDOCK_TEST_COLD_CLI", raising=False)  # what turns it off


def _both(*args: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], ...]:
    cold = subprocess.run(
        [str(CROSSDOCK), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    warm = forked_cli.run(CROSSDOCK, args, env=env, timeout=300)
    assert warm is not None, "the launcher did not start"
    return cold, warm


def _env(database: Path, columns: int = 200) -> dict[str, str]:
    return {**os.environ, "CROSSDOCK_DATABASE_URL": f"sqlite:///{database}",
            "COLUMNS": str(columns)}  # fmt: skip


def test_a_failing_command_exits_and_says_the_same(tmp_path: Path):
    cold, warm = _both("status", env=_env(tmp_path / "none.db"))
    assert cold.returncode != 0
    assert "crossdock init" in cold.stderr
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout,
                                                           cold.stderr)  # fmt: skip


def test_each_call_draws_its_tables_as_wide_as_its_terminal(tmp_path: Path):
    database = tmp_path / "crossdock.db"
    assert subprocess.run([str(CROSSDOCK), "init"], env=_env(database), check=False,
                          capture_output=True).returncode == 0  # fmt: skip
    tables = {}
    for columns in (200, 60, 200):
        cold, warm = _both("schedule", "list", env=_env(database, columns=columns))
        assert warm.returncode == cold.returncode == 0, warm.stderr
        assert warm.stdout.splitlines()[2:] == cold.stdout.splitlines()[2:]  # after "now"
        tables[columns] = warm.stdout
    assert max(len(line) for line in tables[60].splitlines()) <= 60
    assert max(len(line) for line in tables[200].splitlines()) > 60


def test_commands_read_the_callers_folder_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": "sqlite:///relative.db",
           "CROSSDOCK_SCHEDULES": "plan=off"}  # fmt: skip
    done = forked_cli.run(CROSSDOCK, ("init",), env=env, timeout=300)
    assert done is not None
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "relative.db").exists()
    cold, warm = _both("schedule", "list", "--json", env=env)
    assert warm.returncode == cold.returncode == 0
    assert warm.stdout.split('"now"')[0] == cold.stdout.split('"now"')[0]
    assert '"schedule": "off"' in warm.stdout


def test_a_call_past_its_timeout_is_killed_and_the_next_one_runs(tmp_path: Path):
    env = _env(tmp_path / "crossdock.db")
    assert subprocess.run([str(CROSSDOCK), "init"], env=env, check=False).returncode == 0
    with pytest.raises(subprocess.TimeoutExpired):
        forked_cli.run(CROSSDOCK, ("worker", "--no-jobs", "--poll-seconds", "0.2"),
                       env=env, timeout=3)  # fmt: skip
    after = forked_cli.run(CROSSDOCK, ("schedule", "runs", "--json"), env=env, timeout=300)
    assert after is not None
    assert after.returncode == 0, after.stderr
