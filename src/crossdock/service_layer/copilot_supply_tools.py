"""The copilot's supply tools: a supplier's PO lines at risk and the customers they hit,
a supplier's lead-time record, and an item's position at the warehouses.

**At risk** (`supplier_po_risk`): an open PO line that matters within the window
(promised within `days` of today, already overdue, without a promised date, or needed
by a short customer line within the window) and has at least one reason:

- `overdue`: promised before today and not received;
- `unacknowledged`: sent more than `UNACKNOWLEDGED_DAYS` ago, no acknowledgement;
- `short_acknowledged`: the supplier confirmed fewer units than ordered;
- `promised_after_need`: promised after the earliest requested date of the customer
  lines it would serve that are short now;
- `late_supplier`: the supplier's received lines arrived on time less than
  `LATE_SUPPLIER_RATE` of the time (at least `MIN_HISTORY` of them).

The customers it hits are the open customer order lines of the item, short now
(`units_short`), at the receiving warehouse and the warehouses it replenishes (of the
reader's sites) that its units would fill, after the supplier's lines promised before
it (`customers_hit`), with the selling value of those units (customer pricing).

A PO line's price is `purchase_price` and its open value `purchase_cost`: names the
masking reads as supplier cost wherever they sit, so customer service and planners
never receive them."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final

from crossdock.copilot.model import Citation, ToolResult
from crossdock.service_layer.copilot_ports import MasterData, Named, PoLine
from crossdock.service_layer.copilot_tool_common import (
    ToolContext,
    finish,
    iso,
    money,
    not_found,
    recommendation_citations,
    recommendations,
    record,
    share,
    units,
    units_short,
)

UNACKNOWLEDGED_DAYS: Final = 2
LATE_SUPPLIER_RATE: Final = 0.8
MIN_HISTORY: Final = 3
RECENT_LINES: Final = 5
_EPSILON: Final = 1e-9


def find_suppliers(master: MasterData, given: str) -> list[Named]:
    """Suppliers `given` names: by code, by full name, else those whose name holds it
    (case-insensitive)."""
    wanted = given.strip().casefold()
    if not wanted:
        return []
    for exact in (
        [s for s in master.suppliers if s.code.casefold() == wanted],
        [s for s in master.suppliers if (s.name or "").casefold() == wanted],
    ):
        if exact:
            return exact
    return [s for s in master.suppliers if wanted in (s.name or "").casefold()]


def _supplier(master: MasterData, tool: str, given: str) -> Named | ToolResult:
    found = find_suppliers(master, given)
    if len(found) == 1:
        return found[0]
    arguments = {"supplier": given}
    if not found:
        return not_found(tool, arguments, f"No supplier matches {given!r}.")
    names = "; ".join(f"{s.code} {s.name or ''}".strip() for s in found)
    return not_found(
        tool, arguments, f"{given!r} matches {len(found)} suppliers: {names}. Name one.",
        candidates=[{"supplier_code": s.code, "name": s.name} for s in found],
    )  # fmt: skip


# -- lead time -----------------------------------------------------------------------


def lead_time_record(lines: Sequence[PoLine]) -> dict[str, Any]:
    """Received lines: count, mean and p90 days from order to receipt, on-time rate
    against the promised date, and the share of all lines acknowledged."""
    received = [x for x in lines if x.received_date is not None and x.order_date is not None]
    days = sorted((x.received_date - x.order_date).days for x in received)  # type: ignore[operator]
    promised = [x for x in received if x.promised_date is not None]
    on_time = [x for x in promised if x.received_date <= x.promised_date]  # type: ignore[operator]
    return {
        "received_lines": len(received),
        "mean_lead_time_days": round(statistics.fmean(days), 1) if days else None,
        "p90_lead_time_days": days[math.ceil(0.9 * len(days)) - 1] if days else None,
        "on_time_rate": round(len(on_time) / len(promised), 4) if promised else None,
        "lines": len(lines),
        "acknowledged_rate": (
            round(sum(x.acknowledged_date is not None for x in lines) / len(lines), 4)
            if lines
            else None
        ),
    }


def supplier_lead_time(ctx: ToolContext, master: MasterData, supplier: str) -> ToolResult:
    """The supplier's lead-time record over the PO lines at the reader's sites."""
    tool = "supplier_lead_time"
    found = _supplier(master, tool, supplier)
    if isinstance(found, ToolResult):
        return found
    lines = ctx.reads.supplier_po_lines(found.code, open_only=False, sites=ctx.sites)
    stats = lead_time_record(lines)
    recent = sorted(
        (x for x in lines if x.received_date is not None),
        key=lambda x: (x.received_date, x.po_number, x.line_number),
        reverse=True,
    )[:RECENT_LINES]
    facts = {
        "supplier_code": found.code,
        "supplier_name": found.name,
        **stats,
        "recent_lines": [_po_line(x, ctx.today) for x in recent],
    }
    citations = [
        record("suppliers", found.code, f"supplier {found.code}"),
        *(record("purchase_orders", x.po_number, f"{x.po_number} line {x.line_number}")
          for x in recent),
    ]  # fmt: skip
    return finish(
        ctx, tool=tool, arguments={"supplier": supplier}, facts=facts,
        summarise=_lead_time_summary, citations=citations,
    )  # fmt: skip


def _lead_time_summary(facts: Mapping[str, Any]) -> str:
    who = f"{facts['supplier_code']} {facts['supplier_name'] or ''}".strip()
    if not facts["received_lines"]:
        return f"{who} has no received PO line to measure ({facts['lines']} lines in all)."
    return (
        f"{who}: {facts['received_lines']} received PO lines; lead time from order to "
        f"receipt {facts['mean_lead_time_days']} days on average, "
        f"{facts['p90_lead_time_days']} days at the 90th percentile; on time against the "
        f"promised date {share(facts['on_time_rate'])}; {share(facts['acknowledged_rate'])} "
        f"of its {facts['lines']} lines acknowledged."
    )


# -- PO lines at risk ------------------------------------------------------------------


def supplier_po_risk(
    ctx: ToolContext, master: MasterData, supplier: str, *, days: int = 7
) -> ToolResult:
    """The supplier's open PO lines at risk within `days`, why, and the customers hit."""
    tool = "supplier_po_risk"
    arguments = {"supplier": supplier, "days": days}
    found = _supplier(master, tool, supplier)
    if isinstance(found, ToolResult):
        return found
    history = lead_time_record(
        ctx.reads.supplier_po_lines(found.code, open_only=False, sites=ctx.sites)
    )
    rate = history["on_time_rate"]
    late = rate is not None and history["received_lines"] >= MIN_HISTORY
    late = late and rate < LATE_SUPPLIER_RATE
    horizon = ctx.today + timedelta(days=days)
    at_risk: list[dict[str, Any]] = []
    hidden: list[str] = []
    open_lines = ctx.reads.supplier_po_lines(found.code, open_only=True, sites=ctx.sites)
    hits = customers_hit(ctx, open_lines)
    for line in open_lines:
        hit = hits.get((line.po_number, line.line_number), [])
        needed = min((c["requested_date"] for c in hit if c["requested_date"]), default=None)
        reasons = risk_reasons(line, ctx.today, needed_by=needed, late_rate=rate if late else None)
        due_soon = line.promised_date is None or line.promised_date <= horizon
        if not reasons or not (due_soon or (needed is not None and needed <= horizon.isoformat())):
            continue
        shown, masked = recommendations(
            ctx, ctx.reads.po_line_recommendation_ids(line.po_number, line.line_number)
        )
        hidden += [f"lines.{len(at_risk)}.{path}" for path in masked]
        fact = _po_line(line, ctx.today)
        fact.update(
            reasons=[reason["text"] for reason in reasons],
            reason_codes=[reason["code"] for reason in reasons],
            needed_by=needed, sales_order_lines=hit,
            units_short=sum(c["units_short"] for c in hit),
            revenue=_value(c["order_value"] for c in hit),
            money_at_risk=shown[0]["money_at_risk"] if shown else None,
            recommendations=shown,
        )  # fmt: skip
        at_risk.append(fact)
    facts = {
        "supplier_code": found.code,
        "supplier_name": found.name,
        "as_of": ctx.today.isoformat(),
        "window_days": days,
        "on_time_rate": rate,
        "received_lines": history["received_lines"],
        "lines": at_risk,
    }
    citations: list[Citation] = [record("suppliers", found.code, f"supplier {found.code}")]
    for fact in at_risk:
        citations.append(
            record("purchase_orders", fact["po_number"],
                   f"{fact['po_number']} line {fact['line_number']}")
        )  # fmt: skip
        citations += [
            record("sales_orders", c["order_number"], f"sales order {c['order_number']}")
            for c in fact["sales_order_lines"]
        ]
        citations += recommendation_citations(fact["recommendations"])
    return finish(
        ctx, tool=tool, arguments=arguments, facts=facts, summarise=_risk_summary,
        citations=citations, also_masked=hidden,
    )  # fmt: skip


def risk_reasons(
    line: PoLine, today: date, *, needed_by: str | None, late_rate: float | None
) -> list[dict[str, str]]:
    """Why an open PO line is at risk (`code` and words); empty when it is not."""
    out = []
    promised = line.promised_date
    if promised is not None and promised < today:
        late_by = (today - promised).days
        out.append(("overdue", f"overdue: promised {promised.isoformat()}, {late_by} days ago"))
    if line.acknowledged_date is None and line.order_date is not None:
        waited = (today - line.order_date).days
        if waited > UNACKNOWLEDGED_DAYS:
            out.append(("unacknowledged", f"not acknowledged {waited} days after it was sent"))
    confirmed = line.acknowledged_quantity
    if confirmed is not None and confirmed < line.ordered_quantity:
        out.append(
            ("short_acknowledged",
             f"acknowledged {units(confirmed)} of {units(line.ordered_quantity)} ordered")
        )  # fmt: skip
    if promised is not None and needed_by is not None and promised.isoformat() > needed_by:
        out.append(
            ("promised_after_need",
             f"promised {promised.isoformat()}, after customers need it ({needed_by})")
        )  # fmt: skip
    if late_rate is not None:
        out.append(("late_supplier", f"the supplier delivered on time {late_rate:.0%} of the time"))
    return [{"code": code, "text": text} for code, text in out]


def customers_hit(
    ctx: ToolContext, lines: Sequence[PoLine]
) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """The customer order lines each PO line would fill: per item and receiving
    warehouse, the open customer lines short now there and at the warehouses it
    replenishes (of the reader's sites), soonest requested first, filled by the
    supplier's open lines in the order they are promised. Other suppliers' POs and
    transfers are not counted."""
    groups: dict[tuple[str, str], list[PoLine]] = {}
    for line in lines:
        groups.setdefault((line.sku, line.location_code), []).append(line)
    out: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for (sku, location_code), group in groups.items():
        waiting = _short_lines(ctx, sku, location_code)
        for line in sorted(group, key=lambda x: (x.promised_date or date.max, x.po_number,
                                                 x.line_number)):  # fmt: skip
            room, hit = line.open_quantity, []
            while waiting and room > _EPSILON:
                first = waiting[0]
                filled = min(room, first["units_short"])
                price = first["unit_price"]
                hit.append(
                    {**first, "units_short": filled,
                     "order_value": None if price is None else round(filled * price, 2)}
                )  # fmt: skip
                room -= filled
                first["units_short"] -= filled
                if first["units_short"] <= _EPSILON:
                    waiting.pop(0)
            out[(line.po_number, line.line_number)] = hit
    return out


def _short_lines(ctx: ToolContext, sku: str, location_code: str) -> list[dict[str, Any]]:
    pool = [location_code, *ctx.reads.replenished_by(location_code)]
    pool = [site for site in pool if ctx.sees(site)]
    sites = {site: ctx.reads.item_at_warehouse(sku, site) for site in pool}
    out = []
    for customer in ctx.reads.open_customer_lines(sku, pool):
        short = units_short(customer, sites[customer.location_code])
        if short > 0:
            out.append(
                {"order_number": customer.order_number, "line_number": customer.line_number,
                 "customer_code": customer.customer_code,
                 "customer_name": customer.customer_name, "customer_tier": customer.tier,
                 "location_code": customer.location_code,
                 "requested_date": iso(customer.requested_date), "status": customer.status,
                 "units_short": short, "unit_price": customer.unit_price}
            )  # fmt: skip
    return out


def _value(values: Any) -> float | None:
    known = [float(v) for v in values if v is not None]
    return round(sum(known), 2) if known else None


def _po_line(line: PoLine, today: date) -> dict[str, Any]:
    return {
        "po_number": line.po_number,
        "line_number": line.line_number,
        "sku": line.sku,
        "location_code": line.location_code,
        "status": line.status,
        "order_date": iso(line.order_date),
        "ordered_quantity": line.ordered_quantity,
        "received_quantity": line.received_quantity,
        "open_quantity": line.open_quantity,
        "promised_date": iso(line.promised_date),
        "acknowledged_date": iso(line.acknowledged_date),
        "received_date": iso(line.received_date),
        "days_late": (
            None if line.promised_date is None or line.received_date is not None
            else max((today - line.promised_date).days, 0)
        ),
        "purchase_price": line.unit_price,
        "purchase_cost": (
            None if line.unit_price is None else round(line.open_quantity * line.unit_price, 2)
        ),
    }  # fmt: skip


def _risk_summary(facts: Mapping[str, Any]) -> str:
    who = f"{facts['supplier_code']} {facts['supplier_name'] or ''}".strip()
    lines = facts["lines"]
    window = f"the {facts['window_days']} days from {facts['as_of']}"
    if not lines:
        return f"No open PO line from {who} is at risk in {window}."
    out = [f"{len(lines)} open PO line(s) from {who} at risk in {window}."]
    for line in lines:
        why = "; ".join(line["reasons"])
        text = (
            f"{line['po_number']} line {line['line_number']} ({line['sku']} to "
            f"{line['location_code']}, {units(line['open_quantity'])} open, promised "
            f"{line['promised_date'] or 'no date'}): {why}."
        )
        hit = line["sales_order_lines"]
        if hit:
            customers = ", ".join(
                f"{c['customer_code']} ({c['customer_tier'] or 'no tier'}) {c['order_number']} "
                f"{units(c['units_short'])} short at {c['location_code']}, wanted "
                f"{c['requested_date']}"
                for c in hit
            )
            text += f" Customers hit: {customers}; selling value short {money(line['revenue'])}."
        else:
            text += " No customer order is short of it now."
        if line["money_at_risk"] is not None:
            text += f" Money at risk per recommendation: {money(line['money_at_risk'])}."
        out.append(text)
    return " ".join(out)
