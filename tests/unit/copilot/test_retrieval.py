"""The retriever on a handful of small passages: BM25 ranking, the filters applied before
the cut-off, reciprocal rank fusion by hand, and a fake embedder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest
from numpy.typing import NDArray

from crossdock.copilot.model import ALL_ROLES, DocumentMeta, Passage
from crossdock.copilot.retrieval import (
    RRF_K,
    EmbeddingMismatch,
    InvalidSearch,
    Retriever,
    light_stem,
    reciprocal_rank_fusion,
    tokenize,
)
from crossdock.domain.errors import CrossdockError

HOLDS = DocumentMeta(key="holds", title="SOP: Order holds", doc_type="sop")
BOSTON = DocumentMeta(key="storm", title="SOP: Storm readiness", doc_type="sop", site="BR03")
SUP_001 = DocumentMeta(
    key="sup-001",
    title="Supply agreement: Delta Distribution",
    doc_type="supplier_agreement",
    supplier="SUP-001",
    effective_from=date(2026, 1, 1),
    effective_to=date(2026, 12, 31),
    audience=ALL_ROLES - {"customer_service"},
)
SUP_002 = DocumentMeta(
    key="sup-002",
    title="Supply agreement: Liberty Industrial",
    doc_type="supplier_agreement",
    supplier="SUP-002",
)
GOLD = DocumentMeta(
    key="cust-2", title="Service agreement", doc_type="customer_agreement", customer="CUST-00002"
)


def passage(meta: DocumentMeta, ordinal: int, heading: str, text: str) -> Passage:
    return Passage(
        passage_id=f"{meta.key}@v1#{ordinal}",
        document_key=meta.key,
        version=1,
        ordinal=ordinal,
        heading=heading,
        text=text,
        meta=meta,
        source=f"{meta.key}.md",
    )


PASSAGES = [
    passage(HOLDS, 0, "Credit hold", "Only the finance credit desk releases a credit hold."),
    passage(HOLDS, 1, "Address hold", "Customer service corrects the ship-to address."),
    passage(BOSTON, 0, "Storm watch", "Raise target stock of storm items before a blizzard."),
    passage(SUP_001, 0, "Expedite terms", "Air freight surcharge of $4.50 per unit."),
    passage(SUP_001, 1, "Late delivery penalties", "Penalty of 2% per week late, capped."),
    passage(SUP_002, 0, "Expedite terms", "Expedite for 12% of the line value."),
    passage(SUP_002, 1, "Late delivery penalties", "Credit of 5% of the late line value."),
    passage(GOLD, 0, "Service credits", "A service credit of $250 per point below target."),
]


def ids(hits: Sequence[object]) -> list[str]:
    return [h.passage.passage_id for h in hits]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return Retriever(PASSAGES)


def test_the_passage_sharing_the_rarest_words_ranks_first(retriever: Retriever) -> None:
    hits = retriever.search("air freight surcharge", k=3)
    assert ids(hits)[0] == "sup-001@v1#0"
    assert hits[0].bm25_rank == 1
    assert hits[0].dense_rank is None
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_headings_and_titles_are_indexed_as_well_as_text(retriever: Retriever) -> None:
    # "Liberty" is only in the title, "penalties" only in the heading
    hits = retriever.search("Liberty penalties", k=1)
    assert ids(hits) == ["sup-002@v1#1"]


def test_plurals_and_verb_forms_meet(retriever: Retriever) -> None:
    assert ids(retriever.search("who released credit holds", k=1)) == ["holds@v1#0"]


def test_only_passages_sharing_a_word_are_returned_without_embeddings(
    retriever: Retriever,
) -> None:
    hits = retriever.search("blizzard", k=5)
    assert ids(hits) == ["storm@v1#0"]
    assert retriever.search("zebra quokka", k=5) == []
    assert retriever.search("", k=5) == []


def test_k_bigger_than_the_candidates_returns_them_all(retriever: Retriever) -> None:
    hits = retriever.search("expedite late penalty credit", k=50)
    assert len(hits) == len({h.passage.passage_id for h in hits})
    assert len(hits) < len(PASSAGES)
    assert {"sup-001@v1#0", "sup-002@v1#0", "holds@v1#0"} <= set(ids(hits))


def test_a_role_filter_applies_before_the_cut_off(retriever: Retriever) -> None:
    unfiltered = retriever.search("late penalty credit line value", k=2)
    assert any(h.passage.meta.doc_type == "supplier_agreement" for h in unfiltered)

    def customer_service(p: Passage) -> bool:
        return p.meta.doc_type != "supplier_agreement"

    hits = retriever.search("late penalty credit line value", k=2, allowed=customer_service)
    # filtering after a top-2 cut would leave none or one: filtering first leaves two
    assert len(hits) == 2
    assert all(customer_service(h.passage) for h in hits)
    assert [h.bm25_rank for h in hits] == [1, 2]


def test_document_type_filter(retriever: Retriever) -> None:
    hits = retriever.search("credit", k=5, doc_types=["customer_agreement"])
    assert ids(hits) == ["cust-2@v1#0"]
    with pytest.raises(InvalidSearch, match="doc_types='contract'") as raised:
        retriever.search("credit", doc_types=["sop", "contract"])
    assert isinstance(raised.value, CrossdockError)


def test_supplier_filter_keeps_that_supplier_and_what_applies_everywhere(
    retriever: Retriever,
) -> None:
    hits = retriever.search("expedite credit hold late", k=10, supplier="SUP-002")
    suppliers = {h.passage.meta.supplier for h in hits}
    assert suppliers == {"SUP-002", None}
    assert "holds@v1#0" in ids(hits)


def test_site_and_customer_filters(retriever: Retriever) -> None:
    assert ids(retriever.search("storm items", site="BR01")) == []
    assert ids(retriever.search("storm items", site="BR03")) == ["storm@v1#0"]
    hits = retriever.search("service credit", k=10, customer="CUST-00099")
    assert all(h.passage.meta.customer is None for h in hits)
    assert hits


def test_effective_date_filter(retriever: Retriever) -> None:
    query = "air freight surcharge penalty"
    assert "sup-001@v1#0" in ids(retriever.search(query, on=date(2026, 6, 1)))
    later = retriever.search(query, on=date(2027, 1, 1))
    assert all(h.passage.meta.key != "sup-001" for h in later)


@pytest.mark.parametrize("k", [0, -1, True, 2.5])
def test_k_must_be_a_positive_whole_number(retriever: Retriever, k: object) -> None:
    with pytest.raises(InvalidSearch, match="search k="):
        retriever.search("credit", k=k)  # type: ignore[arg-type]


def test_an_empty_index_finds_nothing() -> None:
    assert Retriever([]).search("credit hold") == []


def test_reciprocal_rank_fusion_by_hand() -> None:
    # a: 1st and 3rd; b: 2nd and 1st; c: 3rd in the first list only; d: 2nd in the second
    fused = reciprocal_rank_fusion([[1, 2, 3], [2, 4, 1]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 63)
    assert fused[2] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[3] == pytest.approx(1 / 63)
    assert fused[4] == pytest.approx(1 / 62)
    assert sorted(fused, key=lambda i: -fused[i]) == [2, 1, 4, 3]
    assert RRF_K == 60
    # a smaller k lets a single first place weigh more than agreement lower down
    sharp = reciprocal_rank_fusion([[5, 6], [6, 7], [8, 5]], k=0)
    assert sharp[5] == pytest.approx(1 + 1 / 2)
    assert sharp[6] == pytest.approx(1 / 2 + 1)


class KeywordEmbedder:
    """A fake embedder: one dimension per concept, so "flying goods in" lands near
    "air freight" though they share no word."""

    CONCEPTS = (
        ("air", "flying", "fly"),
        ("credit", "money"),
        ("storm", "blizzard", "snow"),
        ("address", "ship-to"),
    )

    def __init__(self) -> None:
        self.calls: list[int] = []

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls.append(len(texts))
        rows = np.zeros((len(texts), len(self.CONCEPTS) + 1), dtype=np.float32)
        for r, text in enumerate(texts):
            lowered = text.lower()
            for c, words in enumerate(self.CONCEPTS):
                rows[r, c] = sum(lowered.count(w) for w in words)
            rows[r, -1] = 0.1
        norms: NDArray[np.float32] = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / norms


def test_embeddings_find_a_paraphrase_bm25_misses() -> None:
    embedder = KeywordEmbedder()
    hybrid = Retriever(PASSAGES, embedder=embedder)
    assert embedder.calls == [len(PASSAGES)]  # passages encoded once, when built
    assert hybrid.uses_embeddings
    assert not Retriever(PASSAGES).uses_embeddings

    assert Retriever(PASSAGES).search("flying goods in", k=3) == []
    hits = hybrid.search("flying goods in", k=3)
    assert len(hits) == 3  # dense ranks every candidate
    assert ids(hits)[0] == "sup-001@v1#0"
    assert hits[0].bm25_rank is None
    assert hits[0].dense_rank == 1
    assert hits[0].score == pytest.approx(1 / (RRF_K + 1))


def test_hybrid_scores_are_the_fusion_of_both_ranks() -> None:
    hits = Retriever(PASSAGES, embedder=KeywordEmbedder()).search("credit desk", k=8)
    for hit in hits:
        expected = sum(1 / (RRF_K + r) for r in (hit.bm25_rank, hit.dense_rank) if r)
        assert hit.score == pytest.approx(expected)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert ids(hits)[0] == "holds@v1#0"
    # a passage the words miss is still ranked, by meaning alone, after those found by both
    assert hits[-1].bm25_rank is None
    assert hits[-1].dense_rank is not None


def test_dense_ranking_respects_the_filters() -> None:
    hybrid = Retriever(PASSAGES, embedder=KeywordEmbedder())
    hits = hybrid.search("flying goods in", k=8, doc_types=["sop"])
    assert hits
    assert all(h.passage.meta.doc_type == "sop" for h in hits)


def test_an_embedder_returning_the_wrong_shape_is_named() -> None:
    class Broken:
        def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
            return np.zeros((len(texts) + 1, 3), dtype=np.float32)

    with pytest.raises(EmbeddingMismatch, match=r"shape \(9, 3\)"):
        Retriever(PASSAGES, embedder=Broken())


def test_tokenize_drops_stopwords_and_keeps_codes() -> None:
    [words] = tokenize(["The credit holds of SUP-001 and EDI 855"])
    assert "the" not in words
    assert "and" not in words
    assert {"credit", "hold", "sup", "001", "edi", "855"} <= set(words)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("holds", "hold"),
        ("penalties", "penalty"),
        ("shipped", "shipping"),
        ("expedited", "expedite"),
        ("receiving", "receive"),
        ("ASNs".lower(), "asn"),
    ],
)
def test_light_stem_brings_word_forms_together(a: str, b: str) -> None:
    assert light_stem(a) == light_stem(b)


def test_light_stem_leaves_short_words_and_codes_alone() -> None:
    assert light_stem("bus") == "bus"
    assert light_stem("855") == "855"
    assert light_stem("business") == "business"
    assert light_stem("fill") == "fill"
