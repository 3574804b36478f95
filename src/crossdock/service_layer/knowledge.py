"""The copilot's knowledge base: ingest documents (from a folder or uploaded bytes) as
new versions, and hand out the passages a person may read.

    report = ingest_folder(crossdock.knowledge, Path("docs/sops"), actor=admin, now=now)
    passages = visible_passages(crossdock.knowledge, planner, on=date(2026, 12, 1))

Ingesting needs the `import_data` activity. Each file is read on its own: one that
cannot be read, or breaks a metadata rule, is reported with the reason and the others
still land. A file whose bytes and metadata match the current version is "unchanged";
one that differs becomes the next version (the older ones are kept, not current).

Reading goes by role: a passage is handed out when one of the reader's roles is in its
document's audience, the money it quotes is of a class the reader sees
(`crossdock.governance.masking.visible_classes`: a planner never gets a supplier price
passage, customer service never a supplier agreement at all) and its document's site,
if any, is one the reader acts for. The system reads everything; an agent account
holds no roles and reads no documents.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from crossdock.copilot.chunking import passages_of, readable_by
from crossdock.copilot.documents import SUFFIXES, read_document
from crossdock.copilot.model import ALL_ROLES, DocumentMeta, Passage
from crossdock.domain.errors import CrossdockError
from crossdock.governance.access import Activity, Principal, authorize
from crossdock.governance.masking import visible_classes
from crossdock.service_layer.knowledge_ports import ConcurrentIngest, KnowledgeStore

DOCUMENT_SUFFIXES: Final[tuple[str, ...]] = tuple(SUFFIXES)
API_SOURCE: Final = "api"


class NoDocumentFolder(CrossdockError):
    """A folder to ingest that is not there."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(f"no folder {folder} to ingest documents from")


@dataclass(frozen=True, slots=True)
class IngestedDocument:
    """A file stored as a new version (`previous` the version it replaced, or None)."""

    name: str
    key: str
    version: int
    passages: int
    previous: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key": self.key,
            "version": self.version,
            "passages": self.passages,
            "previous_version": self.previous,
        }


@dataclass(frozen=True, slots=True)
class FailedDocument:
    """A file that was not stored, and why."""

    name: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingest did with each file: stored as a new version, unchanged (the
    current version already holds it), or failed with the reason."""

    accepted: list[IngestedDocument] = field(default_factory=list)
    unchanged: list[IngestedDocument] = field(default_factory=list)
    failed: list[FailedDocument] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": [d.to_json() for d in self.accepted],
            "unchanged": [d.to_json() for d in self.unchanged],
            "failed": [d.to_json() for d in self.failed],
        }


def ingest_documents(
    store: KnowledgeStore,
    files: Iterable[tuple[str, bytes]],
    *,
    actor: Principal,
    now: datetime,
    overrides: Mapping[str, Any] | None = None,
    source: str | None = None,
    on_file: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest `files` (name, bytes) into `store`, each as its own version.

    Args:
        files: the documents; the name's suffix says the format and its stem is the
            default key.
        actor: who ingests; needs `import_data`.
        now: when, recorded on each new version.
        overrides: metadata for every file (`doc_type`, `site` ...), winning over the
            files' own.
        source: recorded as where the passages came from (default: each file's name;
            the API passes "api").
        on_file: called with each file's name once it is done (a progress bar).

    Raises:
        NotAllowed: the actor may not import data (nothing is read).
    """
    authorize(actor, Activity.IMPORT_DATA)
    report = IngestReport()
    seen: dict[str, str] = {}  # key -> the file of this batch that gave it
    for name, data in files:
        try:
            _ingest_one(
                store, name, data, report=report, seen=seen, actor=actor, now=now,
                overrides=overrides, source=source or name,
            )  # fmt: skip
        except CrossdockError as error:
            report.failed.append(FailedDocument(name=name, reason=_reason(name, error)))
        if on_file is not None:
            on_file(name)
    return report


def ingest_folder(
    store: KnowledgeStore,
    folder: Path,
    *,
    actor: Principal,
    now: datetime,
    overrides: Mapping[str, Any] | None = None,
    on_file: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest every document under `folder` (recursively, sorted by path), each named
    by its path relative to the folder. See `ingest_documents`."""
    authorize(actor, Activity.IMPORT_DATA)
    paths = document_files(folder)
    files = ((path.relative_to(folder).as_posix(), path.read_bytes()) for path in paths)
    return ingest_documents(
        store, files, actor=actor, now=now, overrides=overrides, on_file=on_file
    )


def document_files(folder: Path) -> list[Path]:
    """The documents under `folder` Crossdock reads (`DOCUMENT_SUFFIXES`), sorted.

    Raises:
        NoDocumentFolder: `folder` is not a folder.
    """
    if not folder.is_dir():
        raise NoDocumentFolder(folder)
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and path.suffix.lower() in DOCUMENT_SUFFIXES
    )


def visible_passages(
    store: KnowledgeStore,
    principal: Principal,
    *,
    on: date | None = None,
    doc_types: Collection[str] | None = None,
) -> list[Passage]:
    """The current passages `principal` may read (module docstring), of documents in
    effect on day `on` (None: whatever their dates) and of `doc_types` (None: all)."""
    roles = reader_roles(principal)
    if not roles:
        return []
    money = visible_classes(principal)
    return [
        passage
        for passage in store.passages(doc_types=doc_types, on=on)
        if readable_by(passage, roles=roles, visible_money=money, sites=principal.sites)
    ]


def document_list(store: KnowledgeStore, principal: Principal) -> list[dict[str, Any]]:
    """The documents `principal` may read (one of their roles in the audience, and the
    site, if any, one of theirs), as `KnowledgeStore.documents` rows. Passages that
    quote money they may not see are still withheld when they read."""
    roles = reader_roles(principal)
    return [
        row
        for row in store.documents()
        if roles.intersection(row["audience"])
        and (row["site"] is None or principal.sites is None or row["site"] in principal.sites)
    ]


def reader_roles(principal: Principal) -> frozenset[str]:
    """The roles a principal reads documents as: a person's roles, every role for the
    system, none for an agent."""
    if principal.kind == "system":
        return ALL_ROLES
    return frozenset(role.value for role in principal.roles)


# -- one file ---------------------------------------------------------------------------


def _ingest_one(
    store: KnowledgeStore,
    name: str,
    data: bytes,
    *,
    report: IngestReport,
    seen: dict[str, str],
    actor: Principal,
    now: datetime,
    overrides: Mapping[str, Any] | None,
    source: str,
) -> None:
    document = read_document(name, data, meta_overrides=overrides)
    key = document.meta.key
    if key in seen:
        raise DuplicateKey(key=key, first=seen[key])
    seen[key] = name
    latest = store.latest_version(key)
    if latest is not None and _same(latest.content_hash, latest.meta, document.content_hash,
                                    document.meta):  # fmt: skip
        report.unchanged.append(
            IngestedDocument(name=name, key=key, version=latest.version, passages=0)
        )
        return
    version = 1 if latest is None else latest.version + 1
    passages = passages_of(document, version=version, source=source)
    store.save_version(
        document.meta,
        version=version,
        content_hash=document.content_hash,
        source=source,
        passages=passages,
        at=now,
        actor=actor.username,
    )
    report.accepted.append(
        IngestedDocument(
            name=name,
            key=key,
            version=version,
            passages=len(passages),
            previous=None if latest is None else latest.version,
        )
    )


class DuplicateKey(CrossdockError):
    """Two files of one ingest that would be the same document."""

    def __init__(self, *, key: str, first: str) -> None:
        self.key = key
        self.first = first
        super().__init__(f"key {key!r} is already given by {first} in this ingest")


def _same(
    stored_hash: str, stored: DocumentMeta | None, content_hash: str, meta: DocumentMeta
) -> bool:
    return stored_hash == content_hash and (stored is None or stored == meta)


def _reason(name: str, error: CrossdockError) -> str:
    """The error's message without the "document <name>: " it may start with (the
    report names the file already)."""
    text = str(error)
    prefix = f"document {name}: "
    if isinstance(error, ConcurrentIngest):
        return text
    return text.removeprefix(prefix)
