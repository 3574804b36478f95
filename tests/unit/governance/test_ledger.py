"""The audit chain: every kind of tampering is caught at the first bad entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crossdock.governance.ledger import (
    GENESIS,
    ChainHead,
    EntryDraft,
    chain,
    entry_hash,
    utc_text,
    verify,
)

START = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)


def _rows(n: int = 6) -> tuple[list[dict[str, Any]], ChainHead]:
    rows, prev = [], GENESIS
    for i in range(1, n + 1):
        draft = EntryDraft(
            actor="alice" if i % 2 else "agent:replenishment",
            event="approve" if i % 2 else "created",
            at=START + timedelta(minutes=i),
            recommendation_id=100 + i,
            from_status="pending_approval",
            to_status="approved",
            reason=None,
            snapshot_id=7,
            detail={"quantity": {"from": 10.0, "to": 12.5}, "roles": ["buyer"]},
        )
        entry = chain(draft, seq=i, prev_hash=prev)
        rows.append(entry.as_row())
        prev = entry.hash
    return rows, ChainHead(seq=n, hash=prev)


def test_an_untouched_chain_verifies():
    rows, head = _rows()
    verdict = verify(rows, head=head)
    assert verdict.ok
    assert verdict.checked == 6


def test_an_empty_chain_verifies_against_an_empty_head():
    assert verify([], head=ChainHead(seq=0, hash=GENESIS)).ok


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "mallory"),
        ("reason", "looked fine"),
        ("to_status", "rejected"),
        ("detail", '{"quantity":{"from":10.0,"to":99.0}}'),
        ("at", START + timedelta(days=1)),
        ("snapshot_id", 8),
    ],
)
def test_a_modified_entry_is_named(column: str, value: object):
    rows, head = _rows()
    rows[2][column] = value
    verdict = verify(rows, head=head)
    assert not verdict.ok
    assert verdict.first_bad_seq == 3
    assert "modified" in (verdict.problem or "")


def test_a_modified_and_rehashed_entry_breaks_the_next_link():
    rows, head = _rows()
    rows[2]["actor"] = "mallory"
    rows[2]["hash"] = entry_hash(rows[2])
    verdict = verify(rows, head=head)
    assert verdict.first_bad_seq == 4
    assert "does not link to entry 3" in (verdict.problem or "")


def test_a_deleted_entry_is_named():
    rows, head = _rows()
    del rows[3]
    verdict = verify(rows, head=head)
    assert verdict.first_bad_seq == 5
    assert "expected entry 4" in (verdict.problem or "")


def test_deleting_the_newest_entries_is_caught_by_the_head():
    rows, head = _rows()
    verdict = verify(rows[:4], head=head)
    assert verdict.first_bad_seq == 5
    assert "missing" in (verdict.problem or "")


def test_an_entry_appended_past_the_head_is_caught():
    rows, head = _rows()
    extra = chain(
        EntryDraft(actor="mallory", event="approve", at=START), seq=7, prev_hash=head.hash
    )
    verdict = verify([*rows, extra.as_row()], head=head)
    assert verdict.first_bad_seq == 7


def test_an_inserted_and_renumbered_entry_is_named():
    rows, head = _rows()
    forged = chain(
        EntryDraft(actor="mallory", event="approve", at=START), seq=3, prev_hash=rows[1]["hash"]
    ).as_row()
    renumbered = [*rows[:2], forged, *({**row, "seq": row["seq"] + 1} for row in rows[2:])]
    verdict = verify(renumbered, head=replace(head, seq=7))
    assert verdict.first_bad_seq == 4  # the original third entry, now numbered 4


def test_swapped_entries_are_named():
    rows, head = _rows()
    rows[1], rows[2] = {**rows[2], "seq": 2}, {**rows[1], "seq": 3}
    verdict = verify(rows, head=head)
    assert verdict.first_bad_seq == 2


def test_a_chain_that_starts_at_a_retention_anchor_verifies():
    rows, head = _rows()
    kept = rows[3:]
    anchored = replace(head, anchor_seq=3, anchor_hash=rows[2]["hash"])
    assert verify(kept, head=anchored).ok
    assert not verify(kept, head=head).ok


def test_naive_times_from_sqlite_hash_as_utc():
    naive = datetime(2026, 11, 2, 8, 30)  # noqa: DTZ001 - what SQLite gives back
    assert utc_text(naive) == utc_text(START) == "2026-11-02T08:30:00.000000Z"
