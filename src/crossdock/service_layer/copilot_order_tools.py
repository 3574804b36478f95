"""The copilot's order tool: a customer order's status, why it is held, what each line
can ship now, when the short units can ship (the revised ship date), where else the
item is, and what the agents propose about it.

The revised ship date is the order exception agent's: the receipt (open PO line or
transfer into the warehouse, or a PO line at its parent DC after the lane's transit) by
which the short units have arrived, counting receipts in the order they land; None
when open supply does not cover them. Other backorders waiting for the same receipts
are not queued ahead, as the agent does not queue them either."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from crossdock.agents.fulfilment import ItemSite, revised_date
from crossdock.copilot.model import Citation, ToolResult
from crossdock.domain.reason_codes import ReasonCode
from crossdock.service_layer.copilot_ports import CopilotReads, CustomerLine, OrderHeader
from crossdock.service_layer.copilot_tool_common import (
    ToolContext,
    finish,
    iso,
    not_found,
    recommendation_citations,
    recommendations,
    record,
    say_recommendation,
    units,
    units_short,
)

TOOL = "order_status"

# What each canonical reason means, in plain words, for the person reading the answer.
REASON_MEANINGS: Final[Mapping[str, str]] = {
    ReasonCode.SHORT_PICK: "the picker found fewer units than the system said",
    ReasonCode.DAMAGED: "goods damaged in the warehouse or on arrival",
    ReasonCode.QUALITY_HOLD: "stock blocked until quality control inspects it",
    ReasonCode.EXPIRED: "stock past its shelf life",
    ReasonCode.CREDIT_HOLD: "the customer is over their credit limit or has overdue invoices",
    ReasonCode.PRICING_HOLD: "a price or margin on the order needs approval",
    ReasonCode.ADDRESS_HOLD: "the ship-to address is incomplete or invalid",
    ReasonCode.CUSTOMER_REQUEST: "the customer asked to hold or change the order",
    ReasonCode.AWAITING_STOCK: "there is not enough available stock to ship",
    ReasonCode.SUPPLIER_LATE: "the supplier missed the promised date",
    ReasonCode.SUPPLIER_SHORT_SHIP: "the supplier shipped less than ordered",
    ReasonCode.OVER_RECEIPT: "more was received than ordered",
    ReasonCode.WRONG_ITEM: "the wrong item was received or picked",
    ReasonCode.CARRIER_DELAY: "the carrier is late",
    ReasonCode.COUNT_ADJUSTMENT: "a cycle count corrected the book quantity",
    ReasonCode.DEMAND_SPIKE: "demand far above forecast for a short time",
    ReasonCode.DEMAND_SHIFT: "the demand level changed and stayed changed",
}
_NUMBER = re.compile(r"^\s*([A-Za-z]+)[-\s]?0*(\d+)\s*$")


def normalise_number(given: str, *, stored: list[str]) -> str | None:
    """The stored document number `given` stands for: itself, or the one with the same
    prefix and number (SO-1042 is SO-0001042); None when none or several match."""
    if given in stored:
        return given
    wanted = _NUMBER.match(given)
    if wanted is None:
        return None
    prefix, number = wanted.group(1).upper(), int(wanted.group(2))
    same = [
        candidate
        for candidate in stored
        if (found := _NUMBER.match(candidate)) is not None
        and found.group(1).upper() == prefix
        and int(found.group(2)) == number
    ]
    return same[0] if len(same) == 1 else None


def find_order(reads: CopilotReads, given: str) -> str | None:
    """The stored order number for `given` (exact, or by number: SO-1042)."""
    text = given.strip()
    if reads.order_header(text) is not None:
        return text
    wanted = _NUMBER.match(text)
    if wanted is None:
        return None
    return normalise_number(text, stored=reads.order_numbers_ending(wanted.group(2)))


def order_status(ctx: ToolContext, order_number: str) -> ToolResult:
    """A customer order as the asking person may see it: header, hold reason (as the
    site wrote it, its canonical code and meaning), lines with stock and supply, the
    revised ship date, other warehouses' free stock and the open recommendations."""
    arguments = {"order_number": order_number}
    number = find_order(ctx.reads, order_number)
    header = None if number is None else ctx.reads.order_header(number)
    if number is None or header is None:
        return not_found(TOOL, arguments, f"No customer order {order_number} was found.")
    if not ctx.sees(header.location_code):
        return not_found(
            TOOL, arguments,
            f"Order {number} is not in your sites ({ctx.sites_text()}).",
            order_number=number,
        )  # fmt: skip
    lines = ctx.reads.order_lines(number)
    sites = {
        line.sku: ctx.reads.item_at_warehouse(line.sku, line.location_code)
        for line in lines
        if line.status != "cancelled"
    }
    line_facts = [_line(line, sites.get(line.sku), ctx) for line in lines]
    short = [fact for fact in line_facts if fact["units_short"] > 0]
    covered = all(fact["revised_ship_date"] is not None for fact in short)
    revised = max((fact["revised_ship_date"] for fact in short), default=None) if covered else None
    shown, hidden = recommendations(ctx, ctx.reads.order_recommendation_ids(number))
    facts: dict[str, Any] = {
        **_header(header),
        "lines": line_facts,
        "units_short": sum(fact["units_short"] for fact in short),
        "revised_ship_date": revised,
        "revised_ship_date_covers_all": covered,
        "other_warehouses": _elsewhere(ctx, short, sites),
        "recommendations": shown,
    }
    citations: list[Citation] = [
        record("sales_orders", number, f"sales order {number}"),
        record("customers", header.customer_code, f"customer {header.customer_code}"),
        *(record("inventory", f"{sku}@{header.location_code}") for sku in sites),
        *(record(*_supply_ref(f["next_inbound"]["reference"])) for f in line_facts
          if f.get("next_inbound")),
        *recommendation_citations(shown),
    ]  # fmt: skip
    return finish(
        ctx, tool=TOOL, arguments=arguments, facts=facts, summarise=_summary,
        citations=citations, also_masked=hidden,
    )  # fmt: skip


def _header(header: OrderHeader) -> dict[str, Any]:
    reason = header.hold_reason
    return {
        "order_number": header.order_number,
        "customer_code": header.customer_code,
        "customer_name": header.customer_name,
        "customer_tier": header.tier,
        "location_code": header.location_code,
        "order_date": iso(header.order_date),
        "requested_date": iso(header.requested_date),
        "status": header.status,
        "hold_code": header.hold_reason_site_code or reason,
        "hold_reason": reason,
        "hold_meaning": REASON_MEANINGS.get(reason or ""),
    }


def _line(line: CustomerLine, site: ItemSite | None, ctx: ToolContext) -> dict[str, Any]:
    inbound = () if site is None else (*site.inbound, *site.parent_inbound)
    short = 0.0 if site is None else units_short(line, site)
    receipt = revised_date(short, inbound, today=ctx.today) if short > 0 else None
    first = min(inbound, key=lambda r: (r.arrival, r.reference), default=None)
    return {
        "line_number": line.line_number,
        "sku": line.sku,
        "status": line.status,
        "ordered_quantity": line.ordered_quantity,
        "shipped_quantity": line.shipped_quantity,
        "backordered_quantity": line.backordered_quantity,
        "open_quantity": line.open_quantity,
        "unit_price": line.unit_price,
        "available": None if site is None else site.available,
        "on_hand": None if site is None else site.on_hand,
        "on_hold": None if site is None else site.on_hold,
        "units_short": short,
        "next_inbound": None if first is None else _inbound(first.reference, first),
        "revised_ship_date": None if receipt is None else receipt.arrival.isoformat(),
        "revised_by": None if receipt is None else receipt.reference,
    }


def _inbound(reference: str, receipt: Any) -> dict[str, Any]:
    return {"reference": reference, "arrival": receipt.arrival.isoformat(), "units": receipt.units}


def _elsewhere(
    ctx: ToolContext, short: list[dict[str, Any]], sites: Mapping[str, ItemSite]
) -> list[dict[str, Any]]:
    """Free stock of the short items at the other warehouses with a lane here, of the
    reader's sites only."""
    out = []
    for fact in short:
        site = sites[fact["sku"]]
        out += [
            {"sku": fact["sku"], "location_code": source.location_code,
             "free_units": source.free_units, "transit_days": source.transit_days}
            for source in site.sources
            if ctx.sees(source.location_code)
        ]  # fmt: skip
    return out


def _supply_ref(reference: str) -> tuple[str, str, str]:
    """The citation of a receipt: `PO-1 line 2 [at DC01]` or a transfer number."""
    head = reference.split(" ", maxsplit=1)[0]
    table = "purchase_orders" if " line " in reference else "transfer_orders"
    return table, head, reference


def _summary(facts: Mapping[str, Any]) -> str:
    order = facts
    who = order["customer_code"] + (f" {order['customer_name']}" if order["customer_name"] else "")
    tier = f", {order['customer_tier']} tier" if order["customer_tier"] else ""
    status = str(order["status"]).replace("_", " ")
    out = [
        (
            f"Order {order['order_number']} for {who}{tier} ships from "
            f"{order['location_code']}; ordered {order['order_date']}, requested "
            f"{order['requested_date']}; status {status}."
        )
    ]
    if order["hold_reason"] or order["hold_code"]:
        meaning = f" ({order['hold_meaning']})" if order["hold_meaning"] else ""
        out.append(f"Hold reason: {order['hold_code']} = {order['hold_reason']}{meaning}.")
    for line in facts["lines"]:
        text = (
            f"Line {line['line_number']} {line['sku']}: {units(line['ordered_quantity'])} "
            f"ordered, {units(line['shipped_quantity'])} shipped, "
            f"{units(line['backordered_quantity'])} backordered; "
            f"{units(line['available'])} available at {order['location_code']} now"
        )
        if line["units_short"] > 0:
            text += f"; {units(line['units_short'])} short"
        nxt = line["next_inbound"]
        if nxt:
            text += f"; next inbound {nxt['reference']}, {units(nxt['units'])} due {nxt['arrival']}"
        out.append(text + ".")
    out.append(_when(facts))
    out += [
        f"{other['location_code']} has {units(other['free_units'])} {other['sku']} free, "
        f"{other['transit_days']} day{'' if other['transit_days'] == 1 else 's'} away."
        for other in facts["other_warehouses"]
    ]
    shown = facts["recommendations"]
    out += [say_recommendation(r) for r in shown] or ["No open recommendation about it."]
    return " ".join(out)


def _when(facts: Mapping[str, Any]) -> str:
    short = [line for line in facts["lines"] if line["units_short"] > 0]
    if not short:
        return "Every open line can ship from the stock on hand."
    if facts["revised_ship_date"] is None:
        missing = ", ".join(line["sku"] for line in short if not line["revised_ship_date"])
        return (
            f"Revised ship date: none yet; no open PO or transfer covers the "
            f"{units(facts['units_short'])} short units ({missing})."
        )
    by = "; ".join(
        f"{line['sku']} by {line['revised_ship_date']} ({line['revised_by']})" for line in short
    )
    return (
        f"Revised ship date: {facts['revised_ship_date']}, when the "
        f"{units(facts['units_short'])} short units arrive ({by})."
    )
