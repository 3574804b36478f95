"""Running the agents: each is a consumer of the outbox (`dispatching`), whose proposals
are stored once per event and document, then routed by the approval policy like the
plan's recommendations.

A worker cycle delivers what is due and routes what the agents proposed. A proposal
stored but not yet routed (the process died between the two) is routed by the next
cycle, so nothing is lost; a redelivered event finds its proposal's idempotency key
and proposes nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from crossdock.domain.errors import CrossdockError
from crossdock.governance.policy import PolicySet
from crossdock.service_layer.agent_handlers import (
    allocation,
    balancing,
    finance,
    order_exception,
    procurement,
    receiving,
    replenishment,
)
from crossdock.service_layer.agent_ports import NetworkScope
from crossdock.service_layer.dispatching import Consumer, DispatchReport, dispatch
from crossdock.service_layer.event_ports import EventStore, NewEvent
from crossdock.service_layer.governance_ports import GovernanceStore
from crossdock.service_layer.observing import NO_OBSERVER, DeliveryObserver
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
    observer: DeliveryObserver = NO_OBSERVER,
) -> CycleReport:
    """Deliver what is due to the agents, then route what they proposed."""
    dispatched = dispatch(events, consumers, now=now, limit=limit, observer=observer)
    routed = route_agent_proposals(governance, policy=policy, now=now)
    return CycleReport(dispatched=dispatched, routed=routed)


class AgentData(
    procurement.ProcurementData,
    finance.FinanceData,
    receiving.ReceivingData,
    balancing.BalancingData,
    replenishment.ReplenishmentData,
    order_exception.OrderExceptionData,
    allocation.AllocationData,
    NetworkScope,
    Protocol,
):
    """Everything the agents read and write; `adapters/db/agent_store.py` implements it."""


def agents(data: AgentData, *, sites: Mapping[str, Sequence[str]] | None = None) -> list[Consumer]:
    """Every agent that runs, as consumers. An agent named in `sites` (`procurement`,
    `order_exception`, ...) runs once per site listed instead of for the whole network:
    as a consumer of its own (`agent:order_exception@BR1`) that sees every event and
    keeps only the proposals whose receiving warehouse is the site or one it
    replenishes. Every worker of a database must run the same scopes."""
    network = _agents(data)
    known = {c.name.removeprefix("agent:") for c in network}
    unknown = sorted(set(sites or {}) - known)
    if unknown:
        raise UnknownAgent(f"no agent named {', '.join(unknown)}; the agents are {sorted(known)}")
    out = [c for c in network if c.name.removeprefix("agent:") not in (sites or {})]
    for name, codes in (sites or {}).items():
        for site in codes:
            scoped = _agents(cast("AgentData", _SiteScoped(data, data.sites_under(site))))
            out += [
                Consumer(f"{c.name}@{site}", c.topics, c.handle)
                for c in scoped
                if c.name == f"agent:{name}"
            ]
    return out


class UnknownAgent(CrossdockError):
    """A setting names an agent that does not exist."""


class _SiteScoped:
    """The agents' data, with proposals outside the site's warehouses left unsaved."""

    def __init__(self, data: AgentData, sites: set[str]) -> None:
        self._data, self._sites = data, sites

    def __getattr__(self, name: str) -> Any:  # every read is the network's
        return getattr(self._data, name)

    def save_proposal(
        self, row: Mapping[str, Any], *, emits: Sequence[NewEvent] = ()
    ) -> int | None:
        if row["to_code"] not in self._sites:
            return None
        return self._data.save_proposal(row, emits=emits)


def _agents(data: AgentData) -> list[Consumer]:
    return [
        procurement.consumer(data),
        finance.consumer(data),
        receiving.consumer(data),
        balancing.consumer(data),
        replenishment.consumer(data),
        order_exception.consumer(data),
        allocation.consumer(data),
    ]
