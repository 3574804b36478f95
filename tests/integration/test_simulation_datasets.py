"""benchmarks/simulation_datasets.py writes Dominick's as a folder the importer takes whole."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.importing import import_sources
from tests.conftest import require
from tests.helpers import load_benchmark

pytestmark = [pytest.mark.realdata]


@pytest.fixture(scope="module")
def datasets(shared_data: Path) -> ModuleType:
    for source in ("dominicks/orange_juice_weekly.csv", "scms/shipments_2006_2013.csv"):
        require((shared_data / source).is_file(), f"{source} not found in {shared_data}")
    return load_benchmark("simulation_datasets")


def test_dominicks_folder_keeps_every_unit_and_imports_without_quarantine(
    datasets: ModuleType, shared_data: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "dominicks"
    info = datasets.write_dominicks(folder)
    source = pd.read_csv(shared_data / "dominicks" / "orange_juice_weekly.csv")
    locations = pd.read_csv(folder / "locations.csv")
    demand = pd.read_csv(folder / "demand_history.csv")
    items = pd.read_csv(folder / "items.csv")

    assert (info.items, info.locations, info.periods, info.bucket) == (11, 64, 121, "W")
    assert (info.first_date, info.last_date) == ("1990-06-14", "1992-10-01")
    assert len(items) == 11
    branches = locations[locations["location_type"] == "branch"]
    assert len(locations) == 64
    assert len(branches) == 63
    assert set(branches["parent_location_code"]) == {"DC-CHI"}
    # One demand row per source row; quantities are cartons, exp(logmove) counts ounces.
    assert len(demand) == len(source)
    ounces = demand["sku"].str[-2:].astype(int).map(datasets.OUNCES)
    assert int((demand["quantity"] * ounces).sum()) == int(np.exp(source["logmove"]).round().sum())
    assert demand["quantity"].sum() == np.rint(np.exp(source["logmove"]) / ounces.values).sum()
    assert demand.loc[demand["location_code"] == "DC-CHI"].empty

    wired = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'crossdock.db'}"))
    wired.migrate()
    try:
        sources, ignored = wired.read_sources(folder)
        outcome = import_sources(
            sources,
            store=wired.store,
            kind="import",
            description=str(folder),
            as_of=datetime.now(UTC),
        )
    finally:
        wired.engine.dispose()
    totals = outcome.report.to_dict()["totals"]

    assert ignored == []
    assert totals["rows_read"] == totals["rows_accepted"] > len(source)
    assert totals["rows_quarantined"] == 0
    # The only warnings: the 1990 starting snapshot is old at today's date.
    assert totals["issues"] == {"stale_snapshot": info.item_locations}


def test_dominicks_stores_split_into_store_number_blocks_per_dc(
    datasets: ModuleType, tmp_path: Path
) -> None:
    datasets.write_dominicks(tmp_path, dcs=3)
    locations = pd.read_csv(tmp_path / "locations.csv")
    lanes = pd.read_csv(tmp_path / "lanes.csv")

    dcs = locations[locations["location_type"] == "dc"]
    assert list(dcs["location_code"]) == ["DC-CHI-1", "DC-CHI-2", "DC-CHI-3"]
    assert dcs["parent_location_code"].isna().all()
    per_dc = locations.groupby("parent_location_code")["location_code"].agg(["size", "min", "max"])
    assert list(per_dc["size"]) == [21, 21, 21]
    assert per_dc["max"].iloc[0] < per_dc["min"].iloc[1]
    assert len(lanes) == 63
