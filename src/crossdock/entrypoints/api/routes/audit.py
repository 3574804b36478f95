"""The audit ledger: page through it, verify the chain, read one recommendation's trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.entrypoints.api.routes.paging import Paging, page_json
from crossdock.service_layer.auditing import audit_page, audit_trail, verify_audit
from crossdock.service_layer.listing_ports import LedgerFilter

router = APIRouter(tags=["audit"])


@router.get("/audit")
def ledger(
    crossdock: Wired,
    caller: Caller,
    page: Paging,
    recommendation_id: Annotated[int | None, Query(description="One recommendation's.")] = None,
    actor: Annotated[str | None, Query(description="User, agent account or system.")] = None,
    event: Annotated[str | None, Query(description="created, approve, reject, ...")] = None,
    since: Annotated[datetime | None, Query(description="Entries at or after (ISO 8601).")] = None,
) -> dict[str, Any]:
    """The ledger, newest entry first, masked for the caller as exports are; paginated."""
    where = LedgerFilter(recommendation_id=recommendation_id, actor=actor, event=event, since=since)
    return page_json(audit_page(crossdock.governance, actor=caller, where=where, page=page))


@router.get("/audit/verify")
def verify(crossdock: Wired, caller: Caller) -> dict[str, Any]:
    verdict = verify_audit(crossdock.governance, actor=caller)
    head = crossdock.governance.head()
    return {**verdict.to_json(), "head_seq": head.seq, "head_hash": head.hash}


@router.get("/audit/recommendations/{recommendation_id}")
def trail(recommendation_id: int, crossdock: Wired, caller: Caller) -> dict[str, Any]:
    entries = audit_trail(crossdock.governance, actor=caller, recommendation_id=recommendation_id)
    return {"items": entries, "count": len(entries)}
