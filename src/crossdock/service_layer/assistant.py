"""The copilot's use case: answer one question, grounded, cited, scoped to the asker.

    answer = ask(question, actor=principal, now=now, toolbox=..., retrieve=...,
                 ledger=governance_store, drafts=..., model=None)

1. Read the question (`copilot/intents.py`): refuse what asks the copilot to act, or is
   not about the distributor's operations.
2. Run the read-only tools the question calls for, chosen from the question's own
   words and limited to what the asker's role may read (`toolbox.specs()`); every tool
   result is masked for the asker already.
3. Find the passages of the documents the asker may read (`retrieve`).
4. Answer: with a model (`ChatModel`, OpenAI-compatible), which may ask for more tools
   from the same list; without one, or when it fails, compose the grounded answer
   (`copilot/grounded.py`). Every fact carries a source number.
5. A draft message becomes a recommendation (customer_message or supplier_follow_up)
   routed by the approval policy, never sent (`drafts`), and only when the asker may
   propose in that workflow.
6. Record the question, the prompt version, what was read and cited, the model and its
   messages in the audit ledger.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, Protocol

from crossdock.copilot import intents as ask_for
from crossdock.copilot.drafts import Draft, customer_reply, supplier_follow_up
from crossdock.copilot.grounded import Numbered, compose
from crossdock.copilot.guard import inert
from crossdock.copilot.intents import Reading, References, read_question
from crossdock.copilot.model import Answer, Citation, Passage, ToolResult
from crossdock.copilot.prompts import (
    PROMPT_VERSION,
    Source,
    source_text,
    system_message,
    tool_message,
    user_message,
)
from crossdock.domain.errors import CrossdockError
from crossdock.governance.access import Principal
from crossdock.governance.ledger import EntryDraft
from crossdock.service_layer.assistant_ports import ChatModel, ModelUnavailable

GROUNDED: Final = "grounded"
MAX_MODEL_ROUNDS: Final = 4  # model turns per question, tool calls included
PASSAGES_QUOTED: Final = 3  # passages an answer quotes (and so cites)
_MARKER: Final = re.compile(r"\[(\d{1,3})\]")


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


class Retrieve(Protocol):
    def __call__(
        self, query: str, *, k: int, supplier: str | None = None, customer: str | None = None
    ) -> list[Passage]:
        """The passages the asker may read that best answer `query`."""
        ...


class LedgerSink(Protocol):
    def append(self, entries: Sequence[EntryDraft]) -> Sequence[Any]: ...


# Files a draft as a recommendation for `actor` and routes it; returns what the answer
# says about it and the recommendation id (None when none was filed).
FileDraft = Callable[[Draft, Principal, datetime], tuple[str, int | None]]


@dataclass(frozen=True, slots=True)
class _Gathered:
    results: list[ToolResult]
    passages: list[Passage]
    notes: list[str]


def ask(
    question: str,
    *,
    actor: Principal,
    now: datetime,
    toolbox: Toolbox,
    retrieve: Retrieve,
    ledger: LedgerSink,
    file_draft: FileDraft | None = None,
    model: ChatModel | None = None,
    history: Sequence[str] = (),
) -> Answer:
    """Answer `question` for `actor`; see the module's docstring. `history`: the
    conversation's earlier questions, whose references stand in when this one names none
    ("draft a reply to that customer")."""
    question = _checked(question)
    references = toolbox.resolve(question)
    if not references.any():
        for earlier in reversed(history[-5:]):
            references = toolbox.resolve(earlier)
            if references.any():
                break
    reading = read_question(question, references)
    if reading.refusal is not None:
        answer = Answer(question, reading.refusal, (), refused=True, prompt_version=PROMPT_VERSION)
        _record(ledger, answer, actor=actor, now=now, reading=reading, messages=None)
        return answer
    gathered = _gather(reading, question, toolbox=toolbox, retrieve=retrieve)
    numbered = _number(gathered)
    draft = _draft(reading, gathered.results)
    notes = list(gathered.notes)
    text, backend, messages = None, GROUNDED, None
    if model is not None:
        try:
            text, numbered, messages = _model_answer(
                model, question, numbered, actor=actor, now=now, toolbox=toolbox,
                draft=draft, notes=notes,
            )  # fmt: skip
            backend = GROUNDED if text is None else f"llm:{model.name}"
        except ModelUnavailable as error:
            notes.append(f"{error}; answered without the model")
    proposals: tuple[int, ...] = ()
    draft_note = None
    if draft is not None and file_draft is not None:
        draft_note, filed = file_draft(draft, actor, now)
        proposals = () if filed is None else (filed,)
    if text is None:
        text = compose(question, numbered, draft=draft, draft_note=draft_note)
    elif draft_note:
        text = f"{text}\n\n{draft_note}"
    answer = Answer(
        question=question,
        text=text,
        citations=tuple(_citation(n) for n in numbered),
        tool_results=tuple(gathered.results + _extra_results(numbered, gathered.results)),
        passages=tuple(n.passage for n in numbered if n.passage is not None),
        backend=backend,
        prompt_version=PROMPT_VERSION,
        proposals=proposals,
        notes=tuple(notes),
    )
    _record(ledger, answer, actor=actor, now=now, reading=reading, messages=messages)
    return answer


class InvalidQuestion(CrossdockError):
    """An empty or overlong question."""


def _checked(question: str) -> str:
    text = question.strip()
    if not text:
        raise InvalidQuestion("the question is empty")
    if len(text) > ask_for.MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"the question is {len(text)} characters long; at most "
            f"{ask_for.MAX_QUESTION_CHARS} are read"
        )
    return text


_TOOL_OF: Final[Mapping[str, str]] = {
    ask_for.ORDER_STATUS: "order_status",
    ask_for.SUPPLIER_RISK: "supplier_po_risk",
    ask_for.LEAD_TIME: "supplier_lead_time",
    ask_for.INVENTORY: "inventory_position",
    ask_for.RECOMMENDATIONS: "open_recommendations",
    ask_for.KPIS: "kpis",
}


def _calls(reading: Reading) -> list[tuple[str, dict[str, Any]]]:
    """The tool calls the question's intents call for, in order, without repeats."""
    refs = reading.references
    wanted = set(reading.intents)
    if ask_for.DRAFT_CUSTOMER in wanted:
        wanted.add(ask_for.ORDER_STATUS)
    if ask_for.DRAFT_SUPPLIER in wanted:
        wanted.add(ask_for.SUPPLIER_RISK)
    calls: list[tuple[str, dict[str, Any]]] = []
    if ask_for.ORDER_STATUS in wanted:
        orders = refs.order_numbers or ask_for.unknown_orders(refs)
        calls += [("order_status", {"order_number": o}) for o in orders[:3]]
    if ask_for.SUPPLIER_RISK in wanted:
        calls += [
            ("supplier_po_risk", {"supplier": s, "days": reading.days}) for s in refs.suppliers[:2]
        ]
    if ask_for.LEAD_TIME in wanted:
        calls += [("supplier_lead_time", {"supplier": s}) for s in refs.suppliers[:2]]
    if ask_for.INVENTORY in wanted:
        location = refs.locations[0] if refs.locations else None
        calls += [("inventory_position", {"sku": s, "location": location}) for s in refs.skus[:3]]
    if ask_for.RECOMMENDATIONS in wanted:
        arguments: dict[str, Any] = {"limit": 5}
        if refs.skus:
            arguments["sku"] = refs.skus[0]
        if refs.locations:
            arguments["location"] = refs.locations[0]
        calls.append(("open_recommendations", arguments))
    if ask_for.KPIS in wanted:
        calls.append(("kpis", {}))
    return calls


def _gather(reading: Reading, question: str, *, toolbox: Toolbox, retrieve: Retrieve) -> _Gathered:
    allowed = {str(spec["function"]["name"]) for spec in toolbox.specs()}
    results: list[ToolResult] = []
    notes: list[str] = []
    for name, arguments in _calls(reading):
        if name not in allowed:
            notes.append(f"your role may not read {name.replace('_', ' ')}; left out")
            continue
        results.append(toolbox.call(name, arguments))
    passages: list[Passage] = []
    if ask_for.DOCUMENTS in reading.intents:
        query = " ".join([question, *_context_words(results)])
        refs = reading.references
        for supplier in refs.suppliers[:1]:
            passages += retrieve(query, k=2, supplier=supplier)
        for customer in _customers(refs, results)[:1]:
            passages += retrieve(query, k=2, customer=customer)
        passages += retrieve(query, k=5)
    about = _about(reading.references, results)
    unique = [p for p in {p.passage_id: p for p in passages}.values() if _concerns(p, about)][
        :PASSAGES_QUOTED
    ]
    return _Gathered(results, unique, notes)


def _about(refs: References, results: Sequence[ToolResult]) -> dict[str, set[str]]:
    """The suppliers and customers the question is about (named, or found by the tools)."""
    suppliers = set(refs.suppliers) | {
        str(r.facts["supplier_code"])
        for r in results
        if isinstance(r.facts.get("supplier_code"), str)
    }
    return {"supplier": suppliers, "customer": set(_customers(refs, results))}


def _concerns(passage: Passage, about: dict[str, set[str]]) -> bool:
    """False for a passage of another supplier's or customer's agreement than the ones
    the question is about (one customer's service terms never answer for another)."""
    supplier, customer = passage.meta.supplier, passage.meta.customer
    if supplier is not None and about["supplier"] and supplier not in about["supplier"]:
        return False
    return not (customer is not None and about["customer"] and customer not in about["customer"])


def _context_words(results: Sequence[ToolResult]) -> list[str]:
    """Words from what the tools found that help find the right passages (a hold's
    reason, a customer's tier)."""
    words = []
    for result in results:
        for key in ("hold_reason", "hold_code", "hold_meaning", "customer_tier", "status"):
            value = result.facts.get(key)
            if isinstance(value, str):
                words.append(value.replace("_", " "))
    return words


def _customers(refs: References, results: Sequence[ToolResult]) -> list[str]:
    found = list(refs.customers)
    found += [
        str(r.facts["customer_code"])
        for r in results
        if isinstance(r.facts.get("customer_code"), str)
    ]
    return list(dict.fromkeys(found))


def _number(gathered: _Gathered) -> list[Numbered]:
    numbered = [Numbered(i, result=r) for i, r in enumerate(gathered.results, start=1)]
    start = len(numbered) + 1
    numbered += [Numbered(start + i, passage=p) for i, p in enumerate(gathered.passages)]
    return numbered


def _draft(reading: Reading, results: Sequence[ToolResult]) -> Draft | None:
    if ask_for.DRAFT_CUSTOMER in reading.intents:
        orders = [r for r in results if r.tool == "order_status" and r.found]
        return customer_reply(orders[0].facts) if orders else None
    if ask_for.DRAFT_SUPPLIER in reading.intents:
        risks = [r for r in results if r.tool == "supplier_po_risk" and r.found]
        return supplier_follow_up(risks[0].facts) if risks else None
    return None


def _citation(numbered: Numbered) -> Citation:
    if numbered.passage is not None:
        return Citation("passage", numbered.passage.passage_id, numbered.passage.cite)
    result = numbered.result
    assert result is not None  # a numbered source is one or the other
    refs = [c.ref for c in result.citations]
    first = refs[0] if refs else f"{result.tool}/{json.dumps(dict(result.arguments))}"
    shown = ", ".join(refs[:4]) + (f" and {len(refs) - 4} more" if len(refs) > 4 else "")
    return Citation("record", first, f"{result.tool.replace('_', ' ')}: {shown or first}")


def _source(numbered: Numbered) -> Source:
    citation = _citation(numbered)
    if numbered.passage is not None:
        text, _ = inert(numbered.passage.text)
        return Source(numbered.number, citation, text)
    result = numbered.result
    assert result is not None
    summary, _ = inert(result.summary)
    return Source(numbered.number, citation, source_text(summary, result.facts))


def _model_answer(
    model: ChatModel,
    question: str,
    numbered: list[Numbered],
    *,
    actor: Principal,
    now: datetime,
    toolbox: Toolbox,
    draft: Draft | None,
    notes: list[str],
) -> tuple[str | None, list[Numbered], list[dict[str, Any]]]:
    """Ask the model; it may call the asker's tools (nothing else) for up to
    `MAX_MODEL_ROUNDS` turns. The text is None when the model cited nothing valid."""
    specs = toolbox.specs()
    allowed = {str(spec["function"]["name"]) for spec in specs}
    addressee = None if draft is None else f"the {draft.addressee_kind} {draft.addressee}"
    messages: list[dict[str, Any]] = [
        system_message(roles=[r.value for r in actor.roles], today=now.date().isoformat()),
        user_message(question, [_source(n) for n in numbered], draft_for=addressee),
    ]
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
            result = _run_for_model(call.name, call.arguments, call.problem, allowed, toolbox)
            entry = Numbered(len(numbered) + 1, result=result)
            numbered = [*numbered, entry]
            messages.append(tool_message(call.call_id, _source(entry)))
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
    if numbers and not cited & numbers:
        notes.append("the model's answer cited no source; the grounded answer is shown")
        return None
    stray = sorted(cited - numbers)
    if stray:
        notes.append(f"the model cited sources that do not exist ({stray}); they were removed")
        text = _MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in numbers else "", text)
    return text


def _extra_results(numbered: Sequence[Numbered], first: Sequence[ToolResult]) -> list[ToolResult]:
    seen = {id(r) for r in first}
    return [n.result for n in numbered if n.result is not None and id(n.result) not in seen]


def _record(
    ledger: LedgerSink,
    answer: Answer,
    *,
    actor: Principal,
    now: datetime,
    reading: Reading,
    messages: list[dict[str, Any]] | None,
) -> None:
    """One `copilot_answer` ledger entry: the question, the prompt version, the tools
    run and citations given, the answer's hash, and the messages a model received."""
    detail: dict[str, Any] = {
        "question": answer.question,
        "intents": list(reading.intents),
        "prompt_version": answer.prompt_version,
        "backend": answer.backend,
        "refused": answer.refused,
        "tools": [{"tool": r.tool, "arguments": dict(r.arguments)} for r in answer.tool_results],
        "citations": [c.ref for c in answer.citations],
        "proposals": list(answer.proposals),
        "answer_sha256": hashlib.sha256(answer.text.encode()).hexdigest(),
        "notes": list(answer.notes),
    }
    if messages is not None:
        detail["messages"] = messages
    ledger.append(
        [
            EntryDraft(
                actor=actor.username,
                event="copilot_answer",
                at=now,
                model_version=answer.backend,
                detail=json.loads(json.dumps(detail, default=str)),
            )
        ]
    )


def with_history(answer: Answer, **changes: Any) -> Answer:
    """A copy of `answer` with fields changed (for the interfaces)."""
    return replace(answer, **changes)
