"""A message the copilot drafted becomes a recommendation, never a sent message.

A customer reply becomes a `customer_message` recommendation, a supplier follow-up a
`follow_up` one (the supplier_follow_up workflow), proposed by the account
`agent:copilot` on behalf of the person who asked, and routed by the approval policy
like any agent's proposal. Only someone who may propose in that workflow at that
warehouse gets it filed; anyone else sees the draft and is told who can. The same draft
asked for twice is filed once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from crossdock.copilot.drafts import Draft
from crossdock.governance.access import Principal, allows, roles_allowed
from crossdock.governance.policy import PolicySet
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.agent_ports import ProposalSink
from crossdock.service_layer.governance_ports import GovernanceStore
from crossdock.service_layer.routing import route_agent_proposals

COPILOT_AGENT: Final = "agent:copilot"
MODEL_VERSION: Final = "copilot drafts 1: facts from the records, no promises, no money"
POLICY_VERSION: Final = "copilot drafts are proposals; the approval policy routes them"
_KIND: Final = {"customer": ("customer_message", "customer_message"),
                "supplier": ("follow_up", "supplier_follow_up")}  # fmt: skip


def draft_filer(
    *,
    sink: ProposalSink,
    governance: GovernanceStore,
    policy: Callable[[], PolicySet | None],
) -> Callable[[Draft, Principal, datetime], tuple[str, int | None]]:
    """What `assistant.ask` calls with a draft: file it as a recommendation and route it."""

    def file(draft: Draft, actor: Principal, now: datetime) -> tuple[str, int | None]:
        kind, workflow = _KIND[draft.addressee_kind]
        if draft.site is None or draft.sku is None:
            return "The draft names no warehouse or item, so it was not filed.", None
        if not allows(actor, "propose", workflow=workflow, site=draft.site):
            who = ", ".join(sorted(r.value for r in roles_allowed("propose", workflow=workflow)))
            refused = (
                f"You may not propose {workflow.replace('_', ' ')} recommendations at "
                f"{draft.site} ({who} may): the draft is shown here and not filed."
            )
            return refused, None
        filed = sink.save_proposal(_row(draft, kind, actor, now))
        if filed is None:
            return (
                "The same draft is already filed and waiting; it was not filed again.",
                None,
            )
        route_agent_proposals(governance, policy=policy(), now=now)
        state = governance.recommendation(filed)
        status = "proposed" if state is None else state.status.value
        waiting = "" if state is None or not state.routing else _approvers(state.routing)
        said = (
            f"Filed as recommendation {filed} ({status.replace('_', ' ')}{waiting}). Nothing "
            "is sent until it is approved."
        )
        return said, filed

    return file


def _row(draft: Draft, kind: str, actor: Principal, now: datetime) -> dict[str, object]:
    digest = hashlib.sha256(
        "\x00".join((actor.username, draft.about, draft.body)).encode()
    ).hexdigest()[:16]
    event = {
        "event_id": f"copilot-{digest}",
        "event_type": "copilot.draft_requested",
        "reference": draft.about,
        "occurred_at": now.isoformat(),
    }
    return proposal_row(
        agent=COPILOT_AGENT,
        event=event,
        key=(draft.about, kind),
        kind=kind,
        sku=draft.sku or "",
        to_code=draft.site or "",
        quantity=draft.units,
        rationale=(
            f"Draft for {draft.addressee_kind} {draft.addressee} about {draft.about}, "
            f"asked for by {actor.username}, to send only once approved: "
            f'"{draft.subject}"'
        ),
        evidence={
            "requested_by": actor.username,
            "addressee": draft.addressee,
            "subject": draft.subject,
            "message": draft.body,
            "about": draft.about,
        },
        alternatives=[
            {
                "alternative": "none",
                "kind": "none",
                "chosen": False,
                "note": "the message is not sent",
            },
            {"alternative": "send", "kind": kind, "chosen": True},
        ],
        confidence=1.0,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=f"{draft.addressee_kind} message about {draft.about}",
    )


def _approvers(routing: Mapping[str, Any]) -> str:
    roles = routing.get("approver_roles") or ()
    return f": waiting for {', '.join(map(str, roles))}" if roles else ""
