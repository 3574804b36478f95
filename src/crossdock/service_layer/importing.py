"""Import canonical data: validate each file, land its good rows, quarantine its bad ones.

Files are processed in the canonical load order (items before the demand that
names them), so a reference can point at a row accepted earlier in the same batch
or already in the store. Each file lands in its own transaction: a failure later in
the batch never loses rows accepted before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crossdock.domain.canonical import entity
from crossdock.ingest import REFERENCED_KEYS, DataQualityReport, KnownKeys, iter_validations
from crossdock.service_layer.ports import CanonicalStore, RowsWritten, SourceFrame

# A progress sink: given a step name and its total, returns the callable to advance it.
Progress = Callable[[str, int], RowsWritten]


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import did: its run id and its data-quality report."""

    run_id: int
    report: DataQualityReport

    def to_dict(self) -> dict[str, Any]:
        return {"import_run_id": self.run_id, **self.report.to_dict()}


def import_sources(
    sources: Sequence[SourceFrame],
    *,
    store: CanonicalStore,
    kind: str,
    description: str,
    as_of: datetime,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ImportOutcome:
    """Validate and land `sources`; returns the run id and the data-quality report.

    Args:
        sources: one frame per entity file; any order, several per entity allowed.
        store: where accepted rows, quarantined rows and the run record go.
        kind: `import` or `demo`, recorded on the run.
        description: what was imported (a folder path, demo options), recorded on the run.
        as_of: the moment that counts as now for future-date and stale-snapshot checks.
        progress: optional sink for per-file progress.
        clock: wall-clock time recorded on the run and its quarantine lines.

    Raises:
        KeyError: a source names an entity the canonical model does not know.
    """
    for source in sources:
        entity(source.entity)  # fail on an unknown entity before anything is written
    run_id = store.start_run(kind=kind, source=description, started_at=clock())
    report = DataQualityReport()
    known = KnownKeys({key: store.existing_values(*key) for key in REFERENCED_KEYS})
    validations = iter_validations(
        sources,
        as_of=as_of,
        known=known,
        item_uoms=store.item_uoms(),
        reason_code_mappings=store.reason_code_mappings(),
    )
    try:
        for validation in validations:
            advance = None
            if progress is not None:
                label = f"{validation.entity.name} ({_short(validation.source)})"
                advance = progress(label, len(validation.accepted))
            store.land(
                validation.entity,
                validation.accepted,
                validation.issues,
                source=validation.source,
                run_id=run_id,
                at=clock(),
                progress=advance,
            )
            report.add(validation)
    except BaseException:
        store.finish_run(run_id, status="failed", finished_at=clock(), report=report.to_dict())
        raise
    store.finish_run(run_id, status="succeeded", finished_at=clock(), report=report.to_dict())
    return ImportOutcome(run_id=run_id, report=report)


def _short(source: str) -> str:
    return source.rsplit("/", 1)[-1]
