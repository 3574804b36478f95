"""The example converters' output imports through the real `crossdock` command.

Each real data set is converted into a canonical folder, then `crossdock init` and
`crossdock import` run as a user would run them, on a fresh SQLite file. Every row a
converter writes must be accounted for: accepted or quarantined, never dropped; and
importing the same folder twice must change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli_json, load_converter

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


@dataclass(frozen=True, slots=True)
class RealDataset:
    name: str
    demand_written: int
    # (key, field, value) of each demand row the importer must quarantine
    demand_quarantined: tuple[tuple[str, str, str], ...]


DATASETS = (
    # Dominick's: one row per store, brand and week in the file, all valid.
    RealDataset("dominicks", demand_written=80_531, demand_quarantined=()),
    # Stallion: the 14,104 non-zero months; one has a negative actual price.
    RealDataset(
        "stallion",
        demand_written=14_104,
        demand_quarantined=(
            (
                "sku=SKU_17, location_code=AGENCY-46, demand_date=2017-06-01",
                "unit_price",
                "-3121.6901",
            ),
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class ImportedDataset:
    dataset: RealDataset
    written: dict[str, int]
    folder: Path
    database_url: str
    report: dict[str, Any]
    status: dict[str, Any]


@pytest.fixture(scope="module", params=DATASETS, ids=lambda dataset: dataset.name)
def imported(
    request: pytest.FixtureRequest,
    shared_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> ImportedDataset:
    dataset: RealDataset = request.param
    work = tmp_path_factory.mktemp(dataset.name)
    folder = work / "canonical"
    written: dict[str, int] = load_converter(dataset.name).convert(shared_data, folder)
    database_url = f"sqlite:///{work / 'crossdock.db'}"
    cli_json(database_url, "init")
    report = cli_json(database_url, "import", str(folder))
    status = cli_json(database_url, "status")
    return ImportedDataset(dataset, written, folder, database_url, report, status)


def test_every_written_row_is_accepted_or_quarantined_never_dropped(
    imported: ImportedDataset,
) -> None:
    entities = imported.report["entities"]

    assert set(entities) == set(imported.written)
    for name, written in imported.written.items():
        counts = entities[name]
        assert counts["rows_read"] == written, name
        assert counts["rows_accepted"] == written - counts["rows_quarantined"], name
    totals = imported.report["totals"]
    assert totals["rows_read"] == sum(imported.written.values())
    assert totals["rows_accepted"] == totals["rows_read"] - totals["rows_quarantined"]


def test_demand_history_lands_with_the_expected_row_count(imported: ImportedDataset) -> None:
    dataset = imported.dataset
    demand = imported.report["entities"]["demand_history"]

    quarantined = [
        (row["key"], row["field"], row["value"])
        for row in imported.report["quarantine_sample"]
        if row["entity"] == "demand_history"
    ]
    assert imported.written["demand_history"] == dataset.demand_written
    assert demand["rows_quarantined"] == len(dataset.demand_quarantined)
    assert tuple(quarantined) == dataset.demand_quarantined
    assert demand["rows_accepted"] == dataset.demand_written - len(dataset.demand_quarantined)
    assert imported.status["entities"]["demand_history"]["rows"] == demand["rows_accepted"]


def test_the_network_and_supply_terms_land_without_quarantine(imported: ImportedDataset) -> None:
    entities = imported.report["entities"]

    for name in ("items", "locations", "suppliers", "lanes", "supply_terms"):
        assert entities[name]["rows_quarantined"] == 0, entities[name]
        assert imported.status["entities"][name]["rows"] == imported.written[name]


def test_importing_the_same_folder_again_changes_nothing(imported: ImportedDataset) -> None:
    again = cli_json(imported.database_url, "import", str(imported.folder))
    status_after = cli_json(imported.database_url, "status")

    rows_before = {name: e["rows"] for name, e in imported.status["entities"].items()}
    rows_after = {name: e["rows"] for name, e in status_after["entities"].items()}
    assert rows_after == rows_before
    for name in imported.written:
        first, second = imported.report["entities"][name], again["entities"][name]
        assert second["rows_accepted"] == first["rows_accepted"], name
        assert second["rows_quarantined"] == first["rows_quarantined"], name
