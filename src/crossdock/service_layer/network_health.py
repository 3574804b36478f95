"""The network view: every warehouse with its health (items short, items in excess) and
the transfers flowing between warehouses, open or recommended.

An item is **short** at a warehouse when what is available there (on hand less
allocated and on hold) is below its open sales order lines due within the horizon, or
when nothing is on hand while the item has demand; the units short are the lines less
what is available, or for an item with no lines due, the horizon's demand at the recent
pace. An item is in **excess** when on hand is above `excess_days` of its average daily
demand; the excess is what is above that. A warehouse that supplies others (its
children by `parent_location_code`) is judged against its own demand and theirs, as a
distribution centre's stock serves its branches. Money is units x the item's unit
cost: supplier cost, null for roles that may not see it (`masked_fields`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from crossdock.governance.access import Principal, authorize, in_sites
from crossdock.governance.masking import MASKED_FIELDS_KEY, SUPPLIER_COST, visible_classes
from crossdock.service_layer.listing_ports import InvalidQuery
from crossdock.service_layer.network_ports import (
    ItemUnits,
    LaneUnits,
    NetworkReads,
    Position,
    Warehouse,
)

DEMAND_DAYS = 28  # the recent pace of demand: the last four weeks
TOP_ITEMS = 5
_MONEY_KEYS = frozenset({"unit_cost", "value"})


@dataclass(frozen=True, slots=True)
class ItemHealth:
    sku: str
    units: float
    unit_cost: Decimal | None

    @property
    def value(self) -> Decimal | None:
        return None if self.unit_cost is None else self.unit_cost * Decimal(str(self.units))

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "units": round(self.units, 4),
            "unit_cost": _money(self.unit_cost),
            "value": _money(self.value),
        }


def short_items(
    positions: Mapping[str, Position],
    due: Mapping[str, float],
    daily_demand: Mapping[str, float],
    *,
    horizon_days: int,
    unit_costs: Mapping[str, Decimal],
) -> list[ItemHealth]:
    """One warehouse's items short (see the module docstring), by sku."""
    out = []
    for sku in sorted(set(positions) | set(due)):
        position = positions.get(sku)
        available = 0.0 if position is None else position.available
        on_hand = 0.0 if position is None else position.on_hand
        lines = due.get(sku, 0.0)
        pace = daily_demand.get(sku, 0.0)
        if available < lines:
            units = lines - max(available, 0.0)
        elif on_hand <= 0 and pace > 0:
            units = pace * horizon_days
        else:
            continue
        out.append(ItemHealth(sku=sku, units=units, unit_cost=unit_costs.get(sku)))
    return out


def excess_items(
    positions: Mapping[str, Position],
    daily_demand: Mapping[str, float],
    *,
    excess_days: int,
    unit_costs: Mapping[str, Decimal],
) -> list[ItemHealth]:
    """One warehouse's items with more on hand than `excess_days` of demand, by sku."""
    out = []
    for sku, position in sorted(positions.items()):
        cover = daily_demand.get(sku, 0.0) * excess_days
        if position.on_hand > cover:
            out.append(
                ItemHealth(sku=sku, units=position.on_hand - cover, unit_cost=unit_costs.get(sku))
            )
    return out


def echelons(warehouses: Iterable[Warehouse]) -> dict[str, set[str]]:
    """Each warehouse and every warehouse below it (children, their children ...)."""
    children: dict[str, set[str]] = defaultdict(set)
    codes = [w.code for w in warehouses]
    for w in warehouses:
        if w.parent:
            children[w.parent].add(w.code)
    out = {}
    for code in codes:
        seen, todo = {code}, [code]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        out[code] = seen
    return out


def network_health(
    reads: NetworkReads,
    *,
    actor: Principal,
    as_of: date,
    horizon_days: int = 14,
    excess_days: int = 60,
) -> dict[str, Any]:
    """Warehouses (of `actor`'s sites) with their health, and transfer flows per lane
    (touching their sites); money masked for their roles."""
    authorize(actor, "view_kpis")
    for name, value in (("horizon_days", horizon_days), ("excess_days", excess_days)):
        if not 1 <= value <= 365:
            raise InvalidQuery(field=f"query.{name}", value=value, reason="must be 1 to 365")
    warehouses = reads.warehouses()
    tree = echelons(warehouses)
    costs = reads.unit_costs()
    positions = _by_location(reads.positions(as_of=as_of))
    due = _units_by_location(reads.open_order_units(due_by=as_of + timedelta(days=horizon_days)))
    recent = _units_by_location(
        reads.demand(start=as_of - timedelta(days=DEMAND_DAYS - 1), end=as_of)
    )
    shown = [w for w in warehouses if in_sites(actor, w.code)]
    body: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "horizon_days": horizon_days,
        "excess_days": excess_days,
        "demand_days": DEMAND_DAYS,
        "warehouses": [],
    }
    for warehouse in shown:
        pace = _daily(recent, tree[warehouse.code])
        here = positions.get(warehouse.code, {})
        short = short_items(
            here,
            due.get(warehouse.code, {}),
            pace,
            horizon_days=horizon_days,
            unit_costs=costs,
        )
        excess = excess_items(here, pace, excess_days=excess_days, unit_costs=costs)
        body["warehouses"].append(
            {
                "code": warehouse.code,
                "name": warehouse.name,
                "type": warehouse.type,
                "parent": warehouse.parent,
                "region": warehouse.region,
                "item_locations": len(here),
                "health": {"short": _summary(short), "excess": _summary(excess)},
            }
        )
    body["transfer_flows"] = _flows(
        reads.open_transfer_orders(), reads.open_transfer_recommendations(), actor
    )
    return _masked(body, actor)


def _by_location(positions: Iterable[Position]) -> dict[str, dict[str, Position]]:
    out: dict[str, dict[str, Position]] = defaultdict(dict)
    for position in positions:
        out[position.location][position.sku] = position
    return out


def _units_by_location(rows: Iterable[ItemUnits]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        out[row.location][row.sku] = out[row.location].get(row.sku, 0.0) + row.units
    return out


def _daily(recent: Mapping[str, Mapping[str, float]], members: set[str]) -> dict[str, float]:
    pace: dict[str, float] = defaultdict(float)
    for location in members:
        for sku, units in recent.get(location, {}).items():
            pace[sku] += units / DEMAND_DAYS
    return pace


def _summary(items: list[ItemHealth]) -> dict[str, Any]:
    ranked = sorted(items, key=lambda i: (-(i.value or Decimal(0)), -i.units, i.sku))
    total = sum((i.value or Decimal(0) for i in items), Decimal(0))
    return {
        "items": len(items),
        "units": round(sum(i.units for i in items), 4),
        "value": _money(total),
        "top": [item.to_json() for item in ranked[:TOP_ITEMS]],
    }


def _flows(
    orders: list[LaneUnits], recommended: list[LaneUnits], actor: Principal
) -> list[dict[str, Any]]:
    lanes: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, rows in (("open_transfer_orders", orders), ("recommended_transfers", recommended)):
        for lane in rows:
            if not (in_sites(actor, lane.from_code) or in_sites(actor, lane.to_code)):
                continue
            entry = lanes.setdefault(
                (lane.from_code, lane.to_code),
                {"from": lane.from_code, "to": lane.to_code, **_no_flow()},
            )
            entry[kind] = {
                "count": lane.documents,
                "units": round(lane.units, 4),
                "value": _money(lane.value_at_cost),
            }
    return [lanes[key] for key in sorted(lanes)]


def _no_flow() -> dict[str, Any]:
    empty = {"count": 0, "units": 0.0, "value": 0.0}
    return {"open_transfer_orders": dict(empty), "recommended_transfers": dict(empty)}


def _masked(body: dict[str, Any], actor: Principal) -> dict[str, Any]:
    if SUPPLIER_COST in visible_classes(actor):
        return body
    masked: list[str] = []
    _hide(body, path="", masked=masked)
    body[MASKED_FIELDS_KEY] = sorted(masked)
    return body


def _hide(value: Any, *, path: str, masked: list[str]) -> None:
    """Set every money key in `value` to None in place, recording where."""
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else key
            if key in _MONEY_KEYS:
                value[key] = None
                masked.append(here)
            else:
                _hide(inner, path=here, masked=masked)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            _hide(inner, path=f"{path}.{i}", masked=masked)


def _money(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)
