"""The planner's work queue: open recommendations, the most money at risk first, masked
for the person reading, each saying which decisions that person may take; and bulk
decisions that report every recommendation as done or refused with the reason.

**Money at risk** is `do_nothing_cost`: what the recommendation's scope costs over the
horizon if nobody acts (shortage and holding). It is a stored column, so the queue is
ranked in SQL with an index at any size. The shortage part alone (`risk`, the do-nothing
option's shortage) is shown beside it where the options carry it, but it lives inside
the `alternatives` JSON and is zero for every deferral and cancellation, whose money is
excess stock: ranking by it would sink those to the bottom. Ties are broken by id.

**Open** means a person may still act on it before it reaches the ERP: proposed,
pending_approval, auto_approved / approved / modified (not yet executing) and failed.

Free text (routing reasons, status reasons, rationales, ledger reasons) quotes money as
written when it was routed, e.g. `value 93,750.53 is above ...` (the order value, a
supplier cost). `governance.masking` masks fields, not text, so the queue also removes
from text every figure it masked in the fields, and the policy's `value` when the order
value is hidden.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Protocol

from crossdock.domain.errors import CrossdockError
from crossdock.domain.lifecycle import TRANSITIONS, Action, Status
from crossdock.governance.access import (
    Principal,
    allows,
    authorize,
    check_segregation,
)
from crossdock.governance.masking import mask_ledger_entry, mask_recommendation
from crossdock.governance.policy import KIND_WORKFLOWS, PolicySet, Tier, workflow_for_kind
from crossdock.service_layer.deciding import Decide, decide, sites_decided
from crossdock.service_layer.governance_ports import Approval, GovernanceStore

OPEN_STATUSES: Final[tuple[Status, ...]] = (
    Status.PROPOSED,
    Status.PENDING_APPROVAL,
    Status.AUTO_APPROVED,
    Status.APPROVED,
    Status.MODIFIED,
    Status.FAILED,
)
DECISIONS: Final[tuple[Action, ...]] = (Action.APPROVE, Action.REJECT, Action.MODIFY)
BULK_ACTIONS: Final[tuple[Action, ...]] = (Action.APPROVE, Action.REJECT)
MAX_PAGE: Final = 200
MAX_BULK: Final = 500
_EXCERPT: Final = 180


class InvalidQueueRequest(CrossdockError):
    """A filter, cursor, limit or bulk request the queue cannot serve, naming the field."""

    def __init__(self, *, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"{field}={value!r}: {reason}")


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """What a person narrows the queue to; None: any. `site` matches the receiving or
    the shipping warehouse, `supplier` a buy's supplier or the supplier of the PO line
    acted on, `agent` the proposing agent (`replenishment` is the plan)."""

    site: str | None = None
    kind: str | None = None
    agent: str | None = None
    supplier: str | None = None
    customer_tier: str | None = None
    status: str | None = None

    @classmethod
    def of(cls, **given: str | None) -> QueueFilters:
        """Filters from form or query values: blanks are None, kind and status checked."""
        cleaned = {name: (value or "").strip() or None for name, value in given.items()}
        filters = cls(**cleaned)
        if filters.kind is not None and filters.kind not in KIND_WORKFLOWS:
            raise InvalidQueueRequest(
                field="kind", value=filters.kind, reason=f"one of {', '.join(KIND_WORKFLOWS)}"
            )
        if filters.status is not None and filters.status not in OPEN_STATUSES:
            raise InvalidQueueRequest(
                field="status",
                value=filters.status,
                reason=f"the queue holds {', '.join(OPEN_STATUSES)}",
            )
        return filters

    def to_json(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class QueueKey:
    """Where a page ends: the money at risk as the database holds it (exact text) and
    the id. The next page starts strictly after it."""

    money_at_risk: str
    id: int


@dataclass(frozen=True, slots=True)
class OpenRecommendation:
    """A stored recommendation as the queue reads it: columns (money as float, dates as
    ISO text, JSON columns parsed), its position in the ranking and its approvals."""

    key: QueueKey
    row: Mapping[str, Any]
    approvals: tuple[Approval, ...] = ()


class WorkQueueReads(Protocol):
    """The queue's reads; SQL in `adapters/db/work_queue_reads.py`."""

    def open_page(
        self,
        *,
        filters: QueueFilters,
        sites: frozenset[str] | None,
        after: QueueKey | None,
        limit: int,
    ) -> list[OpenRecommendation]:
        """Open recommendations received at `sites` (None: all), most money at risk
        first, then by id, starting after `after`."""
        ...

    def by_ids(self, ids: Sequence[int]) -> list[OpenRecommendation]:
        """These recommendations in any status, in the order asked."""
        ...

    def ledger_page(
        self, *, recommendation_id: int | None, before_seq: int | None, limit: int
    ) -> list[dict[str, Any]]:
        """Audit entries newest first (before `before_seq`), each with
        `recommendation_order_value`: the order value of the recommendation it records."""
        ...


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One row of the queue as `actor` may see it."""

    recommendation: dict[str, Any]
    money_at_risk: float
    shortage_at_risk: float | None
    actions: tuple[str, ...]
    waiting_for: tuple[str, ...]
    explanation: str
    # cleans any other text about this recommendation of what its masking hides
    redact: Callable[[str], str] = field(default=str, repr=False, compare=False)

    @property
    def id(self) -> int:
        return int(self.recommendation["id"])

    def to_json(self) -> dict[str, Any]:
        return {
            **self.recommendation,
            "money_at_risk": self.money_at_risk,
            "shortage_at_risk": self.shortage_at_risk,
            "actions": list(self.actions),
            "waiting_for": list(self.waiting_for),
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: tuple[QueueItem, ...]
    filters: QueueFilters
    next_cursor: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [item.to_json() for item in self.items],
            "count": len(self.items),
            "filters": self.filters.to_json(),
            "next_cursor": self.next_cursor,
        }


def work_queue(
    reads: WorkQueueReads,
    *,
    actor: Principal,
    filters: QueueFilters | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> QueuePage:
    """One page of `actor`'s queue: their sites only, masked for their roles.

    Raises:
        NotAllowed: the actor may not view recommendations.
        InvalidQueueRequest: a limit out of 1..MAX_PAGE or a cursor not from this queue.
    """
    authorize(actor, "view_recommendations")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidQueueRequest(field="limit", value=limit, reason=f"between 1 and {MAX_PAGE}")
    filters = filters or QueueFilters()
    found = reads.open_page(
        filters=filters, sites=actor.sites, after=decode_cursor(cursor), limit=limit + 1
    )
    page = found[:limit]
    return QueuePage(
        items=tuple(queue_item(found_row, actor) for found_row in page),
        filters=filters,
        next_cursor=encode_cursor(page[-1].key) if len(found) > limit else None,
    )


def queue_rows(reads: WorkQueueReads, *, actor: Principal, ids: Sequence[int]) -> list[QueueItem]:
    """These recommendations as queue rows (any status), those outside the actor's sites
    left out: what a row shows again after a decision."""
    authorize(actor, "view_recommendations")
    return [
        queue_item(found, actor)
        for found in reads.by_ids(ids)
        if actor.sites is None or str(found.row["to_code"]) in actor.sites
    ]


def queue_item(found: OpenRecommendation, actor: Principal) -> QueueItem:
    """A stored recommendation as `actor` sees it in the queue."""
    row = found.row
    shown, clean = mask_recommendation(row, actor)
    shown["approvals"] = [
        {"approver": a.approver, "role": a.role, "step": a.step, "at": a.at.isoformat()}
        for a in found.approvals
    ]
    return QueueItem(
        recommendation=shown,
        money_at_risk=float(row["do_nothing_cost"]),
        shortage_at_risk=shortage_at_risk(row.get("alternatives")),
        actions=actions_for(actor, row, found.approvals),
        waiting_for=waiting_for(row, found.approvals),
        explanation=_explanation(shown),
        redact=clean,
    )


def encode_cursor(key: QueueKey) -> str:
    text = json.dumps([key.money_at_risk, key.id])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> QueueKey | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        money, ident = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not math.isfinite(float(money)) or isinstance(ident, bool):
            raise ValueError(money)
        return QueueKey(money_at_risk=str(money), id=int(ident))
    except (ValueError, TypeError, binascii.Error):
        raise InvalidQueueRequest(
            field="cursor", value=cursor, reason="not a cursor this queue gave out"
        ) from None


# -------------------------------------------------------------- who may do what


def actions_for(
    actor: Principal, row: Mapping[str, Any], approvals: Sequence[Approval]
) -> tuple[str, ...]:
    """The decisions (approve, reject, modify) `actor` may take on it now, by the rules
    `deciding.decide` applies: its status allows the action, the permission matrix at
    its sites (both warehouses of a transfer: `sites_decided`), the roles its routing
    names for this step, segregation of duties."""
    try:
        workflow = workflow_for_kind(str(row["kind"]))
    except CrossdockError:
        return ()
    status = Status(str(row["status"]))
    routing = row.get("routing") or {}
    held = {role.value for role in actor.roles}
    sites = sites_decided(
        str(row["kind"]), to_code=str(row["to_code"]), from_code=row.get("from_code")
    )
    out = []
    for action in DECISIONS:
        if (status, action) not in TRANSITIONS:
            continue
        if not all(allows(actor, action.value, workflow=workflow, site=site) for site in sites):
            continue
        if routing.get("tier") != Tier.RECOMMEND_ONLY:
            second = bool(approvals) and action is Action.APPROVE
            named = routing.get("second_approver_roles" if second else "approver_roles") or []
            if not held & set(named):
                continue
        if action is not Action.REJECT and _involved(actor, row, approvals):
            continue
        out.append(action.value)
    return tuple(out)


def waiting_for(row: Mapping[str, Any], approvals: Sequence[Approval]) -> tuple[str, ...]:
    """The roles whose decision it waits for now; empty when it waits for nobody."""
    if row.get("status") not in (Status.PENDING_APPROVAL, Status.MODIFIED):
        return ()
    routing = row.get("routing") or {}
    if routing.get("tier") == Tier.RECOMMEND_ONLY:
        return ("anyone who decides " + workflow_for_kind(str(row["kind"])),)
    key = "second_approver_roles" if approvals else "approver_roles"
    return tuple(str(role) for role in routing.get(key) or ())


def _involved(actor: Principal, row: Mapping[str, Any], approvals: Sequence[Approval]) -> bool:
    try:
        check_segregation(
            actor,
            recommendation_id=str(row["id"]),
            proposed_by=row.get("proposed_by"),
            modified_by=row.get("modified_by"),
            approved_by=[given.approver for given in approvals],
        )
    except CrossdockError:
        return True
    return False


# -------------------------------------------------------------- bulk decisions


@dataclass(frozen=True, slots=True)
class BulkLine:
    """One recommendation of a bulk decision: done (its new status and the handler's
    note) or refused (the reason)."""

    recommendation_id: int
    done: bool
    to_status: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "recommendation_id": self.recommendation_id,
            "outcome": "done" if self.done else "refused",
            "to_status": self.to_status,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    action: str
    lines: tuple[BulkLine, ...] = field(default_factory=tuple)

    @property
    def done(self) -> tuple[BulkLine, ...]:
        return tuple(line for line in self.lines if line.done)

    @property
    def refused(self) -> tuple[BulkLine, ...]:
        return tuple(line for line in self.lines if not line.done)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "done": len(self.done),
            "refused": len(self.refused),
            "results": [line.to_json() for line in self.lines],
        }


def bulk_decide(
    store: GovernanceStore,
    ids: Iterable[int],
    *,
    action: str,
    actor: Principal,
    policy: PolicySet | None,
    now: datetime,
    reason: str | None = None,
    reason_code: str | None = None,
    versions: Mapping[int, int] | None = None,
) -> BulkOutcome:
    """Decide each recommendation on its own through `deciding.decide` (one transaction
    each): every one is reported done or refused with the reason, never all-or-nothing.

    Within limits: a bulk approval is one person's authority. A recommendation whose
    policy asks for a second approver (a value above the second-approver limit, or a
    mandatory rule), where this would be the first approval, is refused here and
    approved on its own page. `versions` (id -> version read) refuses those that moved.

    Raises:
        InvalidQueueRequest: an action other than approve or reject, or too many ids.
    """
    wanted = _bulk_action(action)
    chosen = list(dict.fromkeys(int(given) for given in ids))
    if len(chosen) > MAX_BULK:
        raise InvalidQueueRequest(field="ids", value=len(chosen), reason=f"at most {MAX_BULK}")
    lines = []
    for recommendation_id in chosen:
        state = store.recommendation(recommendation_id)
        if state is None:
            lines.append(
                _refused(recommendation_id, f"recommendation {recommendation_id} does not exist")
            )
            continue
        routing = state.routing or {}
        second = list(routing.get("second_approver_roles") or [])
        if wanted is Action.APPROVE and second and not state.approvals:
            lines.append(
                _refused(
                    state.id,
                    f"recommendation {state.id} needs a second approval by "
                    f"{' or '.join(second)} ({routing.get('rule', 'its policy')}): beyond one "
                    "person's limit, so it is not approved in bulk; approve it on its own page",
                )
            )
            continue
        command = Decide(
            recommendation_id=state.id,
            action=wanted,
            reason=reason,
            reason_code=reason_code,
            expected_version=(versions or {}).get(state.id),
        )
        try:
            made = decide(store, command, actor=actor, now=now, policy=policy)
        except CrossdockError as refusal:
            lines.append(_refused(state.id, str(refusal)))
            continue
        note = made.note or f"{made.from_status} -> {made.to_status}"
        lines.append(BulkLine(state.id, done=True, to_status=made.to_status.value, message=note))
    return BulkOutcome(action=wanted.value, lines=tuple(lines))


def _bulk_action(action: str) -> Action:
    if action not in BULK_ACTIONS:
        raise InvalidQueueRequest(
            field="action", value=action, reason=f"bulk takes {', '.join(BULK_ACTIONS)}"
        )
    return Action(action)


def _refused(recommendation_id: int, message: str) -> BulkLine:
    return BulkLine(recommendation_id, done=False, to_status=None, message=message)


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: tuple[dict[str, Any], ...]
    next_before: int | None  # the seq to read older entries before

    def to_json(self) -> dict[str, Any]:
        return {"entries": list(self.entries), "next_before": self.next_before}


def audit_page(
    reads: WorkQueueReads,
    *,
    actor: Principal,
    recommendation_id: int | None = None,
    before_seq: int | None = None,
    limit: int = 50,
) -> AuditPage:
    """The newest ledger entries (of one recommendation), masked and their text cleaned
    for `actor`.

    Raises:
        NotAllowed: the actor may not view the audit ledger.
    """
    authorize(actor, "view_audit")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidQueueRequest(field="limit", value=limit, reason=f"between 1 and {MAX_PAGE}")
    rows = reads.ledger_page(
        recommendation_id=recommendation_id, before_seq=before_seq, limit=limit + 1
    )
    entries = tuple(audit_entry(row, actor) for row in rows[:limit])
    older = int(entries[-1]["seq"]) if len(rows) > limit else None
    return AuditPage(entries=entries, next_before=older)


def audit_entry(row: Mapping[str, Any], actor: Principal) -> dict[str, Any]:
    """One ledger entry for `actor`, masked and its text cleaned, the order value of the
    recommendation it records (joined in by the read) included."""
    entry = {key: value for key, value in row.items() if key != "recommendation_order_value"}
    return mask_ledger_entry(entry, actor, order_value=row.get("recommendation_order_value"))


def _explanation(shown: Mapping[str, Any]) -> str:
    """A line on why it is proposed: the agent's rationale, or the plan's risk drivers."""
    rationale = shown.get("rationale")
    if isinstance(rationale, str) and rationale.strip():
        text = " ".join(rationale.split())
        return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1].rstrip() + "…"
    drivers = shown.get("drivers")
    risk = (drivers.get("risk") if isinstance(drivers, Mapping) else None) or {}
    parts = []
    probability = risk.get("stockout_probability")
    if probability:
        parts.append(f"stockout {float(probability):.0%} likely")
    if risk.get("first_stockout_date"):
        parts.append(f"first short {risk['first_stockout_date']}")
    if risk.get("days_of_supply") is not None:
        parts.append(f"{float(risk['days_of_supply']):,.1f} days of supply")
    if risk.get("excess_units"):
        parts.append(f"{float(risk['excess_units']):,.0f} units in excess")
    return "; ".join(parts) or "the plan's cheapest option for its scope"


def shortage_at_risk(alternatives: Any) -> float | None:
    """The do-nothing option's shortage cost, when the options carry it."""
    for option in alternatives if isinstance(alternatives, list) else ():
        if isinstance(option, Mapping) and option.get("alternative") == "none":
            value = option.get("shortage")
            return float(value) if isinstance(value, int | float) else None
    return None
