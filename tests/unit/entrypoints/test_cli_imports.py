"""The command line starts without the planning engine: loading it (`--help`) and running
a command that never plans or reads frames imports none of statsforecast, scipy (and its
HiGHS solver) or pandas, which take seconds; the planning commands import them when they
run. numba, highspy and dask are listed too, should the engine come to use them. Each
check runs in a fresh interpreter, since this one has them loaded already."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from crossdock.entrypoints.cli.app import POLICIES as CLI_POLICIES
from crossdock.service_layer.simulating import POLICIES

PLANNING_ENGINE = ("statsforecast", "numba", "pandas", "scipy", "highspy", "dask")

# Runs the CLI in-process on each argument list in argv[1] (JSON), then prints the
# exit codes and which of the planning engine's packages were imported.
_RUN_COMMANDS = """
import json, sys
from typer.testing import CliRunner
from crossdock.entrypoints.cli.app import app
codes = [CliRunner().invoke(app, args).exit_code for args in json.loads(sys.argv[1])]
print(json.dumps({"exit_codes": codes,
                  "imported": sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules)}))
"""


def _run_in_fresh_interpreter(commands: list[list[str]], database: Path) -> dict[str, list]:
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": f"sqlite:///{database}"}
    done = subprocess.run(
        [sys.executable, "-c", _RUN_COMMANDS, json.dumps(commands), json.dumps(PLANNING_ENGINE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    result: dict[str, list] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_loading_the_cli_imports_none_of_the_planning_engine(tmp_path: Path) -> None:
    # given a fresh interpreter, when the CLI is loaded and only asked for its help
    ran = _run_in_fresh_interpreter([["--help"], ["plan", "--help"]], tmp_path / "x.db")

    # then it answered without importing the engine
    assert ran == {"exit_codes": [0, 0], "imported": []}


def test_commands_that_never_plan_import_none_of_the_planning_engine(tmp_path: Path) -> None:
    # given a database created by `init`, when the event and policy commands run on it
    ran = _run_in_fresh_interpreter(
        [
            ["init"],
            ["events", "status"],
            ["events", "catalogue"],
            ["version"],
            ["schema"],
            ["agents"],
        ],
        tmp_path / "crossdock.db",
    )

    # then they succeed and the planning engine and pandas were never imported
    assert ran == {"exit_codes": [0, 0, 0, 0, 0, 0], "imported": []}


def test_a_command_that_reads_frames_imports_them_when_it_runs(tmp_path: Path) -> None:
    # given an initialised database, when `status` (which reads the canonical store) runs
    ran = _run_in_fresh_interpreter([["init"], ["status"]], tmp_path / "crossdock.db")

    # then pandas came in with the store, and the forecasting engine did not
    assert ran == {"exit_codes": [0, 0], "imported": ["pandas"]}


def test_simulate_help_lists_the_simulation_engines_policies() -> None:
    # the CLI names the policies itself so that `simulate --help` need not load the engine
    assert CLI_POLICIES == POLICIES
