"""Field-level masking: money figures a role may not see are replaced with None.

Three classes of field are guarded:

- `supplier_cost`: what the distributor pays its suppliers (unit cost, purchase prices,
  the purchase money of a recommendation and its order value).
- `customer_pricing`: what customers pay (selling prices, discounts, revenue).
- `margin`: price less cost, so shown only to those who see both classes above.

Which class a field belongs to is looked up by its name (`FIELD_CLASSES`), except where
the same name means different money in different places (`CONTEXT_FIELD_CLASSES`): the
canonical model calls a purchase order line's price `unit_price`, and so do a
recommendation's `drivers.supplier`. The context is the nearest enclosing key, or for
top-level fields the `entity` the caller names.

A recommendation's aggregate money (action_cost, expected_cost, holding/shortage/
transport/ordering/expedite costs, do_nothing_cost, savings, marginal_savings) stays
visible: it is the explanation planners decide on. Only `purchase_cost` and
`order_value` (quantity x supplier price) are masked. Note that purchase money can still
be worked out by subtraction (action_cost minus the visible parts); masking stops it
being shown and exported, not a determined reader. See docs/governance.md.

Free text is masked too (`text_redactor`, `mask_recommendation`, `mask_ledger_entry`):
a recommendation's rationale, status reason and routing reasons, and a ledger entry's
reason and routing, can quote the money masking hides (the approval policy's
"value 1,234.00" is the order value). Each figure hidden from the record, and the
policy's `value N`, are replaced by "masked" in those texts. The copilot masks its tools'
results with the same functions before a person or a language model reads them
(docs/copilot.md).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from crossdock.governance.access import Principal, Role

SUPPLIER_COST: Final = "supplier_cost"
CUSTOMER_PRICING: Final = "customer_pricing"
MARGIN: Final = "margin"
CLASSES: Final[tuple[str, ...]] = (SUPPLIER_COST, CUSTOMER_PRICING, MARGIN)

FIELD_CLASSES: Final[Mapping[str, str]] = {
    # what the distributor pays
    "unit_cost": SUPPLIER_COST,
    "cost_price": SUPPLIER_COST,
    "standard_cost": SUPPLIER_COST,
    "average_cost": SUPPLIER_COST,
    "last_cost": SUPPLIER_COST,
    "landed_cost": SUPPLIER_COST,
    "supplier_price": SUPPLIER_COST,
    "purchase_price": SUPPLIER_COST,
    "term_price": SUPPLIER_COST,
    "purchase_cost": SUPPLIER_COST,
    "order_value": SUPPLIER_COST,  # a recommendation's quantity x supplier price
    # what customers pay
    "unit_price": CUSTOMER_PRICING,
    "sell_price": CUSTOMER_PRICING,
    "selling_price": CUSTOMER_PRICING,
    "customer_price": CUSTOMER_PRICING,
    "list_price": CUSTOMER_PRICING,
    "promo_price": CUSTOMER_PRICING,
    "usual_price": CUSTOMER_PRICING,
    "discount": CUSTOMER_PRICING,
    "discount_rate": CUSTOMER_PRICING,
    "revenue": CUSTOMER_PRICING,
    # price less cost
    "margin": MARGIN,
    "gross_margin": MARGIN,
    "margin_rate": MARGIN,
}

# Where a name means other money: context (entity or enclosing key) -> field -> class.
CONTEXT_FIELD_CLASSES: Final[Mapping[str, Mapping[str, str]]] = {
    "supply_terms": {"unit_price": SUPPLIER_COST},
    "purchase_order_lines": {"unit_price": SUPPLIER_COST},
    "purchase_orders": {"unit_price": SUPPLIER_COST},
    "po_line": {"unit_price": SUPPLIER_COST},  # recommendation drivers
    "supplier": {"unit_price": SUPPLIER_COST},  # recommendation drivers
    "alternatives": {"purchase": SUPPLIER_COST},  # recommendation options' money parts
    "sales_orders": {"order_value": CUSTOMER_PRICING},
    "sales_order_lines": {"order_value": CUSTOMER_PRICING},
}

# Recommendation columns stored as JSON text; masked inside, returned as JSON text.
JSON_TEXT_FIELDS: Final[frozenset[str]] = frozenset({"drivers", "alternatives"})

ROLE_CLASSES: Final[Mapping[Role, frozenset[str]]] = {
    Role.PLANNER: frozenset({CUSTOMER_PRICING}),
    Role.BUYER: frozenset({SUPPLIER_COST}),
    Role.WAREHOUSE_SUPERVISOR: frozenset(),
    Role.CUSTOMER_SERVICE: frozenset({CUSTOMER_PRICING}),
    Role.FINANCE: frozenset({SUPPLIER_COST, CUSTOMER_PRICING}),
    Role.EXECUTIVE: frozenset({SUPPLIER_COST, CUSTOMER_PRICING}),
    Role.ADMIN: frozenset(),
    Role.AUDITOR: frozenset({SUPPLIER_COST, CUSTOMER_PRICING}),
}

MASKED_FIELDS_KEY: Final = "masked_fields"
_CONTAINERS: Final = (dict, list, tuple, Mapping)  # what masking looks inside
_PLAIN: Final = frozenset({int, float, bool, type(None)})
MASKED: Final = "masked"  # what replaces a hidden figure inside free text


def visible_classes(principal: Principal) -> frozenset[str]:
    """The field classes `principal` sees: the system all; an agent those its
    `agent_data` names; a person their roles' union. Margin needs both other classes."""
    if principal.kind == "system":
        return frozenset(CLASSES)
    if principal.kind == "agent":
        seen = frozenset(principal.agent_data or ()) & {SUPPLIER_COST, CUSTOMER_PRICING}
    else:
        seen = frozenset().union(*(ROLE_CLASSES[role] for role in principal.roles))
    if {SUPPLIER_COST, CUSTOMER_PRICING} <= seen:
        seen |= {MARGIN}
    return seen


def field_class(name: str, *, context: str | None = None) -> str | None:
    """The class of field `name` inside `context`, or None when it is not guarded."""
    return _class_of(name, context)


@lru_cache(maxsize=8192)  # a pure lookup, made for every key of every masked record
def _class_of(name: str, context: str | None) -> str | None:
    key = name.lower()
    if context is not None:
        special = CONTEXT_FIELD_CLASSES.get(context.lower(), {}).get(key)
        if special is not None:
            return special
    return FIELD_CLASSES.get(key)


def mask(
    record: Mapping[str, Any], principal: Principal, *, entity: str | None = None
) -> dict[str, Any]:
    """A copy of `record` with the fields `principal` may not see set to None.

    Nested dicts and lists are masked too, and so are the JSON text columns
    `drivers` and `alternatives`. When anything was masked, the copy gets a top-level
    `masked_fields`: the sorted dotted paths (list items by index, e.g.
    `alternatives.0.purchase`). The input is not changed.

    Args:
        record: one row or document.
        principal: who will see it.
        entity: the canonical entity the record is a row of (e.g.
            "purchase_order_lines"), so names like `unit_price` are read right.
    """
    hidden = frozenset(CLASSES) - visible_classes(principal)
    masked: list[str] = []
    out = _mask_mapping(record, hidden, context=entity, path="", masked=masked)
    if masked:
        out[MASKED_FIELDS_KEY] = sorted(masked)
    return out


def mask_rows(
    rows: Iterable[Mapping[str, Any]], principal: Principal, *, entity: str | None = None
) -> list[dict[str, Any]]:
    """`mask` over many rows, for exports."""
    return [mask(row, principal, entity=entity) for row in rows]


def _mask_mapping(
    record: Mapping[str, Any],
    hidden: frozenset[str],
    *,
    context: str | None,
    path: str,
    masked: list[str],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in record.items():
        key = name if type(name) is str else str(name)
        if _class_of(key, context) in hidden:
            out[key] = None
            masked.append(f"{path}.{key}" if path else key)
        elif type(value) in _PLAIN:  # most values: nothing inside, nothing to copy
            out[key] = value
        elif isinstance(value, str):
            if hidden and key.lower() in JSON_TEXT_FIELDS:
                here = f"{path}.{key}" if path else key
                out[key] = _mask_json_text(value, hidden, key=key, path=here, masked=masked)
            else:
                out[key] = value
        elif isinstance(value, _CONTAINERS):
            here = f"{path}.{key}" if path else key
            out[key] = _mask_value(value, hidden, context=key, path=here, masked=masked)
        else:  # a number, a date, None: nothing inside to mask, nothing to copy
            out[key] = value
    return out


def _mask_value(
    value: Any, hidden: frozenset[str], *, context: str, path: str, masked: list[str]
) -> Any:
    if not hidden:
        return _copy(value)
    if isinstance(value, dict | Mapping):  # dict first: JSON's, and cheap to check
        return _mask_mapping(value, hidden, context=context, path=path, masked=masked)
    if isinstance(value, list | tuple):
        return [
            _mask_value(item, hidden, context=context, path=f"{path}.{i}", masked=masked)
            if isinstance(item, _CONTAINERS)
            else item
            for i, item in enumerate(value)
        ]
    return value


def _mask_json_text(
    text: str, hidden: frozenset[str], *, key: str, path: str, masked: list[str]
) -> str | None:
    """Mask inside a JSON text column; text that is not JSON is withheld whole."""
    try:
        document = json.loads(text)
    except ValueError:
        masked.append(path)
        return None
    before = len(masked)
    cleaned = _mask_value(document, hidden, context=key, path=path, masked=masked)
    if len(masked) == before:
        return text
    return json.dumps(cleaned)


def _copy(value: Any) -> Any:
    """A copy of nested dicts and lists, so the output shares nothing mutable."""
    if isinstance(value, Mapping):
        return {str(k): _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value


# ------------------------------------------------------------------------ free text

_VALUE: Final = re.compile(r"\b(value )(-?\d[\d,]*(?:\.\d+)?)")
# a whole number as written in text: digits with thousands commas and decimals, not
# part of a longer one (1,200.001 is one number, not 1,200.00 and a 1)
_NUMBER: Final = re.compile(r"(?<![\d.,])\d+(?:,\d{3})*(?:\.\d+)?(?!\d|[.,]\d)")
_RECOMMENDATION_TEXTS: Final = ("status_reason", "rationale")
_ORDER_VALUE: Final = "order_value"


def mask_recommendation(
    row: Mapping[str, Any], principal: Principal
) -> tuple[dict[str, Any], Callable[[str], str]]:
    """A recommendation row as `principal` may see it: its fields masked (`mask`) and
    its rationale, status reason and routing reasons cleaned of the hidden money; with
    the cleaner, for other text about the same recommendation."""
    shown = mask(row, principal)
    clean = text_redactor(row, principal, masked=shown.get(MASKED_FIELDS_KEY, ()))
    for name in _RECOMMENDATION_TEXTS:
        if isinstance(shown.get(name), str):
            shown[name] = clean(shown[name])
    routing = shown.get("routing")
    if isinstance(routing, Mapping) and routing.get("reasons"):
        shown["routing"] = {**routing, "reasons": [clean(str(r)) for r in routing["reasons"]]}
    return shown, clean


def mask_ledger_entry(row: Mapping[str, Any], principal: Principal, **about: Any) -> dict[str, Any]:
    """One ledger entry as `principal` may read it: `detail` parsed, `at` as ISO text,
    fields masked, and its reason and routing reasons cleaned of the hidden money.

    `about` may give `order_value`: the order value of the recommendation the entry
    records (None for one without). When it is not given and supplier cost is hidden,
    every policy `value N` in the text is masked, as it may be an order value."""
    entry = dict(row)
    if isinstance(entry.get("detail"), str):
        entry["detail"] = json.loads(entry["detail"])
    if isinstance(entry.get("at"), datetime):
        entry["at"] = entry["at"].isoformat()
    shown = mask(entry, principal)
    clean = text_redactor({**entry, **about}, principal, masked=shown.get(MASKED_FIELDS_KEY, ()))
    if isinstance(shown.get("reason"), str):
        shown["reason"] = clean(shown["reason"])
    detail = shown.get("detail")
    if isinstance(detail, dict) and isinstance(detail.get("routing"), Mapping):
        routing = detail["routing"]
        reasons = [clean(str(line)) for line in routing.get("reasons") or ()]
        detail["routing"] = {**routing, "reasons": reasons}
    return shown


def text_redactor(
    row: Mapping[str, Any], principal: Principal, *, masked: Iterable[str] | None = None
) -> Callable[[str], str]:
    """What to apply to free text about `row` before `principal` reads it: the figures
    masking hides in its fields, and the policy's `value N` when the order value is
    hidden (unless `row` says it has none). `masked`: the paths `mask` hid (worked out
    when not given)."""
    paths = mask(row, principal).get(MASKED_FIELDS_KEY, ()) if masked is None else masked
    figures = masked_figures(row, paths)
    known = _ORDER_VALUE in row
    value = row.get(_ORDER_VALUE)
    value_hidden = SUPPLIER_COST not in visible_classes(principal) and (
        not known or value is not None
    )
    if value_hidden and isinstance(value, int | float | Decimal):
        figures = (*figures, float(value))
    return Scrubber(figures, value_hidden=value_hidden)


def masked_figures(raw: Mapping[str, Any], paths: Iterable[str]) -> tuple[float, ...]:
    """The numbers masking hid: the raw values at `paths` (dotted, list items by index)."""
    parsed: dict[str, Any] = {}  # each JSON text read once, however many paths go in
    figures = []
    for path in paths:
        value: Any = raw
        for part in path.split("."):
            if isinstance(value, str) and value[:1] in "[{":
                if value not in parsed:
                    parsed[value] = json.loads(value)
                value = parsed[value]
            if isinstance(value, Mapping):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                value = None
                break
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            figures.append(float(value))
    return tuple(figures)


class Scrubber:
    """Free text cleaned of `figures` (as 1,234.56, 1234.56, 1234.5600 or as stored,
    each replaced by "masked", whatever its sign) and, with `value_hidden`, of the
    policy's `value N`. Figures below 1 are left: they would blank out small numbers
    that mean something else. Each whole number in the text is looked up among the
    figures' written forms, so "11200.00" and "1,200.001" never match 1,200."""

    __slots__ = ("_forms", "_value_hidden")

    def __init__(self, figures: Iterable[float], *, value_hidden: bool) -> None:
        self._value_hidden = value_hidden
        forms: set[str] = set()
        for figure in map(abs, figures):
            if figure < 1 or not math.isfinite(figure):
                continue
            forms |= {f"{figure:,.2f}", f"{figure:.2f}", f"{figure:,.4f}", f"{figure:.4f}"}
            forms.add(repr(figure))
            if figure == int(figure):
                forms |= {f"{int(figure):,}", str(int(figure))}
        self._forms = frozenset(forms)

    def __call__(self, text: str) -> str:
        if self._value_hidden:
            text = _VALUE.sub(rf"\g<1>{MASKED}", text)
        if self._forms:
            text = _NUMBER.sub(self._replace, text)
        return text

    def _replace(self, found: re.Match[str]) -> str:
        number = found.group(0)
        return MASKED if number in self._forms else number


def scrub(text: str, figures: Iterable[float], *, value_hidden: bool) -> str:
    """`text` cleaned as `Scrubber` cleans it."""
    return Scrubber(figures, value_hidden=value_hidden)(text)
