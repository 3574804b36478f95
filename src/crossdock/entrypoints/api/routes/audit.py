"""The audit ledger: verify the chain, read one recommendation's trail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.service_layer.auditing import audit_trail, verify_audit

router = APIRouter(tags=["audit"])


@router.get("/audit/verify")
def verify(crossdock: Wired, caller: Caller) -> dict[str, Any]:
    verdict = verify_audit(crossdock.governance, actor=caller)
    head = crossdock.governance.head()
    return {**verdict.to_json(), "head_seq": head.seq, "head_hash": head.hash}


@router.get("/audit/recommendations/{recommendation_id}")
def trail(recommendation_id: int, crossdock: Wired, caller: Caller) -> dict[str, Any]:
    entries = audit_trail(crossdock.governance, actor=caller, recommendation_id=recommendation_id)
    return {"items": entries, "count": len(entries)}
