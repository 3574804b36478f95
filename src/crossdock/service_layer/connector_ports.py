"""What a connector is to the core: something that reads the canonical data model from a
system of record (an ERP, an inbox folder) and may write approved recommendations back
as drafts, and says which of these it can do.

The core never names a connector: `adapters/connectors/registry.py` finds them through
the `crossdock.connectors` entry point group, and a connection (`connections` table)
names its kind and settings. Reads land as an import run, like `crossdock import`, so
the agents and the plan see them; drafts move recommendations through the lifecycle
(`service_layer/connecting.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from crossdock.domain.errors import CrossdockError

if TYPE_CHECKING:  # the ports module brings pandas: not for a command that never reads
    from crossdock.service_layer.ports import SourceFrame


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a connector can do: the canonical entities it reads, the recommendation
    kinds it writes back as drafts (and as which document), and whether it takes files
    of events (EDI) into the event intake."""

    reads: frozenset[str] = frozenset()
    writes: Mapping[str, str] = field(default_factory=dict)  # kind -> document
    events: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"reads": sorted(self.reads), "writes": dict(self.writes), "events": self.events}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one read brought: canonical frames, the moment they are true as of, and
    the cursor the next read starts from (None: read everything again)."""

    frames: Sequence[SourceFrame]
    as_of: datetime
    cursor: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)  # records read per ERP model


@dataclass(frozen=True, slots=True)
class Draft:
    """An approved recommendation to write into the system of record as a draft."""

    recommendation_id: int
    kind: str  # transfer or buy
    sku: str
    quantity: float
    from_code: str | None  # a transfer's shipping warehouse; a buy's supplier
    to_code: str  # the receiving warehouse
    arrival: date | None
    unit_price: float | None = None  # a buy's price per unit, when the recommendation has one

    @property
    def reference(self) -> str:
        """What the draft carries so that it is found again (idempotency) and traced."""
        return f"crossdock:R-{self.recommendation_id}"


DocumentStatus = Literal["draft", "confirmed", "cancelled", "missing"]


@dataclass(frozen=True, slots=True)
class DocumentState:
    """Where a draft stands in the system of record: still a draft, confirmed by the
    ERP's users (committed), cancelled or deleted; `erp_state` is the ERP's own word."""

    document: str
    status: DocumentStatus
    erp_state: str


class ConnectorError(CrossdockError):
    """A connector could not do what was asked."""


class ErpUnavailable(ConnectorError):
    """The system of record cannot be reached or did not answer: try again later."""


class ErpRejected(ConnectorError):
    """The system of record refused the request; the message is its own."""


class Connector(Protocol):
    """One configured connection to a system of record."""

    name: str
    capabilities: Capabilities

    def check(self) -> dict[str, Any]:
        """Reach the system and log in; what it sees (a summary for `connect test`).

        Raises:
            ErpUnavailable, ErpRejected: cannot reach it, or it refuses the login.
        """
        ...

    def read(self, *, since: str | None) -> Snapshot:
        """Canonical frames of what changed since the cursor `since` (None: all)."""
        ...

    def write_draft(self, draft: Draft) -> str:
        """Write `draft` as a draft document, or find the one written before for the
        same recommendation; returns the document's id. Never writes a second one.

        Raises:
            ErpUnavailable: try again later; nothing is lost.
            ErpRejected: the ERP refused the document, with its message.
        """
        ...

    def document_states(self, documents: Sequence[str]) -> dict[str, DocumentState]:
        """Where each document written before stands now."""
        ...

    def close(self) -> None:
        """Let go of sessions and files."""
        ...


class ConnectorFactory(Protocol):
    """What an entry point of the `crossdock.connectors` group loads: builds a
    connector from a connection's name and settings, and says what settings it takes."""

    kind: str
    settings_help: Mapping[str, str]  # setting -> what it is

    def __call__(self, name: str, settings: Mapping[str, str]) -> Connector: ...


@dataclass(frozen=True, slots=True)
class Connection:
    """A configured connection: its name, connector kind and settings (no secrets:
    a setting ending in `_env` names the environment variable that holds one)."""

    name: str
    kind: str
    settings: Mapping[str, str]
    created_at: datetime | None = None
    cursor: str | None = None
    last_sync_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None


class ConnectionStore(Protocol):
    """Where connections and their sync cursors are kept."""

    def save_connection(self, connection: Connection) -> None: ...

    def connection(self, name: str) -> Connection | None: ...

    def connections(self) -> list[Connection]: ...

    def record_sync(
        self,
        name: str,
        *,
        at: datetime,
        status: str,
        cursor: str | None = None,
        error: str | None = None,
    ) -> None:
        """The outcome of a sync; the cursor moves only when `cursor` is given."""
        ...


@dataclass(frozen=True, slots=True)
class PendingDraft:
    """An approved recommendation a connector can write, or one being written: its
    status, version, what to write and how writing it went so far."""

    draft: Draft
    status: str
    version: int
    erp_document: str | None = None
    erp_attempts: int = 0
    erp_retry_at: datetime | None = None
    tier: str | None = None  # the routing tier (recommend_only is never written)


class DraftStore(Protocol):
    """The recommendations as the write-back sees them."""

    def drafts_to_write(self, kinds: Sequence[str], *, now: datetime) -> list[PendingDraft]:
        """Approved, auto-approved or modified recommendations of `kinds`, and those
        `executing` with no document yet whose next try is due."""
        ...

    def drafts_written(self, connection: str) -> list[PendingDraft]:
        """Recommendations `executing` with a document this connection wrote."""
        ...

    def record_erp_try(
        self, recommendation_id: int, *, error: str, attempts: int, retry_at: datetime | None
    ) -> None:
        """A failed try: the error shows on the recommendation until the next success."""
        ...
