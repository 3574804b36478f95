"""A real Crossdock for the browser tests: `crossdock serve` on a fresh SQLite database
with the demo network (demo logins, demo approval policy) and one plan run, driven by
Playwright through Debian's Chromium at /usr/bin/chromium.

`scripts/test.sh` installs Chromium when it is missing and it can (root); otherwise
these tests skip locally and fail under CI=true. Screenshots of every main page are
written to test-artifacts/screenshots/ for CI to keep."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, require
from tests.helpers import http_status, run_crossdock, serving

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
DEMO_PASSWORD = "crossdock-demo"
# a fixed calendar, so the demo network and its plan are the same on every run
DEMO_END = "2026-11-20"
PLAN_AS_OF = "2026-11-21"


@dataclass(frozen=True)
class Workbench:
    base: str
    database_url: str


def _run(env: dict[str, str], *args: str) -> None:
    done = run_crossdock(*args, env=env, timeout=600)
    assert done.returncode == 0, f"crossdock {' '.join(args)}: {done.stdout}\n{done.stderr}"


@pytest.fixture(scope="session")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    """`crossdock serve` on the demo network with a plan's recommendations waiting."""
    folder = tmp_path_factory.mktemp("workbench")
    database_url = f"sqlite:///{folder / 'crossdock.db'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_DATABASE_URL=database_url, CROSSDOCK_MODE="demo", COLUMNS="200")
    _run(env, "init")
    _run(env, "demo", "--skus", "40", "--days", "120", "--end-date", DEMO_END)
    _run(env, "plan", "--as-of", PLAN_AS_OF, "--top", "0")
    # the worker stays off: the queue holds still while tested
    with serving(["serve", "--no-worker"], env=env, log=folder / "serve.log") as base:
        status = http_status(f"{base}/login")
        assert status == 200, (
            f"GET /login answered {status}: the workbench is not mounted "
            "(create_app must call crossdock.entrypoints.web.mount_workbench)"
        )
        yield Workbench(base=base, database_url=database_url)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    require(CHROMIUM.exists(), f"no Chromium at {CHROMIUM} (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, workbench: Workbench):  # type: ignore[no-untyped-def]
    """A fresh browser context per test: no cookies carried between tests."""
    context = chromium.new_context(base_url=workbench.base, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/queue**")


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
