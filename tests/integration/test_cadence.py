"""Cadence on SQLite and PostgreSQL: of several workers claiming one slot exactly one
runs it; every run is recorded; the PO acknowledgement check raises one event per PO per
day, and the procurement agent answers it with one follow-up; `crossdock schedule`."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crossdock.bootstrap import Crossdock
from crossdock.domain.schedules import every
from crossdock.service_layer.agent_runtime import agents, run_cycle
from crossdock.service_layer.cadence import ScheduledJob, find_job, run_due_jobs, run_job
from crossdock.service_layer.importing import import_sources
from tests.conftest import REPO_ROOT
from tests.helpers import cli_json, run_cli

BASIC = REPO_ROOT / "examples" / "basic"
SLOT = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
# PO-5004 (SUP1 -> DC1, 200 x A100 promised 20 Nov) was sent on 18 Nov and its line has
# no acknowledged_date. Two more A100 orders (as in test_procurement_agent.py) need it:
# without its 200 units, the 502 on hand serve SO-1005 and SO-2001 and leave SO-2002 60
# short on 2 Dec.
ORDERS = (
    "SO-2001,C001,BR1,2026-11-19,2026-11-28,released,\n"
    "SO-2002,C002,BR2,2026-11-19,2026-12-02,released,\n"
)
LINES = "SO-2001,1,A100,300,0,0,11.50,BX\nSO-2002,1,A100,250,0,0,11.50,BX\n"


def _network(tmp_path: Path) -> Path:
    folder = tmp_path / "network"
    shutil.copytree(BASIC, folder)
    with (folder / "sales_orders.csv").open("a") as handle:
        handle.write(ORDERS)
    with (folder / "sales_order_lines.csv").open("a") as handle:
        handle.write(LINES)
    return folder


def _import(crossdock: Crossdock, folder: Path) -> None:
    sources, _ = crossdock.read_sources(folder)
    done = import_sources(
        sources, store=crossdock.store, kind="import", description=str(folder), as_of=SLOT
    )
    assert done.to_dict()["totals"]["rows_quarantined"] == 0


def _deliver(crossdock: Crossdock, now: datetime) -> dict[str, int]:
    """Worker cycles until nothing is due: what each consumer handled."""
    handled: dict[str, int] = {}
    while True:
        cycle = run_cycle(
            crossdock.events, crossdock.governance, agents(crossdock.agent_data),
            policy=None, now=now,
        )  # fmt: skip
        for name, count in cycle.dispatched.by_consumer.items():
            handled[name] = handled.get(name, 0) + count
        if cycle.dispatched.claimed == 0:
            return handled


def _procurement_proposals(crossdock: Crossdock) -> list[dict[str, Any]]:
    rows = crossdock.governance.recommendation_rows(limit=100)
    return [row for row in rows if row["agent"] == "agent:procurement"]


def _claim(
    crossdock: Crossdock, slot: datetime, start: threading.Barrier, won: list[int | None]
) -> None:
    start.wait()
    won.append(crossdock.schedules.claim_slot("po_acknowledgement", slot, at=slot))


def test_of_four_workers_claiming_one_slot_exactly_one_wins(crossdock: Crossdock):
    for hour in range(3):  # three slots in a row, four claims each
        slot = SLOT + timedelta(hours=hour)
        start = threading.Barrier(4)
        won: list[int | None] = []
        threads = [
            threading.Thread(target=_claim, args=(crossdock, slot, start, won)) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 4
        assert len([run for run in won if run is not None]) == 1
    runs = crossdock.schedules.runs(job="po_acknowledgement")
    assert [(run.slot, run.outcome, run.trigger) for run in runs] == [
        (SLOT + timedelta(hours=2), "running", "schedule"),
        (SLOT + timedelta(hours=1), "running", "schedule"),
        (SLOT, "running", "schedule"),
    ]
    assert crossdock.schedules.claim_slot("po_acknowledgement", SLOT, at=SLOT) is None  # past


def test_two_workers_running_due_jobs_at_once_run_each_slot_once(crossdock: Crossdock):
    calls: list[datetime] = []
    lock = threading.Lock()

    def count(now: datetime) -> dict[str, Any]:
        with lock:
            calls.append(now)
        return {"calls": len(calls)}

    jobs = [ScheduledJob("po_acknowledgement", "count", every(1, "h"), count)]
    start = threading.Barrier(2)
    ran: list[int] = []

    def work() -> None:
        start.wait()
        report = run_due_jobs(crossdock.schedules, jobs, now=SLOT + timedelta(minutes=1))
        ran.append(len(report.ran))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ran) == [0, 1]
    assert len(calls) == 1
    (record,) = crossdock.schedules.runs()
    assert (record.outcome, record.summary, record.slot) == ("succeeded", {"calls": 1}, SLOT)
    assert record.finished_at is not None
    assert record.finished_at >= record.started_at
    assert crossdock.schedules.last_slots() == {"po_acknowledgement": SLOT}


def test_a_failed_run_is_recorded_with_its_error(crossdock: Crossdock):
    def broken(now: datetime) -> dict[str, Any]:
        raise RuntimeError(f"no inventory positions on or before {now.date()}")

    jobs = [ScheduledJob("plan", "broken", every(1, "d"), broken)]
    record = run_job(crossdock.schedules, jobs, "plan", now=SLOT)
    assert (record.trigger, record.outcome) == ("manual", "failed")
    assert record.error == "RuntimeError: no inventory positions on or before 2026-11-21"
    assert crossdock.schedules.latest_runs()["plan"] == record
    assert crossdock.schedules.last_slots() == {}  # a run by hand claims no slot


def test_the_acknowledgement_check_raises_one_event_per_po_per_day_and_one_follow_up(
    crossdock: Crossdock, tmp_path: Path
):
    _import(crossdock, _network(tmp_path))
    jobs = crossdock.scheduled_jobs()
    check = find_job(jobs, "po_acknowledgement")
    assert check.schedule.text == "every 1h"

    first = run_due_jobs(crossdock.schedules, [check], now=SLOT)  # PO-5004: 3 days
    (run,) = first.ran
    assert run.summary == {
        "sent_on_or_before": "2026-11-19", "purchase_orders": 1, "lines": 1, "raised": 1,
        "already_raised_today": 0,
    }  # fmt: skip
    an_hour_later = run_due_jobs(crossdock.schedules, [check], now=SLOT + timedelta(hours=1))
    assert an_hour_later.ran[0].summary["raised"] == 0
    assert an_hour_later.ran[0].summary["already_raised_today"] == 1
    assert crossdock.events.event_counts()["events"] == 1

    assert _deliver(crossdock, SLOT + timedelta(hours=1))["agent:procurement"] == 1
    (rec,) = _procurement_proposals(crossdock)
    assert (rec["kind"], rec["po_number"], rec["line_number"]) == ("follow_up", "PO-5004", 1)
    assert rec["source_event_id"] == "po-unacknowledged:PO-5004:2026-11-21"
    assert rec["quantity"] == 60.0
    assert rec["expected_arrival_date"] == "2026-12-02"
    assert rec["do_nothing_cost"] == 477.0  # 60 x (11.50 - 6.20) x 1.5 (silver)
    assert (rec["expedite_cost"], rec["savings"]) == (0.0, 0.0)
    assert rec["status"] == "pending_approval"
    assert "not acknowledged it, 3 days after the PO was sent on 2026-11-18" in rec["rationale"]
    assert "SO-2002 (C002, silver, 60 short on 2026-12-02)" in rec["rationale"]
    assert rec["drivers"]["line"]["waiting_days"] == 3

    # the next day: a new event, but the buyer has not decided yesterday's follow-up yet
    next_day = run_due_jobs(crossdock.schedules, [check], now=SLOT + timedelta(days=1))
    assert next_day.ran[0].summary["raised"] == 1
    assert _deliver(crossdock, SLOT + timedelta(days=1))["agent:procurement"] == 1
    assert [r["id"] for r in _procurement_proposals(crossdock)] == [rec["id"]]


@pytest.mark.slow
def test_schedule_list_and_run_through_the_command_line(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    run_cli(database_url, "init")
    listed = cli_json(database_url, "schedule", "list")
    assert [(j["job"], j["schedule"], j["last_run"]) for j in listed["jobs"]] == [
        ("plan", "daily@02:00", None),
        ("po_acknowledgement", "every 1h", None),
        ("connections", "every 15m", None),
    ]
    assert all(j["next_due"] <= listed["now"] for j in listed["jobs"])  # never run: due

    failed = cli_json(database_url, "schedule", "run", "plan", expect=1)  # nothing imported
    assert (failed["job"], failed["trigger"], failed["outcome"]) == ("plan", "manual", "failed")
    assert failed["error"]

    cli_json(database_url, "import", str(_network(tmp_path)))
    checked = cli_json(database_url, "schedule", "run", "po_acknowledgement")
    assert checked["outcome"] == "succeeded"
    assert (checked["summary"]["purchase_orders"], checked["summary"]["raised"]) == (1, 1)
    planned = cli_json(database_url, "schedule", "run", "plan")
    assert planned["outcome"] == "succeeded"
    assert planned["summary"]["as_of"] == datetime.now(UTC).date().isoformat()
    assert planned["summary"]["routing"]["routed"] == planned["summary"]["recommendations"]

    history = cli_json(database_url, "schedule", "runs")["runs"]
    assert [(r["job"], r["outcome"]) for r in history] == [
        ("plan", "succeeded"), ("po_acknowledgement", "succeeded"), ("plan", "failed"),
    ]  # fmt: skip
    listed = cli_json(database_url, "schedule", "list")
    assert [j["last_run"] and j["last_run"]["outcome"] for j in listed["jobs"]] == [
        "succeeded", "succeeded", None,
    ]  # fmt: skip
    assert "plan" in run_cli(database_url, "schedule", "list").stdout

    unknown = run_cli(database_url, "schedule", "run", "replan", expect=1)
    assert unknown.stderr.strip() == (
        "error: unknown scheduled job 'replan' (known: plan, po_acknowledgement, connections)"
    )
    monkeypatch.setenv("CROSSDOCK_SCHEDULES", "plan=off, po_acknowledgement=every 15m")
    listed = cli_json(database_url, "schedule", "list")
    assert [(j["schedule"], j["next_due"] is None) for j in listed["jobs"]] == [
        ("off", True), ("every 15m", False), ("every 15m", False),
    ]  # fmt: skip
    monkeypatch.setenv("CROSSDOCK_SCHEDULES", "plan=daily@25:00")
    refused = run_cli(database_url, "schedule", "list", expect=1)
    assert refused.stderr.strip() == (
        "error: schedule plan='daily@25:00': hour 25 is not between 00 and 23"
    )


def test_the_worker_runs_due_jobs_then_delivers_what_they_raised(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(_network(tmp_path)))
    monkeypatch.setenv("CROSSDOCK_SCHEDULES", "plan=off, connections=off")
    once = cli_json(database_url, "worker", "--once")  # --once: no jobs unless asked
    assert "jobs" not in once
    worked = cli_json(database_url, "worker", "--once", "--jobs")
    assert worked["jobs"] == {"ran": 1, "failed": 0}  # the acknowledgement check, once
    assert worked["dispatch"]["by_consumer"]["agent:procurement"] == 1  # its event
    again = cli_json(database_url, "worker", "--once", "--jobs")
    assert again["jobs"] == {"ran": 0, "failed": 0}  # the hour's slot is taken
    listed = cli_json(database_url, "schedule", "list")
    assert [j["last_run"] and j["last_run"]["trigger"] for j in listed["jobs"]] == [
        None, "schedule", None,
    ]  # fmt: skip
