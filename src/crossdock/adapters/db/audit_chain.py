"""Appending to the hash-chained audit ledger inside the caller's transaction.

Every store that changes state the ledger records (decisions, deliveries, dead letters,
the events agents raise) appends here, in the same transaction as the change, so a
change is never committed without its entry. Appends first update the single
`audit_head` row, which takes the write lock on SQLite and a row lock on PostgreSQL, so
entries are numbered and chained one transaction at a time.

Lock order: on PostgreSQL the head row is the last lock a transaction takes (the
callers write their own rows first, then append), and nothing waits on another lock
while holding it, so appends cannot deadlock with each other or with the rows written
before them; they only queue for the head until the holder commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, select, update

from crossdock.adapters.db.tables import audit_head, audit_ledger
from crossdock.governance.ledger import EntryDraft, LedgerEntry, chain

_LEDGER_BATCH = 2_000


def lock_head(connection: Connection) -> None:
    """Take the chain's head for this transaction (held until commit)."""
    # A write as the transaction's first statement: SQLite takes its write lock here
    # (a read first would leave a snapshot that cannot be upgraded under contention);
    # PostgreSQL locks the row until commit. Callers that write their own rows first
    # (deliveries, dead letters, raised events) already hold SQLite's write lock, as
    # their first statement is a write too.
    connection.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq))


def append_entries(connection: Connection, drafts: Sequence[EntryDraft]) -> list[LedgerEntry]:
    """Chain `drafts` after the head, in order, in the caller's transaction; the entries
    as stored (none, and no lock taken, when there are no drafts)."""
    if not drafts:
        return []
    lock_head(connection)
    head = connection.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
    seq, prev_hash = int(head.seq), str(head.hash)
    chained: list[LedgerEntry] = []
    for draft in drafts:
        seq += 1
        entry = chain(draft, seq=seq, prev_hash=prev_hash)
        chained.append(entry)
        prev_hash = entry.hash
    for start in range(0, len(chained), _LEDGER_BATCH):
        connection.execute(
            insert(audit_ledger),
            [entry.as_row() for entry in chained[start : start + _LEDGER_BATCH]],
        )
    connection.execute(
        update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev_hash)
    )
    return chained
