"""Cadence: the jobs that run on a schedule (issue 6), beside the events handled at once.

Each job has a schedule (`crossdock.domain.schedules`). A job is due when a slot of its
schedule has started since the last slot claimed: a worker that was down across several
slots runs the job once, for the latest, not once per missed slot; a job never run is
due at once. The claim is a compare-and-set on the job's row (`ScheduleStore.claim_slot`),
so of several workers exactly one runs each slot. Every run is recorded: started,
finished, outcome and error, with what the job did.

The worker calls `run_due_jobs(store, jobs, now=...)` on each loop; `run_job` runs one
job at once, by hand (`crossdock schedule run`), recorded the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crossdock.domain.errors import CrossdockError
from crossdock.domain.schedules import Schedule
from crossdock.service_layer.cadence_ports import RunRecord, ScheduleStore

JobRun = Callable[[datetime], Mapping[str, Any]]
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A job, when it runs, and what it does: `run(now)` returns a JSON-able summary."""

    name: str
    description: str
    schedule: Schedule
    run: JobRun


class UnknownJob(CrossdockError, KeyError):
    def __init__(self, *, job: str, known: Sequence[str]) -> None:
        self.job = job
        self.known = tuple(known)
        super().__init__(f"unknown scheduled job {job!r} (known: {', '.join(known)})")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


@dataclass
class CadenceReport:
    """What one call of `run_due_jobs` did."""

    ran: list[RunRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # due, but another worker claimed it

    @property
    def failed(self) -> list[RunRecord]:
        return [run for run in self.ran if run.outcome == "failed"]

    def to_json(self) -> dict[str, Any]:
        return {
            "ran": [run.to_json() for run in self.ran],
            "failed": len(self.failed),
            "claimed_elsewhere": self.skipped,
        }


@dataclass(frozen=True, slots=True)
class JobStatus:
    """A job as `crossdock schedule list` shows it."""

    name: str
    description: str
    schedule: str
    last_slot: datetime | None
    last_run: RunRecord | None
    next_due: datetime | None  # None: off

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.name,
            "description": self.description,
            "schedule": self.schedule,
            "last_slot": _iso(self.last_slot),
            "last_run": None if self.last_run is None else self.last_run.to_json(),
            "next_due": _iso(self.next_due),
        }


def next_due(schedule: Schedule, last_slot: datetime | None, now: datetime) -> datetime | None:
    """When the job is next due: the slot `now` falls in if it is later than the last
    slot claimed (then it is due already), else the next slot; None when off."""
    latest = schedule.latest_slot(now)
    if latest is None:
        return None
    if last_slot is None or latest > last_slot:
        return latest
    return schedule.next_slot(now)


def run_due_jobs(
    store: ScheduleStore,
    jobs: Sequence[ScheduledJob],
    *,
    now: datetime,
    clock: Clock = _utc_now,
) -> CadenceReport:
    """Run every job whose slot has come by `now` and that this worker claims first.
    A job that fails is recorded as failed and the others still run; nothing is raised.
    `clock` stamps when each run starts and ends (jobs can take minutes)."""
    report = CadenceReport()
    claimed = store.last_slots()
    for job in jobs:
        slot = next_due(job.schedule, claimed.get(job.name), now)
        if slot is None or slot > now:
            continue
        run_id = store.claim_slot(job.name, slot, at=clock())
        if run_id is None:
            report.skipped.append(job.name)
            continue
        report.ran.append(_run(store, job, run_id, now=now, clock=clock))
    return report


def run_job(
    store: ScheduleStore,
    jobs: Sequence[ScheduledJob],
    name: str,
    *,
    now: datetime,
    clock: Clock = _utc_now,
) -> RunRecord:
    """Run job `name` now, by hand, recorded like a scheduled run (trigger `manual`);
    it claims no slot, so the schedule goes on as before."""
    job = find_job(jobs, name)
    return _run(store, job, store.start_run(job.name, at=clock()), now=now, clock=clock)


def job_statuses(
    store: ScheduleStore, jobs: Sequence[ScheduledJob], *, now: datetime
) -> list[JobStatus]:
    """Every job: its schedule, last slot, last run and when it is next due."""
    slots, latest = store.last_slots(), store.latest_runs()
    return [
        JobStatus(
            name=job.name,
            description=job.description,
            schedule=job.schedule.text,
            last_slot=slots.get(job.name),
            last_run=latest.get(job.name),
            next_due=next_due(job.schedule, slots.get(job.name), now),
        )
        for job in jobs
    ]


def find_job(jobs: Sequence[ScheduledJob], name: str) -> ScheduledJob:
    for job in jobs:
        if job.name == name:
            return job
    raise UnknownJob(job=name, known=[job.name for job in jobs])


def _run(
    store: ScheduleStore, job: ScheduledJob, run_id: int, *, now: datetime, clock: Clock
) -> RunRecord:
    try:
        summary = dict(job.run(now))
    except Exception as error:  # noqa: BLE001 - a failed job is recorded; the worker goes on
        reason = f"{type(error).__name__}: {error}".strip()
        return store.finish_run(run_id, outcome="failed", at=clock(), error=reason)
    return store.finish_run(run_id, outcome="succeeded", at=clock(), summary=summary)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")
