"""What the copilot's knowledge base stores: document versions and their passages.

The SQL store in `adapters/db/knowledge_store.py` implements `KnowledgeStore`. A
document is known by its key; each ingest of changed content (or changed metadata)
adds a version, and the newest version is the current one. Older versions stay, so
an answer that cited "v1" can still be read, but only current ones are searched."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from crossdock.copilot.model import DocumentMeta, Passage
from crossdock.domain.errors import CrossdockError


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """The newest stored version of a document: its number, the sha256 of its bytes and
    its metadata (a re-ingest with the same bytes and metadata changes nothing)."""

    version: int
    content_hash: str
    meta: DocumentMeta | None = None


class ConcurrentIngest(CrossdockError):
    """Two ingests of the same document raced for the same new version."""

    def __init__(self, *, key: str, version: int) -> None:
        self.key = key
        self.version = version
        super().__init__(
            f"document {key}: version {version} was stored by someone else meanwhile; "
            "ingest it again"
        )


class KnowledgeStore(Protocol):
    def latest_version(self, key: str) -> StoredVersion | None:
        """The current version of document `key`, None when it was never ingested."""
        ...

    def save_version(
        self,
        meta: DocumentMeta,
        *,
        version: int,
        content_hash: str,
        source: str,
        passages: Sequence[Passage],
        at: datetime,
        actor: str,
    ) -> None:
        """Store version `version` of document `meta.key` with its passages and make it
        the current one, in one transaction.

        Raises:
            ConcurrentIngest: that version was stored meanwhile.
        """
        ...

    def passages(
        self,
        *,
        doc_types: Collection[str] | None = None,
        current_only: bool = True,
        on: date | None = None,
    ) -> list[Passage]:
        """Passages in document key and reading order: of the current versions (or all
        versions), of `doc_types` (None: all), effective on day `on` (None: any day)."""
        ...

    def documents(self) -> list[dict[str, Any]]:
        """One JSON-ready row per document, by key: key, title, doc_type, site,
        supplier, customer, audience (sorted roles), effective_from/_to (ISO dates or
        None), version (current), versions (how many), source, ingested_at (ISO),
        ingested_by, passages (count in the current version)."""
        ...
