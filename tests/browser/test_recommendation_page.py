"""The recommendation page in a real browser: its evidence charts (the forecast with its
range, projected stock without and with the action, the supplier's lead times) are
drawn, named by their titles, and screenshotted."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, func, select

from crossdock.adapters.db.tables import recommendations
from tests.browser.conftest import Workbench, screenshot, sign_in

pytestmark = pytest.mark.slow


def _first_buy(workbench: Workbench) -> int:
    engine = create_engine(workbench.database_url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                select(func.min(recommendations.c.id)).where(recommendations.c.kind == "buy")
            ).scalar()
    finally:
        engine.dispose()
    assert found is not None, "the demo plan proposed no buy"
    return int(found)


def test_a_buy_shows_its_forecast_projection_and_lead_time_charts(page: Page, workbench):
    ident = _first_buy(workbench)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in(page, "planner")

    page.goto(f"/recommendations/{ident}")

    expect(page.get_by_role("heading", name=re.compile(r"^Evidence"))).to_be_visible()
    for test_id, title in (
        ("forecast-chart", r"^Demand per week at \S+: actual and forecast$"),
        ("projection-chart", r"^Projected on hand at \S+, by day$"),
        ("lead-time-chart", r"^Lead times of \S+ \(.+\), by day received$"),
    ):
        figure = page.get_by_test_id(test_id)
        chart = figure.get_by_role("img", name=re.compile(title))
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 300
        assert box["height"] > 80
        assert chart.locator("circle.chart-point").count() > 1
    projection = page.get_by_test_id("projection-chart")
    expect(projection.locator("g.chart-legend")).to_contain_text("with the action")
    expect(projection.locator("g.chart-marker")).to_contain_text("arrival")
    expect(page.get_by_test_id("forecast-chart").locator("g.chart-band polygon")).not_to_have_count(
        0
    )
    screenshot(page, "recommendation-evidence")
    # the charts and the page draw without inline styles: the CSP refuses none
    assert not [text for text in console if "Content Security Policy" in text], console
