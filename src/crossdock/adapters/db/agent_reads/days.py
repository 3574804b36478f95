"""Dates as the drivers return them (date, datetime or ISO text)."""

from __future__ import annotations

from datetime import date, datetime


def day(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
