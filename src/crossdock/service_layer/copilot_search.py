"""Retrieval over the passages one reader may read, kept between questions.

A search index is built over exactly the passages the asker may read (so a passage they
may not see can never be ranked, let alone quoted) and kept, keyed by those passages'
ids: a new document version changes the ids and so builds a new index. The embedder
remembers each text's vector, so the indexes of different roles, and a rebuild after
one document changed, encode only what is new.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import date
from threading import Lock
from typing import Final

from crossdock.copilot.model import Passage
from crossdock.copilot.retrieval import Embedder, Retriever

INDEXES_KEPT: Final = 16


class PassageSearch:
    """Search indexes by reader's passages; with embeddings when an embedder is given."""

    def __init__(self, embedder: Embedder | None) -> None:
        self._embedder = embedder  # remembers each text's vector (adapters/embeddings.py)
        self._indexes: OrderedDict[tuple[str, ...], Retriever] = OrderedDict()
        self._lock = Lock()

    @property
    def uses_embeddings(self) -> bool:
        return self._embedder is not None

    def index(self, passages: Sequence[Passage]) -> Retriever:
        key = tuple(sorted(p.passage_id for p in passages))
        with self._lock:
            found = self._indexes.get(key)
            if found is not None:
                self._indexes.move_to_end(key)
                return found
        built = Retriever(passages, embedder=self._embedder)
        with self._lock:
            self._indexes[key] = built
            while len(self._indexes) > INDEXES_KEPT:
                self._indexes.popitem(last=False)
        return built

    def retrieve(self, passages: Sequence[Passage], *, on: date) -> _Retrieve:
        """What `assistant.ask` calls to find passages among `passages` in effect `on`."""
        return _Retrieve(self.index(passages), on)


class _Retrieve:
    def __init__(self, retriever: Retriever, on: date) -> None:
        self._retriever, self._on = retriever, on

    def __call__(
        self, query: str, *, k: int, supplier: str | None = None, customer: str | None = None
    ) -> list[Passage]:
        hits = self._retriever.search(query, k=k, supplier=supplier, customer=customer, on=self._on)
        return [hit.passage for hit in hits]
