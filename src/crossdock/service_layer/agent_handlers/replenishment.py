"""The replenishment agent's handler: for each item-location an event changes, its
inventory position against the reorder point the plan sized (or the plan's engine sizes
now), and a buy from the primary supplier when it is below, stored once per event and
item-location."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from crossdock.agents import replenishment
from crossdock.agents.replenishment import ItemFacts, PlanRow, Proposal, Supplier
from crossdock.agents.stock_position import AfterEvent, Pending, Stock, after_event, pooled
from crossdock.service_layer.agent_handlers.proposals import proposal_row
from crossdock.service_layer.agent_handlers.replenishment_levels import (
    HISTORY_DAYS,
    Sized,
    from_plan,
    sized_now,
)
from crossdock.service_layer.agent_ports import ProposalSink, ReferenceData
from crossdock.service_layer.dispatching import Consumer
from crossdock.service_layer.remembering import Memo

MODEL_VERSION = "replenishment agent 1: the plan's reorder point against the position now"
POLICY_VERSION = "reorder point for the plan's fill-rate target; the plan's cost terms"


class ReplenishmentData(ProposalSink, ReferenceData, Protocol):
    def stock(self, sku: str, location_code: str) -> Stock:
        """The item at the warehouse: newest count, open receipts, open order lines."""
        ...

    def open_supply(self, sku: str, location_code: str) -> list[Pending]:
        """Open buys, transfers and rebalances into the item-location (the newest
        plan's and the agents')."""
        ...

    def po_item_locations(self, po_number: str) -> list[tuple[int, str, str]]:
        """(line number, sku, receiving warehouse) of each line of a PO."""
        ...

    def echelon(self, sku: str, location_code: str) -> tuple[str, list[str]]:
        """Where the item is bought for `location_code` (itself when it is a DC, has no
        parent or has bought the item before; else its parent), and that site with the
        warehouses it replenishes."""
        ...

    def plan_row(self, sku: str, location_code: str) -> PlanRow | None:
        """What the newest plan recorded for the item-location, if it recorded it."""
        ...

    def daily_demand(self, sku: str, location_code: str, *, until: date, days: int) -> list[float]:
        """Units demanded on each of the `days` days ending on `until` (zeros included)."""
        ...

    def item_facts(self, sku: str) -> ItemFacts | None: ...

    def primary_supplier(self, sku: str) -> Supplier | None:
        """The item's primary supplier's terms (else the shortest lead time's)."""
        ...

    def location_tier(self, location_code: str) -> str | None:
        """The service tier of the customers that ordered the most units there."""
        ...


def consumer(data: ReplenishmentData) -> Consumer:
    """The replenishment agent as an outbox consumer. Levels it sizes with the plan's
    engine are remembered per item-location, day and demand shift within a data version
    (the sizing reads only imported data): sizing is most of what an event costs."""
    sizes = Memo()

    def handle(event: Mapping[str, Any]) -> None:
        today = datetime.fromisoformat(str(event["occurred_at"])).date()
        for sku, location in _item_locations(event, data):
            _replan(event, data, sku, location, today=today, sizes=sizes)

    return Consumer(replenishment.AGENT, replenishment.TOPICS, handle)


def _replan(
    event: Mapping[str, Any],
    data: ReplenishmentData,
    sku: str,
    location: str,
    *,
    today: date,
    sizes: Memo,
) -> None:
    """Re-plan where the item is bought for `location`: the location itself, or the DC
    that replenishes it, pooled with the warehouses that DC replenishes (as the plan
    prices a DC)."""
    item, supplier = data.item_facts(sku), data.primary_supplier(sku)
    if item is None or supplier is None:
        return  # nothing known to buy it from
    site, members = data.echelon(sku, location)
    stocks = {member: data.stock(sku, member) for member in members}
    changed = after_event(event, stocks.get(location) or data.stock(sku, location))
    stocks[location] = changed.stock
    after = AfterEvent(pooled([stocks[m] for m in members], site), changed.change)
    plan, shift = data.plan_row(sku, site), replenishment.demand_shift(event)
    if plan is not None:
        sized = from_plan(plan, unit_cost=item.unit_cost, shift=shift)
    else:

        def size() -> Sized:
            daily = [data.daily_demand(sku, m, until=today, days=HISTORY_DAYS) for m in members]
            return sized_now(
                [sum(day) for day in zip(*daily, strict=True)],
                item=item,
                tier=data.location_tier(site),
                supplier=supplier,
                shift=shift,
            )

        version = data.reference_version()
        if version is None:
            sized = size()
        else:
            sizes.see(version)
            sized = sizes.recall((sku, site, today, shift), size)
    proposal = replenishment.propose(
        after,
        event=event,
        levels=sized.levels,
        costs=sized.costs,
        item=item,
        supplier=supplier,
        pending=data.open_supply(sku, site),
        shortfall=sized.shortfall,
        today=today,
        members=members,
    )
    if proposal is not None:
        data.save_proposal(_row(event, after.stock, supplier, sized, proposal, members))


def _item_locations(event: Mapping[str, Any], data: ReplenishmentData) -> list[tuple[str, str]]:
    """The item-locations the event changes: its own, or those of the PO lines it names."""
    sku, location = event.get("sku"), event.get("location_code")
    if sku is not None and location is not None:
        return [(sku, location)]
    kind, body, reference = event["event_type"], event.get("data") or {}, event.get("reference")
    if kind not in ("po_changed", "po_rejected") or reference is None:
        return []  # a demand anomaly of a whole site names no item
    if kind == "po_changed":
        wanted: set[int] | None = {int(line["line_number"]) for line in body.get("lines", [])}
    else:
        wanted = set(body["line_numbers"]) if body.get("line_numbers") else None
    return sorted(
        {
            (line_sku, line_location)
            for number, line_sku, line_location in data.po_item_locations(reference)
            if wanted is None or number in wanted
        }
    )


def _row(
    event: Mapping[str, Any],
    stock: Stock,
    supplier: Supplier,
    sized: Sized,
    proposal: Proposal,
    members: list[str],
) -> dict[str, Any]:
    levels, costs, money = sized.levels, sized.costs, proposal.money
    evidence = {
        "warehouses": members,
        "position": {"on_hand": stock.on_hand, "on_hold": stock.on_hold,
                     "available": stock.available, "on_order": stock.on_order,
                     "committed": stock.committed, "inventory_position": proposal.position,
                     "counted_at": stock.counted_at.isoformat() if stock.counted_at else None},
        "levels": {"safety_stock": round(levels.safety_stock, 4),
                   "reorder_point": round(levels.reorder_point, 4),
                   "fill_rate_target": levels.fill_rate,
                   "protection_days": levels.protection_days,
                   "demand_mean": round(levels.demand_mean, 4),
                   "demand_std": round(levels.demand_std, 4), "basis": levels.basis},
        "supplier": {"supplier_code": supplier.supplier_code,
                     "lead_time_days": supplier.lead_time_days, "moq": supplier.moq,
                     "order_multiple": supplier.order_multiple,
                     "unit_price": supplier.unit_price},
        "costs": {"shortage_penalty": round(costs.shortage_penalty, 4),
                  "holding_per_unit": round(costs.holding_per_unit, 6),
                  "ordering_cost": costs.ordering_cost},
        "already_proposed": [{"recommendation_id": p.recommendation_id, "kind": p.kind,
                              "quantity": p.quantity, "status": p.status, "origin": p.origin}
                             for p in proposal.pending],
    }  # fmt: skip
    alternatives = [
        {"alternative": "none", "kind": "none", "holding": round(money.holding_before, 4),
         "shortage": round(money.shortage_before, 4), "ordering": 0.0, "purchase": 0.0,
         "total": round(money.do_nothing, 4), "chosen": False},
        {"alternative": f"buy from {supplier.supplier_code}", "kind": "buy",
         "quantity": proposal.quantity, "holding": round(money.holding_after, 4),
         "shortage": round(money.shortage_after, 4), "ordering": money.ordering,
         "purchase": round(money.purchase, 4), "total": round(money.expected, 4),
         "chosen": True},
    ]  # fmt: skip
    return proposal_row(
        agent=replenishment.AGENT,
        event=event,
        key=(stock.sku, stock.location_code),
        kind="buy",
        sku=stock.sku,
        from_code=supplier.supplier_code,
        to_code=stock.location_code,
        quantity=float(proposal.quantity),
        expected_arrival_date=proposal.arrival,
        rationale=proposal.rationale,
        evidence=evidence,
        alternatives=alternatives,
        confidence=sized.confidence,
        model_version=MODEL_VERSION,
        policy_version=POLICY_VERSION,
        scope="|".join(f"{stock.sku}@{member}" for member in members),
        action_cost=money.ordering + money.purchase,
        expected_cost=money.expected,
        holding_cost=money.holding_after,
        shortage_cost=money.shortage_after,
        ordering_cost=money.ordering,
        purchase_cost=money.purchase,
        do_nothing_cost=money.do_nothing,
        savings=money.savings,
        marginal_savings=money.savings,
        order_value=proposal.quantity * supplier.unit_price,
    )
