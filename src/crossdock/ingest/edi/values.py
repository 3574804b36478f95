"""Reading typed values out of a transaction set's segments: dates, numbers, item ids,
parties. A value that is present but malformed is refused with the segment's position;
an absent optional value is `None` or empty."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from crossdock.ingest.edi.documents import ItemIds, Origin, Party
from crossdock.ingest.edi.envelope import Interchange, TransactionSet
from crossdock.ingest.edi.errors import InvalidEdi
from crossdock.ingest.edi.tokenizer import Segment


class SetReader:
    """Typed access to one transaction set's elements, refusing malformed values."""

    def __init__(self, transaction: TransactionSet) -> None:
        self.transaction = transaction
        self.body = transaction.body

    def refuse(self, segment: Segment, reason: str) -> InvalidEdi:
        return InvalidEdi(self.transaction.position(segment), reason)

    def first(self, tag: str) -> Segment | None:
        return next((s for s in self.body if s.tag == tag), None)

    def text(self, segment: Segment | None, index: int) -> str:
        return "" if segment is None else segment[index]

    def number(self, segment: Segment | None, index: int) -> Decimal | None:
        value = self.text(segment, index)
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            assert segment is not None
            raise self.refuse(segment, f"{segment.tag}{index:02d} {value!r} is not a number")
        return number

    def integer(self, segment: Segment | None, index: int) -> int | None:
        number = self.number(segment, index)
        return None if number is None else int(number)

    def day(self, segment: Segment | None, index: int) -> date | None:
        """CCYYMMDD, or YYMMDD as the oldest versions and the ISA write it."""
        value = self.text(segment, index)
        if not value:
            return None
        digits = f"20{value}" if len(value) == 6 else value
        try:
            if len(digits) != 8 or not digits.isdigit():
                raise ValueError(value)
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            assert segment is not None
            raise self.refuse(
                segment, f"{segment.tag}{index:02d} {value!r} is not a date (CCYYMMDD)"
            ) from None

    def dated(self, segments: Sequence[Segment], *qualifiers: str) -> date | None:
        """The first DTM among `segments` with one of `qualifiers` (in their order)."""
        for qualifier in qualifiers:
            for segment in segments:
                if segment.tag == "DTM" and segment[1] == qualifier and segment[2]:
                    return self.day(segment, 2)
        return None

    def origin(self, interchange: Interchange) -> Origin:
        group = next(g for g in interchange.groups if self.transaction in g.transactions)
        header = self.transaction.segments[0]
        return Origin(
            transaction_set=self.transaction.code,
            sender=group.sender,
            receiver=group.receiver,
            sent_on=_date_or_none(group.date) or _date_or_none(interchange.date),
            sent_at=group.time or interchange.time,
            interchange=interchange.control_number,
            group=group.control_number,
            transaction=self.transaction.control_number,
            first_segment=header.number,
        )


def _date_or_none(value: str) -> date | None:
    digits = f"20{value}" if len(value) == 6 else value
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def item_ids(segment: Segment, first: int) -> ItemIds:
    """Qualifier/id pairs from element `first` on (PO106/PO107, LIN02/LIN03, ...)."""
    pairs = []
    for index in range(first, len(segment.elements) - 1, 2):
        qualifier, value = segment[index], segment[index + 1]
        if qualifier and value:
            pairs.append((qualifier, value))
    return ItemIds(tuple(pairs))


def parties(segments: Sequence[Segment]) -> tuple[Party, ...]:
    """Every N1 among `segments`: role, name, id qualifier and id."""
    return tuple(
        Party(role=s[1], name=s[2], id_qualifier=s[3], id=s[4]) for s in segments if s.tag == "N1"
    )


def loops(segments: Sequence[Segment], tag: str) -> Iterator[tuple[Segment, list[Segment]]]:
    """Each `tag` segment with the segments after it up to the next `tag` (its loop)."""
    current: Segment | None = None
    members: list[Segment] = []
    for segment in segments:
        if segment.tag == tag:
            if current is not None:
                yield current, members
            current, members = segment, []
        elif current is not None:
            members.append(segment)
    if current is not None:
        yield current, members


def header(segments: Sequence[Segment], loop_tag: str) -> list[Segment]:
    """The segments before the first `loop_tag` (the heading area)."""
    found = []
    for segment in segments:
        if segment.tag == loop_tag:
            break
        found.append(segment)
    return found


def party_code(found: Sequence[Party], *roles: str) -> str | None:
    """The code of the first party with one of `roles`, in the order of `roles`."""
    for role in roles:
        for party in found:
            if party.role == role and party.code:
                return party.code
    return None
