"""X12 syntax notes: the rules a segment's elements obey together.

Each note is a letter and two-digit element numbers, as the X12 dictionary writes
them: `P0607` (paired: PO106 and PO107 both present or both absent), `R0203` (at least
one of them), `E0203` (at most one), `C0506` (if PO405 is present, PO406 is required),
`L130102` (if the first is present, at least one of the others is). The checker is
generic; the table holds the notes of the segments Crossdock maps, from the 004010
dictionary (they are the same in later versions for these elements).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from crossdock.ingest.edi.tokenizer import Segment

_PRODUCT_ID_PAIRS = tuple(f"P{n:02d}{n + 1:02d}" for n in range(6, 25, 2))

SYNTAX_NOTES: dict[str, tuple[str, ...]] = {
    # baseline item data (850, 855)
    "PO1": ("C0302", "C0504", *_PRODUCT_ID_PAIRS),
    # item physical details (850, 856)
    "PO4": (
        "P0203",
        "C0506",
        "P0607",
        "P0809",
        "C1013",
        "C1113",
        "C1213",
        "L13101112",
        "C1716",
        "C1804",
    ),
    # baseline item data, invoice (810)
    "IT1": ("P020304", *_PRODUCT_ID_PAIRS),
    # item identification (856)
    "LIN": tuple(f"P{n:02d}{n + 1:02d}" for n in range(4, 31, 2)),
    # name (every set)
    "N1": ("R0203", "P0304"),
}


def violations(segment: Segment, notes: Iterable[str] | None = None) -> list[str]:
    """What `segment` breaks among its syntax notes, each as a sentence naming the note."""
    found = []
    for note in SYNTAX_NOTES.get(segment.tag, ()) if notes is None else notes:
        kind, numbers = note[0], [int(note[i : i + 2]) for i in range(1, len(note), 2)]
        present = [segment.present(n) for n in numbers]
        if not _obeys(kind, present):
            found.append(
                f"{segment.tag} breaks syntax note {note}: {_explain(segment.tag, kind, numbers)}"
            )
    return found


def _obeys(kind: str, present: Sequence[bool]) -> bool:
    first, rest = present[0], present[1:]
    if kind == "P":
        return all(present) or not any(present)
    if kind == "R":
        return any(present)
    if kind == "E":
        return sum(present) <= 1
    if kind == "C":
        return not first or all(rest)
    if kind == "L":
        return not first or any(rest)
    raise ValueError(f"unknown syntax note kind {kind!r}")


def _explain(tag: str, kind: str, numbers: Sequence[int]) -> str:
    names = [f"{tag}{n:02d}" for n in numbers]
    first, rest = names[0], " and ".join(names[1:])
    return {
        "P": f"if any of {', '.join(names)} is present, all are required",
        "R": f"at least one of {', '.join(names)} is required",
        "E": f"only one of {', '.join(names)} may be present",
        "C": f"if {first} is present, {rest} is required",
        "L": f"if {first} is present, at least one of {', '.join(names[1:])} is required",
    }[kind]
