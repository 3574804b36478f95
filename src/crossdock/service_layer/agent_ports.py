"""What the agents read and write: open PO lines, an item's pooled position, and
proposals stored once per idempotency key. The SQL store in
`adapters/db/agent_store.py` implements it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from crossdock.agents.procurement import OpenLine, Position


class AgentData(Protocol):
    def open_po_lines(
        self, *, po_number: str | None, asn_number: str | None, line_number: int | None
    ) -> list[OpenLine]:
        """Open lines of a PO (or of an ASN's POs), one line or all."""
        ...

    def position(self, sku: str, location_code: str) -> Position:
        """Stock, open receipts and open customer orders for `sku` over the warehouse and
        the warehouses it replenishes."""
        ...

    def save_proposal(self, row: Mapping[str, Any]) -> int | None:
        """Insert a recommendation row unless its idempotency key exists; its id or None."""
        ...
