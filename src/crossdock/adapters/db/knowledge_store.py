"""The copilot's knowledge base over SQLAlchemy (`KnowledgeStore`): documents, their
versions and the passages of each version, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, RowMapping, and_, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from crossdock.adapters.db.tables import (
    knowledge_documents,
    knowledge_passages,
    knowledge_versions,
)
from crossdock.copilot.model import DocumentMeta, Passage
from crossdock.service_layer.knowledge_ports import ConcurrentIngest, StoredVersion

_DOCUMENT_COLUMNS = ("title", "doc_type", "site", "supplier", "customer")


class SqlKnowledgeStore:
    """`KnowledgeStore` over SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def latest_version(self, key: str) -> StoredVersion | None:
        d, v = knowledge_documents, knowledge_versions
        query = (
            select(v.c.version, v.c.content_hash, v.c.meta)
            .join(d, and_(d.c.key == v.c.key, d.c.current_version == v.c.version))
            .where(v.c.key == key)
        )
        with self.engine.connect() as db:
            row = db.execute(query).first()
        if row is None:
            return None
        return StoredVersion(
            version=int(row.version), content_hash=str(row.content_hash), meta=meta_of(row.meta)
        )

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
        document: dict[str, Any] = {name: getattr(meta, name) for name in _DOCUMENT_COLUMNS}
        document |= {
            "current_version": version,
            "effective_from": meta.effective_from,
            "effective_to": meta.effective_to,
            "updated_at": at,
        }
        upsert = (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert
        statement = upsert(knowledge_documents).values(key=meta.key, **document)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_=document)
        rows = [
            {
                "passage_id": p.passage_id,
                "key": meta.key,
                "version": version,
                "ordinal": p.ordinal,
                "heading": p.heading,
                "text": p.text,
                "money_class": p.money_class,
            }
            for p in passages
        ]
        try:
            with self.engine.begin() as db:
                db.execute(
                    insert(knowledge_versions).values(
                        key=meta.key,
                        version=version,
                        content_hash=content_hash,
                        meta=meta_json(meta),
                        source=source,
                        ingested_at=at,
                        actor=actor,
                    )
                )
                if rows:
                    db.execute(insert(knowledge_passages), rows)
                db.execute(statement)
        except IntegrityError:
            raise ConcurrentIngest(key=meta.key, version=version) from None

    def passages(
        self,
        *,
        doc_types: Collection[str] | None = None,
        current_only: bool = True,
        on: date | None = None,
    ) -> list[Passage]:
        p, v, d = knowledge_passages, knowledge_versions, knowledge_documents
        query = (
            select(p, v.c.meta, v.c.source)
            .join(v, and_(v.c.key == p.c.key, v.c.version == p.c.version))
            .order_by(p.c.key, p.c.version, p.c.ordinal)
        )
        if current_only:  # the documents table holds the current versions' metadata
            query = query.join(d, and_(d.c.key == p.c.key, d.c.current_version == p.c.version))
            if doc_types is not None:
                query = query.where(d.c.doc_type.in_(list(doc_types)))
            if on is not None:
                query = query.where(
                    or_(d.c.effective_from.is_(None), d.c.effective_from <= on),
                    or_(d.c.effective_to.is_(None), d.c.effective_to >= on),
                )
        metas: dict[str, DocumentMeta] = {}
        found = []
        with self.engine.connect() as db:
            for row in db.execute(query):
                meta = metas.get(row.meta) or metas.setdefault(row.meta, meta_of(row.meta))
                found.append(_passage(row._mapping, meta))
        if not current_only:
            found = [x for x in found if _wanted(x.meta, doc_types=doc_types, on=on)]
        return found

    def documents(self) -> list[dict[str, Any]]:
        d, v, p = knowledge_documents, knowledge_versions, knowledge_passages
        counts = (
            select(v.c.key, func.count().label("versions")).group_by(v.c.key).subquery("counts")
        )
        sizes = (
            select(p.c.key, p.c.version, func.count().label("passages"))
            .group_by(p.c.key, p.c.version)
            .subquery("sizes")
        )
        query = (
            select(
                d,
                v.c.meta,
                v.c.source,
                v.c.ingested_at,
                v.c.actor,
                counts.c.versions,
                sizes.c.passages,
            )
            .join(v, and_(v.c.key == d.c.key, v.c.version == d.c.current_version))
            .join(counts, counts.c.key == d.c.key)
            .outerjoin(sizes, and_(sizes.c.key == d.c.key, sizes.c.version == d.c.current_version))
            .order_by(d.c.key)
        )
        with self.engine.connect() as db:
            return [_document(row._mapping) for row in db.execute(query)]


# -- rows -------------------------------------------------------------------------------


def meta_json(meta: DocumentMeta) -> str:
    """`meta` as the JSON text stored with each version."""
    return json.dumps(
        {
            "key": meta.key,
            "title": meta.title,
            "doc_type": meta.doc_type,
            "site": meta.site,
            "supplier": meta.supplier,
            "customer": meta.customer,
            "effective_from": _iso(meta.effective_from),
            "effective_to": _iso(meta.effective_to),
            "audience": sorted(meta.audience),
        },
        sort_keys=True,
    )


def meta_of(text: str) -> DocumentMeta:
    """The `DocumentMeta` stored as `meta_json` wrote it."""
    raw = json.loads(text)
    return DocumentMeta(
        key=raw["key"],
        title=raw["title"],
        doc_type=raw["doc_type"],
        site=raw.get("site"),
        supplier=raw.get("supplier"),
        customer=raw.get("customer"),
        effective_from=_day(raw.get("effective_from")),
        effective_to=_day(raw.get("effective_to")),
        audience=frozenset(raw["audience"]),
    )


def _passage(row: RowMapping, meta: DocumentMeta) -> Passage:
    return Passage(
        passage_id=str(row["passage_id"]),
        document_key=str(row["key"]),
        version=int(row["version"]),
        ordinal=int(row["ordinal"]),
        heading=str(row["heading"]),
        text=str(row["text"]),
        meta=meta,
        source=str(row["source"]),
        money_class=row["money_class"],
    )


def _document(row: RowMapping) -> dict[str, Any]:
    meta = meta_of(row["meta"])
    ingested_at = row["ingested_at"]
    return {
        "key": row["key"],
        "title": row["title"],
        "doc_type": row["doc_type"],
        "site": row["site"],
        "supplier": row["supplier"],
        "customer": row["customer"],
        "audience": sorted(meta.audience),
        "effective_from": _iso(row["effective_from"]),
        "effective_to": _iso(row["effective_to"]),
        "version": int(row["current_version"]),
        "versions": int(row["versions"]),
        "source": row["source"],
        "ingested_at": ingested_at.isoformat() if ingested_at is not None else None,
        "ingested_by": row["actor"],
        "passages": int(row["passages"] or 0),
    }


def _wanted(meta: DocumentMeta, *, doc_types: Collection[str] | None, on: date | None) -> bool:
    if doc_types is not None and meta.doc_type not in doc_types:
        return False
    if on is None:
        return True
    starts, ends = meta.effective_from, meta.effective_to
    return (starts is None or starts <= on) and (ends is None or on <= ends)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)
