"""Write a network simulation's results as `results.json` and an offline `report.html`.

`crossdock simulate --out DIR` ends here. The page is one self-contained file: inline
CSS and SVG charts drawn by `crossdock.adapters.reports.svg`, with no scripts, fonts or
links, so it reads the same from a laptop on a plane as from a shared drive. Every
string taken from the results is escaped. Non-finite numbers (NaN, infinities) become
`null` in the JSON and a dash on the page.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from crossdock.adapters.reports.svg import PALETTE, Series, bar_chart, line_chart, plain

RESULTS_FILE = "results.json"
REPORT_FILE = "report.html"
LOCATION_ROWS = 100  # per policy; the costliest rows are kept
_DASH = "—"
_DEMAND_COLOUR = "#000000"
_POLICY_COLOURS = tuple(c for c in PALETTE if c != _DEMAND_COLOUR)

_NETWORK_METRICS = (
    ("fill_rate", "Fill rate", "pct"),
    ("cycle_service_level", "Cycle service level", "pct"),
    ("stockout_periods", "Stockout periods", "count"),
    ("lost_units", "Lost units", "count"),
    ("average_on_hand", "Average on hand (units)", "number"),
    ("average_on_hand_value", "Average on-hand value", "money"),
    ("turns", "Turns", "number"),
    ("days_of_supply", "Days of supply", "number"),
    ("purchase_orders", "Purchase orders", "count"),
    ("transfers", "Transfers", "count"),
    ("expedites", "Expedites", "count"),
)
_COSTS = (
    ("holding", "Holding"),
    ("ordering", "Ordering"),
    ("transport", "Transport"),
    ("expedite", "Expedite"),
    ("shortage", "Shortage"),
)
_LOCATION_COLUMNS = (
    ("sku", "SKU", "text"),
    ("location_code", "Location", "text"),
    ("role", "Role", "text"),
    ("fill_rate", "Fill rate", "pct"),
    ("average_on_hand", "Average on hand", "number"),
    ("average_on_hand_value", "Average on-hand value", "money"),
    ("days_of_supply", "Days of supply", "number"),
    ("stockout_periods", "Stockout periods", "count"),
    ("total_cost", "Total cost", "money"),
)
_BUCKET_WORDS = {"day": "daily", "week": "weekly", "month": "monthly"}

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:#1b1b1b;background:#fff;max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}h2{margin-top:2em;border-bottom:1px solid #ddd}
h3{font-size:1em;margin:1.4em 0 .3em}.muted{color:#666;fill:#666}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}
th[scope=row],td.text,thead th:first-child{text-align:left}thead th{background:#f3f3f3}
tr.group th{background:#fafafa;text-align:left;font-weight:600}tr.total td{font-weight:700}
.met{color:#00583f;font-weight:600}.missed{color:#a33700;font-weight:600}
.chart{display:block;width:100%;max-width:760px;height:auto;margin:8px 0}
.chart text{font-size:12px;fill:#1b1b1b}.chart .total{font-weight:600}
.grid{stroke:#e4e4e4}.axis{stroke:#555}.frame{fill:none;stroke:#ccc}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
"""


def json_safe(value: Any) -> Any:
    """Return a JSON-ready copy of `value`: non-finite floats become `None`, recursively.

    Mappings become dicts and sequences lists; numpy-style scalars become int or float.
    """
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    return value


def write_simulation_report(results: Mapping[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write `results.json` and `report.html` into `out_dir`, creating it if needed.

    Returns:
        The paths of the JSON file and of the HTML page.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    clean = json_safe(results)
    json_path, html_path = out_dir / RESULTS_FILE, out_dir / REPORT_FILE
    text = json.dumps(clean, indent=2, sort_keys=False, allow_nan=False)
    json_path.write_text(text + "\n", encoding="utf-8")
    html_path.write_text(render_simulation_report(clean), encoding="utf-8")
    return json_path, html_path


def render_simulation_report(results: Mapping[str, Any]) -> str:
    """Render the results as one self-contained HTML page (see the module docstring)."""
    data = _mapping(json_safe(results))
    page = _Page(data)
    sections = [
        page.header(),
        page.targets(),
        page.comparison(),
        page.cost_chart(),
        page.frontier(),
        page.inventory(),
        page.item_series(),
        page.locations(),
    ]
    title = escape(_text(data.get("title")) or "Simulation report")
    body = "\n".join(section for section in sections if section)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _records(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _numbers(value: Any) -> list[float | None]:
    return [_number(item) for item in value] if isinstance(value, list) else []


def _counted(number: float, one: str, many: str) -> str:
    return f"{_general(number)} {one if number == 1 else many}"


def _run_summary(settings: Mapping[str, Any]) -> str:
    parts = []
    periods = _number(settings.get("periods"))
    if periods is not None:
        bucket = _text(settings.get("bucket"))
        unit = f"{_BUCKET_WORDS.get(bucket, bucket)} periods".strip()
        parts.append(f"{_general(periods)} {unit}")
    warmup = _number(settings.get("warmup_periods"))
    if warmup is not None:
        parts.append(f"{_counted(warmup, 'warm-up period', 'warm-up periods')}")
    if isinstance(settings.get("lost_sales"), bool):
        parts.append("unmet demand lost" if settings["lost_sales"] else "unmet demand backordered")
    review = _number(settings.get("review_period"))
    if review is not None:
        every = "period" if review == 1 else f"{_general(review)} periods"
        parts.append(f"review every {every}")
    target = _number(settings.get("target_fill_rate"))
    if target is not None:
        parts.append(f"target fill rate {target * 100:.1f}%")
    if settings.get("seed") is not None:
        parts.append(f"seed {_text(settings.get('seed'))}")
    if settings.get("currency"):
        parts.append(f"money in {_text(settings.get('currency'))}")
    return f"Simulated {', '.join(parts)}." if parts else ""


def _money(value: float, currency: str) -> str:
    amount = f"{value:,.2f}" if 0 < abs(value) < 100 else f"{value:,.0f}"
    return f"{currency} {amount}" if currency else amount


def _compact(value: float) -> str:
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:,.3g}{suffix}"
    return plain(value)


def _general(value: float) -> str:
    value = float(value)  # an int has no is_integer() before Python 3.12
    if value.is_integer() or abs(value) >= 100:
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    return f"{value:.3f}".rstrip("0").rstrip(".")


_FORMATS: dict[str, Callable[[float, str], str]] = {
    "pct": lambda v, _c: f"{v * 100:.1f}%",
    "money": _money,
    "count": lambda v, _c: f"{round(v):,}",
    "number": lambda v, _c: f"{v:,.1f}",
    "seconds": lambda v, _c: f"{v:,.1f} s",
    "general": lambda v, _c: _general(v),
}


def _cell(value: Any, kind: str, currency: str) -> str:
    """One escaped `<td>`: text as written, numbers in the format `kind` names."""
    if kind == "text":
        return f'<td class="text">{escape(_text(value)) or _DASH}</td>'
    number = _number(value)
    shown = _DASH if number is None else _FORMATS[kind](number, currency)
    return f"<td>{escape(shown)}</td>"


def _costliest_first(row: Mapping[str, Any]) -> tuple[bool, float]:
    cost = _number(row.get("total_cost"))
    return (cost is None, -(cost or 0.0))


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _chart_section(anchor: str, heading: str, intro: str, charts: str) -> str:
    return (
        f'<section id="{anchor}">\n<h2>{heading}</h2>\n<p class="muted">{intro}</p>\n'
        f"{charts}\n</section>"
    )


@dataclass
class _Page:
    """The results, with what every section needs: currency, policies and their colours."""

    data: Mapping[str, Any]

    def __post_init__(self) -> None:
        self.settings = _mapping(self.data.get("settings"))
        self.currency = _text(self.settings.get("currency"))
        self.policies = _records(self.data.get("policies"))
        self.names = [_text(p.get("name")) for p in self.policies]
        names = [
            *self.names,
            *(_text(f.get("policy")) for f in _records(self.data.get("frontier"))),
        ]
        for entry in _records(self.data.get("series")):
            names.extend(_text(key) for key in _mapping(entry.get("on_hand")))
        self.colours: dict[str, str] = {}
        for name in names:
            self.colours.setdefault(name, _POLICY_COLOURS[len(self.colours) % len(_POLICY_COLOURS)])

    def money(self, value: float) -> str:
        return _money(value, self.currency)

    def money_axis(self, label: str) -> str:
        return f"{label} ({self.currency})" if self.currency else label

    def header(self) -> str:
        title = escape(_text(self.data.get("title")) or "Simulation report")
        generated = _text(self.data.get("generated_at"))
        when = f'<p class="muted">Generated {escape(generated)}</p>\n' if generated else ""
        return f"<header>\n<h1>{title}</h1>\n{when}<p>{escape(self.summary())}</p>\n</header>"

    def summary(self) -> str:
        """One paragraph: how the run was set up, what network it covered, how many policies."""
        text = " ".join(
            part for part in (_run_summary(self.settings), self._network_summary()) if part
        )
        if self.names:
            text += f" {_counted(len(self.names), 'policy', 'policies')} compared."
        return text.strip()

    def _network_summary(self) -> str:
        net = _mapping(self.data.get("network"))
        found = {
            key: _counted(number, one, many)
            for key, one, many in (
                ("item_locations", "item-location", "item-locations"),
                ("items", "item", "items"),
                ("locations", "location", "locations"),
                ("dcs", "DC", "DCs"),
                ("branches", "branch", "branches"),
            )
            if (number := _number(net.get(key))) is not None
        }
        where = " at ".join(found[k] for k in ("items", "locations") if k in found)
        roles = ", ".join(found[k] for k in ("dcs", "branches") if k in found)
        detail = f"{where}: {roles}" if where and roles else where or roles
        head = found.get("item_locations", "")
        if not head:
            return f"The network has {detail}." if detail else ""
        return f"The network has {head}" + (f" ({detail})." if detail else ".")

    def targets(self) -> str:
        targets = _records(self.data.get("targets"))
        if not targets:
            return ""
        met = sum(1 for t in targets if t.get("met") is True)
        rows = []
        for target in targets:
            value = target.get("value")
            number = _number(value)
            shown = _general(number) if number is not None else _text(value) or _DASH
            met_flag = target.get("met")
            verdict = (
                ("met", "✓ met")
                if met_flag is True
                else ("missed", "✗ missed")
                if met_flag is False
                else ("muted", "not judged")
            )
            rows.append(
                f'<tr><td class="text">{escape(_text(target.get("name")))}</td>'
                f"<td>{escape(shown)}</td><td>{escape(_text(target.get('target')))}</td>"
                f'<td class="text {verdict[0]}">{verdict[1]}</td></tr>'
            )
        return (
            f'<section id="targets">\n<h2>Targets</h2>\n<p>{met} of {len(targets)} met.</p>\n'
            "<table><thead><tr><th>Target</th><th>Value</th><th>Required</th><th>Result</th>"
            f"</tr></thead><tbody>\n{chr(10).join(rows)}\n</tbody></table>\n</section>"
        )

    def comparison(self) -> str:
        if not self.policies:
            return (
                '<section id="policies">\n<h2>Policies side by side</h2>\n'
                "<p>No policies in the results.</p>\n</section>"
            )
        heads = "".join(f'<th scope="col">{escape(name)}</th>' for name in self.names)
        cost_heading = self.money_axis("Costs")
        rows = [
            self._row("Kind", [p.get("kind") for p in self.policies], "text"),
            self._group("Service and stock"),
            *self._rows("network", _NETWORK_METRICS),
            self._group(cost_heading),
            *self._rows("costs", tuple((key, label, "money") for key, label in _COSTS)),
            self._row("Run time", [p.get("seconds") for p in self.policies], "seconds"),
        ]
        return (
            '<section id="policies">\n<h2>Policies side by side</h2>\n'
            f'<table class="compare"><thead><tr><th scope="col">Metric</th>{heads}</tr></thead>'
            f"<tbody>\n{chr(10).join(rows)}\n</tbody></table>\n</section>"
        )

    def _group(self, label: str) -> str:
        return f'<tr class="group"><th colspan="{len(self.names) + 1}">{escape(label)}</th></tr>'

    def _row(self, label: str, values: Sequence[Any], kind: str, css: str = "") -> str:
        cells = "".join(_cell(value, kind, self.currency) for value in values)
        attr = f' class="{css}"' if css else ""
        return f'<tr{attr}><th scope="row">{escape(label)}</th>{cells}</tr>'

    def _rows(self, part: str, known: Sequence[tuple[str, str, str]]) -> list[str]:
        blocks = [_mapping(p.get(part)) for p in self.policies]
        metrics = list(known)
        seen = {key for key, _, _ in metrics} | {"total"}
        for block in blocks:
            extra = [k for k in block if k not in seen]
            metrics.extend((k, _label(k), "money" if part == "costs" else "general") for k in extra)
            seen.update(extra)
        rows = [
            self._row(label, [b.get(key) for b in blocks], kind) for key, label, kind in metrics
        ]
        if part == "costs":
            rows.append(self._row("Total", [b.get("total") for b in blocks], "money", "total"))
        return rows

    def cost_chart(self) -> str:
        if not self.policies:
            return ""
        costs = [_mapping(p.get("costs")) for p in self.policies]
        chart = bar_chart(
            self.names,
            [(label, _POLICY_COLOURS[i]) for i, (_, label) in enumerate(_COSTS)],
            [[_number(block.get(key)) for key, _ in _COSTS] for block in costs],
            label="Cost breakdown by policy",
            y_label=self.money_axis("Cost"),
            y_format=_compact,
            value_format=self.money,
        )
        intro = (
            "Each bar stacks one policy's holding, ordering, transport, expedite and "
            "shortage costs; the figure above it is the total."
        )
        return _chart_section("costs", "Cost breakdown", intro, chart)

    def frontier(self) -> str:
        curves = _records(self.data.get("frontier"))
        if not curves:
            return ""
        series = []
        for curve in curves:
            name, points = _text(curve.get("policy")), _records(curve.get("points"))
            fills = [_number(p.get("fill_rate")) for p in points]
            values = [_number(p.get("average_on_hand_value")) for p in points]
            xy = [(None if f is None else f * 100, v) for f, v in zip(fills, values, strict=True)]
            series.append(
                Series(name, xy, self.colours[name], tips=[self._tip(name, p) for p in points])
            )
        chart = line_chart(
            series,
            label="Service versus inventory frontier",
            x_label="Fill rate achieved (%)",
            y_label=self.money_axis("Average on-hand value"),
            x_format=lambda v: f"{plain(v)}%",
            y_format=_compact,
            markers=True,
        )
        intro = "Each point is one run at a target; lower and further right is better."
        return _chart_section("frontier", "Service versus inventory", intro, chart)

    def _tip(self, name: str, point: Mapping[str, Any]) -> str:
        parts = [name]
        for key, label, kind in (
            ("target", "target", "pct"),
            ("fill_rate", "fill rate", "pct"),
            ("average_on_hand_value", "on-hand value", "money"),
            ("total_cost", "total cost", "money"),
        ):
            number = _number(point.get(key))
            if number is not None:
                parts.append(f"{label} {_FORMATS[kind](number, self.currency)}")
        return "; ".join(parts)

    def inventory(self) -> str:
        series = [
            Series(name, list(enumerate(values, start=1)), self.colours[name])
            for name, p in zip(self.names, self.policies, strict=True)
            if (values := _numbers(p.get("on_hand_value_by_period")))
        ]
        if not series:
            return ""
        chart = line_chart(
            series,
            label="Network on-hand value by period",
            x_label="Period",
            y_label=self.money_axis("On-hand value"),
            y_format=_compact,
            x_integer=True,
        )
        intro = "Value of stock on hand across the whole network at the end of each period."
        return _chart_section("inventory", "Inventory over time", intro, chart)

    def item_series(self) -> str:
        entries = _records(self.data.get("series"))
        if not entries:
            return ""
        charts = []
        for entry in entries:
            where = f"{_text(entry.get('sku'))} at {_text(entry.get('location_code'))}"
            lines = [
                Series(
                    _text(name),
                    list(enumerate(_numbers(values), start=1)),
                    self.colours[_text(name)],
                )
                for name, values in _mapping(entry.get("on_hand")).items()
            ]
            demand = list(enumerate(_numbers(entry.get("demand")), start=1))
            lines.append(Series("demand", demand, _DEMAND_COLOUR, dashed=True))
            chart = line_chart(
                lines,
                label=f"On hand and demand: {where}",
                x_label="Period",
                y_label="Units",
                x_integer=True,
            )
            charts.append(f"<h3>{escape(where)}</h3>\n{chart}")
        intro = "On hand per policy at the end of each period; demand is the dashed line."
        return _chart_section("series", "Selected item-locations", intro, "\n".join(charts))

    def locations(self) -> str:
        blocks = [
            self._location_table(name, rows)
            for name, p in zip(self.names, self.policies, strict=True)
            if (rows := _records(p.get("locations")))
        ]
        if not blocks:
            return ""
        return (
            '<section id="locations">\n<h2>Per location</h2>\n'
            f'<p class="muted">Costliest first; click a policy to open its table.</p>\n'
            f"{chr(10).join(blocks)}\n</section>"
        )

    def _location_table(self, name: str, rows: list[Mapping[str, Any]]) -> str:
        columns = [c for c in _LOCATION_COLUMNS if any(c[0] in row for row in rows)]
        ordered = sorted(rows, key=_costliest_first)
        shown = ordered[:LOCATION_ROWS]
        note = (
            f'<p class="muted">Showing the {len(shown)} costliest of {len(rows):,} rows.</p>'
            if len(rows) > len(shown)
            else ""
        )
        heads = "".join(f"<th>{label}</th>" for _, label, _ in columns)
        body = "\n".join(
            "<tr>"
            + "".join(_cell(r.get(key), kind, self.currency) for key, _, kind in columns)
            + "</tr>"
            for r in shown
        )
        return (
            f"<details><summary>{escape(name)} ({len(rows):,} rows)</summary>\n{note}"
            f"<table><thead><tr>{heads}</tr></thead><tbody>\n{body}\n</tbody></table>\n</details>"
        )
