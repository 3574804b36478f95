"""Outcome scoring and decision KPIs on real SQLite and PostgreSQL databases.

The plan run, recommendations, ledger rows, PO lines and demand are inserted directly;
every number asserted is worked out by hand in the comments (holding 0.10 a unit-day:
unit cost 146 x 25% a year / 365; shortage penalty 4.00 a unit; leftovers carried 7 days).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select

from crossdock.adapters.db.outcome_store import SqlOutcomeStore
from crossdock.adapters.db.tables import (
    audit_ledger,
    canonical_tables,
    outcomes,
    plan_runs,
    recommendations,
)
from crossdock.bootstrap import Crossdock
from crossdock.governance.access import SYSTEM, Principal
from crossdock.service_layer.decision_kpis import decision_kpis
from crossdock.service_layer.outcomes import score_outcomes

AS_OF = date(2026, 11, 20)
THROUGH = date(2026, 12, 5)
NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
AGENT = "agent:replenishment"
DRIVERS: dict[str, Any] = {
    "forecast": {"horizon_days": 7, "mean": 35.0},
    "lead_time": {"mean_days": 3.0},
    "position": {"on_hand": 10.0, "available": 10.0, "open_po_quantity": 0.0, "backordered": 0.0},
    "policy": {"reorder_point": 20.0, "shortage_penalty": 4.0},
}

AUDITOR = Principal(username="aud", kind="person", roles=frozenset({"auditor"}))


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def _recommendation(id_: int, **values: Any) -> dict[str, Any]:
    money = {
        name: Decimal(0)
        for name in (
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
        )
    }
    row = {
        "id": id_,
        "plan_run_id": 1,
        "kind": "buy",
        "sku": "SKU-1",
        "from_code": "SUP-1",
        "to_code": "BR01",
        "quantity": 40.0,
        "expected_arrival_date": date(2026, 11, 23),
        "action_cost": Decimal(50),
        **money,
        "scope": "SKU-1@BR01",
        "alternatives": "[]",
        "drivers": json.dumps(DRIVERS),
        "confidence": 0.8,
        "model_version": "m",
        "policy_version": "p",
        "proposed_by": AGENT,
        "approval_policy_version": "std@1",
        "po_number": None,
        "line_number": None,
        "approved_quantity": None,
        "routing": None,
    }  # every row has every key: one executemany binds the first row's keys
    row.update(values)
    if isinstance(row["drivers"], dict):
        row["drivers"] = json.dumps(row["drivers"])
    return row


def _ledger(rows: list[tuple[int, str, str, datetime, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "event": event,
            "recommendation_id": recommendation_id,
            "detail": json.dumps(detail),
            "prev_hash": "0" * 64,
            "hash": f"{seq:064d}",
        }
        for seq, (recommendation_id, actor, event, at, detail) in enumerate(rows, start=1)
    ]


def _demand(sku: str, location: str, units: list[float]) -> list[dict[str, Any]]:
    return [
        {
            "sku": sku,
            "location_code": location,
            "demand_date": AS_OF + timedelta(days=day),
            "quantity": quantity,
        }
        for day, quantity in enumerate(units, start=1)
    ]


def _seed(connection: Connection) -> None:
    t = canonical_tables
    connection.execute(
        insert(t["items"]),
        [{"sku": sku, "uom": "EA", "unit_cost": Decimal(146)} for sku in ("SKU-1", "SKU-2")],
    )
    connection.execute(
        insert(plan_runs).values(
            id=1,
            started_at=_at(20, 6),
            finished_at=_at(20, 7),
            as_of=AS_OF,
            status="succeeded",
            recommendations=6,
            money_at_risk=Decimal(0),
            expected_savings=Decimal(0),
            settings=json.dumps({"holding_rate": 0.25, "review_period_days": 7}),
            summary="{}",
        )
    )
    expedite_drivers = {
        **DRIVERS,
        "po_line": {
            "po_number": "PO-7",
            "line_number": 1,
            "open_quantity": 30.0,
            "promised_date": "2026-11-28",
        },
    }
    connection.execute(
        insert(recommendations),
        [
            # 1: approved by alice, committed
            _recommendation(1, status="committed"),
            # 2: rejected by bob (demand_knowledge)
            _recommendation(2, to_code="BR02", status="rejected"),
            # 3: an expedite of PO-7/1 auto-approved by the policy, being executed
            _recommendation(
                3,
                kind="expedite",
                sku="SKU-2",
                from_code="PO-7",
                po_number="PO-7",
                line_number=1,
                quantity=30.0,
                action_cost=Decimal(20),
                drivers=expedite_drivers,
                status="executing",
            ),
            # 4: modified by bob to 30 units, approved by carol: its window is still open
            _recommendation(
                4,
                to_code="BR03",
                expected_arrival_date=date(2026, 12, 20),
                approved_quantity=30.0,
                approval_policy_version="std@2",
                status="executing",
            ),
            # 5: waiting for a buyer and finance
            _recommendation(
                5,
                to_code="BR03",
                status="pending_approval",
                proposed_by="agent:transfers",
                approval_policy_version="std@2",
                routing=json.dumps({"tier": 2, "approver_roles": ["buyer", "finance"]}),
            ),
            # 6: rejected by alice (supplier_issue) where no demand has been recorded
            _recommendation(
                6,
                to_code="BR04",
                status="rejected",
                proposed_by="agent:transfers",
                approval_policy_version="std@2",
            ),
        ],
    )

    def override(code: str) -> dict[str, Any]:
        return {"override": True, "reason_code": code, "roles": ["buyer"]}

    connection.execute(
        insert(audit_ledger),
        _ledger(
            [
                *((rid, AGENT, "created", _at(20, 7), {}) for rid in range(1, 7)),
                (1, "system", "request_approval", _at(20, 7), {"routing": {}}),
                (1, "alice", "approve", _at(20, 10), {"roles": ["buyer"]}),
                (1, "alice", "execute", _at(20, 11), {}),
                (1, "system", "commit", _at(21), {}),
                (2, "system", "request_approval", _at(20, 7), {"routing": {}}),
                (2, "bob", "reject", _at(20, 12), override("demand_knowledge")),
                (3, "system", "auto_approve", _at(20, 7), {"routing": {}}),
                (3, "system", "execute", _at(20, 8), {}),
                (4, "system", "request_approval", _at(20, 7), {"routing": {}}),
                (4, "bob", "modify", _at(21), override("cost")),
                (4, "carol", "approve", _at(22), {"roles": ["finance"]}),
                (5, "system", "request_approval", _at(20, 7), {"routing": {}}),
                (6, "system", "request_approval", _at(20, 7), {"routing": {}}),
                (6, "alice", "reject", _at(25), override("supplier_issue")),
            ]
        ),
    )
    po, pol = t["purchase_orders"], t["purchase_order_lines"]
    connection.execute(
        insert(po),
        [
            {"po_number": number, "supplier_code": "SUP-1", "location_code": "BR01",
             "order_date": ordered, "status": "received"}
            for number, ordered in (
                ("PO-6", date(2026, 11, 1)),
                ("PO-7", date(2026, 11, 10)),
                ("PO-8", date(2026, 11, 12)),
                ("PO-9", date(2026, 11, 25)),
            )
        ],
    )  # fmt: skip
    connection.execute(
        insert(pol),
        [
            # received before as_of: not open
            {"po_number": "PO-6", "line_number": 1, "sku": "SKU-2", "ordered_quantity": 50.0,
             "promised_date": date(2026, 11, 14), "received_date": date(2026, 11, 15),
             "received_quantity": 50.0},
            # the line expedited: replayed as planned, not as received
            {"po_number": "PO-7", "line_number": 1, "sku": "SKU-2", "ordered_quantity": 30.0,
             "promised_date": date(2026, 11, 28), "received_date": date(2026, 11, 24),
             "received_quantity": 30.0},
            # open on as_of, received on the first day: both worlds get it
            {"po_number": "PO-8", "line_number": 1, "sku": "SKU-2", "ordered_quantity": 10.0,
             "promised_date": date(2026, 11, 21), "received_date": date(2026, 11, 21),
             "received_quantity": 10.0},
            # ordered after as_of (a later plan's buy): not replayed
            {"po_number": "PO-9", "line_number": 1, "sku": "SKU-2", "ordered_quantity": 100.0,
             "promised_date": date(2026, 11, 26), "received_date": date(2026, 11, 26),
             "received_quantity": 100.0},
        ],
    )  # fmt: skip
    connection.execute(
        insert(t["demand_history"]),
        [
            *_demand("SKU-1", "BR01", [5.0] * 10),
            *_demand("SKU-1", "BR02", [1.0] * 10),
            *_demand("SKU-2", "BR01", [5.0] * 10 + [0.0] * 5),
            *_demand("SKU-1", "BR03", [2.0] * 15),
            # before as_of: not read
            {"sku": "SKU-1", "location_code": "BR01", "demand_date": AS_OF, "quantity": 99.0},
        ],
    )


@pytest.fixture
def seeded(crossdock: Crossdock) -> SqlOutcomeStore:
    with crossdock.engine.begin() as connection:
        _seed(connection)
    return SqlOutcomeStore(crossdock.engine)


def test_scoring_replays_each_due_decision_and_stores_its_outcome(
    seeded: SqlOutcomeStore, crossdock: Crossdock
):
    report = score_outcomes(seeded, actor=SYSTEM, through=THROUGH, now=NOW)

    # 1..4 and 6 are executing, committed or rejected; 4 arrives Dec 20 (waiting);
    # 6 is at BR04, where no demand has been recorded
    assert (report.considered, report.scored, report.waiting, report.already_scored) == (
        5,
        3,
        1,
        0,
    )
    assert [(s.recommendation_id, s.reason) for s in report.skipped] == [
        (6, "BR04 has no demand recorded; the window ends 2026-11-30")
    ]
    with crossdock.engine.connect() as connection:
        rows = {
            row["recommendation_id"]: row
            for row in connection.execute(select(outcomes)).mappings().all()
        }
    assert set(rows) == {1, 2, 3}

    # 1, executed buy of 40 on Nov 23, demand 5 a day for 10 days:
    #   with: end stocks 5,0,35,30,...,5,0 = 145 -> 14.50 + 50.00 action = 64.50
    #   without: 5, 0, then 40 units short -> 0.50 + 160.00 = 160.50
    one = rows[1]
    assert (one["decision"], one["through"]) == ("executed", date(2026, 11, 30))
    assert one["stockout_units"] == 0.0
    assert one["realised_cost"] == Decimal("64.5000")
    assert one["alternative_cost"] == Decimal("160.5000")
    assert one["realised_value"] == Decimal("96.0000")
    assert json.loads(one["detail"])["label"] == "stockout avoided"

    # 2, rejected buy at BR02 where demand was 1 a day:
    #   without (realised): end stocks 9..0 = 45 -> 4.50
    #   with: 9, 8, 47..40 = 365 -> 36.50, 40 left: tail 28.00, + 50.00 = 114.50
    two = rows[2]
    assert two["decision"] == "rejected"
    assert two["realised_cost"] == Decimal("4.5000")
    assert two["alternative_cost"] == Decimal("114.5000")
    assert two["realised_value"] == Decimal("110.0000")
    assert json.loads(two["detail"])["label"] == "excess avoided"

    # 3, expedite of PO-7/1 (30 due Nov 28) to Nov 23, 20.00; PO-8 brings 10 on Nov 21;
    # demand 5 a day to Nov 30, then none; window to Nov 28 + 7 = Dec 5
    #   with: 15,10,35,30,25,20,15,10,5,0 then 0 x5 = 165 -> 16.50 + 20.00 = 36.50
    #   without: 15,10,5,0, 3 days x 5 short, 25,20,15 then 15 x5 = 165 -> 16.50,
    #            tail 15 x 0.7 = 10.50, shortage 60.00: 87.00
    three = rows[3]
    assert (three["decision"], three["through"]) == ("executed", THROUGH)
    assert three["expedite_cost"] == Decimal("20.0000")
    assert three["realised_cost"] == Decimal("36.5000")
    assert three["alternative_cost"] == Decimal("87.0000")
    assert three["realised_value"] == Decimal("50.5000")
    detail = json.loads(three["detail"])
    assert detail["without_action"]["stockout_units"] == 15.0
    assert detail["common_receipts"]["received_units"] == 10.0
    assert report.realised_value == pytest.approx(256.5)
    assert report.by_label == {"excess avoided": 1, "stockout avoided": 2}


def test_scoring_again_keeps_the_outcomes_and_rescoring_replaces_them(
    seeded: SqlOutcomeStore, crossdock: Crossdock
):
    score_outcomes(seeded, actor=SYSTEM, through=THROUGH, now=NOW)

    again = score_outcomes(seeded, actor=SYSTEM, through=THROUGH, now=NOW)
    rescored = score_outcomes(
        seeded, actor=SYSTEM, through=THROUGH, now=NOW + timedelta(days=1), rescore=True
    )

    assert (again.scored, again.already_scored) == (0, 3)
    assert rescored.scored == 3
    with crossdock.engine.connect() as connection:
        stored = connection.execute(
            select(outcomes.c.recommendation_id, outcomes.c.realised_value).order_by(
                outcomes.c.recommendation_id
            )
        ).all()
    assert [(rid, value) for rid, value in stored] == [
        (1, Decimal("96.0000")),
        (2, Decimal("110.0000")),
        (3, Decimal("50.5000")),
    ]


def test_kpis_count_decisions_overrides_value_and_pending_approvals(seeded: SqlOutcomeStore):
    score_outcomes(seeded, actor=SYSTEM, through=THROUGH, now=NOW)

    kpis = decision_kpis(seeded, actor=AUDITOR).to_json()

    # decided: 1 approved, 2 rejected, 3 auto-approved, 4 modified (then approved),
    # 6 rejected; 5 is pending
    assert (kpis["decided"], kpis["approved"], kpis["auto_approved"]) == (5, 1, 1)
    assert (kpis["modified"], kpis["rejected"]) == (1, 2)
    assert (kpis["acceptance_rate"], kpis["override_rate"], kpis["auto_approval_rate"]) == (
        0.4,
        0.6,
        0.2,
    )
    assert kpis["overrides_by_reason"] == {
        "cost": {"overrides": 1, "rate": 0.2},
        "demand_knowledge": {"overrides": 1, "rate": 0.2},
        "supplier_issue": {"overrides": 1, "rate": 0.2},
    }
    assert kpis["by_planner"] == {
        "alice": {"decisions": 2, "approved": 1, "modified": 0, "rejected": 1,
                  "override_rate": 0.5},
        "bob": {"decisions": 2, "approved": 0, "modified": 1, "rejected": 1,
                "override_rate": 1.0},
        "carol": {"decisions": 1, "approved": 1, "modified": 0, "rejected": 0,
                  "override_rate": 0.0},
    }  # fmt: skip
    replenishment = kpis["by_agent"][AGENT]
    assert (replenishment["decided"], replenishment["acceptance_rate"]) == (4, 0.5)
    assert (replenishment["scored"], replenishment["realised_value"]) == (3, 256.5)
    transfers = kpis["by_agent"]["agent:transfers"]
    assert (transfers["decided"], transfers["rejected"], transfers["scored"]) == (1, 1, 0)
    assert kpis["by_policy_version"]["std@1"]["decided"] == 3
    assert kpis["by_policy_version"]["std@1"]["realised_value"] == 256.5
    assert kpis["by_policy_version"]["std@2"]["decided"] == 2
    assert kpis["by_policy_version"]["std@2"]["override_rate"] == 1.0
    assert kpis["value_by_decision"]["executed"]["realised_value"] == 146.5
    assert kpis["value_by_decision"]["rejected"]["realised_value"] == 110.0
    assert kpis["pending"] == 1
    assert kpis["pending_by_role"] == {"buyer": 1, "finance": 1}


def test_kpis_since_a_day_count_only_recommendations_decided_from_then(
    seeded: SqlOutcomeStore,
):
    score_outcomes(seeded, actor=SYSTEM, through=THROUGH, now=NOW)

    kpis = decision_kpis(seeded, actor=AUDITOR, since=date(2026, 11, 22)).to_json()

    # 4 was last decided on Nov 22 (carol's approve), 6 on Nov 25 (alice's reject)
    assert (kpis["decided"], kpis["modified"], kpis["rejected"]) == (2, 1, 1)
    assert kpis["overrides_by_reason"] == {"supplier_issue": {"overrides": 1, "rate": 0.5}}
    assert kpis["by_planner"] == {
        "alice": {"decisions": 1, "approved": 0, "modified": 0, "rejected": 1,
                  "override_rate": 1.0},
        "carol": {"decisions": 1, "approved": 1, "modified": 0, "rejected": 0,
                  "override_rate": 0.0},
    }  # fmt: skip
    assert kpis["value"]["scored"] == 0
    assert kpis["pending"] == 1
