"""What the cadence needs from storage: claim one slot of a job once across workers
(compare-and-set on the job's row), and keep every run for the operator. The SQL store
in `adapters/db/schedule_store.py` implements it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

Outcome = Literal["running", "succeeded", "failed"]
Trigger = Literal["schedule", "manual"]


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run of a scheduled job, as the operator sees it."""

    id: int
    job: str
    trigger: Trigger
    slot: datetime | None  # the slot it ran for; None: run by hand
    runner: str  # host:pid
    started_at: datetime
    finished_at: datetime | None
    outcome: Outcome
    error: str | None
    summary: Mapping[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "job": self.job,
            "trigger": self.trigger,
            "slot": _iso(self.slot),
            "runner": self.runner,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "outcome": self.outcome,
            "error": self.error,
            "summary": None if self.summary is None else dict(self.summary),
        }


class ScheduleStore(Protocol):
    def claim_slot(self, job: str, slot: datetime, *, at: datetime) -> int | None:
        """Claim `slot` of `job` and record its run as started, in one transaction,
        unless this slot or a later one was claimed already (by any worker). The run's
        id, or None when another claim won."""
        ...

    def start_run(self, job: str, *, at: datetime) -> int:
        """Record a run started by hand (no slot claimed); its id."""
        ...

    def finish_run(
        self,
        run_id: int,
        *,
        outcome: Outcome,
        at: datetime,
        error: str | None = None,
        summary: Mapping[str, Any] | None = None,
    ) -> RunRecord:
        """Record how a run ended; the run as now stored."""
        ...

    def last_slots(self) -> dict[str, datetime]:
        """Per job, the latest slot claimed."""
        ...

    def runs(self, *, job: str | None = None, limit: int = 50) -> list[RunRecord]:
        """The latest runs, newest first; of one job or all."""
        ...

    def latest_runs(self) -> dict[str, RunRecord]:
        """Per job, its newest run."""
        ...


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")
