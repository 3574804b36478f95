"""Import canonical data: validate each file, land its good rows, quarantine its bad ones.

Files are processed in the canonical load order (items before the demand that
names them), so a reference can point at a row accepted earlier in the same batch
or already in the store. Each file lands in its own transaction: a failure later in
the batch never loses rows accepted before it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from crossdock.domain.canonical import ENTITIES, Entity, entity
from crossdock.domain.reason_codes import ReasonCode, ReasonCodeMap, ReasonCodeMapping
from crossdock.ingest import DataQualityReport, EntityValidation, validate_entity
from crossdock.service_layer.ports import CanonicalStore, RowsWritten, SourceFrame

# A progress sink: given a step name and its total, returns the callable to advance it.
Progress = Callable[[str, int], RowsWritten]

_LOAD_ORDER = {candidate.name: position for position, candidate in enumerate(ENTITIES)}
_REFERENCED_FIELDS: dict[str, set[str]] = {}
for _entity in ENTITIES:
    for _field in _entity.fields:
        if _field.references is not None:
            _REFERENCED_FIELDS.setdefault(_field.references[0], set()).add(_field.references[1])


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import did: its run id and its data-quality report."""

    run_id: int
    report: DataQualityReport

    def to_dict(self) -> dict[str, Any]:
        return {"import_run_id": self.run_id, **self.report.to_dict()}


class KnownValues(Mapping[tuple[str, str], Collection[str]]):
    """Values a reference may point at: what the store holds plus what this batch accepted.

    The store is asked once per (entity, field), the first time a reference needs it.
    """

    def __init__(self, store: CanonicalStore) -> None:
        self._store = store
        self._values: dict[tuple[str, str], set[str]] = {}

    def __getitem__(self, key: tuple[str, str]) -> set[str]:
        if key not in self._values:
            self._values[key] = self._store.existing_values(*key)
        return self._values[key]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def add_accepted(self, accepted_entity: Entity, accepted: pd.DataFrame) -> None:
        for field in _REFERENCED_FIELDS.get(accepted_entity.name, ()):
            values = accepted[field].dropna().astype(str).unique()
            self[(accepted_entity.name, field)].update(values.tolist())


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
    ordered = sorted(sources, key=lambda source: _LOAD_ORDER[entity(source.entity).name])
    run_id = store.start_run(kind=kind, source=description, started_at=clock())
    report = DataQualityReport()
    known = KnownValues(store)
    item_uoms = store.item_uoms()
    mappings = store.reason_code_mappings()
    reason_codes = ReasonCodeMap(mappings)
    try:
        for source in ordered:
            spec = entity(source.entity)
            validation = validate_entity(
                spec,
                source.frame,
                source=source.source,
                known=known,
                item_uoms=item_uoms,
                reason_codes=reason_codes,
                as_of=as_of,
            )
            advance = None
            if progress is not None:
                advance = progress(
                    f"{spec.name} ({_short(source.source)})", len(validation.accepted)
                )
            store.land(
                spec,
                validation.accepted,
                validation.issues,
                source=source.source,
                run_id=run_id,
                at=clock(),
                progress=advance,
            )
            known.add_accepted(spec, validation.accepted)
            if spec.name == "items":
                item_uoms.update(_item_uoms(validation))
            if spec.name == "reason_code_mappings":
                mappings.extend(_mappings(validation))
                reason_codes = ReasonCodeMap(mappings)
            report.add(validation)
    except BaseException:
        store.finish_run(run_id, status="failed", finished_at=clock(), report=report.to_dict())
        raise
    store.finish_run(run_id, status="succeeded", finished_at=clock(), report=report.to_dict())
    return ImportOutcome(run_id=run_id, report=report)


def _item_uoms(validation: EntityValidation) -> dict[str, str]:
    accepted = validation.accepted
    return dict(zip(accepted["sku"].astype(str), accepted["uom"].astype(str), strict=True))


def _mappings(validation: EntityValidation) -> list[ReasonCodeMapping]:
    accepted = validation.accepted
    return [
        ReasonCodeMapping(str(scope), str(site_code), ReasonCode(str(code)))
        for scope, site_code, code in zip(
            accepted["scope"], accepted["site_code"], accepted["reason_code"], strict=True
        )
    ]


def _short(source: str) -> str:
    return source.rsplit("/", 1)[-1]
