"""Exceptions: what needs a person besides the recommendations waiting for a decision:
events dead-lettered at intake or delivery, imported rows still in quarantine,
recommendations whose ERP write failed, and scheduled jobs still failing.

Who sees them: anyone who may `view_recommendations` (every role), because whoever
works the queue must also see what stops it; a person limited to some sites sees the
failed recommendations of those sites only, since dead letters, quarantined rows and
jobs belong to no one site. Values that are supplier cost or customer pricing (a
quarantined `unit_cost`, a dead letter's `unit_price`) are masked for roles that may
not see them, as everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crossdock.governance.access import Principal, authorize
from crossdock.governance.masking import (
    CONTEXT_FIELD_CLASSES,
    FIELD_CLASSES,
    MASKED_FIELDS_KEY,
    Scrubber,
    field_class,
    visible_classes,
)
from crossdock.service_layer.exception_ports import (
    DEAD_LETTER,
    EXCEPTION_KINDS,
    FAILED_RECOMMENDATION,
    INSTALLATION_KINDS,
    QUARANTINED_ROW,
    ExceptionFilter,
    ExceptionReads,
)
from crossdock.service_layer.listing_ports import InvalidQuery, Page, PageRequest, checked_key


def exception_page(
    reads: ExceptionReads,
    *,
    actor: Principal,
    kind: str | None = None,
    since: datetime | None = None,
    page: PageRequest,
) -> Page:
    """Exceptions newest first, for `actor`: of one `kind` (default every kind), at or
    after `since` (a time without a zone is UTC).

    Raises:
        InvalidQuery: an unknown kind, or a cursor this list did not hand out.
    """
    authorize(actor, "view_recommendations")
    checked_key(page.after, str, str, int)
    if kind is not None and kind not in EXCEPTION_KINDS:
        raise InvalidQuery(
            field="query.kind", value=kind, reason=f"one of {', '.join(EXCEPTION_KINDS)}"
        )
    kinds = frozenset(EXCEPTION_KINDS if kind is None else (kind,))
    if actor.sites is not None:
        kinds -= INSTALLATION_KINDS
    where = ExceptionFilter(kinds=kinds, since=_utc(since), sites=actor.sites)
    rows, after = reads.exception_page(where=where, page=page)
    return Page(
        items=[_masked(row, actor) for row in rows],
        next_after=after,
        extra={"kinds": sorted(kinds)},
    )


def newest_exceptions(
    reads: ExceptionReads, *, actor: Principal, limit: int = 5
) -> tuple[list[dict[str, Any]], bool]:
    """The newest `limit` exceptions for the work queue's first page, failed
    recommendations left out (the queue ranks them itself, by their money), and whether
    there are more."""
    newest: list[dict[str, Any]] = []
    for kind in EXCEPTION_KINDS:
        if kind != FAILED_RECOMMENDATION:
            newest += exception_page(
                reads, actor=actor, kind=kind, page=PageRequest(limit + 1)
            ).items
    newest.sort(key=lambda row: str(row.get("at") or ""), reverse=True)
    return newest[:limit], len(newest) > limit


def _masked(row: dict[str, Any], actor: Principal) -> dict[str, Any]:
    """The row with its `value` withheld when its field is money `actor` may not see."""
    name = row.get("field")
    if not name or row.get("value") is None:
        return row
    hidden = {"supplier_cost", "customer_pricing", "margin"} - visible_classes(actor)
    if _classes_of(str(name), kind=str(row["kind"]), subject=row.get("subject")) & hidden:
        reason = row.get("reason")
        if isinstance(reason, str):  # "unit_cost -4.50 is negative" quotes the value
            reason = Scrubber(_figures(row["value"]), value_hidden=False)(reason)
        return {**row, "value": None, "reason": reason, MASKED_FIELDS_KEY: ["value"]}
    return row


def _figures(value: object) -> tuple[float, ...]:
    """The number a withheld value holds, as masking's text cleaning takes it."""
    try:
        return (float(str(value).replace(",", "")),)
    except ValueError:
        return ()


def _classes_of(name: str, *, kind: str, subject: object) -> set[str]:
    """The money classes a field may hold. A quarantined row names its entity, so the
    field reads as there; a dead letter's field path (`data.lines.0.unit_price`) is read
    by its last part in every context it is guarded in."""
    last = name.rsplit(".", 1)[-1].lower()
    if kind == QUARANTINED_ROW:
        found = field_class(last, context=str(subject) if subject else None)
        return set() if found is None else {found}
    if kind == DEAD_LETTER:
        classes = {FIELD_CLASSES[last]} if last in FIELD_CLASSES else set()
        return classes | {by[last] for by in CONTEXT_FIELD_CLASSES.values() if last in by}
    return set()


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(UTC)
