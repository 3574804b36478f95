"""The building blocks of the canonical model: field kinds, fields, entities."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldKind(StrEnum):
    """How a field's text is read and checked."""

    TEXT = "text"
    CODE = "code"  # one of a fixed list of values
    INTEGER = "integer"
    QUANTITY = "quantity"  # a count in the item's unit of measure; may be fractional
    MONEY = "money"  # in the distributor's reporting currency, 4 decimals kept
    RATE = "rate"  # a share written as a decimal fraction: 0.15 for 15%
    DATE = "date"  # ISO 8601 calendar date, YYYY-MM-DD
    TIMESTAMP = "timestamp"  # ISO 8601 with offset; naive values are read as UTC
    BOOLEAN = "boolean"  # true/false, 1/0, yes/no, y/n


@dataclass(frozen=True, slots=True)
class Field:
    """One column of an entity file."""

    name: str
    kind: FieldKind
    description: str
    required: bool = False
    unit: str | None = None
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    references: tuple[str, str] | None = None  # (entity, field) that must hold the value
    not_in_future: bool = False
    not_before: str | None = None  # a DATE field of the same row this one may not precede
    reason_code: bool = False  # site-specific codes are mapped to canonical ones
    stale_after_days: int | None = None  # warn when the newest value is older than this


@dataclass(frozen=True, slots=True)
class Entity:
    """One kind of record, imported from one file named after it."""

    name: str
    description: str
    fields: tuple[Field, ...]
    natural_key: tuple[str, ...]
    uom_field: str | None = None  # when present, must match the item's unit of measure
    freshness_field: str | None = None  # the date that says how current the data is

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)
