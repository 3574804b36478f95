"""Cadence over an in-memory schedule store: when a job is due, one run per slot, a
failure recorded without stopping the others, runs by hand, and the job list."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crossdock.domain.schedules import OFF, daily, every
from crossdock.service_layer.cadence import (
    ScheduledJob,
    UnknownJob,
    job_statuses,
    next_due,
    run_due_jobs,
    run_job,
)
from crossdock.service_layer.cadence_ports import Outcome, RunRecord

NIGHT = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


class FakeScheduleStore:
    """`ScheduleStore` in memory; `claims_lost` makes the next claims fail as if another
    worker had won them."""

    def __init__(self) -> None:
        self.slots: dict[str, datetime] = {}
        self.records: list[RunRecord] = []
        self.claims_lost = 0

    def claim_slot(self, job: str, slot: datetime, *, at: datetime) -> int | None:
        if self.claims_lost:
            self.claims_lost -= 1
            self.slots[job] = slot
            return None
        if job in self.slots and self.slots[job] >= slot:
            return None
        self.slots[job] = slot
        return self._add(job, "schedule", slot, at)

    def start_run(self, job: str, *, at: datetime) -> int:
        return self._add(job, "manual", None, at)

    def finish_run(
        self,
        run_id: int,
        *,
        outcome: Outcome,
        at: datetime,
        error: str | None = None,
        summary: Mapping[str, Any] | None = None,
    ) -> RunRecord:
        old = self.records[run_id - 1]
        new = RunRecord(old.id, old.job, old.trigger, old.slot, old.runner, old.started_at,
                        at, outcome, error, summary)  # fmt: skip
        self.records[run_id - 1] = new
        return new

    def last_slots(self) -> dict[str, datetime]:
        return dict(self.slots)

    def runs(self, *, job: str | None = None, limit: int = 50) -> list[RunRecord]:
        return [r for r in reversed(self.records) if job in (None, r.job)][:limit]

    def latest_runs(self) -> dict[str, RunRecord]:
        return {r.job: r for r in self.records}

    def _add(self, job: str, trigger: Any, slot: datetime | None, at: datetime) -> int:
        self.records.append(
            RunRecord(len(self.records) + 1, job, trigger, slot, "test:1", at, None, "running",
                      None, None)
        )  # fmt: skip
        return len(self.records)


class Calls:
    def __init__(self, fail: bool = False) -> None:
        self.at: list[datetime] = []
        self.fail = fail

    def __call__(self, now: datetime) -> dict[str, Any]:
        self.at.append(now)
        if self.fail:
            raise RuntimeError("no inventory positions on or before 2026-11-28")
        return {"raised": len(self.at)}


def _jobs(plan: Calls, check: Calls) -> list[ScheduledJob]:
    return [
        ScheduledJob("plan", "the plan", daily(2, 0), plan),
        ScheduledJob("po_acknowledgement", "the check", every(1, "h"), check),
    ]


def test_a_job_never_run_is_due_at_once_then_at_its_next_slot():
    nightly = daily(2, 0)
    now = NIGHT + timedelta(hours=8)
    assert next_due(nightly, None, now) == NIGHT  # due already
    assert next_due(nightly, NIGHT, now) == NIGHT + timedelta(days=1)
    assert next_due(nightly, NIGHT - timedelta(days=3), now) == NIGHT  # missed: once
    assert next_due(OFF, None, now) is None


def test_each_slot_runs_once_and_missed_slots_run_once_not_once_each():
    store, plan, check = FakeScheduleStore(), Calls(), Calls()
    jobs = _jobs(plan, check)
    first = run_due_jobs(store, jobs, now=NIGHT + timedelta(minutes=1), clock=lambda: NIGHT)
    assert [run.job for run in first.ran] == ["plan", "po_acknowledgement"]
    assert run_due_jobs(store, jobs, now=NIGHT + timedelta(minutes=59)).ran == []
    later = run_due_jobs(store, jobs, now=NIGHT + timedelta(hours=5, minutes=2))
    assert [run.job for run in later.ran] == ["po_acknowledgement"]  # four slots, one run
    assert check.at == [NIGHT + timedelta(minutes=1), NIGHT + timedelta(hours=5, minutes=2)]
    assert len(plan.at) == 1
    assert store.slots == {"plan": NIGHT, "po_acknowledgement": NIGHT + timedelta(hours=5)}


def test_a_slot_another_worker_claimed_is_not_run_here():
    store, plan, check = FakeScheduleStore(), Calls(), Calls()
    store.claims_lost = 1
    report = run_due_jobs(store, _jobs(plan, check), now=NIGHT)
    assert report.skipped == ["plan"]
    assert plan.at == []
    assert [run.job for run in report.ran] == ["po_acknowledgement"]


def test_a_failing_job_is_recorded_failed_and_the_others_still_run():
    store, plan, check = FakeScheduleStore(), Calls(fail=True), Calls()
    done = NIGHT + timedelta(seconds=42)
    report = run_due_jobs(store, _jobs(plan, check), now=NIGHT, clock=lambda: done)
    failed, succeeded = report.ran
    assert (failed.job, failed.outcome, failed.finished_at) == ("plan", "failed", done)
    assert failed.error == "RuntimeError: no inventory positions on or before 2026-11-28"
    assert failed.summary is None
    assert (succeeded.outcome, succeeded.summary) == ("succeeded", {"raised": 1})
    assert report.to_json()["failed"] == 1
    assert store.slots["plan"] == NIGHT  # not retried within its slot
    assert run_due_jobs(store, _jobs(plan, check), now=NIGHT + timedelta(minutes=5)).ran == []


def test_a_job_run_by_hand_is_recorded_and_leaves_the_schedule_alone():
    store, plan, check = FakeScheduleStore(), Calls(), Calls()
    record = run_job(store, _jobs(plan, check), "plan", now=NIGHT - timedelta(hours=1))
    assert (record.trigger, record.slot, record.outcome) == ("manual", None, "succeeded")
    assert store.slots == {}
    assert [r.job for r in run_due_jobs(store, _jobs(plan, check), now=NIGHT).ran] == [
        "plan",
        "po_acknowledgement",
    ]


def test_an_unknown_job_names_the_known_ones_and_runs_nothing():
    store, plan, check = FakeScheduleStore(), Calls(), Calls()
    with pytest.raises(UnknownJob) as refused:
        run_job(store, _jobs(plan, check), "replan", now=NIGHT)
    assert str(refused.value) == "unknown scheduled job 'replan' (known: plan, po_acknowledgement)"
    assert store.records == []


def test_the_job_list_shows_schedule_last_run_and_next_due():
    store, plan, check = FakeScheduleStore(), Calls(), Calls()
    jobs = [*_jobs(plan, check), ScheduledJob("paused", "off", OFF, Calls())]
    run_due_jobs(store, jobs, now=NIGHT + timedelta(minutes=10))
    now = NIGHT + timedelta(hours=1, minutes=30)
    rows = {status.name: status.to_json() for status in job_statuses(store, jobs, now=now)}
    assert rows["plan"]["schedule"] == "daily@02:00"
    assert rows["plan"]["next_due"] == "2026-11-29T02:00:00Z"
    assert rows["plan"]["last_run"]["outcome"] == "succeeded"
    assert rows["po_acknowledgement"]["next_due"] == "2026-11-28T03:00:00Z"  # due now
    assert rows["paused"] == {
        "job": "paused", "description": "off", "schedule": "off", "last_slot": None,
        "last_run": None, "next_due": None,
    }  # fmt: skip
