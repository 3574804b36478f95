"""Event intake over REST: a batch of canonical events, each stored once or
dead-lettered with its reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body

from crossdock.entrypoints.api.auth import Caller, Wired
from crossdock.governance.access import authorize
from crossdock.service_layer.intake import ingest_events

router = APIRouter(tags=["events"])
MAX_BATCH = 10_000


@router.post("/events")
def post_events(
    crossdock: Wired,
    caller: Caller,
    events: Annotated[list[dict[str, Any]], Body(max_length=MAX_BATCH)],
) -> dict[str, Any]:
    """Accepts up to 10,000 events; the answer counts accepted, duplicates and dead
    letters, with the first problems (item index, field, value, reason)."""
    authorize(caller, "import_data")
    report = ingest_events(
        crossdock.events,
        [(f"request item {i}", event) for i, event in enumerate(events)],
        channel=f"api {caller.username}",
        now=datetime.now(UTC),
    )
    return report.to_json()
