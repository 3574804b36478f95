"""What the copilot's tools share: who is asking and what they read through, masking a
tool's facts for that person, the recommendations a fact points at (as the work queue
shows them), citations, and numbers and days written the way the summaries say them.

A tool builds its facts, masks them (`finish`), and only then writes its summary from
the masked facts: a figure the reader may not see never reaches the sentence."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from crossdock.agents.fulfilment import ItemSite
from crossdock.copilot.model import Citation, ToolResult
from crossdock.domain.errors import CrossdockError
from crossdock.governance.access import Principal, allows, in_sites
from crossdock.governance.masking import MASKED, MASKED_FIELDS_KEY, mask
from crossdock.service_layer.copilot_ports import CopilotReads, CustomerLine
from crossdock.service_layer.kpi_ports import KpiReads
from crossdock.service_layer.outcome_ports import OutcomeStore
from crossdock.service_layer.work_queue import WorkQueueReads, queue_rows

_OPTION_KEYS = ("alternative", "kind", "available", "units", "arrives", "revised_date",
                "freight", "shortage", "total", "chosen", "note")  # fmt: skip


class UnknownTool(CrossdockError):
    """A tool name the copilot does not have."""

    def __init__(self, *, name: object, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(f"unknown tool {name!r} (known: {', '.join(self.known)})")


class ToolNotAllowed(CrossdockError):
    """A tool the asking person's activities do not give them."""

    def __init__(self, *, name: str, username: str, granted: Sequence[str]) -> None:
        self.name = name
        self.username = username
        super().__init__(
            f"tool {name!r} is not available to {username} "
            f"(their tools: {', '.join(granted) or 'none'})"
        )


class InvalidToolArguments(CrossdockError):
    """Arguments a tool cannot take: missing, unexpected or of the wrong type."""

    def __init__(self, *, tool: str, field: str, value: object, reason: str) -> None:
        self.tool = tool
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"tool {tool}: argument {field}={value!r}: {reason}")


@dataclass(frozen=True, slots=True)
class ToolContext:
    """Who asks, as of which day, and the reads the tools go through."""

    reads: CopilotReads
    queue: WorkQueueReads
    kpi_reads: KpiReads
    outcomes: OutcomeStore
    principal: Principal
    today: date

    def sees(self, location_code: str) -> bool:
        return in_sites(self.principal, location_code)

    @property
    def sites(self) -> list[str] | None:
        """The principal's sites, sorted (None: every site)."""
        return None if self.principal.sites is None else sorted(self.principal.sites)

    def sites_text(self) -> str:
        return ", ".join(self.sites or ()) or "none"


def finish(
    ctx: ToolContext,
    *,
    tool: str,
    arguments: Mapping[str, Any],
    facts: Mapping[str, Any],
    summarise: Callable[[Mapping[str, Any]], str],
    citations: Iterable[Citation],
    also_masked: Iterable[str] = (),
) -> ToolResult:
    """The tool's result: `facts` masked for the principal, the summary written from
    the masked facts, the citations without repeats."""
    shown = mask(facts, ctx.principal)
    hidden = [*shown.pop(MASKED_FIELDS_KEY, ()), *also_masked]
    return ToolResult(
        tool=tool,
        arguments=dict(arguments),
        facts=shown,
        summary=summarise(shown),
        citations=tuple(dict.fromkeys(citations)),
        found=True,
        masked_fields=tuple(sorted(set(hidden))),
    )


def not_found(tool: str, arguments: Mapping[str, Any], summary: str, **facts: Any) -> ToolResult:
    """A result saying what was looked for and not found (or not in the reader's sites)."""
    return ToolResult(
        tool=tool, arguments=dict(arguments), facts=facts, summary=summary, citations=(),
        found=False,
    )  # fmt: skip


def record(table: str, key: str, label: str | None = None) -> Citation:
    return Citation(kind="record", ref=f"{table}/{key}", label=label or f"{table} {key}")


# -- recommendations, as the work queue shows them ---------------------------------------


def recommendations(ctx: ToolContext, ids: Sequence[int]) -> tuple[list[dict[str, Any]], list[str]]:
    """The recommendations `ids` as the principal's work queue shows them (their sites,
    masked, texts cleaned), with the options and money, and the masked paths (prefixed
    `recommendations.<n>.`). None when the principal may not view recommendations."""
    if not ids or not allows(ctx.principal, "view_recommendations"):
        return [], []
    out: list[dict[str, Any]] = []
    hidden: list[str] = []
    for item in queue_rows(ctx.queue, actor=ctx.principal, ids=list(ids)):
        shown = item.recommendation
        prefix = f"recommendations.{len(out)}."
        hidden += [prefix + path for path in shown.get(MASKED_FIELDS_KEY, ())]
        options = [
            {key: option[key] for key in _OPTION_KEYS if key in option}
            for option in shown.get("alternatives") or ()
            if isinstance(option, Mapping)
        ]
        out.append(
            {
                "id": item.id,
                "kind": shown.get("kind"),
                "status": shown.get("status"),
                "sku": shown.get("sku"),
                "from_code": shown.get("from_code"),
                "to_code": shown.get("to_code"),
                "po_number": shown.get("po_number"),
                "line_number": shown.get("line_number"),
                "quantity": shown.get("quantity"),
                "expected_arrival_date": shown.get("expected_arrival_date"),
                "money_at_risk": item.money_at_risk,
                "savings": shown.get("savings"),
                "agent": shown.get("agent") or shown.get("proposed_by"),
                "explanation": item.explanation,
                "rationale": shown.get("rationale"),
                "options": options,
                "your_actions": list(item.actions),
                "waiting_for": list(item.waiting_for),
            }
        )
    return out, hidden


def recommendation_citations(shown: Iterable[Mapping[str, Any]]) -> list[Citation]:
    return [
        record("recommendations", str(r["id"]), f"recommendation #{r['id']} ({r['kind']})")
        for r in shown
    ]


def say_recommendation(shown: Mapping[str, Any]) -> str:
    """One recommendation in a sentence: kind, status, what it proposes, money, who acts."""
    chosen = next((o for o in shown.get("options") or () if o.get("chosen")), None)
    parts = [
        (
            f"Recommendation #{shown['id']} ({shown['kind']}, {shown['status']}): "
            f"{shown['explanation']}"
        ),
        f"money at risk if nobody acts {money(shown['money_at_risk'])}",
    ]
    if chosen is not None:
        parts.append(f"proposed option: {chosen['alternative']}")
    if shown.get("your_actions"):
        parts.append(f"you may {', '.join(shown['your_actions'])}")
    elif shown.get("waiting_for"):
        parts.append(f"waiting for {', '.join(shown['waiting_for'])}")
    return "; ".join(parts) + "."


# -- customer lines short --------------------------------------------------------------


def available_for(line: CustomerLine, site: ItemSite) -> float:
    """What the shelf holds for `line` after the open lines of other orders requested
    before it, as the order exception agent counts it."""
    mine = (line.requested_date or date.max, line.order_number, line.line_number)
    ahead = sum(
        other.open_quantity
        for other in site.orders
        if (other.order_number, other.line_number) != (line.order_number, line.line_number)
        and (other.requested_date, other.order_number, other.line_number) < mine
    )
    return min(max(site.available - ahead, 0.0), line.open_quantity)


def units_short(line: CustomerLine, site: ItemSite) -> float:
    """Units of an open line that cannot ship now: what the site backordered, or what
    the shelf lacks after the lines requested before it, whichever is more."""
    if line.status in ("shipped", "cancelled", "closed") or line.open_quantity <= 0:
        return 0.0
    lacking = line.open_quantity - available_for(line, site)
    return min(max(line.backordered_quantity, lacking, 0.0), line.open_quantity)


# -- words and numbers -----------------------------------------------------------------


def units(value: float | None) -> str:
    """A quantity as the summaries write it: 1,234 or 12.5."""
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def money(value: float | None) -> str:
    return MASKED if value is None else f"{value:,.2f}"


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
