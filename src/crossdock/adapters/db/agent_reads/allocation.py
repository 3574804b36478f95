"""The allocation agent's reads: a customer's service tier (plus the item at a
warehouse, shared with the order exception agent)."""

from __future__ import annotations

from sqlalchemy import select

from crossdock.adapters.db.agent_reads.fulfilment import FulfilmentReads
from crossdock.adapters.db.tables import canonical_tables


class AllocationReads(FulfilmentReads):
    """`AllocationData`'s reads over SQLAlchemy."""

    def customer_service_tier(self, customer_code: str) -> str | None:
        customers = canonical_tables["customers"]
        with self.engine.connect() as connection:
            tier = connection.execute(
                select(customers.c.service_tier).where(customers.c.customer_code == customer_code)
            ).scalar_one_or_none()
        return None if tier is None else str(tier)
