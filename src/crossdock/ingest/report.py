"""The data-quality report of an import: what was read, accepted and quarantined, and why."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from crossdock.domain.canonical import ENTITIES
from crossdock.ingest.issues import ISSUE_COLUMNS, Severity
from crossdock.ingest.result import EntityValidation

_LOAD_ORDER = {entity.name: position for position, entity in enumerate(ENTITIES)}
SAMPLE_SIZE = 20


@dataclass(frozen=True, slots=True)
class EntitySummary:
    """Counts for one entity (or, with entity "*", for the whole import)."""

    entity: str
    files: tuple[str, ...]
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    errors: int  # error lines (a quarantined row may have several)
    warnings: int
    issues_by_check: dict[str, int] = field(default_factory=dict)  # issue lines per check

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": list(self.files),
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_quarantined": self.rows_quarantined,
            "errors": self.errors,
            "warnings": self.warnings,
            "issues": dict(self.issues_by_check),
        }


@dataclass
class DataQualityReport:
    """Aggregates the validations of every file of one import.

    Build it empty and `add` each validation as it is made, or all at once with `of`.
    """

    validations: list[EntityValidation] = field(default_factory=list)
    ignored_files: list[tuple[str, str]] = field(default_factory=list)  # (file, why not read)

    @classmethod
    def of(
        cls,
        validations: Iterable[EntityValidation],
        ignored_files: Iterable[tuple[str, str]] = (),
    ) -> DataQualityReport:
        return cls(list(validations), list(ignored_files))

    def add(self, validation: EntityValidation) -> None:
        self.validations.append(validation)

    @property
    def entities(self) -> dict[str, EntitySummary]:
        """One summary per entity, in canonical load order."""
        names = sorted(
            {result.entity.name for result in self.validations},
            key=lambda name: _LOAD_ORDER.get(name, len(_LOAD_ORDER)),
        )
        return {
            name: _summarise(name, [r for r in self.validations if r.entity.name == name])
            for name in names
        }

    @property
    def totals(self) -> EntitySummary:
        return _summarise("*", self.validations)

    @property
    def has_errors(self) -> bool:
        return self.totals.errors > 0

    def issues(self) -> pd.DataFrame:
        """Every issue line of the import, with an `entity` column first."""
        frames = [
            result.issues.assign(entity=result.entity.name)
            for result in self.validations
            if len(result.issues)
        ]
        if not frames:
            return pd.DataFrame(columns=["entity", *ISSUE_COLUMNS])
        issues = pd.concat(frames, ignore_index=True)
        return issues[["entity", *ISSUE_COLUMNS]]

    def sample(self, n: int = SAMPLE_SIZE) -> pd.DataFrame:
        """Up to `n` error lines, taken from every (entity, check) in turn.

        One noisy check cannot hide the others: the first line of each check comes
        before the second line of any.
        """
        issues = self.issues()
        errors = issues[issues["severity"] == Severity.ERROR].reset_index(drop=True)
        turn = errors.groupby(["entity", "check"], sort=False).cumcount()
        order = errors.assign(_turn=turn, _line=range(len(errors)))
        chosen = order.sort_values(["_turn", "_line"], kind="stable").head(n)
        return chosen.drop(columns=["_turn", "_line"]).reset_index(drop=True)

    def to_dict(self, *, sample: int = SAMPLE_SIZE) -> dict[str, Any]:
        """A JSON-friendly rendering: counts per entity and in total, a sample of
        error lines (without the raw row) and the files that were not read."""
        lines = self.sample(sample).drop(columns=["raw"])
        lines["row_number"] = lines["row_number"].astype(int)
        return {
            "entities": {name: summary.to_dict() for name, summary in self.entities.items()},
            "totals": self.totals.to_dict(),
            "quarantine_sample": lines.to_dict("records"),
            "ignored_files": [{"path": name, "reason": why} for name, why in self.ignored_files],
        }


def _summarise(name: str, results: Sequence[EntityValidation]) -> EntitySummary:
    by_check: dict[str, int] = {}
    for result in results:
        for check, count in result.counts_by_check.items():
            by_check[check] = by_check.get(check, 0) + count
    return EntitySummary(
        entity=name,
        files=tuple(result.source for result in results),
        rows_read=sum(result.rows_read for result in results),
        rows_accepted=sum(result.rows_accepted for result in results),
        rows_quarantined=sum(result.quarantined_rows for result in results),
        errors=sum(len(result.errors) for result in results),
        warnings=sum(result.warnings for result in results),
        issues_by_check=dict(sorted(by_check.items(), key=lambda item: (-item[1], item[0]))),
    )
