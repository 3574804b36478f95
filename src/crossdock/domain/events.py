"""Operational events: the envelope every event shares, what each type must carry, and
the one validator every intake path (REST batch, `crossdock events ingest`, connectors)
goes through.

An event is a fact a source system reports: an order was held, a supplier acknowledged
a PO, a carrier moved an ETA. The envelope says what, when, where and about which item
or document; `data` carries what only that type has, validated by a pydantic model per
type with unknown keys refused. `event_catalogue()` describes it all for the docs and
`crossdock events catalogue`.

Reason codes stay as the site wrote them; `ReasonCodeMap` translates them later. An
event id seen twice is the same event delivered twice: that is for storage to ignore,
not an error here.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import (
    BaseModel,
    ValidationError,
)

from crossdock.domain.errors import CrossdockError
from crossdock.domain.event_catalogue import (
    ALWAYS_REQUIRED,
    ENVELOPE,
    SPECS,
    TEXT_FIELDS,
    QuantityRule,
    field_kind,
)
from crossdock.domain.event_payloads import (
    FUTURE_TOLERANCE,
    MAX_ID_LENGTH,
    MAX_TEXT_LENGTH,
    Payload,
)
from crossdock.domain.reason_codes import EventType

# ---------------------------------------------------------------- the event


@dataclass(frozen=True, slots=True)
class Event:
    """One validated event. Build it from untrusted input with `parse_event`.

    `occurred_at` is always timezone-aware and in UTC; `data` holds JSON values only
    (dates as ISO strings, money as decimal strings) and is to be read, not changed.
    """

    event_id: str
    event_type: EventType
    occurred_at: datetime
    source: str
    location_code: str | None = None
    sku: str | None = None
    reference: str | None = None
    quantity: float | None = None
    reason_code: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.occurred_at.utcoffset() is None:
            raise InvalidEvent(
                event_id=self.event_id,
                line=None,
                field="occurred_at",
                value=self.occurred_at.isoformat(),
                reason=_NO_TIME_ZONE,
            )
        object.__setattr__(self, "occurred_at", self.occurred_at.astimezone(UTC))

    @property
    def ordering_key(self) -> str:
        """Events with the same key must be handled in the order they occurred.

        `SKU-000001@BR01` when the event names an item and a site (everything touching
        that stock position), else `reference:PO-0001016` (everything about one
        document), else `type:stockout`.
        """
        if self.sku is not None and self.location_code is not None:
            return f"{self.sku}@{self.location_code}"
        if self.reference is not None:
            return f"reference:{self.reference}"
        return f"type:{self.event_type}"

    def payload(self) -> Payload:
        """`data` as the typed pydantic model of this event's type."""
        return SPECS[self.event_type].payload.model_validate(self.data)

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON-safe form: every envelope field, `occurred_at` ending in Z.

        `parse_event(event.to_json()) == event`.
        """
        return {
            "event_id": self.event_id,
            "event_type": self.event_type.value,
            "occurred_at": _iso_utc(self.occurred_at),
            "source": self.source,
            "location_code": self.location_code,
            "sku": self.sku,
            "reference": self.reference,
            "quantity": self.quantity,
            "reason_code": self.reason_code,
            "data": copy.deepcopy(dict(self.data)),
        }


@dataclass(frozen=True, slots=True)
class EventProblem:
    """One thing wrong with an event: the field (a dotted path inside `data`), the
    offending value (None when the field is missing) and why."""

    field: str
    value: object
    reason: str

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.field}: {self.reason}"
        return f"{self.field}={_clip(self.value)!r}: {self.reason}"


class InvalidEvent(CrossdockError):
    """An event that breaks the catalogue's rules.

    Names the first problem (`field`, `value`, `reason`); `problems` lists them all.
    """

    def __init__(
        self,
        *,
        event_id: str | None,
        line: int | None,
        field: str,
        value: object,
        reason: str,
        problems: Sequence[EventProblem] = (),
    ) -> None:
        self.event_id = event_id
        self.line = line
        self.field = field
        self.value = value
        self.reason = reason
        self.problems = list(problems) or [EventProblem(field, value, reason)]
        which = f"event {event_id}" if event_id else "event"
        where = f" (line {line})" if line is not None else ""
        super().__init__(f"{which}{where}: {EventProblem(field, value, reason)}")


# ---------------------------------------------------------------- parsing


def parse_event(
    raw: Mapping[str, Any], *, line: int | None = None, now: datetime | None = None
) -> Event:
    """Validate one event as received (a decoded JSON object) and return it normalised.

    Args:
        raw: the event's fields; absent and null optional fields are the same.
        line: where it came from (a JSON lines file), for the error message.
        now: the clock `occurred_at` may not run ahead of by more than 5 minutes;
            the current time when omitted.

    Raises:
        InvalidEvent: naming the first problem; `.problems` holds every one found.
    """
    now = datetime.now(UTC) if now is None else _aware(now)
    if not isinstance(raw, Mapping):
        raise InvalidEvent(
            event_id=None, line=line, field="event", value=raw, reason="not a JSON object"
        )
    problems: list[EventProblem] = []
    event_id = _text(raw, "event_id", problems, max_length=MAX_ID_LENGTH)
    event_type = _event_type(raw.get("event_type"), problems)
    occurred_at = _timestamp(raw.get("occurred_at"), now, problems)
    texts = {name: _text(raw, name, problems) for name in TEXT_FIELDS}
    quantity = _quantity(raw.get("quantity"), problems)
    problems.extend(
        EventProblem(str(key), value, f"unknown field (the envelope has {_ENVELOPE_NAMES})")
        for key, value in raw.items()
        if key not in _ENVELOPE_SET
    )
    data: dict[str, Any] = {}
    if event_type is not None:
        spec = SPECS[event_type]
        present = {**texts, "quantity": quantity}
        problems.extend(
            EventProblem(name, None, f"required for {event_type}")
            for name in spec.required
            if present[name] is None and not any(p.field == name for p in problems)
        )
        if quantity is not None and not _obeys(quantity, spec.quantity_rule):
            problems.append(
                EventProblem(
                    "quantity", raw["quantity"], f"must be {spec.quantity_rule} for {event_type}"
                )
            )
        data = _payload(raw.get("data"), spec.payload, problems)
    if problems:
        first = problems[0]
        raise InvalidEvent(
            event_id=event_id,
            line=line,
            field=first.field,
            value=first.value,
            reason=first.reason,
            problems=problems,
        )
    source = texts.pop("source")
    assert event_id is not None
    assert event_type is not None
    assert occurred_at is not None
    assert source is not None
    return Event(
        event_id=event_id,
        event_type=event_type,
        occurred_at=occurred_at,
        source=source.lower(),
        quantity=quantity,
        data=data,
        **texts,
    )


def parse_event_line(text: str, *, line: int | None = None, now: datetime | None = None) -> Event:
    """`parse_event` for one line of a JSON lines file.

    Raises:
        InvalidEvent: field `json` when the line is not a JSON object, else as `parse_event`.
    """
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidEvent(
            event_id=None,
            line=line,
            field="json",
            value=text,
            reason=f"not valid JSON: {error.msg} at column {error.colno}",
        ) from None
    if not isinstance(raw, dict):
        raise InvalidEvent(
            event_id=None, line=line, field="json", value=text, reason="not a JSON object"
        )
    return parse_event(raw, line=line, now=now)


_ENVELOPE_SET: Final = frozenset(spec.name for spec in ENVELOPE)
_ENVELOPE_NAMES: Final = ", ".join(spec.name for spec in ENVELOPE)
_KNOWN_TYPES: Final = frozenset(kind.value for kind in EventType)
_NO_TIME_ZONE: Final = "no time zone: add Z or an offset such as +01:00"


def _text(
    raw: Mapping[str, Any],
    name: str,
    problems: list[EventProblem],
    *,
    max_length: int = MAX_TEXT_LENGTH,
) -> str | None:
    """A stripped string; blank is absent. Absent is a problem only if always required."""
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if name in ALWAYS_REQUIRED:
            problems.append(EventProblem(name, None, "required"))
        return None
    if not isinstance(value, str):
        problems.append(EventProblem(name, value, "must be a string"))
        return None
    text = value.strip()
    if len(text) > max_length:
        problems.append(
            EventProblem(name, value, f"{len(text)} characters, more than {max_length}")
        )
        return None
    return text


def _event_type(value: object, problems: list[EventProblem]) -> EventType | None:
    if value is None or value == "":
        problems.append(EventProblem("event_type", None, "required"))
        return None
    if isinstance(value, str) and value in _KNOWN_TYPES:
        return EventType(value)
    known = ", ".join(kind.value for kind in EventType)
    problems.append(EventProblem("event_type", value, f"unknown event type (known: {known})"))
    return None


def _timestamp(value: object, now: datetime, problems: list[EventProblem]) -> datetime | None:
    if value is None or value == "":
        problems.append(EventProblem("occurred_at", None, "required"))
        return None
    moment = value if isinstance(value, datetime) else _iso_timestamp(value)
    if moment is None:
        problems.append(EventProblem("occurred_at", value, "not an ISO 8601 timestamp"))
        return None
    if moment.utcoffset() is None:
        problems.append(EventProblem("occurred_at", value, _NO_TIME_ZONE))
        return None
    moment = moment.astimezone(UTC)
    if moment > now + FUTURE_TOLERANCE:
        problems.append(
            EventProblem(
                "occurred_at",
                value,
                f"more than 5 minutes in the future (now is {_iso_utc(now)})",
            )
        )
        return None
    return moment


def _iso_timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _quantity(value: object, problems: list[EventProblem]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(EventProblem("quantity", value, "must be a number"))
        return None
    number = float(value)
    if not math.isfinite(number):
        problems.append(EventProblem("quantity", value, "must be a finite number"))
        return None
    return number


def _obeys(quantity: float, rule: QuantityRule) -> bool:
    if rule is QuantityRule.POSITIVE:
        return quantity > 0
    if rule is QuantityRule.NON_ZERO:
        return quantity != 0
    return True


def _payload(value: object, model: type[Payload], problems: list[EventProblem]) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        problems.append(EventProblem("data", value, "not a JSON object"))
        return {}
    try:
        payload = model.model_validate(value)
    except ValidationError as error:
        problems.extend(_problem(model, detail) for detail in error.errors(include_url=False))
        return {}
    return payload.model_dump(mode="json", exclude_none=True)


def _problem(model: type[BaseModel], detail: Any) -> EventProblem:
    location: tuple[int | str, ...] = detail["loc"]
    path = "data" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in location)
    kind = detail["type"]
    if kind == "missing":
        return EventProblem(path, None, "required")
    if kind == "extra_forbidden":
        known = ", ".join(_model_at(model, location[:-1]).model_fields)
        return EventProblem(path, detail["input"], f"unknown field (expected: {known})")
    if kind == "value_error":
        return EventProblem(path, detail["input"], str(detail["ctx"]["error"]))
    message: str = detail["msg"]
    return EventProblem(path, detail["input"], message[:1].lower() + message[1:])


def _model_at(model: type[BaseModel], location: Sequence[int | str]) -> type[BaseModel]:
    """The model of the object at `location` (list indexes skipped)."""
    for part in location:
        if isinstance(part, str):
            _, nested = field_kind(model.model_fields[part].annotation)
            if nested is None:
                break
            model = nested
    return model


def _aware(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"now={moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _clip(value: object, width: int = 80) -> object:
    if isinstance(value, str) and len(value) > width:
        return value[: width - 3] + "..."
    return value
