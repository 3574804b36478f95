"""The deterministic grounded answerer: an answer composed from the tools' results and
the passages found, with no language model.

Every sentence it writes is either a tool's own summary (the facts, in the
distributor's words, as the tool stated them) or a quotation from a passage, each
followed by its source number; so every fact is cited, and the same question on the
same data always gets the same answer. Passages are quoted after `guard.inert`, so an
instruction planted in a document is shown as removed, never repeated as advice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from crossdock.copilot.drafts import Draft
from crossdock.copilot.guard import inert
from crossdock.copilot.model import Passage, ToolResult

_WORD: Final = re.compile(r"[a-z0-9]+")
_STOP: Final = frozenset(
    ("a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from",
     "how", "i", "in", "is", "it", "its", "of", "on", "or", "our", "the", "this", "to", "we",
     "what", "when", "which", "who", "why", "will", "with", "you", "your", "about", "should",
     "there", "they")
)  # fmt: skip
_QUOTE_WORDS: Final = 60


@dataclass(frozen=True, slots=True)
class Numbered:
    """A tool result or a passage with the source number the answer cites it by."""

    number: int
    result: ToolResult | None = None
    passage: Passage | None = None


def compose(
    question: str,
    sources: Sequence[Numbered],
    *,
    draft: Draft | None = None,
    draft_note: str | None = None,
    passages_shown: int = 3,
) -> str:
    """The answer's Markdown: each tool's summary with its marker, then what the
    documents say (the best `passages_shown` passages, quoted where they touch the
    question), then the draft and what became of it."""
    parts = [f"{s.result.summary} [{s.number}]" for s in sources if s.result is not None]
    quoted = [s for s in sources if s.passage is not None][:passages_shown]
    if quoted:
        lines = ["**What the documents say**"]
        for source in quoted:
            passage = source.passage
            if passage is not None:
                excerpt = excerpt_for(question, passage.text)
                lines.append(f"- {passage.cite}: {excerpt} [{source.number}]")
        parts.append("\n".join(lines))
    if draft is not None:
        parts.append(draft_block(draft))
    if draft_note:
        parts.append(draft_note)
    if not parts:
        return (
            "I found nothing in Crossdock's records or documents that answers this. "
            "Try naming the order, purchase order, supplier, item or warehouse."
        )
    return "\n\n".join(parts)


def draft_block(draft: Draft) -> str:
    """A draft as the answer shows it: its subject, then its text quoted."""
    body = "\n".join(f"> {line}" if line else ">" for line in draft.body.splitlines())
    return f"**Draft: {draft.subject}**\n\n{body}"


def excerpt_for(question: str, text: str, *, words: int = _QUOTE_WORDS) -> str:
    """The sentences of `text` that share most words with `question`, in their order,
    up to about `words` words, after instructions in it are made inert."""
    clean, _ = inert(" ".join(text.split()))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", clean) if s.strip()]
    if not sentences:
        return ""
    asked = _terms(question)
    ranked = sorted(range(len(sentences)), key=lambda i: (-len(asked & _terms(sentences[i])), i))
    chosen: list[int] = []
    total = 0
    for index in ranked:
        size = len(sentences[index].split())
        if chosen and total + size > words:
            continue
        chosen.append(index)
        total += size
        if total >= words:
            break
    excerpt = " ".join(sentences[i] for i in sorted(chosen))
    cut = excerpt.split()
    return excerpt if len(cut) <= words * 1.5 else " ".join(cut[: int(words * 1.5)]) + " …"


def _terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}
