"""Typed domain errors. Each carries the data a person needs to fix the cause."""

from __future__ import annotations


class CrossdockError(Exception):
    """Base of every error Crossdock raises on purpose."""


class UnknownReasonCode(CrossdockError):
    """A site code with no mapping to a canonical reason code."""

    def __init__(self, *, site_code: str, location_code: str | None) -> None:
        self.site_code = site_code
        self.location_code = location_code
        where = f" at location {location_code}" if location_code else ""
        super().__init__(
            f"unknown reason code {site_code!r}{where}: add it to reason_code_mappings"
        )


class InvalidRecord(CrossdockError):
    """A record that breaks a rule of the canonical model."""

    def __init__(self, *, entity: str, key: str, field: str, value: object, reason: str) -> None:
        self.entity = entity
        self.key = key
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{entity} {key}: {field}={value!r}: {reason}")
