"""The PO acknowledgement check: open POs sent some days ago with lines the supplier has
not acknowledged raise a `po_unacknowledged` event, once per PO per day.

The event goes through event intake like any other (validated, stored once per event id,
announced through the outbox); its id is derived from the PO and the day, so checking
again the same day raises nothing twice, and the procurement agent reacts to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any, Protocol

from crossdock.domain.errors import CrossdockError
from crossdock.service_layer.event_ports import EventStore
from crossdock.service_layer.intake import ingest_events

SOURCE = "crossdock"
CHANNEL = "schedule po_acknowledgement"


@dataclass(frozen=True, slots=True)
class UnacknowledgedLine:
    """An open PO line with no acknowledgment, not shipped, not fully received."""

    po_number: str
    line_number: int
    supplier_code: str
    location_code: str
    order_date: date


class AcknowledgementReads(Protocol):
    def unacknowledged_po_lines(self, *, sent_on_or_before: date) -> list[UnacknowledgedLine]:
        """Lines of POs sent (not draft, not closed) on or before the day that the supplier
        has not acknowledged, shipped or delivered in full, by PO and line."""
        ...


class RefusedCheckEvents(CrossdockError):
    """The check built events intake refused: a bug, the run is recorded as failed."""

    def __init__(self, problems: Sequence[dict[str, Any]]) -> None:
        self.problems = list(problems)
        first = problems[0]
        super().__init__(
            f"{len(problems)} po_unacknowledged event(s) refused, first {first['event_id']}: "
            f"{first['field']}={first['value']!r}: {first['reason']}"
        )


def unacknowledged_events(
    lines: Sequence[UnacknowledgedLine], *, now: datetime, waiting_days: int
) -> list[dict[str, Any]]:
    """One `po_unacknowledged` event per PO whose lines have waited `waiting_days` or
    more days since the PO was sent; its id names the PO and the day of `now` (UTC)."""
    today = now.date()
    events = []
    ordered = sorted(lines, key=lambda line: (line.po_number, line.line_number))
    for po_number, grouped in groupby(ordered, key=lambda line: line.po_number):
        po_lines = list(grouped)
        head = po_lines[0]
        days = (today - head.order_date).days
        if days < waiting_days:
            continue
        events.append(
            {
                "event_id": f"po-unacknowledged:{po_number}:{today.isoformat()}",
                "event_type": "po_unacknowledged",
                "occurred_at": now.isoformat(),
                "source": SOURCE,
                "reference": po_number,
                "location_code": head.location_code,
                "data": {
                    "supplier_code": head.supplier_code,
                    "order_date": head.order_date.isoformat(),
                    "days_waiting": days,
                    "line_numbers": [line.line_number for line in po_lines],
                },
            }
        )
    return events


def check_acknowledgements(
    reads: AcknowledgementReads, events: EventStore, *, now: datetime, waiting_days: int
) -> dict[str, Any]:
    """Raise today's `po_unacknowledged` events into intake; what was found and raised."""
    if waiting_days < 1:
        raise ValueError(f"po_acknowledgement_days={waiting_days}: must be 1 day or more")
    cutoff = now.date() - timedelta(days=waiting_days)
    lines = reads.unacknowledged_po_lines(sent_on_or_before=cutoff)
    raised = unacknowledged_events(lines, now=now, waiting_days=waiting_days)
    report = ingest_events(
        events, [(event["event_id"], event) for event in raised], channel=CHANNEL, now=now
    )
    if report.dead_lettered:
        raise RefusedCheckEvents(report.problems)
    return {
        "sent_on_or_before": cutoff.isoformat(),
        "purchase_orders": len(raised),
        "lines": sum(len(event["data"]["line_numbers"]) for event in raised),
        "raised": report.accepted,
        "already_raised_today": report.duplicates,
    }
