"""The Tryton connector: a `Connector` (service_layer/connector_ports.py) over a Tryton
session, reading with `TrytonReader` and writing with `TrytonWriter`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crossdock.adapters.connectors.tryton.reading import TrytonReader
from crossdock.adapters.connectors.tryton.session import TrytonRpc
from crossdock.adapters.connectors.tryton.writing import DOCUMENTS, TrytonWriter
from crossdock.service_layer.connector_ports import Capabilities, DocumentState, Draft, Snapshot

CAPABILITIES = Capabilities(
    reads=frozenset({
        "locations", "lanes", "items", "suppliers", "supply_terms", "customers",
        "inventory_positions", "sales_orders", "sales_order_lines", "purchase_orders",
        "purchase_order_lines", "transfer_orders", "transfer_order_lines",
    }),
    writes=dict(DOCUMENTS),
)  # fmt: skip


class TrytonConnector:
    """One Tryton database, reached through `rpc`."""

    capabilities = CAPABILITIES

    def __init__(self, name: str, rpc: TrytonRpc, *, default_service_tier: str = "silver") -> None:
        self.name = name
        self.rpc = rpc
        self.reader = TrytonReader(
            rpc, source=f"tryton:{name}", default_service_tier=default_service_tier
        )
        self.writer = TrytonWriter(rpc)

    def check(self) -> dict[str, Any]:
        context = self.rpc.preferences()
        count = self.rpc.execute
        return {
            "connection": self.name,
            "company": context.get("company"),
            "user": getattr(self.rpc, "user", None),
            "warehouses": count("stock.location", "search_count", [["type", "=", "warehouse"]],
                                context=context),
            "products": count("product.product", "search_count", [["type", "=", "goods"]],
                              context=context),
            "capabilities": self.capabilities.to_json(),
        }  # fmt: skip

    def read(self, *, since: str | None) -> Snapshot:
        return self.reader.read(since=since)

    def write_draft(self, draft: Draft) -> str:
        return self.writer.write_draft(draft)

    def document_states(self, documents: Sequence[str]) -> dict[str, DocumentState]:
        return self.writer.document_states(documents)

    def close(self) -> None:
        self.rpc.close()
