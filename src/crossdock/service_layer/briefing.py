"""The weekly executive brief (`crossdock brief`): one week of the business, composed
from the services that already compute each figure, masked for the person reading it.

1. KPIs and trends: `kpis.kpi_dashboard` over the 8 weeks to the week's end; this week
   and last week are its last two weekly points.
2. Top risks: the open recommendations with the most money at risk
   (`do_nothing_cost`), read through `work_queue.work_queue` (ranked, masked and
   limited to the reader's sites as the queue is), and open exceptions counted by kind
   through `exceptions_queue.exception_page`.
3. Decisions pending by approver: open recommendations grouped by the roles they
   wait for (`work_queue.waiting_for`), with their money and how long the oldest waited.
4. What the agents did: per proposer, recommendations created this week
   (`ProposalReads.proposals`), the decisions of the week (`decision_kpis` since the
   week's first day less those since the day after it) and the realised value of
   scored outcomes (`decision_kpis`).

No figure is worked out here that a service already gives; this module only picks,
groups and labels. What is missing (no outcomes scored, no plan yet) is said in words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from crossdock.governance.access import Principal, authorize
from crossdock.governance.masking import MASKED_FIELDS_KEY, field_class, visible_classes
from crossdock.service_layer.decision_kpis import DecisionKpis, decision_kpis
from crossdock.service_layer.exception_ports import EXCEPTION_KINDS, ExceptionReads
from crossdock.service_layer.exceptions_queue import exception_page
from crossdock.service_layer.kpi_ports import AgentProposals, KpiReads, ProposalReads
from crossdock.service_layer.kpis import kpi_dashboard, mix_between, value_between, weeks_ending
from crossdock.service_layer.listing_ports import PageRequest
from crossdock.service_layer.outcome_ports import OutcomeStore
from crossdock.service_layer.work_queue import MAX_PAGE, QueueItem, WorkQueueReads, work_queue

TREND_WEEKS: Final = 8
TOP_RISKS: Final = 10
MAX_OPEN: Final = 50_000  # open recommendations read for the totals, at most
MAX_EXCEPTIONS: Final = 10_000  # per kind, counted at most
NO_OUTCOMES: Final = "no outcomes scored yet: run `crossdock outcomes score`"
NO_PLAN: Final = "no open recommendations: run `crossdock plan` (or the worker's plan job)"


@dataclass(frozen=True, slots=True)
class KpiSpec:
    key: str  # as `kpi_dashboard` names it
    label: str
    unit: str  # share, count, number or money


KPIS: Final[tuple[KpiSpec, ...]] = (
    KpiSpec("fill_rate", "Fill rate (units)", "share"),
    KpiSpec("stockouts", "Stockouts (item-locations at zero)", "count"),
    KpiSpec("turns", "Inventory turns", "number"),
    KpiSpec("days_of_supply", "Days of supply", "number"),
    KpiSpec("stock_value", "Stock value at cost", "money"),
    KpiSpec("expedite_cost", "Expedite cost", "money"),
    KpiSpec("acceptance_rate", "Acceptance rate", "share"),
    KpiSpec("override_rate", "Override rate", "share"),
    KpiSpec("auto_approval_rate", "Auto-approval rate", "share"),
    KpiSpec("forecast_accuracy", "Forecast accuracy (1 - WAPE)", "share"),
    KpiSpec("realised_value", "Realised value of decisions", "money"),
)


@dataclass(frozen=True, slots=True)
class TrendChart:
    """A line chart of some KPIs' weekly trends, drawn by the report writer."""

    name: str
    title: str
    unit: str
    kpis: tuple[str, ...]


CHARTS: Final[tuple[TrendChart, ...]] = (
    TrendChart(
        "rates",
        "Service, forecast and decision rates",
        "share",
        ("fill_rate", "forecast_accuracy", "acceptance_rate", "override_rate"),
    ),
    TrendChart(
        "stock", "Days of supply and inventory turns", "number", ("days_of_supply", "turns")
    ),
    TrendChart("stockouts", "Stockouts", "count", ("stockouts",)),
    TrendChart(
        "money", "Expedite cost and realised value", "money", ("expedite_cost", "realised_value")
    ),
)


@dataclass(frozen=True, slots=True)
class KpiLine:
    """One KPI: this week, last week, the weekly trend (oldest first), and why it is
    empty or whether it is hidden from the reader."""

    key: str
    label: str
    unit: str
    this_week: float | None
    last_week: float | None
    trend: tuple[float | None, ...]
    why: str | None = None
    masked: bool = False


@dataclass(frozen=True, slots=True)
class RiskLine:
    """An open recommendation: what, where and why in one line, and its money."""

    recommendation_id: int
    kind: str
    status: str
    what: str
    where: str
    why: str
    money_at_risk: float
    order_value: float | None  # supplier cost: None when hidden or not a purchase
    order_value_masked: bool


@dataclass(frozen=True, slots=True)
class ApproverQueue:
    """Recommendations waiting for one approver role (one waiting for two roles counts
    in both)."""

    approver: str
    waiting: int
    money_at_risk: float
    oldest_since: datetime | None
    oldest_age_days: float | None


@dataclass(frozen=True, slots=True)
class AgentWeek:
    """What one proposer (an agent, or the plan as `agent:replenishment`) did this week
    and what its scored decisions were worth."""

    agent: str
    proposed: int
    proposed_order_value: float | None  # None when hidden or none carried one
    proposed_order_value_masked: bool
    approved: int
    modified: int
    rejected: int
    auto_approved: int
    realised_value_week: float | None  # of decisions made this week and scored
    scored_week: int
    realised_value_total: float | None  # of every scored decision
    scored_total: int


@dataclass(frozen=True, slots=True)
class Brief:
    week_start: date
    week_ending: date
    made_at: datetime
    made_for: str
    roles: tuple[str, ...]
    sites: tuple[str, ...] | None  # None: every site
    week_endings: tuple[date, ...]
    kpis: tuple[KpiLine, ...]
    charts: tuple[TrendChart, ...]
    top_risks: tuple[RiskLine, ...]
    open_recommendations: int
    open_money_at_risk: float
    exceptions_by_kind: Mapping[str, int]
    pending_by_approver: tuple[ApproverQueue, ...]
    agents: tuple[AgentWeek, ...]
    missing: tuple[str, ...] = ()
    masked: tuple[str, ...] = ()  # what the reader's roles hide, in words
    capped: tuple[str, ...] = field(default=())  # counts that stopped at a limit

    def kpi(self, key: str) -> KpiLine:
        return next(line for line in self.kpis if line.key == key)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types: dates and times as ISO text."""
        body: dict[str, Any] = _jsonable(asdict(self))
        return body


def weekly_brief(
    *,
    kpi_reads: KpiReads,
    outcomes: OutcomeStore,
    queue: WorkQueueReads,
    exceptions: ExceptionReads,
    proposals: ProposalReads,
    actor: Principal,
    week_ending: date,
    now: datetime,
) -> Brief:
    """The brief for the week of seven days ending `week_ending`, for `actor`.

    Raises:
        NotAllowed: the actor may not view KPIs (or recommendations).
    """
    authorize(actor, "view_kpis")
    week = weeks_ending(week_ending, 1)[0]
    dashboard = kpi_dashboard(
        kpi_reads, outcomes, actor=actor, as_of=week_ending, weeks=TREND_WEEKS
    )
    items, open_capped = _open_items(queue, actor)
    exception_counts, exceptions_capped = _exception_counts(exceptions, actor)
    since_start = decision_kpis(outcomes, actor=actor, since=week.start)
    since_after = decision_kpis(outcomes, actor=actor, since=week.end + timedelta(days=1))
    ever = decision_kpis(outcomes, actor=actor)
    made = proposals.proposals(start=week.opens, end=week.closes)
    supplier_cost_seen = field_class("order_value") in visible_classes(actor)
    agents = _agents(made, since_start, since_after, ever, show_order_value=supplier_cost_seen)
    kpis = tuple(_kpi_line(spec, dashboard) for spec in KPIS)
    missing = [f"{line.label}: {line.why}" for line in kpis if line.why and not line.masked]
    if not ever.value.scored:
        missing.append(NO_OUTCOMES)
    if not items:
        missing.append(NO_PLAN)
    masked = []
    if any(line.masked for line in kpis) or not supplier_cost_seen:
        masked.append("supplier cost (stock value at cost, order values): not shown to your role")
    capped = []
    if open_capped:
        capped.append(f"open recommendations: the first {MAX_OPEN:,} counted")
    capped += [
        f"exceptions ({kind}): the first {MAX_EXCEPTIONS:,} counted" for kind in exceptions_capped
    ]
    return Brief(
        week_start=week.start,
        week_ending=week.end,
        made_at=now,
        made_for=actor.username,
        roles=tuple(sorted(role.value for role in actor.roles)),
        sites=None if actor.sites is None else tuple(sorted(actor.sites)),
        week_endings=tuple(date.fromisoformat(day) for day in dashboard["week_endings"]),
        kpis=kpis,
        charts=CHARTS,
        top_risks=tuple(_risk_line(item) for item in items[:TOP_RISKS]),
        open_recommendations=len(items),
        open_money_at_risk=round(sum(item.money_at_risk for item in items), 2),
        exceptions_by_kind=exception_counts,
        pending_by_approver=_pending(items, now),
        agents=agents,
        missing=tuple(missing),
        masked=tuple(masked),
        capped=tuple(capped),
    )


def _kpi_line(spec: KpiSpec, dashboard: Mapping[str, Any]) -> KpiLine:
    kpi = dashboard["kpis"][spec.key]
    trend = tuple(_number(point["value"]) for point in kpi["trend"])
    hidden = f"kpis.{spec.key}.value" in dashboard.get(MASKED_FIELDS_KEY, ())
    return KpiLine(
        key=spec.key,
        label=spec.label,
        unit=spec.unit,
        this_week=trend[-1] if trend else None,
        last_week=trend[-2] if len(trend) > 1 else None,
        trend=trend,
        why=kpi.get("why"),
        masked=hidden,
    )


def _open_items(queue: WorkQueueReads, actor: Principal) -> tuple[list[QueueItem], bool]:
    """Every open recommendation the actor may see, most money at risk first."""
    items: list[QueueItem] = []
    cursor: str | None = None
    while True:
        page = work_queue(queue, actor=actor, cursor=cursor, limit=MAX_PAGE)
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items, False
        if len(items) >= MAX_OPEN:
            return items, True


def _exception_counts(reads: ExceptionReads, actor: Principal) -> tuple[dict[str, int], list[str]]:
    """Open exceptions per kind the actor may see, and the kinds whose count was capped."""
    counts: dict[str, int] = {}
    capped: list[str] = []
    for kind in EXCEPTION_KINDS:
        after = None
        total = 0
        while True:
            request = PageRequest(limit=500, after=after)
            page = exception_page(reads, actor=actor, kind=kind, page=request)
            if kind not in page.extra.get("kinds", (kind,)):
                break  # not shown to a person limited to some sites
            total += len(page.items)
            after = page.next_after
            if after is None or total >= MAX_EXCEPTIONS:
                counts[kind] = total
                if after is not None:
                    capped.append(kind)
                break
    return counts, capped


def _risk_line(item: QueueItem) -> RiskLine:
    shown = item.recommendation
    quantity = _number(shown.get("quantity"))
    amount = "" if quantity is None else f"{quantity:,.0f} x "
    source = shown.get("from_code")
    where = f"{source} -> {shown['to_code']}" if source else str(shown["to_code"])
    return RiskLine(
        recommendation_id=item.id,
        kind=str(shown["kind"]),
        status=str(shown["status"]),
        what=f"{shown['kind']} {amount}{shown['sku']}",
        where=where,
        why=item.explanation,
        money_at_risk=round(item.money_at_risk, 2),
        order_value=_number(shown.get("order_value")),
        order_value_masked="order_value" in shown.get(MASKED_FIELDS_KEY, ()),
    )


def _pending(items: Sequence[QueueItem], now: datetime) -> tuple[ApproverQueue, ...]:
    groups: dict[str, list[QueueItem]] = {}
    for item in items:
        for role in item.waiting_for:
            groups.setdefault(role, []).append(item)
    out = []
    for role, waiting in groups.items():
        since = [_moment(item.recommendation.get("status_changed_at")) for item in waiting]
        known = [moment for moment in since if moment is not None]
        oldest = min(known, default=None)
        out.append(
            ApproverQueue(
                approver=role,
                waiting=len(waiting),
                money_at_risk=round(sum(item.money_at_risk for item in waiting), 2),
                oldest_since=oldest,
                oldest_age_days=None
                if oldest is None
                else round(max((now - oldest).total_seconds(), 0.0) / 86400, 1),
            )
        )
    return tuple(sorted(out, key=lambda queue: (-queue.money_at_risk, queue.approver)))


def _agents(
    made: Sequence[AgentProposals],
    since_start: DecisionKpis,
    since_after: DecisionKpis,
    ever: DecisionKpis,
    *,
    show_order_value: bool,
) -> tuple[AgentWeek, ...]:
    proposed = {str(one.proposed_by or "unknown"): one for one in made}
    names = sorted(set(proposed) | set(since_start.by_agent) | set(ever.by_agent))
    out = []
    for name in names:
        start = since_start.by_agent.get(name)
        after = since_after.by_agent.get(name)
        total = ever.by_agent.get(name)
        mix = mix_between(start.decisions, after.decisions) if start and after else None
        if mix is None and start is not None:
            mix = start.decisions
        value = value_between(start.value, after.value) if start and after else None
        if value is None and start is not None:
            value = start.value
        one = proposed.get(name)
        out.append(
            AgentWeek(
                agent=name,
                proposed=0 if one is None else one.proposed,
                proposed_order_value=round(float(one.order_value), 2)
                if show_order_value and one is not None and one.with_order_value
                else None,
                proposed_order_value_masked=not show_order_value,
                approved=0 if mix is None else mix.approved,
                modified=0 if mix is None else mix.modified,
                rejected=0 if mix is None else mix.rejected,
                auto_approved=0 if mix is None else mix.auto_approved,
                realised_value_week=round(float(value.realised_value), 2)
                if value is not None and value.scored
                else None,
                scored_week=0 if value is None else value.scored,
                realised_value_total=round(float(total.value.realised_value), 2)
                if total is not None and total.value.scored
                else None,
                scored_total=0 if total is None else total.value.scored,
            )
        )
    return tuple(out)


def _number(value: Any) -> float | None:
    return None if value is None or isinstance(value, bool) else float(value)


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value
