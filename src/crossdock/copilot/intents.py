"""What a question asks for, read from the user's own words only.

The copilot decides which tools to run from the question alone: text inside documents
or records never chooses a tool, so an instruction planted there cannot widen what the
copilot reads or does (see `guard.py`). The reading is deliberately plain (keywords and
the references the tools resolved), so that the deterministic answerer behaves the same
every time and a refusal is predictable.

Intents, in the order they are checked:

- `act`: the user asks the copilot to change something itself (approve, send, cancel,
  release, grant). It never does: such a request is refused with where to do it, or
  for a message, turned into a draft (below).
- `draft_customer_reply` / `draft_supplier_follow_up`: write a message. The draft
  becomes a recommendation routed by the approval policy, never sent.
- `order_status`, `supplier_risk`, `lead_time`, `inventory`, `recommendations`, `kpis`:
  answered from records through the read-only tools (several may apply at once).
- `documents`: a question about rules, terms or procedures, answered from passages.
- `out_of_scope`: nothing in the question is about the distributor's operations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

ACT: Final = "act"
DRAFT_CUSTOMER: Final = "draft_customer_reply"
DRAFT_SUPPLIER: Final = "draft_supplier_follow_up"
ORDER_STATUS: Final = "order_status"
SUPPLIER_RISK: Final = "supplier_risk"
LEAD_TIME: Final = "lead_time"
INVENTORY: Final = "inventory"
RECOMMENDATIONS: Final = "recommendations"
KPIS: Final = "kpis"
DOCUMENTS: Final = "documents"
OUT_OF_SCOPE: Final = "out_of_scope"

MAX_QUESTION_CHARS: Final = 2000


@dataclass(frozen=True, slots=True)
class References:
    """What a question names, as stored (resolved by the tools against the records):
    order and PO numbers, supplier, customer and warehouse codes, skus; and the document
    numbers it names that match none."""

    order_numbers: tuple[str, ...] = ()
    po_numbers: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()

    def any(self) -> bool:
        """Whether it names anything found in the records."""
        return bool(
            self.order_numbers
            or self.po_numbers
            or self.suppliers
            or self.customers
            or self.skus
            or self.locations
        )

    def to_json(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class Reading:
    """What the question asks: its intents (in the order to answer them) and what it
    names. `refusal` is set for `act` and `out_of_scope`."""

    intents: tuple[str, ...]
    references: References
    days: int = 7  # "this week" unless the question says otherwise
    refusal: str | None = None
    wants: frozenset[str] = field(default_factory=frozenset)  # the words that decided it


def _words(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)


_SUPPLIER = _words("supplier", "vendor", "po", "purchase order", "acknowledg\\w*", "asn")
# The first word of a request aimed at the copilot (after "please", "can you" ...).
_DRAFT_VERBS: Final = frozenset(
    {"draft", "write", "compose", "prepare", "send", "reply", "respond", "email", "notify",
     "tell", "chase", "follow"}
)  # fmt: skip
_ACT_VERBS: Final = frozenset(
    {"approve", "reject", "cancel", "release", "delete", "grant", "give", "change", "set",
     "update", "push", "execute", "place", "override", "make", "remove", "disable", "unlock"}
)  # fmt: skip
_OPENING = re.compile(
    r"^\s*(?:(?:please|kindly|now|then|ok|okay)[\s,]+)*(?:(?:can|could|would|will)\s+you\s+"
    r"(?:please\s+)?)?([a-z]+)",
    re.IGNORECASE,
)
# What a message the copilot may draft is about.
_MESSAGE_ABOUT = _words("customer", "client", "supplier", "vendor", "order", "po",
                        "purchase order", "reply", "follow[- ]?up", "delay\\w*", "ship\\w*",
                        "delivery", "backorder\\w*", "hold")  # fmt: skip
_ORDER = _words("order", "hold", "held", "on hold", "backorder\\w*", "ship\\w*", "so-?\\d+")
_RISK = _words("risk\\w*", "late", "overdue", "at risk", "delay\\w*", "unacknowledged",
               "hit", "affect\\w*", "impact\\w*")  # fmt: skip
_LEAD = _words("lead[- ]?time\\w*", "on[- ]time", "reliab\\w*", "how long", "transit")
_INVENTORY = _words("stock", "inventory", "on hand", "available", "projection", "project\\w*",
                    "days of supply", "reorder point", "safety stock", "position")  # fmt: skip
_RECS = _words("recommendation\\w*", "queue", "pending", "approval\\w*", "money at risk",
               "what should", "to do", "decide")  # fmt: skip
_KPIS = _words("kpi\\w*", "fill rate", "turns", "stockouts?", "expedite cost", "accuracy",
               "performance", "how are we doing", "acceptance", "override rate")  # fmt: skip
_DOCS = _words("sop", "procedure", "policy", "policies", "agreement", "contract", "terms",
               "sla", "service level", "rule\\w*", "allowed", "may we", "can we", "should we",
               "penalt\\w*", "credit\\w*", "surcharge", "minimum order", "moq", "escalat\\w*",
               "who (?:may|can|releases|approves)", "what do we do", "how do we", "process",
               "steps?", "notify", "notification", "receiving", "discrepanc\\w*", "expedit\\w*",
               "split", "short pick\\w*", "warranty", "returns?")  # fmt: skip
_DOMAIN = _words("warehouse", "branch", "dc", "sku", "item", "units?", "demand", "forecast",
                 "plan\\w*", "transfer\\w*", "buy", "purchas\\w*", "supplier", "customer",
                 "order\\w*", "ship\\w*", "deliver\\w*", "receipt\\w*", "invoice\\w*",
                 "freight", "carrier", "edi", "erp")  # fmt: skip
_THIS_MONTH = _words("this month", "next 30 days", "month")
_NEXT_TWO_WEEKS = _words("two weeks", "2 weeks", "fortnight", "next 14 days")


def read_question(question: str, references: References) -> Reading:
    """The intents of `question`, given what it names (`references`)."""
    text = " ".join(question.split())
    hits = {name for name, pattern in _PATTERNS.items() if pattern.search(text)}
    days = 30 if "month" in hits else 14 if "two_weeks" in hits else 7
    wants = frozenset(hits)
    verb = _opening_verb(text)
    if verb in _ACT_VERBS:
        return Reading((ACT,), references, days, _ACT_REFUSAL, wants)
    intents: list[str] = []
    if verb in _DRAFT_VERBS and (references.any() or _MESSAGE_ABOUT.search(text)):
        supplier_side = bool(references.suppliers or references.po_numbers) or (
            bool(_SUPPLIER.search(text)) and not re.search(r"\bcustomer\b", text, re.I)
        )
        intents.append(DRAFT_SUPPLIER if supplier_side else DRAFT_CUSTOMER)
    if references.order_numbers or unknown_orders(references):
        intents.append(ORDER_STATUS)
    if references.suppliers and ("risk" in hits or "po" in hits):
        intents.append(SUPPLIER_RISK)
    if references.suppliers and "lead" in hits:
        intents.append(LEAD_TIME)
    if references.skus and ("inventory" in hits or not intents):
        intents.append(INVENTORY)
    if "recommendations" in hits and not intents:
        intents.append(RECOMMENDATIONS)
    if "kpis" in hits:
        intents.append(KPIS)
    if "documents" in hits or intents or references.any():
        intents.append(DOCUMENTS)  # rules and terms around whatever else was asked
    if not intents:
        if "domain" in hits or "risk" in hits or "inventory" in hits or "lead" in hits:
            intents.append(DOCUMENTS)
        else:
            return Reading((OUT_OF_SCOPE,), references, days, _OUT_OF_SCOPE, wants)
    return Reading(tuple(dict.fromkeys(intents)), references, days, None, wants)


_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    "order": _ORDER,
    "risk": _RISK,
    "lead": _LEAD,
    "inventory": _INVENTORY,
    "recommendations": _RECS,
    "kpis": _KPIS,
    "documents": _DOCS,
    "domain": _DOMAIN,
    "po": _SUPPLIER,
    "month": _THIS_MONTH,
    "two_weeks": _NEXT_TWO_WEEKS,
}

_ACT_REFUSAL: Final = (
    "I can't change anything myself: I only read Crossdock's records and documents. "
    "Approvals, rejections and releases are made in the work queue (or `crossdock "
    "recommendations approve`) by someone the approval policy allows; messages to customers "
    "and suppliers are drafted as recommendations and sent only once approved."
)
_OUT_OF_SCOPE: Final = (
    "That is outside what I can answer: I answer questions about this distributor's "
    "orders, purchase orders, suppliers, stock, recommendations, KPIs and its procedures "
    "and agreements, from Crossdock's own records and documents."
)


def unknown_orders(references: References) -> tuple[str, ...]:
    """The order numbers the question names that no record holds (answered "not found")."""
    return tuple(u for u in references.unresolved if u.upper().startswith("SO"))


def _opening_verb(text: str) -> str | None:
    """The first word of a request ("approve" in "please approve PO-12"), lower case."""
    found = _OPENING.match(text)
    return None if found is None else found.group(1).lower()
