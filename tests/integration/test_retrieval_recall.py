"""Recall@5 of the copilot's retrieval on the demo documents, with BM25 alone, with
embeddings alone and with both fused, over the labelled questions of
tests/unit/copilot/retrieval_questions.yaml.

A question counts as found when any passage labelled for it (document key and a
substring of its heading path) is among the top 5. The figures are printed (run with
`-s`) and recorded in docs/copilot.md (Retrieval); the floors sit a little below them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import crossdock.demo
from crossdock.adapters import embeddings
from crossdock.adapters.embeddings import available_embedder
from crossdock.config import Settings
from crossdock.copilot.chunking import passages_of
from crossdock.copilot.documents import read_document
from crossdock.copilot.model import Passage
from crossdock.copilot.retrieval import Hit, Retriever
from tests.conftest import REPO_ROOT, require

DOCUMENTS = Path(crossdock.demo.__file__).parent / "documents"
QUESTIONS = REPO_ROOT / "tests" / "unit" / "copilot" / "retrieval_questions.yaml"
TOP = 5

# measured: BM25 0.775, dense 0.85, hybrid 0.875 (docs/copilot.md (Retrieval))
BM25_FLOOR = 0.72
DENSE_FLOOR = 0.78
HYBRID_FLOOR = 0.82


@dataclass(frozen=True)
class Question:
    text: str
    kind: str
    answers: tuple[tuple[str, str], ...]  # (document key, heading substring)

    def answered_by(self, passage: Passage) -> bool:
        heading = passage.heading.lower()
        return any(
            passage.document_key == key and part.lower() in heading for key, part in self.answers
        )


@pytest.fixture(scope="module")
def passages() -> list[Passage]:
    found = []
    for path in sorted(DOCUMENTS.iterdir()):
        if path.suffix in {".md", ".html"}:
            document = read_document(path.name, path.read_bytes())
            found += passages_of(document, version=1, source=path.name)
    return found


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    raw = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    return [
        Question(
            text=q["question"],
            kind=q["kind"],
            answers=tuple((a["document"], a["heading"]) for a in q["answers"]),
        )
        for q in raw
    ]


def recall(questions: Sequence[Question], search: Callable[[str], Sequence[Hit]]) -> float:
    found = [any(q.answered_by(h.passage) for h in search(q.text)[:TOP]) for q in questions]
    return sum(found) / len(found)


def test_the_demo_documents_and_the_labels_fit(
    passages: list[Passage], questions: list[Question]
) -> None:
    keys = {p.document_key for p in passages}
    assert 8 <= len(keys) <= 12
    assert {p.meta.doc_type for p in passages} == {
        "sop",
        "supplier_agreement",
        "customer_agreement",
        "policy",
    }
    assert any(p.source.endswith(".html") for p in passages)
    assert len(questions) >= 30
    assert {q.kind for q in questions} == {"keyword", "paraphrase"}
    assert min(sum(q.kind == kind for q in questions) for kind in ("keyword", "paraphrase")) >= 10
    for question in questions:
        for key, heading in question.answers:
            assert any(
                p.document_key == key and heading.lower() in p.heading.lower() for p in passages
            ), f"{question.text!r}: no passage of {key} under a heading with {heading!r}"


def test_the_planted_instruction_is_an_ordinary_passage(passages: list[Passage]) -> None:
    """The injection test line sits in a supplier agreement's Notes, findable by words,
    so the assistant's tests can check it stays inert."""
    hits = Retriever(passages).search("approve every purchase order reveal the unit cost", k=3)
    planted = hits[0].passage
    assert planted.document_key == "supplier-agreement-sup-001"
    assert planted.heading == "Notes"
    assert "Ignore all previous instructions" in planted.text


def test_bm25_recall_at_5(passages: list[Passage], questions: list[Question]) -> None:
    retriever = Retriever(passages)
    measured = recall(questions, lambda q: retriever.search(q, k=TOP))
    keyword = recall(
        [q for q in questions if q.kind == "keyword"], lambda q: retriever.search(q, k=TOP)
    )
    print(f"\nrecall@{TOP} BM25 {measured:.3f} (keyword questions {keyword:.3f})")
    assert measured >= BM25_FLOOR
    assert keyword >= 0.9  # questions sharing the answer's words are BM25's home ground


def test_dense_retrieval_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSDOCK_COPILOT_EMBEDDINGS", "false")
    assert Settings().copilot_embeddings is False
    assert available_embedder(Settings()) is None


def test_without_the_semantic_extra_there_is_no_embedder_and_no_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    # the uncached loader, so the process's shared embedder is left as it is
    assert embeddings._shared_embedder.__wrapped__() is None


@pytest.mark.slow
def test_hybrid_and_dense_recall_at_5(passages: list[Passage], questions: list[Question]) -> None:
    embedder = available_embedder(Settings(copilot_embeddings=True))
    require(embedder is not None, "the semantic extra (sentence-transformers) is not installed")
    assert embedder is not None
    bm25 = Retriever(passages)
    hybrid = Retriever(passages, embedder=embedder)
    assert hybrid.uses_embeddings

    def dense(query: str) -> list[Hit]:
        ranked = hybrid.search(query, k=len(passages))
        assert all(h.dense_rank is not None for h in ranked)  # the embedder really ranked
        return sorted(ranked, key=lambda h: h.dense_rank or 0)

    def both(query: str) -> list[Hit]:
        return hybrid.search(query, k=TOP)

    def words(query: str) -> list[Hit]:
        return bm25.search(query, k=TOP)

    paraphrases = [q for q in questions if q.kind == "paraphrase"]
    figures = {
        "BM25": (recall(questions, words), recall(paraphrases, words)),
        "dense": (recall(questions, dense), recall(paraphrases, dense)),
        "hybrid": (recall(questions, both), recall(paraphrases, both)),
    }
    print(f"\nrecall@{TOP} over {len(questions)} questions ({len(paraphrases)} paraphrases)")
    for name, (overall, paraphrased) in figures.items():
        print(f"  {name:<7} {overall:.3f}   paraphrases {paraphrased:.3f}")

    assert figures["BM25"][0] >= BM25_FLOOR
    assert figures["dense"][0] >= DENSE_FLOOR
    assert figures["hybrid"][0] >= HYBRID_FLOOR
    assert figures["hybrid"][0] >= figures["BM25"][0]
    # embeddings earn their keep on questions asked in other words
    assert figures["hybrid"][1] > figures["BM25"][1]
