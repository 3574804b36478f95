"""The agents' store: every agent's reads (one mixin each, `agent_reads/`) and their
idempotent proposals, written with the events they raise in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from crossdock.adapters.db.agent_reads.procurement import ProcurementReads
from crossdock.adapters.db.event_store import insert_events
from crossdock.adapters.db.tables import recommendations
from crossdock.service_layer.event_ports import NewEvent


class SqlAgentData(ProcurementReads):
    """`AgentData` over SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
                insert_events(connection, emits, at=datetime.now(UTC))
        return None if key is None else int(key[0])

    def emit(self, events: Sequence[NewEvent]) -> list[str]:
        with self.engine.begin() as connection:
            return insert_events(connection, events, at=datetime.now(UTC))
