"""Inventory projection: projected on hand per item-location and day, stockout risk over
the lead time, days of supply, excess and obsolete flags (docs/planning/projection.md)."""

from crossdock.planning.projection.engine import (
    KEY_COLUMNS,
    SUMMARY_COLUMNS,
    InventoryProjection,
    ProjectionRules,
    project_inventory,
)
from crossdock.planning.projection.inputs import ProjectionInputError

__all__ = [
    "KEY_COLUMNS",
    "SUMMARY_COLUMNS",
    "InventoryProjection",
    "ProjectionInputError",
    "ProjectionRules",
    "project_inventory",
]
