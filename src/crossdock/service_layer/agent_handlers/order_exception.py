"""The order exception agent's handler: for each customer order an event concerns, the
exception classified and its options in money, stored once per event and order line;
for stock exceptions an `order_exception_raised` event in the same transaction, asking
the inventory and procurement agents for options; and a draft for the customer when
the order will not arrive complete and on time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from crossdock.agents import order_exception as agent
from crossdock.agents.fulfilment import ItemSite, OrderLine, revised_date
from crossdock.agents.order_exception import HoldReview, Plan, Trigger
from crossdock.agents.procurement import TIER_PENALTY
from crossdock.domain.errors import UnknownReasonCode
from crossdock.domain.reason_codes import ReasonCodeMap
from crossdock.service_layer.agent_handlers.proposals import proposal_row, raised_event
from crossdock.service_layer.agent_ports import ProposalSink
from crossdock.service_layer.dispatching import Consumer
from crossdock.service_layer.event_ports import NewEvent

MODEL_VERSION = "order exception agent 1: classify; transfer in time, split or revised date"
POLICY_VERSION = (
    f"lane freight vs lost margin x tier {dict(TIER_PENALTY)}; partial shipments accepted "
    "unless the data says otherwise"
)
CONFIDENCE = 0.8  # the revised date counts no other backorder ahead of the line


class OrderExceptionData(ProposalSink, Protocol):
    def customer_order(self, order_number: str) -> list[OrderLine]:
        """Every line of a customer order (none: no such order)."""
        ...

    def reason_code_map(self) -> ReasonCodeMap:
        """The sites' reason codes mapped to canonical ones."""
        ...

    def item_at_warehouse(self, sku: str, location_code: str) -> ItemSite:
        """The item at the warehouse: stock, open order lines, supply due in, sources."""
        ...


def consumer(data: OrderExceptionData) -> Consumer:
    """The order exception agent as an outbox consumer."""

    def handle(event: Mapping[str, Any]) -> None:
        trig = agent.trigger(event)
        lines = data.customer_order(trig.order_number) if trig else []
        if trig is None or not lines:
            return  # not about a customer order (a PO's delay, a transfer's short pick)
        exception, reason = _classify(trig, lines, data)
        sites = {
            line.sku: data.item_at_warehouse(line.sku, line.location_code)
            for line in lines
            if line.status != "cancelled"
        }
        if exception in (agent.CREDIT_HOLD, agent.OTHER_HOLD):
            costs = {sku: site.unit_cost for sku, site in sites.items()}
            review = agent.hold_review(exception, reason, lines, costs)
            if review is not None:
                data.save_proposal(_hold_row(event, review))
            return
        plans = [
            agent.plan(short, sites[short.line.sku], today=trig.today,
                       why=_why(exception, trig, short.units, reason))
            for short in agent.shortfalls(trig, lines, sites, exception=exception)
        ]  # fmt: skip
        for chosen in plans:
            line = chosen.shortfall.line
            emits = [_raised(event, chosen)] if exception in agent.STOCK_EXCEPTIONS else []
            data.save_proposal(
                _row(event, chosen, sites[line.sku], today=trig.today, emits=emits), emits=emits
            )
        message = agent.customer_message(plans)
        if message is not None:
            data.save_proposal(_message_row(event, plans, message))

    return Consumer(agent.AGENT, agent.TOPICS, handle)


def _classify(
    trig: Trigger, lines: Sequence[OrderLine], data: OrderExceptionData
) -> tuple[str, str]:
    if trig.event_type == "order_backordered":
        return agent.BACKORDER, "backorder"
    if trig.event_type == "short_pick":
        return agent.SHORT_PICK, "short pick"
    if trig.event_type == "shipment_delayed":
        return agent.LATE_SHIPMENT, "late shipment"
    site_code = trig.reason_code or ""
    try:
        canonical = str(
            data.reason_code_map().canonical(site_code, location_code=lines[0].location_code)
        )
    except UnknownReasonCode:
        canonical = None
    reason = site_code if canonical in (None, site_code) else f"{site_code} = {canonical}"
    return agent.classify_hold(canonical), reason if canonical else f"{site_code}, not mapped"


def _why(exception: str, trig: Trigger, units: float, reason: str) -> str:
    if exception == agent.STOCK_HOLD:
        return f"held for stock ({reason})"
    if exception == agent.BACKORDER:
        return f"backordered, {units:,.0f} waiting for stock"
    if exception == agent.SHORT_PICK:
        return f"picked {units:,.0f} short"
    was = f" (was {trig.previous_eta.isoformat()})" if trig.previous_eta else ""
    eta = trig.new_eta.isoformat() if trig.new_eta else "later"
    return f"its shipment now arrives {eta}{was}"


def _raised(event: Mapping[str, Any], chosen: Plan) -> NewEvent:
    short, line = chosen.shortfall, chosen.shortfall.line
    raw = {
        "event_type": "order_exception_raised",
        "reference": line.order_number,
        "sku": line.sku,
        "location_code": line.location_code,
        "quantity": short.units,
        "data": {"line_number": line.line_number, "customer_code": line.customer_code,
                 "exception": short.exception, "needed_by": line.requested_date.isoformat()},
    }  # fmt: skip
    return raised_event(event, raw, agent=agent.AGENT, key=line.key)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _row(
    event: Mapping[str, Any],
    chosen: Plan,
    site: ItemSite,
    *,
    today: date,
    emits: Sequence[NewEvent],
) -> dict[str, Any]:
    short, line = chosen.shortfall, chosen.shortfall.line
    evidence = {
        "customer_tier": line.tier,
        "exception": short.exception,
        "order_line": {"order_number": line.order_number, "line_number": line.line_number,
                       "customer_code": line.customer_code, "tier": line.tier,
                       "location_code": line.location_code,
                       "requested_date": line.requested_date.isoformat(),
                       "open_quantity": line.open_quantity, "unit_price": line.unit_price},
        "shortfall": {"units": short.units, "on_time": short.on_time,
                      "late_until": _day(short.late_until), "movable": short.movable},
        "plan": {"action": chosen.action, "late_units": chosen.late_units,
                 "revised_date": _day(chosen.revised), "revised_by": chosen.revised_by,
                 "lost_margin_per_unit": round(chosen.lost_margin_per_unit, 4),
                 "transfers": [{"from_code": f.from_code, "units": f.units,
                                "arrives": f.arrives.isoformat(), "freight": f.freight}
                               for f in chosen.fills]},
        "item": {"available": site.available, "unit_cost": site.unit_cost,
                 "inbound": [{"reference": r.reference, "arrival": r.arrival.isoformat(),
                              "units": r.units} for r in (*site.inbound, *site.parent_inbound)]},
        "substitute": agent.NO_SUBSTITUTE,
        "raised": [e.event_id for e in emits],
    }  # fmt: skip
    return proposal_row(
        agent=agent.AGENT,
        event=event,
        key=line.key,
        kind="order_exception",
        sku=line.sku,
        from_code=chosen.fills[0].from_code if chosen.fills else None,
        to_code=line.location_code,
        quantity=short.units,
        expected_arrival_date=line.requested_date if chosen.late_units <= 1e-9 else chosen.revised,
        rationale=chosen.rationale,
        evidence=evidence,
        alternatives=_alternatives(chosen, site, today=today),
        confidence=CONFIDENCE,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=f"{line.order_number} line {line.line_number} ({line.sku}@{line.location_code})",
        action_cost=chosen.freight,
        expected_cost=chosen.freight + chosen.lost_margin,
        shortage_cost=chosen.lost_margin,
        transport_cost=chosen.freight,
        do_nothing_cost=chosen.do_nothing_cost,
        savings=chosen.savings,
        marginal_savings=chosen.savings,
        order_value=short.units * line.unit_price,
    )


def _alternatives(chosen: Plan, site: ItemSite, *, today: date) -> list[dict[str, Any]]:
    """Every option in money: nobody acting, each warehouse's lane, split, revised date,
    and substitution (never available: the data has no substitutes)."""
    short, per_unit = chosen.shortfall, chosen.lost_margin_per_unit
    at_risk = short.units * per_unit
    out: list[dict[str, Any]] = [
        {"alternative": "none", "kind": "none", "available": True, "freight": 0.0,
         "shortage": at_risk, "total": at_risk, "note": "nobody acts or tells the customer"},
    ]  # fmt: skip
    for source in site.sources:
        arrives, units = source.arrives(today), min(short.units, source.free_units)
        in_time = arrives <= short.line.requested_date and short.movable
        freight, left = units * source.cost_per_unit, (short.units - units) * per_unit
        out.append(
            {"alternative": f"transfer from {source.location_code}", "kind": "transfer",
             "available": in_time, "units": units, "arrives": arrives.isoformat(),
             "freight": freight, "shortage": left, "total": freight + left,
             "note": "lands in time" if in_time else "lands after the requested date"}
        )  # fmt: skip
    splits = short.on_time > 0 and short.line.accepts_partials
    receipt = revised_date(short.units, (*site.inbound, *site.parent_inbound), today=today)
    later = short.late_until or (receipt.arrival if receipt else None)
    for kind, possible in (("split", splits), ("revised_date", True)):
        out.append(
            {"alternative": kind, "kind": kind, "available": possible, "freight": 0.0,
             "shortage": at_risk, "total": at_risk, "revised_date": _day(later)}
        )  # fmt: skip
    out.append({"alternative": "substitute", "kind": "substitute", "available": False,
                "note": agent.NO_SUBSTITUTE})  # fmt: skip
    picked = chosen.action
    if chosen.fills:
        froms = ", ".join(f.from_code for f in chosen.fills)
        picked = f"transfer from {froms}"
        picked = picked if chosen.action == "transfer" else f"{chosen.action} with {picked}"
    if chosen.fills and picked not in [o["alternative"] for o in out]:
        out.append(
            {"alternative": picked, "kind": chosen.action, "available": True,
             "freight": chosen.freight, "shortage": chosen.lost_margin,
             "total": chosen.freight + chosen.lost_margin}
        )  # fmt: skip
    money = ("freight", "shortage", "total")
    return [
        {**{k: round(v, 2) if k in money else v for k, v in option.items()},
         "chosen": option["alternative"] == picked}
        for option in out
    ]  # fmt: skip


def _hold_row(event: Mapping[str, Any], review: HoldReview) -> dict[str, Any]:
    first = max(review.lines, key=lambda line: line.open_quantity * line.unit_price)
    evidence = {
        "customer_tier": first.tier,
        "exception": review.exception,
        "reason": review.reason,
        "order": {"order_number": first.order_number, "customer_code": first.customer_code,
                  "tier": first.tier, "location_code": first.location_code},
        "lines": [{"line_number": x.line_number, "sku": x.sku, "open_quantity": x.open_quantity,
                   "unit_price": x.unit_price, "requested_date": x.requested_date.isoformat()}
                  for x in review.lines],
        "value_at_risk": review.value_at_risk,
    }  # fmt: skip
    route = "customer service and credit" if review.exception == agent.CREDIT_HOLD else (
        "customer service"
    )  # fmt: skip
    alternatives = [
        {"alternative": "none", "kind": "none", "shortage": review.margin_at_risk,
         "total": review.margin_at_risk, "chosen": False},
        {"alternative": f"route to {route}", "kind": "order_exception", "shortage": 0.0,
         "total": 0.0, "chosen": True, "note": "no transfer: not a stock problem"},
    ]  # fmt: skip
    return proposal_row(
        agent=agent.AGENT,
        event=event,
        key=(first.order_number,),
        kind="order_exception",
        sku=first.sku,
        to_code=first.location_code,
        quantity=sum(line.open_quantity for line in review.lines),
        rationale=review.rationale,
        evidence=evidence,
        alternatives=alternatives,
        confidence=CONFIDENCE,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=f"order {first.order_number}",
        do_nothing_cost=review.margin_at_risk,
        shortage_cost=review.margin_at_risk,
        order_value=review.value_at_risk,
    )


def _message_row(event: Mapping[str, Any], plans: Sequence[Plan], message: str) -> dict[str, Any]:
    late = [p for p in plans if p.late_units > 1e-9]
    line = late[0].shortfall.line
    evidence = {
        "customer_tier": line.tier,
        "message": message,
        "customer_code": line.customer_code,
        "order_number": line.order_number,
        "lines": [{"line_number": p.shortfall.line.line_number, "sku": p.shortfall.line.sku,
                   "late_units": p.late_units, "revised_date": _day(p.revised),
                   "action": p.action} for p in late],
    }  # fmt: skip
    at_risk = sum(p.lost_margin for p in late)
    alternatives = [
        {"alternative": "none", "kind": "none", "shortage": at_risk, "total": at_risk,
         "chosen": False, "note": "the customer learns of it when the goods do not come"},
        {"alternative": "send", "kind": "customer_message", "shortage": at_risk,
         "total": at_risk, "chosen": True},
    ]  # fmt: skip
    return proposal_row(
        agent=agent.AGENT,
        event=event,
        key=(line.order_number, "customer_message"),
        kind="customer_message",
        sku=line.sku,
        to_code=line.location_code,
        quantity=sum(p.late_units for p in late),
        expected_arrival_date=max((p.revised for p in late if p.revised), default=None),
        rationale=(
            f"Draft for {line.customer_code} ({line.tier or 'no tier'}) about "
            f'{line.order_number}, to send only once approved: "{message}"'
        ),
        evidence=evidence,
        alternatives=alternatives,
        confidence=CONFIDENCE,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=f"order {line.order_number}",
        do_nothing_cost=at_risk,
        shortage_cost=at_risk,
    )
