"""Every agent step lands in the audit ledger, on SQLite and PostgreSQL: who handled
which message (`handled`), what an agent raised for other agents and why (`raised`),
the recommendation it proposed and the event it answers (`created`), and the deliveries
given up (`dead_lettered`); the chain still verifies, and a repeat writes nothing new."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select

from crossdock.adapters.db.agent_store import SqlAgentData
from crossdock.adapters.db.tables import inbound_events
from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.governance.access import SYSTEM
from crossdock.service_layer.agent_handlers import order_exception
from crossdock.service_layer.auditing import verify_audit
from crossdock.service_layer.brokered import Received, settle
from crossdock.service_layer.dispatching import Consumer, dispatch
from crossdock.service_layer.event_ports import DeadLetter, NewEvent
from crossdock.service_layer.identity import add_person
from crossdock.service_layer.intake import ingest_events
from crossdock.service_layer.replaying import replay
from tests.conftest import REPO_ROOT
from tests.helpers import cli_json, run_cli
from tests.integration.governance_fixtures import AT

BASIC = REPO_ROOT / "examples" / "basic"
DEMO_POLICY = REPO_ROOT / "src" / "crossdock" / "governance" / "policy" / "demo.yaml"
PASSWORD = "correct horse battery"
AGENT = "agent:order_exception"
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)

# As in test_order_exception_agent: a gold order at BR2 for 100 A100, 82 backordered
ORDERS = "SO-3001,C001,BR2,2026-11-20,2026-11-27,backordered,\n"
LINES = "SO-3001,1,A100,100,0,82,11.50,BX\n"
BACKORDER = {
    "event_id": "ERP-BO-1",
    "event_type": "order_backordered",
    "occurred_at": "2026-11-21T09:00:00Z",
    "source": "erp",
    "reference": "SO-3001",
    "sku": "A100",
    "location_code": "BR2",
    "quantity": 82,
}
RAISED = "ERP-BO-1>order_exception>order_exception_raised>SO-3001>1"


def _network(tmp_path: Path) -> Path:
    folder = tmp_path / "network"
    shutil.copytree(BASIC, folder)
    with (folder / "sales_orders.csv").open("a") as handle:
        handle.write(ORDERS)
    with (folder / "sales_order_lines.csv").open("a") as handle:
        handle.write(LINES)
    return folder


def _entries(wired: Crossdock, event: str) -> list[dict[str, Any]]:
    return [
        {**row, "detail": json.loads(row["detail"])}
        for row in wired.governance.ledger()
        if row["event"] == event
    ]


def _verify(database_url: str) -> dict[str, Any]:
    return cli_json(database_url, "audit", "verify", "--json")


def test_an_answered_event_leaves_handled_raised_and_created_entries_once(
    database_url: str, tmp_path: Path
) -> None:
    run_cli(database_url, "init")
    cli_json(database_url, "import", str(_network(tmp_path)))
    wired = bootstrap(Settings(database_url=database_url))
    add_person(wired.governance, username="ops", roles=["admin"], password=PASSWORD, now=AT)
    run_cli(database_url, "policy", "load", str(DEMO_POLICY), "--as", "ops")
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(BACKORDER) + "\n")
    assert cli_json(database_url, "events", "ingest", str(events), "--as", "ops")["accepted"] == 1
    assert _entries(wired, "handled") == []  # intake is not a delivery

    # the worker works until nothing is due: the backorder, then the event raised for it
    first = cli_json(database_url, "worker", "--once")
    assert first["dispatch"]["by_consumer"] == {
        AGENT: 1,
        "agent:procurement": 1,
        "agent:balancing": 1,
    }

    # the agent raised its ask for the other agents, naming the event it answers
    raised = _entries(wired, "raised")
    assert [(e["actor"], e["detail"]) for e in raised] == [
        (
            AGENT,
            {"events": [RAISED], "cause": "ERP-BO-1", "event_types": ["order_exception_raised"]},
        )
    ]
    assert raised[0]["recommendation_id"] is None
    # each delivery recorded once per consumer that handled it, after what it raised
    handled = {e["actor"]: e for e in _entries(wired, "handled")}
    assert {actor: e["detail"] for actor, e in handled.items()} == {
        AGENT: {"messages": ["event:ERP-BO-1"], "count": 1},
        "agent:procurement": {"messages": [f"event:{RAISED}"], "count": 1},
        "agent:balancing": {"messages": [f"event:{RAISED}"], "count": 1},
    }
    assert raised[0]["seq"] < handled[AGENT]["seq"] < handled["agent:balancing"]["seq"]
    # routing named the agent and the event it answers on each recommendation's first
    # entry: the backorder's answer first, then what the other agents proposed for the ask
    created = _entries(wired, "created")
    first_created = created[0]
    assert (first_created["actor"], first_created["detail"]["agent"]) == (AGENT, AGENT)
    assert first_created["detail"]["source_event_id"] == "ERP-BO-1"
    answers = {e["actor"]: e for e in created[1:]}
    assert "agent:balancing" in answers  # a transfer from DC1 in time for the order
    assert {e["detail"]["source_event_id"] for e in answers.values()} == {RAISED}
    assert all(e["detail"]["agent"] == actor for actor, e in answers.items())
    assert all(e["recommendation_id"] is not None for e in created)
    assert handled[AGENT]["seq"] < created[0]["seq"]
    assert handled["agent:balancing"]["seq"] < answers["agent:balancing"]["seq"]

    # nothing left: the worker again, and the cause handed to the agent again, add nothing
    before = [row["seq"] for row in wired.governance.ledger()]
    again = cli_json(database_url, "worker", "--once")
    assert again["dispatch"]["claimed"] == 0
    counting = _CountingProposals(wired.agent_data)
    order_exception.consumer(cast("Any", counting)).handle(_stored(wired, "ERP-BO-1"))
    assert counting.emitting == 1  # it proposed and raised again, and was refused
    assert [row["seq"] for row in wired.governance.ledger()] == before
    assert len(_entries(wired, "handled")) == 3
    assert len(_entries(wired, "raised")) == 1

    verdict = _verify(database_url)
    assert (verdict["ok"], verdict["checked"], verdict["head_seq"]) == (
        True,
        len(before),
        before[-1],
    )
    wired.engine.dispose()


def test_a_redelivery_or_replay_records_each_consumer_once(crossdock: Crossdock) -> None:
    store = crossdock.events
    batch = [_adjustment("A1"), _adjustment("A2")]
    ingest_events(store, [(str(i), e) for i, e in enumerate(batch)], channel="test", now=NOW)
    dispatch(store, [Consumer("agent:counter", ("events.*",), lambda _: None)], now=NOW)
    # a redelivery racing the first (its marker already written) records nothing new
    store.finish([("agent:counter", "event:A1")], [], at=NOW + timedelta(minutes=1))
    # an agent added later catches up by replay, once
    late = Consumer("agent:late", ("events.*",), lambda _: None)
    assert replay(store, late, since=None, now=NOW).handled == 2
    assert replay(store, late, since=None, now=NOW).handled == 0
    handled = _entries(crossdock, "handled")
    assert [(e["actor"], e["detail"]) for e in handled] == [
        ("agent:counter", {"messages": ["event:A1", "event:A2"], "count": 2}),
        ("agent:late", {"messages": ["event:A1", "event:A2"], "count": 2}),
    ]


def test_a_consumer_that_always_fails_leaves_a_dead_lettered_entry(crossdock: Crossdock) -> None:
    store = crossdock.events
    ingest_events(store, [("1", _adjustment("A1"))], channel="test", now=NOW)

    def broken(_: Any) -> None:
        raise RuntimeError("ERP timeout")

    consumers = [
        Consumer("agent:steady", ("events.*",), lambda _: None),
        Consumer("agent:broken", ("events.inventory_adjusted",), broken),
    ]
    now = NOW
    for _ in range(3):
        dispatch(store, consumers, now=now, max_attempts=3)
        now += timedelta(minutes=11)

    assert [d["consumer"] for d in store.dead_letters(stage="delivery")] == ["agent:broken"]
    dead = _entries(crossdock, "dead_lettered")
    assert len(dead) == 1
    assert dead[0]["actor"] == "agent:broken"
    assert dead[0]["reason"] == "RuntimeError: ERP timeout"
    assert dead[0]["detail"] == {
        "message_id": "event:A1",
        "event_id": "A1",
        "topic": "events.inventory_adjusted",
        "attempts": 3,
    }
    # the consumer that succeeded was recorded once, on the first attempt
    handled = _entries(crossdock, "handled")
    assert [(e["actor"], e["detail"]["messages"]) for e in handled] == [
        ("agent:steady", ["event:A1"])
    ]
    assert handled[0]["seq"] < dead[0]["seq"]
    assert verify_audit(crossdock.governance, actor=SYSTEM).to_json() == {
        "ok": True, "checked": 2, "first_bad_seq": None, "problem": None,
    }  # fmt: skip


def test_a_brokers_poison_message_is_dead_lettered_in_the_ledger_but_intake_rejects_are_not(
    crossdock: Crossdock,
) -> None:
    store = crossdock.events
    poison = Received(
        subject="crossdock.events.order_backordered",
        payload=b"not json",
        deliveries=2,
        outbox_id=7,
        message_id="event:X1",
        topic="events.order_backordered",
        ordering_key="A100@BR2",
        handle=None,
    )
    settled = settle(store, [poison], [], now=NOW)
    assert [d.verdict for d in settled.decisions] == ["dead"]
    rejected = DeadLetter(stage="intake", channel="api", reason="no event_id", raw="{}")
    store.accept([], [rejected], at=NOW)

    assert len(store.dead_letters()) == 2
    dead = _entries(crossdock, "dead_lettered")
    assert [(e["actor"], e["detail"]) for e in dead] == [
        (
            "system:delivery",
            {
                "message_id": "event:X1",
                "event_id": None,
                "topic": "crossdock.events.order_backordered",
                "attempts": 2,
            },
        )
    ]
    assert dead[0]["reason"].startswith("payload is not JSON")


def test_events_an_agent_emits_are_raised_by_their_source_once(crossdock: Crossdock) -> None:
    event = NewEvent(
        event_id="E1>balancing>stockout",
        event_type="stockout",
        ordering_key="A100@BR1",
        occurred_at=NOW,
        source="agent:balancing",
        channel="agent",
        payload=json.dumps({"event_id": "E1>balancing>stockout"}),
    )
    assert crossdock.agent_data.emit([event]) == [event.event_id]
    assert crossdock.agent_data.emit([event]) == []  # a repeat stores nothing
    raised = _entries(crossdock, "raised")
    assert [(e["actor"], e["detail"]) for e in raised] == [
        ("agent:balancing", {"events": ["E1>balancing>stockout"], "event_types": ["stockout"]})
    ]


class _CountingProposals:
    """The agents' data, counting the proposals that come with events to raise."""

    def __init__(self, data: SqlAgentData) -> None:
        self._data, self.emitting = data, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._data, name)

    def save_proposal(
        self, row: Mapping[str, Any], *, emits: Sequence[NewEvent] = ()
    ) -> int | None:
        self.emitting += bool(emits)
        return self._data.save_proposal(row, emits=emits)


def _stored(wired: Crossdock, event_id: str) -> dict[str, Any]:
    with wired.engine.connect() as connection:
        payload = connection.execute(
            select(inbound_events.c.payload).where(inbound_events.c.event_id == event_id)
        ).scalar_one()
    return dict(json.loads(payload))


def _adjustment(event_id: str) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "event_type": "inventory_adjusted",
        "occurred_at": (NOW - timedelta(hours=1)).isoformat(),
        "source": "wms",
        "location_code": "BR01",
        "sku": "SKU-1",
        "quantity": 3,
        "reason_code": "cycle_count",
    }
