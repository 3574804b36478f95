"""The workbench's security headers over HTTP on SQLite: every page (and htmx fragment)
carries the Content-Security-Policy, nosniff, referrer and framing headers; the JSON API
and /metrics carry nosniff only; FastAPI's own /docs page is left without a CSP (it loads
Swagger UI from a CDN). The pages themselves hold nothing the policy would block: no
inline script, no inline event handler, no `hx-on`, no `style` attribute or element. The
headers do not depend on the database, so PostgreSQL is not repeated here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from httpx import Response

from crossdock.entrypoints.web import CONTENT_SECURITY_POLICY
from tests.integration.governance_fixtures import add_plan_run, add_recommendation
from tests.integration.workbench_fixtures import PASSWORD, Workbench, open_workbench

PAGE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
PAGES = ("/queue", "/exceptions", "/kpis", "/network", "/agents", "/copilot")
ONLY_PAGE_HEADERS = ("content-security-policy", "referrer-policy", "x-frame-options")


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[tuple[Workbench, int]]:
    url = f"sqlite:///{tmp_path / 'crossdock.db'}"
    with open_workbench(url, people=("pat", "aud"), basic=True) as bench:
        plan = add_plan_run(bench.wired.engine, as_of=date(2026, 11, 18))
        ident = add_recommendation(
            bench.wired.engine, plan, kind="transfer", sku="A100", from_code="DC1",
            to_code="BR1", quantity=30.0, status="pending_approval",
        )  # fmt: skip
        yield bench, ident


def _sign_in(bench: Workbench, username: str) -> str:
    """Signs in (the session cookie stays on the client); the page's CSRF token."""
    answer = bench.client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    queue = bench.client.get("/queue")
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', queue.text)
    assert found is not None, "no CSRF token on the queue page"
    return found.group(1)


def _assert_page_headers(answer: Response, path: str) -> None:
    assert answer.headers["content-type"].startswith("text/html"), path
    for name, value in PAGE_HEADERS.items():
        assert answer.headers.get(name) == value, f"{path}: {name} is {answer.headers.get(name)!r}"


def _assert_nothing_inline(html: str, path: str) -> None:
    """What `script-src 'self'` (without 'unsafe-eval') would refuse to run and
    `style-src 'self'` (without 'unsafe-inline') would refuse to apply."""
    scripts = re.findall(r"<script\b([^>]*)>", html, re.I)
    assert scripts, f"{path}: no scripts at all (htmx and workbench.js expected)"
    assert all(re.search(r'\bsrc="/static/', attrs) for attrs in scripts), (path, scripts)
    assert not re.search(r"<[a-z][^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=", html, re.I), path
    assert "javascript:" not in html.lower(), path
    styled = re.findall(r"<[a-z][^>]*\sstyle\s*=[^>]*>|<style\b", html, re.I)
    assert not styled, (path, styled[:3])


def test_the_policy_allows_scripts_and_styles_from_this_origin_only():
    parts = (part.strip().partition(" ") for part in CONTENT_SECURITY_POLICY.split(";"))
    directives = {name: sources for name, _, sources in parts}
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_every_page_carries_the_security_headers_and_nothing_inline(bench):
    bench, ident = bench
    login = bench.client.get("/login")
    assert login.status_code == 200
    _assert_page_headers(login, "/login")
    _assert_nothing_inline(login.text, "/login")

    _sign_in(bench, "pat")
    for path in (*PAGES, f"/recommendations/{ident}"):
        answer = bench.client.get(path)
        assert answer.status_code == 200, f"{path}: {answer.status_code}"
        _assert_page_headers(answer, path)
        _assert_nothing_inline(answer.text, path)

    _sign_in(bench, "aud")
    audit = bench.client.get("/audit")
    assert audit.status_code == 200, audit.text
    _assert_page_headers(audit, "/audit")
    _assert_nothing_inline(audit.text, "/audit")


def test_refusals_and_htmx_fragments_carry_them_too(bench):
    bench, _ = bench
    csrf = _sign_in(bench, "pat")
    refused = bench.client.get("/audit")  # a planner may not read the ledger
    assert refused.status_code == 403
    _assert_page_headers(refused, "/audit as planner")

    # an htmx fragment: the copilot's turn, here refused before anything is looked up
    fragment = bench.client.post(
        "/copilot/ask",
        data={"question": " ", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 400, fragment.text
    assert 'data-testid="copilot-turn"' in fragment.text
    _assert_page_headers(fragment, "POST /copilot/ask")


def test_the_json_api_and_metrics_carry_nosniff_only(bench):
    bench, _ = bench
    answers = {
        "/api/v1/queue": bench.client.get("/api/v1/queue", headers=bench.headers("pat")),
        "/api/v1/queue (unsigned)": bench.client.get("/api/v1/queue"),
        "/metrics": bench.client.get("/metrics"),
    }
    assert answers["/api/v1/queue"].status_code == 200
    assert answers["/api/v1/queue (unsigned)"].status_code == 401
    for path, answer in answers.items():
        assert answer.headers.get("x-content-type-options") == "nosniff", path
        for name in ONLY_PAGE_HEADERS:
            assert name not in answer.headers, f"{path} carries {name}"


def test_the_static_script_is_served_as_javascript_and_swagger_ui_keeps_working(bench):
    bench, _ = bench
    script = bench.client.get("/static/workbench.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]  # nosniff needs a script type
    assert script.headers["x-content-type-options"] == "nosniff"
    assert "ask-form" in script.text
    assert "htmx:afterRequest" in script.text

    docs = bench.client.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert "content-security-policy" not in docs.headers  # its inline script must run
