"""The receiving prioritisation agent's handler: when a shipment is announced, shipped or
delayed, rank the dock's queue at its warehouse and propose the shipment to receive
first, once per shipment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from crossdock.agents import receiving
from crossdock.agents.receiving import Demand, Fill, InboundLine, Proposal, Shipment
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.agent_ports import ProposalSink
from crossdock.service_layer.dispatching import Consumer

MODEL_VERSION = "receiving agent 1: greedy ranking of the dock queue by waiting margin"
POLICY_VERSION = (
    f"tier weight {dict(receiving.WEIGHTS)} x margin of short order lines due within "
    f"{receiving.DEMAND_HORIZON_DAYS} days; x {receiving.CROSS_DOCK_WEIGHT} for units due now "
    "(cross-dock)"
)
CONFIDENCE = 0.7  # arrival days and the dock's own pace are estimates


class ReceivingData(ProposalSink, Protocol):
    def receiving_site(self, reference: str, po_number: str | None) -> str | None:
        """The warehouse a PO, or the PO of an ASN, is due at; None when unknown."""
        ...

    def inbound_lines(self, warehouse: str) -> list[InboundLine]:
        """Open PO lines due at the warehouse."""
        ...

    def inbound_events(self, since: datetime) -> list[Mapping[str, Any]]:
        """ASNs, shipped POs, delays and receipts against an ASN stored since `since`."""
        ...

    def waiting_demand(self, warehouse: str, skus: list[str]) -> Demand:
        """Stock and open customer order lines for `skus` over the warehouse and the
        branches it replenishes, with the transit days to each branch."""
        ...


def consumer(data: ReceivingData) -> Consumer:
    """The receiving prioritisation agent as an outbox consumer."""

    def handle(event: Mapping[str, Any]) -> None:
        reference, details = event.get("reference"), event.get("data") or {}
        if reference is None:
            return
        at = datetime.fromisoformat(str(event["occurred_at"]).replace("Z", "+00:00"))
        recent = data.inbound_events(at - timedelta(days=receiving.EVENT_LOOKBACK_DAYS))
        po_number = details.get("po_number") or next(
            (e["data"].get("po_number") for e in recent
             if e["event_type"] == "asn_received" and e.get("reference") == reference),
            None,
        )  # fmt: skip
        warehouse = event.get("location_code") or data.receiving_site(reference, po_number)
        if warehouse is None:
            return
        found = receiving.shipments(data.inbound_lines(warehouse), [*recent, event])
        mine = [s for s in found if reference in (s.reference, s.po_number)]
        if not mine:
            return  # nothing of it is still open at the warehouse
        dock_day = min(s.arrival or at.date() for s in mine)
        queue = [s for s in found if s.arrival is None or s.arrival <= dock_day]
        skus = sorted({sku for s in queue for _, sku, _ in s.lines})
        short = receiving.waiting(data.waiting_demand(warehouse, skus), dock_day)
        proposal = receiving.propose(warehouse, queue, short)
        if proposal is not None:
            data.save_proposal(_row(event, warehouse, dock_day, proposal))

    return Consumer(receiving.AGENT, receiving.TOPICS, handle)


def _row(
    event: Mapping[str, Any], warehouse: str, dock_day: date, proposal: Proposal
) -> dict[str, Any]:
    first = proposal.first.shipment
    by_sku: dict[str, float] = {}
    for fill in proposal.waits:
        by_sku[fill.order.sku] = by_sku.get(fill.order.sku, 0.0) + fill.margin
    sku = max(by_sku, key=lambda s: by_sku[s])
    margin = proposal.margin_waiting
    fifo = sorted((r.shipment for r in proposal.ranked), key=lambda s: s.fifo)
    evidence = {
        "warehouse": warehouse,
        "dock_day": dock_day.isoformat(),
        "ranked": [
            {"rank": i + 1, **_shipment(r.shipment), "fifo_position": fifo.index(r.shipment) + 1,
             "score": round(r.score, 2), "margin": round(sum(f.margin for f in r.fills), 2),
             "cross_dock_units": sum(f.units for f in r.fills if f.cross_dock),
             "orders": [_fill(f) for f in r.fills]}
            for i, r in enumerate(proposal.ranked)
        ],
        "ahead_in_fifo": [s.reference for s in proposal.ahead],
        "waiting": [_fill(f) for f in proposal.waits],
        "weights": {"tier": dict(receiving.WEIGHTS), "cross_dock": receiving.CROSS_DOCK_WEIGHT,
                    "horizon_days": receiving.DEMAND_HORIZON_DAYS},
    }  # fmt: skip
    alternatives = [
        {"alternative": "receive in arrival order", "kind": "none", "margin_waiting": margin,
         "chosen": False},
        {"alternative": f"receive {first.reference} first", "kind": "receive_first",
         "margin_waiting": 0.0, "chosen": True},
    ]  # fmt: skip
    row = proposal_row(
        agent=receiving.AGENT,
        event=event,
        key=(warehouse, first.reference),
        kind="receive_first",
        sku=sku,
        from_code=first.supplier_code,
        to_code=warehouse,
        po_number=first.po_number,
        line_number=first.lines[0][0] if len(first.lines) == 1 else None,
        quantity=first.units,
        expected_arrival_date=first.arrival,
        rationale=proposal.rationale,
        evidence=evidence,
        alternatives=alternatives,
        confidence=CONFIDENCE,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=f"the dock at {warehouse} on {dock_day.isoformat()}",
        do_nothing_cost=margin,
        savings=margin,
        marginal_savings=margin,
        order_value=sum(f.units * f.order.unit_price for f in proposal.waits),
    )
    # One proposal per shipment, whichever event (ASN, shipped, delayed) ranked it first.
    row["idempotency_key"] = ":".join((receiving.AGENT, warehouse, first.reference))
    return row


def _shipment(s: Shipment) -> dict[str, Any]:
    return {
        "reference": s.reference,
        "po_number": s.po_number,
        "supplier_code": s.supplier_code,
        "arrival": s.arrival.isoformat() if s.arrival else None,
        "units": s.units,
    }


def _fill(f: Fill) -> dict[str, Any]:
    o = f.order
    return {
        "order_number": o.order_number,
        "line_number": o.line_number,
        "customer_code": o.customer_code,
        "tier": o.tier,
        "location_code": o.location_code,
        "requested_date": o.requested_date.isoformat(),
        "sku": o.sku,
        "units": f.units,
        "margin": round(f.margin, 2),
        "cross_dock": f.cross_dock,
    }
