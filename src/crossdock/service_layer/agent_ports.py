"""What every agent writes: proposals stored once per idempotency key, and the events
it raises for other agents, in one transaction. `adapters/db/agent_store.py` implements
it; each agent's reads are a Protocol beside its handler in `agent_handlers/`."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Protocol

from crossdock.domain.errors import CrossdockError
from crossdock.service_layer.event_ports import NewEvent


class UnknownSite(CrossdockError):
    """An agent was scoped to a warehouse the network does not have."""


class ProposalSink(Protocol):
    def save_proposal(
        self, row: Mapping[str, Any], *, emits: Sequence[NewEvent] = ()
    ) -> int | None:
        """Insert a recommendation row unless its idempotency key exists, and the events
        it raises (with their outbox messages) in the same transaction; the new id, or
        None when the key was already there (nothing is written then)."""
        ...

    def emit(self, events: Sequence[NewEvent]) -> list[str]:
        """Raise events for other agents (stored once per event id, with their outbox
        messages); the ids stored."""
        ...


class NetworkScope(Protocol):
    def sites_under(self, location_code: str) -> set[str]:
        """The warehouse and every warehouse it replenishes, however deep; raises
        `UnknownSite` when the network has no such warehouse."""
        ...


class ReferenceData(Protocol):
    def refresh(self) -> None:
        """Look whether an import or a plan landed since the last look, and forget what
        was remembered if so (`remembering.py`); the runtime calls it before each batch."""
        ...

    def reference_version(self) -> Hashable | None:
        """The data version what is remembered was read in (None: nothing is)."""
        ...
