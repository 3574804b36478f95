"""Two workers routing the agents' proposals at the same moment: each proposal is routed
once, and the worker that loses a race retries instead of failing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from crossdock.bootstrap import Crossdock
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.routing import RoutingSummary, route_agent_proposals


def test_two_workers_routing_at_once_route_each_proposal_once(crossdock: Crossdock):
    event = {"event_id": "EV-1", "event_type": "po_acknowledged", "reference": "PO-1",
             "occurred_at": "2026-11-21T08:00:00Z"}  # fmt: skip
    for line in range(40):
        crossdock.agent_data.save_proposal(
            proposal_row(
                agent="agent:procurement", event=event, key=("PO-1", line), kind="follow_up",
                sku="A100", to_code="DC1", quantity=10.0, rationale="test", evidence={},
                alternatives=[], confidence=0.8, model_version="m", policy_version="p",
                scope="A100@DC1", shortage_cost=100.0,
            )
        )  # fmt: skip
    start = threading.Barrier(2)
    results: list[RoutingSummary] = []
    errors: list[BaseException] = []

    def route() -> None:
        start.wait()
        try:
            results.append(route_agent_proposals(crossdock.governance, policy=None,
                                                 now=datetime.now(UTC)))  # fmt: skip
        except BaseException as error:  # noqa: BLE001 - the test reports any failure
            errors.append(error)

    threads = [threading.Thread(target=route) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.routed for r in results) == 40  # each once, by one worker or the other
    rows = crossdock.governance.recommendation_rows(limit=100)
    assert {row["status"] for row in rows} == {"pending_approval"}
    trails = [
        [e["event"] for e in crossdock.governance.ledger(recommendation_id=row["id"])]
        for row in rows
    ]
    assert all(trail == ["created", "request_approval"] for trail in trails)
