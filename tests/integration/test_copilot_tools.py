"""The copilot's read-only tools on a real SQLite store holding a small demo network, one
plan run and the order exception agent's proposals for a held and a backordered order:
each tool's facts are what plain SQL over the same tables says, masked by role and
limited to the reader's sites."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from crossdock.adapters.db.tables import canonical_tables, recommendations
from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.demo import DemoOptions
from crossdock.governance.access import Principal
from crossdock.service_layer.agent_handlers import order_exception
from crossdock.service_layer.copilot_tools import (
    TOOL_SPECS,
    CopilotTools,
    InvalidToolArguments,
    ToolNotAllowed,
    UnknownTool,
    tools_for,
)
from crossdock.service_layer.demo import load_demo_network
from crossdock.service_layer.planning import plan

DEMO_END = date(2026, 11, 20)
TODAY = date(2026, 11, 21)
CLOSED_ORDERS = ("shipped", "cancelled", "closed")
CLOSED_POS = ("received", "cancelled", "closed")
so, sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
to, tol = canonical_tables["transfer_orders"], canonical_tables["transfer_order_lines"]
stock, lanes = canonical_tables["inventory_positions"], canonical_tables["lanes"]
locations, suppliers = canonical_tables["locations"], canonical_tables["suppliers"]


@pytest.fixture(scope="module")
def wired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crossdock]:
    folder: Path = tmp_path_factory.mktemp("copilot")
    crossdock = bootstrap(Settings(database_url=f"sqlite:///{folder / 'crossdock.db'}"))
    crossdock.migrate()
    options = DemoOptions(skus=60, warehouses=4, days=90, seed=5, end_date=DEMO_END)
    load_demo_network(options, store=crossdock.store)
    plan(crossdock.store, as_of=TODAY)
    agent = order_exception.consumer(crossdock.agent_data)
    held = _rows(crossdock.engine, select(so).where(so.c.status == "on_hold"))[0]
    agent.handle(
        {"event_id": "T-HOLD-1", "event_type": "order_held", "source": "erp",
         "occurred_at": "2026-11-21T09:00:00+00:00", "reference": held["order_number"],
         "reason_code": held["hold_reason_site_code"]}
    )  # fmt: skip
    short = _backordered(crossdock.engine)[0]
    agent.handle(
        {"event_id": "T-BO-1", "event_type": "order_backordered", "source": "erp",
         "occurred_at": "2026-11-21T09:00:00+00:00", "reference": short["order_number"],
         "sku": short["sku"], "location_code": short["location_code"],
         "quantity": short["backordered_quantity"]}
    )  # fmt: skip
    yield crossdock
    crossdock.engine.dispose()


def _rows(engine: Engine, query: Any) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def _backordered(engine: Engine) -> list[dict[str, Any]]:
    query = (
        select(sol, so.c.location_code, so.c.status, so.c.requested_date)
        .join(so, so.c.order_number == sol.c.order_number)
        .where(sol.c.backordered_quantity > 0, so.c.status.not_in(CLOSED_ORDERS))
        .order_by(sol.c.order_number, sol.c.line_number)
    )
    return _rows(engine, query)


def person(role: str, sites: set[str] | None = None) -> Principal:
    return Principal(
        username=f"{role}-user", kind="person", roles=frozenset({role}),
        sites=None if sites is None else frozenset(sites),
    )  # fmt: skip


def tools(wired: Crossdock, who: Principal) -> CopilotTools:
    return CopilotTools(
        reads=wired.copilot_reads, queue=wired.work_queue_reads, kpi_reads=wired.kpi_reads,
        outcomes=wired.outcomes, principal=who, today=TODAY,
    )  # fmt: skip


def available(engine: Engine, sku: str, site: str) -> float:
    """On hand less on hold at the newest count, by plain SQL."""
    rows = _rows(
        engine,
        select(stock.c.on_hand, stock.c.on_hold)
        .where(stock.c.sku == sku, stock.c.location_code == site)
        .order_by(stock.c.snapshot_at.desc())
        .limit(1),
    )
    return max(float(rows[0]["on_hand"]) - float(rows[0]["on_hold"] or 0), 0.0) if rows else 0.0


def short_units(engine: Engine, line: dict[str, Any], site: str) -> float:
    """What the line lacks: backordered, or the shelf after earlier-requested lines."""
    others = _rows(
        engine,
        select(sol.c.order_number, sol.c.line_number, sol.c.ordered_quantity,
               sol.c.shipped_quantity, so.c.requested_date)
        .join(so, so.c.order_number == sol.c.order_number)
        .where(sol.c.sku == line["sku"], so.c.location_code == site,
               so.c.status.not_in(CLOSED_ORDERS)),
    )  # fmt: skip
    mine = next(o for o in others if (o["order_number"], o["line_number"]) == (
        line["order_number"], line["line_number"]))  # fmt: skip
    key = (mine["requested_date"], mine["order_number"], mine["line_number"])
    ahead = sum(
        float(o["ordered_quantity"]) - float(o["shipped_quantity"] or 0)
        for o in others
        if (o["requested_date"], o["order_number"], o["line_number"]) < key
    )
    open_units = float(mine["ordered_quantity"]) - float(mine["shipped_quantity"] or 0)
    shelf = min(max(available(engine, line["sku"], site) - ahead, 0.0), open_units)
    return min(max(float(line["backordered_quantity"] or 0), open_units - shelf), open_units)


def expected_revised_date(engine: Engine, sku: str, site: str, units: float) -> str | None:
    """The day open supply (POs and transfers into the warehouse, POs at its parent DC
    after the lane's transit) has brought `units`, overdue receipts landing today."""
    found = [
        (r["promised_date"], float(r["ordered_quantity"]) - float(r["received_quantity"] or 0))
        for r in _rows(engine, select(pol.c.promised_date, pol.c.ordered_quantity,
                                      pol.c.received_quantity)
                       .join(po, po.c.po_number == pol.c.po_number)
                       .where(pol.c.sku == sku, po.c.location_code == site,
                              po.c.status.not_in(CLOSED_POS)))
    ] + [
        (r["expected_date"], float(r["quantity"]) - float(r["received_quantity"] or 0))
        for r in _rows(engine, select(to.c.expected_date, tol.c.quantity, tol.c.received_quantity)
                       .join(to, to.c.transfer_number == tol.c.transfer_number)
                       .where(tol.c.sku == sku, to.c.to_location_code == site,
                              to.c.status.not_in(("received", "cancelled"))))
    ]  # fmt: skip
    parent = _rows(engine, select(locations.c.parent_location_code).where(
        locations.c.location_code == site))[0]["parent_location_code"]  # fmt: skip
    transit = _rows(engine, select(lanes.c.transit_days).where(
        lanes.c.from_location_code == parent, lanes.c.to_location_code == site))  # fmt: skip
    if parent and transit:
        found += [
            (r["promised_date"] + timedelta(days=int(transit[0]["transit_days"])),
             float(r["ordered_quantity"]) - float(r["received_quantity"] or 0))
            for r in _rows(engine, select(pol.c.promised_date, pol.c.ordered_quantity,
                                          pol.c.received_quantity)
                           .join(po, po.c.po_number == pol.c.po_number)
                           .where(pol.c.sku == sku, po.c.location_code == parent,
                                  po.c.status.not_in(CLOSED_POS)))
            if r["promised_date"] is not None
        ]  # fmt: skip
    landed = 0.0
    for day, left in sorted((d, u) for d, u in found if d is not None and u > 0):
        landed += left
        if landed >= units - 1e-9:
            return max(day, TODAY).isoformat()
    return None


# -- order status ------------------------------------------------------------------------


def test_an_on_hold_order_is_told_as_sql_holds_it_with_its_reason_and_proposal(wired):
    held = _rows(wired.engine, select(so).where(so.c.status == "on_hold"))[0]
    number = held["order_number"]
    result = tools(wired, person("customer_service")).call("order_status", {"order_number": number})

    assert result.found
    order = result.facts
    assert order["status"] == "on_hold"
    assert order["location_code"] == held["location_code"]
    assert order["hold_reason"] == held["hold_reason"]
    assert order["hold_code"] == held["hold_reason_site_code"]
    stored = _rows(wired.engine, select(sol).where(sol.c.order_number == number)
                   .order_by(sol.c.line_number))  # fmt: skip
    told = [
        (x["sku"], x["ordered_quantity"], x["shipped_quantity"], x["backordered_quantity"])
        for x in result.facts["lines"]
    ]
    assert told == [
        (r["sku"], r["ordered_quantity"], r["shipped_quantity"] or 0,
         r["backordered_quantity"] or 0)
        for r in stored
    ]  # fmt: skip
    for line in result.facts["lines"]:
        assert line["available"] == pytest.approx(
            available(wired.engine, line["sku"], held["location_code"])
        )
    assert f"{held['hold_reason_site_code']} = {held['hold_reason']}" in result.summary
    assert order["hold_meaning"]
    assert order["hold_meaning"] in result.summary

    proposed = _rows(wired.engine, select(recommendations.c.id).where(
        recommendations.c.scope == f"order {number}"))  # fmt: skip
    assert proposed, "the order exception agent proposed nothing for the hold"
    assert {r["id"] for r in result.facts["recommendations"]} >= {p["id"] for p in proposed}
    assert f"recommendations/{proposed[0]['id']}" in {c.ref for c in result.citations}
    assert f"sales_orders/{number}" in {c.ref for c in result.citations}


def test_the_revised_ship_date_is_when_open_supply_covers_the_short_units(wired):
    checked = 0
    for line in _backordered(wired.engine):
        site = line["location_code"]
        result = tools(wired, person("planner")).order_status(line["order_number"])
        fact = next(x for x in result.facts["lines"] if x["line_number"] == line["line_number"])
        short = short_units(wired.engine, line, site)
        assert fact["units_short"] == pytest.approx(short)
        expected = expected_revised_date(wired.engine, line["sku"], site, short)
        assert fact["revised_ship_date"] == expected
        if result.facts["revised_ship_date"] is not None:
            assert f"Revised ship date: {result.facts['revised_ship_date']}" in result.summary
        else:
            assert "Revised ship date: none yet" in result.summary
        checked += 1
    assert checked >= 3


def test_the_backordered_order_shows_the_agents_options_and_money(wired):
    short = _backordered(wired.engine)[0]
    result = tools(wired, person("customer_service")).order_status(short["order_number"])
    kinds = {r["kind"] for r in result.facts["recommendations"]}
    assert "order_exception" in kinds
    exception = next(r for r in result.facts["recommendations"] if r["kind"] == "order_exception")
    assert exception["options"]
    assert any(option["chosen"] for option in exception["options"])
    assert exception["money_at_risk"] > 0
    assert f"Recommendation #{exception['id']}" in result.summary


def test_order_numbers_resolve_by_number_and_unknown_ones_are_not_found(wired):
    number = _rows(wired.engine, select(so.c.order_number).order_by(so.c.order_number))[2][
        "order_number"
    ]
    short_form = f"SO-{int(number.split('-')[1])}"
    planner = tools(wired, person("planner"))

    assert planner.order_status(short_form).facts["order_number"] == number
    refs = planner.resolve(f"why is order {short_form.lower()} on hold and what can we do?")
    assert refs.order_numbers == (number,)
    missing = planner.order_status("SO-987654")
    assert not missing.found
    assert "No customer order SO-987654" in missing.summary
    assert planner.resolve("status of SO-987654?").unresolved == ("SO-987654",)


def test_resolve_spots_suppliers_items_warehouses_and_pos(wired):
    supplier = _rows(wired.engine, select(suppliers).order_by(suppliers.c.supplier_code))[0]
    pol_row = _rows(wired.engine, select(pol).order_by(pol.c.po_number))[0]
    planner = tools(wired, person("planner"))
    question = (
        f"which POs from supplier {supplier['name']} are at risk this week, is "
        f"{pol_row['sku']} short at BR02, and where is PO-{int(pol_row['po_number'][3:])}?"
    )
    refs = planner.resolve(question)
    assert supplier["supplier_code"] in refs.suppliers
    assert refs.skus == (pol_row["sku"],)
    assert "BR02" in refs.locations
    assert refs.po_numbers == (pol_row["po_number"],)


# -- supplier risk -----------------------------------------------------------------------


def _simple_reasons(line: dict[str, Any], on_time: float | None, received: int) -> set[str]:
    out = set()
    if line["promised_date"] is not None and line["promised_date"] < TODAY:
        out.add("overdue")
    if line["acknowledged_date"] is None and (TODAY - line["order_date"]).days > 2:
        out.add("unacknowledged")
    ack = line["acknowledged_quantity"]
    if ack is not None and ack < line["ordered_quantity"]:
        out.add("short_acknowledged")
    if on_time is not None and received >= 3 and on_time < 0.8:
        out.add("late_supplier")
    return out


def test_at_risk_po_lines_are_those_a_plain_query_finds(wired):
    horizon = TODAY + timedelta(days=7)
    planner = tools(wired, person("planner"))
    compared = 0
    for supplier in _rows(wired.engine, select(suppliers.c.supplier_code)):
        code = supplier["supplier_code"]
        lines = _rows(wired.engine, select(pol, po.c.order_date, po.c.status, po.c.location_code)
                      .join(po, po.c.po_number == pol.c.po_number)
                      .where(po.c.supplier_code == code))  # fmt: skip
        received = [x for x in lines if x["received_date"] is not None]
        promised = [x for x in received if x["promised_date"] is not None]
        on_time = (
            sum(x["received_date"] <= x["promised_date"] for x in promised) / len(promised)
            if promised else None
        )  # fmt: skip
        expected = {
            (x["po_number"], x["line_number"]): _simple_reasons(x, on_time, len(received))
            for x in lines
            if x["status"] not in CLOSED_POS
            and x["ordered_quantity"] > (x["received_quantity"] or 0)
            and (x["promised_date"] is None or x["promised_date"] <= horizon)
        }
        expected = {key: reasons for key, reasons in expected.items() if reasons}

        result = planner.supplier_po_risk(code, days=7)
        got = {(x["po_number"], x["line_number"]): x for x in result.facts["lines"]}
        assert set(expected) <= set(got), code
        for key, fact in got.items():
            codes = set(fact["reason_codes"])
            assert codes - {"promised_after_need"} == expected.get(key, set()), (code, key)
            if key not in expected:
                assert "promised_after_need" in codes
        compared += len(got)
        for fact in got.values():
            _assert_customers_short(wired, fact)
    assert compared >= 5


def _assert_customers_short(wired: Crossdock, fact: dict[str, Any]) -> None:
    pool = {fact["location_code"]} | {
        r["location_code"]
        for r in _rows(wired.engine, select(locations.c.location_code).where(
            locations.c.parent_location_code == fact["location_code"]))
    }  # fmt: skip
    for customer in fact["sales_order_lines"]:
        row = _rows(wired.engine, select(sol, so.c.location_code, so.c.status)
                    .join(so, so.c.order_number == sol.c.order_number)
                    .where(sol.c.order_number == customer["order_number"],
                           sol.c.line_number == customer["line_number"]))[0]  # fmt: skip
        assert row["sku"] == fact["sku"]
        assert row["location_code"] in pool
        assert row["status"] not in CLOSED_ORDERS
        short = short_units(wired.engine, row, row["location_code"])
        assert 0 < customer["units_short"] <= short + 1e-9


def test_lead_time_record_is_computed_from_received_lines(wired):
    code = "SUP-020"
    lines = _rows(wired.engine, select(pol, po.c.order_date).join(
        po, po.c.po_number == pol.c.po_number).where(po.c.supplier_code == code))  # fmt: skip
    days = sorted((x["received_date"] - x["order_date"]).days for x in lines if x["received_date"])
    result = tools(wired, person("buyer")).call("supplier_lead_time", {"supplier": code})
    assert result.facts["received_lines"] == len(days)
    assert result.facts["mean_lead_time_days"] == pytest.approx(sum(days) / len(days), abs=0.05)
    assert result.facts["p90_lead_time_days"] in days
    assert f"{len(days)} received PO lines" in result.summary


# -- masking and sites -------------------------------------------------------------------


def _po_prices(engine: Engine) -> set[str]:
    prices = [r["unit_price"] for r in _rows(engine, select(pol.c.unit_price)) if r["unit_price"]]
    return {f"{float(price):.4f}".rstrip("0") for price in prices if float(price) % 0.01}


def _every_tool(wired: Crossdock, who: Principal) -> list[dict[str, Any]]:
    reader = tools(wired, who)
    out = []
    for supplier in reader.master.suppliers:
        out.append(reader.call("supplier_po_risk", {"supplier": supplier.code, "days": 30}))
        out.append(reader.call("supplier_lead_time", {"supplier": supplier.code}))
    out += [
        reader.call("order_status", {"order_number": order["order_number"]})
        for order in _rows(wired.engine, select(so.c.order_number))
    ]
    out.append(reader.call("inventory_position", {"sku": "SKU-000004"}))
    out.append(reader.call("open_recommendations", {"limit": 20}))
    out.append(reader.call("kpis", {}))
    return [result.to_json() for result in out]


@pytest.mark.parametrize("role", ["customer_service", "planner"])
def test_roles_without_supplier_cost_never_receive_a_po_unit_price(wired, role):
    prices = _po_prices(wired.engine)
    assert len(prices) > 20
    results = _every_tool(wired, person(role))
    text = json.dumps(results)
    leaked = sorted(price for price in prices if price in text)
    assert leaked == []
    risky = [r for r in results if r["tool"] == "supplier_po_risk" and r["facts"].get(
        "lines")]  # fmt: skip
    assert risky
    assert all(line["purchase_price"] is None for r in risky for line in r["facts"]["lines"])
    assert "lines.0.purchase_price" in risky[0]["masked_fields"]


def test_a_buyer_sees_the_po_unit_prices_sql_holds(wired):
    result = tools(wired, person("buyer")).supplier_po_risk("SUP-020", days=30)
    lines = result.facts["lines"]
    assert lines
    for line in lines:
        stored = _rows(
            wired.engine,
            select(pol.c.unit_price).where(
                pol.c.po_number == line["po_number"], pol.c.line_number == line["line_number"]
            ),
        )
        assert line["purchase_price"] == pytest.approx(float(stored[0]["unit_price"]))  # fmt: skip
    assert "lines.0.purchase_price" not in result.masked_fields


def test_a_site_limited_planner_sees_only_their_warehouses(wired):
    held = _rows(wired.engine, select(so).where(so.c.status == "on_hold"))[0]
    elsewhere = next(c for c in ("BR01", "BR02", "BR03") if c != held["location_code"])
    local = tools(wired, person("planner", {elsewhere}))

    refused = local.order_status(held["order_number"])
    assert not refused.found
    assert "not in your sites" in refused.summary
    assert refused.facts.get("lines") is None

    position = local.inventory_position("SKU-000004")
    assert [p["location_code"] for p in position.facts["locations"]] == [elsewhere]
    assert not local.inventory_position("SKU-000004", "DC01").found
    # every PO lands at DC01 or a branch: none outside the planner's site is told
    for supplier in local.master.suppliers:
        for line in local.supplier_po_risk(supplier.code, days=60).facts.get("lines", []):
            assert line["location_code"] == elsewhere
    queue = local.open_recommendations(limit=20).facts["recommendations"]
    assert all(r["to_code"] == elsewhere for r in queue)


# -- stock, queue, KPIs ------------------------------------------------------------------


def test_inventory_position_matches_the_newest_count_and_open_supply(wired):
    sku, site = "SKU-000004", "DC01"
    result = tools(wired, person("planner")).call(
        "inventory_position", {"sku": sku, "location": site}
    )
    place = result.facts["locations"][0]
    newest = _rows(wired.engine, select(stock)
                   .where(stock.c.sku == sku, stock.c.location_code == site)
                   .order_by(stock.c.snapshot_at.desc()).limit(1))[0]  # fmt: skip
    assert place["on_hand"] == newest["on_hand"]
    assert place["allocated"] == (newest["allocated"] or 0)
    on_order = sum(
        r["ordered_quantity"] - (r["received_quantity"] or 0)
        for r in _rows(wired.engine, select(pol).join(po, po.c.po_number == pol.c.po_number)
                       .where(pol.c.sku == sku, po.c.location_code == site,
                              po.c.status.not_in(CLOSED_POS)))
    )  # fmt: skip
    assert place["on_order"] == pytest.approx(on_order)
    assert place["inventory_position"] == pytest.approx(
        place["available"] + place["on_order"] + place["inbound_transfers"] - place["committed"]
    )
    assert f"{sku} at {site}" in result.summary
    assert f"inventory/{sku}@{site}" in {c.ref for c in result.citations}


def test_open_recommendations_come_most_money_at_risk_first(wired):
    result = tools(wired, person("planner")).call("open_recommendations", {"limit": 10})
    money = [r["money_at_risk"] for r in result.facts["recommendations"]]
    assert len(money) == 10
    assert money == sorted(money, reverse=True)
    transfers = tools(wired, person("planner")).open_recommendations(kind="transfer", limit=20)
    assert transfers.facts["recommendations"]
    assert {r["kind"] for r in transfers.facts["recommendations"]} == {"transfer"}


def test_kpis_quote_the_dashboard_and_hide_stock_value_from_planners(wired):
    result = tools(wired, person("planner")).call("kpis", {})
    fill = result.facts["kpis"]["fill_rate"]["value"]
    assert fill is not None
    assert f"fill rate {fill:.1%}" in result.summary
    assert result.facts["kpis"]["stock_value"]["value"] is None
    assert "kpis.stock_value.value" in result.masked_fields
    finance = tools(wired, person("finance")).kpis()
    assert finance.facts["kpis"]["stock_value"]["value"] is not None


# -- the tool contract -------------------------------------------------------------------


def test_unknown_tools_and_bad_arguments_are_refused_by_name(wired):
    planner = tools(wired, person("planner"))
    with pytest.raises(UnknownTool, match=r"unknown tool 'approve_all'.*order_status"):
        planner.call("approve_all", {})
    with pytest.raises(
        InvalidToolArguments, match="order_status: argument order_number=None: is required"
    ):
        planner.call("order_status", {})
    with pytest.raises(InvalidToolArguments, match="order_number=1042: must be string"):
        planner.call("order_status", {"order_number": 1042})
    with pytest.raises(InvalidToolArguments, match=r"argument sites=.*not an argument"):
        planner.call("order_status", {"order_number": "SO-1", "sites": ["DC01"]})
    with pytest.raises(InvalidToolArguments, match="days='7': must be integer"):
        planner.call("supplier_po_risk", {"supplier": "SUP-001", "days": "7"})
    with pytest.raises(InvalidToolArguments, match="kind='delete': one of"):
        planner.call("open_recommendations", {"kind": "delete"})


def test_the_tools_a_principal_gets_depend_on_their_grants_only(wired):
    every = [spec["function"]["name"] for spec in TOOL_SPECS]
    assert [s["function"]["name"] for s in tools_for(person("customer_service"))] == every
    reader = Principal(username="agent:reader", kind="agent",
                       agent_actions=frozenset(), agent_data=frozenset({"inventory"}))  # fmt: skip
    assert [s["function"]["name"] for s in tools_for(reader)] == ["inventory_position"]
    with pytest.raises(ToolNotAllowed, match="'kpis' is not available to agent:reader"):
        tools(wired, reader).call("kpis", {})
    for spec in TOOL_SPECS:
        assert spec["type"] == "function"
        assert spec["function"]["parameters"]["additionalProperties"] is False


def test_the_reads_behave_the_same_on_sqlite_and_postgresql(crossdock: Crossdock):
    options = DemoOptions(skus=60, warehouses=4, days=60, seed=5, end_date=DEMO_END)
    load_demo_network(options, store=crossdock.store)
    held = _rows(crossdock.engine, select(so).where(so.c.status == "on_hold"))[0]
    order_exception.consumer(crossdock.agent_data).handle(
        {"event_id": "T-HOLD-PG", "event_type": "order_held", "source": "erp",
         "occurred_at": "2026-11-21T09:00:00+00:00", "reference": held["order_number"],
         "reason_code": held["hold_reason_site_code"]}
    )  # fmt: skip
    reader = tools(crossdock, person("customer_service"))

    number = held["order_number"]
    result = reader.order_status(f"SO-{int(number[3:])}")
    assert result.facts["hold_reason"] == held["hold_reason"]
    assert [r["kind"] for r in result.facts["recommendations"]] == ["order_exception"]
    assert reader.resolve(f"why is {number} held?").order_numbers == (number,)
    risky = [reader.supplier_po_risk(s.code, days=30) for s in reader.master.suppliers]
    assert any(r.facts.get("lines") for r in risky)
    place = reader.inventory_position("SKU-000004", "DC01").facts["locations"][0]
    assert place["on_hand"] == pytest.approx(
        available(crossdock.engine, "SKU-000004", "DC01") + place["on_hold"]
    )
