"""The procurement agent's answer to `order_exception_raised`: for the short customer
order line, an expedite of an open PO line or a buy from a supplier whose lead time
lands in time, when one costs less than the lost margin, stored once per event and
order line. Nothing more is proposed for a line while an earlier answer waits for a
decision."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from crossdock.agents import procurement, procurement_cover
from crossdock.agents.procurement import EXPEDITE_PREMIUM_RATE, OpenLine, Position
from crossdock.agents.procurement_cover import Cover
from crossdock.agents.procurement_options import SupplierOffer
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.agent_ports import ProposalSink

MODEL_VERSION = (
    "procurement agent 2: a short order line, first-come first-served replay of the pool, "
    "expedite or buy replayed and priced"
)
POLICY_VERSION = (
    f"tier penalty {dict(procurement.TIER_PENALTY)} x lost margin; "
    f"expedite premium {EXPEDITE_PREMIUM_RATE} of the PO price; "
    "supplier price over the item's cost"
)
CONFIDENCE = 0.7  # the short units are the order exception agent's; dates may still move


class CoverData(ProposalSink, Protocol):
    def supplying_warehouse(self, location_code: str) -> str:
        """The warehouse that replenishes `location_code`, or itself when none does."""
        ...

    def position(self, sku: str, location_code: str) -> Position:
        """The item's pooled position over the warehouse and those it replenishes."""
        ...

    def pooled_po_lines(self, sku: str, location_code: str) -> list[OpenLine]:
        """Open PO lines of `sku` into the warehouse and those it replenishes."""
        ...

    def supplier_offers(self, sku: str, *, excluding: str | None = None) -> list[SupplierOffer]:
        """Every supplier's terms for `sku` (but `excluding`'s)."""
        ...

    def answer_waiting(self, scope: str) -> bool:
        """A proposal the procurement agent made for `scope` still waits for a decision."""
        ...


def answer(event: Mapping[str, Any], data: CoverData) -> None:
    """Propose the cheapest supply-side cover for the short line the event names."""
    short = procurement_cover.shortfall(event)
    if short is None or data.answer_waiting(_scope(short)):
        return
    pool = data.supplying_warehouse(short.location_code)
    found = procurement_cover.cover(
        short,
        data.position(short.sku, pool),
        pool=pool,
        lines=data.pooled_po_lines(short.sku, pool),
        offers=data.supplier_offers(short.sku),
        today=datetime.fromisoformat(str(event["occurred_at"])).date(),
    )
    if found is not None and found.acting:
        data.save_proposal(_row(event, found, pool))


def _scope(short: procurement_cover.Shortfall) -> str:
    return (
        f"{short.order_number} line {short.line_number} ({short.sku}@{short.location_code}): supply"
    )


def _row(event: Mapping[str, Any], found: Cover, pool: str) -> dict[str, Any]:
    short, order, chosen, line = found.shortfall, found.order, found.chosen, found.line
    evidence = {
        "action": chosen.action,
        "customer_tier": order.tier,
        "order_line": {"order_number": order.order_number, "line_number": order.line_number,
                       "customer_code": order.customer_code, "tier": order.tier,
                       "location_code": order.location_code,
                       "requested_date": order.requested_date.isoformat(),
                       "open_quantity": order.open_quantity, "unit_price": order.unit_price},
        "asked": {"units": short.units, "exception": short.exception,
                  "needed_by": short.needed_by.isoformat()},
        "pool": pool,
        "short_in_pool": found.units,
        "po_lines": [{"po_number": ln.po_number, "line_number": ln.line_number,
                      "supplier_code": ln.supplier_code, "open_quantity": ln.open_quantity,
                      "promised_date": ln.promised_date.isoformat() if ln.promised_date else None}
                     for ln in found.lines],
    }  # fmt: skip
    price = chosen.unit_price if chosen.unit_price is not None else (line.unit_price if line else 0)
    money = {"expedite_cost": chosen.cost} if chosen.action == "expedite" else {
        "purchase_cost": chosen.cost
    }  # fmt: skip
    return proposal_row(
        agent=procurement.AGENT,
        event=event,
        key=short.key,
        kind=chosen.kind,
        sku=short.sku,
        from_code=chosen.from_code,
        to_code=line.location_code if line else pool,
        po_number=line.po_number if line else None,
        line_number=line.line_number if line else None,
        quantity=chosen.units,
        expected_arrival_date=chosen.arrives,
        rationale=found.rationale,
        evidence=evidence,
        alternatives=[o.to_json(chosen=o is chosen) for o in found.options],
        confidence=CONFIDENCE,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope=_scope(short),
        action_cost=chosen.cost,
        expected_cost=chosen.total,
        shortage_cost=chosen.shortage,
        do_nothing_cost=found.do_nothing_cost,
        savings=found.savings,
        marginal_savings=found.savings,
        order_value=chosen.units * price,
        **money,
    )
