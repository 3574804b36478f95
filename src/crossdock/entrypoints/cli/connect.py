"""`crossdock connect`: configure connections to systems of record, test them, sync
their data in, write approved drafts back and read their states; watch an inbox
folder (`connect drop`).

    crossdock connect kinds
    crossdock connect add erp --kind tryton --set url=http://127.0.0.1:8000 \\
        --set database=acme --set user=crossdock --set password_env=TRYTON_PASSWORD --as admin
    crossdock connect test erp
    crossdock connect sync erp --as admin          # what changed since the last sync
    crossdock connect push erp --as admin          # approved drafts in, states back
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from crossdock.entrypoints.cli import render
from crossdock.entrypoints.cli.connect_drop import drop
from crossdock.entrypoints.cli.context import (
    AsUser,
    JsonOption,
    one_line_errors,
    open_crossdock,
)

connect_app = typer.Typer(
    help="Connections to systems of record (Tryton, an inbox folder): add, test, sync, push.",
    no_args_is_help=True,
)
connect_app.command("drop")(drop)

NameArgument = Annotated[str, typer.Argument(help="The connection's name.")]


@connect_app.command("kinds")
@one_line_errors
def kinds(as_json: JsonOption = False) -> None:
    """The connectors installed (entry points `crossdock.connectors`) and their settings."""
    from crossdock.adapters.connectors.registry import factories  # noqa: PLC0415

    found = {kind: dict(factory.settings_help) for kind, factory in factories().items()}
    if as_json:
        render.emit_json(found)
        return
    for kind, settings in sorted(found.items()):
        render.emit_text(f"{kind}\n")
        for key, meaning in settings.items():
            render.emit_text(f"  {key}: {meaning}\n")


@connect_app.command("add")
@one_line_errors
def add(
    name: NameArgument,
    kind: Annotated[str, typer.Option("--kind", help="The connector: see `connect kinds`.")],
    user: AsUser,
    setting: Annotated[
        list[str] | None,
        typer.Option("--set", help="key=value, repeated; secrets by env var (password_env=...)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a connection, or change one's settings (checked by its connector, not tried:
    `connect test` tries it)."""
    from crossdock.adapters.connectors.registry import factory  # noqa: PLC0415
    from crossdock.governance.access import authorize  # noqa: PLC0415
    from crossdock.service_layer.connector_ports import Connection  # noqa: PLC0415
    from crossdock.service_layer.identity import principal_named  # noqa: PLC0415

    settings = _settings(setting or [])
    known = factory(kind).settings_help
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise ValueError(f"--set {unknown[0]}: not a {kind} setting (known: {', '.join(known)})")
    for key in settings:
        if "password" in key and not key.endswith("_env"):
            raise ValueError(f"--set {key}: give secrets as an environment variable ({key}_env)")
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    authorize(principal_named(crossdock.governance, user), "manage_users")
    existing = crossdock.connections.connection(name)
    connection = Connection(
        name=name,
        kind=kind,
        settings={**(existing.settings if existing and existing.kind == kind else {}), **settings},
        created_at=existing.created_at if existing and existing.created_at else datetime.now(UTC),
    )
    crossdock.connections.save_connection(connection)
    payload = {"name": name, "kind": kind, "settings": dict(connection.settings)}
    if as_json:
        render.emit_json(payload)
    else:
        render.emit_text(f"connection {name} ({kind}) saved\n")


@connect_app.command("list")
@one_line_errors
def list_(as_json: JsonOption = False) -> None:
    """Every connection, with its last sync."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    rows = [_connection_json(c) for c in crossdock.connections.connections()]
    if as_json:
        render.emit_json({"connections": rows})
        return
    if not rows:
        render.emit_text("no connections: add one with `crossdock connect add`\n")
    for row in rows:
        render.emit_text(
            f"{row['name']} ({row['kind']}): last sync {row['last_sync_at'] or 'never'} "
            f"{row['last_status'] or ''} {row['last_error'] or ''}\n"
        )


@connect_app.command("test")
@one_line_errors
def check(name: NameArgument, as_json: JsonOption = False) -> None:
    """Reach the system, log in and say what it holds (exit 1 if it cannot)."""
    crossdock = open_crossdock()
    crossdock.require_current_schema()
    connector = crossdock.connector(_connection(crossdock, name))
    try:
        seen = connector.check()
    finally:
        connector.close()
    if as_json:
        render.emit_json({"ok": True, **seen})
    else:
        render.emit_text(f"{name}: ok, " + ", ".join(f"{k} {v}" for k, v in seen.items()) + "\n")


@connect_app.command("sync")
@one_line_errors
def sync(
    name: NameArgument,
    user: AsUser,
    full: Annotated[
        bool, typer.Option("--full", help="Read everything, not only changes.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Read what changed in the system since the last sync into Crossdock, as one import
    run (bad records quarantined, naming the record, field and value)."""
    from crossdock.governance.access import authorize  # noqa: PLC0415
    from crossdock.service_layer.connecting import sync as run_sync  # noqa: PLC0415
    from crossdock.service_layer.identity import principal_named  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    authorize(principal_named(crossdock.governance, user), "import_data")
    connection = _connection(crossdock, name)
    connector = crossdock.connector(connection)
    try:
        with render.progress_bars() as progress:
            outcome = run_sync(connector, connection, store=crossdock.store,
                               connections=crossdock.connections, now=datetime.now(UTC),
                               full=full, progress=progress)  # fmt: skip
    finally:
        connector.close()
    payload: dict[str, Any] = {"connection": name, "import": outcome.to_dict() if outcome else None}
    if as_json:
        render.emit_json(payload)
        return
    if outcome is None:
        render.emit_text(f"{name}: nothing changed\n")
        return
    totals = outcome.report.to_dict()["totals"]
    render.emit_text(
        f"{name}: import run {outcome.run_id}, {totals['rows_accepted']:,} rows accepted, "
        f"{totals['rows_quarantined']:,} quarantined\n"
    )


@connect_app.command("push")
@one_line_errors
def push(name: NameArgument, user: AsUser, as_json: JsonOption = False) -> None:
    """Write approved transfers and buys into the system as drafts, then read back what
    its users did with the drafts written before (committed or cancelled)."""
    from crossdock.governance.access import authorize  # noqa: PLC0415
    from crossdock.service_layer.connecting import push as run_push  # noqa: PLC0415
    from crossdock.service_layer.connecting import read_back  # noqa: PLC0415
    from crossdock.service_layer.identity import principal_named  # noqa: PLC0415

    crossdock = open_crossdock()
    crossdock.require_current_schema()
    authorize(principal_named(crossdock.governance, user), "import_data")
    connector = crossdock.connector(_connection(crossdock, name))
    now = datetime.now(UTC)
    try:
        pushed = run_push(connector, governance=crossdock.governance,
                          drafts=crossdock.connections, now=now,
                          policy=crossdock.approval_policy())  # fmt: skip
        back = read_back(connector, governance=crossdock.governance,
                         drafts=crossdock.connections, now=now)  # fmt: skip
    finally:
        connector.close()
    payload = {"connection": name, "push": pushed.to_json(), "read_back": back.to_json()}
    if as_json:
        render.emit_json(payload)
        return
    render.emit_text(
        f"{name}: {len(pushed.written)} drafts written, {len(pushed.unreachable)} waiting for "
        f"the ERP, {len(pushed.refused)} refused; {len(back.committed)} committed, "
        f"{len(back.cancelled)} cancelled, {back.waiting} still drafts\n"
    )
    for rec, why in {**pushed.unreachable, **pushed.refused}.items():
        render.emit_error(f"R-{rec}: {why}")


def _settings(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set {pair!r}: expected key=value")
        out[key.strip()] = value.strip()
    return out


def _connection(crossdock: Any, name: str) -> Any:
    found = crossdock.connections.connection(name)
    if found is None:
        known = ", ".join(c.name for c in crossdock.connections.connections()) or "none"
        raise ValueError(f"no connection named {name!r} (known: {known})")
    return found


def _connection_json(connection: Any) -> dict[str, Any]:
    return {
        "name": connection.name,
        "kind": connection.kind,
        "settings": dict(connection.settings),
        "cursor": connection.cursor,
        "last_sync_at": connection.last_sync_at.isoformat() if connection.last_sync_at else None,
        "last_status": connection.last_status,
        "last_error": connection.last_error,
    }
