"""The copilot over HTTP: `POST /copilot/ask` answers one question for the caller's
role, with its sources (records and passages), as `crossdock ask --json` does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from crossdock.copilot.intents import MAX_QUESTION_CHARS
from crossdock.entrypoints.api.auth import Caller, Wired

router = APIRouter(tags=["copilot"])


class Question(BaseModel):
    """A question and, for follow-ups, the conversation's earlier questions."""

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    history: list[Annotated[str, Field(max_length=MAX_QUESTION_CHARS)]] = Field(
        default_factory=list, max_length=20
    )
    use_model: bool = True


@router.post("/copilot/ask")
def ask(body: Question, crossdock: Wired, caller: Caller) -> dict[str, Any]:
    """The answer (Markdown with [n] markers), its citations in marker order, the tools
    run and passages quoted (masked for the caller), refusal, model and prompt version,
    and any recommendation a drafted message was filed as."""
    answer = crossdock.ask_copilot(
        body.question,
        actor=caller,
        now=datetime.now(UTC),
        history=body.history[-5:],
        use_model=body.use_model,
    )
    return answer.to_json()
