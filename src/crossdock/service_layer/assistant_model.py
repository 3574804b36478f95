"""The copilot's answer from a language model, and the numbered sources both answerers
cite.

The model gets the system prompt, the question and the numbered sources (masked for the
asker, instructions made inert, fenced as data), and may ask for more tools, but only
from the asker's list and at most `MAX_TOOL_CALLS` in all over `MAX_MODEL_ROUNDS` turns:
a tool it was not offered is answered "not available" and never run. Its text is used
only when it cites at least one source and every marker it writes points at one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from crossdock.copilot.grounded import Numbered
from crossdock.copilot.guard import inert
from crossdock.copilot.model import Citation, ToolResult
from crossdock.copilot.prompts import (
    Source,
    source_text,
    system_message,
    tool_message,
    user_message,
)
from crossdock.domain.errors import CrossdockError
from crossdock.governance.access import Principal
from crossdock.service_layer.assistant_ports import ChatModel, Toolbox

MAX_MODEL_ROUNDS: Final = 4  # model turns per question, tool calls included
MAX_TOOL_CALLS: Final = 8  # tools a model may have run for one question
_MARKER: Final = re.compile(r"\[(\d{1,3})\]")


def citation_of(numbered: Numbered) -> Citation:
    if numbered.passage is not None:
        return Citation("passage", numbered.passage.passage_id, numbered.passage.cite)
    result = numbered.result
    assert result is not None  # a numbered source is one or the other
    refs = [c.ref for c in result.citations]
    first = refs[0] if refs else f"{result.tool}/{json.dumps(dict(result.arguments))}"
    shown = ", ".join(refs[:4]) + (f" and {len(refs) - 4} more" if len(refs) > 4 else "")
    return Citation("record", first, f"{result.tool.replace('_', ' ')}: {shown or first}")


def source_of(numbered: Numbered) -> Source:
    citation = citation_of(numbered)
    if numbered.passage is not None:
        text, _ = inert(numbered.passage.text)
        return Source(numbered.number, citation, text)
    result = numbered.result
    assert result is not None
    summary, _ = inert(result.summary)
    facts, _ = inert(json.dumps(result.facts, default=str, sort_keys=True))  # records' free text
    return Source(numbered.number, citation, source_text(summary, facts))


def model_answer(
    model: ChatModel,
    question: str,
    numbered: list[Numbered],
    *,
    actor: Principal,
    now: datetime,
    toolbox: Toolbox,
    notes: list[str],
) -> tuple[str | None, list[Numbered], list[dict[str, Any]]]:
    """Ask the model (module docstring): its text, the sources with those its tool calls
    added, and the messages it received. The text is None when it cited nothing valid."""
    specs = toolbox.specs()
    allowed = {str(spec["function"]["name"]) for spec in specs}
    messages: list[dict[str, Any]] = [
        system_message(roles=[r.value for r in actor.roles], today=now.date().isoformat()),
        user_message(question, [source_of(n) for n in numbered]),
    ]
    calls_left = MAX_TOOL_CALLS
    for _ in range(MAX_MODEL_ROUNDS):
        reply = model.complete(messages, tools=specs)
        if not reply.tool_calls:
            return _checked_text(reply.content, numbered, notes), numbered, messages
        messages.append(
            {
                "role": "assistant",
                "content": reply.content,
                "tool_calls": [
                    {
                        "id": c.call_id,
                        "type": "function",
                        "function": {"name": c.name, "arguments": json.dumps(dict(c.arguments))},
                    }
                    for c in reply.tool_calls
                ],
            }
        )
        for call in reply.tool_calls:
            problem = call.problem if calls_left > 0 else f"more than {MAX_TOOL_CALLS} tool calls"
            calls_left -= 1
            result = _run_for_model(call.name, call.arguments, problem, allowed, toolbox)
            entry = Numbered(len(numbered) + 1, result=result)
            numbered = [*numbered, entry]
            messages.append(tool_message(call.call_id, source_of(entry)))
    notes.append(f"the model asked for tools {MAX_MODEL_ROUNDS} times without answering")
    return None, numbered, messages


def _run_for_model(
    name: str,
    arguments: Mapping[str, Any],
    problem: str | None,
    allowed: set[str],
    toolbox: Toolbox,
) -> ToolResult:
    """A tool the model asked for, or a result saying why it did not run: a tool outside
    the asker's list is never run, whatever the model was told."""
    refusal = None
    if problem is not None:
        refusal = problem
    elif name not in allowed:
        refusal = f"no tool {name!r} is available to this user"
    else:
        try:
            return toolbox.call(name, arguments)
        except CrossdockError as error:
            refusal = str(error)
    return ToolResult(name, dict(arguments), {}, f"Not run: {refusal}.", (), found=False)


def _checked_text(
    content: str | None, numbered: Sequence[Numbered], notes: list[str]
) -> str | None:
    """The model's text when every marker points at a source and at least one does;
    None (the grounded answer is used) otherwise."""
    text = (content or "").strip()
    numbers = {n.number for n in numbered}
    cited = {int(m) for m in _MARKER.findall(text)}
    if not text:
        notes.append("the model returned no text; the grounded answer is shown")
        return None
    if not cited & numbers:  # with no sources at all, nothing can be cited: no model text
        notes.append("the model's answer cited no source; the grounded answer is shown")
        return None
    stray = sorted(cited - numbers)
    if stray:
        notes.append(f"the model cited sources that do not exist ({stray}); they were removed")
        text = _MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in numbers else "", text)
    return text
