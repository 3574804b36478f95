"""The audit ledger's use cases: verify the chain, export it, purge by retention.

Verification reads the entries exactly as stored. Exports are masked for the person
exporting (supplier cost, customer pricing), so an export for a role without those
classes is a reading copy, not something to verify; an auditor's export is complete.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from crossdock.governance.access import Principal, authorize
from crossdock.governance.ledger import Verification, verify
from crossdock.governance.masking import MASKED_FIELDS_KEY, mask_ledger_entry
from crossdock.service_layer.governance_ports import GovernanceStore
from crossdock.service_layer.listing_ports import (
    LedgerFilter,
    LedgerReads,
    Page,
    PageRequest,
    checked_key,
)

ExportFormat = Literal["csv", "jsonl"]
COLUMNS = (
    "seq",
    "at",
    "actor",
    "event",
    "recommendation_id",
    "from_status",
    "to_status",
    "reason",
    "snapshot_id",
    "model_version",
    "policy_version",
    "erp_document",
    "detail",
    "prev_hash",
    "hash",
)


def verify_audit(store: GovernanceStore, *, actor: Principal) -> Verification:
    """Walk the whole chain from its anchor to its head; the first bad entry is named."""
    authorize(actor, "verify_audit")
    return verify(store.ledger(), head=store.head())


def audit_trail(
    store: GovernanceStore,
    *,
    actor: Principal,
    recommendation_id: int,
    order_value: float | None = None,
) -> list[dict[str, Any]]:
    """One recommendation's entries, oldest first, masked for `actor`; `order_value`
    (the recommendation's) is cleaned out of their texts too."""
    authorize(actor, "view_audit")
    return [
        _readable(row, actor, order_value=order_value)
        for row in store.ledger(recommendation_id=recommendation_id)
    ]


def audit_page(
    store: LedgerReads, *, actor: Principal, where: LedgerFilter, page: PageRequest
) -> Page:
    """A page of the ledger, newest entry first, masked for `actor` as exports are."""
    authorize(actor, "view_audit")
    checked_key(page.after, int)
    if where.since is not None:  # the ledger keeps UTC; a time without a zone is read as UTC
        where = replace(where, since=_aware(where.since).astimezone(UTC))
    rows, after = store.ledger_page(where=where, page=page)
    return Page(items=[_readable(row, actor) for row in rows], next_after=after)


def export_audit(
    store: GovernanceStore,
    out: Path,
    *,
    actor: Principal,
    format: ExportFormat,
    recommendation_id: int | None = None,
) -> int:
    """Write the ledger (or one recommendation's entries) to `out`; returns entries written."""
    authorize(actor, "export_audit")
    rows = (_readable(row, actor) for row in store.ledger(recommendation_id=recommendation_id))
    return _write(rows, out, format=format)


def purge_audit(
    store: GovernanceStore,
    *,
    actor: Principal,
    retention_days: int | None,
    now: datetime,
    archive: Path,
    format: ExportFormat = "jsonl",
) -> int:
    """Archive, then remove, entries older than the retention period.

    The chain's anchor moves to the newest purged entry, so what is kept still
    verifies. Returns how many entries were removed (0 when retention is not set).
    """
    authorize(actor, "purge_audit")
    if retention_days is None:
        return 0
    before = now - timedelta(days=retention_days)
    old = (_readable(row, actor) for row in store.ledger() if _aware(row["at"]) < before)
    archived = _write(old, archive, format=format)
    purged = store.purge_ledger(before=before)
    if purged > archived:
        raise RuntimeError(f"purged {purged} entries but archived only {archived}")
    return purged


def _readable(row: Mapping[str, Any], actor: Principal, **about: Any) -> dict[str, Any]:
    """An entry for `actor` (see masking.mask_ledger_entry; `about` may name the
    order value of the recommendation it records)."""
    return mask_ledger_entry({**row, "at": _aware(row["at"])}, actor, **about)


def _write(rows: Iterator[dict[str, Any]], out: Path, *, format: ExportFormat) -> int:
    written = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        if format == "jsonl":
            for row in rows:
                handle.write(json.dumps(row, sort_keys=True, default=str) + "\n")
                written += 1
            return written
        writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, MASKED_FIELDS_KEY])
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    **row,
                    "detail": json.dumps(row["detail"], sort_keys=True, default=str),
                    MASKED_FIELDS_KEY: ";".join(row.get(MASKED_FIELDS_KEY, [])),
                }
            )
            written += 1
    return written


def _aware(moment: datetime) -> datetime:
    # SQLite gives times back naive; they were written in UTC
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
