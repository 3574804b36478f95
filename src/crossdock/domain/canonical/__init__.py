"""The canonical data model: every entity Crossdock reads, field by field.

This module is the one place that says what a distributor's data looks like to
Crossdock. The importer validates against it, the database tables mirror it
(a test keeps them in step), the demo generator produces it and
`docs/data-format.md` documents it. Entities are listed in load order: an entity
only references entities listed before it (or itself).
"""

from __future__ import annotations

from crossdock.domain.canonical.common import (
    CRITICALITY,
    LIFECYCLE,
    LOCATION_TYPES,
    PROMOTION_KINDS,
    PROMOTION_STATUSES,
    PURCHASE_ORDER_STATUSES,
    SALES_ORDER_STATUSES,
    SERVICE_TIERS,
    TRANSFER_ORDER_STATUSES,
)
from crossdock.domain.canonical.fields import Entity, Field, FieldKind
from crossdock.domain.canonical.network import (
    CUSTOMERS,
    ITEMS,
    LANES,
    LOCATIONS,
    REASON_CODE_MAPPINGS,
    SUPPLIERS,
    SUPPLY_TERMS,
)
from crossdock.domain.canonical.orders import (
    EVENTS,
    PURCHASE_ORDER_LINES,
    PURCHASE_ORDERS,
    RECEIPTS,
    SALES_ORDER_LINES,
    SALES_ORDERS,
    TRANSFER_ORDER_LINES,
    TRANSFER_ORDERS,
)
from crossdock.domain.canonical.stock import DEMAND_HISTORY, INVENTORY_POSITIONS, PROMOTIONS

ENTITIES: tuple[Entity, ...] = (
    ITEMS,
    LOCATIONS,
    SUPPLIERS,
    CUSTOMERS,
    LANES,
    SUPPLY_TERMS,
    REASON_CODE_MAPPINGS,
    INVENTORY_POSITIONS,
    DEMAND_HISTORY,
    PROMOTIONS,
    SALES_ORDERS,
    SALES_ORDER_LINES,
    PURCHASE_ORDERS,
    PURCHASE_ORDER_LINES,
    TRANSFER_ORDERS,
    TRANSFER_ORDER_LINES,
    RECEIPTS,
    EVENTS,
)

ENTITIES_BY_NAME: dict[str, Entity] = {entity.name: entity for entity in ENTITIES}


def entity(name: str) -> Entity:
    """The entity called `name`, or a KeyError listing the known ones."""
    try:
        return ENTITIES_BY_NAME[name]
    except KeyError:
        known = ", ".join(ENTITIES_BY_NAME)
        raise KeyError(f"unknown entity {name!r}; known entities: {known}") from None


__all__ = [
    "CRITICALITY",
    "CUSTOMERS",
    "DEMAND_HISTORY",
    "ENTITIES",
    "ENTITIES_BY_NAME",
    "EVENTS",
    "INVENTORY_POSITIONS",
    "ITEMS",
    "LANES",
    "LIFECYCLE",
    "LOCATIONS",
    "LOCATION_TYPES",
    "PROMOTIONS",
    "PROMOTION_KINDS",
    "PROMOTION_STATUSES",
    "PURCHASE_ORDERS",
    "PURCHASE_ORDER_LINES",
    "PURCHASE_ORDER_STATUSES",
    "REASON_CODE_MAPPINGS",
    "RECEIPTS",
    "SALES_ORDERS",
    "SALES_ORDER_LINES",
    "SALES_ORDER_STATUSES",
    "SERVICE_TIERS",
    "SUPPLIERS",
    "SUPPLY_TERMS",
    "TRANSFER_ORDERS",
    "TRANSFER_ORDER_LINES",
    "TRANSFER_ORDER_STATUSES",
    "Entity",
    "Field",
    "FieldKind",
    "entity",
]
