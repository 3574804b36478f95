"""The allocation agent's reads: a customer's service tier and the newest allocation it
proposed for an item-location that is still open (plus the item at a warehouse, shared
with the order exception agent)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, select

from crossdock.adapters.db.agent_reads.fulfilment import FulfilmentReads
from crossdock.adapters.db.agent_reads.remembered import remembered
from crossdock.adapters.db.tables import canonical_tables, recommendations
from crossdock.agents.allocation import AGENT
from crossdock.domain.lifecycle import Status

_STILL_OPEN = tuple(
    s.value
    for s in (Status.PROPOSED, Status.PENDING_APPROVAL, Status.AUTO_APPROVED, Status.APPROVED,
              Status.MODIFIED, Status.EXECUTING)
)  # fmt: skip
_r = recommendations
_NEWEST_OPEN = (
    select(_r.c.drivers)
    .where(_r.c.agent == AGENT, _r.c.kind == "allocate", _r.c.sku == bindparam("sku"),
           _r.c.to_code == bindparam("site"), _r.c.status.in_(_STILL_OPEN))
    .order_by(_r.c.id.desc())
    .limit(1)
)  # fmt: skip


class AllocationReads(FulfilmentReads):
    """`AllocationData`'s reads over SQLAlchemy."""

    @remembered
    def customer_service_tier(self, customer_code: str) -> str | None:
        customers = canonical_tables["customers"]
        with self.engine.connect() as connection:
            tier = connection.execute(
                select(customers.c.service_tier).where(customers.c.customer_code == customer_code)
            ).scalar_one_or_none()
        return None if tier is None else str(tier)

    def open_allocation(self, sku: str, location_code: str) -> Mapping[str, Any] | None:
        with self.engine.connect() as connection:
            drivers = connection.execute(
                _NEWEST_OPEN, {"sku": sku, "site": location_code}
            ).scalar_one_or_none()
        return None if drivers is None else dict(json.loads(drivers))
