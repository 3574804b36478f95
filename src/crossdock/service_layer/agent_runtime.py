"""Running the agents: each is a consumer of the outbox (`dispatching`), whose proposals
are stored once per event and document, then routed by the approval policy like the
plan's recommendations.

A worker cycle delivers what is due and routes what the agents proposed. A proposal
stored but not yet routed (the process died between the two) is routed by the next
cycle, so nothing is lost; a redelivered event finds its proposal's idempotency key
and proposes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from crossdock.governance.policy import PolicySet
from crossdock.service_layer.agent_handlers import procurement
from crossdock.service_layer.dispatching import Consumer, DispatchReport, dispatch
from crossdock.service_layer.event_ports import EventStore
from crossdock.service_layer.governance_ports import GovernanceStore
from crossdock.service_layer.routing import RoutingSummary, route_agent_proposals


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


class AgentData(procurement.ProcurementData, Protocol):
    """Everything the agents read and write; `adapters/db/agent_store.py` implements it."""


def agents(data: AgentData) -> list[Consumer]:
    """Every agent that runs, as consumers."""
    return [procurement.consumer(data)]
