"""The exceptions list in SQL: one UNION ALL of (kind, id, at) over dead letters,
unresolved quarantine rows, failed recommendations and failing scheduled jobs, paged
by keyset (at descending, kind, id descending); then each kind's rows by id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    String,
    and_,
    desc,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from crossdock.adapters.db.tables import dead_letters, quarantine, recommendations, schedule_runs
from crossdock.service_layer.exception_ports import (
    DEAD_LETTER,
    FAILED_JOB,
    FAILED_RECOMMENDATION,
    QUARANTINED_ROW,
    ExceptionFilter,
)
from crossdock.service_layer.listing_ports import Key, PageRequest, page_rows


class SqlExceptionReads:
    """`ExceptionReads` over SQLAlchemy, on SQLite and PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def exception_page(
        self, *, where: ExceptionFilter, page: PageRequest
    ) -> tuple[list[dict[str, Any]], Key | None]:
        parts = [build(where) for kind, build in _HEADS.items() if kind in where.kinds]
        if not parts:
            return [], None
        heads = union_all(*parts).subquery("exceptions")
        query = select(heads)
        if where.since is not None:
            query = query.where(heads.c.at >= where.since)
        if page.after is not None:
            at, kind, id_ = _moment(page.after[0]), page.after[1], page.after[2]
            query = query.where(
                or_(
                    heads.c.at < at,
                    and_(heads.c.at == at, heads.c.kind > kind),
                    and_(heads.c.at == at, heads.c.kind == kind, heads.c.id < id_),
                )
            )
        query = (
            query.order_by(desc(heads.c.at), heads.c.kind, desc(heads.c.id))
            .offset(page.offset)
            .limit(page.limit + 1)
        )
        with self.engine.connect() as connection:
            found = [dict(row._mapping) for row in connection.execute(query)]
            shown, after = page_rows(
                found, page, lambda row: (_iso(row["at"]), str(row["kind"]), int(row["id"]))
            )
            details: dict[tuple[str, int], dict[str, Any]] = {}
            for kind, read in _DETAILS.items():
                ids = [int(row["id"]) for row in shown if row["kind"] == kind]
                if ids:
                    for row in connection.execute(read(ids)):
                        details[kind, int(row.id)] = _shaped(kind, dict(row._mapping))
        return [details[str(row["kind"]), int(row["id"])] for row in shown], after


# -- the union's parts: (kind, id, at) ------------------------------------------------


def _head(kind: str, id_: Any, at: Any) -> Select[Any]:
    return select(literal(kind, String()).label("kind"), id_.label("id"), at.label("at"))


def _dead_letters(_: ExceptionFilter) -> Select[Any]:
    return _head(DEAD_LETTER, dead_letters.c.id, dead_letters.c.at)


def _quarantined(_: ExceptionFilter) -> Select[Any]:
    return _head(QUARANTINED_ROW, quarantine.c.id, quarantine.c.created_at).where(
        quarantine.c.resolved_at.is_(None)
    )


def _failed_recommendations(where: ExceptionFilter) -> Select[Any]:
    query = _head(
        FAILED_RECOMMENDATION, recommendations.c.id, recommendations.c.status_changed_at
    ).where(recommendations.c.status == "failed", recommendations.c.status_changed_at.is_not(None))
    if where.sites is not None:
        query = query.where(recommendations.c.to_code.in_(sorted(where.sites)))
    return query


def _failed_jobs(_: ExceptionFilter) -> Select[Any]:
    # a job whose newest finished run failed: a later success settles it
    later = aliased(schedule_runs)
    newer_finished = (
        select(later.c.id)
        .where(
            later.c.job == schedule_runs.c.job,
            later.c.id > schedule_runs.c.id,
            later.c.outcome != "running",
        )
        .exists()
    )
    return _head(
        FAILED_JOB,
        schedule_runs.c.id,
        func.coalesce(schedule_runs.c.finished_at, schedule_runs.c.started_at),
    ).where(schedule_runs.c.outcome == "failed", ~newer_finished)


_HEADS: dict[str, Callable[[ExceptionFilter], Select[Any]]] = {
    DEAD_LETTER: _dead_letters,
    QUARANTINED_ROW: _quarantined,
    FAILED_RECOMMENDATION: _failed_recommendations,
    FAILED_JOB: _failed_jobs,
}

# -- each kind's rows by id -----------------------------------------------------------

_DETAILS: dict[str, Callable[[Sequence[int]], Select[Any]]] = {
    DEAD_LETTER: lambda ids: select(
        dead_letters.c.id, dead_letters.c.at, dead_letters.c.stage, dead_letters.c.channel,
        dead_letters.c.event_id, dead_letters.c.consumer, dead_letters.c.field,
        dead_letters.c.value, dead_letters.c.reason, dead_letters.c.attempts,
    ).where(dead_letters.c.id.in_(ids)),
    QUARANTINED_ROW: lambda ids: select(
        quarantine.c.id, quarantine.c.created_at, quarantine.c.entity, quarantine.c.natural_key,
        quarantine.c.field, quarantine.c.value, quarantine.c.reason, quarantine.c.source_file,
        quarantine.c.row_number, quarantine.c.check_name, quarantine.c.import_run_id,
    ).where(quarantine.c.id.in_(ids)),
    FAILED_RECOMMENDATION: lambda ids: select(
        recommendations.c.id, recommendations.c.status_changed_at, recommendations.c.kind,
        recommendations.c.sku, recommendations.c.from_code, recommendations.c.to_code,
        recommendations.c.erp_error, recommendations.c.status_reason,
        recommendations.c.erp_attempts, recommendations.c.erp_retry_at,
    ).where(recommendations.c.id.in_(ids)),
    FAILED_JOB: lambda ids: select(
        schedule_runs.c.id, schedule_runs.c.job, schedule_runs.c.trigger, schedule_runs.c.slot,
        schedule_runs.c.started_at, schedule_runs.c.finished_at, schedule_runs.c.error,
    ).where(schedule_runs.c.id.in_(ids)),
}  # fmt: skip


def _shaped(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """One exception in the common shape."""
    if kind == DEAD_LETTER:
        return _exception(
            kind, row["id"], row["at"], subject=row["stage"], reference=row["event_id"],
            field=row["field"], value=row["value"], reason=row["reason"],
            detail={"channel": row["channel"], "consumer": row["consumer"],
                    "attempts": row["attempts"]},
        )  # fmt: skip
    if kind == QUARANTINED_ROW:
        return _exception(
            kind, row["id"], row["created_at"], subject=row["entity"],
            reference=row["natural_key"], field=row["field"], value=row["value"],
            reason=row["reason"],
            detail={"source_file": row["source_file"], "row_number": row["row_number"],
                    "check": row["check_name"], "import_run_id": row["import_run_id"]},
        )  # fmt: skip
    if kind == FAILED_RECOMMENDATION:
        return _exception(
            kind, row["id"], row["status_changed_at"], subject=row["kind"],
            reference=f"{row['sku']}@{row['to_code']}", field=None, value=None,
            reason=row["erp_error"] or row["status_reason"] or "failed",
            detail={"recommendation_id": row["id"], "sku": row["sku"],
                    "from_code": row["from_code"], "to_code": row["to_code"],
                    "erp_error": row["erp_error"], "status_reason": row["status_reason"],
                    "erp_attempts": row["erp_attempts"], "erp_retry_at": _iso(row["erp_retry_at"])},
        )  # fmt: skip
    return _exception(
        kind, row["id"], row["finished_at"] or row["started_at"], subject=row["job"],
        reference=None, field=None, value=None, reason=row["error"] or "failed",
        detail={"trigger": row["trigger"], "slot": _iso(row["slot"]),
                "started_at": _iso(row["started_at"])},
    )  # fmt: skip


def _exception(
    kind: str,
    id_: int,
    at: datetime | None,
    *,
    subject: str | None,
    reference: str | None,
    field: str | None,
    value: str | None,
    reason: str,
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": int(id_),
        "at": _iso(at),
        "subject": subject,
        "reference": reference,
        "field": field,
        "value": value,
        "reason": reason,
        "detail": detail,
    }


def _aware(moment: datetime) -> datetime:
    # SQLite gives times back naive; they were written in UTC
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else _aware(moment).isoformat()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
