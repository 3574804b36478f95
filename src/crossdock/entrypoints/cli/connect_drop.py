"""`crossdock connect drop`: watch an inbox folder for canonical CSV / Parquet and EDI
X12 files; land each and file it under processed/ or rejected/ with a report."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import JsonOption, one_line_errors, open_crossdock

if TYPE_CHECKING:
    from crossdock.service_layer.file_drop import DropReport

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@one_line_errors
def drop(
    inbox: Annotated[
        Path,
        typer.Argument(
            help="The inbox folder senders drop files into.", file_okay=False, exists=True
        ),
    ],
    user: Annotated[
        str,
        typer.Option(
            "--as", envvar="CROSSDOCK_USER", help="The user acting (default: $CROSSDOCK_USER)."
        ),
    ],
    once: Annotated[
        bool, typer.Option("--once", help="Process what is there now, then stop.")
    ] = False,
    poll: Annotated[
        float, typer.Option("--poll", min=0.1, help="Seconds between looks at the inbox.")
    ] = 5.0,
    settle: Annotated[
        float,
        typer.Option(
            "--settle", min=0.0, help="Leave a file this many seconds after its last change."
        ),
    ] = 2.0,
    as_json: JsonOption = False,
) -> None:
    """Watch an inbox folder for canonical CSV / Parquet or EDI files: each settled file
    is landed (an import run per canonical file, the event intake for EDI) and moved to
    processed/ or rejected/ with <name>.report.json beside it; files left in working/ by
    an earlier run are taken first. Without --once it looks again every --poll seconds
    until Ctrl-C or SIGTERM, which stop it between files. Prints one line per file, or
    with --json one JSON object per pass (one line per pass when polling). With --once,
    exits 1 if a file failed (the store failed; the file stays in working/)."""
    from crossdock.adapters.connectors.file_drop import factory  # noqa: PLC0415
    from crossdock.governance.access import authorize  # noqa: PLC0415
    from crossdock.service_layer.identity import principal_named  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    authorize(principal_named(crossdock.governance, user), "import_data")
    connector = factory(inbox.name, {"inbox": str(inbox), "settle_seconds": str(settle)})
    stop = threading.Event()
    failed = 0
    with _stop_on_signals(stop):
        recover = True  # files left in working/ are taken when the watcher starts
        while True:
            report = connector.process(
                store=crossdock.store,
                events=crossdock.events,
                actor=user,
                now=datetime.now(UTC),
                recover=recover,
                should_stop=stop.is_set,
            )
            recover = False
            failed += report.count("failed")
            _show(report, as_json=as_json, once=once)
            if once or stop.is_set():
                break
            stop.wait(poll)
    if once and failed:
        raise typer.Exit(code=1)


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM set `stop` (the pass ends after the file in hand); a second
    Ctrl-C interrupts at once."""

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()
        signal.signal(
            signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
        )

    previous = {signum: signal.signal(signum, request_stop) for signum in _STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _show(report: DropReport, *, as_json: bool, once: bool) -> None:
    if as_json:
        if once:
            render.emit_json(report.to_json())
        elif report.files:
            render.emit_text(json.dumps(report.to_json(), default=str) + "\n")
        return
    for dropped in report.files:
        render.emit_text(_line(dropped.to_json()) + "\n")
    if once and not report.files:
        waiting = f" ({len(report.waiting)} settling)" if report.waiting else ""
        render.emit_text(f"nothing to do in {report.inbox}{waiting}\n")


def _line(file: dict[str, Any]) -> str:
    """`processed items.csv (items): 3 rows read, ...; report <path>`."""
    name, status = file["file"], file["status"]
    if "rows" in file:
        rows = file["rows"]
        what = (
            f" ({file['entity']}): {rows['read']:,} rows read, {rows['accepted']:,} accepted, "
            f"{rows['quarantined']:,} quarantined, import run {file['import_run_id']}"
        )
    elif "events" in file:
        events = file["events"]
        what = (
            f" (EDI): {file['documents']:,} documents, {events['read']:,} events: "
            f"{events['accepted']:,} accepted, {events['duplicates']:,} duplicates, "
            f"{events['dead_lettered']:,} dead-lettered"
        )
    else:
        what = ""
    why = f"; {file['reason']}" if status != "processed" and file.get("reason") else ""
    where = f"; report {file['report_path']}" if file.get("report_path") else ""
    if status == "failed":
        where = f"; left in {file['moved_to']}"
    return f"{status} {name}{what}{why}{where}"
