"""Write the weekly brief (`crossdock brief --out DIR`) as an offline HTML page and a
Markdown file with its charts beside it.

- `brief-<week-ending>.html`: one self-contained page, inline CSS and inline SVG
  charts, no scripts, fonts or links, so it can be mailed or put on a shared drive.
- `brief-<week-ending>.md`: the same content in Markdown; its charts are
  `brief-<week-ending>-<chart>.svg` files beside it (standalone SVG with their own
  style), linked as images.

Every figure comes from the `Brief` as the service composed it, already masked for the
reader: a hidden figure reads "masked", a missing one a dash. Templates are in
`templates/brief.html.j2` and `templates/brief.md.j2`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crossdock.adapters.reports.svg import PALETTE, Series, line_chart

if TYPE_CHECKING:  # annotations only: the brief's services pull in pandas
    from jinja2 import Environment

    from crossdock.service_layer.briefing import Brief, KpiLine, TrendChart

TEMPLATES = Path(__file__).with_name("templates")
DASH = "—"
MASKED = "masked"
CHART_CSS = """
.chart{display:block;width:100%;max-width:760px;height:auto;margin:8px 0}
.chart text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
fill:#1b1b1b}.chart .total{font-weight:600}.muted{color:#666;fill:#666}
.grid{stroke:#e4e4e4}.axis{stroke:#555}.frame{fill:none;stroke:#ccc}
"""
_SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # a standalone .svg file needs it


@dataclass(frozen=True, slots=True)
class BriefFiles:
    html: Path
    markdown: Path
    charts: tuple[Path, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "html": str(self.html),
            "markdown": str(self.markdown),
            "charts": [str(path) for path in self.charts],
        }


def write_brief(brief: Brief, out_dir: Path) -> BriefFiles:
    """Write the brief's HTML, Markdown and chart files into `out_dir` (created if
    missing; files of the same week are replaced)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"brief-{brief.week_ending.isoformat()}"
    charts = {chart.name: chart_svg(brief, chart) for chart in brief.charts}
    chart_files = []
    for name, svg in charts.items():
        path = out_dir / f"{stem}-{name}.svg"
        path.write_text(standalone_svg(svg), encoding="utf-8")
        chart_files.append(path)
    context = _context(brief)
    html = out_dir / f"{stem}.html"
    html.write_text(
        _environment()
        .get_template("brief.html.j2")
        .render(**context, css=CHART_CSS, charts=charts),
        encoding="utf-8",
    )
    markdown = out_dir / f"{stem}.md"
    markdown.write_text(
        _environment()
        .get_template("brief.md.j2")
        .render(**context, chart_files={c.name: f"{stem}-{c.name}.svg" for c in brief.charts}),
        encoding="utf-8",
    )
    return BriefFiles(html=html, markdown=markdown, charts=tuple(chart_files))


def chart_svg(brief: Brief, chart: TrendChart) -> str:
    """One trend chart as inline SVG: a line per KPI over the brief's weeks (shares in
    percent); a hidden KPI draws no line."""
    weeks = brief.week_endings
    series = []
    for index, key in enumerate(chart.kpis):
        line = brief.kpi(key)
        scale = 100.0 if chart.unit == "share" else 1.0
        points = [
            (float(i), None if value is None else value * scale)
            for i, value in enumerate(line.trend)
        ]
        series.append(
            Series(
                name=line.label.split(" (")[0] + (" (masked)" if line.masked else ""),
                points=[] if line.masked else points,
                colour=PALETTE[index % len(PALETTE)],
                dashed=index % 2 == 1,
                tips=[
                    f"{line.label}, week ending {weeks[i].isoformat()}: {figure(value, line.unit)}"
                    for i, value in enumerate(line.trend)
                ],
            )
        )
    return line_chart(
        series,
        label=f"{chart.title}, {len(weeks)} weeks to {brief.week_ending.isoformat()}",
        x_label="week ending",
        y_label={"share": "%", "money": "money", "count": "count"}.get(chart.unit, chart.unit),
        x_format=lambda x: _week_label(brief, x),
        markers=True,
        x_integer=True,
    )


def standalone_svg(inline: str) -> str:
    """Inline SVG markup as a file of its own: with the namespace and its style."""
    head, rest = inline.split(">", 1)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{head} xmlns="{_SVG_NAMESPACE}">'
        f"<style>{CHART_CSS}</style>{rest}\n"
    )


def figure(value: float | None, unit: str, *, masked: bool = False) -> str:
    """A figure as the brief prints it."""
    if masked:
        return MASKED
    if value is None:
        return DASH
    if unit == "share":
        return f"{value:.1%}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "money":
        return f"{value:,.2f}"
    return f"{value:,.1f}"


def change(line: KpiLine) -> str:
    """This week against last week: points for shares, the difference otherwise."""
    if line.masked:
        return MASKED
    if line.this_week is None or line.last_week is None:
        return DASH
    delta = line.this_week - line.last_week
    if line.unit == "share":
        return f"{delta * 100:+.1f} pts"
    if line.unit == "count":
        return f"{delta:+,.0f}"
    if line.unit == "money":
        return f"{delta:+,.2f}"
    return f"{delta:+,.1f}"


def _week_label(brief: Brief, x: float) -> str:
    index = round(x)
    if 0 <= index < len(brief.week_endings):
        return brief.week_endings[index].strftime("%d %b")
    return ""


def _context(brief: Brief) -> dict[str, Any]:
    return {
        "brief": brief,
        "figure": figure,
        "change": change,
        "made_at": brief.made_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        "who": f"{brief.made_for} ({', '.join(brief.roles) or 'no role'})",
        "sites": "every site" if brief.sites is None else ", ".join(brief.sites),
        "exceptions": sum(brief.exceptions_by_kind.values()),
    }


def _environment() -> Environment:
    """HTML templates autoescaped; Markdown ones not (their cells use `cell`)."""
    # imported here: `crossdock.adapters.reports` loads with every CLI command
    from jinja2 import (  # noqa: PLC0415
        Environment,
        FileSystemLoader,
        StrictUndefined,
        select_autoescape,
    )

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["cell"] = _markdown_cell
    return environment


def _markdown_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped, and no raw HTML
    (a `<` from the data is written as an entity)."""
    return " ".join(str(value).split()).replace("|", "\\|").replace("<", "&lt;")
