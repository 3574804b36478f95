"""The network: warehouses with their health, and transfer flows per lane."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.service_layer.network_health import network_health

router = APIRouter(tags=["network"])


@router.get("/network")
def network(
    crossdock: Wired,
    caller: Caller,
    as_of: Annotated[date | None, Query(description="Stock and orders as of (today).")] = None,
    horizon_days: Annotated[
        int, Query(ge=1, le=365, description="Open order lines due within it.")
    ] = 14,
    excess_days: Annotated[
        int, Query(ge=1, le=365, description="Stock above this many days of demand.")
    ] = 60,
) -> dict[str, Any]:
    """Warehouses of the caller's sites with items short and in excess (counts, units,
    money at unit cost, top items), and open or recommended transfers per lane."""
    return network_health(
        crossdock.network,
        actor=caller,
        as_of=as_of or datetime.now(UTC).date(),
        horizon_days=horizon_days,
        excess_days=excess_days,
    )
