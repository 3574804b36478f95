"""Each agent declares the workflows it may propose in and the data it reads; a proposal
outside its declaration is refused before anything is stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import pytest

from crossdock.governance.policy import KIND_WORKFLOWS
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.agent_runtime import (
    AgentData,
    DeclaredAgentData,
    UndeclaredProposal,
    agent_specs,
)
from crossdock.service_layer.event_ports import NewEvent

EVENT = {"event_id": "EV-1", "event_type": "po_acknowledged", "reference": "PO-1",
         "occurred_at": "2026-11-21T08:00:00Z"}  # fmt: skip


class _Sink:
    def __init__(self) -> None:
        self.saved: list[Mapping[str, Any]] = []

    def save_proposal(self, row: Mapping[str, Any], *, emits: Sequence[NewEvent] = ()) -> int:
        self.saved.append(row)
        return len(self.saved)


def _row(agent: str, kind: str) -> dict[str, Any]:
    return proposal_row(
        agent=agent, event=EVENT, key=("PO-1", 1), kind=kind, sku="A100", to_code="DC1",
        quantity=1.0, rationale="r", evidence={}, alternatives=[], confidence=0.5,
        model_version="m", policy_version="p", scope="A100@DC1",
    )  # fmt: skip


def _declared(name: str) -> tuple[DeclaredAgentData, _Sink]:
    spec = next(s for s in agent_specs() if s.name == name)
    sink = _Sink()
    return DeclaredAgentData(cast("AgentData", sink), spec), sink


def test_every_agent_declares_known_workflows_topics_and_data():
    specs = agent_specs()
    assert len(specs) == 7
    assert len({s.name for s in specs}) == 7
    workflows = set(KIND_WORKFLOWS.values())
    for spec in specs:
        assert spec.workflows, spec.name
        assert spec.workflows <= workflows, spec.name
        assert spec.data, spec.name
        assert all(t.startswith("events.") for t in spec.topics), spec.name


def test_a_declared_proposal_is_stored():
    declared, sink = _declared("agent:procurement")
    assert declared.save_proposal(_row("agent:procurement", "expedite")) == 1
    assert declared.save_proposal(_row("agent:procurement", "follow_up")) == 2
    assert [row["kind"] for row in sink.saved] == ["expedite", "follow_up"]


@pytest.mark.parametrize(
    ("agent", "kind", "why"),
    [
        ("agent:procurement", "invoice_hold", "proposed a invoice_hold (invoice_match workflow)"),
        ("agent:finance", "transfer", "proposed a transfer (transfer workflow)"),
        ("agent:balancing", "transfer", "as 'agent:balancing'"),  # posing as another
    ],
)
def test_a_proposal_outside_the_declaration_is_refused(agent: str, kind: str, why: str):
    name = "agent:finance" if agent == "agent:balancing" else agent
    declared, sink = _declared(name)
    with pytest.raises(UndeclaredProposal, match=why.replace("(", r"\(").replace(")", r"\)")):
        declared.save_proposal(_row(agent, kind))
    assert sink.saved == []
