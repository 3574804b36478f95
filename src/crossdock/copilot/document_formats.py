"""Headings and the text under them, per format: Markdown, HTML, and lines of plain text
or PDF. `documents.read_document` turns them into sections with heading paths.

Each reader returns `Heading`s in reading order: level 1-6, or 0 for the text before
the first heading. Paragraphs stay separated by a blank line, which is where
`chunking` splits a long section.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any, Final, NamedTuple

_ATX: Final = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_SETEXT: Final = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE: Final = re.compile(r"^ {0,3}(```|~~~)")
# "1. Scope", "2.3 Expedite fees", "4) Returns": a number path, then a short title
_NUMBERED: Final = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)[.)]?\s+(\S.*?)\s*$")
_MAX_HEADING_CHARS: Final = 70
_MAX_HEADING_WORDS: Final = 9
_MIN_CAPS_LETTERS: Final = 4


class Heading(NamedTuple):
    """One heading (level 1-6; 0: text before any heading) and the text under it."""

    level: int
    title: str
    text: str


# -- Markdown ---------------------------------------------------------------------------


def markdown_sections(body: str) -> tuple[list[Heading], str | None]:
    """ATX (`## Expedite`) and setext (underlined) headings, outside code fences; and
    the first heading's title."""
    headings: list[Heading] = []
    level, title, lines = 0, "", list[str]()
    fenced = False
    for line in body.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        found = None if fenced else _ATX.match(line)
        underline = None if fenced else _SETEXT.match(line)
        if found is not None:
            headings.append(Heading(level, title, "\n".join(lines)))
            level, title, lines = len(found.group(1)), found.group(2).strip(), []
        elif underline is not None and lines and lines[-1].strip() and _setext_ok(lines):
            text = lines.pop().strip()
            headings.append(Heading(level, title, "\n".join(lines)))
            level, title, lines = (1 if underline.group(1)[0] == "=" else 2), text, []
        else:
            lines.append(line)
    headings.append(Heading(level, title, "\n".join(lines)))
    return _drop_empty_preamble(headings), _first_title(headings)


def _setext_ok(lines: list[str]) -> bool:
    """Only a one-line paragraph that is not a list item becomes a setext heading."""
    previous = lines[-1].lstrip()
    alone = len(lines) == 1 or not lines[-2].strip()
    return alone and not previous.startswith(("-", "*", "+", ">", "|"))


# -- HTML -------------------------------------------------------------------------------

_BLOCKS: Final = frozenset(
    {"p", "div", "section", "article", "main", "header", "footer", "aside", "nav",
     "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "blockquote", "pre",
     "figure", "form", "hr", "address", "body"}
)  # fmt: skip
_SKIPPED: Final = frozenset({"script", "style", "noscript", "template", "head", "svg"})
_HEADINGS: Final = {f"h{n}": n for n in range(1, 7)}
_META_PREFIX: Final = "crossdock:"


class _HtmlReader(HTMLParser):
    """Collects the `<title>`, the crossdock meta tags, and headings with their text;
    scripts, styles and the rest of `<head>` are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, Any] = {}
        self.page_title = ""
        self.headings: list[Heading] = []
        self._level, self._title, self._paragraphs = 0, "", list[str]()
        self._line: list[str] = []
        self._skipping = 0
        self._in_title = False
        self._heading: list[str] | None = None
        self._pre = 0
        self._cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._meta(dict(attrs))
        elif tag == "title":
            self._in_title = True
        elif tag in _SKIPPED:
            self._skipping += 1
        elif tag in _HEADINGS:
            self._end_section()
            self._level, self._heading = _HEADINGS[tag], []
        elif tag in _BLOCKS:
            self._flush()
            self._pre += tag == "pre"
        elif tag in {"li", "tr"}:  # a line of the list or table's paragraph
            self._line.append("\n- " if tag == "li" else "\n")
            self._cells = 0
        elif tag == "br":
            self._line.append("\n")
        elif tag in {"td", "th"}:
            if self._cells:
                self._line.append(" | ")
            self._cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _HEADINGS and self._heading is not None:
            self._title = " ".join("".join(self._heading).split())
            self._heading = None
        elif tag in _BLOCKS:
            self._flush()
            self._pre = max(0, self._pre - (tag == "pre"))

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.page_title += data
        elif self._skipping:
            return
        elif self._heading is not None:
            self._heading.append(data)
        else:
            self._line.append(data if self._pre else data.replace("\n", " "))

    def close(self) -> None:
        super().close()
        self._end_section()

    def _meta(self, attrs: dict[str, str | None]) -> None:
        name = (attrs.get("name") or "").strip().lower()
        if name.startswith(_META_PREFIX) and attrs.get("content") is not None:
            self.fields[name[len(_META_PREFIX) :]] = attrs["content"]

    def _flush(self) -> None:
        lines = ("".join(self._line)).split("\n")
        cleaned = [" ".join(line.split()) for line in lines]
        text = "\n".join(line for line in cleaned if line and line != "-")
        if text:
            self._paragraphs.append(text)
        self._line = []

    def _end_section(self) -> None:
        self._flush()
        self.headings.append(Heading(self._level, self._title, "\n\n".join(self._paragraphs)))
        self._paragraphs = []


def html_sections(text: str) -> tuple[dict[str, Any], list[Heading], str | None]:
    """The crossdock meta tags' fields, the h1-h6 sections, and the default title (the
    page's `<title>`, else its first heading)."""
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    headings = reader.headings
    page_title = " ".join(reader.page_title.split())
    return reader.fields, _drop_empty_preamble(headings), page_title or _first_title(headings)


# -- lines (plain text, PDF) ------------------------------------------------------------


def line_sections(lines: Iterable[str]) -> tuple[list[Heading], str | None]:
    """Sections of plain text or a PDF's text, from lines that look like headings:
    numbered ("1. Scope", "2.3 Expedite": the depth of the number is the level) or in
    capitals ("DELIVERY TERMS", level 1). Returns them and the default title: the
    first heading when it is in capitals (a numbered one is a clause, not a title)."""
    headings: list[Heading] = []
    level, title, body = 0, "", list[str]()
    first_title: str | None = None
    for raw in lines:
        line = raw.rstrip()
        found = heading_of(line)
        if found is None:
            body.append(line)
            continue
        headings.append(Heading(level, title, _paragraphs(body)))
        level, title, body = found[0], found[1], []
        if len(headings) == 1 and not _NUMBERED.match(line):
            first_title = title
    headings.append(Heading(level, title, _paragraphs(body)))
    return _drop_empty_preamble(headings), first_title


def heading_of(line: str) -> tuple[int, str] | None:
    """(level, title) when `line` reads as a heading, else None."""
    text = line.strip()
    if not text or len(text) > _MAX_HEADING_CHARS or len(text.split()) > _MAX_HEADING_WORDS:
        return None
    if text[-1] in ".,;:" and not re.fullmatch(r"[\d.]+", text):
        return None
    numbered = _NUMBERED.match(text)
    if numbered is not None:
        rest = numbered.group(2)
        if rest[0].isupper() and not re.search(r"\d[\d,]*\.\d", rest):
            return numbered.group(1).count(".") + 1, text
        return None
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= _MIN_CAPS_LETTERS and all(c.isupper() for c in letters):
        return 1, text
    return None


def _paragraphs(lines: list[str]) -> str:
    """Lines as paragraphs: blank lines separate them; runs of blank lines collapse."""
    return re.sub(r"\n\s*\n+", "\n\n", "\n".join(lines)).strip()


# -- shared -----------------------------------------------------------------------------


def _drop_empty_preamble(headings: list[Heading]) -> list[Heading]:
    if headings and headings[0].level == 0 and not headings[0].text.strip():
        return headings[1:]
    return headings


def _first_title(headings: list[Heading]) -> str | None:
    return next((h.title for h in headings if h.level and h.title), None)
