"""`crossdock edi ingest` feeds an X12 file's events to the event intake on a real
SQLite store: the sample 855 lands as one po_acknowledged, once; a broken file is
refused whole, with nothing stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crossdock.adapters.db.tables import inbound_events
from crossdock.bootstrap import Crossdock
from crossdock.service_layer.identity import add_person
from tests.conftest import SHARED_DATA, require
from tests.helpers import cli_json, run_cli

pytestmark = pytest.mark.realdata
SAMPLE_855 = SHARED_DATA / "edi_x12" / "node-x12" / "855.edi"
BROKEN = SHARED_DATA / "edi_x12" / "olmelabs-EdiEngine" / "ControlNumbersMismatch.edi"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_edi_ingest_of_an_855_stores_one_po_acknowledged(crossdock: Crossdock) -> None:
    require(SAMPLE_855.is_file(), f"EDI sample not found at {SAMPLE_855}")
    url = crossdock.engine.url.render_as_string(hide_password=False)
    add_person(crossdock.governance, username="ops", roles=["admin"], password="x" * 12, now=NOW)

    first = cli_json(url, "edi", "ingest", str(SAMPLE_855), "--as", "ops")
    again = cli_json(url, "edi", "ingest", str(SAMPLE_855), "--as", "ops")

    assert (first["documents"], first["accepted"], first["dead_lettered"]) == (1, 1, 0)
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    with crossdock.engine.connect() as connection:
        rows = connection.execute(select(inbound_events)).mappings().all()
    assert len(rows) == 1
    stored = rows[0]
    assert stored["event_type"] == "po_acknowledged"
    payload = json.loads(stored["payload"])
    assert payload["reference"] == "POTEST1112"
    assert [line["status"] for line in payload["data"]["lines"]] == [
        "accepted",
        "rejected",
        "rejected",
        "accepted",
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_broken_file_is_refused_in_one_line_and_nothing_is_stored(crossdock: Crossdock) -> None:
    require(BROKEN.is_file(), f"EDI sample not found at {BROKEN}")
    url = crossdock.engine.url.render_as_string(hide_password=False)
    add_person(crossdock.governance, username="ops", roles=["admin"], password="x" * 12, now=NOW)

    done = run_cli(url, "edi", "ingest", str(BROKEN), "--as", "ops", expect=1)

    assert done.stderr.strip() == (
        "error: invalid X12 at segment 7 (line 7), interchange 000003438, group 3314, "
        "transaction 0001: SE02 control number '0002' does not match ST02 '0001'"
    )
    with crossdock.engine.connect() as connection:
        assert connection.execute(select(inbound_events)).all() == []
