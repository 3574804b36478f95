"""Small inline SVG charts for offline HTML reports: no scripts, no fonts, no URLs.

Each chart is a string of SVG markup to paste into an HTML page (inline SVG needs no
namespace declaration there). Every label is escaped. Missing or non-finite values are
skipped, and empty inputs, a single point or all-zero data draw a sensible frame
rather than dividing by zero. Colours come from the Okabe-Ito palette, which stays
distinct under the common colour-vision deficiencies; dashes and point markers carry
meaning too, so nothing depends on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442")
Formatter = Callable[[float], str]

_WIDTH = 720
_PLOT_HEIGHT = 240
_LEFT, _RIGHT, _TOP = 76, 20, 16
_CHAR_WIDTH = 7.0  # rough width of one 12px character, for laying out labels
_LEGEND_ROW = 20


@dataclass(frozen=True)
class Series:
    """One named line: (x, y) points, drawn in order; `None` values are skipped."""

    name: str
    points: Sequence[tuple[float | None, float | None]]
    colour: str
    dashed: bool = False
    tips: Sequence[str] = ()  # hover text per point, shown when markers are drawn


def plain(value: float) -> str:
    """Format a tick value with thousands separators and no needless decimals."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"


def nice_ticks(lo: float, hi: float, *, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values spanning [lo, hi]; always at least two distinct ticks."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    lo, hi = min(lo, hi), max(lo, hi)
    if hi == lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = (0.0, 1.0) if lo == 0 else (lo - pad, hi + pad)
    raw = (hi - lo) / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * magnitude >= raw)
    if integer:
        step = max(1.0, math.ceil(step))
    first, last = math.floor(lo / step), math.ceil(hi / step)
    digits = max(0, 3 - math.floor(math.log10(step)))  # enough to hide float noise
    ticks = [round((first + i) * step, digits) for i in range(int(last - first) + 1)]
    return ticks if len(ticks) > 1 else [ticks[0], ticks[0] + step]


@dataclass(frozen=True)
class _Scale:
    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.start + (value - self.lo) / span * (self.end - self.start)


def _drawable(series: Series) -> list[tuple[int, float, float]]:
    """The (index, x, y) points of `series` whose coordinates are both finite numbers."""
    return [
        (i, x, y)
        for i, (x, y) in enumerate(series.points)
        if x is not None and y is not None and math.isfinite(x) and math.isfinite(y)
    ]


def _svg(height: float, label: str, body: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {height:.0f}" role="img" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>{body}</svg>'
    )


def _empty(label: str) -> str:
    body = (
        f'<rect x="0.5" y="0.5" width="{_WIDTH - 1}" height="59" class="frame"/>'
        f'<text x="{_WIDTH / 2}" y="35" text-anchor="middle" class="muted">No data to chart</text>'
    )
    return _svg(60, label, body)


def _y_axis(scale: _Scale, ticks: Sequence[float], fmt: Formatter, label: str) -> str:
    parts = []
    for tick in ticks:
        y = scale(tick)
        parts.append(
            f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(tick))}</text>'
        )
    middle = (scale.start + scale.end) / 2
    parts.append(
        f'<text transform="translate(14 {middle:.1f}) rotate(-90)" text-anchor="middle">'
        f"{escape(label)}</text>"
    )
    return "".join(parts)


def _legend(entries: Sequence[tuple[str, str, str]], top: float) -> tuple[str, float]:
    """Lay out (name, colour, kind) entries in rows; kind is "line", "dash" or "box"."""
    parts, x, y = [], float(_LEFT), top
    for name, colour, kind in entries:
        width = 34 + _CHAR_WIDTH * len(name)
        if x + width > _WIDTH - _RIGHT and x > _LEFT:
            x, y = float(_LEFT), y + _LEGEND_ROW
        if kind == "box":
            parts.append(
                f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="18" height="12" fill="{colour}"/>'
            )
        else:
            dash = ' stroke-dasharray="5 3"' if kind == "dash" else ""
            parts.append(
                f'<line x1="{x:.1f}" x2="{x + 18:.1f}" y1="{y - 3:.1f}" y2="{y - 3:.1f}" '
                f'stroke="{colour}" stroke-width="2.5"{dash}/>'
            )
        parts.append(f'<text x="{x + 24:.1f}" y="{y + 1:.1f}">{escape(name)}</text>')
        x += width
    return "".join(parts), (y - top + _LEGEND_ROW if entries else 0.0)


def line_chart(
    series: Sequence[Series],
    *,
    label: str,
    x_label: str,
    y_label: str,
    x_format: Formatter = plain,
    y_format: Formatter = plain,
    markers: bool = False,
    x_integer: bool = False,
) -> str:
    """Draw named series as one `<polyline>` each, with axes, grid and a legend below.

    The y axis always includes zero, so that lines are compared honestly.
    """
    drawable = [point for s in series for point in _drawable(s)]
    xs, ys = [x for _, x, _ in drawable], [y for _, _, y in drawable]
    if not xs:
        return _empty(label)
    x_ticks = nice_ticks(min(xs), max(xs), count=6, integer=x_integer)
    y_ticks = nice_ticks(min(0.0, *ys), max(0.0, *ys))
    x_scale = _Scale(x_ticks[0], x_ticks[-1], _LEFT, _WIDTH - _RIGHT)
    y_scale = _Scale(y_ticks[0], y_ticks[-1], _TOP + _PLOT_HEIGHT, _TOP)
    bottom = _TOP + _PLOT_HEIGHT
    parts = [_y_axis(y_scale, y_ticks, y_format, y_label)]
    for tick in x_ticks:
        x = x_scale(tick)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom}" y2="{bottom + 4}" class="axis"/>'
            f'<text x="{x:.1f}" y="{bottom + 17}" text-anchor="middle">'
            f"{escape(x_format(tick))}</text>"
        )
    parts.append(
        f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{bottom}" y2="{bottom}" class="axis"/>'
        f'<text x="{(_LEFT + _WIDTH - _RIGHT) / 2}" y="{bottom + 36}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
    )
    parts.extend(_polyline(s, x_scale, y_scale, markers=markers) for s in series)
    kinds = [(s.name, s.colour, "dash" if s.dashed else "line") for s in series]
    legend, legend_height = _legend(kinds, bottom + 62)
    parts.append(legend)
    return _svg(bottom + 50 + legend_height, label, "".join(parts))


def _polyline(series: Series, x_scale: _Scale, y_scale: _Scale, *, markers: bool) -> str:
    drawn = [(i, x_scale(x), y_scale(y)) for i, x, y in _drawable(series)]
    coords = " ".join(f"{x:.1f},{y:.1f}" for _, x, y in drawn)
    dash = ' stroke-dasharray="6 4"' if series.dashed else ""
    line = (
        f'<polyline data-series="{escape(series.name)}" points="{coords}" fill="none" '
        f'stroke="{series.colour}" stroke-width="2"{dash}/>'
    )
    parts = [line]
    if markers:
        for i, x, y in drawn:
            tip = series.tips[i] if i < len(series.tips) else series.name
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{series.colour}" '
                f'stroke="#fff"><title>{escape(tip)}</title></circle>'
            )
    return f'<g class="series">{"".join(parts)}</g>'


def _wrap(text: str, width: int, lines: int = 3) -> list[str]:
    """Split `text` into at most `lines` lines of about `width` characters."""
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return [line if len(line) <= width else line[: max(width - 1, 1)] + "…" for line in out]


def bar_chart(
    groups: Sequence[str],
    categories: Sequence[tuple[str, str]],
    values: Sequence[Sequence[float | None]],
    *,
    label: str,
    y_label: str,
    y_format: Formatter = plain,
    value_format: Formatter | None = None,
    stacked: bool = True,
) -> str:
    """Draw one bar group per entry of `groups`; `values[g][c]` is category c of group g.

    `categories` are (name, colour) pairs. Stacked bars put positive parts above zero
    and negative parts below it, and print each group's total above its bar.
    `value_format` formats totals and hover text (default: `y_format`, used for ticks).
    """
    cells = [[v if v is not None and math.isfinite(v) else 0.0 for v in row] for row in values]
    if not groups or not categories or not cells:
        return _empty(label)
    if stacked:
        highs = [sum(v for v in row if v > 0) for row in cells]
        lows = [sum(v for v in row if v < 0) for row in cells]
    else:
        highs = [max((v for v in row), default=0.0) for row in cells]
        lows = [min((v for v in row), default=0.0) for row in cells]
    y_ticks = nice_ticks(min(0.0, *lows), max(0.0, *highs))
    y_scale = _Scale(y_ticks[0], y_ticks[-1], _TOP + _PLOT_HEIGHT, _TOP)
    bottom = _TOP + _PLOT_HEIGHT
    group_width = (_WIDTH - _LEFT - _RIGHT) / len(groups)
    parts = [_y_axis(y_scale, y_ticks, y_format, y_label)]
    label_lines = 1
    values_format = value_format or y_format
    for g, (group, row) in enumerate(zip(groups, cells, strict=False)):
        left = _LEFT + g * group_width
        parts.append(
            _bars(group, row, categories, left, group_width, y_scale, values_format, stacked)
        )
        lines = _wrap(group, max(int(group_width / _CHAR_WIDTH), 4))
        label_lines = max(label_lines, len(lines))
        centre = left + group_width / 2
        spans = "".join(
            f'<tspan x="{centre:.1f}" dy="{0 if i == 0 else 14}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(
            f'<text y="{bottom + 17}" text-anchor="middle">'
            f"<title>{escape(group)}</title>{spans}</text>"
        )
    zero = y_scale(0.0)
    parts.append(
        f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}" class="axis"/>'
    )
    legend_top = bottom + 30 + 14 * label_lines
    legend, legend_height = _legend([(n, c, "box") for n, c in categories], legend_top)
    parts.append(legend)
    return _svg(legend_top - 12 + legend_height, label, "".join(parts))


def _bars(
    group: str,
    row: Sequence[float],
    categories: Sequence[tuple[str, str]],
    left: float,
    group_width: float,
    y_scale: _Scale,
    y_format: Formatter,
    stacked: bool,
) -> str:
    parts = []
    if stacked:
        width = min(group_width * 0.6, 90.0)
        x = left + (group_width - width) / 2
        up = down = 0.0
        for (name, colour), value in zip(categories, row, strict=False):
            base = up if value >= 0 else down
            top, low = (base + value, base) if value >= 0 else (base, base + value)
            up, down = (top, down) if value >= 0 else (up, low)
            tip = f"{group} · {name}: {y_format(value)}"
            parts.append(_rect(x, width, y_scale(top), y_scale(low), colour, tip))
        total = sum(row)
        parts.append(
            f'<text x="{x + width / 2:.1f}" y="{y_scale(up) - 5:.1f}" text-anchor="middle" '
            f'class="total">{escape(y_format(total))}</text>'
        )
    else:
        inner = group_width * 0.8
        width = inner / max(len(categories), 1)
        for c, ((name, colour), value) in enumerate(zip(categories, row, strict=False)):
            x = left + group_width * 0.1 + c * width
            top, low = max(value, 0.0), min(value, 0.0)
            tip = f"{group} · {name}: {y_format(value)}"
            parts.append(_rect(x, width, y_scale(top), y_scale(low), colour, tip))
    return "".join(parts)


def _rect(
    x: float,
    width: float,
    y_top: float,
    y_low: float,
    colour: str,
    tip: str,
) -> str:
    height = max(y_low - y_top, 0.0)
    return (
        f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{colour}"><title>{escape(tip)}</title></rect>'
    )
