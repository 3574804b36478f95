"""The procurement agent's handler: for each PO line an event changes, the customer
orders it hits and the cheapest way to serve them (an expedite or a split of the line, a
transfer from another warehouse, a buy from another supplier) or a follow-up with the
supplier, stored once per event and line. An unacknowledged line is chased again only
once the agent's last proposal for it has been decided. The order exception agent's ask
about a short order line is answered in `procurement_cover`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from crossdock.agents import procurement, procurement_options
from crossdock.agents.procurement import LineChange, OpenLine, Position
from crossdock.agents.procurement_options import Proposal, SpareStock
from crossdock.service_layer.agent_handlers import procurement_cover
from crossdock.service_layer.agent_handlers.procurement_cover import CoverData
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.agent_ports import ProposalSink
from crossdock.service_layer.dispatching import Consumer

MODEL_VERSION = (
    "procurement agent 2: first-come first-served replay of the pooled position, "
    "each option replayed and priced"
)
POLICY_VERSION = (
    f"tier penalty {dict(procurement.TIER_PENALTY)} x lost margin; "
    f"expedite premium {procurement.EXPEDITE_PREMIUM_RATE} of the PO price; "
    f"split delivery {procurement_options.SPLIT_DELIVERY_COST}; lane freight; "
    "supplier price difference"
)
CONFIDENCE = 0.8  # the announced date may still move; the orders may still change
# the money column an option's own cost goes to
_COST_COLUMN = {"expedite": "expedite_cost", "split": "transport_cost",
                "transfer": "transport_cost", "buy": "purchase_cost"}  # fmt: skip


class ProcurementData(CoverData, ProposalSink, Protocol):
    def open_po_lines(
        self, *, po_number: str | None, asn_number: str | None, line_number: int | None
    ) -> list[OpenLine]:
        """Open lines of a PO (or of an ASN's POs), one line or all."""
        ...

    def spare_stock(self, sku: str, location_code: str) -> list[SpareStock]:
        """Warehouses outside the pool with free `sku` and a lane to `location_code`."""
        ...

    def proposal_waiting(self, po_number: str, line_number: int) -> bool:
        """A proposal this agent made for the line still waits for a decision."""
        ...


def consumer(data: ProcurementData) -> Consumer:
    """The procurement agent as an outbox consumer."""

    def handle(event: Mapping[str, Any]) -> None:
        if event["event_type"] == "order_exception_raised":
            procurement_cover.answer(event, data)
            return
        today = datetime.fromisoformat(str(event["occurred_at"])).date()
        for change in procurement.supply_changes(event):
            for line in data.open_po_lines(
                po_number=change.po_number,
                asn_number=change.asn_number,
                line_number=change.line_number,
            ):
                if change.unacknowledged and data.proposal_waiting(
                    line.po_number, line.line_number
                ):
                    continue  # the daily check again: the buyer has yesterday's proposal
                position = data.position(line.sku, line.location_code)
                found = procurement.hits(position, line, change)
                if not found:
                    continue
                proposal = procurement_options.propose(
                    line, change, position, found, today=today,
                    offers=data.supplier_offers(line.sku, excluding=line.supplier_code),
                    spare=data.spare_stock(line.sku, line.location_code),
                )  # fmt: skip
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
    chosen = proposal.chosen
    evidence = {
        "action": chosen.action if chosen.action != "none" else "follow_up",
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
    alternatives = [o.to_json(chosen=o is chosen and o.action != "none") for o in proposal.options]
    if chosen.action == "none":  # nobody buys or moves anything: the supplier is asked
        alternatives.append(
            {"alternative": "follow_up", "kind": "follow_up", "action": "follow_up",
             "available": True, "note": "ask the supplier", "shortage": alternatives[0]["shortage"],
             "total": alternatives[0]["total"], "chosen": True}
        )  # fmt: skip
    price = chosen.unit_price if chosen.unit_price is not None else line.unit_price
    money = {_COST_COLUMN[chosen.action]: chosen.cost} if chosen.action in _COST_COLUMN else {}
    return proposal_row(
        agent=procurement.AGENT,
        event=event,
        key=(line.po_number, line.line_number),
        kind=proposal.kind,
        sku=line.sku,
        from_code=chosen.from_code or line.supplier_code,
        to_code=line.location_code,
        po_number=line.po_number,
        line_number=line.line_number,
        quantity=proposal.quantity,
        expected_arrival_date=proposal.arrival,
        rationale=proposal.rationale,
        evidence=evidence,
        alternatives=alternatives,
        confidence=CONFIDENCE,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=f"{line.sku}@{line.location_code} and the warehouses it replenishes",
        action_cost=proposal.action_cost,
        expected_cost=proposal.expected_cost,
        shortage_cost=proposal.shortage_cost,
        do_nothing_cost=proposal.do_nothing_cost,
        savings=proposal.savings,
        marginal_savings=proposal.savings,
        order_value=proposal.quantity * price,
        **money,
    )
