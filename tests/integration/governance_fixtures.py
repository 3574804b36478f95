"""Recommendations written straight into a real store, for governance tests that do
not need a whole plan run."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert

from crossdock.adapters.db.tables import plan_runs, recommendations

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
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
)


def add_plan_run(engine: Engine, *, as_of: date = date(2026, 11, 20)) -> int:
    with engine.begin() as connection:
        key = connection.execute(
            insert(plan_runs).values(
                started_at=AT,
                finished_at=AT,
                as_of=as_of,
                status="succeeded",
                import_run_id=None,
                recommendations=0,
                money_at_risk=Decimal(0),
                expected_savings=Decimal(0),
                settings="{}",
                summary="{}",
            )
        ).inserted_primary_key
    assert key is not None
    return int(key[0])


def add_recommendation(engine: Engine, plan_run_id: int, **given: Any) -> int:
    """One recommendation; `given` overrides the defaults (a 40-unit buy worth 1,200)."""
    row: dict[str, Any] = {
        "plan_run_id": plan_run_id,
        "kind": "buy",
        "sku": "SKU-000001",
        "from_code": "SUP-01",
        "to_code": "BR01",
        "po_number": None,
        "line_number": None,
        "quantity": 40.0,
        "expected_arrival_date": date(2026, 12, 1),
        "order_value": Decimal("1200.00"),
        "scope": "SKU-000001@BR01",
        "alternatives": json.dumps(
            [{"alternative": "none", "shortage": 900.0, "purchase": 0.0, "unit_price": 30.0}]
        ),
        "drivers": json.dumps({"supplier": {"unit_price": 30.0}, "forecast": {"mean": 2.0}}),
        "confidence": 0.9,
        "model_version": "test-model",
        "policy_version": "test-sizing",
        "import_run_id": None,
    }
    for column in _MONEY:
        row[column] = Decimal("10.00")
    row["purchase_cost"] = Decimal("1200.00")
    row["savings"] = Decimal("500.00")
    row.update(given)
    with engine.begin() as connection:
        key = connection.execute(insert(recommendations).values(**row)).inserted_primary_key
    assert key is not None
    return int(key[0])
