"""Loading an approval policy into force, and explaining how one routed a recommendation.

Every version ever loaded is kept as its files' text, so a recommendation can be
explained by the exact policy that routed it, long after a newer one took over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from crossdock.governance.access import Principal, authorize
from crossdock.governance.ledger import EntryDraft
from crossdock.governance.masking import text_redactor
from crossdock.governance.policy import PolicySet, explain, load_policy
from crossdock.service_layer.deciding import UnknownRecommendation
from crossdock.service_layer.governance_ports import GovernanceStore, StoredPolicy
from crossdock.service_layer.policy_facts import NO_POLICY, facts_for


def activate_policy(
    store: GovernanceStore, files: Sequence[Path], *, actor: Principal, now: datetime
) -> PolicySet:
    """Validate `files` (one enterprise file, then site files) and put them in force.

    Raises:
        PolicyError: the files do not validate; each problem names file and line.
    """
    authorize(actor, "manage_policy")
    policy = load_policy(*files)
    documents = dict(policy.texts)
    store.save_policy(
        StoredPolicy(
            version=policy.version, documents=documents, loaded_at=now, loaded_by=actor.username
        )
    )
    store.append(
        [
            EntryDraft(
                actor=actor.username,
                event="policy_loaded",
                at=now,
                policy_version=policy.version,
                detail={"files": list(documents), "roles": sorted(r.value for r in actor.roles)},
            )
        ]
    )
    return policy


def explain_routing(
    store: GovernanceStore, *, recommendation_id: int, actor: Principal
) -> dict[str, Any]:
    """Which rule routed a recommendation and why, re-checked against the policy
    version that routed it; the order value left out of the lines for an actor who may
    not see supplier cost."""
    authorize(actor, "view_recommendations")
    state = store.recommendation(recommendation_id)
    if state is None:
        raise UnknownRecommendation(recommendation_id)
    routing = dict(state.routing or {})
    version = state.approval_policy_version
    stored = store.policy(version) if version and version != NO_POLICY else None
    active = store.active_policy()
    lines: list[str]
    if stored is not None:
        policy = PolicySet.from_texts(stored.documents)
        lines = explain(policy, facts_for(state, last_orders=store.last_order_quantities()))
    elif version is None:
        lines = ["not routed yet: it is still proposed"]
    else:
        lines = list(routing.get("reasons", []))
    clean = text_redactor({"order_value": state.order_value}, actor, masked=())
    return {
        "recommendation_id": state.id,
        "status": state.status.value,
        "policy_version": version,
        "active_policy_version": active.version if active else None,
        "tier": routing.get("tier"),
        "rule": routing.get("rule"),
        "approver_roles": routing.get("approver_roles", []),
        "second_approver_roles": routing.get("second_approver_roles", []),
        "explanation": [clean(line) for line in lines],
    }
