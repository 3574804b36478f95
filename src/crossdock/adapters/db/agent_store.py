"""The agents' store: every agent's reads (one mixin each, `agent_reads/`) and their
idempotent proposals, written with the events they raise in one transaction, together
with the `raised` ledger entry that names those events and their cause."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from crossdock.adapters.db.agent_reads.allocation import AllocationReads
from crossdock.adapters.db.agent_reads.balancing import BalancingReads
from crossdock.adapters.db.agent_reads.finance import FinanceReads
from crossdock.adapters.db.agent_reads.order_exception import OrderExceptionReads
from crossdock.adapters.db.agent_reads.procurement import ProcurementReads
from crossdock.adapters.db.agent_reads.receiving import ReceivingReads
from crossdock.adapters.db.agent_reads.replenishment import ReplenishmentReads
from crossdock.adapters.db.audit_chain import append_entries
from crossdock.adapters.db.event_store import insert_events
from crossdock.adapters.db.tables import canonical_tables, recommendations
from crossdock.governance.ledger import EntryDraft
from crossdock.service_layer.agent_ports import UnknownSite
from crossdock.service_layer.event_ports import NewEvent
from crossdock.service_layer.remembering import DEFAULT_ENTRIES, Memo


class SqlAgentData(
    ProcurementReads,
    FinanceReads,
    ReceivingReads,
    BalancingReads,
    ReplenishmentReads,
    OrderExceptionReads,
    AllocationReads,
):
    """`AgentData` over SQLAlchemy."""

    def __init__(self, engine: Engine, *, remember: int = DEFAULT_ENTRIES) -> None:
        self.engine = engine
        self.memo = Memo(remember)

    def save_proposal(
        self, row: Mapping[str, Any], *, emits: Sequence[NewEvent] = ()
    ) -> int | None:
        with self.engine.begin() as connection:
            exists = connection.execute(
                select(recommendations.c.id).where(
                    recommendations.c.idempotency_key == row["idempotency_key"]
                )
            ).scalar_one_or_none()
            if exists is not None:
                return None
            key = connection.execute(recommendations.insert().values(**row)).inserted_primary_key
            if emits:
                at = datetime.now(UTC)
                stored = insert_events(connection, emits, at=at)
                append_entries(
                    connection,
                    _raised(emits, stored, at=at, agent=row.get("agent"),
                            cause=row.get("source_event_id")),
                )  # fmt: skip
        return None if key is None else int(key[0])

    def sites_under(self, location_code: str) -> set[str]:
        locations = canonical_tables["locations"]
        with self.engine.connect() as connection:
            parents = dict(
                connection.execute(
                    select(locations.c.location_code, locations.c.parent_location_code)
                ).all()
            )
        if location_code not in parents:
            raise UnknownSite(f"no warehouse {location_code!r} in the network")
        found, frontier = {location_code}, {location_code}
        while frontier:
            frontier = {child for child, parent in parents.items() if parent in frontier} - found
            found |= frontier
        return found

    def emit(self, events: Sequence[NewEvent]) -> list[str]:
        at = datetime.now(UTC)
        with self.engine.begin() as connection:
            stored = insert_events(connection, events, at=at)
            append_entries(connection, _raised(events, stored, at=at))
            return stored


def _raised(
    events: Sequence[NewEvent],
    stored: Sequence[str],
    *,
    at: datetime,
    agent: str | None = None,
    cause: str | None = None,
) -> list[EntryDraft]:
    """One `raised` entry per agent for the events stored now (a repeat raises nothing
    new, so it gets no entry). The agent is the proposal's, else each event's source."""
    fresh = set(stored)
    by_agent: dict[str, list[NewEvent]] = {}
    for event in events:
        if event.event_id in fresh:
            by_agent.setdefault(agent or event.source, []).append(event)
    drafts = []
    for actor, raised in by_agent.items():
        detail: dict[str, Any] = {
            "events": [event.event_id for event in raised],
            "event_types": sorted({event.event_type for event in raised}),
        }
        if cause is not None:
            detail["cause"] = cause
        drafts.append(EntryDraft(actor=actor, event="raised", at=at, detail=detail))
    return drafts
