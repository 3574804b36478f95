"""What the KPI dashboard, the network view and the agents page show, worked out of
what the service layer returns for the signed-in person: each KPI as a tile with its
weekly trend (an inline SVG line), each warehouse with its health, the transfer lanes
as an inline SVG diagram, and each agent's activity. Masked figures arrive as null with
their path in `masked_fields` and are shown as "masked", never as a value."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from markupsafe import Markup, escape

from crossdock.entrypoints.web.charts import line_chart
from crossdock.entrypoints.web.views import MASKED, MASKED_HTML, money, number, shown

# (key in /kpis, title, how its value reads); the dashboard's order
KPIS: Final = (
    ("fill_rate", "Fill rate", "rate"),
    ("stockouts", "Stockouts", "count"),
    ("turns", "Inventory turns", "ratio"),
    ("days_of_supply", "Days of supply", "days"),
    ("stock_value", "Stock value at cost", "money"),
    ("expedite_cost", "Expedite cost", "money"),
    ("exception_resolution_hours", "Exception resolution time", "hours"),
    ("approval_hours", "Approval time", "hours"),
    ("acceptance_rate", "Acceptance rate", "rate"),
    ("override_rate", "Override rate", "rate"),
    ("auto_approval_rate", "Auto-approval rate", "rate"),
    ("realised_value", "Realised value", "money"),
    ("forecast_accuracy", "Forecast accuracy", "rate"),
    ("forecast_bias", "Forecast bias", "rate"),
)
_UNITS: Final = {
    "rate": "%",
    "days": "days",
    "hours": "hours",
    "ratio": "per year",
    "count": "",
    "money": "",
}
CHART_WIDTH: Final = 320
CHART_HEIGHT: Final = 130


def figure(value: Any, kind: str) -> Markup | str:
    """A KPI value as people read it: rates in per cent, hours and days with their unit."""
    if value is MASKED:
        return MASKED_HTML
    if value is None:
        return "—"
    if kind == "money":
        return money(value)
    written = _WRITTEN.get(kind)
    return number(value) if written is None else written(float(value))


_WRITTEN: Final = {
    "rate": lambda v: f"{v * 100:,.1f}%",
    "hours": lambda v: f"{v:,.1f} hours",
    "days": lambda v: f"{v:,.1f} days",
    "ratio": lambda v: f"{v:,.2f}",
}


# -- the KPI dashboard -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KpiTile:
    key: str
    title: str
    value: Markup | str
    why: str | None
    notes: list[str]
    chart: Markup | None  # None: masked, or no week has a figure
    trend_masked: bool
    weeks_known: int


@dataclass(frozen=True, slots=True)
class LocationForecast:
    location: str
    accuracy: Markup | str
    mean_wape: Markup | str
    item_locations: int
    plan_run_id: Any
    as_of: str
    bias: Markup | str


@dataclass(slots=True)
class KpiDashboard:
    as_of: str
    weeks: int
    week_endings: list[str]
    tiles: list[KpiTile]
    by_location: list[LocationForecast] = field(default_factory=list)
    bias_why: str | None = None
    masked: list[str] = field(default_factory=list)


def kpi_dashboard_view(body: Mapping[str, Any]) -> KpiDashboard:
    """The tiles and the forecast-by-location table out of `kpi_dashboard`'s answer."""
    kpis: Mapping[str, Any] = body.get("kpis") or {}
    endings = [str(end) for end in body.get("week_endings") or ()]
    known = {key for key, _, _ in KPIS}
    order = [*KPIS, *((key, key.replace("_", " "), "count") for key in kpis if key not in known)]
    tiles = [_tile(body, key, title, kind, endings) for key, title, kind in order if key in kpis]
    bias = kpis.get("forecast_bias") or {}
    bias_by_location = bias.get("by_location") or {}
    rows = []
    accuracy = (kpis.get("forecast_accuracy") or {}).get("by_location") or {}
    for location, one in sorted(accuracy.items()):
        rows.append(
            LocationForecast(
                location=location,
                accuracy=figure(one.get("accuracy"), "rate"),
                mean_wape=number(one.get("mean_wape"), 3),
                item_locations=int(one.get("item_locations") or 0),
                plan_run_id=one.get("plan_run_id"),
                as_of=str(one.get("as_of") or ""),
                bias=figure((bias_by_location.get(location) or {}).get("bias"), "rate"),
            )
        )
    return KpiDashboard(
        as_of=str(body.get("as_of", "")),
        weeks=int(body.get("weeks") or len(endings)),
        week_endings=endings,
        tiles=tiles,
        by_location=rows,
        bias_why=bias.get("why") if bias.get("value") is None else None,
        masked=list(body.get("masked_fields") or ()),
    )


def _tile(body: Mapping[str, Any], key: str, title: str, kind: str, endings: list[str]) -> KpiTile:
    kpi = body["kpis"][key]
    value = shown(body, f"kpis.{key}.value")
    trend_masked = shown(body, f"kpis.{key}.trend") is MASKED
    points = [] if trend_masked else [point.get("value") for point in kpi.get("trend") or ()]
    scaled = [_chart_value(v, kind) for v in points]
    weeks_known = sum(v is not None for v in scaled)
    unit = _UNITS.get(kind, "")
    if kind == "money" and max((abs(v) for v in scaled if v is not None), default=0) >= 10_000:
        scaled = [None if v is None else v / 1000 for v in scaled]
        unit = "thousands"
    chart = None
    if weeks_known and len(scaled) == len(endings):
        chart = line_chart(
            [(f"{title.lower()} per week", scaled)],
            x_labels=[end[5:] for end in endings],  # MM-DD: the weeks' last days
            width=CHART_WIDTH,
            height=CHART_HEIGHT,
            title=f"{title}, weekly",
            y_label=unit,
        )
    return KpiTile(
        key=key,
        title=title,
        value=figure(value, kind),
        why=kpi.get("why") if value is None else None,
        notes=_notes(key, kpi),
        chart=chart,
        trend_masked=trend_masked,
        weeks_known=weeks_known,
    )


def _chart_value(value: Any, kind: str) -> float | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if not math.isfinite(value):
        return None
    return float(value) * 100 if kind == "rate" else float(value)


def _notes(key: str, kpi: Mapping[str, Any]) -> list[str]:
    """The figures behind a KPI, in words."""
    notes: list[str] = []
    if key == "fill_rate" and kpi.get("lines"):
        notes.append(
            f"{number(kpi.get('shipped'))} of {number(kpi.get('ordered'))} units shipped; "
            f"{kpi.get('lines_filled')} of {kpi.get('lines')} lines in full "
            f"({figure(kpi.get('line_fill_rate'), 'rate')})"
        )
    elif key == "stockouts" and kpi.get("item_locations"):
        notes.append(
            f"item-locations with nothing on hand, of {number(kpi['item_locations'])} "
            f"({figure(kpi.get('share'), 'rate')})"
        )
    elif key == "stock_value" and kpi.get("uncosted_item_locations"):
        notes.append(f"{kpi['uncosted_item_locations']} item-locations without a unit cost")
    elif key in ("days_of_supply", "turns") and kpi.get("demand_days"):
        notes.append(f"against the demand of the last {kpi['demand_days']} days, at cost")
    elif key == "expedite_cost":
        notes.append(f"{kpi.get('recommendations', 0)} expedites executing or committed")
    elif key in ("exception_resolution_hours", "approval_hours"):
        mean = kpi.get("mean")
        notes.append(
            f"median of {kpi.get('decided', 0)} decided"
            + ("" if mean is None else f"; mean {float(mean):,.1f} hours")
        )
    elif key in ("acceptance_rate", "override_rate", "auto_approval_rate"):
        notes.append(f"{kpi.get('decided', 0)} recommendations decided")
    elif key == "realised_value":
        notes.append(f"{kpi.get('scored', 0)} outcomes scored")
    elif key == "forecast_accuracy" and kpi.get("basis"):
        notes.append(str(kpi["basis"]))
    return notes


# -- the network view --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarehouseRow:
    code: str
    name: str
    type: str
    parent: str | None
    region: str | None
    item_locations: int
    short_items: int
    short_units: float
    short_value: Any
    excess_items: int
    excess_units: float
    excess_value: Any
    top_short: list[dict[str, Any]]
    top_excess: list[dict[str, Any]]

    @property
    def health(self) -> str:
        return "short" if self.short_items else "excess" if self.excess_items else "ok"


@dataclass(frozen=True, slots=True)
class Lane:
    source: str
    target: str
    open_count: int
    open_units: float
    open_value: Any
    recommended_count: int
    recommended_units: float
    recommended_value: Any


def warehouse_rows(body: Mapping[str, Any]) -> list[WarehouseRow]:
    rows = []
    for index, one in enumerate(body.get("warehouses") or ()):
        health = one.get("health") or {}
        short, excess = health.get("short") or {}, health.get("excess") or {}
        here = f"warehouses.{index}.health"
        rows.append(
            WarehouseRow(
                code=one["code"],
                name=one.get("name") or one["code"],
                type=one.get("type") or "",
                parent=one.get("parent"),
                region=one.get("region"),
                item_locations=int(one.get("item_locations") or 0),
                short_items=int(short.get("items") or 0),
                short_units=float(short.get("units") or 0.0),
                short_value=shown(body, f"{here}.short.value"),
                excess_items=int(excess.get("items") or 0),
                excess_units=float(excess.get("units") or 0.0),
                excess_value=shown(body, f"{here}.excess.value"),
                top_short=_top(body, f"{here}.short", short),
                top_excess=_top(body, f"{here}.excess", excess),
            )
        )
    return rows


def _top(body: Mapping[str, Any], path: str, summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "sku": item.get("sku"),
            "units": item.get("units"),
            "unit_cost": shown(body, f"{path}.top.{i}.unit_cost"),
            "value": shown(body, f"{path}.top.{i}.value"),
        }
        for i, item in enumerate(summary.get("top") or ())
    ]


def lanes(body: Mapping[str, Any]) -> list[Lane]:
    out = []
    for index, flow in enumerate(body.get("transfer_flows") or ()):
        orders = flow.get("open_transfer_orders") or {}
        recommended = flow.get("recommended_transfers") or {}
        here = f"transfer_flows.{index}"
        out.append(
            Lane(
                source=flow["from"],
                target=flow["to"],
                open_count=int(orders.get("count") or 0),
                open_units=float(orders.get("units") or 0.0),
                open_value=shown(body, f"{here}.open_transfer_orders.value"),
                recommended_count=int(recommended.get("count") or 0),
                recommended_units=float(recommended.get("units") or 0.0),
                recommended_value=shown(body, f"{here}.recommended_transfers.value"),
            )
        )
    return out


# The diagram: warehouses left to right by level (a DC, then the warehouses it
# supplies), leaves stacked top to bottom; one arrow per lane and kind, as thick as its
# units are many. Units only: no money is drawn, so nothing in it needs masking.
NODE_WIDTH: Final = 190
NODE_HEIGHT: Final = 50
COLUMN_GAP: Final = 190
ROW_GAP: Final = 22
MARGIN: Final = 16
SIDE_ARC: Final = 70  # room on the right for lanes within one column
SIDE_LABEL: Final = 150  # and for their labels
MAX_STROKE: Final = 9.0
MIN_STROKE: Final = 1.5
MAX_NODES: Final = 250
_HEALTH_COLOURS: Final = {
    "short": "#b3261e",
    "excess": "#9a6700",
    "ok": "#1b7a3d",
    "outside": "#8a94a3",
}
_OPEN: Final = "#1d2430"
_RECOMMENDED: Final = "#1f5fbf"


@dataclass(slots=True)
class _Node:
    code: str
    label: str
    health: str
    detail: str
    depth: int = 0
    y: float = 0.0

    @property
    def x(self) -> float:
        return MARGIN + self.depth * (NODE_WIDTH + COLUMN_GAP)

    @property
    def middle(self) -> float:
        return self.y + NODE_HEIGHT / 2


def network_diagram(warehouses: Sequence[WarehouseRow], flows: Sequence[Lane]) -> Markup | None:
    """The warehouses and the transfer lanes as an inline SVG; None when there is nothing
    to draw or too much to draw legibly (the tables below it show everything)."""
    nodes = _layout(warehouses, flows)
    if not nodes or len(nodes) > MAX_NODES:
        return None
    depth = max(node.depth for node in nodes.values())
    width = 2 * MARGIN + (depth + 1) * NODE_WIDTH + depth * COLUMN_GAP + SIDE_ARC + SIDE_LABEL
    height = 2 * MARGIN + max(node.y for node in nodes.values()) + NODE_HEIGHT - MARGIN
    biggest = max(
        [lane.open_units for lane in flows] + [lane.recommended_units for lane in flows] + [0.0]
    )
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="network" role="img" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'aria-labelledby="network-title" font-size="12">'
        ),
        (
            f'<title id="network-title">{len(warehouses)} warehouses and {len(flows)} '
            "transfer lanes</title>"
        ),
        "<defs>",
        _arrow_head("arrow-open", _OPEN),
        _arrow_head("arrow-recommended", _RECOMMENDED),
        "</defs>",
        '<g class="lanes">',
    ]
    for lane in flows:
        parts += _lane_svg(lane, nodes, biggest)
    parts.append("</g>")
    parts += [_node_svg(node) for node in nodes.values()]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape


def _layout(warehouses: Sequence[WarehouseRow], flows: Sequence[Lane]) -> dict[str, _Node]:
    nodes: dict[str, _Node] = {}
    for row in warehouses:
        nodes[row.code] = _Node(
            code=row.code,
            label=row.name,
            health=row.health,
            detail=f"short {row.short_items} · excess {row.excess_items}",
        )
    for lane in flows:  # the far end of a lane outside the reader's sites
        for code in (lane.source, lane.target):
            if code not in nodes:
                nodes[code] = _Node(
                    code=code, label="not in your sites", health="outside", detail=""
                )
    children: dict[str, list[str]] = {}
    roots = []
    for row in warehouses:
        if row.parent and row.parent in nodes and row.parent != row.code:
            children.setdefault(row.parent, []).append(row.code)
        else:
            roots.append(row.code)
    roots += [code for code, node in nodes.items() if node.health == "outside"]
    slot = 0
    placed: set[str] = set()

    def place(code: str, depth: int) -> float:
        nonlocal slot
        node = nodes[code]
        placed.add(code)
        node.depth = depth
        below = [c for c in sorted(children.get(code, ())) if c not in placed]
        if not below:
            node.y = MARGIN + slot * (NODE_HEIGHT + ROW_GAP)
            slot += 1
            return node.y
        ys = [place(child, depth + 1) for child in below]
        node.y = (ys[0] + ys[-1]) / 2
        return node.y

    for code in roots:
        if code not in placed:
            place(code, 0)
    for code in nodes:  # a cycle in the parent links: place what is left as roots
        if code not in placed:
            place(code, 0)
    return nodes


def _arrow_head(name: str, colour: str) -> str:
    return (
        f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="11" '
        f'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
    )


def _stroke(units: float, biggest: float) -> float:
    if biggest <= 0:
        return MIN_STROKE
    return round(MIN_STROKE + (MAX_STROKE - MIN_STROKE) * math.sqrt(units / biggest), 2)


def _lane_svg(lane: Lane, nodes: Mapping[str, _Node], biggest: float) -> list[str]:
    source, target = nodes[lane.source], nodes[lane.target]
    kinds = [
        ("open", lane.open_units, lane.open_count, _OPEN, "", "open transfer orders"),
        ("recommended", lane.recommended_units, lane.recommended_count, _RECOMMENDED, "7 4",
         "recommended transfers"),
    ]  # fmt: skip
    drawn = [k for k in kinds if k[1] > 0]
    if not drawn:
        return []
    widths = [_stroke(units, biggest) for _, units, *_ in drawn]
    gap = sum(widths) / 4 + 1
    offsets = [0.0] if len(drawn) == 1 else [-gap, gap]
    parts = [f'<g class="lane" data-from="{escape(lane.source)}" data-to="{escape(lane.target)}">']
    for (kind, units, count, colour, dash, words), stroke, dy in zip(
        drawn, widths, offsets, strict=True
    ):
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<path class="flow flow-{kind}" d="{_route(source, target, dy).path}" fill="none" '
            f'stroke="{colour}" stroke-width="{stroke}" stroke-opacity="0.8"{dashes} '
            f'marker-end="url(#arrow-{kind})">'
            f"<title>{escape(lane.source)} → {escape(lane.target)}: {units:,.0f} units in "
            f"{count} {words}</title></path>"
        )
    # the label goes on the side of the arrow's end away from where it comes from
    below = target.middle > source.middle and source.depth != target.depth
    label_dy = max(offsets) + max(widths) / 2 + 14 if below else min(offsets) - max(widths) / 2 - 5
    label = _route(source, target, label_dy)
    words = " · ".join(
        f"{units:,.0f} {'open' if kind == 'open' else 'rec.'}" for kind, units, *_ in drawn
    )
    parts.append(
        f'<text class="flow-label" x="{label.label_x:.1f}" y="{label.label_y:.1f}" '
        f'text-anchor="{label.anchor}" paint-order="stroke" stroke="#fff" stroke-width="3">'
        f"{escape(words)}</text></g>"
    )
    return parts


@dataclass(frozen=True, slots=True)
class _Route:
    path: str
    label_x: float
    label_y: float
    anchor: str


def _fan(source: _Node, target: _Node) -> float:
    """Lanes leave a warehouse spread over its edge, towards where they go."""
    room = NODE_HEIGHT / 2 - 8
    return max(-room, min(room, (target.middle - source.middle) * 0.1))


def _route(source: _Node, target: _Node, dy: float) -> _Route:
    """A cubic path from one warehouse to another, `dy` below the lane's centre line,
    with where its label goes (by the arrow's end, where lanes have parted): right edge
    to left edge going down the levels, left to right going up, out to the right and
    back within one level."""
    y0 = source.middle + dy + (_fan(source, target) if source.depth != target.depth else 0.0)
    y1 = target.middle + dy + (_fan(target, source) if source.depth != target.depth else 0.0)
    if source.depth < target.depth:
        x0, x1 = source.x + NODE_WIDTH, target.x - 2
        c0 = c1 = (x0 + x1) / 2
        label = (x1 - 14, y1, "end")
    elif source.depth > target.depth:
        x0, x1 = source.x, target.x + NODE_WIDTH + 2
        c0 = c1 = (x0 + x1) / 2
        label = (x1 + 14, y1, "start")
    else:
        x0, x1 = source.x + NODE_WIDTH, target.x + NODE_WIDTH + 2
        reach = min(SIDE_ARC, 24 + abs(y1 - y0) / 3) * (1.0 if y1 >= y0 else 1.6)
        c0, c1 = x0 + reach * 1.3, x1 + reach * 1.3
        label = (x0 + reach + 6, (y0 + y1) / 2 + 4, "start")
    path = f"M{x0:.1f},{y0:.1f} C{c0:.1f},{y0:.1f} {c1:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
    return _Route(path=path, label_x=label[0], label_y=label[1], anchor=label[2])


def _node_svg(node: _Node) -> str:
    colour = _HEALTH_COLOURS[node.health]
    dashed = ' stroke-dasharray="4 3"' if node.health == "outside" else ""
    label = node.label if len(node.label) <= 24 else node.label[:23] + "…"
    return (
        f'<g class="warehouse warehouse-{node.health}" data-code="{escape(node.code)}">'
        f"<title>{escape(node.code)} {escape(node.label)}: {node.health}"
        f"{(' (' + escape(node.detail) + ')') if node.detail else ''}</title>"
        f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" '
        f'rx="6" fill="#fff" stroke="{colour}" stroke-width="2"{dashed}/>'
        f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="6" height="{NODE_HEIGHT}" rx="3" '
        f'fill="{colour}"/>'
        f'<text x="{node.x + 14:.1f}" y="{node.y + 19:.1f}"><tspan font-weight="bold">'
        f"{escape(node.code)}</tspan> {escape(label)}</text>"
        f'<text x="{node.x + 14:.1f}" y="{node.y + 37:.1f}" fill="{colour}">'
        f"{escape(node.detail or node.health)}</text></g>"
    )


# -- agent activity ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgentRow:
    agent: str
    topics: list[str]
    workflows: list[str]
    handled: int
    last_handled_at: str | None
    lag_p50_s: float | None
    lag_p95_s: float | None
    dead_letters: int
    failures: int | None


def agent_rows(body: Mapping[str, Any]) -> list[AgentRow]:
    return [
        AgentRow(
            agent=str(one["agent"]),
            topics=list(one.get("topics") or ()),
            workflows=list(one.get("workflows") or ()),
            handled=int(one.get("handled") or 0),
            last_handled_at=one.get("last_handled_at"),
            lag_p50_s=one.get("lag_p50_s"),
            lag_p95_s=one.get("lag_p95_s"),
            dead_letters=int(one.get("dead_letters") or 0),
            failures=one.get("failures"),
        )
        for one in body.get("agents") or ()
    ]


def seconds(value: float | None) -> str:
    """A lag: milliseconds below a second, then seconds, minutes, hours."""
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 1000:,.0f} ms"
    if value < 120:
        return f"{value:,.1f} s"
    if value < 7200:
        return f"{value / 60:,.1f} min"
    return f"{value / 3600:,.1f} h"
