"""The workbench in a real browser: sign in, the ranked queue, approve a transfer and
find it in the audit view, reject with (and without) a reason, bulk approval within the
buyer's limits, and a planner who never sees supplier cost in the page."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select

from crossdock.adapters.db.tables import approvals, recommendations
from tests.browser.conftest import Workbench, screenshot, sign_in

pytestmark = pytest.mark.slow


def _money_down_the_page(page: Page) -> list[float]:
    return page.locator("#queue tbody tr[data-money-at-risk]").evaluate_all(
        "rows => rows.map(row => parseFloat(row.dataset.moneyAtRisk))"
    )


def _row(workbench: Workbench, ident: int) -> dict:
    engine = create_engine(workbench.database_url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                select(recommendations).where(recommendations.c.id == ident)
            ).one()
            given = connection.execute(
                select(approvals).where(approvals.c.recommendation_id == ident)
            ).all()
    finally:
        engine.dispose()
    return {**found._mapping, "approvals": len(given)}


def test_signing_in_shows_the_queue_most_money_at_risk_first(page: Page):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    screenshot(page, "login")
    sign_in(page, "planner")
    expect(page.get_by_test_id("who")).to_have_text("planner (planner)")
    first = _money_down_the_page(page)
    assert len(first) == 50
    assert first == sorted(first, reverse=True)
    screenshot(page, "queue")
    page.click("a[rel=next]")
    second = _money_down_the_page(page)
    assert second
    assert second == sorted(second, reverse=True)
    assert second[0] <= first[-1]
    assert not [text for text in console if "Content Security Policy" in text], console


def test_a_wrong_password_is_refused_on_the_sign_in_page(page: Page):
    page.goto("/login")
    page.fill("#username", "planner")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_have_text("wrong user name or password")


def test_a_planner_approves_a_transfer_and_the_auditor_finds_it_in_the_audit_view(
    page: Page, workbench: Workbench
):
    sign_in(page, "planner")
    page.goto("/queue?kind=transfer")
    row = page.locator("#queue tbody tr[data-status=pending_approval]:has(button.approve)").first
    ident = row.get_attribute("data-id")
    row.locator("button.approve").click()
    swapped = page.locator(f"#rec-{ident}")
    expect(swapped).to_have_attribute("data-status", "approved")
    expect(swapped.locator(".message.ok")).to_have_text("approve: pending_approval → approved")
    expect(swapped.locator("button.approve")).to_have_count(0)
    assert _row(workbench, int(ident))["status"] == "approved"

    page.click("text=Sign out")
    expect(page).to_have_url(re.compile(r"/login"))
    sign_in(page, "auditor")
    page.goto("/audit")
    entry = page.locator(f'#audit tr[data-event="approve"][data-recommendation="{ident}"]')
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("planner")
    expect(entry).to_contain_text("pending_approval → approved")
    screenshot(page, "audit")
    page.fill("input[name=recommendation_id]", ident)
    page.click("form.filters button")
    trail = page.locator("#audit tbody tr").evaluate_all(
        "rows => rows.map(row => [row.dataset.recommendation, row.dataset.event])"
    )
    assert trail == [[ident, "approve"], [ident, "request_approval"], [ident, "created"]]


def test_rejecting_needs_a_reason_and_then_rejects(page: Page, workbench: Workbench):
    sign_in(page, "planner")
    page.goto("/queue?kind=transfer")
    row = page.locator("#queue tbody tr[data-status=pending_approval]:has(button.reject)").last
    ident = row.get_attribute("data-id")
    row.locator("button.reject").click()
    refused = page.locator(f"#rec-{ident} .message.refused")
    expect(refused).to_contain_text("a reason is required to reject")
    expect(page.locator(f"#rec-{ident}")).to_have_attribute("data-status", "pending_approval")
    assert _row(workbench, int(ident))["status"] == "pending_approval"

    again = page.locator(f"#rec-{ident}")
    again.locator(".reject-form input[name=reason]").fill(
        "the branch has stock coming from a customer return"
    )
    again.locator(".reject-form select[name=reason_code]").select_option("demand_knowledge")
    again.locator("button.reject").click()
    expect(page.locator(f"#rec-{ident}")).to_have_attribute("data-status", "rejected")
    stored = _row(workbench, int(ident))
    assert stored["status"] == "rejected"
    assert stored["status_reason"] == "the branch has stock coming from a customer return"


def test_bulk_approval_stays_within_the_buyers_limits(page: Page, workbench: Workbench):
    sign_in(page, "buyer")
    page.goto("/queue?kind=buy")
    pending = "#queue tbody tr[data-status=pending_approval]:has(input[name=ids])"
    beyond = page.locator(f'{pending}[data-second-approver="executive"]').first
    within = page.locator(f'{pending}[data-second-approver=""]').first
    beyond_id, within_id = beyond.get_attribute("data-id"), within.get_attribute("data-id")
    expect(beyond).to_contain_text("waits for buyer, then executive")
    beyond.locator("input[name=ids]").check()
    within.locator("input[name=ids]").check()
    page.click("text=Approve selected")

    result = page.locator("#bulk-result")
    expect(result).to_contain_text("approve: 1 done, 1 refused")
    expect(result.locator(f'li[data-id="{within_id}"]')).to_have_attribute("data-outcome", "done")
    refused = result.locator(f'li[data-id="{beyond_id}"]')
    expect(refused).to_have_attribute("data-outcome", "refused")
    expect(refused).to_contain_text("needs a second approval by executive")
    screenshot(page, "queue-bulk")
    assert _row(workbench, int(within_id))["status"] == "approved"
    assert _row(workbench, int(beyond_id))["status"] == "pending_approval"
    assert _row(workbench, int(beyond_id))["approvals"] == 0


def _supplier_cost_figures(row: dict) -> set[str]:
    """The supplier cost a recommendation carries, as the pages would print it."""
    figures = [float(row["order_value"]), float(row["purchase_cost"])]
    figures.append(float(json.loads(row["drivers"])["supplier"]["unit_price"]))
    figures += [float(o["purchase"]) for o in json.loads(row["alternatives"]) if o["purchase"]]
    return {form for f in figures if f >= 1 for form in (f"{f:,.2f}", f"{f:.2f}", f"{f:.4f}")}


def _shows(html: str, figure: str) -> bool:
    return re.search(rf"(?<![\d.,]){re.escape(figure)}(?![\d])", html) is not None


def test_a_planner_never_sees_supplier_cost_anywhere_in_the_page(page: Page, workbench: Workbench):
    engine = create_engine(workbench.database_url)
    with engine.connect() as connection:
        ident = connection.execute(
            select(recommendations.c.id)
            .where(recommendations.c.kind == "buy", recommendations.c.order_value.is_not(None))
            .order_by(recommendations.c.order_value.desc())
            .limit(1)
        ).scalar_one()
    engine.dispose()
    figures = _supplier_cost_figures(_row(workbench, ident))

    sign_in(page, "planner")
    page.goto("/queue?kind=buy")
    queue_html = page.content()
    page.goto(f"/recommendations/{ident}")
    expect(page.locator("#options")).to_contain_text("masked")
    detail_html = page.content()
    screenshot(page, "recommendation-planner")
    for html in (queue_html, detail_html):
        leaked = sorted(figure for figure in figures if _shows(html, figure))
        assert leaked == []

    page.click("text=Sign out")
    sign_in(page, "buyer")
    page.goto(f"/recommendations/{ident}")
    buyer_html = page.content()
    screenshot(page, "recommendation")
    order_value = float(_row(workbench, ident)["order_value"])
    assert _shows(buyer_html, f"{order_value:,.2f}")  # the same check finds what a buyer sees


def test_a_planner_modifies_a_transfer_on_its_queue_row_and_reads_the_exceptions(
    page: Page, workbench: Workbench
):
    sign_in(page, "planner")
    page.goto("/queue?kind=transfer")
    row = page.locator("#queue tbody tr[data-status=pending_approval]:has(details.modify-row)")
    row = row.last  # the approve test above takes the first
    ident = row.get_attribute("data-id")
    before = _row(workbench, int(ident))
    row.locator("details.modify-row summary").click()
    form = row.locator("form.modify-form")
    wanted = max(1.0, float(before["quantity"]) // 2)
    form.locator("input[name=quantity]").fill(f"{wanted:g}")
    form.locator("input[name=reason]").fill("half now, the rest with the next truck")
    form.locator("select[name=reason_code]").select_option("timing")
    form.locator("button[type=submit]").click()
    swapped = page.locator(f"#rec-{ident}")
    expect(swapped.locator(".message.ok")).to_contain_text("modify: pending_approval → ")
    after = _row(workbench, int(ident))
    assert after["approved_quantity"] == wanted
    assert after["status"] in {"modified", "approved"}
    page.click("nav >> text=Exceptions")
    expect(page.locator("h1")).to_contain_text("Exceptions")
    screenshot(page, "exceptions")
