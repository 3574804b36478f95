"""Reading a document: an SOP, supplier or customer agreement or policy, as bytes, into
its metadata and its sections (the text under each heading).

    read_document("expedite-terms.md", data, meta_overrides={"site": "BR01"})

Formats, by suffix: Markdown (.md, .markdown; YAML front matter between `---` lines),
plain text (.txt), HTML (.html, .htm; `<meta name="crossdock:<field>">` tags) and PDF
(.pdf, text only: a scanned PDF needs OCR first). Metadata fields are those of
`DocumentMeta`; `meta_overrides` (the CLI's `--type`, the API's form fields) win over
what the file says. Markdown and HTML headings make the sections; in text and PDF,
lines that look like headings do ("1. Scope", "2.3 Expedite", "DELIVERY TERMS"), and a
PDF with none gets one section per page ("Page 2"). See docs/copilot.md.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, Final, NamedTuple

import yaml

from crossdock.copilot.document_formats import (
    Heading,
    html_sections,
    line_sections,
    markdown_sections,
)
from crossdock.copilot.model import ALL_ROLES, DEFAULT_AUDIENCE, DOC_TYPES, DocumentMeta
from crossdock.domain.errors import CrossdockError

SUFFIXES: Final[Mapping[str, str]] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
META_FIELDS: Final[tuple[str, ...]] = (
    "key",
    "title",
    "doc_type",
    "site",
    "supplier",
    "customer",
    "effective_from",
    "effective_to",
    "audience",
)
# a key names every version of a document and makes passage ids ("<key>@v2#3")
_KEY: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_FRONT_MATTER: Final = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader that leaves dates as text: `_date` checks them, so a bad one
    ("2026-13-01") is reported with its field instead of failing inside YAML."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Section(NamedTuple):
    """The text under one heading; `heading` is the path, "Expedite terms > Air freight"."""

    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A document read from its bytes: metadata, sections in reading order, and the
    sha256 of the bytes (how a re-ingest knows nothing changed)."""

    meta: DocumentMeta
    sections: list[Section]
    content_hash: str


class UnsupportedDocument(CrossdockError):
    """A file whose suffix names no format Crossdock reads."""

    def __init__(self, *, name: str, suffix: str) -> None:
        self.name = name
        self.suffix = suffix
        known = ", ".join(SUFFIXES)
        super().__init__(
            f"document {name}: unsupported type {suffix or '(no suffix)'!r} (known: {known})"
        )


class UnreadableDocument(CrossdockError):
    """A file of a known format whose content cannot be read (bad encoding, broken or
    scanned PDF, no text at all)."""

    def __init__(self, *, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"document {name}: {reason}")


class InvalidDocumentMeta(CrossdockError):
    """Metadata that breaks a rule: an unknown document type or role, a bad date, an
    end before the start, a missing document type."""

    def __init__(self, *, document: str, field: str, value: object, reason: str) -> None:
        self.document = document
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"document {document}: {field}={value!r}: {reason}")


def read_document(
    name: str, data: bytes, *, meta_overrides: Mapping[str, Any] | None = None
) -> ParsedDocument:
    """Read document `name` (its suffix says the format) from `data`.

    Args:
        name: the file name (a path is fine); the stem is the default key and title.
        data: the file's bytes.
        meta_overrides: metadata fields that win over the file's own (None values are
            ignored); `doc_type` must come from one or the other.

    Raises:
        UnsupportedDocument: the suffix is not one of `SUFFIXES`.
        UnreadableDocument: the content cannot be read as that format.
        InvalidDocumentMeta: a metadata field is missing, unknown or invalid.
    """
    suffix = PurePath(name).suffix.lower()
    kind = SUFFIXES.get(suffix)
    if kind is None:
        raise UnsupportedDocument(name=name, suffix=suffix)
    if kind == "pdf":
        given, headings, title = _pdf(name, data)
    else:
        text = _decode(name, data)
        if kind == "markdown":
            given, body = _front_matter(name, text)
            headings, title = markdown_sections(body)
        elif kind == "html":
            given, headings, title = html_sections(text)
        else:
            given, (headings, title) = {}, line_sections(text.splitlines())
    meta = document_meta(name, {**given, **_present(meta_overrides)}, default_title=title)
    return ParsedDocument(
        meta=meta,
        sections=_paths(headings, title=meta.title),
        content_hash=hashlib.sha256(data).hexdigest(),
    )


def document_meta(
    name: str, fields: Mapping[str, Any], *, default_title: str | None = None
) -> DocumentMeta:
    """`DocumentMeta` for document `name` from raw `fields` (front matter, meta tags,
    overrides), checked; the key defaults to the file stem, the title to
    `default_title` (the first heading) or the stem, the audience to the type's."""
    unknown = sorted(set(fields) - set(META_FIELDS))
    if unknown:
        raise InvalidDocumentMeta(
            document=name,
            field=unknown[0],
            value=fields[unknown[0]],
            reason=f"unknown field (known: {', '.join(META_FIELDS)})",
        )
    stem = PurePath(name).stem
    key = _text(name, "key", fields.get("key")) or _stem_key(stem)
    if not _KEY.fullmatch(key):
        raise InvalidDocumentMeta(
            document=name,
            field="key",
            value=key,
            reason="use letters, digits, '.', '_' and '-' only, starting with a letter or digit",
        )
    doc_type = _text(name, "doc_type", fields.get("doc_type"))
    if doc_type is None:
        raise InvalidDocumentMeta(
            document=name,
            field="doc_type",
            value=None,
            reason=f"missing: give it in the document's metadata or when ingesting "
            f"(one of {', '.join(DOC_TYPES)})",
        )
    if doc_type not in DOC_TYPES:
        raise InvalidDocumentMeta(
            document=name,
            field="doc_type",
            value=doc_type,
            reason=f"unknown document type (known: {', '.join(DOC_TYPES)})",
        )
    starts = _date(name, "effective_from", fields.get("effective_from"))
    ends = _date(name, "effective_to", fields.get("effective_to"))
    if starts is not None and ends is not None and ends < starts:
        raise InvalidDocumentMeta(
            document=name,
            field="effective_to",
            value=ends.isoformat(),
            reason=f"before effective_from {starts.isoformat()}",
        )
    audience = _audience(name, fields.get("audience"))
    return DocumentMeta(
        key=key,
        title=_text(name, "title", fields.get("title")) or default_title or stem,
        doc_type=doc_type,
        site=_text(name, "site", fields.get("site")),
        supplier=_text(name, "supplier", fields.get("supplier")),
        customer=_text(name, "customer", fields.get("customer")),
        effective_from=starts,
        effective_to=ends,
        audience=DEFAULT_AUDIENCE[doc_type] if audience is None else audience,
    )


# -- formats ----------------------------------------------------------------------------


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableDocument(
            name=name,
            reason=f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8",
        ) from None


def _front_matter(name: str, text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter's fields and the Markdown after it."""
    found = _FRONT_MATTER.match(text)
    if found is None:
        return {}, text
    try:
        fields = yaml.load(found.group(1), Loader=_FrontMatterLoader)  # noqa: S506 - safe
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 2}" if where is not None else ""
        raise InvalidDocumentMeta(
            document=name, field="front matter", value=found.group(1)[:80],
            reason=f"not valid YAML{line}: {getattr(error, 'problem', None) or error}",
        ) from None  # fmt: skip
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        raise InvalidDocumentMeta(
            document=name,
            field="front matter",
            value=fields,
            reason="must be a mapping of field: value",
        )
    return {str(k): v for k, v in fields.items()}, text[found.end() :]


def _pdf(name: str, data: bytes) -> tuple[dict[str, Any], list[Heading], str | None]:
    """A PDF's text: sections from heading-like lines, else one per page."""
    # imported here: only a PDF needs it, and it takes a moment to import
    from pypdf import PdfReader  # noqa: PLC0415
    from pypdf.errors import PyPdfError  # noqa: PLC0415

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocument(name=name, reason="the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info_title = reader.metadata.title if reader.metadata is not None else None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise UnreadableDocument(name=name, reason=f"not a readable PDF ({error})") from None
    if not any(page.strip() for page in pages):
        raise UnreadableDocument(
            name=name, reason="the PDF holds no text (a scanned PDF needs OCR first)"
        )
    lines = [line for page in pages for line in page.splitlines()]
    headings, first = line_sections(lines)
    if not any(h.level for h in headings):
        headings = [
            Heading(level=1, title=f"Page {number}", text=page.strip())
            for number, page in enumerate(pages, start=1)
        ]
        first = None
    title = str(info_title).strip() if info_title else None
    return {}, headings, title or first


# -- sections ---------------------------------------------------------------------------


def _paths(headings: list[Heading], *, title: str) -> list[Section]:
    """Sections with heading paths ("Parent > Child"). A lone top heading that opens the
    document is its title, so it is left out of the paths below it; text before the
    first heading sits under the title."""
    levels = [h.level for h in headings if h.level]
    top = min(levels, default=0)
    opening = next((h for h in headings if h.level), None)
    title_heading = (
        opening if opening is not None and opening.level == top and levels.count(top) == 1
        else None
    )  # fmt: skip
    stack: list[tuple[int, str]] = []
    sections = []
    for heading in headings:
        if heading.level == 0 or heading is title_heading:
            path = " > ".join(t for _, t in stack) or title
        else:
            while stack and stack[-1][0] >= heading.level:
                stack.pop()
            stack.append((heading.level, heading.title))
            path = " > ".join(t for _, t in stack)
        sections.append(Section(heading=path, text=heading.text.strip()))
    return sections


# -- fields -----------------------------------------------------------------------------


def _present(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (overrides or {}).items() if v is not None and v != ""}


def _stem_key(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._") or "document"


def _text(name: str, field: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidDocumentMeta(document=name, field=field, value=value, reason="not text")
    text = str(value).strip()
    return text or None


def _date(name: str, field: str, value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidDocumentMeta(
        document=name, field=field, value=value, reason="not a date (YYYY-MM-DD)"
    )


def _audience(name: str, value: object) -> frozenset[str] | None:
    """The roles named by a list or a comma-separated text; None when not given."""
    if value is None:
        return None
    if isinstance(value, str):
        names = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list | tuple | set | frozenset):
        names = [str(part).strip() for part in value]
    else:
        raise InvalidDocumentMeta(
            document=name, field="audience", value=value, reason="not a list of roles"
        )
    for role in names:
        if role not in ALL_ROLES:
            raise InvalidDocumentMeta(
                document=name,
                field="audience",
                value=role,
                reason=f"unknown role (known: {', '.join(sorted(ALL_ROLES))})",
            )
    if not names:
        raise InvalidDocumentMeta(
            document=name, field="audience", value=value, reason="empty: nobody could read it"
        )
    return frozenset(names)
