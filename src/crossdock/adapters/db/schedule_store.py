"""The SQL schedule store: one row per scheduled job whose `last_slot` is claimed by
compare-and-set, so of several workers exactly one runs each slot, and every run kept
for the operator. It also holds what the scheduled checks read (`AcknowledgementReads`).

The claim is one transaction: make sure the job's row exists, then
`UPDATE ... SET last_slot = :slot WHERE job = :job AND (last_slot IS NULL OR last_slot
< :slot)`, then record the run. On PostgreSQL a second worker's UPDATE waits for the
first to commit, re-reads the row and matches nothing; SQLite has one writer at a time
and the transaction's first statement already takes the write lock.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Engine, Row, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from crossdock.adapters.db.agent_reads.days import day
from crossdock.adapters.db.tables import canonical_tables, schedule_runs, scheduled_jobs
from crossdock.service_layer.acknowledgement_check import UnacknowledgedLine
from crossdock.service_layer.cadence_ports import Outcome, RunRecord, Trigger

_SENT = ("sent", "acknowledged", "partially_received")  # not draft, shipped or closed


class SqlScheduleStore:
    """`ScheduleStore` and `AcknowledgementReads` over SQLAlchemy, on SQLite and PostgreSQL."""

    def __init__(self, engine: Engine, *, runner: str | None = None) -> None:
        self.engine = engine
        self.runner = runner or f"{socket.gethostname()}:{os.getpid()}"

    def claim_slot(self, job: str, slot: datetime, *, at: datetime) -> int | None:
        dialect_insert = (
            postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        )
        with self.engine.begin() as connection:
            connection.execute(
                dialect_insert(scheduled_jobs)
                .values(job=job)
                .on_conflict_do_nothing(index_elements=["job"])
            )
            claimed = connection.execute(
                update(scheduled_jobs)
                .where(
                    scheduled_jobs.c.job == job,
                    or_(scheduled_jobs.c.last_slot.is_(None), scheduled_jobs.c.last_slot < slot),
                )
                .values(last_slot=slot, claimed_at=at, claimed_by=self.runner)
            )
            if claimed.rowcount != 1:
                return None
            return self._insert_run(connection, job, trigger="schedule", slot=slot, at=at)

    def start_run(self, job: str, *, at: datetime) -> int:
        with self.engine.begin() as connection:
            return self._insert_run(connection, job, trigger="manual", slot=None, at=at)

    def finish_run(
        self,
        run_id: int,
        *,
        outcome: Outcome,
        at: datetime,
        error: str | None = None,
        summary: Mapping[str, Any] | None = None,
    ) -> RunRecord:
        text = None if summary is None else json.dumps(dict(summary), default=str)
        with self.engine.begin() as connection:
            connection.execute(
                update(schedule_runs)
                .where(schedule_runs.c.id == run_id)
                .values(finished_at=at, outcome=outcome, error=error, summary=text)
            )
            row = connection.execute(
                select(schedule_runs).where(schedule_runs.c.id == run_id)
            ).one()
        return _record(row)

    def last_slots(self) -> dict[str, datetime]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(scheduled_jobs.c.job, scheduled_jobs.c.last_slot).where(
                    scheduled_jobs.c.last_slot.is_not(None)
                )
            ).all()
        return {row.job: _aware(row.last_slot) for row in rows}

    def runs(self, *, job: str | None = None, limit: int = 50) -> list[RunRecord]:
        query = select(schedule_runs).order_by(schedule_runs.c.id.desc()).limit(limit)
        if job is not None:
            query = query.where(schedule_runs.c.job == job)
        with self.engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def latest_runs(self) -> dict[str, RunRecord]:
        newest = select(func.max(schedule_runs.c.id)).group_by(schedule_runs.c.job)
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(schedule_runs).where(schedule_runs.c.id.in_(newest.scalar_subquery()))
            ).all()
        return {row.job: _record(row) for row in rows}

    def unacknowledged_po_lines(self, *, sent_on_or_before: date) -> list[UnacknowledgedLine]:
        po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
        query = (
            select(
                pol.c.po_number,
                pol.c.line_number,
                po.c.supplier_code,
                po.c.location_code,
                po.c.order_date,
            )
            .join(po, po.c.po_number == pol.c.po_number)
            .where(
                po.c.status.in_(_SENT),
                po.c.order_date <= sent_on_or_before,
                pol.c.acknowledged_date.is_(None),
                pol.c.shipped_date.is_(None),
                pol.c.asn_number.is_(None),
                func.coalesce(pol.c.received_quantity, 0) < pol.c.ordered_quantity,
            )
            .order_by(pol.c.po_number, pol.c.line_number)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            UnacknowledgedLine(
                po_number=row.po_number,
                line_number=int(row.line_number),
                supplier_code=row.supplier_code,
                location_code=row.location_code,
                order_date=cast("date", day(row.order_date)),
            )
            for row in rows
        ]

    def _insert_run(
        self, connection: Any, job: str, *, trigger: Trigger, slot: datetime | None, at: datetime
    ) -> int:
        key = connection.execute(
            insert(schedule_runs).values(
                job=job,
                trigger=trigger,
                slot=slot,
                runner=self.runner,
                started_at=at,
                outcome="running",
            )
        ).inserted_primary_key
        return int(key[0])


def _record(row: Row[Any]) -> RunRecord:
    return RunRecord(
        id=int(row.id),
        job=row.job,
        trigger=row.trigger,
        slot=None if row.slot is None else _aware(row.slot),
        runner=row.runner,
        started_at=_aware(row.started_at),
        finished_at=None if row.finished_at is None else _aware(row.finished_at),
        outcome=row.outcome,
        error=row.error,
        summary=None if row.summary is None else json.loads(row.summary),
    )


def _aware(moment: datetime) -> datetime:
    # SQLite gives times back naive; they were written in UTC
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
