"""The simulator's offline report: one self-contained HTML page and a strict JSON file."""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

import pytest

from crossdock.adapters.reports import write_simulation_report
from crossdock.adapters.reports.simulation_report import (
    LOCATION_ROWS,
    json_safe,
    render_simulation_report,
)
from crossdock.adapters.reports.svg import PALETTE, Series, bar_chart, line_chart, nice_ticks

POLICIES = ("static min/max (tuned)", "normal (s, S)", "base stock")


def policy(name: str, *, locations: int = 3, periods: int = 5) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "min_max",
        "seconds": 1.2,
        "network": {
            "fill_rate": 0.97,
            "cycle_service_level": 0.9,
            "stockout_periods": 12.0,
            "average_on_hand": 1000.0,
            "average_on_hand_value": 2500.0,
            "turns": 12.0,
            "days_of_supply": 30.0,
            "purchase_orders": 50.0,
            "transfers": 300.0,
            "expedites": 0.0,
            "lost_units": 10.0,
        },
        "costs": {
            "holding": 1000.0,
            "ordering": 2000.0,
            "transport": 3000.0,
            "expedite": 0.0,
            "shortage": 4000.0,
            "total": 10000.0,
        },
        "locations": [
            {
                "location_code": f"S{i}",
                "role": "branch",
                "fill_rate": 0.98,
                "average_on_hand": 10.0,
                "average_on_hand_value": 20.0,
                "days_of_supply": 14.0,
                "stockout_periods": 1.0,
                "total_cost": float(i),
            }
            for i in range(locations)
        ],
        "on_hand_value_by_period": [2500.0 - 10 * t for t in range(periods)],
    }


def results(names: tuple[str, ...] = POLICIES) -> dict[str, Any]:
    return {
        "title": "Dominick's orange juice: 63 stores fed by 1 DC",
        "generated_at": "2026-11-28T13:00:00+00:00",
        "settings": {
            "seed": 0,
            "bucket": "week",
            "periods": 115,
            "warmup_periods": 8,
            "lost_sales": True,
            "review_period": 1,
            "target_fill_rate": 0.97,
            "currency": "USD",
        },
        "network": {"item_locations": 704, "items": 11, "locations": 64, "dcs": 1, "branches": 63},
        "policies": [policy(name) for name in names],
        "frontier": [
            {
                "policy": name,
                "points": [
                    {
                        "target": t,
                        "fill_rate": t + 0.01,
                        "average_on_hand_value": 100.0 * (k + 1) * t,
                        "total_cost": 456.0,
                    }
                    for t in (0.9, 0.95, 0.97, 0.99)[: k + 1]
                ],
            }
            for k, name in enumerate(names)
        ],
        "series": [
            {
                "sku": "B1",
                "location_code": "S2",
                "demand": [1.0, 2.0, 0.0],
                "on_hand": {name: [3.0, 1.0, 4.0] for name in names},
            }
        ],
        "targets": [
            {
                "name": "inventory vs tuned min/max at >= 97% fill",
                "value": 0.71,
                "target": "<= 0.75",
                "met": True,
            },
            {"name": "fill rate", "value": 0.95, "target": ">= 0.97", "met": False},
        ],
    }


def section(page: str, anchor: str) -> str:
    match = re.search(rf'<section id="{anchor}">(.*?)</section>', page, re.DOTALL)
    assert match, f"no section {anchor}"
    return match.group(1)


def polylines(fragment: str) -> dict[str, int]:
    """Series name (as escaped in the page) -> number of points of its polyline."""
    found = re.findall(r'<polyline data-series="([^"]*)" points="([^"]*)"', fragment)
    return {name: len(points.split()) for name, points in found}


def test_the_page_reads_offline_without_scripts_or_links():
    page = render_simulation_report(results())
    assert page.startswith("<!DOCTYPE html>")
    for forbidden in ("http://", "https://", "<script", "url(", "@import", "<link"):
        assert forbidden not in page


def test_every_policy_name_appears_in_the_comparison_and_the_charts():
    page = render_simulation_report(results())
    heads = re.findall(r'<th scope="col">([^<]*)</th>', section(page, "policies"))
    assert heads == ["Metric", *POLICIES]
    for name in POLICIES:
        assert name in section(page, "costs")
        assert name in section(page, "frontier")
        assert name in section(page, "locations")


def test_strings_from_the_results_are_escaped_everywhere():
    data = results(("<b>bold</b> policy", "plain"))
    data["title"] = "<i>title</i>"
    data["series"][0]["sku"] = "<script>alert(1)</script>"
    data["targets"][0]["name"] = "<u>target</u>"
    page = render_simulation_report(data)
    for raw in ("<b>", "</b>", "<i>", "<u>", "<script"):
        assert raw not in page
    assert "&lt;b&gt;bold&lt;/b&gt; policy" in section(page, "policies")
    assert "&lt;b&gt;bold&lt;/b&gt; policy" in section(page, "frontier")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section(page, "series")


def test_the_frontier_has_one_line_per_policy_with_every_point():
    data = results()
    page = render_simulation_report(data)
    lines = polylines(section(page, "frontier"))
    assert lines == {c["policy"]: len(c["points"]) for c in data["frontier"]}
    assert lines == {POLICIES[0]: 1, POLICIES[1]: 2, POLICIES[2]: 3}
    markers = section(page, "frontier").count("<circle")
    assert markers == 6


def test_the_sections_come_in_the_documented_order():
    page = render_simulation_report(results())
    order = ["targets", "policies", "costs", "frontier", "inventory", "series", "locations"]
    positions = [page.index(f'<section id="{anchor}">') for anchor in order]
    assert positions == sorted(positions)
    assert page.index("<h1>") < positions[0]


def test_metrics_are_shown_as_percentages_money_and_whole_counts():
    data = results(("only",))
    data["policies"][0]["network"]["lost_units"] = 1234.6
    table = section(render_simulation_report(data), "policies")
    assert "<td>97.0%</td>" in table  # fill rate
    assert "<td>90.0%</td>" in table  # cycle service level
    assert "<td>USD 2,500</td>" in table  # average on-hand value
    assert "<td>USD 10,000</td>" in table  # total cost
    assert "<td>1,235</td>" in table  # lost units, a count
    assert "<td>300</td>" in table  # transfers


def test_targets_are_clearly_marked_met_or_missed():
    targets = section(render_simulation_report(results()), "targets")
    assert targets.count('class="text met">✓ met') == 1
    assert targets.count('class="text missed">✗ missed') == 1
    assert "1 of 2 met" in targets
    assert "&lt;= 0.75" in targets


def test_results_json_round_trips(tmp_path):
    data = results()
    json_path, html_path = write_simulation_report(data, tmp_path / "new" / "out")
    assert json_path == tmp_path / "new" / "out" / "results.json"
    assert html_path == tmp_path / "new" / "out" / "report.html"
    assert json.loads(json_path.read_text(encoding="utf-8")) == data
    assert html_path.read_text(encoding="utf-8") == render_simulation_report(data)


def test_non_finite_numbers_become_null_at_any_depth(tmp_path):
    data = results()
    data["policies"][0]["network"]["turns"] = math.inf
    data["policies"][1]["network"]["days_of_supply"] = -math.inf
    data["policies"][2]["on_hand_value_by_period"][1] = math.nan
    data["frontier"][1]["points"][0]["fill_rate"] = math.nan
    expected = copy.deepcopy(data)
    expected["policies"][0]["network"]["turns"] = None
    expected["policies"][1]["network"]["days_of_supply"] = None
    expected["policies"][2]["on_hand_value_by_period"][1] = None
    expected["frontier"][1]["points"][0]["fill_rate"] = None

    json_path, html_path = write_simulation_report(data, tmp_path)
    text = json_path.read_text(encoding="utf-8")
    assert json.loads(text) == expected
    assert '"turns": null' in text
    for word in ("NaN", "Infinity"):
        assert word not in text
    page = html_path.read_text(encoding="utf-8")
    assert not re.search(r"\b(nan|inf)\b", page, re.IGNORECASE)


def test_json_safe_accepts_tuples_and_numpy_style_scalars():
    class Scalar(float):
        pass

    assert json_safe({"a": (1, Scalar(math.nan)), 2: [True, None, "x"]}) == {
        "a": [1, None],
        "2": [True, None, "x"],
    }


@pytest.mark.parametrize(
    "missing",
    [("frontier",), ("series",), ("targets",), ("frontier", "series", "targets")],
)
def test_optional_sections_may_be_missing(missing):
    data = results()
    for key in missing:
        del data[key]
    page = render_simulation_report(data)
    for key in missing:
        assert f'<section id="{key}">' not in page
    assert '<section id="policies">' in page
    assert '<section id="costs">' in page


def test_per_policy_locations_and_inventory_are_optional():
    data = results()
    for p in data["policies"]:
        del p["locations"]
        del p["on_hand_value_by_period"]
    page = render_simulation_report(data)
    assert '<section id="locations">' not in page
    assert '<section id="inventory">' not in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"policies": []},
        {"title": "empty", "policies": [{"name": "p"}], "frontier": [], "series": []},
        {"policies": [{"name": "p", "costs": {}, "network": {}, "on_hand_value_by_period": []}]},
    ],
)
def test_sparse_results_still_render(data):
    page = render_simulation_report(data)
    assert page.rstrip().endswith("</html>")
    assert not re.search(r"\b(nan|inf)\b", page, re.IGNORECASE)


def test_inventory_over_time_has_one_line_per_policy_and_period():
    lines = polylines(section(render_simulation_report(results()), "inventory"))
    assert lines == dict.fromkeys(POLICIES, 5)


def test_each_series_charts_on_hand_per_policy_and_demand_dashed():
    fragment = section(render_simulation_report(results()), "series")
    assert polylines(fragment) == {**dict.fromkeys(POLICIES, 3), "demand": 3}
    demand = re.search(r'<polyline data-series="demand"[^>]*>', fragment)
    assert demand
    assert "stroke-dasharray" in demand.group(0)


def test_location_tables_are_collapsed_costliest_first_and_capped():
    data = results(("big", "small"))
    data["policies"][0] = policy("big", locations=LOCATION_ROWS + 5)
    data["policies"][0]["locations"][7]["total_cost"] = None
    fragment = section(render_simulation_report(data), "locations")
    big, small = fragment.split("</details>")[:2]
    assert "<details><summary>big (105 rows)</summary>" in big
    assert "<details><summary>small (3 rows)</summary>" in small
    codes = re.findall(r'<tr><td class="text">(S\d+)</td>', big)
    assert len(codes) == LOCATION_ROWS
    assert codes[:3] == ["S104", "S103", "S102"]
    assert "S7" not in codes  # no cost: sorted last, then cut
    assert f"Showing the {LOCATION_ROWS} costliest of 105 rows" in big
    assert re.findall(r'<tr><td class="text">(S\d+)</td>', small) == ["S2", "S1", "S0"]
    assert "Showing" not in small


def test_charts_survive_a_single_point_all_zeros_and_nothing():
    single = line_chart(
        [Series("one", [(0.9, 5.0)], PALETTE[0])], label="l", x_label="x", y_label="y"
    )
    zeros = line_chart(
        [Series("z", [(1, 0.0), (2, 0.0)], PALETTE[0])], label="l", x_label="x", y_label="y"
    )
    gaps = line_chart(
        [Series("gap", [(1, 1.0), (2, math.nan), (math.inf, 3.0), (None, 1.0), (4, 2.0)], "#000")],
        label="l",
        x_label="x",
        y_label="y",
        markers=True,
    )
    empty = line_chart([Series("e", [], PALETTE[0])], label="l", x_label="x", y_label="y")
    nothing = line_chart([], label="l", x_label="x", y_label="y")
    bars_zero = bar_chart(["p"], [("a", PALETTE[0])], [[0.0]], label="b", y_label="y")
    bars_empty = bar_chart([], [("a", PALETTE[0])], [], label="b", y_label="y")
    bars_grouped = bar_chart(
        ["p", "q"],
        [("a", PALETTE[0]), ("b", PALETTE[1])],
        [[1.0, -2.0], [None, 3.0]],
        label="b",
        y_label="y",
        stacked=False,
    )
    for svg in (single, zeros, gaps, empty, nothing, bars_zero, bars_empty, bars_grouped):
        assert svg.startswith("<svg")
        assert svg.endswith("</svg>")
        assert not re.search(r"\b(nan|inf)\b", svg, re.IGNORECASE)
    assert polylines(single) == {"one": 1}
    assert polylines(gaps) == {"gap": 2}
    assert gaps.count("<circle") == 2
    assert "No data to chart" in empty
    assert "No data to chart" in bars_empty


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(0.0, 0.0), (5.0, 5.0), (-3.0, 7.0), (0.0, 1e-9), (90.0, 99.0), (0.0, 123456.0)],
)
def test_ticks_are_distinct_and_cover_the_range(lo, hi):
    ticks = nice_ticks(lo, hi)
    assert len(ticks) >= 2
    assert ticks == sorted(set(ticks))
    assert ticks[0] <= lo
    assert ticks[-1] >= hi
