"""The dashboards in a real browser on the demo network: the KPI tiles with their trend
lines, the network diagram and its tables, and agent activity, each as the API gives it
to the same person; a planner sees supplier cost masked. A screenshot of each page is
saved for CI."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, PLAN_AS_OF, screenshot, sign_in

pytestmark = pytest.mark.slow


def _api(page: Page, username: str, path: str) -> dict:
    token = page.request.post(
        "/api/v1/auth/token", form={"username": username, "password": DEMO_PASSWORD}
    )
    assert token.ok, token.text()
    answer = page.request.get(
        f"/api/v1{path}", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert answer.ok, answer.text()
    return answer.json()


def test_the_kpi_dashboard_shows_figures_and_trend_lines(page: Page):
    sign_in(page, "finance")
    page.click("header nav >> text=KPIs")
    expect(page).to_have_url(re.compile(r"/kpis$"))
    page.fill("input[name=as_of]", PLAN_AS_OF)
    page.fill("input[name=weeks]", "8")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/kpis\?weeks=8&as_of={PLAN_AS_OF}"))
    kpis = _api(page, "finance", f"/kpis?weeks=8&as_of={PLAN_AS_OF}")["kpis"]
    fill_rate = kpis["fill_rate"]["value"]
    assert fill_rate is not None  # the demo has order lines in the window
    expect(page.get_by_test_id("kpi-fill_rate")).to_have_text(f"{fill_rate * 100:.1f}%")
    expect(page.get_by_test_id("kpi-stock_value")).to_have_text(
        f"{kpis['stock_value']['value']:,.2f}"
    )
    expect(page.get_by_test_id("kpi-stockouts")).to_have_text(str(kpis["stockouts"]["value"]))
    charts = page.locator("#kpis svg.chart")
    expect(charts.first).to_be_visible()
    with_figures = [
        key for key, kpi in kpis.items() if any(p["value"] is not None for p in kpi["trend"])
    ]
    assert charts.count() == len(with_figures)
    bias = kpis["forecast_bias"]
    if bias["value"] is None:  # a plan too short to backtest stores no bias: says why
        expect(page.locator("#kpi-forecast_bias")).to_contain_text(bias["why"])
    else:
        expect(page.get_by_test_id("kpi-forecast_bias")).to_have_text(f"{bias['value'] * 100:.1f}%")
    screenshot(page, "kpis")


def test_a_planner_sees_stock_value_masked_on_the_dashboard(page: Page):
    sign_in(page, "planner")
    page.goto(f"/kpis?as_of={PLAN_AS_OF}")
    expect(page.get_by_test_id("kpi-stock_value")).to_have_text("masked")
    expect(page.locator("#kpi-stock_value svg")).to_have_count(0)
    expect(page.get_by_test_id("kpi-days_of_supply")).to_contain_text("days")


def test_the_network_view_draws_every_warehouse_and_lane(page: Page):
    sign_in(page, "planner")
    page.click("header nav >> text=Network")
    page.fill("input[name=as_of]", PLAN_AS_OF)
    page.click("form.filters button[type=submit]")
    body = _api(page, "planner", f"/network?as_of={PLAN_AS_OF}")
    diagram = page.locator("svg.network")
    expect(diagram).to_be_visible()
    codes = [warehouse["code"] for warehouse in body["warehouses"]]
    expect(diagram.locator("g.warehouse")).to_have_count(len(codes))
    expect(page.locator("#warehouses tbody tr")).to_have_count(len(codes))
    for code in codes:
        expect(diagram.locator(f'g.warehouse[data-code="{code}"]')).to_be_visible()
    flows = body["transfer_flows"]
    assert flows  # the demo plan recommends transfers
    expect(page.locator("#lanes tbody tr")).to_have_count(len(flows))
    busiest = max(flows, key=lambda f: f["recommended_transfers"]["units"])
    lane = diagram.locator(f'g.lane[data-from="{busiest["from"]}"][data-to="{busiest["to"]}"]')
    expect(lane.locator("text")).to_contain_text(
        f"{busiest['recommended_transfers']['units']:,.0f} rec."
    )
    # a planner sees units, never the lanes' or warehouses' money
    expect(page.locator("#lanes .masked").first).to_be_visible()
    finance = _api(page, "finance", f"/network?as_of={PLAN_AS_OF}")["transfer_flows"]
    shown = page.content()
    for flow in finance:
        for kind in ("open_transfer_orders", "recommended_transfers"):
            if flow[kind]["value"]:
                assert f"{flow[kind]['value']:,.2f}" not in shown
    screenshot(page, "network")


def test_agent_activity_lists_every_agent(page: Page):
    sign_in(page, "supervisor")
    page.click("header nav >> text=Agents")
    expect(page).to_have_url(re.compile(r"/agents$"))
    agents = _api(page, "supervisor", "/agents")["agents"]
    rows = page.locator("#agents tbody tr")
    expect(rows).to_have_count(len(agents))
    for agent in agents:
        row = page.locator(f'#agents tr[data-agent="{agent["agent"]}"]')
        expect(row.locator('[data-field="handled"]')).to_have_text(f"{agent['handled']:,}")
        expect(row.locator('[data-field="dead_letters"]')).to_have_text(
            f"{agent['dead_letters']:,}"
        )
    expect(page.locator(".notes")).to_contain_text("--metrics-port")
    screenshot(page, "agents")
