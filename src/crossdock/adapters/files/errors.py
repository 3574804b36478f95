"""Errors of the file reader."""

from __future__ import annotations

from pathlib import Path

from crossdock.domain.errors import CrossdockError


class UnreadableFile(CrossdockError):
    """A file that cannot be read as a table at all (as opposed to a table with bad rows)."""

    def __init__(self, *, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot read {path}: {reason}")
