"""Small inline SVG line charts for the workbench: no JavaScript, no chart library.

`line_chart` draws one or more series over shared x labels, with an optional shaded
band (a forecast's range), an optional vertical marker ("today", "arrival"), a legend,
a few axis ticks and an accessible name (role="img" with <title> and <desc>). A None
value leaves a gap in its line. Pure: the same arguments give the same SVG text."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import Final

from markupsafe import Markup, escape

Values = Sequence[float | None]

COLOURS: Final = ("#1f5fa8", "#c0392b", "#2e8b57", "#7b4fa0", "#d4800b", "#6b4f3a")
# dash patterns tell the series apart without colour
DASHES: Final = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")
BAND_COLOUR: Final = "#1f5fa8"
FONT_SIZE: Final = 11
CHAR_WIDTH: Final = 6.2  # rough advance of one character at FONT_SIZE, for layout only
MAX_X_LABELS: Final = 7
Y_TICKS: Final = 4


def line_chart(
    series: Sequence[tuple[str, Values]],
    *,
    band: tuple[Values, Values] | None = None,
    x_labels: Sequence[str],
    width: int = 640,
    height: int = 200,
    title: str = "",
    y_label: str = "",
    step: bool = False,
    marker: tuple[int, str] | None = None,
    band_label: str = "range",
) -> Markup:
    """An SVG line chart as Markup, safe to put in a template as is.

    Args:
        series: (name, values) pairs; every values list is as long as `x_labels`.
        band: (low, high) lists drawn as a shaded area where both are known.
        x_labels: one label per point; a few of them are shown under the axis.
        width, height: the drawing's size in pixels (it scales down with CSS).
        title: the chart's accessible name, also shown above the plot.
        y_label: the y axis' unit, written along it.
        step: draw each series as steps (the value holds until the next point).
        marker: (index, label) for a dashed vertical line at that x.
        band_label: the band's name in the legend.

    Raises:
        ValueError: a series or the band is not as long as `x_labels`, or the
            marker's index is outside them.
    """
    count = len(x_labels)
    _check_lengths(series, band, count, marker)
    chart_id = _chart_id(title, series, band, x_labels)
    legend = _legend_items(series, band is not None, band_label)
    layout = _Layout.fit(width, height, legend, title=bool(title), y_label=bool(y_label))
    known = [float(v) for _, values in series for v in values if v is not None and _finite(v)]
    if band is not None:
        known += [float(v) for values in band for v in values if v is not None and _finite(v)]
    low, high, ticks = _y_scale(known)

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
            f'font-size="{FONT_SIZE}">'
        ),
        f'<title id="{chart_id}-title">{escape(title or "chart")}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe(series, x_labels, low, high))}</desc>',
    ]
    if title:
        parts.append(
            f'<text class="chart-title" x="{layout.left}" y="{FONT_SIZE + 2}" '
            f'font-weight="bold">{escape(title)}</text>'
        )
    parts += _legend_svg(legend, layout)
    if count == 0 or not known:
        parts.append(
            f'<text class="chart-empty" x="{width / 2:.1f}" y="{height / 2:.1f}" '
            f'text-anchor="middle">no data</text></svg>'
        )
        return _svg(parts)

    scale = _Scale(layout, count, low, high)
    parts += _y_axis(scale, ticks, y_label)
    parts += _x_axis(scale, x_labels)
    if band is not None:
        parts += _band_svg(scale, band)
    for index, (name, values) in enumerate(series):
        parts += _series_svg(scale, index, name, values, x_labels, step=step)
    if marker is not None:
        parts += _marker_svg(scale, marker)
    parts.append("</svg>")
    return _svg(parts)


def _svg(parts: list[str]) -> Markup:
    """Join the drawing; every text taken from the caller went through `escape`."""
    return Markup("".join(parts))  # noqa: S704


# ---------------------------------------------------------------- checks and naming


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _check_lengths(
    series: Sequence[tuple[str, Values]],
    band: tuple[Values, Values] | None,
    count: int,
    marker: tuple[int, str] | None,
) -> None:
    for name, values in series:
        if len(values) != count:
            raise ValueError(f"series {name!r} has {len(values)} values for {count} x labels")
    if band is not None:
        for side, values in zip(("low", "high"), band, strict=True):
            if len(values) != count:
                raise ValueError(f"band {side} has {len(values)} values for {count} x labels")
    if marker is not None and not 0 <= marker[0] < max(count, 1):
        raise ValueError(f"marker index {marker[0]} is outside 0..{count - 1}")


def _chart_id(
    title: str,
    series: Sequence[tuple[str, Values]],
    band: tuple[Values, Values] | None,
    x_labels: Sequence[str],
) -> str:
    """An id for the title/desc references, stable for the same chart."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(repr((title, [(n, list(v)) for n, v in series], band, list(x_labels))).encode())
    return f"chart-{digest.hexdigest()[:10]}"


def _describe(
    series: Sequence[tuple[str, Values]], x_labels: Sequence[str], low: float, high: float
) -> str:
    names = ", ".join(name for name, _ in series) or "no series"
    if not x_labels:
        return f"{names}; no points"
    return (
        f"{names}; {len(x_labels)} points from {x_labels[0]} to {x_labels[-1]}; "
        f"y axis {_number(low)} to {_number(high)}"
    )


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- layout and scale


class _Layout:
    """Where the plot area sits inside the drawing."""

    def __init__(
        self, width: int, height: int, left: float, right: float, top: float, bottom: float
    ) -> None:
        self.width, self.height = width, height
        self.left, self.right, self.top, self.bottom = left, right, top, bottom
        self.legend_rows: list[list[tuple[float, _LegendItem]]] = []
        self.legend_top = 0.0

    @classmethod
    def fit(
        cls, width: int, height: int, legend: list[_LegendItem], *, title: bool, y_label: bool
    ) -> _Layout:
        left = 56.0 if y_label else 44.0
        right = width - 12.0
        legend_top = FONT_SIZE + 8.0 if title else 4.0
        rows = _legend_rows(legend, left, right)
        top = legend_top + len(rows) * (FONT_SIZE + 5) + 8
        layout = cls(width, height, left, right, top, height - 22.0)
        layout.legend_rows, layout.legend_top = rows, legend_top
        return layout


class _Scale:
    """Data -> pixel positions for one chart."""

    def __init__(self, layout: _Layout, count: int, low: float, high: float) -> None:
        self.layout, self.count, self.low, self.high = layout, count, low, high

    def x(self, index: float) -> float:
        span = self.layout.right - self.layout.left
        if self.count == 1:
            return self.layout.left + span / 2
        return self.layout.left + span * index / (self.count - 1)

    def y(self, value: float) -> float:
        span = self.layout.bottom - self.layout.top
        return self.layout.bottom - span * (value - self.low) / (self.high - self.low)


def _nice_step(raw: float) -> float:
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10**exponent
    nice = 1.0 if fraction <= 1 else 2.0 if fraction <= 2 else 2.5 if fraction <= 2.5 else 5.0
    if fraction > 5:
        nice = 10.0
    return nice * 10.0**exponent


def _y_scale(values: list[float]) -> tuple[float, float, list[float]]:
    """Axis bounds that include zero and every value, on round tick steps."""
    low = min([0.0, *values])
    high = max([0.0, *values])
    if high == low:
        high = low + 1.0
    step = _nice_step((high - low) / Y_TICKS)
    low = math.floor(low / step + 1e-9) * step
    high = math.ceil(high / step - 1e-9) * step
    if high <= low:
        high = low + step
    ticks = [low + step * i for i in range(round((high - low) / step) + 1)]
    return low, high, [round(t, 10) for t in ticks]


# ---------------------------------------------------------------- legend


class _LegendItem:
    def __init__(self, name: str, kind: str, index: int) -> None:
        self.name, self.kind, self.index = name, kind, index

    @property
    def width(self) -> float:
        return 22 + len(self.name) * CHAR_WIDTH + 14


def _legend_items(
    series: Sequence[tuple[str, Values]], has_band: bool, band_label: str
) -> list[_LegendItem]:
    items = [_LegendItem(name, "line", i) for i, (name, _) in enumerate(series)]
    if has_band:
        items.append(_LegendItem(band_label, "band", -1))
    return items


def _legend_rows(
    items: list[_LegendItem], left: float, right: float
) -> list[list[tuple[float, _LegendItem]]]:
    rows: list[list[tuple[float, _LegendItem]]] = []
    x = left
    for item in items:
        if not rows or (x + item.width > right and rows[-1]):
            rows.append([])
            x = left
        rows[-1].append((x, item))
        x += item.width
    return rows


def _legend_svg(items: list[_LegendItem], layout: _Layout) -> list[str]:
    if not items:
        return []
    parts = ['<g class="chart-legend">']
    for row_index, row in enumerate(layout.legend_rows):
        y = layout.legend_top + row_index * (FONT_SIZE + 5) + FONT_SIZE / 2 + 2
        for x, item in row:
            if item.kind == "band":
                parts.append(
                    f'<rect x="{x:.1f}" y="{y - 5:.1f}" width="18" height="10" '
                    f'fill="{BAND_COLOUR}" fill-opacity="0.18"/>'
                )
            else:
                parts.append(
                    f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 18:.1f}" y2="{y:.1f}" '
                    f"{_stroke(item.index)}/>"
                )
            parts.append(f'<text x="{x + 22:.1f}" y="{y + 4:.1f}">{escape(item.name)}</text>')
    parts.append("</g>")
    return parts


def _stroke(index: int) -> str:
    colour = COLOURS[index % len(COLOURS)]
    dash = DASHES[index % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return f'stroke="{colour}" stroke-width="2" fill="none"{dash_attr}'


# ---------------------------------------------------------------- axes


def _y_axis(scale: _Scale, ticks: list[float], y_label: str) -> list[str]:
    layout = scale.layout
    parts = ['<g class="chart-axis chart-y-axis">']
    for tick in ticks:
        y = scale.y(tick)
        parts.append(
            f'<line x1="{layout.left:.1f}" y1="{y:.1f}" x2="{layout.right:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{layout.left - 4:.1f}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_number(tick))}</text>"
        )
    zero = scale.y(0.0)
    parts.append(
        f'<line x1="{layout.left:.1f}" y1="{zero:.1f}" x2="{layout.right:.1f}" y2="{zero:.1f}" '
        f'stroke="#888" stroke-width="1"/>'
    )
    if y_label:
        middle = (layout.top + layout.bottom) / 2
        parts.append(
            f'<text class="chart-y-label" x="12" y="{middle:.1f}" text-anchor="middle" '
            f'transform="rotate(-90 12 {middle:.1f})">{escape(y_label)}</text>'
        )
    parts.append("</g>")
    return parts


def _x_axis(scale: _Scale, x_labels: Sequence[str]) -> list[str]:
    layout = scale.layout
    count = len(x_labels)
    every = max(1, math.ceil(count / MAX_X_LABELS))
    shown = list(range(0, count, every))
    if shown[-1] != count - 1 and count - 1 - shown[-1] >= every / 2:
        shown.append(count - 1)
    parts = [
        '<g class="chart-axis chart-x-axis">',
        (
            f'<line x1="{layout.left:.1f}" y1="{layout.bottom:.1f}" x2="{layout.right:.1f}" '
            f'y2="{layout.bottom:.1f}" stroke="#888" stroke-width="1"/>'
        ),
    ]
    for index in shown:
        x = scale.x(index)
        anchor = "start" if index == 0 and count > 1 else "end" if index == count - 1 else "middle"
        parts.append(
            f'<line x1="{x:.1f}" y1="{layout.bottom:.1f}" x2="{x:.1f}" '
            f'y2="{layout.bottom + 4:.1f}" stroke="#888" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{layout.bottom + 16:.1f}" text-anchor="{anchor}">'
            f"{escape(x_labels[index])}</text>"
        )
    parts.append("</g>")
    return parts


# ---------------------------------------------------------------- data


def _runs(values: Values) -> list[list[int]]:
    """Indexes of consecutive known values; a None (or NaN) ends a run."""
    runs: list[list[int]] = []
    current: list[int] = []
    for index, value in enumerate(values):
        if _finite(value):
            current.append(index)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _band_svg(scale: _Scale, band: tuple[Values, Values]) -> list[str]:
    low, high = band
    both = [h if _finite(lo) and _finite(h) else None for lo, h in zip(low, high, strict=True)]
    parts = ['<g class="chart-band">']
    for run in _runs(both):
        upper = [(scale.x(i), scale.y(float(high[i] or 0.0))) for i in run]
        lower = [(scale.x(i), scale.y(float(low[i] or 0.0))) for i in reversed(run)]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower)
        parts.append(
            f'<polygon points="{points}" fill="{BAND_COLOUR}" fill-opacity="0.18" stroke="none"/>'
        )
    parts.append("</g>")
    return parts


def _series_svg(
    scale: _Scale, index: int, name: str, values: Values, x_labels: Sequence[str], *, step: bool
) -> list[str]:
    colour = COLOURS[index % len(COLOURS)]
    parts = [f'<g class="chart-series chart-series-{index}" data-series="{escape(name)}">']
    for run in _runs(values):
        points: list[tuple[float, float]] = []
        for position, i in enumerate(run):
            x, y = scale.x(i), scale.y(float(values[i] or 0.0))
            if step and position > 0:
                points.append((x, points[-1][1]))
            points.append((x, y))
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" {_stroke(index)}/>')
    radius = 2.5 if len(values) <= 60 else 1.6
    for i, value in enumerate(values):
        if not _finite(value):
            continue
        known = float(value or 0.0)
        parts.append(
            f'<circle class="chart-point" cx="{scale.x(i):.1f}" cy="{scale.y(known):.1f}" '
            f'r="{radius}" fill="{colour}"><title>{escape(name)}, {escape(x_labels[i])}: '
            f"{escape(_number(known))}</title></circle>"
        )
    parts.append("</g>")
    return parts


def _marker_svg(scale: _Scale, marker: tuple[int, str]) -> list[str]:
    index, text = marker
    layout = scale.layout
    x = scale.x(index)
    anchor = "end" if x > (layout.left + layout.right) / 2 else "start"
    offset = -3 if anchor == "end" else 3
    return [
        '<g class="chart-marker">',
        (
            f'<line x1="{x:.1f}" y1="{layout.top:.1f}" x2="{x:.1f}" y2="{layout.bottom:.1f}" '
            f'stroke="#444" stroke-width="1" stroke-dasharray="3 3"/>'
        ),
        (
            f'<text x="{x + offset:.1f}" y="{layout.top + FONT_SIZE:.1f}" '
            f'text-anchor="{anchor}">{escape(text)}</text>'
        ),
        "</g>",
    ]
