"""Finding the passages that answer a question: BM25 always, dense embeddings when an
`Embedder` is given, the two rankings fused by reciprocal rank.

    retriever = Retriever(passages, embedder=available_embedder())
    hits = retriever.search("who releases a credit hold?", k=5, allowed=can_read)

BM25 (the `bm25s` package) finds passages that share the question's words: codes,
numbers, names ("SUP-001", "EDI 855", "CRHOLD"). Embeddings find passages that say the
same thing in other words ("a supplier's charge for flying goods in" finds "air
freight surcharge"). Reciprocal rank fusion (RRF) adds, for each passage,
1 / (`RRF_K` + rank) over the rankings it appears in, so neither score scale has to be
calibrated against the other. `RRF_K` = 60 is the constant of Cormack, Clarke and
Büttcher (2009): it keeps one first place from outweighing agreement lower down.

Filters (the reader's role through `allowed`, document types, site, supplier,
customer, effective date) are applied before ranking, so a reader who may not see
some passages still gets `k` results when `k` readable passages match. Each passage is
indexed over its document title, its heading path and its text. See
docs/copilot.md (Retrieval).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Protocol

import bm25s
import numpy as np
from numpy.typing import NDArray

from crossdock.copilot.model import DOC_TYPES, Passage
from crossdock.domain.errors import CrossdockError

RRF_K: Final = 60
DEFAULT_K: Final = 5

_WORD: Final = re.compile(r"[a-z]+")
_KEEP_DOUBLE: Final = frozenset("lsz")  # "fill", "pass", "buzz" keep their double letter


class Embedder(Protocol):
    """Turns texts into dense vectors, one row per text, each of unit length (so a dot
    product is the cosine similarity). `crossdock.adapters.embeddings` has one."""

    def encode(self, texts: Sequence[str]) -> NDArray[np.floating[Any]]: ...


@dataclass(frozen=True, slots=True)
class Hit:
    """One passage found for a question.

    Attributes:
        passage: the passage.
        score: its fused RRF score (higher is better), summed over the rankings it is in.
        bm25_rank: 1-based rank among the filtered passages by BM25, None when it shares
            no word with the question.
        dense_rank: 1-based rank by embedding similarity, None without embeddings.
    """

    passage: Passage
    score: float
    bm25_rank: int | None
    dense_rank: int | None


class InvalidSearch(CrossdockError):
    """A search argument that cannot be used (k below 1, an unknown document type)."""

    def __init__(self, *, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"search {field}={value!r}: {reason}")


class EmbeddingMismatch(CrossdockError):
    """An embedder that returned vectors of the wrong shape."""

    def __init__(self, *, expected: str, got: tuple[int, ...]) -> None:
        self.expected = expected
        self.got = got
        super().__init__(f"embedder returned an array of shape {got}, expected {expected}")


class Retriever:
    """A search index over a fixed list of passages (rebuild it when they change).

    Building tokenises and indexes every passage, and with an embedder encodes them all
    once; a search scores every passage, filters, then ranks what is left.
    """

    def __init__(self, passages: Sequence[Passage], *, embedder: Embedder | None = None) -> None:
        self._passages: tuple[Passage, ...] = tuple(passages)
        self._embedder = embedder
        texts = [index_text(p) for p in self._passages]
        self._bm25 = bm25s.BM25()
        if self._passages:
            self._bm25.index(tokenize(texts), show_progress=False)
        self._vectors: NDArray[np.float32] | None = None
        if embedder is not None and self._passages:
            self._vectors = _as_matrix(embedder.encode(texts), rows=len(texts))

    @property
    def passages(self) -> tuple[Passage, ...]:
        return self._passages

    @property
    def uses_embeddings(self) -> bool:
        """True when searches rank by embeddings as well as by BM25."""
        return self._embedder is not None

    def search(
        self,
        query: str,
        *,
        k: int = DEFAULT_K,
        allowed: Callable[[Passage], bool] | None = None,
        doc_types: Collection[str] | None = None,
        site: str | None = None,
        supplier: str | None = None,
        customer: str | None = None,
        on: date | None = None,
    ) -> list[Hit]:
        """The `k` passages that best answer `query`, best first.

        Args:
            query: the question, in any words.
            k: how many hits at most.
            allowed: the reader's filter (role, money masking): passages it rejects are
                never ranked.
            doc_types: keep only these document types (None: all).
            site / supplier / customer: keep passages about this site, supplier or
                customer, and those that apply everywhere (the field is None).
            on: keep passages in effect on this date (None: any date).

        Returns:
            Up to `k` hits. Without embeddings only passages sharing a word with the
            query are returned; with them, any passage that passed the filters may be.

        Raises:
            InvalidSearch: `k` is below 1 or a document type is unknown.
        """
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidSearch(field="k", value=k, reason="must be a whole number of at least 1")
        unknown = sorted(set(doc_types or ()) - set(DOC_TYPES))
        if unknown:
            raise InvalidSearch(
                field="doc_types",
                value=unknown[0],
                reason=f"unknown document type (known: {', '.join(DOC_TYPES)})",
            )
        candidates = self._candidates(
            allowed=allowed,
            doc_types=None if doc_types is None else frozenset(doc_types),
            site=site,
            supplier=supplier,
            customer=customer,
            on=on,
        )
        if candidates.size == 0:
            return []
        bm25_order = self._bm25_ranking(query, candidates)
        dense_order = self._dense_ranking(query, candidates)
        rankings = [bm25_order] if dense_order is None else [bm25_order, dense_order]
        fused = reciprocal_rank_fusion(rankings)
        bm25_rank = _ranks(bm25_order)
        dense_rank = _ranks(dense_order) if dense_order is not None else {}
        best = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [
            Hit(
                passage=self._passages[i],
                score=fused[i],
                bm25_rank=bm25_rank.get(i),
                dense_rank=dense_rank.get(i),
            )
            for i in best
        ]

    def _candidates(
        self,
        *,
        allowed: Callable[[Passage], bool] | None,
        doc_types: frozenset[str] | None,
        site: str | None,
        supplier: str | None,
        customer: str | None,
        on: date | None,
    ) -> NDArray[np.int64]:
        """Indices of the passages that pass every filter."""
        keep = [
            i
            for i, p in enumerate(self._passages)
            if (doc_types is None or p.meta.doc_type in doc_types)
            and _about(p.meta.site, site)
            and _about(p.meta.supplier, supplier)
            and _about(p.meta.customer, customer)
            and (on is None or _in_effect(p, on))
            and (allowed is None or allowed(p))
        ]
        return np.array(keep, dtype=np.int64)

    def _bm25_ranking(self, query: str, candidates: NDArray[np.int64]) -> list[int]:
        """Candidates sharing a word with the query, by BM25 score, best first."""
        words = [w for w in tokenize([query])[0] if w in self._bm25.vocab_dict]
        if not words:
            return []
        scores = np.asarray(self._bm25.get_scores(words), dtype=np.float64)[candidates]
        matched = scores > 0
        return _best_first(candidates[matched], scores[matched])

    def _dense_ranking(self, query: str, candidates: NDArray[np.int64]) -> list[int] | None:
        """Every candidate by cosine similarity to the query, best first (None without
        an embedder)."""
        if self._embedder is None or self._vectors is None:
            return None
        question = _as_matrix(self._embedder.encode([query]), rows=1)[0]
        if question.shape[0] != self._vectors.shape[1]:
            raise EmbeddingMismatch(
                expected=f"(1, {self._vectors.shape[1]})", got=(1, question.shape[0])
            )
        similarity = self._vectors[candidates] @ question
        return _best_first(candidates, similarity.astype(np.float64))


def reciprocal_rank_fusion(
    rankings: Iterable[Sequence[int]], *, k: int = RRF_K
) -> dict[int, float]:
    """Fuse rankings (each a list of ids, best first) into one score per id:
    the sum over the rankings an id appears in of 1 / (k + its 1-based rank)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def index_text(passage: Passage) -> str:
    """What is indexed for a passage: document title, heading path, text."""
    return f"{passage.meta.title}\n{passage.heading}\n{passage.text}"


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased words of two or more letters or digits, English stopwords removed,
    lightly stemmed (`light_stem`)."""
    tokens = bm25s.tokenize(
        list(texts),
        stopwords="en",
        stemmer=_stem_words,
        return_ids=False,
        show_progress=False,
    )
    return [list(words) for words in tokens]


def light_stem(word: str) -> str:
    """A small English suffix stripper so "holds", "held order" and "hold" or
    "penalties" and "penalty" meet: plural -s/-es/-ies, -ed, -ing and a final -e.
    Deliberately gentle (no Porter stemmer without a new dependency); words of three
    letters or fewer, and anything with digits, are left alone, and only a plural -s
    comes off a four-letter word ("ASNs", "days")."""
    if len(word) <= 3 or not _WORD.fullmatch(word):
        return word
    if len(word) == 4:
        return word[:-1] if word.endswith("s") and not word.endswith(("ss", "us", "is")) else word
    stem = word
    if stem.endswith("ies"):
        stem = stem[:-3] + "y"
    elif stem.endswith("sses"):
        stem = stem[:-2]
    elif stem.endswith("s") and not stem.endswith(("ss", "us", "is")):
        stem = stem[:-1]
    elif stem.endswith("ied"):
        stem = stem[:-3] + "y"
    elif stem.endswith("ed") and len(stem) > 5:
        stem = _undouble(stem[:-2])
    elif stem.endswith("ing") and len(stem) > 6:
        stem = _undouble(stem[:-3])
    if stem.endswith("e") and len(stem) > 4:
        stem = stem[:-1]
    return stem


def _undouble(stem: str) -> str:
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in _KEEP_DOUBLE:
        return stem[:-1]
    return stem


def _stem_words(words: list[str]) -> list[str]:
    return [light_stem(w) for w in words]


def _about(value: str | None, wanted: str | None) -> bool:
    return wanted is None or value is None or value == wanted


def _in_effect(passage: Passage, on: date) -> bool:
    starts, ends = passage.meta.effective_from, passage.meta.effective_to
    return (starts is None or starts <= on) and (ends is None or on <= ends)


def _best_first(ids: NDArray[np.int64], scores: NDArray[np.float64]) -> list[int]:
    """`ids` by descending score, ties by position (stable, reproducible)."""
    order = np.lexsort((ids, -scores))
    return [int(i) for i in ids[order]]


def _ranks(ranking: Sequence[int]) -> Mapping[int, int]:
    return {item: rank for rank, item in enumerate(ranking, start=1)}


def _as_matrix(vectors: NDArray[np.floating[Any]], *, rows: int) -> NDArray[np.float32]:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != rows:
        raise EmbeddingMismatch(expected=f"({rows}, dimensions)", got=tuple(matrix.shape))
    return matrix
