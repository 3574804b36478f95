"""What validating one entity file produced: accepted rows and issues."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from crossdock.domain.canonical import Entity
from crossdock.ingest.issues import Severity


@dataclass
class EntityValidation:
    """The outcome of validating one raw frame of one entity.

    Attributes:
        entity: the canonical entity the frame holds.
        source: where the frame came from (a file name), as shown in reports.
        rows_read: data rows in the raw frame.
        accepted: the rows that passed every check, typed and in canonical columns.
        issues: one line per problem found: source, row_number, field, value,
            reason, check, severity, key, raw. Errors quarantine their row;
            warnings keep it.
    """

    entity: Entity
    source: str
    rows_read: int
    accepted: pd.DataFrame
    issues: pd.DataFrame

    @property
    def errors(self) -> pd.DataFrame:
        """The issue lines that quarantine their row."""
        return self.issues[self.issues["severity"] == Severity.ERROR]

    @property
    def quarantined_row_numbers(self) -> npt.NDArray[np.int64]:
        """Row numbers (1-based, in the source) of rows with at least one error."""
        return np.unique(self.errors["row_number"].to_numpy(dtype=np.int64))

    @property
    def quarantined_rows(self) -> int:
        """How many distinct rows were quarantined."""
        return len(self.quarantined_row_numbers)

    @property
    def rows_accepted(self) -> int:
        return len(self.accepted)

    @property
    def warnings(self) -> int:
        """How many warning lines were reported."""
        return int((self.issues["severity"] == Severity.WARNING).sum())

    @property
    def counts_by_check(self) -> dict[str, int]:
        """Issue lines per check name, most frequent first."""
        counts = self.issues["check"].value_counts()
        return {str(check): int(count) for check, count in counts.items()}
