"""`crossdock connect drop` end to end, on SQLite and PostgreSQL: an inbox holding good
and bad canonical files, a valid and a broken EDI file (real samples, copied into
tmp_path) and a file a crashed watcher left in working/. Each is filed under processed/
or rejected/ with its report, rows land, events are stored once, the bad row is
quarantined; a second run finds nothing to do."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crossdock.adapters.db.tables import canonical_tables, import_runs, inbound_events, quarantine
from crossdock.bootstrap import Crossdock
from crossdock.service_layer.identity import add_person
from tests.conftest import SHARED_DATA, require
from tests.helpers import cli_json, run_cli

pytestmark = pytest.mark.realdata
SAMPLE_855 = SHARED_DATA / "edi_x12" / "node-x12" / "855.edi"
BROKEN = SHARED_DATA / "edi_x12" / "olmelabs-EdiEngine" / "ControlNumbersMismatch.edi"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)

ITEMS = "sku,uom,unit_cost\nA,EA,2.5\nB,CS,10\n"
LOCATIONS = "location_code,location_type\nDC,dc\nBR1,branch\nBR2,warehouse\n"
SUPPLIERS = "supplier_code,name\nACME,Acme Foods\n"


def _place(
    path: Path, *, minutes_ago: int, text: str | None = None, copy: Path | None = None
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if copy is not None:
        shutil.copyfile(copy, path)
    else:
        path.write_text(text or "")
    stamp = datetime.now(UTC).timestamp() - 60 * minutes_ago
    os.utime(path, (stamp, stamp))


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    require(SAMPLE_855.is_file() and BROKEN.is_file(), f"EDI samples not found at {SHARED_DATA}")
    folder = tmp_path / "inbox"
    _place(folder / "working" / "suppliers.csv", minutes_ago=90, text=SUPPLIERS)
    _place(folder / "items.csv", minutes_ago=50, text=ITEMS)
    _place(folder / "locations-east.csv", minutes_ago=40, text=LOCATIONS)
    _place(folder / "foo.csv", minutes_ago=30, text="a,b\n1,2\n")
    _place(folder / "855.edi", minutes_ago=20, copy=SAMPLE_855)
    _place(folder / "from-3pl.edi", minutes_ago=10, copy=BROKEN)
    _place(folder / "items-late.csv.part", minutes_ago=5, text=ITEMS)
    return folder


def _report_on_disk(entry: dict[str, Any]) -> dict[str, Any]:
    written: dict[str, Any] = json.loads(Path(entry["report_path"]).read_text())
    return written


def test_connect_drop_files_every_kind_of_file_and_lands_what_it_can(
    crossdock: Crossdock, inbox: Path
) -> None:
    url = crossdock.engine.url.render_as_string(hide_password=False)
    add_person(crossdock.governance, username="ops", roles=["admin"], password="x" * 12, now=NOW)

    first = cli_json(url, "connect", "drop", str(inbox), "--once", "--as", "ops")
    again = cli_json(url, "connect", "drop", str(inbox), "--once", "--as", "ops")

    # the file left in working/ first, then the inbox oldest first; the .part file waits
    files = {entry["file"]: entry for entry in first["files"]}
    assert [(entry["file"], entry["status"]) for entry in first["files"]] == [
        ("suppliers.csv", "processed"),
        ("items.csv", "processed"),
        ("locations-east.csv", "processed"),
        ("foo.csv", "rejected"),
        ("855.edi", "processed"),
        ("from-3pl.edi", "rejected"),
    ]
    assert (first["processed"], first["rejected"], first["failed"]) == (4, 2, 0)
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == [
        "855.edi",
        "855.edi.report.json",
        "items.csv",
        "items.csv.report.json",
        "locations-east.csv",
        "locations-east.csv.report.json",
        "suppliers.csv",
        "suppliers.csv.report.json",
    ]
    assert sorted(p.name for p in (inbox / "rejected").iterdir()) == [
        "foo.csv",
        "foo.csv.report.json",
        "from-3pl.edi",
        "from-3pl.edi.report.json",
    ]
    assert list((inbox / "working").iterdir()) == []
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["items-late.csv.part"]
    assert (inbox / "processed" / "items.csv").read_text() == ITEMS

    # the reports beside the files say what the JSON said
    for entry in first["files"]:
        written = _report_on_disk(entry)
        assert written == {k: v for k, v in entry.items() if k not in ("moved_to", "report_path")}
        assert written["by"] == "ops"
    assert files["suppliers.csv"]["recovered_from_working"] is True
    assert files["items.csv"]["recovered_from_working"] is False

    locations = files["locations-east.csv"]
    assert locations["entity"] == "locations"
    assert locations["rows"] == {"read": 3, "accepted": 2, "quarantined": 1, "warnings": 0}
    assert locations["quarantine"] == [
        {
            "row": 3,
            "record": "location_code=BR2",
            "field": "location_type",
            "value": "warehouse",
            "reason": (
                "locations row 3 (location_code=BR2): location_type='warehouse' is not one "
                "of dc, branch"
            ),
            "check": "invalid_code",
        }
    ]
    assert files["foo.csv"]["kind"] == "unknown"
    assert files["foo.csv"]["reason"].startswith("'foo' is not a canonical entity: name the file")
    assert files["855.edi"]["events"] == {
        "read": 1,
        "accepted": 1,
        "duplicates": 0,
        "dead_lettered": 0,
    }
    broken = files["from-3pl.edi"]
    assert broken["reason"] == (
        "invalid X12 at segment 7 (line 7), interchange 000003438, group 3314, "
        "transaction 0001: SE02 control number '0002' does not match ST02 '0001'"
    )
    assert (broken["position"]["segment"], broken["position"]["line"]) == (7, 7)

    # what landed: rows, one import run per canonical file, the bad row, one event
    with crossdock.engine.connect() as connection:
        skus = connection.execute(select(canonical_tables["items"].c.sku)).scalars().all()
        codes = connection.execute(select(canonical_tables["locations"].c.location_code)).scalars()
        location_codes = sorted(codes)
        suppliers = connection.execute(
            select(canonical_tables["suppliers"].c.supplier_code)
        ).scalars()
        supplier_codes = list(suppliers)
        runs = connection.execute(
            select(import_runs.c.id, import_runs.c.kind, import_runs.c.source).order_by(
                import_runs.c.id
            )
        ).all()
        held = connection.execute(select(quarantine)).mappings().all()
        events = connection.execute(select(inbound_events)).mappings().all()
    assert sorted(skus) == ["A", "B"]
    assert location_codes == ["BR1", "DC"]
    assert supplier_codes == ["ACME"]
    assert [(kind, source) for _, kind, source in runs] == [
        ("file_drop", "suppliers.csv"),
        ("file_drop", "items.csv"),
        ("file_drop", "locations-east.csv"),
    ]
    assert [run_id for run_id, *_ in runs][1:] == [
        files["items.csv"]["import_run_id"],
        files["locations-east.csv"]["import_run_id"],
    ]
    assert [
        (line["source_file"], line["row_number"], line["natural_key"], line["field"])
        for line in held
    ] == [("locations-east.csv", 3, "location_code=BR2", "location_type")]
    assert [(event["event_type"], event["channel"]) for event in events] == [
        ("po_acknowledged", "file_drop 855.edi")
    ]

    # a second run: nothing to do, nothing new written
    assert again == {
        "inbox": str(inbox),
        "processed": 0,
        "rejected": 0,
        "failed": 0,
        "waiting": [],
        "files": [],
    }
    with crossdock.engine.connect() as connection:
        assert len(connection.execute(select(import_runs)).all()) == 3
        assert len(connection.execute(select(inbound_events)).all()) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_dropped_file_that_lands_again_is_filed_under_a_stamped_name(
    crossdock: Crossdock, tmp_path: Path
) -> None:
    url = crossdock.engine.url.render_as_string(hide_password=False)
    add_person(crossdock.governance, username="ops", roles=["admin"], password="x" * 12, now=NOW)
    inbox = tmp_path / "inbox"
    _place(inbox / "items.csv", minutes_ago=10, text=ITEMS)
    cli_json(url, "connect", "drop", str(inbox), "--once", "--as", "ops")
    _place(inbox / "items.csv", minutes_ago=5, text="sku,uom,unit_cost\nC,EA,1\n")

    done = run_cli(url, "connect", "drop", str(inbox), "--once", "--as", "ops")

    (line,) = done.stdout.splitlines()
    assert line.startswith("processed items.csv (items): 1 rows read, 1 accepted, 0 quarantined")
    stamped = [p.name for p in (inbox / "processed").iterdir() if p.name.startswith("items-")]
    assert len(stamped) == 2  # the file and its report, beside the first items.csv
    assert (inbox / "processed" / "items.csv").read_text() == ITEMS


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_fresh_file_settles_and_a_user_without_import_rights_is_refused(
    crossdock: Crossdock, tmp_path: Path
) -> None:
    url = crossdock.engine.url.render_as_string(hide_password=False)
    add_person(crossdock.governance, username="ops", roles=["admin"], password="x" * 12, now=NOW)
    add_person(crossdock.governance, username="buyer", roles=["buyer"], password="x" * 12, now=NOW)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "items.csv").write_text(ITEMS)

    refused = run_cli(url, "connect", "drop", str(inbox), "--once", "--as", "buyer", expect=1)
    waiting = cli_json(
        url, "connect", "drop", str(inbox), "--once", "--as", "ops", "--settle", "600"
    )

    assert "import_data" in refused.stderr
    assert (waiting["files"], waiting["waiting"]) == ([], ["items.csv"])
    assert (inbox / "items.csv").is_file()
    with crossdock.engine.connect() as connection:
        assert connection.execute(select(import_runs)).all() == []
