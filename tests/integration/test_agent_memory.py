"""The agents' remembered reads on SQLite and PostgreSQL: within a data version a read
is made once; an import landing moves the version, and the next batch reads anew."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.service_layer.importing import import_sources
from tests.conftest import REPO_ROOT

BASIC = REPO_ROOT / "examples" / "basic"
AS_OF = datetime(2026, 11, 21, 12, tzinfo=UTC)


def _import(wired: Crossdock, folder: Path) -> None:
    frames, _ = wired.read_sources(folder)
    import_sources(frames, store=wired.store, kind="import", description=str(folder), as_of=AS_OF)


def test_an_import_makes_the_agents_read_again(database_url: str, tmp_path: Path):
    wired = bootstrap(Settings(database_url=database_url))
    wired.migrate()
    folder = tmp_path / "basic"
    shutil.copytree(BASIC, folder)
    _import(wired, folder)
    data = wired.agent_data

    data.refresh()  # what a worker does before each batch
    assert data.stock("A100", "BR1").on_hand == 64.0
    assert data.memo.misses == 1
    assert data.stock("A100", "BR1").on_hand == 64.0
    assert data.memo.hits == 1  # the second read came from memory

    with (folder / "inventory_positions.csv").open("a") as handle:
        handle.write("A100,BR1,2026-11-21T06:00:00Z,10,0,0,0,0,BX\n")  # a newer count
    _import(wired, folder)
    assert data.stock("A100", "BR1").on_hand == 64.0  # this batch still reads its version
    data.refresh()
    assert data.stock("A100", "BR1").on_hand == 10.0
    wired.engine.dispose()
