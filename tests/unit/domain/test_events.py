import json
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crossdock.domain.event_catalogue import envelope_fields, event_catalogue
from crossdock.domain.event_payloads import PoAcknowledged
from crossdock.domain.events import Event, InvalidEvent, parse_event, parse_event_line
from crossdock.domain.reason_codes import EventType
from tests.conftest import REPO_ROOT

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SAMPLE = REPO_ROOT / "examples" / "events" / "sample.jsonl"

ORDER_LINES = [
    {"line_number": 1, "sku": "SKU-000001", "quantity": 24, "requested_date": "2026-11-25"},
    {"line_number": 2, "sku": "SKU-000007", "quantity": 6, "requested_date": "2026-11-26"},
]

# For every type: the envelope fields beyond the four every event has, and its data.
VALID: dict[EventType, dict[str, Any]] = {
    EventType.ORDER_CREATED: {
        "reference": "SO-000123",
        "location_code": "BR02",
        "data": {"customer_code": "CUST-00042", "lines": ORDER_LINES},
    },
    EventType.ORDER_CHANGED: {
        "reference": "SO-000123",
        "location_code": "BR02",
        "data": {
            "customer_code": "CUST-00042",
            "lines": [{**ORDER_LINES[0], "quantity": 0}, ORDER_LINES[1]],
        },
    },
    EventType.ORDER_HELD: {"reference": "SO-000123", "reason_code": "CR"},
    EventType.ORDER_RELEASED: {"reference": "SO-000123"},
    EventType.ORDER_SHIPPED: {
        "reference": "SO-000123",
        "location_code": "BR02",
        "data": {"shipment_number": "SHP-0088123", "carrier": "DHL"},
    },
    EventType.ORDER_CANCELLED: {"reference": "SO-000125", "reason_code": "customer_request"},
    EventType.ORDER_BACKORDERED: {
        "reference": "SO-000124",
        "sku": "SKU-000003",
        "location_code": "BR03",
        "quantity": 30,
    },
    EventType.ORDER_EXCEPTION_RAISED: {
        "reference": "SO-000124",
        "sku": "SKU-000003",
        "location_code": "BR03",
        "quantity": 30,
        "data": {
            "line_number": 1,
            "customer_code": "CUST-00042",
            "exception": "backorder",
            "needed_by": "2026-11-30",
        },
    },
    EventType.PO_CREATED: {
        "reference": "PO-0001016",
        "location_code": "DC01",
        "data": {
            "supplier_code": "SUP-003",
            "lines": [
                {"line_number": 1, "sku": "SKU-000001", "quantity": 480, "due_date": "2026-11-27"}
            ],
        },
    },
    EventType.PO_ACKNOWLEDGED: {
        "reference": "PO-0001016",
        "data": {
            "supplier_code": "SUP-003",
            "lines": [
                {"line_number": 1, "status": "accepted"},
                {"line_number": 2, "status": "changed", "quantity": 200},
                {"line_number": 3, "status": "rejected"},
            ],
        },
    },
    EventType.PO_CHANGED: {
        "reference": "PO-0001018",
        "data": {
            "supplier_code": "SUP-001",
            "lines": [{"line_number": 3, "promised_date": "2026-12-04"}],
        },
    },
    EventType.PO_REJECTED: {
        "reference": "PO-0001017",
        "data": {"supplier_code": "SUP-007", "line_numbers": [2]},
    },
    EventType.PO_UNACKNOWLEDGED: {
        "reference": "PO-0001021",
        "location_code": "DC01",
        "data": {
            "supplier_code": "SUP-007",
            "order_date": "2026-11-23",
            "days_waiting": 3,
            "line_numbers": [1, 2],
        },
    },
    EventType.PO_SHIPPED: {"reference": "ASN-0000318", "location_code": "DC01"},
    EventType.ASN_RECEIVED: {
        "reference": "ASN-0000311",
        "data": {
            "po_number": "PO-0001016",
            "supplier_code": "SUP-003",
            "expected_arrival": "2026-11-27",
            "lines": [{"po_line": 1, "sku": "SKU-000001", "quantity": 480}],
        },
    },
    EventType.SHIPMENT_DELAYED: {
        "reference": "ASN-0000311",
        "data": {"new_eta": "2026-11-28", "previous_eta": "2026-11-27", "carrier": "DSV"},
    },
    EventType.GOODS_RECEIVED: {
        "sku": "SKU-000001",
        "location_code": "DC01",
        "reference": "PO-0001016",
        "quantity": 480,
        "data": {"receipt_number": "GR-0004410", "po_line": 1},
    },
    EventType.INVOICE_RECEIVED: {
        "reference": "INV-2026-55821",
        "data": {
            "po_number": "PO-0001016",
            "supplier_code": "SUP-003",
            "lines": [{"po_line": 1, "quantity": 480, "unit_price": 4.65}],
            "total": "2232.00",
            "currency": "EUR",
        },
    },
    EventType.TRANSFER_CREATED: {
        "reference": "TO-000045",
        "location_code": "DC01",
        "data": {
            "to_location_code": "BR02",
            "lines": [{"line_number": 1, "sku": "SKU-000001", "quantity": 48}],
        },
    },
    EventType.TRANSFER_SHIPPED: {"reference": "TO-000045", "location_code": "DC01"},
    EventType.TRANSFER_RECEIVED: {"reference": "TO-000045", "location_code": "BR02"},
    EventType.SHORT_PICK: {
        "sku": "SKU-000001",
        "location_code": "BR02",
        "reference": "SO-000123",
        "quantity": 4,
        "data": {"ordered_quantity": 24, "picked_quantity": 20},
    },
    EventType.INVENTORY_ADJUSTED: {
        "sku": "SKU-000009",
        "location_code": "BR03",
        "quantity": -2,
        "reason_code": "CC",
    },
    EventType.STOCKOUT: {"sku": "SKU-000005", "location_code": "BR04"},
    EventType.DEMAND_ANOMALY: {"location_code": "BR01", "reference": "WEATHER NORTH"},
    EventType.DEMAND_SPIKE: {
        "sku": "SKU-000005",
        "location_code": "BR01",
        "data": {"actual": 96, "expected": 31.5, "window_days": 3},
    },
}


def raw_event(event_type: EventType | str, /, **changes: Any) -> dict[str, Any]:
    """A valid event of `event_type` (its VALID extras), with `changes` applied;
    a change to `...` removes the field."""
    raw: dict[str, Any] = {
        "event_id": "E-17",
        "event_type": str(event_type),
        "occurred_at": "2026-11-27T14:05:00Z",
        "source": "wms",
        **VALID.get(EventType(event_type), {}),
    }
    for name, value in changes.items():
        if value is ...:
            raw.pop(name, None)
        else:
            raw[name] = value
    return raw


def rejected(raw: Any, **options: Any) -> InvalidEvent:
    with pytest.raises(InvalidEvent) as raised:
        parse_event(raw, now=NOW, **options)
    return raised.value


# ---------------------------------------------------------------- every type


def test_every_event_type_has_a_valid_example_and_a_catalogue_row():
    assert set(VALID) == set(EventType)
    assert [row["type"] for row in event_catalogue()] == [kind.value for kind in EventType]


@pytest.mark.parametrize("event_type", list(EventType))
def test_every_event_type_parses_from_a_valid_example(event_type):
    event = parse_event(raw_event(event_type), now=NOW)

    assert event.event_type is event_type
    assert event.event_id == "E-17"
    assert event.occurred_at == datetime(2026, 11, 27, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize("event_type", list(EventType))
def test_to_json_round_trips_and_is_plain_json(event_type):
    event = parse_event(raw_event(event_type), now=NOW)

    document = event.to_json()

    assert parse_event(json.loads(json.dumps(document)), now=NOW) == event
    assert document["occurred_at"] == "2026-11-27T14:05:00Z"
    assert set(document) == {field["name"] for field in envelope_fields()}


@pytest.mark.parametrize("row", event_catalogue(), ids=lambda row: row["type"])
def test_each_catalogue_required_field_is_enforced(row):
    for name in row["required"]:
        error = rejected(raw_event(row["type"], **{name: ...}))
        assert error.field == name
        assert error.value is None


def test_the_catalogue_describes_the_acknowledgement_payload_line_by_line():
    row = next(row for row in event_catalogue() if row["type"] == "po_acknowledged")

    assert row["required"] == ["event_id", "event_type", "occurred_at", "source", "reference"]
    assert row["envelope"] == {"reference": "PO number"}
    assert [(f["name"], f["type"], f["required"]) for f in row["data"]] == [
        ("supplier_code", "text", True),
        ("lines", "list of objects", True),
        ("lines[].line_number", "integer", True),
        ("lines[].status", "one of accepted | changed | rejected", True),
        ("lines[].quantity", "number", False),
        ("lines[].promised_date", "date (YYYY-MM-DD)", False),
    ]


def test_the_catalogue_states_the_quantity_sign_rule():
    rows = {row["type"]: row for row in event_catalogue()}

    assert rows["short_pick"]["envelope"]["quantity"] == "units short (> 0)"
    assert "not 0" in rows["inventory_adjusted"]["envelope"]["quantity"]


# ---------------------------------------------------------------- normalisation


def test_occurred_at_with_an_offset_is_kept_in_utc():
    event = parse_event(raw_event("stockout", occurred_at="2026-11-27T15:05:00+01:00"), now=NOW)

    assert event.occurred_at == datetime(2026, 11, 27, 14, 5, tzinfo=UTC)
    assert event.occurred_at.tzinfo is UTC
    assert event.to_json()["occurred_at"] == "2026-11-27T14:05:00Z"


def test_texts_are_stripped_blank_optionals_are_absent_and_source_is_lower_case():
    event = parse_event(
        raw_event("order_released", source=" ERP ", reference=" SO-000123 ", sku="  "),
        now=NOW,
    )

    assert (event.source, event.reference, event.sku) == ("erp", "SO-000123", None)


def test_absent_data_is_an_empty_payload_and_optional_data_fields_are_dropped():
    event = parse_event(raw_event("po_shipped", data=None), now=NOW)

    assert event.data == {}
    assert parse_event(raw_event("order_shipped", data={"carrier": "DHL"}), now=NOW).data == {
        "carrier": "DHL"
    }


def test_money_is_kept_as_decimal_strings_and_the_payload_is_typed():
    event = parse_event(raw_event("invoice_received"), now=NOW)

    assert event.data["lines"][0]["unit_price"] == "4.65"
    assert event.data["total"] == "2232.00"
    acknowledged = parse_event(raw_event("po_acknowledged"), now=NOW).payload()
    assert isinstance(acknowledged, PoAcknowledged)
    assert acknowledged.lines[1].quantity == 200.0


def test_an_event_is_hashable_so_a_set_drops_a_redelivery():
    first = parse_event(raw_event("order_created"), now=NOW)
    again = parse_event(raw_event("order_created"), now=NOW)

    assert len({first, again}) == 1


def test_an_event_built_directly_needs_a_time_zone_and_is_put_in_utc():
    with pytest.raises(InvalidEvent) as raised:
        Event("E-1", EventType.STOCKOUT, datetime(2026, 11, 27, 14, 5), "wms")  # noqa: DTZ001
    assert raised.value.field == "occurred_at"

    paris = timezone(timedelta(hours=1))
    event = Event("E-1", EventType.STOCKOUT, datetime(2026, 11, 27, 15, 5, tzinfo=paris), "wms")
    assert event.occurred_at == datetime(2026, 11, 27, 14, 5, tzinfo=UTC)
    assert event.occurred_at.utcoffset() == timedelta(0)


# ---------------------------------------------------------------- ordering key


def make(event_type: EventType = EventType.STOCKOUT, **fields: Any) -> Event:
    return Event("E-1", event_type, NOW, "wms", **fields)


def test_ordering_key_is_the_stock_position_when_sku_and_location_are_set():
    assert make(sku="SKU-000001", location_code="BR02", reference="SO-1").ordering_key == (
        "SKU-000001@BR02"
    )


def test_ordering_key_falls_back_to_the_reference():
    assert make(EventType.PO_ACKNOWLEDGED, reference="PO-0001016").ordering_key == (
        "reference:PO-0001016"
    )
    assert make(sku="SKU-000001", reference="SO-1").ordering_key == "reference:SO-1"
    assert make(location_code="BR01", reference="SO-1").ordering_key == "reference:SO-1"


def test_ordering_key_falls_back_to_the_type():
    assert make(EventType.DEMAND_ANOMALY, location_code="BR01").ordering_key == (
        "type:demand_anomaly"
    )


# ---------------------------------------------------------------- envelope rules


def test_the_error_names_event_line_field_value_and_reason():
    error = rejected(raw_event("stockout", occurred_at="yesterday"), line=4)

    assert str(error) == "event E-17 (line 4): occurred_at='yesterday': not an ISO 8601 timestamp"
    assert (error.event_id, error.line, error.field, error.value) == (
        "E-17",
        4,
        "occurred_at",
        "yesterday",
    )
    assert error.reason == "not an ISO 8601 timestamp"


@pytest.mark.parametrize("event_id", [..., None, "", "   "])
def test_event_id_is_required(event_id):
    error = rejected(raw_event("stockout", event_id=event_id), line=3)

    assert (error.field, error.value, error.reason) == ("event_id", None, "required")
    assert error.event_id is None
    assert str(error) == "event (line 3): event_id: required"


def test_event_id_may_be_200_characters_but_not_201():
    assert parse_event(raw_event("stockout", event_id="E" * 200), now=NOW).event_id == "E" * 200

    error = rejected(raw_event("stockout", event_id="E" * 201))
    assert (error.field, error.value) == ("event_id", "E" * 201)
    assert "more than 200" in error.reason


def test_event_id_must_be_a_string():
    error = rejected(raw_event("stockout", event_id=17))

    assert (error.field, error.value, error.reason) == ("event_id", 17, "must be a string")


@pytest.mark.parametrize(
    ("occurred_at", "reason"),
    [
        (..., "required"),
        ("2026-11-27T14:05:00", "no time zone: add Z or an offset such as +01:00"),
        ("2026-11-27", "no time zone: add Z or an offset such as +01:00"),
        ("27/11/2026 14:05", "not an ISO 8601 timestamp"),
        (1764252300, "not an ISO 8601 timestamp"),
    ],
)
def test_occurred_at_must_be_an_iso_timestamp_with_a_time_zone(occurred_at, reason):
    error = rejected(raw_event("stockout", occurred_at=occurred_at))

    assert error.field == "occurred_at"
    assert error.value == (None if occurred_at is ... else occurred_at)
    assert error.reason == reason


def test_occurred_at_may_run_ahead_of_now_by_5_minutes_but_not_more():
    soon = NOW + timedelta(minutes=5)
    assert parse_event(raw_event("stockout", occurred_at=soon.isoformat()), now=NOW)

    too_soon = (NOW + timedelta(minutes=5, seconds=1)).isoformat()
    error = rejected(raw_event("stockout", occurred_at=too_soon))
    assert (error.field, error.value) == ("occurred_at", too_soon)
    assert error.reason == "more than 5 minutes in the future (now is 2026-11-28T12:00:00Z)"


def test_now_without_a_time_zone_is_a_programming_error():
    with pytest.raises(ValueError, match="no time zone"):
        parse_event(raw_event("stockout"), now=datetime(2026, 11, 28, 12))  # noqa: DTZ001


def test_an_unknown_event_type_is_named_with_the_known_ones():
    error = rejected(raw_event("stockout", event_type="pick_confirmed"))

    assert (error.field, error.value) == ("event_type", "pick_confirmed")
    assert error.reason.startswith("unknown event type (known: order_created, order_changed,")
    assert all(kind.value in error.reason for kind in EventType)


def test_event_types_are_matched_exactly():
    error = rejected(raw_event("stockout", event_type="STOCKOUT"))

    assert (error.field, error.value) == ("event_type", "STOCKOUT")


@pytest.mark.parametrize("quantity", [math.nan, math.inf, -math.inf])
def test_quantity_must_be_finite(quantity):
    error = rejected(raw_event("inventory_adjusted", quantity=quantity))

    assert error.field == "quantity"
    assert error.reason == "must be a finite number"


@pytest.mark.parametrize("quantity", ["12", True, [1]])
def test_quantity_must_be_a_number(quantity):
    error = rejected(raw_event("inventory_adjusted", quantity=quantity))

    assert (error.field, error.value, error.reason) == ("quantity", quantity, "must be a number")


@pytest.mark.parametrize(
    ("event_type", "quantity", "rule"),
    [
        ("goods_received", 0, "> 0"),
        ("short_pick", -4, "> 0"),
        ("order_backordered", 0, "> 0"),
        ("inventory_adjusted", 0, "not 0; negative takes stock away"),
    ],
)
def test_quantity_sign_follows_the_type(event_type, quantity, rule):
    error = rejected(raw_event(event_type, quantity=quantity))

    assert (error.field, error.value) == ("quantity", quantity)
    assert error.reason == f"must be {rule} for {event_type}"


def test_a_negative_adjustment_is_valid():
    assert parse_event(raw_event("inventory_adjusted", quantity=-3), now=NOW).quantity == -3.0


@pytest.mark.parametrize(
    ("event_type", "missing"),
    [
        ("short_pick", "sku"),
        ("short_pick", "location_code"),
        ("short_pick", "reference"),
        ("short_pick", "quantity"),
        ("order_held", "reason_code"),
        ("goods_received", "reference"),
        ("inventory_adjusted", "quantity"),
        ("demand_spike", "sku"),
        ("order_created", "location_code"),
        ("asn_received", "reference"),
    ],
)
def test_a_type_specific_envelope_field_is_required(event_type, missing):
    error = rejected(raw_event(event_type, **{missing: ...}))

    assert (error.field, error.value) == (missing, None)
    assert error.reason == f"required for {event_type}"


def test_an_unknown_envelope_field_is_refused():
    error = rejected(raw_event("stockout", ocurred_at="2026-11-27T14:05:00Z"))

    assert (error.field, error.value) == ("ocurred_at", "2026-11-27T14:05:00Z")
    assert error.reason.startswith("unknown field (the envelope has event_id, event_type,")


def test_a_non_object_event_is_refused():
    error = rejected(["E-17", "stockout"])

    assert (error.field, error.reason) == ("event", "not a JSON object")


def test_every_problem_is_listed_and_the_first_is_named():
    error = rejected(
        raw_event("short_pick", event_id=..., occurred_at="soon", sku=..., quantity="4")
    )

    assert [(p.field, p.value) for p in error.problems] == [
        ("event_id", None),
        ("occurred_at", "soon"),
        ("quantity", "4"),
        ("sku", None),
    ]
    assert (error.field, error.value) == ("event_id", None)


# ---------------------------------------------------------------- data rules


def test_data_names_the_dotted_path_and_value_of_a_bad_line_status():
    lines = [
        {"line_number": 1, "status": "maybe"},
        {"line_number": 2, "status": "accepted", "colour": "red"},
    ]
    raw = raw_event("po_acknowledged", data={"supplier_code": "SUP-003", "lines": lines})

    error = rejected(raw, line=9)

    assert (error.field, error.value) == ("data.lines[0].status", "maybe")
    assert error.reason == "input should be 'accepted', 'changed' or 'rejected'"
    assert str(error).startswith("event E-17 (line 9): data.lines[0].status='maybe': ")
    assert [(p.field, p.value) for p in error.problems] == [
        ("data.lines[0].status", "maybe"),
        ("data.lines[1].colour", "red"),
    ]
    assert error.problems[1].reason == (
        "unknown field (expected: line_number, status, quantity, promised_date)"
    )


def test_a_missing_data_field_is_named_with_its_path():
    error = rejected(raw_event("po_acknowledged", data={"lines": [{"line_number": 1}]}))

    assert [(p.field, p.value, p.reason) for p in error.problems] == [
        ("data.supplier_code", None, "required"),
        ("data.lines[0].status", None, "required"),
    ]


def test_absent_data_is_refused_for_a_type_whose_payload_is_required():
    error = rejected(raw_event("asn_received", data=...))

    assert {p.field for p in error.problems} == {
        "data.po_number",
        "data.supplier_code",
        "data.expected_arrival",
        "data.lines",
    }


def test_a_changed_acknowledgement_line_must_say_what_changed():
    lines = [{"line_number": 2, "status": "changed"}]
    error = rejected(raw_event("po_acknowledged", data={"supplier_code": "S", "lines": lines}))

    assert (error.field, error.value) == ("data.lines[0]", lines[0])
    assert error.reason == "a changed line needs quantity or promised_date"


def test_line_numbers_must_be_unique():
    lines = [ORDER_LINES[0], ORDER_LINES[0]]
    error = rejected(raw_event("order_created", data={"customer_code": "C", "lines": lines}))

    assert error.field == "data.lines"
    assert error.reason == "line_number 1 appears twice"


def test_a_date_field_must_be_an_iso_date():
    error = rejected(raw_event("shipment_delayed", data={"new_eta": "next week"}))

    assert (error.field, error.value) == ("data.new_eta", "next week")
    assert error.reason == "not an ISO 8601 date (YYYY-MM-DD)"


def test_a_delay_must_move_the_eta_later():
    data = {"new_eta": "2026-11-26", "previous_eta": "2026-11-27"}
    error = rejected(raw_event("shipment_delayed", data=data))

    assert error.field == "data"
    assert error.reason == "new_eta 2026-11-26 is not after previous_eta 2026-11-27"


def test_a_demand_spike_must_exceed_its_expectation():
    error = rejected(
        raw_event("demand_spike", data={"actual": 30, "expected": 31.5, "window_days": 3})
    )

    assert (error.field, error.reason) == ("data", "actual 30.0 is not above expected 31.5")


@pytest.mark.parametrize(
    ("data", "field", "value"),
    [
        ({"actual": math.nan, "expected": 1, "window_days": 3}, "data.actual", math.nan),
        ({"actual": "96", "expected": 1, "window_days": 3}, "data.actual", "96"),
        ({"actual": 96, "expected": 1, "window_days": 0}, "data.window_days", 0),
        ({"actual": 96, "expected": 1, "window_days": 2.5}, "data.window_days", 2.5),
    ],
)
def test_data_numbers_are_finite_numbers_within_bounds(data, field, value):
    error = rejected(raw_event("demand_spike", data=data))

    assert error.field == field
    assert error.value == value or (math.isnan(value) and math.isnan(error.value))


def test_an_invoice_price_must_be_a_non_negative_decimal():
    data = {**VALID[EventType.INVOICE_RECEIVED]["data"]}
    data["lines"] = [{"po_line": 1, "quantity": 480, "unit_price": "-4.65"}]
    error = rejected(raw_event("invoice_received", data=data))

    assert (error.field, error.value) == ("data.lines[0].unit_price", "-4.65")


def test_data_must_be_an_object():
    error = rejected(raw_event("demand_spike", data=[96, 31.5, 3]))

    assert (error.field, error.value, error.reason) == ("data", [96, 31.5, 3], "not a JSON object")


def test_a_type_without_payload_refuses_any_data_key():
    error = rejected(raw_event("stockout", data={"on_hand": 0}))

    assert (error.field, error.value) == ("data.on_hand", 0)
    assert error.reason == "unknown field (expected: )"


def test_a_whole_po_rejection_has_no_line_numbers():
    event = parse_event(raw_event("po_rejected", data={"supplier_code": "SUP-007"}), now=NOW)

    assert event.data == {"supplier_code": "SUP-007"}


# ---------------------------------------------------------------- JSON lines


def test_a_line_that_is_not_json_names_the_json_field():
    with pytest.raises(InvalidEvent) as raised:
        parse_event_line('{"event_id": "E-1",', line=7, now=NOW)

    assert (raised.value.field, raised.value.line) == ("json", 7)
    assert raised.value.reason.startswith("not valid JSON: ")


def test_a_json_line_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidEvent) as raised:
        parse_event_line("[1, 2]", now=NOW)

    assert (raised.value.field, raised.value.reason) == ("json", "not a JSON object")


def test_a_nan_literal_in_a_json_line_is_refused():
    text = json.dumps(raw_event("inventory_adjusted", quantity=math.nan))
    assert "NaN" in text

    with pytest.raises(InvalidEvent) as raised:
        parse_event_line(text, now=NOW)
    assert raised.value.field == "quantity"


def sample_lines() -> list[tuple[int, str]]:
    lines = Path(SAMPLE).read_text(encoding="utf-8").splitlines()
    return [(number, text) for number, text in enumerate(lines, start=1)]


BROKEN_SAMPLE_LINES = {15: "occurred_at", 24: "event_type", 28: "sku"}


def parse_or_error(text: str, number: int) -> Event | InvalidEvent:
    try:
        return parse_event_line(text, line=number, now=NOW)
    except InvalidEvent as error:
        return error


def test_the_sample_file_parses_except_its_three_broken_lines():
    results = {number: parse_or_error(text, number) for number, text in sample_lines()}
    parsed = [result for result in results.values() if isinstance(result, Event)]
    failed = {n: r for n, r in results.items() if isinstance(r, InvalidEvent)}

    assert {number: error.field for number, error in failed.items()} == BROKEN_SAMPLE_LINES
    assert all(error.line == number for number, error in failed.items())
    assert len(parsed) == len(results) - 3 >= 25
    assert {event.event_type for event in parsed} == set(EventType)


def test_the_sample_file_delivers_one_event_twice():
    ids = [json.loads(text)["event_id"] for _, text in sample_lines()]
    repeated = {event_id for event_id in ids if ids.count(event_id) > 1}

    assert repeated == {"EV-00001007"}
    assert ids.count("EV-00001007") == 2


def test_the_sample_file_is_one_plain_json_object_per_line():
    for _, text in sample_lines():
        assert isinstance(json.loads(text), dict)
        assert "NaN" not in text
