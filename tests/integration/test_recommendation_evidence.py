"""A recommendation's evidence on a real SQLite store holding the demo network and one
plan run: the numbers behind the page's charts are the stored data's, and the page
draws them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crossdock.adapters.db.evidence_reads import SqlEvidenceReads
from crossdock.adapters.db.tables import canonical_tables, recommendations
from crossdock.demo import DemoOptions
from crossdock.governance.access import Principal, Role
from crossdock.service_layer.demo import load_demo_network
from crossdock.service_layer.planning import plan
from crossdock.service_layer.recommendation_evidence import (
    RecommendationEvidence,
    recommendation_evidence,
)
from tests.integration.workbench_fixtures import PASSWORD, Workbench, open_workbench

pytestmark = pytest.mark.slow

DEMO_END = date(2026, 11, 20)
AS_OF = date(2026, 11, 21)
PLANNER = Principal(username="pat", kind="person", roles=frozenset({Role.PLANNER}))
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    folder: Path = tmp_path_factory.mktemp("evidence")
    with open_workbench(f"sqlite:///{folder / 'crossdock.db'}", people=("pat",)) as bench:
        options = DemoOptions(skus=12, warehouses=4, days=120, seed=5, end_date=DEMO_END)
        load_demo_network(options, store=bench.wired.store)
        plan(bench.wired.store, as_of=AS_OF)
        yield bench


def _first(bench: Workbench, *kinds: str) -> int:
    query = (
        select(func.min(recommendations.c.id))
        .where(recommendations.c.kind.in_(kinds))
        .where(recommendations.c.expected_arrival_date.is_not(None))
    )
    with bench.wired.engine.connect() as connection:
        found = connection.execute(query).scalar()
    if found is None:
        pytest.fail(f"the demo plan proposed no {' or '.join(kinds)}")
    return int(found)


def _evidence(bench: Workbench, recommendation_id: int) -> RecommendationEvidence:
    reads = SqlEvidenceReads(bench.wired.engine)
    return recommendation_evidence(reads, actor=PLANNER, recommendation_id=recommendation_id)


def _stored(bench: Workbench, recommendation_id: int) -> dict[str, object]:
    with bench.wired.engine.connect() as connection:
        row = connection.execute(
            select(recommendations).where(recommendations.c.id == recommendation_id)
        ).mappings()
        return dict(row.one())


@pytest.mark.parametrize("kinds", [("buy",), ("transfer", "rebalance")])
def test_with_the_action_is_without_plus_its_quantity_from_the_arrival_on(planned, kinds):
    rec_id = _first(planned, *kinds)
    stored = _stored(planned, rec_id)
    evidence = _evidence(planned, rec_id)

    projection = evidence.projection
    assert projection is not None
    assert projection.with_action is not None
    arrival = stored["expected_arrival_date"]
    assert isinstance(arrival, date)
    arrives_on = max((arrival - AS_OF).days - 1, 0)
    assert projection.action_index == arrives_on
    quantity = float(stored["quantity"])  # type: ignore[arg-type]
    gaps = [w - wo for w, wo in zip(projection.with_action, projection.without_action, strict=True)]
    assert gaps[:arrives_on] == pytest.approx([0.0] * arrives_on, abs=1e-6)
    assert gaps[arrives_on:] == pytest.approx([quantity] * (len(gaps) - arrives_on), abs=1e-3)
    assert projection.dates[0] == AS_OF + timedelta(days=1)


def test_the_starting_stock_is_the_newest_count_on_or_before_the_plan_day(planned):
    rec_id = _first(planned, "buy", "transfer", "rebalance")
    stored = _stored(planned, rec_id)
    positions = canonical_tables["inventory_positions"]
    c = positions.c
    with planned.wired.engine.connect() as connection:
        newest = connection.execute(
            select(c.on_hand, c.allocated, c.on_hold)
            .where(c.sku == stored["sku"], c.location_code == stored["to_code"])
            .where(c.snapshot_at < datetime.combine(AS_OF + timedelta(days=1), time.min, UTC))
            .order_by(c.snapshot_at.desc())
            .limit(1)
        ).one()

    projection = _evidence(planned, rec_id).projection
    assert projection is not None
    on_hand, allocated, on_hold = (float(v or 0.0) for v in newest)
    assert projection.available == pytest.approx(max(on_hand - allocated - on_hold, 0.0))


def test_the_forecast_history_sums_the_stored_demand_per_week(planned):
    rec_id = _first(planned, "buy", "transfer", "rebalance")
    stored = _stored(planned, rec_id)
    demand = canonical_tables["demand_history"]
    c = demand.c
    week = AS_OF - timedelta(days=6)
    with planned.wired.engine.connect() as connection:
        last_week = connection.execute(
            select(func.coalesce(func.sum(c.quantity), 0.0)).where(
                c.sku == stored["sku"],
                c.location_code == stored["to_code"],
                c.demand_date >= week,
                c.demand_date <= AS_OF,
            )
        ).scalar_one()

    forecast = _evidence(planned, rec_id).forecast
    assert forecast is not None
    assert forecast.period_days == 7  # the plan's default weekly periods
    assert forecast.periods[forecast.today_index] == AS_OF
    assert forecast.actual[forecast.today_index] == pytest.approx(float(last_week))
    after = slice(forecast.today_index + 1, None)
    assert all(v is None for v in forecast.actual[after])
    for low, mean, high in zip(
        forecast.low[after], forecast.mean[after], forecast.high[after], strict=True
    ):
        assert low is not None
        assert mean is not None
        assert high is not None
        assert 0.0 <= low <= mean <= high


def test_lead_times_are_the_suppliers_received_lines_in_days(planned):
    rec_id = _first(planned, "buy")
    stored = _stored(planned, rec_id)
    lines, orders = canonical_tables["purchase_order_lines"], canonical_tables["purchase_orders"]
    with planned.wired.engine.connect() as connection:
        received = connection.execute(
            select(
                lines.c.po_number, lines.c.line_number, orders.c.order_date, lines.c.received_date
            )
            .join(orders, orders.c.po_number == lines.c.po_number)
            .where(
                orders.c.supplier_code == stored["from_code"],
                lines.c.sku == stored["sku"],
                lines.c.received_date <= AS_OF,
            )
        ).all()

    evidence = _evidence(planned, rec_id)
    if not received:
        assert evidence.lead_times is None or evidence.lead_times.sku is None
        return
    lead_times = evidence.lead_times
    assert lead_times is not None
    assert lead_times.supplier_code == stored["from_code"]
    expected = {(po, line): (got - ordered).days for po, line, ordered, got in received}
    shown = {(o.po_number, o.line_number): o.days for o in lead_times.observations}
    assert shown == {key: expected[key] for key in shown}
    assert len(shown) == min(len(expected), 30)


def test_a_transfer_has_no_supplier_lead_time_and_shows_its_shipping_warehouse(planned):
    rec_id = _first(planned, "transfer", "rebalance")
    stored = _stored(planned, rec_id)

    evidence = _evidence(planned, rec_id)

    assert evidence.lead_times is None
    assert evidence.lead_times_why is not None
    assert "transfer" in evidence.lead_times_why
    source = evidence.source_projection
    assert source is not None
    assert source.location_code == stored["from_code"]
    assert source.with_action is not None
    gaps = [wo - w for w, wo in zip(source.with_action, source.without_action, strict=True)]
    assert gaps == pytest.approx([float(stored["quantity"])] * len(gaps))  # type: ignore[arg-type]


def test_the_page_draws_the_three_charts_with_the_projected_numbers(planned):
    rec_id = _first(planned, "buy")
    evidence = _evidence(planned, rec_id)
    assert evidence.projection is not None
    assert evidence.projection.with_action is not None

    with TestClient(planned.client.app) as client:
        signed_in = client.post(
            "/login", data={"username": "pat", "password": PASSWORD}, follow_redirects=False
        )
        assert signed_in.status_code == 303
        page = client.get(f"/recommendations/{rec_id}")

    assert page.status_code == 200
    svgs = re.findall(r"<svg .*?</svg>", page.text, flags=re.DOTALL)
    titles = [ET.fromstring(svg).findtext(f"{SVG}title") or "" for svg in svgs]
    assert any(t.startswith("Demand per week") for t in titles)
    assert any(t.startswith("Projected on hand") for t in titles)
    assert any(t.startswith("Lead times of") for t in titles)
    (projected,) = [svg for svg in svgs if "Projected on hand" in svg]
    last_day = evidence.projection.dates[-1].isoformat()[5:]
    last_with = evidence.projection.with_action[-1]
    assert f"with the action, {last_day}: {_shown(last_with)}" in projected


def _shown(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
