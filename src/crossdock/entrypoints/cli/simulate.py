"""Where `crossdock simulate` reads its network: the configured store, or a canonical
import folder imported into a throw-away SQLite store (the same validation and
quarantine as `crossdock import`), optionally with another demand history file."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crossdock.adapters.files.reader import CSV_SUFFIXES, PARQUET_SUFFIX
from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.service_layer.importing import Progress, import_sources
from crossdock.service_layer.ports import PlanningStore
from crossdock.service_layer.simulating import SimulationSettings, compare_policies
from crossdock.service_layer.simulation_network import read_network


def simulate_store(
    store: PlanningStore,
    *,
    bucket: str,
    settings: SimulationSettings,
    title: str,
    progress: Progress | None,
) -> dict[str, Any]:
    """Replay the store's whole demand history."""
    network = read_network(store, bucket=bucket, review_period=settings.review_period)
    return compare_policies(network, settings, title=title, progress=progress)


def simulate_folder(
    folder: Path,
    *,
    demand: Path | None,
    bucket: str,
    settings: SimulationSettings,
    title: str,
    progress: Progress | None,
) -> dict[str, Any]:
    """Import `folder` (with `demand` as its demand history) into a temporary SQLite store
    and replay it; the results carry the import's row counts.

    Raises:
        ValueError: the folder holds no canonical files, or `demand` is not a CSV or
            Parquet file.
    """
    with tempfile.TemporaryDirectory(prefix="crossdock-simulate-") as scratch:
        source = _with_demand(folder, demand, Path(scratch) / "files")
        crossdock = bootstrap(Settings(database_url=f"sqlite:///{Path(scratch) / 'replay.db'}"))
        try:
            crossdock.migrate()
            sources, _ = crossdock.read_sources(source)
            if not sources:
                raise ValueError(f"no canonical entity files found in {folder}")
            outcome = import_sources(
                sources,
                store=crossdock.store,
                kind="import",
                description=str(folder.resolve()),
                as_of=datetime.now(UTC),
                progress=progress,
            )
            results = simulate_store(
                crossdock.store, bucket=bucket, settings=settings, title=title, progress=progress
            )
        finally:
            crossdock.engine.dispose()
    totals = outcome.to_dict()["totals"]
    results["import"] = {
        "folder": str(folder),
        "demand": str(demand) if demand else None,
        "rows_accepted": totals["rows_accepted"],
        "rows_quarantined": totals["rows_quarantined"],
    }
    return results


def _with_demand(folder: Path, demand: Path | None, target: Path) -> Path:
    """`folder` itself, or a copy of its links with `demand` as demand_history."""
    if demand is None:
        return folder
    name = demand.name.lower()
    suffix = next((s for s in (*CSV_SUFFIXES, PARQUET_SUFFIX) if name.endswith(s)), None)
    if suffix is None:
        raise ValueError(f"--demand {demand}: need a .csv, .csv.gz or .parquet file")
    target.mkdir(parents=True)
    for path in folder.iterdir():
        if path.is_file() and not path.name.startswith("demand_history."):
            (target / path.name).symlink_to(path.resolve())
    shutil.copyfile(demand, target / f"demand_history{suffix}")
    return target
