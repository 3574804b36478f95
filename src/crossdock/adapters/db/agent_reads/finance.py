"""The finance agent's reads: a PO with its lines, its receipts, and the invoices and
receipts that arrived for it as events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select

from crossdock.adapters.db.tables import canonical_tables, inbound_events
from crossdock.agents.finance import PoLine, PurchaseOrder, Receipt


class FinanceReads:
    """`FinanceData`'s reads over SQLAlchemy."""

    engine: Engine

    def purchase_order(self, po_number: str) -> PurchaseOrder | None:
        po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
        with self.engine.connect() as connection:
            header = connection.execute(select(po).where(po.c.po_number == po_number)).first()
            if header is None:
                return None
            lines = connection.execute(
                select(pol).where(pol.c.po_number == po_number).order_by(pol.c.line_number)
            ).all()
        return PurchaseOrder(
            po_number=header.po_number,
            supplier_code=header.supplier_code,
            location_code=header.location_code,
            status=str(header.status or ""),
            lines=tuple(
                PoLine(
                    line_number=int(line.line_number),
                    sku=line.sku,
                    ordered_quantity=_decimal(line.ordered_quantity),
                    unit_price=_decimal(line.unit_price),
                    received_quantity=_decimal(line.received_quantity),
                )
                for line in lines
            ),
        )

    def po_receipts(self, po_number: str) -> list[Receipt]:
        receipts = canonical_tables["receipts"]
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(receipts.c.receipt_number, receipts.c.sku, receipts.c.quantity)
                .where(receipts.c.po_number == po_number)
                .order_by(receipts.c.received_at, receipts.c.receipt_number, receipts.c.line_number)
            ).all()
        return [Receipt(r.receipt_number, r.sku, _decimal(r.quantity)) for r in rows]

    def po_events(self, po_number: str, event_type: str) -> list[Mapping[str, Any]]:
        with self.engine.connect() as connection:
            payloads = connection.execute(
                select(inbound_events.c.payload)
                .where(
                    inbound_events.c.event_type == event_type,
                    inbound_events.c.payload.contains(po_number, autoescape=True),
                )
                .order_by(inbound_events.c.id)
            ).scalars()
            events = [json.loads(payload) for payload in payloads]
        if event_type == "invoice_received":
            return [e for e in events if (e.get("data") or {}).get("po_number") == po_number]
        return [e for e in events if e.get("reference") == po_number]


def _decimal(value: object) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))
