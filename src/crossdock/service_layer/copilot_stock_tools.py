"""The copilot's stock tool: an item's position at one warehouse or at every warehouse
the reader may see, read as the agents read it, with the newest plan's levels.

Per warehouse: the newest count (on hand, on hold, allocated), what is committed (open
customer order units and transfers out not shipped), what is due in (open PO lines and
inbound transfers), the inventory position (available + due in - committed), the
newest plan's reorder point, safety stock and daily forecast where the plan recorded
them, days of supply (available over the plan's daily forecast, else over the average
daily demand of the last `DEMAND_DAYS` days), and a projection over known orders and
receipts only: the available stock after each, by day, and the first day it goes
below zero."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Final

from crossdock.agents.stock_position import Stock
from crossdock.copilot.model import Citation, ToolResult
from crossdock.service_layer.copilot_ports import MasterData, StockCount
from crossdock.service_layer.copilot_tool_common import (
    ToolContext,
    finish,
    not_found,
    record,
    units,
)

TOOL = "inventory_position"
DEMAND_DAYS: Final = 28
SHOWN_RECEIPTS: Final = 5


def inventory_position(
    ctx: ToolContext, master: MasterData, sku: str, location: str | None = None
) -> ToolResult:
    """The item's position at `location`, or at every warehouse the reader may see."""
    arguments = {"sku": sku, "location": location}
    item = next((i for i in master.items if i.code.casefold() == sku.strip().casefold()), None)
    if item is None:
        return not_found(TOOL, arguments, f"No item {sku} was found.")
    codes = [named.code for named in master.locations]
    if location is not None:
        code = next((c for c in codes if c.casefold() == location.strip().casefold()), None)
        if code is None:
            return not_found(TOOL, arguments, f"No warehouse {location} was found.")
        if not ctx.sees(code):
            return not_found(TOOL, arguments, f"{code} is not in your sites ({ctx.sites_text()}).")
        codes = [code]
    codes = [code for code in codes if ctx.sees(code)]
    counts = {count.location_code: count for count in ctx.reads.stock_counts(item.code, codes)}
    places = [_at(ctx, item.code, code, counts.get(code)) for code in codes]
    facts = {
        "sku": item.code,
        "description": item.name,
        "as_of": ctx.today.isoformat(),
        "locations": places,
        "totals": {
            name: sum(place[name] for place in places)
            for name in ("on_hand", "available", "committed", "on_order", "inbound_transfers",
                         "inventory_position")
        },
    }  # fmt: skip
    citations: list[Citation] = [record("inventory", f"{item.code}@{p['location_code']}")
                                 for p in places]  # fmt: skip
    citations += [
        record("plan_runs", str(p["plan_run_id"]), f"plan run #{p['plan_run_id']}")
        for p in places
        if p["plan_run_id"] is not None
    ]
    return finish(
        ctx, tool=TOOL, arguments=arguments, facts=facts, summarise=_summary,
        citations=citations,
    )  # fmt: skip


def _at(ctx: ToolContext, sku: str, code: str, count: StockCount | None) -> dict[str, Any]:
    stock = ctx.reads.stock(sku, code)
    plan = ctx.reads.plan_levels(sku, code)
    drivers: Mapping[str, Any] = plan.drivers if plan is not None else {}
    forecast, policy = drivers.get("forecast") or {}, drivers.get("policy") or {}
    risk = drivers.get("risk") or {}
    horizon = float(forecast.get("horizon_days") or 0)
    per_day = float(forecast["mean"]) / horizon if horizon and "mean" in forecast else None
    start = ctx.today - timedelta(days=DEMAND_DAYS)
    demanded = ctx.reads.units_demanded(sku, code, start=start, end=ctx.today - timedelta(days=1))
    history_per_day = demanded / DEMAND_DAYS
    rate = per_day if per_day else history_per_day
    receipts = sorted(
        (r for r in stock.receipts if r.kind != "proposal"),
        key=lambda r: (r.arrival or date.max, r.reference),
    )
    reorder = policy.get("reorder_point")
    first_short, lowest = _projection(stock, ctx.today)
    return {
        "location_code": code,
        "counted_at": None if stock.counted_at is None else stock.counted_at.isoformat(),
        "on_hand": stock.on_hand,
        "on_hold": stock.on_hold,
        "allocated": count.allocated if count is not None else 0.0,
        "available": stock.available,
        "committed": stock.committed,
        "on_order": sum(r.open_quantity for r in receipts if r.kind == "po"),
        "inbound_transfers": sum(r.open_quantity for r in receipts if r.kind == "transfer"),
        "inventory_position": stock.inventory_position,
        "reorder_point": None if reorder is None else round(float(reorder), 1),
        "safety_stock": (
            None if policy.get("safety_stock") is None else round(float(policy["safety_stock"]), 1)
        ),
        "below_reorder_point": None if reorder is None else stock.inventory_position < reorder,
        "forecast_per_day": None if per_day is None else round(per_day, 2),
        "forecast_model": forecast.get("model"),
        "demand_per_day": round(history_per_day, 2),
        "days_of_supply": round(stock.available / rate, 1) if rate > 0 else None,
        "stockout_probability": risk.get("stockout_probability"),
        "plan_run_id": None if plan is None else plan.plan_run_id,
        "plan_as_of": None if plan is None else plan.as_of.isoformat(),
        "receipts": [
            {
                "reference": r.reference,
                "line_number": r.line_number,
                "kind": r.kind,
                "arrival": None if r.arrival is None else r.arrival.isoformat(),
                "units": r.open_quantity,
            }
            for r in receipts[:SHOWN_RECEIPTS]
        ],
        "projected_first_short_date": first_short,
        "projected_lowest": lowest,
    }


def _projection(stock: Stock, today: date) -> tuple[str | None, float]:
    """Available stock less transfers out, after the known orders (by requested date)
    and receipts (by arrival), anything overdue counted today: the first day it is below
    zero, and its lowest point."""
    moves: dict[date, float] = {}
    for order in stock.orders:
        day = max(order.requested_date, today)
        moves[day] = moves.get(day, 0.0) - order.open_quantity
    for receipt in stock.receipts:
        if receipt.kind != "proposal" and receipt.arrival is not None:
            day = max(receipt.arrival, today)
            moves[day] = moves.get(day, 0.0) + receipt.open_quantity
    level = lowest = stock.available - stock.transfers_out  # transfers out leave now
    first: str | None = None
    for day in sorted(moves):
        level += moves[day]
        lowest = min(lowest, level)
        if level < 0 and first is None:
            first = day.isoformat()
    return first, round(lowest, 2)


def _summary(facts: Mapping[str, Any]) -> str:
    out = []
    for place in facts["locations"]:
        text = (
            f"{facts['sku']} at {place['location_code']}: {units(place['on_hand'])} on hand, "
            f"{units(place['on_hold'])} on hold, {units(place['available'])} available, "
            f"{units(place['committed'])} committed to orders and transfers, "
            f"{units(place['on_order'])} on open POs, {units(place['inbound_transfers'])} on "
            f"inbound transfers; inventory position {units(place['inventory_position'])}"
        )
        if place["reorder_point"] is not None:
            below = " (below it)" if place["below_reorder_point"] else ""
            text += (
                f"; reorder point {units(place['reorder_point'])}{below}, safety stock "
                f"{units(place['safety_stock'])} (plan run #{place['plan_run_id']})"
            )
        if place["days_of_supply"] is not None:
            text += f"; {place['days_of_supply']:,.1f} days of supply"
        if place["projected_first_short_date"]:
            text += (
                f"; known orders and receipts leave it short from "
                f"{place['projected_first_short_date']}"
            )
        nxt = place["receipts"][0] if place["receipts"] else None
        if nxt:
            text += f"; next receipt {nxt['reference']}, {units(nxt['units'])} due {nxt['arrival']}"
        out.append(text + ".")
    if not out:
        return f"No warehouse of yours holds {facts['sku']}."
    return " ".join(out)
