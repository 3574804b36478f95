"""Tokenizer and envelope checks: separators come from each ISA, every broken sample
under ../shared/data/edi_x12 is refused with its reason and position, and hand-made
files cover what the samples do not (other separators, CRLF, several interchanges)."""

from __future__ import annotations

import pytest

from crossdock.ingest.edi import InvalidEdi, decode_edi, read_edi
from crossdock.ingest.edi.envelope import read_interchanges, transaction_sets
from crossdock.ingest.edi.tokenizer import segments
from tests.conftest import SHARED_DATA, require

EDI = SHARED_DATA / "edi_x12"
ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*261128*1200*U*00401*{n}*0*P*>"
)


def _sample(name: str) -> str:
    path = EDI / name
    require(path.is_file(), f"EDI sample not found at {path}")
    return decode_edi(path.read_bytes())


def _interchange(body: str, *, control: str = "000000001", term: str = "~") -> str:
    lines = [
        ISA.format(n=control),
        "GS*PO*SENDER*RECEIVER*20261128*1200*7*X*004010",
        "ST*850*0001",
        "BEG*00*SA*PO-1**20261128",
        body,
        "SE*4*0001",
        "GE*1*7",
        f"IEA*1*{control}",
    ]
    return term.join(line for line in lines if line) + term


# ---------------------------------------------------------------- the broken samples


@pytest.mark.parametrize(
    ("name", "segment", "line", "controls", "reason"),
    [
        (
            "olmelabs-EdiEngine/940_Failed_SE01.edi",
            11, 11, ("000009221", "9221", "20066"),
            "SE01 says '12' segments from ST to SE but there are 9",
        ),
        (
            "olmelabs-EdiEngine/ControlNumbersMismatch.edi",
            7, 7, ("000003438", "3314", "0001"),
            "SE02 control number '0002' does not match ST02 '0001'",
        ),
        (
            "olmelabs-EdiEngine/WrongGroupsAndTranCount.edi",
            8, 8, ("000003438", "3314", None),
            "GE01 says '2' transaction sets but there are 1",
        ),
        (
            "olmelabs-EdiEngine/850.SyntaxNotes.ERR.edi",
            15, 15, ("000003438", "1421", "000000010"),
            "PO1 breaks syntax note P0607: if any of PO106, PO107 is present, all are required",
        ),
        # EDI.Net's samples, written to test mapping, break the envelope too
        (
            "indice-EDI.Net/x12.810.mandatory-conditions.edi",
            8, 8, ("000000055", "2", "0001"),
            "SE01 says '50' segments from ST to SE but there are 6",
        ),
        (
            "indice-EDI.Net/x12.850.edi",
            15, 15, ("000000055", None, None),
            "IEA02 control number '000000001' does not match ISA13 '000000055'",
        ),
        (
            "indice-EDI.Net/x12.850a.edi",
            54, 54, ("000000055", None, None),
            "IEA02 control number '000000001' does not match ISA13 '000000055'",
        ),
    ],
)  # fmt: skip
def test_each_broken_sample_is_refused_naming_segment_and_reason(
    name: str, segment: int, line: int, controls: tuple[str | None, ...], reason: str
) -> None:
    with pytest.raises(InvalidEdi) as refused:
        read_edi(_sample(name))

    where = refused.value.position
    assert (where.segment, where.line) == (segment, line)
    assert (where.interchange, where.group, where.transaction) == controls
    assert refused.value.reason == reason
    assert f"segment {segment} (line {line})" in str(refused.value)


def test_syntax_notes_sample_lists_all_three_violations_as_edi_engine_does() -> None:
    with pytest.raises(InvalidEdi) as refused:
        read_edi(_sample("olmelabs-EdiEngine/850.SyntaxNotes.ERR.edi"))

    # PO1 is the set's 13th segment, PO4 its 30th (file segments 15 and 32)
    found = [(p.segment, r.split(":")[0]) for p, r in refused.value.problems]
    assert found == [
        (15, "PO1 breaks syntax note P0607"),
        (32, "PO4 breaks syntax note C0506"),
        (32, "PO4 breaks syntax note P0607"),
    ]


def test_the_same_file_without_the_broken_elements_is_read() -> None:
    assert len(read_edi(_sample("olmelabs-EdiEngine/850.OK.edi")).documents) == 1


# ---------------------------------------------------------------- separators


def test_separators_come_from_the_isa_of_each_interchange() -> None:
    first = _interchange("PO1*1*5*EA*2.5**BP*SKU-1")
    second = (
        _interchange("PO1|1|7|EA|1||BP|SKU-2", control="000000002", term="\n")
        .replace("*", "|")
        .replace("|>", "|^")
    )

    found = read_interchanges(first + "\n" + second)

    assert [i.separators.element for i in found] == ["*", "|"]
    assert [i.separators.segment for i in found] == ["~", "\n"]
    assert [i.separators.component for i in found] == [">", "^"]
    bodies = [t.body[1].elements for t in transaction_sets(found)]
    assert bodies == [("PO1", "1", "5", "EA", "2.5", "", "BP", "SKU-1"),
                      ("PO1", "1", "7", "EA", "1", "", "BP", "SKU-2")]  # fmt: skip


def test_crlf_indentation_and_a_byte_order_mark_are_ignored() -> None:
    text = "\ufeff" + _interchange("  PO1*1*5*EA", term="~\r\n\t")

    found = list(segments(text))

    assert [s.tag for s in found] == ["ISA", "GS", "ST", "BEG", "PO1", "SE", "GE", "IEA"]
    assert [s.line for s in found] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_the_repetition_separator_is_isa11_from_version_00402_on() -> None:
    old = next(segments(_interchange("PO1*1")))
    new = next(segments(_interchange("PO1*1").replace("*U*00401*", "*^*00501*")))

    assert old.separators.repetition is None
    assert new.separators.repetition == "^"


def test_composites_split_on_the_component_separator() -> None:
    text = _sample("olmelabs-EdiEngine/850.Composite.SLN.OK.edi")

    sln = next(s for s in segments(text) if s.tag == "SLN")

    assert sln.components(5) == ("PC", "11.1", "12.2", "EA", "13.3", "14.4")


def test_an_isa_without_isa16_and_a_forgotten_terminator_are_read() -> None:
    # EDI.Net issue 135: ISA is 105 characters (no ISA16), line 23 lacks its "~"
    documents = read_edi(_sample("indice-EDI.Net/x12.850.issue135.edi")).documents

    assert [d.po_number for d in documents] == ["740150", "740151"]  # type: ignore[union-attr]
    assert [len(d.lines) for d in documents] == [10, 11]  # type: ignore[union-attr]


# ---------------------------------------------------------------- hand-made refusals


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("GS*PO*A*B*20261128*1200*7*X*004010~", "expected an ISA interchange header"),
        ("ISA*00*x~", "ISA is cut short"),
        (_interchange("PO1*1").replace("GE*1*7~", "GE*1*8~"), "GE02 control number '8'"),
        (_interchange("PO1*1").replace("IEA*1*", "IEA*2*"), "IEA01 says '2' functional groups"),
        (_interchange("PO1*1").replace("SE*4*", "SE*5*"), "SE01 says '5'"),
        (_interchange("PO1*1").rsplit("IEA", 1)[0], "no IEA"),
        (_interchange("PO1*1").replace("SE*4*0001~", ""), "GE before the SE"),
        (_interchange("PO1*1").replace("ST*850*0001~", ""), "BEG outside a transaction set"),
        (_interchange("po1*1"), "'po1' is not a segment tag"),
        (_interchange("PO1*1*x"), "PO102 'x' is not a number"),
        (_interchange("PO1*1").replace("20261128~", "20261328~"), "BEG05 '20261328' is not a date"),
    ],
)  # fmt: skip
def test_hand_made_breakage_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidEdi) as refused:
        read_edi(text)

    assert reason in str(refused.value)


def test_nothing_is_read_from_a_file_refused_midway() -> None:
    good = _interchange("PO1*1*5*EA")
    bad = _interchange("PO1*1", control="000000002").replace("SE*4*", "SE*9*")

    with pytest.raises(InvalidEdi) as refused:
        read_edi(good + bad)

    assert refused.value.position.interchange == "000000002"
    assert refused.value.position.segment == 14
