"""The file drop: the naming rule, the reports, and passes over an inbox folder with an
in-memory store and event store (the files are real, in tmp_path)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from crossdock.ingest.edi import EdiFile, InvalidEdi, Position
from crossdock.service_layer.event_ports import DeadLetter, NewEvent
from crossdock.service_layer.file_drop import (
    DroppedFile,
    DropReport,
    FileKind,
    canonical_verdict,
    edi_verdict,
    free_name,
    invalid_edi_verdict,
    is_unfinished,
    kind_of,
    process_inbox,
    report_document,
    stamped_name,
    starts_with_isa,
)
from crossdock.service_layer.importing import ImportOutcome, import_sources
from crossdock.service_layer.intake import IntakeReport
from crossdock.service_layer.ports import SourceFrame
from tests.unit.service_layer.fakes import FakeStore

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
ITEMS = "sku,uom,unit_cost\nA,EA,2.5\nB,CS,10\n"
LOCATIONS_ONE_BAD = "location_code,location_type\nDC,dc\nBR1,branch\nBR2,warehouse\n"
LOCATIONS_ALL_BAD = "location_code,location_type\nBR2,warehouse\n"


# -- the naming rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "entity"),
    [
        ("items.csv", "items"),
        ("Items.CSV", "items"),
        ("items-2026-11-28.csv", "items"),
        ("demand_history.csv.gz", "demand_history"),
        ("demand_history-br01.csv.gz", "demand_history"),
        ("inventory_positions.parquet", "inventory_positions"),
        ("purchase_order_lines-from-erp.parquet", "purchase_order_lines"),
    ],
)
def test_a_canonical_file_is_named_after_its_entity_optionally_followed_by_a_dash(
    name: str, entity: str
) -> None:
    assert kind_of(name) == FileKind("canonical", entity=entity)


def test_a_csv_named_after_no_entity_is_unknown_and_the_reason_lists_the_entities() -> None:
    found = kind_of("items_2026.csv")
    assert (found.kind, found.entity) == ("unknown", None)
    assert found.why.startswith("'items_2026' is not a canonical entity: name the file ")
    assert "<entity>-<anything>.csv" in found.why
    assert "items, locations, suppliers" in found.why


@pytest.mark.parametrize("name", ["855.edi", "ORDERS.X12", "items.edi"])
def test_edi_and_x12_names_are_edi_whatever_their_stem(name: str) -> None:
    assert kind_of(name) == FileKind("edi")


def test_a_file_starting_with_isa_is_edi_unless_its_name_is_a_canonical_entity() -> None:
    assert kind_of("from-supplier.txt", starts_with_isa=True) == FileKind("edi")
    assert kind_of("orders.csv", starts_with_isa=True) == FileKind("edi")
    assert kind_of("items.csv", starts_with_isa=True) == FileKind("canonical", entity="items")


def test_any_other_file_is_unknown() -> None:
    found = kind_of("notes.txt")
    assert found.kind == "unknown"
    assert found.why.startswith("neither a canonical file (<entity>.csv, .csv.gz or .parquet")


def test_isa_is_recognised_after_a_byte_order_mark_and_blank_lines() -> None:
    assert starts_with_isa(b"\xef\xbb\xbf\r\n  ISA*00*")
    assert not starts_with_isa(b"sku,uom\nISA")
    assert not starts_with_isa(b"")


@pytest.mark.parametrize(
    ("name", "unfinished"),
    [(".items.csv", True), ("items.csv.part", True), ("items.csv.TMP", True), ("items.csv", False)],
)
def test_hidden_and_partly_written_files_are_never_taken(name: str, unfinished: bool) -> None:
    assert is_unfinished(name) is unfinished


def test_a_stamp_goes_before_the_suffix_so_the_file_keeps_its_kind() -> None:
    assert stamped_name("items.csv", NOW) == "items-20261128T100000Z.csv"
    assert stamped_name("demand_history.csv.gz", NOW, 2) == (
        "demand_history-20261128T100000Z-2.csv.gz"
    )
    assert stamped_name("855.edi", NOW) == "855-20261128T100000Z.edi"
    assert stamped_name("README", NOW) == "README-20261128T100000Z"
    assert kind_of(stamped_name("items-a.csv", NOW)).entity == "items"


def test_a_name_taken_by_a_file_or_a_report_gets_a_stamp(tmp_path: Path) -> None:
    assert free_name(tmp_path, "items.csv", NOW) == tmp_path / "items.csv"
    (tmp_path / "items.csv").write_text("x")
    assert free_name(tmp_path, "items.csv", NOW) == tmp_path / "items-20261128T100000Z.csv"
    (tmp_path / "items-20261128T100000Z.csv.report.json").write_text("{}")
    assert free_name(tmp_path, "items.csv", NOW) == tmp_path / "items-20261128T100000Z-2.csv"


# -- reports ---------------------------------------------------------------------------


def _frame(text: str) -> pd.DataFrame:
    lines = [line.split(",") for line in text.strip().splitlines()]
    frame = pd.DataFrame(lines[1:], columns=lines[0], dtype=object)
    frame["_row"] = range(1, len(frame) + 1)
    return frame


def _import(store: FakeStore, entity: str, text: str, name: str) -> ImportOutcome:
    return import_sources(
        [SourceFrame(entity, name, _frame(text))],
        store=store,
        kind="file_drop",
        description=name,
        as_of=NOW,
    )


def test_a_file_with_one_bad_row_is_processed_and_its_report_names_the_row() -> None:
    outcome = _import(FakeStore(), "locations", LOCATIONS_ONE_BAD, "locations.csv")

    verdict = canonical_verdict("locations", outcome)

    assert (verdict.status, verdict.kind) == ("processed", "canonical")
    assert verdict.details["import_run_id"] == outcome.run_id
    assert verdict.details["rows"] == {"read": 3, "accepted": 2, "quarantined": 1, "warnings": 0}
    assert verdict.details["quarantine"] == [
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
    assert "reason" not in verdict.details


def test_a_file_whose_every_row_is_quarantined_is_rejected() -> None:
    outcome = _import(FakeStore(), "locations", LOCATIONS_ALL_BAD, "locations.csv")

    verdict = canonical_verdict("locations", outcome)

    assert verdict.status == "rejected"
    assert verdict.details["reason"] == "every row was quarantined (1): nothing landed"
    assert verdict.details["rows"]["accepted"] == 0
    assert [line["record"] for line in verdict.details["quarantine"]] == ["location_code=BR2"]


def test_an_edi_file_is_processed_unless_every_event_was_dead_lettered() -> None:
    read = EdiFile(interchanges=(), documents=(), unread=())
    landed = edi_verdict(read, IntakeReport(read=2, accepted=1, duplicates=1))
    seen_before = edi_verdict(read, IntakeReport(read=1, duplicates=1))
    refused = edi_verdict(read, IntakeReport(read=2, dead_lettered=2))
    no_events = edi_verdict(read, IntakeReport())

    assert [v.status for v in (landed, seen_before, refused, no_events)] == [
        "processed",
        "processed",
        "rejected",
        "processed",
    ]
    assert landed.details["events"] == {
        "read": 2,
        "accepted": 1,
        "duplicates": 1,
        "dead_lettered": 0,
    }
    assert refused.details["reason"] == "every event was dead-lettered (2)"


def test_an_invalid_interchange_is_rejected_with_the_segment_and_the_reason() -> None:
    where = Position(segment=7, line=7, interchange="000003438", group="3314", transaction="1")
    error = InvalidEdi(where, "SE02 control number '0002' does not match ST02 '0001'")

    verdict = invalid_edi_verdict(error)

    assert (verdict.status, verdict.kind) == ("rejected", "edi")
    assert verdict.details["position"] == {
        "segment": 7,
        "line": 7,
        "interchange": "000003438",
        "group": "3314",
        "transaction": "1",
    }
    assert verdict.details["reason"] == (
        "invalid X12 at segment 7 (line 7), interchange 000003438, group 3314, "
        "transaction 1: SE02 control number '0002' does not match ST02 '0001'"
    )


def test_the_report_says_when_what_and_by_whom_before_the_verdicts_details() -> None:
    verdict = canonical_verdict("items", _import(FakeStore(), "items", ITEMS, "items.csv"))
    received = datetime(2026, 11, 28, 9, 59, tzinfo=UTC)

    document = report_document(
        "items.csv", verdict, received_at=received, processed_at=NOW, actor="ops", recovered=True
    )

    assert list(document)[:7] == [
        "file",
        "status",
        "kind",
        "received_at",
        "processed_at",
        "by",
        "recovered_from_working",
    ]
    assert document["received_at"] == "2026-11-28T09:59:00+00:00"
    assert document["processed_at"] == "2026-11-28T10:00:00+00:00"
    assert (document["by"], document["entity"], document["recovered_from_working"]) == (
        "ops",
        "items",
        True,
    )


# -- passes over an inbox --------------------------------------------------------------


class FakeEvents:
    def __init__(self) -> None:
        self.stored: dict[str, NewEvent] = {}
        self.dead: list[DeadLetter] = []

    def accept(
        self, events: Sequence[NewEvent], dead: Sequence[DeadLetter], *, at: datetime
    ) -> list[str]:
        fresh = [event for event in events if event.event_id not in self.stored]
        self.stored.update({event.event_id: event for event in fresh})
        self.dead.extend(dead)
        return [event.event_id for event in fresh]


def read_csv(entity: str, path: Path) -> pd.DataFrame:
    return _frame(path.read_text())


def drop(inbox: Path, name: str, text: str, *, age: float = 60.0) -> Path:
    path = inbox / name
    path.write_text(text)
    stamp = NOW.timestamp() - age
    os.utime(path, (stamp, stamp))
    return path


def run(inbox: Path, store: FakeStore, **options: Any) -> DropReport:
    options.setdefault("reader", read_csv)
    return process_inbox(
        inbox,
        store=store,
        events=FakeEvents(),  # type: ignore[arg-type]  # only accept() is used
        now=NOW,
        actor="ops",
        **options,
    )


def names(dropped: Sequence[DroppedFile]) -> list[tuple[str, str]]:
    return [(d.name, d.status) for d in dropped]


def test_files_are_taken_oldest_first_then_by_name(tmp_path: Path) -> None:
    drop(tmp_path, "locations.csv", LOCATIONS_ONE_BAD, age=30)
    drop(tmp_path, "items-b.csv", ITEMS, age=60)
    drop(tmp_path, "items-a.csv", ITEMS, age=60)

    report = run(tmp_path, FakeStore())

    assert names(report.files) == [
        ("items-a.csv", "processed"),
        ("items-b.csv", "processed"),
        ("locations.csv", "processed"),
    ]


def test_settling_hidden_and_partly_written_files_stay_in_the_inbox(tmp_path: Path) -> None:
    drop(tmp_path, "items.csv", ITEMS, age=1)
    drop(tmp_path, ".items.csv", ITEMS)
    drop(tmp_path, "items.csv.part", ITEMS)
    store = FakeStore()

    report = run(tmp_path, store, settle_seconds=2)

    assert report.files == ()
    assert report.waiting == ("items.csv",)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        ".items.csv",
        "items.csv",
        "items.csv.part",
    ]
    assert store.runs == {}


def test_each_file_is_filed_with_its_report_and_nothing_stays_in_working(tmp_path: Path) -> None:
    drop(tmp_path, "items.csv", ITEMS)
    drop(tmp_path, "foo.csv", "a,b\n1,2\n")
    store = FakeStore()

    report = run(tmp_path, store)

    assert names(report.files) == [("foo.csv", "rejected"), ("items.csv", "processed")]
    assert (tmp_path / "processed" / "items.csv").read_text() == ITEMS
    assert (tmp_path / "processed" / "items.csv.report.json").is_file()
    assert (tmp_path / "rejected" / "foo.csv.report.json").is_file()
    assert list((tmp_path / "working").iterdir()) == []
    assert [run["kind"] for run in store.runs.values()] == ["file_drop"]
    assert store.runs[1]["source"] == "items.csv"


def test_a_file_left_in_working_is_taken_first_when_recovering_only(tmp_path: Path) -> None:
    (tmp_path / "working").mkdir()
    drop(tmp_path / "working", "items.csv", ITEMS)
    drop(tmp_path, "locations.csv", LOCATIONS_ONE_BAD, age=600)
    store = FakeStore()

    without = run(tmp_path, store, recover=False)
    report = run(tmp_path, store)

    assert names(without.files) == [("locations.csv", "processed")]
    assert names(report.files) == [("items.csv", "processed")]
    assert report.files[0].report["recovered_from_working"] is True


def test_a_name_already_filed_gets_a_stamp_and_the_first_file_is_kept(tmp_path: Path) -> None:
    store = FakeStore()
    drop(tmp_path, "items.csv", ITEMS)
    run(tmp_path, store)
    drop(tmp_path, "items.csv", "sku,uom,unit_cost\nC,EA,1\n")

    report = run(tmp_path, store)

    assert report.files[0].moved_to == tmp_path / "processed" / "items-20261128T100000Z.csv"
    assert (tmp_path / "processed" / "items.csv").read_text() == ITEMS
    assert (tmp_path / "processed" / "items-20261128T100000Z.csv.report.json").is_file()


def test_a_store_failure_leaves_the_file_in_working_and_the_next_file_is_taken(
    tmp_path: Path,
) -> None:
    drop(tmp_path, "items.csv", ITEMS, age=120)
    drop(tmp_path, "locations.csv", LOCATIONS_ONE_BAD, age=60)
    store = FakeStore(fail_on="items")

    report = run(tmp_path, store)

    assert names(report.files) == [("items.csv", "failed"), ("locations.csv", "processed")]
    assert report.files[0].report["reason"] == "OSError: disk full while writing items"
    assert report.files[0].report_path is None
    assert (tmp_path / "working" / "items.csv").is_file()
    assert not (tmp_path / "rejected").exists()


def test_an_unreadable_file_is_rejected_and_never_imported(tmp_path: Path) -> None:
    def refuse(entity: str, path: Path) -> pd.DataFrame:
        raise ValueError(f"the first row of {path.name} names none of the {entity} columns")

    drop(tmp_path, "items.csv", "nonsense\n")
    store = FakeStore()

    report = run(tmp_path, store, reader=refuse)

    assert names(report.files) == [("items.csv", "rejected")]
    assert report.files[0].report["reason"] == (
        "unreadable: the first row of items.csv names none of the items columns"
    )
    assert store.runs == {}


def test_a_stop_request_ends_the_pass_between_files(tmp_path: Path) -> None:
    drop(tmp_path, "items-a.csv", ITEMS, age=120)
    drop(tmp_path, "items-b.csv", ITEMS, age=60)
    asked: list[int] = []

    def stop_after_one() -> bool:
        asked.append(1)
        return len(asked) > 1

    report = run(tmp_path, FakeStore(), should_stop=stop_after_one)

    assert names(report.files) == [("items-a.csv", "processed")]
    assert (tmp_path / "items-b.csv").is_file()


def test_an_inbox_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        run(tmp_path / "missing", FakeStore())
