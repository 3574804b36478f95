"""The receiving agent's reads: where a PO or ASN is due, the open PO lines due at a
warehouse, recent inbound events, and the customer orders waiting over the warehouse
and the branches it replenishes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, or_, select

from crossdock.adapters.db.agent_reads.days import day as _day
from crossdock.adapters.db.tables import canonical_tables, inbound_events
from crossdock.agents.receiving import Demand, InboundLine, OrderLine

_CLOSED_POS = ("received", "cancelled", "closed")
_NOT_WAITING = ("shipped", "cancelled", "closed", "on_hold")
_INBOUND = ("asn_received", "po_shipped", "shipment_delayed")


class ReceivingReads:
    """`ReceivingData`'s reads over SQLAlchemy."""

    engine: Engine

    def receiving_site(self, reference: str, po_number: str | None) -> str | None:
        po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
        with self.engine.connect() as connection:
            numbers = [n for n in (po_number, reference) if n]
            by_asn = select(pol.c.po_number).where(pol.c.asn_number == reference)
            return connection.execute(
                select(po.c.location_code)
                .where(or_(po.c.po_number.in_(numbers), po.c.po_number.in_(by_asn)))
                .order_by(po.c.po_number)
                .limit(1)
            ).scalar_one_or_none()

    def inbound_lines(self, warehouse: str) -> list[InboundLine]:
        po, pol = canonical_tables["purchase_orders"], canonical_tables["purchase_order_lines"]
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(pol, po.c.supplier_code)
                .join(po, po.c.po_number == pol.c.po_number)
                .where(po.c.location_code == warehouse, po.c.status.not_in(_CLOSED_POS))
                .order_by(pol.c.po_number, pol.c.line_number)
            ).all()
        lines = []
        for row in rows:
            received = float(row.received_quantity or 0)
            open_quantity = float(row.ordered_quantity) - received
            if open_quantity <= 0:
                continue
            shipped = row.shipped_quantity
            lines.append(
                InboundLine(
                    po_number=row.po_number,
                    line_number=int(row.line_number),
                    sku=row.sku,
                    supplier_code=row.supplier_code,
                    open_quantity=open_quantity,
                    in_transit=None if shipped is None else float(shipped) - received,
                    asn_number=row.asn_number,
                    promised_date=_day(row.promised_date),
                )
            )
        return lines

    def inbound_events(self, since: datetime) -> list[Mapping[str, Any]]:
        kinds = inbound_events.c.event_type
        with self.engine.connect() as connection:
            payloads = connection.execute(
                select(inbound_events.c.payload)
                .where(
                    inbound_events.c.occurred_at >= since,
                    or_(
                        kinds.in_(_INBOUND),
                        (kinds == "goods_received")
                        & inbound_events.c.payload.contains('"asn_number"'),
                    ),
                )
                .order_by(inbound_events.c.id)
            ).scalars()
            return [json.loads(payload) for payload in payloads]

    def waiting_demand(self, warehouse: str, skus: list[str]) -> Demand:
        locations, lanes = canonical_tables["locations"], canonical_tables["lanes"]
        stock, items = canonical_tables["inventory_positions"], canonical_tables["items"]
        so, sol = canonical_tables["sales_orders"], canonical_tables["sales_order_lines"]
        customers = canonical_tables["customers"]
        with self.engine.connect() as connection:
            branches = list(
                connection.execute(
                    select(locations.c.location_code).where(
                        locations.c.parent_location_code == warehouse
                    )
                ).scalars()
            )
            sites = [warehouse, *branches]
            newest = (
                select(
                    stock.c.sku, stock.c.location_code, func.max(stock.c.snapshot_at).label("at")
                )
                .where(stock.c.sku.in_(skus), stock.c.location_code.in_(sites))
                .group_by(stock.c.sku, stock.c.location_code)
                .subquery()
            )
            on_hand = connection.execute(
                select(stock.c.sku, func.sum(stock.c.on_hand - func.coalesce(stock.c.on_hold, 0)))
                .join(
                    newest,
                    (newest.c.sku == stock.c.sku)
                    & (newest.c.location_code == stock.c.location_code)
                    & (newest.c.at == stock.c.snapshot_at),
                )
                .group_by(stock.c.sku)
            ).all()
            orders = connection.execute(
                select(sol, so.c.customer_code, so.c.location_code, so.c.requested_date,
                       customers.c.service_tier, items.c.unit_cost)
                .join(so, so.c.order_number == sol.c.order_number)
                .outerjoin(customers, customers.c.customer_code == so.c.customer_code)
                .outerjoin(items, items.c.sku == sol.c.sku)
                .where(sol.c.sku.in_(skus), so.c.location_code.in_(sites),
                       so.c.status.not_in(_NOT_WAITING))
            ).all()  # fmt: skip
            transit = connection.execute(
                select(lanes.c.to_location_code, lanes.c.transit_days).where(
                    lanes.c.from_location_code == warehouse, lanes.c.to_location_code.in_(branches)
                )
            ).all()
        return Demand(
            on_hand={sku: float(quantity or 0) for sku, quantity in on_hand},
            orders=tuple(
                OrderLine(
                    order_number=o.order_number,
                    line_number=int(o.line_number),
                    customer_code=o.customer_code,
                    tier=o.service_tier,
                    location_code=o.location_code,
                    requested_date=d,
                    sku=o.sku,
                    open_quantity=float(o.ordered_quantity) - float(o.shipped_quantity or 0),
                    unit_price=float(o.unit_price or 0),
                    unit_margin=float(o.unit_price or 0) - float(o.unit_cost or 0),
                )
                for o in orders
                if (d := _day(o.requested_date)) is not None
                and float(o.ordered_quantity) > float(o.shipped_quantity or 0)
            ),
            transit_days={code: int(days or 0) for code, days in transit},
        )
