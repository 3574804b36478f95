"""The allocation agent's handler: for each item and warehouse an event touches, the
stock allocated by policy when it cannot cover every open order line, explained line by
line, stored once per event and item-location. The row's `drivers["customer_tier"]` is
the approval policy's customer tier fact: "gold" or "strategic" when the allocation
takes stock from a strategic customer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from crossdock.agents import allocation as agent
from crossdock.agents.allocation import Allocation
from crossdock.agents.fulfilment import ACCEPTS_PARTIALS_DEFAULT, ItemSite
from crossdock.agents.procurement import TIER_PENALTY
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.agent_ports import ProposalSink
from crossdock.service_layer.dispatching import Consumer

MODEL_VERSION = "allocation agent 1: policy order over time-phased supply, latest supply first"
POLICY_VERSION = (
    "held last, then tier gold > silver > bronze, requested date, price, first come; "
    f"lost margin x tier {dict(TIER_PENALTY)}; partial shipments "
    f"{'accepted' if ACCEPTS_PARTIALS_DEFAULT else 'refused'} by default"
)
CONFIDENCE = 0.8  # counts and open lines may have moved since they were read
PARTIALS = (
    "every customer is taken to accept partial shipments: the data has no field for it"
    if ACCEPTS_PARTIALS_DEFAULT
    else "no customer is taken to accept partial shipments: the data has no field for it"
)


class AllocationData(ProposalSink, Protocol):
    def item_orders_at_warehouse(self, sku: str, location_code: str) -> ItemSite:
        """The item at the warehouse: its stock and open order lines, no supply yet."""
        ...

    def with_supply(self, site: ItemSite) -> ItemSite:
        """`site` with the supply due in and the warehouses that can send it."""
        ...

    def customer_service_tier(self, customer_code: str) -> str | None:
        """A customer's service tier (None: not known)."""
        ...

    def open_allocation(self, sku: str, location_code: str) -> Mapping[str, Any] | None:
        """The evidence of the newest allocation this agent proposed for the
        item-location that is not yet done with (undecided, approved or executing)."""
        ...


def consumer(data: AllocationData) -> Consumer:
    """The allocation agent as an outbox consumer."""

    def handle(event: Mapping[str, Any]) -> None:
        today = datetime.fromisoformat(str(event["occurred_at"])).date()
        customer = (event.get("data") or {}).get("customer_code")
        tier = data.customer_service_tier(str(customer)) if customer else None
        for sku, location_code in agent.item_sites(event):
            site = data.item_orders_at_warehouse(sku, location_code)
            site = agent.as_left_by(event, site, tier=tier)
            if site.covers_open_orders:
                continue  # every line is served from stock: nothing to allocate
            proposal = agent.propose(data.with_supply(site), today=today)
            if proposal is None:
                continue
            row = _row(event, site, proposal)
            if _same_as_open(row, data.open_allocation(sku, location_code)):
                continue  # every count would otherwise ask the approver the same again
            data.save_proposal(row)

    return Consumer(agent.AGENT, agent.TOPICS, handle)


def _same_as_open(row: Mapping[str, Any], open_drivers: Mapping[str, Any] | None) -> bool:
    """The proposal gives every line what the open allocation gives it, with the same
    transfers: nothing new to decide."""
    if open_drivers is None:
        return False
    drivers = json.loads(row["drivers"])
    return all(drivers.get(k) == open_drivers.get(k) for k in ("allocation", "transfers"))


def _row(event: Mapping[str, Any], site: ItemSite, proposal: Allocation) -> dict[str, Any]:
    table = [
        {"order": s.line.order_number, "line": s.line.line_number,
         "customer": s.line.customer_code, "tier": s.line.tier,
         "requested": s.line.requested_date.isoformat(), "asked": s.line.open_quantity,
         "allocated": s.allocated, "short": s.short, "first_come": s.first_come,
         "reason": s.reason}
        for s in proposal.shares
    ]  # fmt: skip
    transfers = [
        {"order": s.line.order_number, "line": s.line.line_number, "from_code": f.from_code,
         "units": f.units, "arrives": f.arrives.isoformat(), "freight": round(f.freight, 2)}
        for s in proposal.shares for f in s.fills
    ]  # fmt: skip
    evidence = {
        "customer_tier": proposal.customer_tier,
        "allocation": table,
        "strategic": [s.line.order_number for s in proposal.shares if agent.strategic(s)],
        "transfers": transfers,
        "stock": {"on_hand": site.on_hand, "on_hold": site.on_hold, "available": site.available,
                  "counted_at": site.counted_at.isoformat() if site.counted_at else None,
                  "inbound": [{"reference": r.reference, "arrival": r.arrival.isoformat(),
                               "units": r.units} for r in site.inbound]},
        "partial_shipments": PARTIALS,
    }  # fmt: skip
    after = proposal.lost_margin + proposal.freight
    fifo, policy = round(proposal.first_come_cost, 2), round(proposal.policy_cost, 2)
    alternatives = [
        {"alternative": "none", "kind": "none", "note": "first come first served",
         "shortage": fifo, "freight": 0.0, "total": fifo, "chosen": False},
        {"alternative": "allocate by policy", "kind": "allocate", "shortage": policy,
         "freight": 0.0, "total": policy, "chosen": not transfers},
    ]  # fmt: skip
    if transfers:
        alternatives.append(
            {"alternative": "allocate by policy with transfers", "kind": "allocate",
             "shortage": round(proposal.lost_margin, 2),
             "freight": round(proposal.freight, 2), "total": round(after, 2), "chosen": True}
        )  # fmt: skip
    return proposal_row(
        agent=agent.AGENT,
        event=event,
        key=(site.sku, site.location_code),
        kind="allocate",
        sku=site.sku,
        to_code=site.location_code,
        quantity=proposal.allocated,
        rationale=proposal.rationale,
        evidence=evidence,
        alternatives=alternatives,
        confidence=CONFIDENCE,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=f"{site.sku}@{site.location_code}: its open customer order lines",
        action_cost=proposal.freight,
        expected_cost=after,
        shortage_cost=proposal.lost_margin,
        transport_cost=proposal.freight,
        do_nothing_cost=proposal.first_come_cost,
        savings=proposal.savings,
        marginal_savings=proposal.first_come_cost - proposal.policy_cost,
        order_value=sum(s.allocated * s.line.unit_price for s in proposal.shares),
    )
