"""What the assistant needs: the asker's read-only tools, and from a language model one
chat-completions turn."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from crossdock.copilot.intents import References
from crossdock.copilot.model import ToolResult
from crossdock.domain.errors import CrossdockError


class ModelUnavailable(CrossdockError):
    """The language model could not be reached or answered with an error; the assistant
    falls back to its grounded answerer and says so."""


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool the model asks to run, with its arguments as the model wrote them."""

    call_id: str
    name: str
    arguments: Mapping[str, Any]
    problem: str | None = None  # e.g. the arguments were not JSON


@dataclass(frozen=True, slots=True)
class ChatReply:
    """The model's turn: text, or tools to run first."""

    content: str | None
    tool_calls: tuple[ToolCall, ...] = field(default=())


class ChatModel(Protocol):
    """A chat-completions model (OpenAI-compatible)."""

    @property
    def name(self) -> str:
        """The model's name, as recorded with every answer."""
        ...

    def complete(
        self, messages: Sequence[Mapping[str, Any]], *, tools: Sequence[Mapping[str, Any]]
    ) -> ChatReply:
        """One turn; raises `ModelUnavailable` when the server fails."""
        ...


class Toolbox(Protocol):
    """The read-only tools, bound to the asking user (service_layer/copilot_tools.py)."""

    def specs(self) -> Sequence[Mapping[str, Any]]:
        """The tools this user may call, as OpenAI function specs."""
        ...

    def call(self, name: str, arguments: Mapping[str, Any]) -> ToolResult:
        """Run one tool; raises a CrossdockError for an unknown tool or bad arguments."""
        ...

    def resolve(self, question: str) -> References:
        """What the question names (orders, POs, suppliers, customers, items, sites)."""
        ...
