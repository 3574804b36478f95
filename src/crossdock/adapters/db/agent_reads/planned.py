"""What the newest plan said about an item-location: the drivers of its recommendations
(forecast, lead time, policy levels) and the plan's settings, for the agents that reuse
the plan's sizing rather than redo it."""

from __future__ import annotations

import json

from sqlalchemy import Connection, func, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.tables import plan_runs, recommendations
from crossdock.agents.replenishment import PlanRow


def newest_plan_run(connection: Connection) -> int | None:
    return connection.execute(
        select(func.max(plan_runs.c.id)).where(plan_runs.c.status == "succeeded")
    ).scalar_one_or_none()


def planned(connection: Connection, sku: str, location_code: str) -> PlanRow | None:
    """The newest succeeded plan's drivers for the item-location, when one of its
    recommendations lands there (the plan stores its levels only with an action)."""
    run_id = newest_plan_run(connection)
    if run_id is None:
        return None
    row = connection.execute(
        select(recommendations.c.drivers)
        .where(
            recommendations.c.plan_run_id == run_id,
            recommendations.c.sku == sku,
            recommendations.c.to_code == location_code,
        )
        .order_by(recommendations.c.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    run = connection.execute(
        select(plan_runs.c.as_of, plan_runs.c.settings).where(plan_runs.c.id == run_id)
    ).one()
    as_of = _day(run.as_of)
    if as_of is None:  # the column is not nullable; a broken row plans nothing
        return None
    return PlanRow(
        plan_run_id=int(run_id),
        as_of=as_of,
        settings=json.loads(run.settings or "{}"),
        drivers=json.loads(row.drivers or "{}"),
    )
