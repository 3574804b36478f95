"""Passages: one per section, long sections cut on paragraph boundaries, the money a
passage quotes, and who may read it."""

from __future__ import annotations

import dataclasses

import pytest

from crossdock.copilot.chunking import (
    CONTINUED,
    money_class_of,
    passages_of,
    quotes_money,
    readable_by,
)
from crossdock.copilot.documents import ParsedDocument, Section, read_document
from crossdock.copilot.model import ALL_ROLES, DocumentMeta

SUPPLY = """---
key: acme
doc_type: supplier_agreement
---
# Acme supply agreement

## Lead times

Standard lead time is 14 days from the purchase order.

## Prices

Each case costs $12.40, delivered.

## Empty

## Quality

Fill rate of 98% or better.
"""


def _doc(sections: list[tuple[str, str]], *, doc_type: str = "sop") -> ParsedDocument:
    meta = DocumentMeta(key="doc", title="Doc", doc_type=doc_type)
    return ParsedDocument(
        meta=meta, sections=[Section(h, t) for h, t in sections], content_hash="0" * 64
    )


def _paragraph(label: str, words: int) -> str:
    return " ".join(f"{label}{i}" for i in range(words)) + "."


def test_one_passage_per_section_with_ids_ordinals_and_money():
    doc = read_document("acme.md", SUPPLY.encode())
    passages = passages_of(doc, version=3, source="agreements/acme.md")
    assert [(p.passage_id, p.heading, p.money_class) for p in passages] == [
        ("acme@v3#1", "Lead times", None),
        ("acme@v3#2", "Prices", "supplier_cost"),
        ("acme@v3#3", "Quality", None),  # the empty section is skipped
    ]
    first = passages[0]
    assert (first.document_key, first.version, first.ordinal, first.source) == (
        "acme",
        3,
        1,
        "agreements/acme.md",
    )
    assert first.meta is doc.meta
    assert first.cite == "Acme supply agreement (v3) § Lead times"


def test_a_long_section_is_cut_on_paragraph_boundaries():
    paragraphs = [_paragraph(label, 40) for label in "abcde"]
    doc = _doc([("Putaway > Bins", "\n\n".join(paragraphs))])
    passages = passages_of(doc, version=1, source="x", max_words=100)
    # 40 + 40 fit, a third would make 120: pieces of two, two and one paragraph
    assert [p.text.split("\n\n") for p in passages] == [
        paragraphs[0:2],
        paragraphs[2:4],
        paragraphs[4:5],
    ]
    assert [p.heading for p in passages] == [
        "Putaway > Bins",
        f"Putaway > Bins{CONTINUED}",
        f"Putaway > Bins{CONTINUED}",
    ]
    assert [p.ordinal for p in passages] == [1, 2, 3]
    assert all(len(p.text.split()) <= 100 for p in passages)


def test_a_paragraph_longer_than_the_limit_is_cut_by_sentences_then_words():
    sentences = [_paragraph(label, 30) for label in "XYZ"]
    doc = _doc([("Rules", " ".join(sentences) + " " + _paragraph("W", 75))])
    passages = passages_of(doc, version=1, source="x", max_words=64)
    assert all(len(p.text.split()) <= 64 for p in passages)
    every_word = " ".join(p.text for p in passages).split()
    assert every_word == " ".join(doc.sections[0].text.split()).split()  # nothing lost
    assert passages[0].text == " ".join(sentences[:2])  # cut between sentences
    assert passages[1].text == sentences[2]
    assert passages[2].text.split() == _paragraph("W", 75).split()[:64]  # then by words


def test_lines_of_a_list_stay_lines_when_a_paragraph_is_cut():
    lines = [f"- step {i}: scan the pallet label and confirm the bin" for i in range(12)]
    doc = _doc([("Steps", "\n".join(lines))])
    passages = passages_of(doc, version=1, source="x", max_words=50)
    assert len(passages) == 3
    assert [line for p in passages for line in p.text.splitlines()] == lines


def test_max_words_must_be_positive():
    with pytest.raises(ValueError, match="max_words"):
        passages_of(_doc([("A", "b")]), version=1, source="x", max_words=0)


@pytest.mark.parametrize(
    "text",
    [
        "Each case costs $12.40.",
        "Minimum order USD 1,200 per shipment.",
        "A flat fee of 1,200 EUR applies.",
        "Pallets are charged at € 35.",
        "Unit price 12.40 per unit.",
        "Handling is 0.85/case.",
        "An expedite surcharge of 8% applies.",
        "Expedites cost 8% of order value.",
        "A 2% rebate on annual volume.",
        "Service credit: 5 percent of the invoice.",
    ],
)
def test_figures_of_money_are_quoted_money(text):
    assert quotes_money(text)


@pytest.mark.parametrize(
    "text",
    [
        "Fill rate of 98% or better.",
        "Lead time is 14 days; 95% of lines arrive on time.",
        "Net 30 days from receipt.",
        "At most 2 pallets per order.",
        "Prices are reviewed every quarter.",  # a money word without a figure
        "Section 4.2 applies.",
    ],
)
def test_other_figures_are_not_money(text):
    assert not quotes_money(text)


def test_the_money_class_follows_the_document_type():
    quote = "Late orders earn a credit of $50."
    assert money_class_of("supplier_agreement", quote) == "supplier_cost"
    assert money_class_of("customer_agreement", quote) == "customer_pricing"
    assert money_class_of("sop", quote) is None
    assert money_class_of("policy", quote) is None
    assert money_class_of("customer_agreement", "Orders ship in 2 days.") is None


@pytest.mark.parametrize(
    "text",
    ["Unit price: 5.64", "Net price 4.84 each", "| SKU-000012 | 12.40 |\n(prices in dollars)",
     "Volume rebate: 1.5%"],
)  # fmt: skip
def test_an_agreement_naming_a_money_term_beside_a_figure_is_money(text):
    assert money_class_of("supplier_agreement", text) == "supplier_cost"
    assert money_class_of("supplier_agreement", "Lead time is 14 days.") is None


def test_an_sop_is_money_only_where_it_says_what_we_pay_or_customers_pay():
    assert money_class_of("sop", "Air freight costs $4.50 per unit (expedite surcharge).") == (
        "supplier_cost"
    )
    assert money_class_of("sop", "The unit cost is 12.40 for SKU-1.") == "supplier_cost"
    assert money_class_of("policy", "Our list price is $19.99 for gold tier.") == (
        "customer_pricing"
    )
    assert money_class_of("sop", "Costs $4.50 per unit.", supplier="SUP-001") == "supplier_cost"
    assert money_class_of("policy", "Orders above $10,000 need an executive's approval.") is None


def test_a_heading_that_quotes_money_counts():
    doc = _doc([("Fees > $25 restocking", "Applies to returns.")], doc_type="customer_agreement")
    assert passages_of(doc, version=1, source="x")[0].money_class == "customer_pricing"


# -- readable_by --------------------------------------------------------------------------


def _passage(*, audience=ALL_ROLES, site=None, money_class=None):
    meta = DocumentMeta(key="k", title="T", doc_type="sop", site=site, audience=audience)
    passage = passages_of(
        ParsedDocument(meta=meta, sections=[Section("H", "text")], content_hash=""),
        version=1,
        source="x",
    )[0]
    return dataclasses.replace(passage, money_class=money_class)


def test_readable_when_a_role_is_in_the_audience():
    passage = _passage(audience=frozenset({"buyer", "finance"}))
    assert readable_by(passage, roles={"planner", "buyer"}, visible_money=(), sites=None)
    assert not readable_by(passage, roles={"planner"}, visible_money=(), sites=None)
    assert not readable_by(passage, roles=(), visible_money=(), sites=None)


def test_money_the_reader_may_not_see_withholds_the_passage():
    passage = _passage(money_class="supplier_cost")
    assert readable_by(passage, roles={"buyer"}, visible_money={"supplier_cost"}, sites=None)
    assert not readable_by(
        passage, roles={"planner"}, visible_money={"customer_pricing"}, sites=None
    )


def test_a_site_document_is_read_only_by_those_acting_for_that_site():
    at_br01 = _passage(site="BR01")
    everywhere = _passage(site=None)
    assert readable_by(at_br01, roles={"planner"}, visible_money=(), sites=None)
    assert readable_by(at_br01, roles={"planner"}, visible_money=(), sites={"BR01", "BR02"})
    assert not readable_by(at_br01, roles={"planner"}, visible_money=(), sites={"BR02"})
    assert readable_by(everywhere, roles={"planner"}, visible_money=(), sites={"BR02"})
