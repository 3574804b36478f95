"""What the governance use cases need from storage: recommendations as the lifecycle
sees them, status changes applied only to the version read, the audit chain, users and
approval policies. The SQL store in `adapters/db/governance_store.py` implements it;
service tests use a fake.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from crossdock.domain.errors import CrossdockError
from crossdock.domain.lifecycle import Status
from crossdock.governance.access import Principal
from crossdock.governance.ledger import ChainHead, EntryDraft, LedgerEntry


@dataclass(frozen=True, slots=True)
class Approval:
    approver: str
    role: str
    step: int
    at: datetime


@dataclass(frozen=True, slots=True)
class RecommendationState:
    """A recommendation as decisions see it: what it proposes, its status and version."""

    id: int
    plan_run_id: int | None  # None: an agent proposed it from an event
    status: Status
    version: int
    kind: str
    sku: str
    from_code: str | None
    to_code: str
    quantity: float
    expected_arrival_date: date | None
    order_value: float | None
    action_cost: float
    savings: float
    confidence: float
    model_version: str
    import_run_id: int | None
    proposed_by: str | None = None
    modified_by: str | None = None
    approved_quantity: float | None = None
    approved_arrival_date: date | None = None
    approval_policy_version: str | None = None
    routing: Mapping[str, Any] | None = None
    risk: float | None = None  # do-nothing shortage cost over its scope
    customer_tier: str | None = None  # an agent's: drivers["customer_tier"]
    agent: str | None = None
    source_event_id: str | None = None  # an agent's: the event it answers
    approvals: tuple[Approval, ...] = ()

    @property
    def effective_quantity(self) -> float:
        return self.quantity if self.approved_quantity is None else self.approved_quantity


@dataclass(frozen=True, slots=True)
class StatusChange:
    """Move one recommendation, but only if it is still at `expected_version`."""

    recommendation_id: int
    expected_version: int
    to_status: Status
    at: datetime
    fields: Mapping[str, Any] = field(default_factory=dict)  # other columns to set
    approval: Approval | None = None
    clear_approvals: bool = False


class ConcurrentDecision(CrossdockError):
    """Someone else changed the recommendation between reading and deciding."""

    def __init__(self, *, recommendation_id: int, expected_version: int) -> None:
        self.recommendation_id = recommendation_id
        self.expected_version = expected_version
        super().__init__(
            f"recommendation {recommendation_id} changed since version {expected_version} "
            "was read (someone else decided first): read it again"
        )


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    version: str
    documents: Mapping[str, str]  # file name -> YAML text, in load order
    loaded_at: datetime
    loaded_by: str


class GovernanceStore(Protocol):
    """Recommendations' lifecycle, the audit chain, users and approval policies."""

    def recommendation(self, recommendation_id: int) -> RecommendationState | None:
        """The recommendation with its approvals, or None."""
        ...

    def open_recommendations(
        self, *, plan_run_id: int | None = None, agents_only: bool = False
    ) -> list[RecommendationState]:
        """Recommendations still `proposed`: of one plan run, of agents, or all."""
        ...

    def recommendation_rows(
        self,
        *,
        status: str | None = None,
        plan_run_id: int | None = None,
        ids: Sequence[int] | None = None,
        sites: frozenset[str] | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Stored recommendation rows, most savings first (newest plan run by default);
        with `sites`, only those received there (None: every site)."""
        ...

    def superseded(self, *, plan_run_id: int) -> list[RecommendationState]:
        """Not-yet-executing recommendations of plan runs older than `plan_run_id`."""
        ...

    def last_order_quantities(self) -> dict[tuple[str, str], float]:
        """Quantity of the newest purchase order line per (sku, supplier)."""
        ...

    def apply(
        self, changes: Sequence[StatusChange], entries: Sequence[EntryDraft]
    ) -> list[LedgerEntry]:
        """Apply every change and append every entry in one transaction.

        Raises:
            ConcurrentDecision: a recommendation is no longer at its expected version;
                nothing is written.
        """
        ...

    def append(self, entries: Sequence[EntryDraft]) -> list[LedgerEntry]:
        """Append entries to the audit chain (their own transaction)."""
        ...

    def ledger(self, *, recommendation_id: int | None = None) -> Iterator[dict[str, Any]]:
        """Stored entries as column mappings, in seq order."""
        ...

    def head(self) -> ChainHead:
        """The chain's anchor and newest entry."""
        ...

    def purge_ledger(self, *, before: datetime) -> int:
        """Remove entries older than `before`, moving the anchor; returns how many."""
        ...

    def principal(self, username: str) -> Principal | None:
        """The active user or agent account named `username`."""
        ...

    def password_hash(self, username: str) -> str | None:
        """The stored password hash of an active person."""
        ...

    def save_user(self, user: Mapping[str, Any]) -> None:
        """Create or replace a user row (columns of the `users` table)."""
        ...

    def users(self) -> list[dict[str, Any]]:
        """Every user and agent account, without password hashes."""
        ...

    def save_api_token(self, *, username: str, name: str, token_hash: str, at: datetime) -> None:
        """Keep a machine token's hash."""
        ...

    def token_user(self, token_hash: str, *, at: datetime) -> str | None:
        """The user an unrevoked, unexpired token belongs to; records its use."""
        ...

    def save_policy(self, policy: StoredPolicy) -> None:
        """Keep a policy version and make it the active one."""
        ...

    def active_policy(self) -> StoredPolicy | None:
        """The approval policy new recommendations are routed by."""
        ...

    def policy(self, version: str) -> StoredPolicy | None:
        """A policy version as it was loaded."""
        ...
