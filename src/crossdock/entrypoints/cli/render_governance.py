"""Rich tables for recommendations, their trail and users (masked values show as '-')."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table

from crossdock.entrypoints.cli.render import console

_HIDDEN = "-"


def _add_row(table: Table, *cells: str) -> None:
    table.add_row(*(escape(cell) for cell in cells))  # rule names hold [brackets]


def _money(value: object) -> str:
    return _HIDDEN if value is None else f"{float(str(value)):,.2f}"


def recommendation_table(rows: Sequence[Mapping[str, Any]]) -> None:
    table = Table(title=f"{len(rows)} recommendations, most savings first")
    for column in ("id", "status", "kind", "sku", "from", "to", "qty", "value", "savings", "rule"):
        table.add_column(
            column, justify="right" if column in ("qty", "value", "savings") else "left"
        )
    for row in rows:
        routing = row.get("routing") or {}
        _add_row(
            table,
            str(row["id"]),
            str(row["status"]),
            str(row["kind"]),
            str(row["sku"]),
            str(row.get("from_code") or ""),
            str(row["to_code"]),
            f"{float(row['approved_quantity'] or row['quantity']):,.0f}",
            _money(row.get("order_value")),
            _money(row.get("savings")),
            str(routing.get("rule", "")),
        )
    console.print(table)


def recommendation_detail(detail: Mapping[str, Any]) -> None:
    routing = detail.get("routing") or {}
    console.print(
        f"recommendation {detail['id']} (version {detail['version']}): {detail['status']} - "
        f"{detail['kind']} {float(detail['quantity']):,.0f} x {detail['sku']} "
        f"{detail.get('from_code') or ''} -> {detail['to_code']}; savings "
        f"{_money(detail.get('savings'))}, order value {_money(detail.get('order_value'))}",
        markup=False,
    )
    if routing:
        console.print(
            f"routed: {routing.get('tier')} by {routing.get('rule')} "
            f"(policy {routing.get('policy_version')}); approvers "
            f"{', '.join(routing.get('approver_roles', [])) or '-'}; second approver "
            f"{', '.join(routing.get('second_approver_roles', [])) or '-'}",
            markup=False,
        )
    for approval in detail.get("approvals", []):
        console.print(
            f"approved (step {approval['step']}) by {approval['approver']} as {approval['role']}"
        )
    if detail.get("masked_fields"):
        console.print(f"hidden for your role: {', '.join(detail['masked_fields'])}", markup=False)
    trail = detail.get("audit_trail")
    if trail:
        table = Table(title="audit trail")
        for column in ("seq", "at", "actor", "event", "from", "to", "reason"):
            table.add_column(column)
        for entry in trail:
            _add_row(
                table,
                str(entry["seq"]),
                str(entry["at"])[:19],
                str(entry["actor"]),
                str(entry["event"]),
                str(entry.get("from_status") or ""),
                str(entry.get("to_status") or ""),
                str(entry.get("reason") or ""),
            )
        console.print(table)


def user_table(rows: Sequence[Mapping[str, Any]]) -> None:
    table = Table(title="users and agent accounts")
    for column in ("username", "kind", "roles", "sites", "active"):
        table.add_column(column)
    for row in rows:
        _add_row(
            table,
            str(row["username"]),
            str(row["kind"]),
            str(row["roles"]),
            str(row.get("sites") or "all"),
            "yes" if row["active"] else "no",
        )
    console.print(table)


def seeded(done: Mapping[str, Any]) -> None:
    """What `crossdock demo` set up for governance."""
    if "approval_policy" in done:
        console.print(f"approval policy {done['approval_policy']} is in force (the demo policy)")
    logins = done.get("demo_logins")
    if logins:
        names = ", ".join(f"{name} ({role})" for name, role in logins.items())
        console.print(f"demo logins, password {done['demo_password']!r}: {names}", markup=False)
    else:
        console.print(
            "no demo logins (CROSSDOCK_MODE is not demo): add people with "
            "`crossdock users add NAME --role admin`"
        )
