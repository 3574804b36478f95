"""Tryton's JSON values: dates, times, decimals and durations travel as objects with a
`__class__` (`{"__class__": "date", "year": 2026, "month": 11, "day": 29}`). Turned into
Python values on the way in (Tryton keeps times in UTC, so they come back aware) and
back on the way out, so the rest of the connector sees
the same values over JSON-RPC as in-process through proteus."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any


def to_json(value: Any) -> Any:  # noqa: PLR0911 - one return per type
    """A Python value as Tryton's JSON-RPC expects it."""
    if isinstance(value, datetime):
        return {"__class__": "datetime", "year": value.year, "month": value.month,
                "day": value.day, "hour": value.hour, "minute": value.minute,
                "second": value.second, "microsecond": value.microsecond}  # fmt: skip
    if isinstance(value, date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, timedelta):
        return {"__class__": "timedelta", "seconds": value.total_seconds()}
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def from_json(value: Any) -> Any:  # noqa: PLR0911 - one return per type
    """Tryton's JSON as Python values (dates, datetimes, Decimals, timedeltas)."""
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("__class__")
    if kind == "date":
        return date(value["year"], value["month"], value["day"])
    if kind == "datetime":
        return datetime(value["year"], value["month"], value["day"], value.get("hour", 0),
                        value.get("minute", 0), value.get("second", 0),
                        value.get("microsecond", 0), tzinfo=UTC)  # fmt: skip
    if kind == "time":
        return time(value.get("hour", 0), value.get("minute", 0), value.get("second", 0))
    if kind == "timedelta":
        return timedelta(seconds=value["seconds"])
    if kind == "Decimal":
        return Decimal(value["decimal"])
    if kind == "bytes":
        return base64.b64decode(value["base64"])
    return {k: from_json(v) for k, v in value.items()}
