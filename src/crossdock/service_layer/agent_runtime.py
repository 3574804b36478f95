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
from dataclasses import dataclass, replace
from datetime import datetime
from types import ModuleType
from typing import Any, Protocol, cast

from crossdock.agents import allocation as agents_allocation
from crossdock.agents import balancing as agents_balancing
from crossdock.agents import finance as agents_finance
from crossdock.agents import order_exception as agents_order_exception
from crossdock.agents import procurement as agents_procurement
from crossdock.agents import receiving as agents_receiving
from crossdock.agents import replenishment as agents_replenishment
from crossdock.domain.errors import CrossdockError
from crossdock.governance.access import Activity, Principal, authorize
from crossdock.governance.policy import PolicySet, workflow_for_kind
from crossdock.service_layer.agent_handlers import (
    allocation,
    balancing,
    finance,
    order_exception,
    procurement,
    receiving,
    replenishment,
)
from crossdock.service_layer.agent_ports import NetworkScope, ReferenceData
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
    ReferenceData,
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
                replace(c, name=f"{c.name}@{site}") for c in scoped if c.name == f"agent:{name}"
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


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """What an agent declares: its name, the events it reacts to, the workflows it may
    propose in and the data it reads."""

    name: str
    topics: tuple[str, ...]
    workflows: frozenset[str]
    data: frozenset[str]

    def to_json(self) -> dict[str, Any]:
        return {"agent": self.name, "topics": list(self.topics),
                "workflows": sorted(self.workflows), "data": sorted(self.data)}  # fmt: skip


# (the agent's pure module, its handler); the order is the order they see an event
_REGISTRY: tuple[tuple[ModuleType, ModuleType], ...] = (
    (agents_procurement, procurement),
    (agents_finance, finance),
    (agents_receiving, receiving),
    (agents_balancing, balancing),
    (agents_replenishment, replenishment),
    (agents_order_exception, order_exception),
    (agents_allocation, allocation),
)


def agent_specs() -> list[AgentSpec]:
    """Every agent's declaration, for `crossdock agents` and the docs."""
    return [
        AgentSpec(pure.AGENT, tuple(pure.TOPICS), pure.WORKFLOWS, pure.DATA)
        for pure, _ in _REGISTRY
    ]


class UndeclaredProposal(CrossdockError):
    """An agent proposed in a workflow it did not declare, or as another agent."""


class DeclaredAgentData:
    """The agents' data, refusing a proposal outside what the agent declares: its own
    name, a workflow it declared, and what governance lets an agent account propose."""

    def __init__(self, data: AgentData, spec: AgentSpec) -> None:
        self._data, self._spec = data, spec
        self._principal = Principal(
            kind="agent",
            username=spec.name,
            agent_actions=frozenset({Activity.PROPOSE.value}),
            agent_data=spec.data,
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._data, name)

    def save_proposal(
        self, row: Mapping[str, Any], *, emits: Sequence[NewEvent] = ()
    ) -> int | None:
        workflow = workflow_for_kind(row["kind"])
        if row.get("agent") != self._spec.name or workflow not in self._spec.workflows:
            raise UndeclaredProposal(
                f"{self._spec.name} proposed a {row['kind']} ({workflow} workflow) as "
                f"{row.get('agent')!r}; it declares {sorted(self._spec.workflows)}"
            )
        authorize(self._principal, Activity.PROPOSE.value, workflow=workflow, site=row["to_code"])
        return self._data.save_proposal(row, emits=emits)


def _agents(data: AgentData) -> list[Consumer]:
    """Each agent's consumer over its declared data, looking once per batch whether an
    import or a plan changed what it may remember."""
    return [
        replace(
            handler.consumer(cast("AgentData", DeclaredAgentData(data, spec))),
            prepare=data.refresh,
        )
        for spec, (_, handler) in zip(agent_specs(), _REGISTRY, strict=True)
    ]
