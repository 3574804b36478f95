"""The workbench's inline SVG line charts: valid XML, accessible, a point per known
value, gaps for None, text escaped, y axis through zero."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from crossdock.entrypoints.web.charts import line_chart

SVG = "{http://www.w3.org/2000/svg}"
DAYS = ["11-21", "11-22", "11-23", "11-24", "11-25"]


def _parse(markup: object) -> ET.Element:
    return ET.fromstring(str(markup))


def _series_group(root: ET.Element, index: int) -> ET.Element:
    groups = [g for g in root.iter(f"{SVG}g") if f"chart-series-{index}" in g.get("class", "")]
    assert len(groups) == 1
    return groups[0]


def _points(polyline: ET.Element) -> list[tuple[float, float]]:
    pairs = polyline.get("points", "").split()
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in pairs)]


def test_is_an_accessible_svg_named_by_its_title() -> None:
    root = _parse(line_chart([("on hand", [3, 2, 1, 0, 4])], x_labels=DAYS, title="Stock"))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Stock"
    assert root.get("aria-labelledby") == title.get("id")
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert root.get("aria-describedby") == desc.get("id")
    assert "on hand" in (desc.text or "")
    assert "11-21" in (desc.text or "")


def test_draws_one_point_per_known_value_and_a_gap_for_none() -> None:
    values = [5.0, 6.0, None, 8.0, 9.0]
    root = _parse(line_chart([("forecast", values)], x_labels=DAYS))

    group = _series_group(root, 0)
    circles = group.findall(f"{SVG}circle")
    lines = group.findall(f"{SVG}polyline")
    assert len(circles) == 4
    assert len(lines) == 2  # the None splits the line in two
    assert [len(_points(line)) for line in lines] == [2, 2]
    tooltips = [c.findtext(f"{SVG}title") for c in circles]
    assert tooltips[2] == "forecast, 11-24: 8"


def test_higher_values_sit_higher_and_zero_is_on_the_axis() -> None:
    root = _parse(line_chart([("on hand", [10, 20, 30, 40, 50])], x_labels=DAYS))

    ys = [float(c.get("cy", "nan")) for c in _series_group(root, 0).findall(f"{SVG}circle")]
    assert ys == sorted(ys, reverse=True)  # SVG's y grows downwards
    xs = [float(c.get("cx", "nan")) for c in _series_group(root, 0).findall(f"{SVG}circle")]
    assert xs == sorted(xs)
    assert len(set(xs)) == 5
    tick_labels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert "0" in tick_labels  # zero is included although every value is above it
    assert not [label for label in tick_labels if label and label.startswith("-")]


def test_negative_values_extend_the_axis_below_zero() -> None:
    root = _parse(line_chart([("on hand", [4, 1, -3, -6, 2])], x_labels=DAYS))

    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert any(label and label.startswith("-") for label in labels)


def test_escapes_names_labels_and_title() -> None:
    nasty = '<script>alert("x")</script> & co'
    markup = line_chart(
        [(nasty, [1, 2, 3, 4, 5])],
        x_labels=[*DAYS[:4], "<b>"],
        title=nasty,
        y_label="units & <kg>",
        marker=(1, "<arrival>"),
    )

    assert "<script>" not in markup
    assert "<b>" not in markup
    root = _parse(markup)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert nasty in texts
    assert "<arrival>" in texts
    assert "units & <kg>" in texts
    assert root.findtext(f"{SVG}title") == nasty


def test_band_is_a_shaded_polygon_only_where_both_edges_are_known() -> None:
    low = [1.0, 2.0, None, 2.0, 3.0]
    high = [3.0, 4.0, 5.0, 6.0, 7.0]
    root = _parse(line_chart([("forecast", [2, 3, 4, 4, 5])], band=(low, high), x_labels=DAYS))

    polygons = [
        p
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "chart-band"
        for p in g.findall(f"{SVG}polygon")
    ]
    assert len(polygons) == 2
    # each polygon walks the high edge forwards and the low edge back
    assert [len(_points(p)) for p in polygons] == [4, 4]
    legend = [
        t.text
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "chart-legend"
        for t in g.iter(f"{SVG}text")
    ]
    assert legend == ["forecast", "range"]


def test_step_series_hold_each_value_until_the_next_point() -> None:
    root = _parse(line_chart([("on hand", [5, 5, 2, 2, 8])], x_labels=DAYS, step=True))

    (line,) = _series_group(root, 0).findall(f"{SVG}polyline")
    points = _points(line)
    assert len(points) == 9  # 5 points and 4 risers
    for before, riser, after in zip(points[0::2], points[1::2], points[2::2], strict=False):
        assert riser == (after[0], before[1])


def test_marker_draws_a_vertical_line_at_its_index() -> None:
    root = _parse(line_chart([("a", [1, 2, 3, 4, 5])], x_labels=DAYS, marker=(3, "arrival")))

    (group,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-marker"]
    line = group.find(f"{SVG}line")
    assert line is not None
    assert line.get("x1") == line.get("x2")
    fourth = _series_group(root, 0).findall(f"{SVG}circle")[3]
    assert line.get("x1") == fourth.get("cx")
    assert group.findtext(f"{SVG}text") == "arrival"


def test_two_series_differ_in_colour_and_dash() -> None:
    root = _parse(
        line_chart([("without", [1, 2, 3, 4, 5]), ("with", [2, 3, 4, 5, 6])], x_labels=DAYS)
    )

    first = _series_group(root, 0).find(f"{SVG}polyline")
    second = _series_group(root, 1).find(f"{SVG}polyline")
    assert first is not None
    assert second is not None
    assert first.get("stroke") != second.get("stroke")
    assert first.get("stroke-dasharray") != second.get("stroke-dasharray")


def test_shows_a_few_x_labels_not_all_of_many() -> None:
    days = [f"d{i}" for i in range(90)]
    root = _parse(line_chart([("forecast", [float(i) for i in range(90)])], x_labels=days))

    shown = [
        t.text
        for g in root.iter(f"{SVG}g")
        if "chart-x-axis" in g.get("class", "")
        for t in g.iter(f"{SVG}text")
    ]
    assert 3 <= len(shown) <= 9
    assert shown[0] == "d0"
    assert shown[-1] == "d89"


def test_no_data_says_so_and_stays_valid() -> None:
    root = _parse(line_chart([("a", [None, None])], x_labels=["x", "y"], title="Empty"))

    assert "no data" in [t.text for t in root.iter(f"{SVG}text")]
    assert not list(root.iter(f"{SVG}circle"))


def test_same_arguments_give_the_same_svg_and_distinct_charts_distinct_ids() -> None:
    one = line_chart([("a", [1, 2])], x_labels=["x", "y"], title="One")
    again = line_chart([("a", [1, 2])], x_labels=["x", "y"], title="One")
    other = line_chart([("a", [1, 3])], x_labels=["x", "y"], title="One")

    assert one == again
    ids = {re.search(r'id="([^"]+)-title"', str(m)).group(1) for m in (one, other)}  # type: ignore[union-attr]
    assert len(ids) == 2


def test_refuses_a_series_longer_than_its_labels() -> None:
    with pytest.raises(ValueError, match="'a' has 3 values for 2 x labels"):
        line_chart([("a", [1, 2, 3])], x_labels=["x", "y"])
    with pytest.raises(ValueError, match="marker index 5"):
        line_chart([("a", [1, 2])], x_labels=["x", "y"], marker=(5, "late"))
