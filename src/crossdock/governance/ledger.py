"""The audit ledger's hash chain: how an entry is hashed and how a chain is verified.

Each entry's hash is sha256 over its own fields, its sequence number and the previous
entry's hash, so changing, deleting, inserting or reordering any entry breaks the chain
at that point. The chain starts at an anchor (all zeros, or the last entry a retention
purge removed) and ends at the head the store keeps beside it, so deleting the newest
entries is caught too. Nothing here reads or writes a database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """What happened, before it has a place in the chain."""

    actor: str
    event: str
    at: datetime
    recommendation_id: int | None = None
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    snapshot_id: int | None = None
    model_version: str | None = None
    policy_version: str | None = None
    erp_document: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One entry as stored: the draft's fields, its place, and the hashes."""

    seq: int
    at: datetime
    actor: str
    event: str
    recommendation_id: int | None
    from_status: str | None
    to_status: str | None
    reason: str | None
    snapshot_id: int | None
    model_version: str | None
    policy_version: str | None
    erp_document: str | None
    detail: str  # canonical JSON, hashed as stored
    prev_hash: str
    hash: str

    def as_row(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "event": self.event,
            "recommendation_id": self.recommendation_id,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "reason": self.reason,
            "snapshot_id": self.snapshot_id,
            "model_version": self.model_version,
            "policy_version": self.policy_version,
            "erp_document": self.erp_document,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def canonical_json(value: Mapping[str, Any]) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def utc_text(at: datetime) -> str:
    """`at` in UTC with microseconds; a naive time (SQLite gives those back) is UTC."""
    moment = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(row: Mapping[str, Any]) -> str:
    """sha256 over an entry's fields (all but `hash`), its seq and its prev_hash."""
    fields = [
        row["seq"],
        utc_text(row["at"]),
        row["actor"],
        row["event"],
        row["recommendation_id"],
        row["from_status"],
        row["to_status"],
        row["reason"],
        row["snapshot_id"],
        row["model_version"],
        row["policy_version"],
        row["erp_document"],
        row["detail"],
        row["prev_hash"],
    ]
    text = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain(draft: EntryDraft, *, seq: int, prev_hash: str) -> LedgerEntry:
    """`draft` as entry number `seq`, linked to the entry before it."""
    row: dict[str, Any] = {
        "seq": seq,
        "at": draft.at,
        "actor": draft.actor,
        "event": draft.event,
        "recommendation_id": draft.recommendation_id,
        "from_status": draft.from_status,
        "to_status": draft.to_status,
        "reason": draft.reason,
        "snapshot_id": draft.snapshot_id,
        "model_version": draft.model_version,
        "policy_version": draft.policy_version,
        "erp_document": draft.erp_document,
        "detail": canonical_json(draft.detail),
        "prev_hash": prev_hash,
    }
    return LedgerEntry(**row, hash=entry_hash(row))


@dataclass(frozen=True, slots=True)
class ChainHead:
    """Where the chain starts (the retention anchor) and where it ends (the newest entry)."""

    seq: int
    hash: str
    anchor_seq: int = 0
    anchor_hash: str = GENESIS


@dataclass(frozen=True, slots=True)
class Verification:
    """The verdict on a chain: how many entries were checked and the first bad one."""

    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
        }


def verify(rows: Iterable[Mapping[str, Any]], *, head: ChainHead) -> Verification:
    """Walk the entries in stored order from the anchor; stop at the first that breaks.

    `rows` are the stored entries as mappings (column name to value), in seq order.
    A changed entry fails its own hash; a deleted one leaves a gap in seq; an inserted
    or reordered one breaks the link to the entry before; a deleted newest entry leaves
    the chain short of the head.
    """
    expected_seq, prev_hash = head.anchor_seq + 1, head.anchor_hash
    checked = 0
    for row in rows:
        seq = int(row["seq"])
        problem = _entry_problem(row, seq=seq, expected_seq=expected_seq, prev_hash=prev_hash)
        if problem is not None:
            return Verification(checked, seq, problem)
        checked += 1
        expected_seq, prev_hash = seq + 1, str(row["hash"])
    last = expected_seq - 1
    if last < head.seq:
        return Verification(
            checked,
            last + 1,
            f"entry {last + 1}: missing; the head records entries up to {head.seq} "
            "(newest entries deleted)",
        )
    if last > head.seq:
        return Verification(
            checked,
            head.seq + 1,
            f"entry {head.seq + 1}: past the head, which ends at entry {head.seq} "
            "(added outside the ledger)",
        )
    if prev_hash != head.hash:
        return Verification(
            checked, last, f"entry {last}: its hash differs from the one the head records"
        )
    return Verification(checked)


def _entry_problem(
    row: Mapping[str, Any], *, seq: int, expected_seq: int, prev_hash: str
) -> str | None:
    if seq != expected_seq:
        where = "missing" if seq > expected_seq else "out of order"
        return (
            f"entry {seq}: expected entry {expected_seq} here (entries {where}: "
            "deleted, inserted or reordered)"
        )
    if row["hash"] != entry_hash(row):
        return (
            f"entry {seq}: its contents do not match its hash "
            "(modified, or moved from another place)"
        )
    if row["prev_hash"] != prev_hash:
        return (
            f"entry {seq}: does not link to entry {seq - 1} (it or the entry before it was "
            "replaced, inserted or reordered)"
        )
    return None
