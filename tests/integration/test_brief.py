"""`crossdock brief` end to end on SQLite and PostgreSQL: a small demo network loaded and
planned, one recommendation approved and one rejected, then the brief written for an
executive and for a planner. The files are checked as a reader's tools would read them
(HTML parser, XML parser, Markdown image links) and the figures against plain SQL."""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.entrypoints.api import create_app
from crossdock.entrypoints.cli.app import app
from crossdock.entrypoints.cli.context import State
from crossdock.service_layer.demo_governance import DEMO_PASSWORD
from crossdock.service_layer.work_queue import OPEN_STATUSES
from tests.conftest import require
from tests.integration.conftest import POSTGRES_ADMIN_URL

runner = CliRunner()
OPEN = ", ".join(f"'{status.value}'" for status in OPEN_STATUSES)


@dataclass
class Network:
    url: str
    out: Path

    def cli(self, *args: str) -> Any:
        done = runner.invoke(app, ["--database-url", self.url, *args])
        assert done.exit_code == 0, f"{args}: {done.stdout}{done.stderr}"
        return done

    def brief(self, user: str) -> tuple[dict[str, Any], Path, Path]:
        folder = self.out / user
        done = self.cli("brief", "--as", user, "--out", str(folder), "--json")
        printed = json.loads(done.stdout)
        return printed["brief"], Path(printed["files"]["html"]), Path(printed["files"]["markdown"])

    def sql(self, query: str) -> list[Any]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(text(query)).all())
        finally:
            engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def network(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Network]:
    """The demo network to yesterday, planned today; one transfer approved by the planner
    and one rejected, so the agents' week has decisions. Built once per database for the
    tests of this module, which only read it."""
    folder = tmp_path_factory.mktemp("brief")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{folder / 'crossdock.db'}"
        else:
            url = stack.enter_context(_postgres_database())
        monkeypatch = stack.enter_context(pytest.MonkeyPatch.context())
        monkeypatch.setenv("CROSSDOCK_MODE", "demo")  # the demo logins, one per role
        stack.callback(setattr, State, "database_url", None)  # the CLI's global option
        yield _planned_and_decided(Network(url=url, out=folder / "briefs"))


def _planned_and_decided(given: Network) -> Network:
    today = datetime.now(UTC).date()
    given.cli("init")
    given.cli("demo", "--skus", "25", "--days", "90", "--end-date", str(today - timedelta(days=1)))
    given.cli("plan", "--as-of", str(today))
    transfers = given.sql(
        "SELECT id FROM recommendations WHERE status = 'pending_approval' "
        "AND kind = 'transfer' ORDER BY id"
    )
    assert len(transfers) >= 2, "the demo plan proposes transfers for the planner"
    given.cli("recommendations", "approve", str(transfers[0].id), "--as", "planner")
    given.cli(
        "recommendations", "reject", str(transfers[1].id), "--as", "planner",
        "--reason-code", "demand_knowledge", "--reason", "the customer moved the order",
    )  # fmt: skip
    return given


@contextmanager
def _postgres_database() -> Iterator[str]:
    """A new PostgreSQL database for the module (skipped when none is reachable)."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"crossdock_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        require(condition=False, reason=f"PostgreSQL not reachable: {error.orig}")
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class _Page(HTMLParser):
    """Tags, attribute values and text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [value or "" for _, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _money(value: float) -> str:
    return f"{value:,.2f}"


@pytest.mark.slow
def test_the_brief_is_self_contained_and_its_figures_are_the_databases(network: Network):
    brief, html, markdown = network.brief("executive")

    # both files, named by the week, the week and the time stated
    week = brief["week_ending"]
    assert html.name == f"brief-{week}.html"
    assert markdown.name == f"brief-{week}.md"
    page = _parsed(html)
    content = html.read_text(encoding="utf-8")
    assert f"{brief['week_start']} to {week}" in "".join(page.text)
    assert datetime.fromisoformat(brief["made_at"]).strftime("%Y-%m-%d %H:%M") in content
    # self-contained: inline SVG charts, no scripts, no addresses to fetch
    assert page.tags.count("svg") == len(brief["charts"]) == 4
    assert "script" not in page.tags
    assert not {"link", "img", "iframe", "object"} & set(page.tags)
    assert not re.search(r"https?://", content)
    assert not any(value.startswith(("http", "//")) for value in page.attributes)

    # the top risk is the open recommendation with the most money at risk
    (largest,) = network.sql(
        f"SELECT MAX(do_nothing_cost) FROM recommendations WHERE status IN ({OPEN})"
    )
    top = brief["top_risks"][0]
    assert top["money_at_risk"] == pytest.approx(float(largest[0]), abs=0.005)
    assert f">{_money(top['money_at_risk'])}<" in content
    (opened,) = network.sql(
        f"SELECT COUNT(*), SUM(do_nothing_cost) FROM recommendations WHERE status IN ({OPEN})"
    )
    assert brief["open_recommendations"] == opened[0]
    assert brief["open_money_at_risk"] == pytest.approx(float(opened[1]), abs=0.01)
    assert len(brief["top_risks"]) == min(10, opened[0])

    # decisions pending by approver: the roles each pending one's routing names
    expected: dict[str, int] = {}
    for (routing,) in network.sql(
        "SELECT routing FROM recommendations WHERE status = 'pending_approval'"
    ):
        for role in json.loads(routing)["approver_roles"]:
            expected[role] = expected.get(role, 0) + 1
    assert expected, "the demo plan leaves decisions pending"
    assert {q["approver"]: q["waiting"] for q in brief["pending_by_approver"]} == expected

    # the agents' week: the plan's proposals of today and the two decisions made on them
    (created,) = network.sql("SELECT COUNT(*) FROM audit_ledger WHERE event = 'created'")
    plan = next(a for a in brief["agents"] if a["agent"] == "agent:replenishment")
    assert plan["proposed"] == created[0]
    assert (plan["approved"], plan["rejected"]) == (1, 1)
    assert "no outcomes scored yet: run `crossdock outcomes score`" in brief["missing"]

    # the Markdown's charts are SVG files beside it
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown.read_text(encoding="utf-8"))
    assert len(links) == len(brief["charts"])
    for link in links:
        chart = markdown.parent / link
        assert chart.is_file(), link
        assert ET.parse(chart).getroot().tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.slow
def test_a_planner_s_brief_hides_supplier_cost_an_executive_s_shows_it(network: Network):
    executive, executive_html, executive_md = network.brief("executive")
    planner, planner_html, planner_md = network.brief("planner")

    # the same risks, ranked the same, for both
    ids = [risk["recommendation_id"] for risk in executive["top_risks"]]
    assert ids == [risk["recommendation_id"] for risk in planner["top_risks"]]
    valued = [risk for risk in executive["top_risks"] if risk["order_value"] is not None]
    assert valued, "the top risks include purchases with an order value"
    values = dict(
        network.sql(
            "SELECT id, order_value FROM recommendations WHERE id IN "
            f"({', '.join(str(risk['recommendation_id']) for risk in valued)})"
        )
    )
    for risk in valued:
        assert risk["order_value"] == pytest.approx(float(values[risk["recommendation_id"]]))
    # the executive sees order values and stock at cost; the planner sees neither
    assert all(risk["order_value"] is None for risk in planner["top_risks"])
    assert all(risk["order_value_masked"] for risk in planner["top_risks"])
    stock_value = next(k for k in executive["kpis"] if k["key"] == "stock_value")
    assert stock_value["this_week"] is not None
    assert next(k for k in planner["kpis"] if k["key"] == "stock_value")["this_week"] is None
    assert all(agent["proposed_order_value"] is None for agent in planner["agents"])
    assert executive["masked"] == []
    assert planner["masked"]
    for risk in valued:
        shown = f">{_money(risk['order_value'])}<"
        assert shown in executive_html.read_text(encoding="utf-8")
        assert shown not in planner_html.read_text(encoding="utf-8")
        assert f"| {_money(risk['order_value'])} |" in executive_md.read_text(encoding="utf-8")
        assert _money(risk["order_value"]) not in planner_md.read_text(encoding="utf-8")
    assert _money(stock_value["this_week"]) not in planner_html.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_api_serves_the_same_brief_and_refuses_a_stranger(network: Network):
    printed, _, _ = network.brief("buyer")
    wired = bootstrap(Settings(database_url=network.url, mode="demo"))
    try:
        with TestClient(create_app(wired)) as client:
            token = client.post(
                "/api/v1/auth/token", data={"username": "buyer", "password": DEMO_PASSWORD}
            ).json()["access_token"]
            answer = client.get(
                "/api/v1/brief",
                params={"week_ending": printed["week_ending"]},
                headers={"Authorization": f"Bearer {token}"},
            )
            stranger = client.get("/api/v1/brief")
    finally:
        wired.engine.dispose()

    assert answer.status_code == 200, answer.text
    served = answer.json()
    assert served["made_for"] == "buyer"
    for section in ("kpis", "top_risks", "pending_by_approver", "agents", "exceptions_by_kind"):
        assert served[section] == printed[section], section
    assert stranger.status_code == 401
