"""`crossdock audit verify` on real databases: edit, delete, insert and reorder ledger
rows directly in SQL, and the command fails naming the first bad entry."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Connection, delete, insert, select, update
from typer.testing import CliRunner

from crossdock.adapters.db.tables import audit_head, audit_ledger
from crossdock.bootstrap import Crossdock
from crossdock.entrypoints.cli.app import app
from crossdock.governance.access import Principal
from crossdock.governance.ledger import GENESIS, EntryDraft, chain, entry_hash
from crossdock.service_layer.auditing import purge_audit
from crossdock.service_layer.routing import route_plan
from tests.integration.governance_fixtures import AT, add_plan_run, add_recommendation

runner = CliRunner()


@pytest.fixture
def ledger(crossdock: Crossdock) -> Crossdock:
    """Ten entries: five recommendations created and routed."""
    plan_run = add_plan_run(crossdock.engine)
    for i in range(5):
        add_recommendation(crossdock.engine, plan_run, sku=f"SKU-{i:06d}")
    route_plan(crossdock.governance, plan_run_id=plan_run, policy=None, now=AT)
    return crossdock


def _verify(crossdock: Crossdock) -> tuple[int, str, str]:
    url = crossdock.engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["--database-url", url, "audit", "verify", "--json"])
    return result.exit_code, result.stdout, result.stderr


def _edit(connection: Connection) -> None:
    connection.execute(
        update(audit_ledger).where(audit_ledger.c.seq == 4).values(reason="approved by phone")
    )


def _delete(connection: Connection) -> None:
    connection.execute(delete(audit_ledger).where(audit_ledger.c.seq == 4))


def _delete_newest(connection: Connection) -> None:
    connection.execute(delete(audit_ledger).where(audit_ledger.c.seq == 10))


def _insert(connection: Connection) -> None:
    """A forged entry at 4, the rest renumbered after it, the forgery hashed correctly."""
    connection.execute(
        update(audit_ledger).where(audit_ledger.c.seq >= 4).values(seq=-audit_ledger.c.seq)
    )
    connection.execute(
        update(audit_ledger).where(audit_ledger.c.seq < 0).values(seq=-audit_ledger.c.seq + 1)
    )
    third = connection.execute(select(audit_ledger.c.hash).where(audit_ledger.c.seq == 3)).one()
    forged = chain(
        EntryDraft(actor="mallory", event="approve", at=AT, recommendation_id=2),
        seq=4,
        prev_hash=third.hash,
    )
    connection.execute(insert(audit_ledger).values(**forged.as_row()))


def _reorder(connection: Connection) -> None:
    """Entries 4 and 5 swap places."""
    connection.execute(update(audit_ledger).where(audit_ledger.c.seq == 4).values(seq=-4))
    connection.execute(update(audit_ledger).where(audit_ledger.c.seq == 5).values(seq=4))
    connection.execute(update(audit_ledger).where(audit_ledger.c.seq == -4).values(seq=5))


@pytest.mark.parametrize(
    ("tamper", "first_bad", "words"),
    [
        (_edit, 4, "modified"),
        (_delete, 5, "expected entry 4"),
        (_delete_newest, 10, "missing"),
        (_insert, 5, "moved from another place"),
        (_reorder, 4, "entry 4"),
    ],
)
def test_verify_fails_naming_the_first_bad_entry(
    ledger: Crossdock, tamper: Callable[[Connection], None], first_bad: int, words: str
):
    code, out, _ = _verify(ledger)
    assert code == 0
    assert json.loads(out)["checked"] == 10
    with ledger.engine.begin() as connection:
        tamper(connection)
    code, out, err = _verify(ledger)
    verdict = json.loads(out)
    assert code == 1
    assert verdict["ok"] is False
    assert verdict["first_bad_seq"] == first_bad
    assert words in verdict["problem"]
    assert f"audit ledger broken: entry {first_bad}" in err


def _age(crossdock: Crossdock, *, first: int, days: int) -> None:
    """Date the first entries `days` back and re-chain, as if written then."""
    with crossdock.engine.begin() as connection:
        connection.execute(
            update(audit_ledger)
            .where(audit_ledger.c.seq <= first)
            .values(at=AT - timedelta(days=days))
        )
        prev = GENESIS
        for row in connection.execute(select(audit_ledger).order_by(audit_ledger.c.seq)).all():
            fixed = {**row._mapping, "prev_hash": prev}
            prev = entry_hash(fixed)
            connection.execute(
                update(audit_ledger)
                .where(audit_ledger.c.seq == row.seq)
                .values(prev_hash=fixed["prev_hash"], hash=prev)
            )
        connection.execute(update(audit_head).values(hash=prev))


def test_purge_archives_what_it_removes_and_what_is_kept_still_verifies(ledger, tmp_path):
    _age(ledger, first=4, days=365)
    archive = tmp_path / "purged.jsonl"
    admin = Principal(username="root", kind="person", roles=frozenset({"admin"}))
    purged = purge_audit(ledger.governance, actor=admin, retention_days=90, now=AT, archive=archive)
    assert purged == 4
    assert [json.loads(line)["seq"] for line in archive.read_text().splitlines()] == [1, 2, 3, 4]
    assert [row["seq"] for row in ledger.governance.ledger()] == list(range(5, 11))
    assert ledger.governance.head().anchor_seq == 4
    code, _, _ = _verify(ledger)
    assert code == 0
    with ledger.engine.begin() as connection:  # the anchor still guards the first kept entry
        _edit_seq(connection, 5)
    code, out, _ = _verify(ledger)
    assert (code, json.loads(out)["first_bad_seq"]) == (1, 5)


def _edit_seq(connection: Connection, seq: int) -> None:
    connection.execute(update(audit_ledger).where(audit_ledger.c.seq == seq).values(actor="x"))
