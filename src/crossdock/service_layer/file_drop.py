"""The file drop: take canonical CSV / Parquet files and EDI X12 files from an inbox
folder, land each one, and file it under `processed/` or `rejected/` with a report.

For distributors whose systems have no API but can write a file to a share. The
folder is the whole interface:

    inbox/              senders drop files here (write as `*.part` or `*.tmp`, or a
                        hidden name, then rename: those are never taken)
    inbox/working/      a file being processed (renamed here first)
    inbox/processed/    something landed; `<name>.report.json` beside it
    inbox/rejected/     nothing landed; `<name>.report.json` says why

The naming rule (`kind_of`): `<entity>.csv`, `<entity>.csv.gz` or `<entity>.parquet`,
or `<entity>-<anything>` with the same suffixes (`items-2026-11-28.csv`,
`demand_history-br01.csv.gz`), so that several files of one entity can wait side by
side; `<entity>` is a canonical entity name, case ignored. EDI X12 is a `.edi` or
`.x12` file, or any file whose first non-blank characters are `ISA`.

Delivery is at least once. A file is first renamed into `working/` (atomic on one
filesystem: two watchers never take the same file, and a crash leaves it visible
there). Files found in `working/` when a watcher starts are processed again: that is
safe because imports upsert by natural key and the event intake stores each event id
once. Only the copy in `working/` is ever read; the file moves out of it last, after
its report is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from crossdock.domain.canonical import ENTITIES_BY_NAME
from crossdock.domain.errors import CrossdockError
from crossdock.ingest.edi import InvalidEdi, decode_edi, edi_events, read_edi
from crossdock.service_layer.event_ports import EventStore
from crossdock.service_layer.importing import ImportOutcome, import_sources
from crossdock.service_layer.intake import IntakeReport, ingest_events
from crossdock.service_layer.ports import CanonicalStore, SourceFrame

if TYPE_CHECKING:
    import pandas as pd

    from crossdock.ingest.edi import EdiFile

# Reads one canonical file holding `entity` into raw text columns plus `_row`; raises a
# CrossdockError (or OSError, ValueError) when the file is not a table at all.
TableReader = Callable[[str, Path], "pd.DataFrame"]

WORKING, PROCESSED, REJECTED = "working", "processed", "rejected"
CANONICAL_SUFFIXES = (".csv.gz", ".csv", ".parquet")
EDI_SUFFIXES = (".edi", ".x12")
UNFINISHED_SUFFIXES = (".part", ".tmp")
REPORT_SUFFIX = ".report.json"
ENTITY_SEPARATOR = "-"
DEFAULT_SETTLE_SECONDS = 2.0
QUARANTINE_SAMPLE = 20
_SNIFF_BYTES = 512

FileStatus = Literal["processed", "rejected", "failed"]
Kind = Literal["canonical", "edi", "unknown"]


# -- the naming rule ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileKind:
    """What a dropped file is: a canonical `entity` file, EDI X12, or neither (`why`)."""

    kind: Kind
    entity: str | None = None
    why: str = ""


def kind_of(name: str, *, starts_with_isa: bool = False) -> FileKind:
    """Classify a file by its name, and by whether its text starts with `ISA`.

    A `.edi` / `.x12` name is EDI; a canonical suffix whose stem is an entity, or starts
    with an entity and `-`, is that entity; otherwise a file that starts with `ISA` is
    EDI whatever its name; anything else is unknown, with the reason.
    """
    lowered = name.lower()
    if lowered.endswith(EDI_SUFFIXES):
        return FileKind("edi")
    suffix = next((s for s in CANONICAL_SUFFIXES if lowered.endswith(s)), None)
    if suffix is not None:
        stem = lowered.removesuffix(suffix).split(ENTITY_SEPARATOR, 1)[0]
        if stem in ENTITIES_BY_NAME:
            return FileKind("canonical", entity=stem)
        if starts_with_isa:
            return FileKind("edi")
        return FileKind(
            "unknown",
            why=(
                f"{stem!r} is not a canonical entity: name the file <entity>{suffix} or "
                f"<entity>-<anything>{suffix}, where <entity> is one of "
                + ", ".join(ENTITIES_BY_NAME)
            ),
        )
    if starts_with_isa:
        return FileKind("edi")
    return FileKind(
        "unknown",
        why=(
            "neither a canonical file (<entity>.csv, .csv.gz or .parquet, or "
            "<entity>-<anything> with those suffixes) nor EDI X12 (.edi, .x12, or text "
            "starting with ISA)"
        ),
    )


def is_unfinished(name: str) -> bool:
    """A name the watcher never takes: hidden, or still being written (`.part`, `.tmp`)."""
    return name.startswith(".") or name.lower().endswith(UNFINISHED_SUFFIXES)


def starts_with_isa(head: bytes) -> bool:
    """Whether the first bytes of a file begin an X12 interchange (after a byte-order
    mark and blanks)."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"ISA")


def stamped_name(name: str, at: datetime, attempt: int = 1) -> str:
    """`name` with a UTC timestamp (and, after the first attempt, a counter) before its
    suffix, so that the file keeps its kind: `items.csv` -> `items-20261128T100000Z.csv`."""
    lowered = name.lower()
    known = next((s for s in (*CANONICAL_SUFFIXES, *EDI_SUFFIXES) if lowered.endswith(s)), None)
    cut = len(name) - len(known or Path(name).suffix)
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    counter = f"-{attempt}" if attempt > 1 else ""
    return f"{name[:cut]}-{stamp}{counter}{name[cut:]}"


def free_name(folder: Path, name: str, at: datetime) -> Path:
    """Where `name` can go in `folder` without replacing a file or a report there."""

    def taken(candidate: str) -> bool:
        return (folder / candidate).exists() or (folder / f"{candidate}{REPORT_SUFFIX}").exists()

    if not taken(name):
        return folder / name
    attempt = 1
    while taken(stamped_name(name, at, attempt)):
        attempt += 1
    return folder / stamped_name(name, at, attempt)


# -- what a file gave, and its report ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """Where a file goes, what it was, and what its report says beyond the common
    fields."""

    status: Literal["processed", "rejected"]
    kind: Kind
    details: Mapping[str, Any] = field(default_factory=dict)


def rejection(kind: Kind, reason: str, **details: Any) -> Verdict:
    return Verdict("rejected", kind, {**details, "reason": reason})


def canonical_verdict(entity: str, outcome: ImportOutcome) -> Verdict:
    """Processed if any row landed; rejected if every row was quarantined. The report
    names the import run, the counts and the first quarantined rows."""
    quality = outcome.to_dict()
    totals = quality["totals"]
    details = {
        "entity": entity,
        "import_run_id": outcome.run_id,
        "rows": {
            "read": totals["rows_read"],
            "accepted": totals["rows_accepted"],
            "quarantined": totals["rows_quarantined"],
            "warnings": totals["warnings"],
        },
        "quarantine": [
            {
                "row": line["row_number"],
                "record": line["key"],
                "field": line["field"],
                "value": line["value"],
                "reason": line["reason"],
                "check": line["check"],
            }
            for line in quality["quarantine_sample"][:QUARANTINE_SAMPLE]
        ],
    }
    if totals["rows_accepted"] == 0:
        return rejection(
            "canonical",
            f"every row was quarantined ({totals['rows_quarantined']:,}): nothing landed",
            **details,
        )
    return Verdict("processed", "canonical", details)


def edi_verdict(read: EdiFile, intake: IntakeReport) -> Verdict:
    """Processed unless every event the file stands for was dead-lettered (then nothing
    landed, as with a file whose rows were all quarantined)."""
    details = {
        "documents": len(read.documents),
        "not_read": [
            {"transaction_set": unread.code, "control_number": unread.control_number,
             "where": str(unread.position)}
            for unread in read.unread
        ],
        "events": {
            "read": intake.read,
            "accepted": intake.accepted,
            "duplicates": intake.duplicates,
            "dead_lettered": intake.dead_lettered,
        },
        "problems": intake.problems,
    }  # fmt: skip
    if intake.read and intake.accepted + intake.duplicates == 0:
        return rejection(
            "edi", f"every event was dead-lettered ({intake.dead_lettered:,})", **details
        )
    return Verdict("processed", "edi", details)


def invalid_edi_verdict(error: InvalidEdi) -> Verdict:
    """An interchange refused whole: where (segment, line, control numbers) and why."""
    where = error.position
    return rejection(
        "edi",
        str(error),
        position={
            "segment": where.segment,
            "line": where.line,
            "interchange": where.interchange,
            "group": where.group,
            "transaction": where.transaction,
        },
        problems=[{"where": str(at), "reason": why} for at, why in error.problems],
    )


def report_document(
    name: str,
    verdict: Verdict,
    *,
    received_at: datetime,
    processed_at: datetime,
    actor: str,
    recovered: bool,
) -> dict[str, Any]:
    """The JSON written beside a filed file: the common fields, then the verdict's."""
    return {
        "file": name,
        "status": verdict.status,
        "kind": verdict.kind,
        "received_at": received_at.isoformat(),
        "processed_at": processed_at.isoformat(),
        "by": actor,
        "recovered_from_working": recovered,
        **verdict.details,
    }


@dataclass(frozen=True, slots=True)
class DroppedFile:
    """One file taken from the inbox: where it went and what its report says. A
    `failed` file stayed in `working/` (the store failed, not the file) and is taken
    again when a watcher next starts."""

    name: str
    status: FileStatus
    report: Mapping[str, Any]
    moved_to: Path
    report_path: Path | None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.report,
            "moved_to": str(self.moved_to),
            "report_path": None if self.report_path is None else str(self.report_path),
        }


@dataclass(frozen=True, slots=True)
class DropReport:
    """One pass over the inbox: the files taken, in order, and those still settling."""

    inbox: Path
    files: tuple[DroppedFile, ...]
    waiting: tuple[str, ...]

    def count(self, status: FileStatus) -> int:
        return sum(1 for dropped in self.files if dropped.status == status)

    def to_json(self) -> dict[str, Any]:
        return {
            "inbox": str(self.inbox),
            "processed": self.count("processed"),
            "rejected": self.count("rejected"),
            "failed": self.count("failed"),
            "waiting": list(self.waiting),
            "files": [dropped.to_json() for dropped in self.files],
        }


# -- the inbox --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InboxContents:
    """What waits in an inbox: files ready to take (oldest first), files still being
    written or settling, and files left in `working/`."""

    ready: tuple[Path, ...]
    settling: tuple[Path, ...]
    in_working: tuple[Path, ...]


def inbox_contents(inbox: Path, *, now: datetime, settle_seconds: float) -> InboxContents:
    """The files of `inbox` (not its folders), oldest first by modification time then
    name; hidden and unfinished names left out; a file modified less than
    `settle_seconds` ago settles (its sender may still be writing)."""
    ready: list[tuple[float, str, Path]] = []
    settling: list[tuple[float, str, Path]] = []
    cutoff = now.timestamp() - settle_seconds
    for path in _files(inbox):
        modified = path.stat().st_mtime
        (ready if modified <= cutoff else settling).append((modified, path.name, path))
    return InboxContents(
        ready=tuple(path for *_, path in sorted(ready)),
        settling=tuple(path for *_, path in sorted(settling)),
        in_working=tuple(
            path
            for *_, path in sorted((p.stat().st_mtime, p.name, p) for p in _files(inbox / WORKING))
        ),
    )


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [path for path in folder.iterdir() if path.is_file() and not is_unfinished(path.name)]


def process_inbox(
    inbox: Path,
    *,
    reader: TableReader,
    store: CanonicalStore,
    events: EventStore,
    now: datetime,
    actor: str,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    recover: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
) -> DropReport:
    """Take every settled file of `inbox`, land it, and file it with its report.

    Args:
        inbox: the folder senders drop files into; `working/`, `processed/` and
            `rejected/` are created inside it.
        reader: reads one canonical file of an entity (the file adapter).
        store: where canonical rows land, as one import run (kind `file_drop`) per file.
        events: the event intake's store, for EDI files (channel `file_drop <name>`).
        now: the time of this pass: settling, import `as_of`, report and name stamps.
        actor: the user running the watcher, written in each report.
        settle_seconds: a file modified more recently than this is left for later.
        recover: take the files left in `working/` first (when a watcher starts: they
            were being processed when an earlier one stopped). At least once: safe,
            since imports upsert and events are stored once per id.
        should_stop: asked before each file; True ends the pass between files.

    Returns:
        The files taken, in order, and the names still settling. One file never stops
        the others: a file that cannot be read is rejected, and one the store fails on
        stays in `working/` as `failed`.

    Raises:
        NotADirectoryError: `inbox` is not a folder.
    """
    if not inbox.is_dir():
        raise NotADirectoryError(f"inbox {inbox} is not a folder")
    working = inbox / WORKING
    working.mkdir(exist_ok=True)
    contents = inbox_contents(inbox, now=now, settle_seconds=settle_seconds)
    taken: list[DroppedFile] = []
    queue = [(path, True) for path in contents.in_working] if recover else []
    queue += [(path, False) for path in contents.ready]
    for path, recovered in queue:
        if should_stop():
            break
        claimed = path if recovered else _claim(path, working, now)
        if claimed is None:
            continue  # another watcher took it first
        dropped = _take(
            claimed,
            path.name,
            recovered=recovered,
            inbox=inbox,
            reader=reader,
            store=store,
            events=events,
            now=now,
            actor=actor,
        )
        if dropped is not None:
            taken.append(dropped)
    return DropReport(
        inbox=inbox,
        files=tuple(taken),
        waiting=tuple(path.name for path in contents.settling),
    )


def _claim(path: Path, working: Path, now: datetime) -> Path | None:
    target = free_name(working, path.name, now)
    try:
        path.rename(target)
    except FileNotFoundError:
        return None
    return target


def _take(
    path: Path,
    name: str,
    *,
    recovered: bool,
    inbox: Path,
    reader: TableReader,
    store: CanonicalStore,
    events: EventStore,
    now: datetime,
    actor: str,
) -> DroppedFile | None:
    try:
        received_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except FileNotFoundError:
        return None  # another watcher, recovering too, filed it already
    try:
        verdict = _verdict(path, name, reader=reader, store=store, events=events, now=now)
    except Exception as error:  # noqa: BLE001 - the store failed, not the file: keep it
        report = {
            "file": name,
            "status": "failed",
            "processed_at": now.isoformat(),
            "by": actor,
            "reason": f"{type(error).__name__}: {error}".strip(),
        }
        return DroppedFile(name, "failed", report, moved_to=path, report_path=None)
    report = report_document(
        name,
        verdict,
        received_at=received_at,
        processed_at=now,
        actor=actor,
        recovered=recovered,
    )
    folder = inbox / (PROCESSED if verdict.status == "processed" else REJECTED)
    folder.mkdir(exist_ok=True)
    target = free_name(folder, name, now)
    report_path = target.with_name(f"{target.name}{REPORT_SUFFIX}")
    _write_json(report_path, report)
    try:
        path.rename(target)
    except FileNotFoundError:
        report_path.unlink(missing_ok=True)
        return None  # another watcher, recovering too, filed it already
    return DroppedFile(name, verdict.status, report, moved_to=target, report_path=report_path)


def _verdict(
    path: Path,
    name: str,
    *,
    reader: TableReader,
    store: CanonicalStore,
    events: EventStore,
    now: datetime,
) -> Verdict:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as error:
        return rejection("unknown", f"unreadable: {error.strerror or error}")
    kind = kind_of(name, starts_with_isa=starts_with_isa(head))
    if kind.kind == "unknown":
        return rejection("unknown", kind.why)
    if kind.kind == "edi":
        return _edi(path, name, events=events, now=now)
    assert kind.entity is not None
    try:
        frame = reader(kind.entity, path)
    except (CrossdockError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or str(error)
        return rejection("canonical", f"unreadable: {reason}", entity=kind.entity)
    if len(frame) == 0:
        return rejection("canonical", "no data rows under the header", entity=kind.entity)
    outcome = import_sources(
        [SourceFrame(entity=kind.entity, source=name, frame=frame)],
        store=store,
        kind="file_drop",
        description=name,
        as_of=now,
    )
    return canonical_verdict(kind.entity, outcome)


def _edi(path: Path, name: str, *, events: EventStore, now: datetime) -> Verdict:
    try:
        read = read_edi(decode_edi(path.read_bytes()))
        found = edi_events(read.documents)
    except InvalidEdi as error:
        return invalid_edi_verdict(error)
    intake = ingest_events(
        events,
        [(f"{name} {event['event_id']}", event) for event in found],
        channel=f"file_drop {name}",
        now=now,
    )
    return edi_verdict(read, intake)


def _write_json(path: Path, document: Mapping[str, Any]) -> None:
    """Write whole or not at all: a reader of `processed/` never sees half a report."""
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    partial.replace(path)
