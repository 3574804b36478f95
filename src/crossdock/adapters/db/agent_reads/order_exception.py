"""The order exception agent's reads: a customer order's lines, and the site reason
codes mapped to canonical ones (plus the item at a warehouse, shared with allocation)."""

from __future__ import annotations

from sqlalchemy import select

from crossdock.adapters.db.agent_reads.fulfilment import FulfilmentReads, order_lines, order_select
from crossdock.adapters.db.tables import canonical_tables
from crossdock.agents.fulfilment import OrderLine
from crossdock.domain.reason_codes import ReasonCode, ReasonCodeMap, ReasonCodeMapping


class OrderExceptionReads(FulfilmentReads):
    """`OrderExceptionData`'s reads over SQLAlchemy."""

    def customer_order(self, order_number: str) -> list[OrderLine]:
        sol = canonical_tables["sales_order_lines"]
        with self.engine.connect() as connection:
            return order_lines(connection, order_select().where(sol.c.order_number == order_number))

    def reason_code_map(self) -> ReasonCodeMap:
        mappings = canonical_tables["reason_code_mappings"]
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(mappings.c.scope, mappings.c.site_code, mappings.c.reason_code)
            ).all()
        return ReasonCodeMap(
            ReasonCodeMapping(row.scope, row.site_code, ReasonCode(row.reason_code)) for row in rows
        )
