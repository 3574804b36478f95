"""Errors of approval policies: problems in policy files, and facts routing refuses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crossdock.domain.errors import CrossdockError


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a policy file, where it is and how to fix it."""

    file: str
    line: int | None
    path: str
    message: str
    value: object = None

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def to_json(self) -> dict[str, object]:
        value = self.value if isinstance(self.value, str | int | float | bool) else None
        return {
            "file": self.file,
            "line": self.line,
            "path": self.path,
            "value": value if self.value is not None else None,
            "message": self.message,
        }


class PolicyError(CrossdockError):
    """Policy files that do not parse, do not match the schema, or loosen an enterprise
    rule. Carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the approval policy"
        if self.problems:
            head += f", first: {self.problems[0]}"
        super().__init__("\n".join([head, *(str(problem) for problem in self.problems)]))


class UnknownWorkflow(CrossdockError):
    """A workflow or recommendation kind approval policies do not know."""

    def __init__(self, *, field: str, value: str, known: Sequence[str]) -> None:
        self.field = field
        self.value = value
        self.known = tuple(known)
        super().__init__(f"unknown {field} {value!r} (known: {', '.join(self.known)})")
