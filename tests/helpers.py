"""Helpers shared by test modules: the installed CLI, the example converters, and
promotions spread over the days they cover."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"
CROSSDOCK = Path(sys.executable).with_name("crossdock")


def run_cli(
    database_url: str, *args: str, expect: int = 0, columns: int = 200
) -> subprocess.CompletedProcess[str]:
    """Run the installed `crossdock` on `database_url` in a terminal `columns` wide."""
    assert CROSSDOCK.exists(), f"the crossdock command is not installed at {CROSSDOCK}"
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": database_url, "COLUMNS": str(columns)}
    done = subprocess.run(
        [str(CROSSDOCK), *args], capture_output=True, text=True, env=env, timeout=900, check=False
    )
    assert done.returncode == expect, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def cli_json(database_url: str, *args: str, expect: int = 0) -> dict[str, Any]:
    """Run `crossdock ... --json` and parse what it printed."""
    parsed: dict[str, Any] = json.loads(
        run_cli(database_url, *args, "--json", expect=expect).stdout
    )
    return parsed


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
