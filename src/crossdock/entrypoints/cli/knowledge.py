"""`crossdock knowledge`: ingest SOPs, agreements and policies into the copilot's
knowledge base, and list what you may read (docs/copilot.md).

    crossdock knowledge ingest docs/sops --as admin
    crossdock knowledge ingest acme.pdf --type supplier_agreement --supplier SUP-01 --as admin
    crossdock knowledge list --as pat --json
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.context import AsUser, JsonOption, one_line_errors, open_crossdock
from crossdock.service_layer.identity import principal_named
from crossdock.service_layer.knowledge import (
    IngestReport,
    document_files,
    document_list,
    ingest_documents,
)

knowledge_app = typer.Typer(
    help="The copilot's documents: ingest SOPs, agreements and policies; list them.",
    no_args_is_help=True,
)

Meta = Annotated[str | None, typer.Option(show_default=False)]


@knowledge_app.command("ingest")
@one_line_errors
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (read recursively).", exists=True)
    ],
    user: AsUser,
    doc_type: Annotated[
        str | None,
        typer.Option(
            "--type",
            help="sop, supplier_agreement, customer_agreement or policy "
            "(needed unless the document says).",
            show_default=False,
        ),
    ] = None,
    site: Meta = None,
    supplier: Meta = None,
    customer: Meta = None,
    key: Annotated[
        str | None, typer.Option(help="The document's key (default: file name).")
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Its title (default: first heading or file name).")
    ] = None,
    effective_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    effective_to: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    audience: Annotated[
        str | None, typer.Option(help="Roles that may read it, comma-separated.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Store each document as a new version (unchanged ones are skipped); exits 1 if
    any failed, after storing the others."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    actor = principal_named(crossdock.governance, user)
    files = _files(paths)
    overrides = {
        "doc_type": doc_type,
        "site": site,
        "supplier": supplier,
        "customer": customer,
        "key": key,
        "title": title,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "audience": audience,
    }
    with render.progress_bars(enabled=not as_json) as progress:
        advance = progress("ingesting documents", len(files)) if progress else None
        report = ingest_documents(
            crossdock.knowledge,
            _read(files),
            actor=actor,
            now=datetime.now(UTC),
            overrides={k: v for k, v in overrides.items() if v is not None},
            on_file=(lambda _name: advance(1)) if advance else None,
        )
    if as_json:
        render.emit_json(report.to_json())
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(code=1)


@knowledge_app.command("list")
@one_line_errors
def list_(user: AsUser, as_json: JsonOption = False) -> None:
    """The documents you may read: current version, type, dates, passages."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    rows = document_list(crossdock.knowledge, principal_named(crossdock.governance, user))
    if as_json:
        render.emit_json({"documents": rows})
        return
    table = Table(title=f"{len(rows)} documents")
    for column in ("key", "title", "type", "version", "about", "effective", "passages"):
        table.add_column(column, justify="right" if column in ("version", "passages") else "left")
    for row in rows:
        table.add_row(
            row["key"],
            row["title"],
            row["doc_type"],
            f"v{row['version']} of {row['versions']}",
            _about(row),
            f"{row['effective_from'] or '…'} to {row['effective_to'] or '…'}",
            str(row["passages"]),
        )
    render.console.print(table)


def _files(paths: list[Path]) -> list[tuple[str, Path]]:
    """(name, path) of each document: a file given by itself is named by its file name,
    one found in a folder by its path under that folder."""
    found: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            found += [(p.relative_to(path).as_posix(), p) for p in document_files(path)]
        else:
            found.append((path.name, path))
    return found


def _read(files: list[tuple[str, Path]]) -> Iterator[tuple[str, bytes]]:
    for name, path in files:
        yield name, path.read_bytes()


def _print_report(report: IngestReport) -> None:
    out = render.console
    for done in report.accepted:
        was = f" (was v{done.previous})" if done.previous else ""
        out.print(
            f"stored {done.name}: {done.key} v{done.version}{was}, {done.passages} passages",
            markup=False,
        )
    for same in report.unchanged:
        out.print(f"unchanged {same.name}: {same.key} v{same.version}", markup=False)
    for failed in report.failed:
        render.emit_error(f"failed {failed.name}: {failed.reason}")
    out.print(
        f"{len(report.accepted)} stored, {len(report.unchanged)} unchanged, "
        f"{len(report.failed)} failed",
        markup=False,
    )


def _about(row: dict[str, Any]) -> str:
    parts = [row.get(name) for name in ("site", "supplier", "customer")]
    return ", ".join(str(p) for p in parts if p) or "all"
