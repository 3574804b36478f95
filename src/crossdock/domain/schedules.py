"""When a scheduled job runs: `every <n><m|h|d>`, `daily@HH:MM` (UTC) or `off`.

A schedule is a period and an offset from the Unix epoch, so every worker, whenever it
started, computes the same slots: `every 1h` runs at the top of each hour, `every 90m`
at 00:00, 01:30, 03:00 ... UTC, `daily@02:00` at 02:00 UTC each day. A slot is the
start of one period; the job is due once per slot. Pure: no clock, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from crossdock.domain.errors import CrossdockError

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MAX_EVERY: Final = 10_000  # `every 10000d` is already ~27 years
_UNITS: Final = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_EVERY = re.compile(r"every\s+(\d+)\s*([mhd])", re.IGNORECASE)
_DAILY = re.compile(r"daily\s*@\s*(\d{1,2}):(\d{2})", re.IGNORECASE)
FORMAT: Final = "`every <n><m|h|d>` (every 15m, every 1h, every 2d), `daily@HH:MM` (UTC) or `off`"


class InvalidSchedule(CrossdockError, ValueError):
    """A schedule that cannot be read; names the job, the text and what is wrong."""

    def __init__(self, *, text: str, reason: str, job: str | None = None) -> None:
        self.job = job
        self.text = text
        self.reason = reason
        where = f"{job}=" if job else ""
        super().__init__(f"schedule {where}{text!r}: {reason}")


@dataclass(frozen=True, slots=True)
class Schedule:
    """Slots every `period`, shifted by `offset` from the epoch; `period` None: off."""

    period: timedelta | None
    offset: timedelta = timedelta(0)
    text: str = "off"

    @property
    def off(self) -> bool:
        return self.period is None

    def latest_slot(self, now: datetime) -> datetime | None:
        """The start of the slot `now` falls in (the latest slot <= now); None when off."""
        if self.period is None:
            return None
        _require_aware(now)
        start = EPOCH + self.offset
        return start + ((now - start) // self.period) * self.period

    def next_slot(self, now: datetime) -> datetime | None:
        """The first slot after `now`; None when off."""
        latest = self.latest_slot(now)
        return None if latest is None or self.period is None else latest + self.period


OFF: Final = Schedule(period=None)


def every(count: int, unit: str) -> Schedule:
    """A slot every `count` minutes (m), hours (h) or days (d), aligned on the epoch."""
    if unit not in _UNITS:
        raise InvalidSchedule(text=f"every {count}{unit}", reason="the unit is m, h or d")
    if not 1 <= count <= MAX_EVERY:
        raise InvalidSchedule(
            text=f"every {count}{unit}", reason=f"the count is between 1 and {MAX_EVERY:,}"
        )
    return Schedule(period=count * _UNITS[unit], text=f"every {count}{unit}")


def daily(hour: int, minute: int) -> Schedule:
    """A slot each day at hour:minute UTC."""
    text = f"daily@{hour:02d}:{minute:02d}"
    if not 0 <= hour <= 23:
        raise InvalidSchedule(text=text, reason=f"hour {hour} is not between 00 and 23")
    if not 0 <= minute <= 59:
        raise InvalidSchedule(text=text, reason=f"minute {minute} is not between 00 and 59")
    return Schedule(
        period=timedelta(days=1), offset=timedelta(hours=hour, minutes=minute), text=text
    )


def parse_schedule(text: str, *, job: str | None = None) -> Schedule:
    """`every 15m`, `every 1h`, `every 2d`, `daily@02:00` (UTC) or `off`."""
    cleaned = text.strip()
    if cleaned.lower() == "off":
        return OFF
    if matched := _EVERY.fullmatch(cleaned):
        count, unit = int(matched.group(1)), matched.group(2).lower()
        return _named(job, text, lambda: every(count, unit))
    if matched := _DAILY.fullmatch(cleaned):
        hour, minute = int(matched.group(1)), int(matched.group(2))
        return _named(job, text, lambda: daily(hour, minute))
    raise InvalidSchedule(text=text, job=job, reason=f"expected {FORMAT}")


def parse_schedules(text: str, *, known: tuple[str, ...]) -> dict[str, Schedule]:
    """`job=schedule` pairs separated by commas or semicolons, e.g.
    `plan=daily@02:00, po_acknowledgement=every 1h`; every job must be one of `known`."""
    schedules: dict[str, Schedule] = {}
    for entry in re.split(r"[,;]", text):
        if not entry.strip():
            continue
        job, equals, value = entry.partition("=")
        job = job.strip()
        if not equals or not job:
            raise InvalidSchedule(text=entry.strip(), reason="expected job=schedule")
        if job not in known:
            raise InvalidSchedule(
                text=value.strip(), job=job, reason=f"unknown job (known: {', '.join(known)})"
            )
        if job in schedules:
            raise InvalidSchedule(text=value.strip(), job=job, reason="the job is named twice")
        schedules[job] = parse_schedule(value, job=job)
    return schedules


def _named(job: str | None, text: str, build: Callable[[], Schedule]) -> Schedule:
    """Build a schedule, naming the job and the text as written when it is refused."""
    try:
        return build()
    except InvalidSchedule as error:
        raise InvalidSchedule(text=text.strip(), job=job, reason=error.reason) from None


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError(f"now={now.isoformat()}: a time zone aware time is needed")
