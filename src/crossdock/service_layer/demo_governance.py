"""Governance for the demo network: its approval policy, and in demo mode only, one
demo login per role with a published password."""

from __future__ import annotations

from datetime import datetime

from crossdock.governance.access import SYSTEM, Role
from crossdock.governance.ledger import EntryDraft
from crossdock.governance.policy import demo_policy_text, load_demo_policy
from crossdock.service_layer.governance_ports import GovernanceStore, StoredPolicy
from crossdock.service_layer.identity import add_person

DEMO_PASSWORD = "crossdock-demo"  # noqa: S105 - published on purpose; demo mode only
DEMO_USERS: dict[str, Role] = {
    "admin": Role.ADMIN,
    "planner": Role.PLANNER,
    "buyer": Role.BUYER,
    "supervisor": Role.WAREHOUSE_SUPERVISOR,
    "service": Role.CUSTOMER_SERVICE,
    "finance": Role.FINANCE,
    "executive": Role.EXECUTIVE,
    "auditor": Role.AUDITOR,
}


def seed_demo_governance(
    store: GovernanceStore, *, now: datetime, demo_mode: bool
) -> dict[str, object]:
    """Put the demo approval policy in force unless a policy already is; in demo mode,
    add the demo logins (replacing earlier demo logins of the same names)."""
    seeded: dict[str, object] = {}
    if store.active_policy() is None:
        policy = load_demo_policy()
        store.save_policy(
            StoredPolicy(
                version=policy.version,
                documents={"demo.yaml": demo_policy_text()},
                loaded_at=now,
                loaded_by=SYSTEM.username,
            )
        )
        store.append(
            [
                EntryDraft(
                    actor=SYSTEM.username,
                    event="policy_loaded",
                    at=now,
                    policy_version=policy.version,
                    detail={"files": ["demo.yaml"], "by": "crossdock demo"},
                )
            ]
        )
        seeded["approval_policy"] = policy.version
    if demo_mode:
        for username, role in DEMO_USERS.items():
            add_person(store, username=username, roles=[role], password=DEMO_PASSWORD, now=now)
        seeded["demo_logins"] = {name: role.value for name, role in DEMO_USERS.items()}
        seeded["demo_password"] = DEMO_PASSWORD
    return seeded
