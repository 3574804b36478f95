"""Passages: a document version cut into the chunks retrieval returns and answers cite,
each tagged with the money it quotes, and who may read one.

One passage per section; a section longer than `max_words` is cut on paragraph
boundaries (then lines, then sentences, then words, for a paragraph that is itself too
long) into pieces of at most `max_words`, each after the first headed "<heading>
(cont.)". Empty sections are skipped.

Money (`money_class_of`): a passage of a supplier agreement that quotes money is
"supplier_cost"; of a customer agreement, "customer_pricing". Quoting money means one
of:

- a currency sign or code next to a figure: "$12.40", "€ 900", "USD 1,200", "1,200 EUR";
- a figure with two decimals per unit of sale: "12.40 per case", "0.85/unit";
- a percentage of money or a money term: "3% of order value", "2% rebate",
  "a surcharge of 8%", "5% credit" (a fill rate of 98% or 95% on time is not money);
- in an agreement, read cautiously, also a money term a few words before a figure
  ("Unit price: 5.64", "rebate: 1.5%"), or a money term and a figure with two decimals
  anywhere in the passage (a price table with no currency sign).

SOPs and policies get a money class only where their money is what the distributor
pays ("supplier_cost": unit cost, purchase price, freight or expedite charges, or the
document is about a supplier) or what customers pay ("customer_pricing"); an approval
threshold in a policy stays readable to all.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Final

from crossdock.copilot.documents import ParsedDocument
from crossdock.copilot.model import Passage

SUPPLIER_COST: Final = "supplier_cost"
CUSTOMER_PRICING: Final = "customer_pricing"
MONEY_CLASS_BY_TYPE: Final = {
    "supplier_agreement": SUPPLIER_COST,
    "customer_agreement": CUSTOMER_PRICING,
}
CONTINUED: Final = " (cont.)"

_CURRENCIES: Final = (
    "USD|EUR|GBP|CAD|AUD|NZD|CHF|JPY|CNY|MXN|BRL|SEK|NOK|DKK|PLN|CZK|INR|SGD|HKD|ZAR"
)
_FIGURE: Final = r"\d[\d,]*(?:\.\d+)?"
_MONEY_TERMS: Final = (
    r"value|price|prices|pricing|invoice|invoiced|cost|costs|discount|rebate|surcharge|"
    r"credit|credits|penalty|penalties|fee|fees|markup|mark-up|charge|charges|refund"
)
_UNITS: Final = (
    "unit|units|case|cases|pallet|pallets|carton|cartons|kg|lb|order|shipment|line|each|"
    "box|piece|pc|pack|item"
)
_MONEY: Final = re.compile(
    "|".join(
        (
            rf"[$€£¥]\s?{_FIGURE}",
            rf"\b(?:{_CURRENCIES})\s?{_FIGURE}",
            rf"{_FIGURE}\s?(?:{_CURRENCIES})\b",
            rf"\b\d[\d,]*\.\d{{2}}\s*(?:per|/|a|an)\s*(?:{_UNITS})\b",
            # a percentage followed, within four words, by a money term
            rf"\d+(?:\.\d+)?\s?(?:%|percent)\s+(?:\S+\s+){{0,4}}?(?:{_MONEY_TERMS})\b",
            # a money term then, within four words, a percentage: "a surcharge of 8%"
            rf"\b(?:{_MONEY_TERMS})\s+(?:\S+\s+){{0,4}}?\d+(?:\.\d+)?\s?(?:%|percent)",
        )
    ),
    re.IGNORECASE,
)
_MONEY_TERM: Final = re.compile(
    rf"\b(?:{_MONEY_TERMS}|net price|unit price|dollars?|euros?|pounds sterling)\b", re.IGNORECASE
)
_TERM_THEN_FIGURE: Final = re.compile(
    rf"\b(?:{_MONEY_TERMS}|net price|unit price)\b\W+(?:[A-Za-z]+\W+){{0,3}}?\d", re.IGNORECASE
)
_CENTS: Final = re.compile(r"(?<![\w.])\d[\d,]*\.\d{2}(?![\d.])")
# what the distributor pays, and what its customers pay, in SOPs and policies
_PAID_TO_SUPPLIERS: Final = re.compile(
    r"\b(?:unit cost|cost price|purchase price|supplier(?:'s)? price|net price|landed cost|"
    r"buy(?:ing)? price|we pay|freight (?:cost|charge|rate)s?|expedite (?:fee|charge|cost|"
    r"surcharge)s?|surcharge|purchase cost)\b",
    re.IGNORECASE,
)
_PAID_BY_CUSTOMERS: Final = re.compile(
    r"\b(?:selling price|sell price|list price|customer(?:'s)? price|discount|service "
    r"credit|credit note|rebate to|price to the customer|revenue|margin)s?\b",
    re.IGNORECASE,
)
_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def passages_of(
    doc: ParsedDocument, *, version: int, source: str, max_words: int = 220
) -> list[Passage]:
    """The passages of version `version` of `doc`, in reading order, numbered from 1.

    Args:
        doc: the document as read.
        version: its version in the knowledge base (makes the passage ids).
        source: where it came from: a file name or "api".
        max_words: the longest a passage may be, in words (a single word longer than
            that is still kept whole).
    """
    if max_words < 1:
        raise ValueError(f"max_words must be at least 1, got {max_words}")
    passages: list[Passage] = []
    for section in doc.sections:
        for piece_number, text in enumerate(_pieces(section.text, max_words)):
            heading = section.heading + (CONTINUED if piece_number else "")
            ordinal = len(passages) + 1
            passages.append(
                Passage(
                    passage_id=f"{doc.meta.key}@v{version}#{ordinal}",
                    document_key=doc.meta.key,
                    version=version,
                    ordinal=ordinal,
                    heading=heading,
                    text=text,
                    meta=doc.meta,
                    source=source,
                    money_class=money_class_of(
                        doc.meta.doc_type,
                        f"{section.heading}\n{text}",
                        supplier=doc.meta.supplier,
                        customer=doc.meta.customer,
                    ),
                )
            )
    return passages


def money_class_of(
    doc_type: str, text: str, *, supplier: str | None = None, customer: str | None = None
) -> str | None:
    """The masking class of the money `text` quotes in a document of `doc_type` (about
    `supplier` / `customer`, when it names one), None when it quotes none.

    Agreements are read cautiously: a passage of a supplier (customer) agreement that
    quotes money, or names a money term (price, cost, rebate, fee ...) just before a
    figure or beside a figure with two decimals, is supplier cost (customer pricing): a
    price table without a currency sign is still prices. An SOP or policy passage that
    quotes money (or a money term just before a figure) is supplier cost when it
    speaks of what the distributor pays (unit cost, purchase or net price, freight or
    expedite charges) or its document is about a supplier, customer pricing when it
    speaks of what customers pay (selling or list price, discounts, service credits) or
    its document is about a customer; other money in SOPs and policies (an approval
    threshold) stays readable."""
    money_class = MONEY_CLASS_BY_TYPE.get(doc_type)
    if money_class is not None:
        return money_class if quotes_money(text) or _money_term_with_figure(text) else None
    if not (quotes_money(text) or _TERM_THEN_FIGURE.search(text)):
        return None
    if supplier is not None or _PAID_TO_SUPPLIERS.search(text):
        return SUPPLIER_COST
    if customer is not None or _PAID_BY_CUSTOMERS.search(text):
        return CUSTOMER_PRICING
    return None


def quotes_money(text: str) -> bool:
    """Whether `text` quotes a price, a fee, a credit or a rate of money."""
    return _MONEY.search(text) is not None


def _money_term_with_figure(text: str) -> bool:
    """A money term with a figure a few words after it ("Unit price: 5.64", "rebate:
    1.5%"), or anywhere beside a figure with two decimals (a price table)."""
    if _TERM_THEN_FIGURE.search(text) is not None:
        return True
    return _MONEY_TERM.search(text) is not None and _CENTS.search(text) is not None


def readable_by(
    passage: Passage,
    *,
    roles: Collection[str],
    visible_money: Collection[str],
    sites: Collection[str] | None,
) -> bool:
    """Whether a reader may receive `passage`: one of `roles` is in its audience, the
    money it quotes (if any) is of a class in `visible_money`, and its document's site
    (if it names one) is among `sites` (None: every site)."""
    if not passage.meta.audience.intersection(roles):
        return False
    if passage.money_class is not None and passage.money_class not in visible_money:
        return False
    site = passage.meta.site
    return site is None or sites is None or site in sites


# -- cutting ----------------------------------------------------------------------------


def _pieces(text: str, max_words: int) -> Iterator[str]:
    """`text` in pieces of at most `max_words`, cut where the text allows, largest
    units first: paragraphs, lines, sentences, words."""
    if not text.strip():
        return
    units = list(_units(text, max_words))
    piece: list[str] = []
    words = 0
    for unit, separator in units:
        size = len(unit.split())
        if piece and words + size > max_words:
            yield _joined(piece)
            piece, words = [], 0
        piece.append(separator + unit if piece else unit)
        words += size
    if piece:
        yield _joined(piece)


def _units(text: str, max_words: int) -> Iterator[tuple[str, str]]:
    """Each unit no longer than `max_words` (but a single longer word), with the
    separator that joins it to the unit before: a blank line between paragraphs, a
    line break between lines, a space between sentences or word runs."""
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if len(paragraph.split()) <= max_words:
            if paragraph.strip():
                yield paragraph.strip(), "\n\n"
            continue
        separator = "\n\n"
        for line in paragraph.splitlines():
            if not line.strip():
                continue
            if len(line.split()) <= max_words:
                yield line.strip(), separator
                separator = "\n"
                continue
            for sentence in _SENTENCE_END.split(line.strip()):
                words = sentence.split()
                for start in range(0, len(words), max_words):
                    yield " ".join(words[start : start + max_words]), separator
                    separator = " "
            separator = "\n"


def _joined(parts: list[str]) -> str:
    return "".join(parts).strip()
