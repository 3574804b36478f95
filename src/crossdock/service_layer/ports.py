"""Ports: what the service layer needs from the outside world, as Protocols.

Adapters implement them (the SQL store in `adapters/db`); unit tests use fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import pandas as pd

from crossdock.domain.canonical import Entity
from crossdock.domain.reason_codes import ReasonCodeMapping

RowsWritten = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class SourceFrame:
    """One entity's rows as read from one source (a file, or the demo generator).

    `frame` holds the raw values plus `_row`, the 1-based data row in the source.
    """

    entity: str
    source: str
    frame: pd.DataFrame


@dataclass(frozen=True, slots=True)
class EntityStatus:
    """How much of one entity the store holds and how current it is."""

    rows: int
    latest: str | None  # newest value of the entity's freshness field, ISO 8601


@dataclass(frozen=True, slots=True)
class QuarantineLine:
    """One problem with one row that did not land."""

    import_run_id: int
    entity: str
    source_file: str
    row_number: int
    natural_key: str | None
    field: str
    value: str | None
    check: str
    reason: str


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """What is in the store: counts, freshness, open quality issues, last import."""

    database: str
    schema_revision: str | None
    entities: dict[str, EntityStatus]
    open_quality_issues: dict[str, dict[str, int]]  # entity -> check -> quarantined rows
    last_run: dict[str, Any] | None = field(default=None)


class CanonicalStore(Protocol):
    """Where canonical records, import runs and quarantined rows are kept."""

    def start_run(self, *, kind: str, source: str, started_at: datetime) -> int:
        """Record that an import began; returns its run id."""
        ...

    def finish_run(
        self, run_id: int, *, status: str, finished_at: datetime, report: Mapping[str, Any]
    ) -> None:
        """Record how an import ended, with its data-quality report."""
        ...

    def existing_values(self, entity: str, field: str) -> set[str]:
        """Every distinct value of `entity.field` already stored."""
        ...

    def item_uoms(self) -> dict[str, str]:
        """Stocking unit of measure per SKU already stored."""
        ...

    def reason_code_mappings(self) -> list[ReasonCodeMapping]:
        """Site-to-canonical reason code mappings already stored."""
        ...

    def land(
        self,
        entity: Entity,
        accepted: pd.DataFrame,
        issues: pd.DataFrame,
        *,
        source: str,
        run_id: int,
        at: datetime,
        progress: RowsWritten | None = None,
    ) -> None:
        """Upsert the accepted rows and quarantine the rejected ones, in one transaction.

        Open quarantine lines from earlier imports of the same entity and source are
        marked resolved by this run, so re-importing a fixed file clears them.
        """
        ...

    def delete_canonical_records(self) -> None:
        """Empty every canonical table (runs and quarantine history stay)."""
        ...

    def status(self) -> StoreStatus:
        """Counts per entity, freshness, open quality issues and the last run."""
        ...

    def open_quarantine(
        self, *, entity: str | None = None, check: str | None = None, limit: int = 100
    ) -> list[QuarantineLine]:
        """Unresolved quarantine lines, oldest file row first, optionally filtered."""
        ...
