"""What every agent's proposal has in common: a recommendation row with the money
columns defaulted to zero, the agent, the event it answers, its rationale and an
idempotency key, so a redelivered event proposes nothing twice."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from crossdock.domain.events import parse_event
from crossdock.service_layer.event_ports import NewEvent

_MONEY = (
    "action_cost",
    "expected_cost",
    "holding_cost",
    "shortage_cost",
    "transport_cost",
    "ordering_cost",
    "purchase_cost",
    "expedite_cost",
    "do_nothing_cost",
    "savings",
    "marginal_savings",
    "order_value",
)


def event_evidence(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event's identity, as the evidence quotes it."""
    return {
        "event_id": event["event_id"],
        "event_type": event["event_type"],
        "reference": event.get("reference"),
        "occurred_at": event["occurred_at"],
    }


def proposal_row(
    *,
    agent: str,
    event: Mapping[str, Any],
    key: Sequence[object],
    kind: str,
    sku: str,
    to_code: str,
    quantity: float,
    rationale: str,
    evidence: Mapping[str, Any],
    alternatives: Sequence[Mapping[str, Any]],
    confidence: float,
    model_version: str,
    policy_version: str,
    scope: str,
    from_code: str | None = None,
    po_number: str | None = None,
    line_number: int | None = None,
    expected_arrival_date: date | None = None,
    **money: float,
) -> dict[str, Any]:
    """A recommendation row an agent proposes. `key` names what within the event it is
    about (a PO line, an order line); `money` sets any of the money columns."""
    unknown = set(money) - set(_MONEY)
    if unknown:
        raise TypeError(f"not money columns of a recommendation: {sorted(unknown)}")
    row: dict[str, Any] = dict.fromkeys(_MONEY, 0.0)
    row.update({name: float(value) for name, value in money.items()})
    row.update(
        {
            "plan_run_id": None,
            "kind": kind,
            "sku": sku,
            "from_code": from_code,
            "to_code": to_code,
            "po_number": po_number,
            "line_number": line_number,
            "quantity": quantity,
            "expected_arrival_date": expected_arrival_date,
            "scope": scope,
            "alternatives": json.dumps(list(alternatives), default=str),
            "drivers": json.dumps({"event": event_evidence(event), **evidence}, default=str),
            "confidence": confidence,
            "model_version": model_version,
            "policy_version": policy_version,
            "import_run_id": None,
            "agent": agent,
            "source_event_id": event["event_id"],
            "rationale": rationale,
            "idempotency_key": ":".join([agent, str(event["event_id"]), *map(str, key)]),
        }
    )
    return row


def raised_event(
    cause: Mapping[str, Any],
    raw: Mapping[str, Any],
    *,
    agent: str,
    channel: str = "agent",
    key: Sequence[object] = (),
) -> NewEvent:
    """An event an agent raises for other agents, checked against the catalogue like any
    other (a malformed one is a bug in the agent and raises `InvalidEvent`). Its id is
    derived from the cause (and `key`, when one cause raises several events of a type,
    one per order line say), so a redelivered cause raises the same event once."""
    suffix = ">".join([str(raw.get("event_type", "event")), *map(str, key)])
    body = {
        "event_id": f"{cause['event_id']}>{agent.removeprefix('agent:')}>{suffix}",
        "occurred_at": cause["occurred_at"],
        "source": agent,
        **raw,
    }
    event = parse_event(body)
    return NewEvent(
        event_id=event.event_id,
        event_type=event.event_type.value,
        ordering_key=event.ordering_key,
        occurred_at=event.occurred_at,
        source=event.source,
        channel=channel,
        payload=json.dumps(event.to_json(), sort_keys=True),
    )
