"""What the newest plan said about an item-location: the drivers of its recommendations
(forecast, lead time, policy levels) and the plan's settings, for the agents that reuse
the plan's sizing rather than redo it."""

from __future__ import annotations

import json

from sqlalchemy import Connection, bindparam, func, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.tables import plan_runs, recommendations
from crossdock.agents.replenishment import PlanRow

_NEWEST_RUN = select(func.max(plan_runs.c.id)).where(plan_runs.c.status == "succeeded")
_DRIVERS = (
    select(recommendations.c.drivers)
    .where(
        recommendations.c.plan_run_id == bindparam("plan_run"),
        recommendations.c.sku == bindparam("sku"),
        recommendations.c.to_code == bindparam("site"),
    )
    .order_by(recommendations.c.id)
    .limit(1)
)
_RUN = select(plan_runs.c.as_of, plan_runs.c.settings).where(
    plan_runs.c.id == bindparam("plan_run")
)


def newest_plan_run(connection: Connection) -> int | None:
    return connection.execute(_NEWEST_RUN).scalar_one_or_none()


def planned(connection: Connection, sku: str, location_code: str) -> PlanRow | None:
    """The newest succeeded plan's drivers for the item-location, when one of its
    recommendations lands there (the plan stores its levels only with an action)."""
    run_id = newest_plan_run(connection)
    if run_id is None:
        return None
    row = connection.execute(
        _DRIVERS, {"plan_run": run_id, "sku": sku, "site": location_code}
    ).first()
    if row is None:
        return None
    run = connection.execute(_RUN, {"plan_run": run_id}).one()
    as_of = _day(run.as_of)
    if as_of is None:  # the column is not nullable; a broken row plans nothing
        return None
    return PlanRow(
        plan_run_id=int(run_id),
        as_of=as_of,
        settings=json.loads(run.settings or "{}"),
        drivers=json.loads(row.drivers or "{}"),
    )
