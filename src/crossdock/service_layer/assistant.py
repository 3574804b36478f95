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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, Protocol

from crossdock.copilot import intents as ask_for
from crossdock.copilot.drafts import Draft, customer_reply, supplier_follow_up
from crossdock.copilot.grounded import Numbered, compose, draft_block
from crossdock.copilot.guard import inert
from crossdock.copilot.intents import Reading, References, read_question
from crossdock.copilot.model import Answer, Passage, ToolResult
from crossdock.copilot.prompts import (
    PROMPT_VERSION,
)
from crossdock.domain.errors import CrossdockError
from crossdock.governance.access import Principal
from crossdock.governance.ledger import EntryDraft
from crossdock.service_layer.assistant_model import citation_of, model_answer
from crossdock.service_layer.assistant_ports import ChatModel, ModelUnavailable, Toolbox

GROUNDED: Final = "grounded"
PASSAGES_QUOTED: Final = 3  # passages an answer quotes (and so cites)
HISTORY_READ: Final = 5  # earlier questions a follow-up may take its references from


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
    question = _valid_question(question)
    references = toolbox.resolve(question)
    if not references.any():
        for earlier in reversed(history[-HISTORY_READ:]):
            references = toolbox.resolve(earlier[: ask_for.MAX_QUESTION_CHARS])
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
            text, numbered, messages = model_answer(
                model, question, numbered, actor=actor, now=now, toolbox=toolbox, notes=notes
            )
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
    else:  # the draft shown is the one filed, written from the records, not the model's
        text = "\n\n".join(
            part for part in (text, draft and draft_block(draft), draft_note) if part
        )
    answer = Answer(
        question=question,
        text=text,
        citations=tuple(citation_of(n) for n in numbered),
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


def _valid_question(question: str) -> str:
    text = question.strip()
    if not text:
        raise InvalidQuestion("the question is empty")
    if len(text) > ask_for.MAX_QUESTION_CHARS:
        raise InvalidQuestion(
            f"the question is {len(text)} characters long; at most "
            f"{ask_for.MAX_QUESTION_CHARS} are read"
        )
    return text


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
    passages = [replace(p, text=inert(p.text)[0]) for p in passages]  # quoted as data
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
