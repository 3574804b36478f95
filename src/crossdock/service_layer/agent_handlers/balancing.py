"""The inventory balancing agent's handler: for the item-location an event leaves short,
the transfer from a sibling or parent warehouse that saves the most, stored once per
event and item-location."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from crossdock.agents import balancing
from crossdock.agents.balancing import Need, Option, Proposal, Source
from crossdock.agents.stock_position import TIER_PENALTY, Pending, Stock, after_event
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.agent_ports import ProposalSink
from crossdock.service_layer.dispatching import Consumer

MODEL_VERSION = "balancing agent 1: first-come first-served replay at the short warehouse"
POLICY_VERSION = (
    f"tier penalty {dict(TIER_PENALTY)} x lost margin vs lane cost per unit; "
    f"order lines due within {balancing.HORIZON_DAYS} days"
)
CONFIDENCE = 0.9  # the orders and the counts are known; only the transit may slip


class BalancingData(ProposalSink, Protocol):
    def stock(self, sku: str, location_code: str) -> Stock:
        """The item at the warehouse: newest count, open receipts, open order lines."""
        ...

    def open_supply(self, sku: str, location_code: str) -> list[Pending]:
        """Open buys, transfers and rebalances into the item-location (the newest
        plan's and the agents')."""
        ...

    def sources(self, sku: str, location_code: str, *, today: date) -> list[Source]:
        """The parent and sibling warehouses with a lane to `location_code`, with their
        stock of `sku` and what they keep back."""
        ...


def consumer(data: BalancingData) -> Consumer:
    """The balancing agent as an outbox consumer."""

    def handle(event: Mapping[str, Any]) -> None:
        sku, location = event.get("sku"), event.get("location_code")
        if sku is None or location is None:
            return
        if event["event_type"] == "inventory_adjusted" and float(event["quantity"] or 0) >= 0:
            return  # stock added never leaves a warehouse short
        today = datetime.fromisoformat(str(event["occurred_at"])).date()
        after = after_event(event, data.stock(sku, location))
        pending = data.open_supply(sku, location)
        stock = after.stock.with_pending(pending)  # what is already proposed is not asked twice
        if event["event_type"] == "order_exception_raised":
            needs = balancing.need_from_exception(event, stock, today=today)
        else:
            needs = balancing.needs_from_stock(stock, today=today)
        if not needs:
            return
        sources = data.sources(sku, location, today=today)
        found = balancing.options(needs, sources, today=today)
        proposal = balancing.propose(stock, after.change, needs, found)
        if proposal is not None:
            data.save_proposal(_row(event, stock, proposal, found, sources, pending))

    return Consumer(balancing.AGENT, balancing.TOPICS, handle)


def _need(need: Need) -> dict[str, Any]:
    return {
        "order_number": need.order.order_number,
        "line_number": need.order.line_number,
        "customer_code": need.order.customer_code,
        "tier": need.order.tier,
        "requested_date": need.order.requested_date.isoformat(),
        "units_short": need.units,
        "late": need.late,
        "lost_margin_per_unit": round(need.lost_margin_per_unit, 4),
    }


def _option(option: Option, proposal: Proposal, *, chosen: bool) -> dict[str, Any]:
    shortage = proposal.do_nothing_cost - option.lost_margin_avoided
    return {
        "alternative": f"transfer from {option.source.location_code}",
        "kind": "transfer",
        "from_code": option.source.location_code,
        "quantity": option.quantity,
        "arrival": option.arrival.isoformat(),
        "in_time": option.in_time,
        "shortage": round(shortage, 4),
        "transport": round(option.transport_cost, 4),
        "total": round(shortage + option.transport_cost, 4),
        "savings": round(option.savings, 4),
        "chosen": chosen,
    }


def _row(
    event: Mapping[str, Any],
    stock: Stock,
    proposal: Proposal,
    found: list[Option],
    sources: list[Source],
    pending: list[Pending],
) -> dict[str, Any]:
    option, source = proposal.option, proposal.option.source
    evidence = {
        "short_warehouse": {"location_code": stock.location_code, "on_hand": stock.on_hand,
                            "on_hold": stock.on_hold,
                            "on_order": stock.on_order, "committed": stock.committed,
                            "open_order_lines": len(stock.orders)},
        "needs": [_need(n) for n in proposal.needs],
        "already_proposed": [{"recommendation_id": p.recommendation_id, "kind": p.kind,
                              "quantity": p.quantity, "origin": p.origin} for p in pending],
        "covered": [{"order_number": n.order.order_number, "line_number": n.order.line_number,
                     "units": units} for n, units in option.covered],
        "missed": [n.order.order_number for n in option.missed],
        "sources": [{"location_code": s.location_code, "relation": s.relation,
                     "available": s.available, "orders_due": s.orders_due,
                     "safety_stock": s.safety_stock, "free": s.free,
                     "transit_days": s.transit_days, "cost_per_unit": s.cost_per_unit}
                    for s in sources],
        "source_after": {"on_hand": source.available - option.quantity,
                         "free": source.free - option.quantity,
                         "cover_days": None if option.cover_days is None
                         else round(option.cover_days, 1)},
    }  # fmt: skip
    alternatives = [
        {"alternative": "none", "kind": "none", "shortage": round(proposal.do_nothing_cost, 4),
         "transport": 0.0, "total": round(proposal.do_nothing_cost, 4), "chosen": False},
        *(_option(o, proposal, chosen=o is option) for o in found),
    ]  # fmt: skip
    row = proposal_row(
        agent=balancing.AGENT,
        event=event,
        key=(stock.sku, stock.location_code),
        kind="transfer",
        sku=stock.sku,
        from_code=source.location_code,
        to_code=stock.location_code,
        quantity=option.quantity,
        expected_arrival_date=option.arrival,
        rationale=proposal.rationale,
        evidence=evidence,
        alternatives=alternatives,
        confidence=CONFIDENCE,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=f"{stock.sku}@{stock.location_code}|{stock.sku}@{source.location_code}",
        action_cost=option.transport_cost,
        transport_cost=option.transport_cost,
        shortage_cost=proposal.residual_shortage,
        expected_cost=option.transport_cost + proposal.residual_shortage,
        do_nothing_cost=proposal.do_nothing_cost,
        savings=option.savings,
        marginal_savings=option.savings,
    )
    row["order_value"] = None  # as the plan's transfers: routing values a move by its freight
    return row
