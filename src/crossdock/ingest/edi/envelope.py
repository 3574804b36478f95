"""Interchanges, functional groups and transaction sets, checked as they are read.

Strict by design: a file whose envelopes do not add up is refused whole, because a
count or control number that does not match means segments were lost or mixed up on
the way. The checks:

* ISA/IEA: IEA01 is the number of groups, IEA02 repeats ISA13;
* GS/GE: GE01 is the number of transaction sets, GE02 repeats GS06;
* ST/SE: SE01 is the number of segments from ST to SE inclusive, SE02 repeats ST02;
* nothing outside its envelope, nothing left open at the end of the file.

Control numbers are compared as numbers when both are digits (`3438` repeats
`000003438`: senders differ on the zero padding), else as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NoReturn

from crossdock.ingest.edi.errors import InvalidEdi, Position
from crossdock.ingest.edi.tokenizer import Segment, Separators, segments


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST..SE: a purchase order, an acknowledgment, a ship notice..."""

    code: str
    control_number: str
    segments: tuple[Segment, ...]
    group: str
    interchange: str

    @property
    def body(self) -> tuple[Segment, ...]:
        """The segments between ST and SE."""
        return self.segments[1:-1]

    def position(self, segment: Segment) -> Position:
        return Position(
            segment.number, segment.line, self.interchange, self.group, self.control_number
        )


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    """One GS..GE: transaction sets of one kind (GS01: PO, PR, SH, IN, OW, SW, FA)."""

    functional_code: str
    sender: str
    receiver: str
    control_number: str
    version: str
    date: str
    time: str
    transactions: list[TransactionSet] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Interchange:
    """One ISA..IEA: who sent it to whom, when, and its groups."""

    sender: str
    receiver: str
    date: str
    time: str
    control_number: str
    version: str
    test: bool
    separators: Separators
    groups: list[FunctionalGroup] = field(default_factory=list)


def read_interchanges(text: str) -> list[Interchange]:
    """Every interchange in an X12 file, with its envelopes checked.

    Raises:
        InvalidEdi: naming the first segment where the file breaks a rule.
    """
    reader = _EnvelopeReader()
    for segment in segments(text):
        reader.read(segment)
    return reader.finish()


def same_control_number(left: str, right: str) -> bool:
    left, right = left.strip(), right.strip()
    if left.isdigit() and right.isdigit():
        return int(left) == int(right)
    return left == right


class _EnvelopeReader:
    """Reads segments one by one into interchanges, refusing any that break a rule."""

    def __init__(self) -> None:
        self.interchanges: list[Interchange] = []
        self.interchange: Interchange | None = None
        self.group: FunctionalGroup | None = None
        self.transaction: list[Segment] | None = None
        self.last: Segment | None = None

    def read(self, segment: Segment) -> None:
        self.last = segment
        handler = {
            "ISA": self._isa,
            "IEA": self._iea,
            "GS": self._gs,
            "GE": self._ge,
            "ST": self._st,
            "SE": self._se,
        }.get(segment.tag)
        if handler is not None:
            handler(segment)
        elif self.transaction is None:
            self._refuse(segment, f"{segment.tag} outside a transaction set (no ST before it)")
        else:
            self.transaction.append(segment)

    def finish(self) -> list[Interchange]:
        if self.last is None:
            raise InvalidEdi(Position(0, 1), "the file holds no X12 segment")
        if self.transaction is not None:
            self._refuse(self.last, "the file ends inside a transaction set (no SE)")
        if self.group is not None:
            self._refuse(self.last, "the file ends inside a functional group (no GE)")
        if self.interchange is not None:
            self._refuse(self.last, "the file ends inside an interchange (no IEA)")
        return self.interchanges

    # ------------------------------------------------------------ envelopes

    def _isa(self, segment: Segment) -> None:
        if self.interchange is not None:
            self._refuse(segment, "ISA before the IEA of the interchange before it")
        if len(segment.elements) != 17:
            self._refuse(segment, f"ISA has {len(segment.elements) - 1} elements, not 16")
        self.interchange = Interchange(
            sender=f"{segment[5]}:{segment[6]}",
            receiver=f"{segment[7]}:{segment[8]}",
            date=segment[9],
            time=segment[10],
            control_number=segment[13],
            version=segment[12],
            test=segment[15] == "T",
            separators=segment.separators,
        )

    def _iea(self, segment: Segment) -> None:
        interchange = self._open_interchange(segment)
        if self.group is not None:
            self._refuse(segment, f"IEA before the GE of group {self.group.control_number}")
        self._check_count(segment, len(interchange.groups), "functional groups")
        self._check_control(segment, interchange.control_number, "ISA13")
        self.interchanges.append(interchange)
        self.interchange = None

    def _gs(self, segment: Segment) -> None:
        interchange = self._open_interchange(segment)
        if self.group is not None:
            self._refuse(segment, f"GS before the GE of group {self.group.control_number}")
        self.group = FunctionalGroup(
            functional_code=segment[1],
            sender=segment[2],
            receiver=segment[3],
            control_number=segment[6],
            version=segment[8],
            date=segment[4],
            time=segment[5],
        )
        interchange.groups.append(self.group)

    def _ge(self, segment: Segment) -> None:
        group = self._open_group(segment)
        if self.transaction is not None:
            self._refuse(segment, f"GE before the SE of transaction set {self.transaction[0][2]}")
        self._check_count(segment, len(group.transactions), "transaction sets")
        self._check_control(segment, group.control_number, "GS06")
        self.group = None

    def _st(self, segment: Segment) -> None:
        self._open_group(segment)
        if self.transaction is not None:
            self._refuse(segment, f"ST before the SE of transaction set {self.transaction[0][2]}")
        if not segment[1] or not segment[2]:
            self._refuse(segment, "ST needs ST01 (the set's code) and ST02 (its control number)")
        self.transaction = [segment]

    def _se(self, segment: Segment) -> None:
        group = self._open_group(segment)
        if self.transaction is None:
            self._refuse(segment, "SE without an ST before it")
        self.transaction.append(segment)
        header = self.transaction[0]
        self._check_count(segment, len(self.transaction), "segments from ST to SE")
        self._check_control(segment, header[2], "ST02")
        assert self.interchange is not None
        group.transactions.append(
            TransactionSet(
                code=header[1],
                control_number=header[2],
                segments=tuple(self.transaction),
                group=group.control_number,
                interchange=self.interchange.control_number,
            )
        )
        self.transaction = None

    # ------------------------------------------------------------ checks

    def _open_interchange(self, segment: Segment) -> Interchange:
        if self.interchange is None:
            self._refuse(segment, f"{segment.tag} outside an interchange (no ISA before it)")
        return self.interchange

    def _open_group(self, segment: Segment) -> FunctionalGroup:
        self._open_interchange(segment)
        if self.group is None:
            self._refuse(segment, f"{segment.tag} outside a functional group (no GS before it)")
        return self.group

    def _check_count(self, segment: Segment, actual: int, what: str) -> None:
        stated = segment[1]
        if not stated.isdigit() or int(stated) != actual:
            self._refuse(
                segment,
                f"{segment.tag}01 says {stated!r} {what} but there are {actual}",
            )

    def _check_control(self, segment: Segment, expected: str, header: str) -> None:
        if not same_control_number(segment[2], expected):
            self._refuse(
                segment,
                f"{segment.tag}02 control number {segment[2]!r} does not match "
                f"{header} {expected!r}",
            )

    def _refuse(self, segment: Segment, reason: str) -> NoReturn:
        raise InvalidEdi(self._position(segment), reason)

    def _position(self, segment: Segment) -> Position:
        return Position(
            segment.number,
            segment.line,
            None if self.interchange is None else self.interchange.control_number,
            None if self.group is None else self.group.control_number,
            None if self.transaction is None else self.transaction[0][2],
        )


def transaction_sets(interchanges: Iterable[Interchange]) -> list[TransactionSet]:
    """Every transaction set of the interchanges, in file order."""
    return [t for i in interchanges for g in i.groups for t in g.transactions]
