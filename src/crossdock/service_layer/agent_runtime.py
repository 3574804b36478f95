"""Running the agents: each is a consumer of the outbox (`dispatching`), whose proposals
are stored once per event and document, then routed by the approval policy like the
plan's recommendations.

A worker cycle delivers what is due and routes what the agents proposed. A proposal
stored but not yet routed (the process died between the two) is routed by the next
cycle, so nothing is lost; a redelivered event finds its proposal's idempotency key
and proposes nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crossdock.agents import procurement
from crossdock.agents.procurement import LineChange, OpenLine, Position, Proposal
from crossdock.governance.policy import PolicySet
from crossdock.service_layer.agent_ports import AgentData
from crossdock.service_layer.dispatching import Consumer, DispatchReport, dispatch
from crossdock.service_layer.event_ports import EventStore
from crossdock.service_layer.governance_ports import GovernanceStore
from crossdock.service_layer.routing import RoutingSummary, route_agent_proposals

MODEL_VERSION = "procurement agent 1: first-come first-served replay of the pooled position"
POLICY_VERSION = (
    f"tier penalty {dict(procurement.TIER_PENALTY)} x lost margin; "
    f"expedite premium {procurement.EXPEDITE_PREMIUM_RATE} of the PO price"
)
CONFIDENCE = 0.8  # the announced date may still move; the orders may still change


def procurement_consumer(data: AgentData) -> Consumer:
    """The procurement agent as an outbox consumer."""

    def handle(event: Mapping[str, Any]) -> None:
        for change in procurement.supply_changes(event):
            for line in data.open_po_lines(
                po_number=change.po_number,
                asn_number=change.asn_number,
                line_number=change.line_number,
            ):
                position = data.position(line.sku, line.location_code)
                found = procurement.hits(position, line, change)
                proposal = procurement.propose(line, change, found, unit_cost=position.unit_cost)
                if proposal is not None:
                    data.save_proposal(_row(event, line, change, proposal, position))

    return Consumer(procurement.AGENT, procurement.TOPICS, handle)


@dataclass(frozen=True, slots=True)
class CycleReport:
    dispatched: DispatchReport
    routed: RoutingSummary

    def to_json(self) -> dict[str, Any]:
        return {"dispatch": self.dispatched.to_json(), "routing": self.routed.to_json()}


def run_cycle(
    events: EventStore,
    governance: GovernanceStore,
    consumers: list[Consumer],
    *,
    policy: PolicySet | None,
    now: datetime,
    limit: int = 500,
) -> CycleReport:
    """Deliver what is due to the agents, then route what they proposed."""
    dispatched = dispatch(events, consumers, now=now, limit=limit)
    routed = route_agent_proposals(governance, policy=policy, now=now)
    return CycleReport(dispatched=dispatched, routed=routed)


def agents(data: AgentData) -> list[Consumer]:
    """Every agent that runs, as consumers."""
    return [procurement_consumer(data)]


def _row(
    event: Mapping[str, Any],
    line: OpenLine,
    change: LineChange,
    proposal: Proposal,
    position: Position,
) -> dict[str, Any]:
    expected = proposal.expedite_cost if proposal.kind == "expedite" else proposal.shortage_cost
    residual = 0.0 if proposal.kind == "expedite" else proposal.shortage_cost
    evidence = {
        "event": {"event_id": event["event_id"], "event_type": event["event_type"],
                  "reference": event.get("reference"), "occurred_at": event["occurred_at"]},
        "line": {"po_number": line.po_number, "line_number": line.line_number,
                 "open_quantity": line.open_quantity,
                 "promised_date": line.promised_date.isoformat() if line.promised_date else None,
                 "new_date": change.new_date.isoformat() if change.new_date else None,
                 "new_quantity": change.new_quantity, "rejected": change.rejected},
        "hits": [
            {"order_number": h.order.order_number, "line_number": h.order.line_number,
             "customer_code": h.order.customer_code, "tier": h.order.tier,
             "location_code": h.order.location_code,
             "requested_date": h.order.requested_date.isoformat(),
             "short_before": h.short_before, "short_after": h.short_after}
            for h in proposal.hits
        ],
        "position": {"on_hand": position.on_hand, "open_receipts": len(position.receipts),
                     "open_order_lines": len(position.orders)},
    }  # fmt: skip
    alternatives = [
        {"alternative": "none", "kind": "none", "shortage": proposal.shortage_cost,
         "expedite": 0.0, "total": proposal.shortage_cost, "chosen": False},
        {"alternative": proposal.kind, "kind": proposal.kind, "shortage": residual,
         "expedite": proposal.expedite_cost, "total": expected, "chosen": True},
    ]  # fmt: skip
    return {
        "plan_run_id": None,
        "kind": proposal.kind,
        "sku": line.sku,
        "from_code": line.supplier_code,
        "to_code": line.location_code,
        "po_number": line.po_number,
        "line_number": line.line_number,
        "quantity": proposal.quantity,
        "expected_arrival_date": proposal.needed_by,
        "action_cost": proposal.expedite_cost,
        "expected_cost": expected,
        "holding_cost": 0.0,
        "shortage_cost": residual,
        "transport_cost": 0.0,
        "ordering_cost": 0.0,
        "purchase_cost": 0.0,
        "expedite_cost": proposal.expedite_cost,
        "do_nothing_cost": proposal.shortage_cost,
        "savings": proposal.savings,
        "marginal_savings": proposal.savings,
        "order_value": proposal.quantity * line.unit_price,
        "scope": f"{line.sku}@{line.location_code} and the warehouses it replenishes",
        "alternatives": json.dumps(alternatives),
        "drivers": json.dumps(evidence),
        "confidence": CONFIDENCE,
        "model_version": MODEL_VERSION,
        "policy_version": POLICY_VERSION,
        "import_run_id": None,
        "agent": procurement.AGENT,
        "source_event_id": event["event_id"],
        "rationale": proposal.rationale,
        "idempotency_key": f"{procurement.AGENT}:{event['event_id']}:{line.po_number}:"
        f"{line.line_number}",
    }
