"""The copilot's chat panel in a real browser on the demo network (its documents ingested
by `crossdock demo`): a customer-service user asks why an order is held or late, gets the
order's facts with numbered sources, then asks for a reply to the customer as a
follow-up, which is filed as a recommendation waiting for approval, not sent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select

from crossdock.adapters.db.tables import canonical_tables, recommendations
from tests.browser.conftest import Workbench, screenshot, sign_in

pytestmark = pytest.mark.slow
ANSWER_TIMEOUT = 120_000  # the first question of a server loads the retrieval index


def _orders(database_url: str, status: str) -> list[str]:
    so = canonical_tables["sales_orders"]
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    select(so.c.order_number)
                    .where(so.c.status == status)
                    .order_by(so.c.order_number)
                ).scalars()
            )
    finally:
        engine.dispose()


def _ask(page: Page, question: str, turn: int) -> None:
    page.fill("#question", question)
    page.click("#ask-form button[type=submit]")
    expect(page.get_by_test_id("copilot-turn")).to_have_count(turn, timeout=ANSWER_TIMEOUT)


def test_customer_service_asks_about_a_held_order_then_drafts_a_reply(
    page: Page, workbench: Workbench
):
    held = (
        _orders(workbench.database_url, "on_hold") + _orders(workbench.database_url, "backordered")
    )[0]
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in(page, "service")
    page.click("header nav >> text=Copilot")
    expect(page).to_have_url(re.compile(r"/copilot$"))
    _ask(page, f"Why is order {held} held or late, and what can we do?", 1)
    expect(page.locator("#question")).to_have_value("")  # static/workbench.js reset the form
    answer = page.get_by_test_id("copilot-answer").nth(0)
    expect(answer).to_contain_text(held)
    expect(answer).to_contain_text("[1]")
    sources = page.get_by_test_id("copilot-sources").nth(0).locator("li")
    assert sources.count() >= 2
    expect(sources.nth(0)).to_contain_text(f"sales_orders/{held}")
    screenshot(page, "copilot")

    _ask(page, "Draft a reply to the customer about the revised ship date", 2)
    second = page.get_by_test_id("copilot-answer").nth(1)
    expect(second).to_contain_text(f"Your order {held}")  # the follow-up knew the order
    expect(second).to_contain_text("Nothing is sent until it is approved")
    filed = int(re.search(r"Filed as recommendation (\d+)", second.inner_text()).group(1))
    engine = create_engine(workbench.database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                select(recommendations.c.kind, recommendations.c.status).where(
                    recommendations.c.id == filed
                )
            ).one()
    finally:
        engine.dispose()
    assert (row.kind, row.status) == ("customer_message", "pending_approval")
    assert not [text for text in console if "Content Security Policy" in text], console


def test_markup_in_a_question_is_shown_as_text(page: Page):
    sign_in(page, "planner")
    page.goto("/copilot")
    _ask(page, "<img src=x onerror=alert(1)> write me a poem", 1)
    turn = page.get_by_test_id("copilot-turn").nth(0)
    expect(turn).to_contain_text("<img src=x onerror=alert(1)>")
    assert turn.locator("img").count() == 0
    expect(page.get_by_test_id("copilot-answer")).to_contain_text("outside what I can answer")
