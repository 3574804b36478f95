"""The copilot's read-only tools over Crossdock's data, scoped to the asking person.

`CopilotTools` answers for one principal as of one day: orders (`order_status`),
suppliers (`supplier_po_risk`, `supplier_lead_time`), stock (`inventory_position`),
the work queue (`open_recommendations`) and the KPIs (`kpis`), each a `ToolResult`
masked for the principal's roles and limited to their sites. `resolve` spots the
orders, POs, suppliers, customers, items and warehouses a question names.

`TOOL_SPECS` describes the tools as OpenAI function-calling specs. Which tools a
principal gets (`tools_for`) depends on their activities and nothing else, so no text
(a question, a document, a record) can widen it; `call` refuses a tool outside that
set and arguments the spec does not allow. Nothing here writes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import cached_property
from typing import Any, Final

from crossdock.copilot.intents import References
from crossdock.copilot.model import ToolResult
from crossdock.governance.access import Principal, allows
from crossdock.governance.masking import MASKED_FIELDS_KEY, SUPPLIER_COST, visible_classes
from crossdock.governance.policy import KIND_WORKFLOWS
from crossdock.service_layer import copilot_order_tools, copilot_stock_tools, copilot_supply_tools
from crossdock.service_layer.copilot_ports import CopilotReads, MasterData, Named
from crossdock.service_layer.copilot_tool_common import (
    InvalidToolArguments,
    ToolContext,
    ToolNotAllowed,
    UnknownTool,
    finish,
    money,
    not_found,
    recommendation_citations,
    recommendations,
    record,
    say_recommendation,
    share,
)
from crossdock.service_layer.kpi_ports import KpiReads
from crossdock.service_layer.kpis import kpi_dashboard
from crossdock.service_layer.outcome_ports import OutcomeStore
from crossdock.service_layer.work_queue import WorkQueueReads

__all__ = [
    "TOOL_SPECS",
    "CopilotTools",
    "InvalidToolArguments",
    "References",
    "ToolNotAllowed",
    "UnknownTool",
    "tools_for",
]

KPI_WEEKS: Final = 4
MAX_DAYS: Final = 90
MAX_LIMIT: Final = 20


def _spec(
    name: str, description: str, properties: dict[str, Any], required: Sequence[str] = ()
) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": list(required),
                "additionalProperties": False,
            },
        },
    }


_TEXT = {"type": "string"}
_OPTIONAL_TEXT = {"type": ["string", "null"]}
TOOL_SPECS: Final[tuple[dict[str, Any], ...]] = (
    _spec("order_status",
          "A customer order: status, hold reason and its meaning, lines with stock now and the "
          "next inbound supply, the revised ship date of short units, other warehouses' free "
          "stock, and the open recommendations about it.",
          {"order_number": {**_TEXT, "description": "e.g. SO-0001042 or SO-1042"}},
          ["order_number"]),
    _spec("supplier_po_risk",
          "A supplier's open PO lines at risk within the coming days (overdue, unacknowledged, "
          "short-acknowledged, promised after customers need them, or a late supplier) and the "
          "customer orders short of the item.",
          {"supplier": {**_TEXT, "description": "supplier code or (part of) its name"},
           "days": {"type": "integer", "minimum": 0, "maximum": MAX_DAYS,
                    "description": "window from today, default 7"}},
          ["supplier"]),
    _spec("supplier_lead_time",
          "A supplier's lead-time record: received PO lines, mean and 90th-percentile days "
          "from order to receipt, on-time and acknowledgement rates.",
          {"supplier": {**_TEXT, "description": "supplier code or (part of) its name"}},
          ["supplier"]),
    _spec("inventory_position",
          "An item's stock at one warehouse or every warehouse you may see: on hand, on hold, "
          "committed, on order, inbound transfers, reorder point, safety stock, forecast, days "
          "of supply and the first day known orders leave it short.",
          {"sku": _TEXT, "location": {**_OPTIONAL_TEXT, "description": "warehouse code"}},
          ["sku"]),
    _spec("open_recommendations",
          "Open recommendations, the most money at risk first, with their options and money.",
          {"sku": _OPTIONAL_TEXT, "location": _OPTIONAL_TEXT,
           "kind": {"type": ["string", "null"], "enum": [*sorted(KIND_WORKFLOWS), None]},
           "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}}),
    _spec("kpis", "The headline KPIs of the latest week, with their recent weekly trend.", {}),
)  # fmt: skip
_BY_NAME: Final = {spec["function"]["name"]: spec for spec in TOOL_SPECS}
_DATA: Final = {  # what an agent account must be granted to read with each data tool
    "order_status": "sales_orders",
    "supplier_po_risk": "purchase_orders",
    "supplier_lead_time": "purchase_orders",
    "inventory_position": "inventory",
}


def tools_for(principal: Principal) -> list[dict[str, Any]]:
    """The tools `principal` may call, decided by who they are and nothing they say: a
    person with a role and the system read the data tools (an agent those its
    `agent_data` grants); `open_recommendations` needs view_recommendations and `kpis`
    view_kpis."""
    granted = []
    for name, spec in _BY_NAME.items():
        if name == "open_recommendations":
            ok = allows(principal, "view_recommendations")
        elif name == "kpis":
            ok = allows(principal, "view_kpis")
        elif principal.kind == "agent":
            ok = _DATA[name] in (principal.agent_data or frozenset())
        else:
            ok = principal.kind == "system" or bool(principal.roles)
        if ok:
            granted.append(spec)
    return granted


class CopilotTools:
    """The read-only tools for one principal as of `today`."""

    def __init__(
        self,
        *,
        reads: CopilotReads,
        queue: WorkQueueReads,
        kpi_reads: KpiReads,
        outcomes: OutcomeStore,
        principal: Principal,
        today: date,
    ) -> None:
        self.principal = principal
        self.today = today
        self._ctx = ToolContext(reads, queue, kpi_reads, outcomes, principal, today)

    @cached_property
    def master(self) -> MasterData:
        """Suppliers, customers, items and warehouses, read once."""
        return self._ctx.reads.master_data()

    def specs(self) -> list[dict[str, Any]]:
        return tools_for(self.principal)

    # -- calling by name -----------------------------------------------------------------

    def call(self, name: str, arguments: Mapping[str, Any] | None = None) -> ToolResult:
        """Run tool `name` with `arguments` (as a model's function call gives them).

        Raises:
            UnknownTool: no tool has that name.
            ToolNotAllowed: the principal's activities do not give them that tool.
            InvalidToolArguments: a missing, unexpected or mistyped argument.
        """
        if not isinstance(name, str) or name not in _BY_NAME:
            raise UnknownTool(name=name, known=list(_BY_NAME))
        granted = [spec["function"]["name"] for spec in tools_for(self.principal)]
        if name not in granted:
            raise ToolNotAllowed(name=name, username=self.principal.username, granted=granted)
        given = _checked(name, arguments if arguments is not None else {})
        tools: dict[str, Callable[..., ToolResult]] = {
            "order_status": self.order_status,
            "supplier_po_risk": self.supplier_po_risk,
            "supplier_lead_time": self.supplier_lead_time,
            "inventory_position": self.inventory_position,
            "open_recommendations": self.open_recommendations,
            "kpis": self.kpis,
        }
        return tools[name](**given)

    # -- the tools -----------------------------------------------------------------------

    def order_status(self, order_number: str) -> ToolResult:
        return copilot_order_tools.order_status(self._ctx, order_number)

    def supplier_po_risk(self, supplier: str, *, days: int = 7) -> ToolResult:
        return copilot_supply_tools.supplier_po_risk(self._ctx, self.master, supplier, days=days)

    def supplier_lead_time(self, supplier: str) -> ToolResult:
        return copilot_supply_tools.supplier_lead_time(self._ctx, self.master, supplier)

    def inventory_position(self, sku: str, location: str | None = None) -> ToolResult:
        return copilot_stock_tools.inventory_position(self._ctx, self.master, sku, location)

    def open_recommendations(
        self,
        *,
        sku: str | None = None,
        location: str | None = None,
        kind: str | None = None,
        limit: int = 5,
    ) -> ToolResult:
        """Open recommendations as the principal's work queue shows them, the most money
        at risk first."""
        tool = "open_recommendations"
        arguments = {"sku": sku, "location": location, "kind": kind, "limit": limit}
        if location is not None and not self._ctx.sees(location):
            return not_found(
                tool, arguments, f"{location} is not in your sites ({self._ctx.sites_text()})."
            )
        ids = self._ctx.reads.open_recommendation_ids(
            sku=sku, location_code=location, kind=kind, sites=self.principal.sites, limit=limit
        )
        shown, hidden = recommendations(self._ctx, ids)
        about = ", ".join(
            f"{label} {value}"
            for label, value in (("item", sku), ("warehouse", location), ("kind", kind))
            if value
        )
        facts = {"filters": arguments, "recommendations": shown, "about": about or "all"}
        return finish(
            self._ctx, tool=tool, arguments=arguments, facts=facts,
            summarise=_recommendations_summary, citations=recommendation_citations(shown),
            also_masked=hidden,
        )  # fmt: skip

    def kpis(self) -> ToolResult:
        """The KPI dashboard's headline figures over the last `KPI_WEEKS` weeks."""
        ctx = self._ctx
        body = kpi_dashboard(
            ctx.kpi_reads, ctx.outcomes, actor=self.principal, as_of=self.today, weeks=KPI_WEEKS
        )
        hidden = body.pop(MASKED_FIELDS_KEY, [])
        facts = {
            "as_of": body["as_of"],
            "week_endings": body["week_endings"],
            "kpis": body["kpis"],
            "supplier_cost_visible": SUPPLIER_COST in visible_classes(self.principal),
        }
        return finish(
            ctx, tool="kpis", arguments={}, facts=facts, summarise=_kpi_summary,
            citations=[record("kpis", name, f"KPI {name}") for name in body["kpis"]],
            also_masked=hidden,
        )  # fmt: skip

    # -- what a question names -------------------------------------------------------------

    def resolve(self, question: str) -> References:
        """The orders, POs, suppliers, customers, items and warehouses `question` names,
        matched against what is stored (SO-1042 is found as SO-0001042)."""
        reads, master = self._ctx.reads, self.master
        orders: list[str] = []
        pos: list[str] = []
        unresolved: list[str] = []
        for prefix, digits in _DOCUMENT.findall(question):
            given = f"{prefix.upper()}-{digits}"
            if prefix.upper() == "SO":
                found = copilot_order_tools.find_order(reads, given)
                (orders if found else unresolved).append(found or given)
            else:
                stored = reads.po_numbers_ending(digits.lstrip("0") or "0")
                number = copilot_order_tools.normalise_number(given, stored=stored)
                (pos if number else unresolved).append(number or given)
        return References(
            order_numbers=_unique(orders),
            po_numbers=_unique(pos),
            suppliers=_named_in(question, master.suppliers),
            customers=_named_in(question, master.customers),
            skus=_codes_in(question, master.items),
            locations=_named_in(question, master.locations),
            unresolved=_unique(unresolved),
        )


# -- argument checks -------------------------------------------------------------------

_JSON_TYPES: Final[Mapping[str, Callable[[object], bool]]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


def _checked(tool: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """`arguments` checked against the tool's spec: no unknown or missing field, each
    of its type, inside its enum and bounds."""
    if not isinstance(arguments, Mapping):
        raise InvalidToolArguments(
            tool=tool, field="arguments", value=arguments, reason="must be an object"
        )
    schema = _BY_NAME[tool]["function"]["parameters"]
    properties: Mapping[str, Any] = schema["properties"]
    for name in arguments:
        if name not in properties:
            known = ", ".join(properties) or "none"
            raise InvalidToolArguments(
                tool=tool, field=str(name), value=arguments[name],
                reason=f"not an argument of this tool (its arguments: {known})",
            )  # fmt: skip
    for name in schema["required"]:
        if name not in arguments:
            raise InvalidToolArguments(tool=tool, field=name, value=None, reason="is required")
    for name, value in arguments.items():
        _check_value(tool, name, value, properties[name])
    return dict(arguments)


def _check_value(tool: str, name: str, value: object, rule: Mapping[str, Any]) -> None:
    kinds = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
    if not any(_JSON_TYPES[kind](value) for kind in kinds):
        raise InvalidToolArguments(
            tool=tool, field=name, value=value, reason=f"must be {' or '.join(kinds)}"
        )
    if "enum" in rule and value not in rule["enum"]:
        allowed = ", ".join(str(v) for v in rule["enum"] if v is not None)
        raise InvalidToolArguments(tool=tool, field=name, value=value, reason=f"one of {allowed}")
    if isinstance(value, int) and not rule.get("minimum", value) <= value <= rule.get(
        "maximum", value
    ):
        raise InvalidToolArguments(
            tool=tool, field=name, value=value,
            reason=f"must be between {rule['minimum']} and {rule['maximum']}",
        )  # fmt: skip
    if isinstance(value, str) and not value.strip():
        raise InvalidToolArguments(tool=tool, field=name, value=value, reason="is empty")


# -- spotting names --------------------------------------------------------------------

_DOCUMENT = re.compile(r"\b(SO|PO)[-\s]?(\d+)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*")
# words many names share: naming one of them alone names no one
_GENERIC: Final = frozenset(
    {
        "distribution", "chemicals", "electric", "electrical", "products", "components",
        "fastener", "fasteners", "tool", "tools", "works", "manufacturing", "industrial",
        "supply", "supplies", "company", "corp", "group", "mechanical", "facilities",
        "maintenance", "contractors", "services", "systems", "branch", "national",
        "regional", "warehouse", "centre", "center",
    }
)  # fmt: skip


def _codes_in(question: str, named: Sequence[Named]) -> tuple[str, ...]:
    tokens = {token.rstrip("./-").casefold() for token in _TOKEN.findall(question)}
    return tuple(one.code for one in named if one.code.casefold() in tokens)


def _named_in(question: str, named: Sequence[Named]) -> tuple[str, ...]:
    """Codes of the records `question` names by code, by full name (any case), or by a
    distinctive word of the name written as in the name (Keystone, Atlanta)."""
    folded = question.casefold()
    words = set(re.findall(r"[\w']+", question))
    found = list(_codes_in(question, named))
    for one in named:
        name = (one.name or "").strip()
        if not name or one.code in found:
            continue
        if re.search(r"(?<!\w)" + re.escape(name.casefold()) + r"(?!\w)", folded):
            found.append(one.code)
            continue
        distinctive = [w for w in re.findall(r"[\w']+", name)
                       if len(w) >= 4 and w.casefold() not in _GENERIC]  # fmt: skip
        if any(w in words for w in distinctive):
            found.append(one.code)
    return tuple(found)


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


# -- summaries -------------------------------------------------------------------------


def _recommendations_summary(facts: Mapping[str, Any]) -> str:
    shown = facts["recommendations"]
    if not shown:
        return f"No open recommendation ({facts['about']}) in your sites."
    head = f"{len(shown)} open recommendation(s) ({facts['about']}), most money at risk first."
    return " ".join([head, *(say_recommendation(r) for r in shown)])


_RATES: Final = ("fill_rate", "acceptance_rate", "override_rate", "auto_approval_rate",
                 "forecast_accuracy")  # fmt: skip
_MONEY: Final = ("stock_value", "expedite_cost", "realised_value")


def _kpi_summary(facts: Mapping[str, Any]) -> str:
    week = facts["week_endings"][-1]
    parts = []
    for name, kpi in facts["kpis"].items():
        label, value = name.replace("_", " "), kpi.get("value")
        if name == "stock_value" and value is None and not facts["supplier_cost_visible"]:
            shown = "masked"
        elif value is None:
            shown = f"n/a ({kpi['why']})" if kpi.get("why") else "n/a"
        elif name in _RATES:
            shown = share(float(value))
        elif name in _MONEY:
            shown = money(float(value))
        else:
            shown = f"{value:,}" if isinstance(value, int) else f"{float(value):,.2f}"
        parts.append(f"{label} {shown}")
    return f"KPIs over the {len(facts['week_endings'])} weeks to {week}: " + "; ".join(parts) + "."
