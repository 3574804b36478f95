"""The procurement agent's handler: for each PO line an event changes, the customer
orders it hits and an expedite or a follow-up, stored once per event and line. An
unacknowledged line is chased again only once its last follow-up has been decided."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from crossdock.agents import procurement
from crossdock.agents.procurement import LineChange, OpenLine, Position, Proposal
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.agent_ports import ProposalSink
from crossdock.service_layer.dispatching import Consumer

MODEL_VERSION = "procurement agent 1: first-come first-served replay of the pooled position"
POLICY_VERSION = (
    f"tier penalty {dict(procurement.TIER_PENALTY)} x lost margin; "
    f"expedite premium {procurement.EXPEDITE_PREMIUM_RATE} of the PO price"
)
CONFIDENCE = 0.8  # the announced date may still move; the orders may still change


class ProcurementData(ProposalSink, Protocol):
    def open_po_lines(
        self, *, po_number: str | None, asn_number: str | None, line_number: int | None
    ) -> list[OpenLine]:
        """Open lines of a PO (or of an ASN's POs), one line or all."""
        ...

    def position(self, sku: str, location_code: str) -> Position:
        """Stock, open receipts and open customer orders for `sku` over the warehouse and
        the warehouses it replenishes."""
        ...

    def follow_up_waiting(self, po_number: str, line_number: int) -> bool:
        """A follow-up this agent proposed for the line still waits for a decision."""
        ...


def consumer(data: ProcurementData) -> Consumer:
    """The procurement agent as an outbox consumer."""

    def handle(event: Mapping[str, Any]) -> None:
        for change in procurement.supply_changes(event):
            for line in data.open_po_lines(
                po_number=change.po_number,
                asn_number=change.asn_number,
                line_number=change.line_number,
            ):
                if change.unacknowledged and data.follow_up_waiting(
                    line.po_number, line.line_number
                ):
                    continue  # the daily check again: the buyer has yesterday's follow-up
                position = data.position(line.sku, line.location_code)
                found = procurement.hits(position, line, change)
                proposal = procurement.propose(line, change, found, unit_cost=position.unit_cost)
                if proposal is not None:
                    data.save_proposal(_row(event, line, change, proposal, position))

    return Consumer(procurement.AGENT, procurement.TOPICS, handle)


def _row(
    event: Mapping[str, Any],
    line: OpenLine,
    change: LineChange,
    proposal: Proposal,
    position: Position,
) -> dict[str, Any]:
    expected = proposal.expedite_cost if proposal.kind == "expedite" else proposal.shortage_cost
    residual = 0.0 if proposal.kind == "expedite" else proposal.shortage_cost
    evidence = {
        "line": {"po_number": line.po_number, "line_number": line.line_number,
                 "open_quantity": line.open_quantity,
                 "promised_date": line.promised_date.isoformat() if line.promised_date else None,
                 "new_date": change.new_date.isoformat() if change.new_date else None,
                 "new_quantity": change.new_quantity, "rejected": change.rejected,
                 "waiting_days": change.waiting_days},
        "hits": [
            {"order_number": h.order.order_number, "line_number": h.order.line_number,
             "customer_code": h.order.customer_code, "tier": h.order.tier,
             "location_code": h.order.location_code,
             "requested_date": h.order.requested_date.isoformat(),
             "short_before": h.short_before, "short_after": h.short_after}
            for h in proposal.hits
        ],
        "position": {"on_hand": position.on_hand, "open_receipts": len(position.receipts),
                     "open_order_lines": len(position.orders)},
    }  # fmt: skip
    alternatives = [
        {"alternative": "none", "kind": "none", "shortage": proposal.shortage_cost,
         "expedite": 0.0, "total": proposal.shortage_cost, "chosen": False},
        {"alternative": proposal.kind, "kind": proposal.kind, "shortage": residual,
         "expedite": proposal.expedite_cost, "total": expected, "chosen": True},
    ]  # fmt: skip
    return proposal_row(
        agent=procurement.AGENT,
        event=event,
        key=(line.po_number, line.line_number),
        kind=proposal.kind,
        sku=line.sku,
        from_code=line.supplier_code,
        to_code=line.location_code,
        po_number=line.po_number,
        line_number=line.line_number,
        quantity=proposal.quantity,
        expected_arrival_date=proposal.needed_by,
        rationale=proposal.rationale,
        evidence=evidence,
        alternatives=alternatives,
        confidence=CONFIDENCE,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=f"{line.sku}@{line.location_code} and the warehouses it replenishes",
        action_cost=proposal.expedite_cost,
        expected_cost=expected,
        shortage_cost=residual,
        expedite_cost=proposal.expedite_cost,
        do_nothing_cost=proposal.shortage_cost,
        savings=proposal.savings,
        marginal_savings=proposal.savings,
        order_value=proposal.quantity * line.unit_price,
    )
