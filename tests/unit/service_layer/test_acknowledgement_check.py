"""The acknowledgement check's events: one per PO whose lines waited long enough, with an
id naming the PO and the day, valid against the catalogue."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crossdock.domain.events import parse_event
from crossdock.service_layer.acknowledgement_check import (
    UnacknowledgedLine,
    check_acknowledgements,
    unacknowledged_events,
)

NOW = datetime(2026, 11, 28, 9, 15, tzinfo=UTC)


def _line(po: str, line: int, sent: date) -> UnacknowledgedLine:
    return UnacknowledgedLine(po, line, "SUP1", "DC1", sent)


def test_one_event_per_po_that_waited_long_enough_with_its_lines():
    lines = [
        _line("PO-2", 3, date(2026, 11, 26)),
        _line("PO-1", 2, date(2026, 11, 20)),
        _line("PO-1", 1, date(2026, 11, 20)),
        _line("PO-3", 1, date(2026, 11, 27)),  # one day: not yet
    ]
    events = unacknowledged_events(lines, now=NOW, waiting_days=2)
    assert [(e["event_id"], e["data"]["line_numbers"], e["data"]["days_waiting"])
            for e in events] == [
        ("po-unacknowledged:PO-1:2026-11-28", [1, 2], 8),
        ("po-unacknowledged:PO-2:2026-11-28", [3], 2),
    ]  # fmt: skip
    parsed = parse_event(events[0], now=NOW)
    assert parsed.event_type.value == "po_unacknowledged"
    assert (parsed.reference, parsed.location_code, parsed.source) == ("PO-1", "DC1", "crossdock")
    assert parsed.ordering_key == "reference:PO-1"
    assert parsed.occurred_at == NOW


def test_the_same_po_the_next_day_is_a_new_event():
    lines = [_line("PO-1", 1, date(2026, 11, 20))]
    today = unacknowledged_events(lines, now=NOW, waiting_days=2)
    tomorrow = unacknowledged_events(lines, now=NOW.replace(day=29), waiting_days=2)
    assert today[0]["event_id"] != tomorrow[0]["event_id"]
    assert tomorrow[0]["data"]["days_waiting"] == 9


def test_a_threshold_below_one_day_is_refused():
    with pytest.raises(ValueError, match="po_acknowledgement_days=0: must be 1 day or more"):
        check_acknowledgements(None, None, now=NOW, waiting_days=0)  # type: ignore[arg-type]
