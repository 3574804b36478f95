"""The one error an X12 file is refused with: where (segment number and line in the
file, and the control numbers of the interchange, group and transaction around it) and
why."""

from __future__ import annotations

from dataclasses import dataclass

from crossdock.domain.errors import CrossdockError


@dataclass(frozen=True, slots=True)
class Position:
    """Where a segment stands: its number in the file (from 1, every interchange
    counted), its line, and the control numbers of the envelopes it sits in."""

    segment: int
    line: int
    interchange: str | None = None
    group: str | None = None
    transaction: str | None = None

    def __str__(self) -> str:
        where = [f"segment {self.segment} (line {self.line})"]
        for name, control in (
            ("interchange", self.interchange),
            ("group", self.group),
            ("transaction", self.transaction),
        ):
            if control is not None:
                where.append(f"{name} {control}")
        return ", ".join(where)


class InvalidEdi(CrossdockError):
    """An X12 file that cannot be read as it stands.

    `position` says where, `reason` what is wrong there; `problems` holds every
    (position, reason) found when more than one was checked at once (syntax notes).
    """

    def __init__(
        self,
        position: Position,
        reason: str,
        *,
        problems: tuple[tuple[Position, str], ...] = (),
    ) -> None:
        self.position = position
        self.reason = reason
        self.problems = problems or ((position, reason),)
        more = len(self.problems) - 1
        extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(f"invalid X12 at {position}: {reason}{extra}")
