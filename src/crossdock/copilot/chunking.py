"""Passages: a document version cut into the chunks retrieval returns and answers cite,
each tagged with the money it quotes, and who may read one.

One passage per section; a section longer than `max_words` is cut on paragraph
boundaries (then lines, then sentences, then words, for a paragraph that is itself too
long) into pieces of at most `max_words`, each after the first headed "<heading>
(cont.)". Empty sections are skipped.

Money (`money_class_of`): a passage of a supplier agreement that quotes money is
"supplier_cost"; of a customer agreement, "customer_pricing"; SOPs and policies carry
no money class. Quoting money means one of:

- a currency sign or code next to a figure: "$12.40", "€ 900", "USD 1,200", "1,200 EUR";
- a figure with two decimals per unit of sale: "12.40 per case", "0.85/unit";
- a percentage of money or a money term: "3% of order value", "2% rebate",
  "a surcharge of 8%", "5% credit" (a fill rate of 98% or 95% on time is not money).
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
                    money_class=money_class_of(doc.meta.doc_type, f"{section.heading}\n{text}"),
                )
            )
    return passages


def money_class_of(doc_type: str, text: str) -> str | None:
    """The masking class of the money `text` quotes in a document of `doc_type`, None
    when it quotes none or the type carries no money class (module docstring)."""
    money_class = MONEY_CLASS_BY_TYPE.get(doc_type)
    if money_class is None or not quotes_money(text):
        return None
    return money_class


def quotes_money(text: str) -> bool:
    """Whether `text` quotes a price, a fee, a credit or a rate of money."""
    return _MONEY.search(text) is not None


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
