"""What the copilot works with: documents, their passages, citations, tool results and
answers. Plain values, shared by the knowledge base, retrieval, the tools and the
answerers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal

# What a document is; each type has a default audience (`DEFAULT_AUDIENCE`).
DOC_TYPES: Final[tuple[str, ...]] = ("sop", "supplier_agreement", "customer_agreement", "policy")

ALL_ROLES: Final[frozenset[str]] = frozenset(
    {"planner", "buyer", "warehouse_supervisor", "customer_service", "finance", "executive",
     "admin", "auditor"}
)  # fmt: skip

# Who reads a document of each type unless its metadata names an `audience`. Customer
# service reads service rules, not supplier agreements; warehouse staff read SOPs.
DEFAULT_AUDIENCE: Final[Mapping[str, frozenset[str]]] = {
    "sop": ALL_ROLES,
    "policy": ALL_ROLES,
    "supplier_agreement": ALL_ROLES - {"customer_service", "warehouse_supervisor"},
    "customer_agreement": ALL_ROLES - {"warehouse_supervisor"},
}


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """A document's metadata (front matter in Markdown, or given when ingesting).

    Attributes:
        key: stable identity across versions (default: the file name without suffix).
        title: shown in citations.
        doc_type: one of `DOC_TYPES`.
        site / supplier / customer: what it is about (location, supplier or customer
            code), None when it applies everywhere.
        effective_from / effective_to: when it applies (None: open).
        audience: the roles that may read it (default by `doc_type`).
    """

    key: str
    title: str
    doc_type: str
    site: str | None = None
    supplier: str | None = None
    customer: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    audience: frozenset[str] = ALL_ROLES


@dataclass(frozen=True, slots=True)
class Passage:
    """One chunk of a document version: the text under one heading.

    `money_class` names the masking class of money the passage quotes
    ("supplier_cost" for a supplier agreement's prices, "customer_pricing" for a
    customer's), None when it quotes none: a reader who may not see that class never
    receives the passage."""

    passage_id: str  # "<key>@v<version>#<ordinal>", stable for one version
    document_key: str
    version: int
    ordinal: int
    heading: str  # the heading path, "Expedite terms > Air freight"
    text: str
    meta: DocumentMeta
    source: str  # where it came from: a file name or "api"
    money_class: str | None = None

    @property
    def cite(self) -> str:
        """How an answer cites it: title, version and section."""
        return f"{self.meta.title} (v{self.version}) § {self.heading}"


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a fact came from: a record (kind "record", ref like
    "sales_orders/SO-0001042") or a passage (kind "passage", ref its passage_id)."""

    kind: Literal["record", "passage"]
    ref: str
    label: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "label": self.label}


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What one read-only tool returned, already masked for the asking user.

    `facts` is JSON-ready data; `summary` one or more sentences in the distributor's
    words stating the facts (the deterministic answerer quotes them); `citations` the
    records the facts came from; `found` False when the tool found nothing (the summary
    says what was looked for)."""

    tool: str
    arguments: Mapping[str, Any]
    facts: Mapping[str, Any]
    summary: str
    citations: tuple[Citation, ...]
    found: bool = True
    masked_fields: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "arguments": dict(self.arguments),
            "facts": dict(self.facts),
            "summary": self.summary,
            "citations": [c.to_json() for c in self.citations],
            "found": self.found,
            "masked_fields": list(self.masked_fields),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """The copilot's answer to one question.

    Attributes:
        text: the answer, in Markdown, with citation markers like [1].
        citations: what the markers point at, in order.
        refused: True when the question was out of scope or not allowed; `text` says why.
        backend: "grounded" (no model) or "llm:<model>".
        prompt_version: the version of the prompts used (recorded in the ledger).
        proposals: recommendation ids the answer created (a drafted customer message or
            supplier follow-up), routed by policy, never sent.
    """

    question: str
    text: str
    citations: tuple[Citation, ...]
    tool_results: tuple[ToolResult, ...] = ()
    passages: tuple[Passage, ...] = ()
    refused: bool = False
    backend: str = "grounded"
    prompt_version: str = ""
    proposals: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. "the model's answer cited nothing"

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "citations": [c.to_json() for c in self.citations],
            "tools": [r.to_json() for r in self.tool_results],
            "passages": [
                {"passage_id": p.passage_id, "cite": p.cite, "text": p.text} for p in self.passages
            ],
            "refused": self.refused,
            "backend": self.backend,
            "prompt_version": self.prompt_version,
            "proposals": list(self.proposals),
            "notes": list(self.notes),
        }
