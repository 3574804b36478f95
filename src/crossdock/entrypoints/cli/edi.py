"""`crossdock edi`: read an X12 file into canonical documents, or feed its events to
the event intake (the same validation and storage as `crossdock events ingest`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import JsonOption, one_line_errors, open_crossdock

edi_app = typer.Typer(
    help="EDI X12: read 850/855/856/810/940/945/997 files; feed their events to the intake.",
    no_args_is_help=True,
)

EdiFileArgument = Annotated[
    Path,
    typer.Argument(help="An X12 file (one or more interchanges).", exists=True, dir_okay=False),
]


@edi_app.command("parse")
@one_line_errors
def parse(file: EdiFileArgument, as_json: JsonOption = False) -> None:
    """Print the canonical documents an X12 file holds; refuse it, naming the segment
    and the reason, if its envelopes, counts or syntax notes do not hold."""
    from crossdock.ingest.edi import decode_edi, document_json, read_edi  # noqa: PLC0415

    read = read_edi(decode_edi(file.read_bytes()))
    if as_json:
        render.emit_json(
            {
                "file": str(file),
                "documents": [document_json(document) for document in read.documents],
                "unread": [
                    {"transaction_set": u.code, "control_number": u.control_number,
                     "where": str(u.position)}
                    for u in read.unread
                ],
            }
        )  # fmt: skip
        return
    for document in read.documents:
        payload = document_json(document)
        origin = document.origin
        number = next(
            str(payload[key])
            for key in ("po_number", "asn_number", "invoice_number", "order_number",
                        "group_control_number")
            if key in payload
        )  # fmt: skip
        lines = payload.get("lines", payload.get("items", payload.get("transactions", ())))
        render.emit_text(
            f"{origin.transaction_set} {payload['document']} {number}: {len(lines)} lines "
            f"(from {origin.sender}, interchange {origin.interchange}, group {origin.group}, "
            f"set {origin.transaction})\n"
        )
    for unread in read.unread:
        render.emit_text(f"{unread.code} not read (set {unread.control_number})\n")


@edi_app.command("ingest")
@one_line_errors
def ingest(
    file: EdiFileArgument,
    user: Annotated[
        str,
        typer.Option(
            "--as", envvar="CROSSDOCK_USER", help="The user acting (default: $CROSSDOCK_USER)."
        ),
    ],
    fail_on_dead_letter: Annotated[
        bool, typer.Option("--fail-on-dead-letter", help="Exit 3 if any event was refused.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Turn an X12 file's documents into canonical events and feed them to the intake:
    each stored once, any the file cannot complete dead-lettered with the reason."""
    from crossdock.governance.access import authorize  # noqa: PLC0415
    from crossdock.ingest.edi import decode_edi, edi_events, read_edi  # noqa: PLC0415
    from crossdock.service_layer.identity import principal_named  # noqa: PLC0415
    from crossdock.service_layer.intake import ingest_events  # noqa: PLC0415

    read = read_edi(decode_edi(file.read_bytes()))
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    authorize(principal_named(crossdock.governance, user), "import_data")
    events = edi_events(read.documents)
    report = ingest_events(
        crossdock.events,
        [(f"{file.name} {event['event_id']}", event) for event in events],
        channel=f"edi {file.name}",
        now=datetime.now(UTC),
    )
    if as_json:
        render.emit_json({**report.to_json(), "documents": len(read.documents)})
    else:
        render.console.print(
            f"{len(read.documents):,} documents, {report.read:,} events: {report.accepted:,} "
            f"accepted, {report.duplicates:,} duplicates, {report.dead_lettered:,} dead-lettered",
            markup=False,
        )
        render.intake_problems(report.problems)
    if fail_on_dead_letter and report.dead_lettered:
        raise typer.Exit(code=3)
