"""Every valid sample under ../shared/data/edi_x12 reads as the documents it holds,
with the values written in the file; hand-made 945 and 997 files cover the sets the
samples lack; the events validate with the catalogue's own validator."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from crossdock.domain.events import InvalidEvent, parse_event
from crossdock.ingest.edi import decode_edi, edi_events, read_edi
from crossdock.ingest.edi.documents import (
    FunctionalAcknowledgment,
    Invoice,
    PoAcknowledgment,
    PurchaseOrder,
    ShipNotice,
    WarehouseShippingAdvice,
    WarehouseShippingOrder,
)
from tests.conftest import SHARED_DATA, require

EDI = SHARED_DATA / "edi_x12"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _read(name: str) -> list[Any]:
    path = EDI / name
    require(path.is_file(), f"EDI sample not found at {path}")
    return list(read_edi(decode_edi(path.read_bytes())).documents)


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("indice-EDI.Net/x12.810a.edi", ["810"]),
        ("indice-EDI.Net/x12.810b.edi", ["810"]),
        ("indice-EDI.Net/x12.810c.edi", ["810"]),
        ("indice-EDI.Net/x12.810d.edi", ["810"]),
        ("indice-EDI.Net/x12.850.issue135.edi", ["850", "850"]),
        ("node-x12/850.edi", ["850"]),
        ("node-x12/850_2.edi", ["850"]),
        ("node-x12/850_3.edi", ["850"]),
        ("node-x12/850_fat.edi", ["850", "850"]),
        ("node-x12/855.edi", ["855"]),
        ("node-x12/856.edi", ["856"]),
        ("olmelabs-EdiEngine/850.Composite.SLN.OK.edi", ["850"]),
        ("olmelabs-EdiEngine/850.OK.edi", ["850"]),
        ("olmelabs-EdiEngine/856.Crossdock.OK.edi", ["856"]),
        ("olmelabs-EdiEngine/940.2.OK.edi", ["940"]),
        ("olmelabs-EdiEngine/940.OK.edi", ["940"]),
        ("olmelabs-EdiEngine/940.W05.Only.edi", ["940"]),
        ("olmelabs-EdiEngine/MultipleInterchangesAndGroups.edi", ["940"] * 6),
    ],
)
def test_each_valid_sample_reads_as_the_sets_it_holds(name: str, kinds: list[str]) -> None:
    assert [d.origin.transaction_set for d in _read(name)] == kinds


def test_850_purchase_order_lines_quantities_prices_and_items() -> None:
    (po,) = _read("node-x12/850.edi")

    assert isinstance(po, PurchaseOrder)
    assert (po.po_number, po.order_date, po.requested_date) == (
        "08292233294",
        date(2010, 11, 27),
        date(2010, 12, 14),
    )
    assert [(p.role, p.code) for p in po.parties] == [("ST", "0003947268292")]
    assert len(po.lines) == po.stated_line_count == 6
    first, last = po.lines[0], po.lines[-1]
    assert (first.line_number, first.quantity, first.uom, first.unit_price) == (
        "1",
        Decimal(120),
        "EA",
        Decimal("9.25"),
    )
    assert (first.item.get("VN"), first.item.sku, first.description) == (
        "AB3542",
        "065322-117",
        "SMALL WIDGET",
    )
    assert (last.quantity, last.unit_price, last.description) == (
        Decimal(696),
        Decimal("9.55"),
        "ORANGE WIDGET",
    )


def test_850_line_dates_and_currency_from_the_line_loops() -> None:
    first, second = _read("indice-EDI.Net/x12.850.issue135.edi")

    assert first.currency == "USD"
    assert [line.line_number for line in first.lines][-4:] == ["100", "70", "80", "90"]
    assert first.lines[6].requested_date == date(2019, 5, 17)
    assert sum(line.quantity for line in second.lines) == 13200 + 13892 * 5 + 13430 * 5


def test_855_lines_are_accepted_or_rejected_from_their_ack_codes() -> None:
    (ack,) = _read("node-x12/855.edi")

    assert isinstance(ack, PoAcknowledgment)
    assert (ack.po_number, ack.acknowledgment_type, ack.acknowledged_on) == (
        "POTEST1112",
        "AD",
        date(2020, 10, 15),
    )
    assert [(ln.line_number, ln.status, ln.ack_codes, ln.quantity) for ln in ack.lines] == [
        ("1", "accepted", ("IA",), Decimal(3)),
        ("2", "rejected", ("IR",), None),
        ("3", "rejected", ("IR",), None),
        ("4", "accepted", ("IA",), Decimal(2)),
    ]
    assert ack.lines[0].item.sku == "9780446360265"


def test_855_changed_lines_and_promised_dates_from_ack_or_dtm() -> None:
    text = (EDI / "node-x12/855.edi").read_text()
    require(bool(text), "855 sample missing")
    # line 4 acknowledged with a quantity change (IQ) and a promised ship date in
    # ACK04/05; line 1 promised by a DTM 067 in its loop
    changed = (
        text.replace("ACK*IA*2*UN*****", "ACK*IQ*1*UN*068*20201120*")
        .replace("SCH*3*UN", "DTM*067*20201101~SCH*3*UN")
        .replace("SE*26*", "SE*27*")
    )

    (ack,) = read_edi(changed).documents

    assert isinstance(ack, PoAcknowledgment)
    assert [(ln.status, ln.quantity, ln.promised_date) for ln in ack.lines] == [
        ("accepted", Decimal(3), date(2020, 11, 1)),
        ("rejected", None, None),
        ("rejected", None, None),
        ("changed", Decimal(1), date(2020, 11, 20)),
    ]


def test_856_hierarchy_gives_each_item_its_order_and_pack() -> None:
    (asn,) = _read("olmelabs-EdiEngine/856.Crossdock.OK.edi")

    assert isinstance(asn, ShipNotice)
    assert (asn.asn_number, asn.shipped_date, asn.expected_arrival) == (
        "000009",
        date(2009, 9, 21),
        date(2009, 9, 25),
    )
    assert (asn.carrier, asn.bill_of_lading) == ("OVNT", "000001")
    assert [(o.po_number, len(o.pack_ids)) for o in asn.orders] == [("POREF00", 4), ("POREF01", 1)]
    assert [(i.po_number, i.pack_id, i.item.sku, i.quantity) for i in asn.items] == [
        ("POREF00", "00000715670002152360", "0000000000642", Decimal(12)),
        ("POREF00", "00000715670002152377", "0000000000831", Decimal(12)),
        ("POREF00", "00000715670002152384", "0000000000283", Decimal(12)),
        ("POREF00", "00000715670002152391", "0000000000203", Decimal(12)),
        ("POREF01", "00000715670002152111", "0000000000642", Decimal(12)),
    ]


def test_856_items_directly_under_the_order_carry_po_lines() -> None:
    (asn,) = _read("node-x12/856.edi")

    assert (asn.asn_number, asn.expected_arrival) == ("829716", None)
    assert [(i.po_line, i.item.get("VP"), i.quantity, i.uom) for i in asn.items] == [
        ("1", "87787D", Decimal(24), "EA"),
        ("2", "99887D", Decimal(6), "EA"),
    ]
    assert {i.po_number for i in asn.items} == {"99999817"}
    assert sum(i.quantity for i in asn.items) == 30  # CTT*4*30


def test_810_invoice_lines_and_total_with_implied_decimals() -> None:
    (invoice,) = _read("indice-EDI.Net/x12.810a.edi")
    (by_line,) = _read("indice-EDI.Net/x12.810c.edi")

    assert isinstance(invoice, Invoice)
    assert (invoice.invoice_number, invoice.po_number, invoice.currency) == (
        "DO091003TESTINV01",
        "DO091003",
        "USD",
    )
    assert [(ln.line_number, ln.quantity, ln.unit_price) for ln in invoice.lines] == [
        ("1", Decimal(2), Decimal("99.99")),
        ("2", Decimal(2), Decimal("79.99")),
    ]
    assert invoice.total == Decimal("365.96")  # TDS*36596
    assert (by_line.po_number, by_line.total) == ("DO091003", Decimal("411.92"))


def test_940_lines_numbered_by_lx_and_totals_from_w76() -> None:
    (order,) = _read("olmelabs-EdiEngine/940.OK.edi")

    assert isinstance(order, WarehouseShippingOrder)
    assert order.order_number == "538686"
    assert [(ln.line_number, ln.quantity, ln.uom, ln.item.get("VN")) for ln in order.lines] == [
        ("1", Decimal(12), "CA", "000100"),
        ("2", Decimal(32), "CA", "000200"),
        ("3", Decimal(12), "CA", "000300"),
    ]
    assert (order.total_quantity, order.total_weight) == (Decimal(56), Decimal(500))


HAND_MADE_945_997 = "~".join(
    [
        (
            "ISA*00*          *00*          *ZZ*3PL            *ZZ*DISTRIB        "
            "*261127*0815*U*00401*000000777*0*P*>"
        ),
        "GS*SW*3PL*DISTRIB*20261127*0815*77*X*004010",
        "ST*945*0001",
        "W06*F*SO-1001*20261126*SHP-55**PO-9",
        "N1*ST*Customer*92*C042",
        "W27*M*UPSN",
        "LX*1",
        "W12*CC*10*10*0*EA**BP*SKU-000001",
        "LX*2",
        "W12*CP*5*3*2*EA**BP*SKU-000002",
        "W03*13*40*LB",
        "SE*10*0001",
        "GE*1*77",
        "GS*FA*3PL*DISTRIB*20261127*0816*78*X*004010",
        "ST*997*0002",
        "AK1*OW*4411",
        "AK2*940*0001",
        "AK5*A",
        "AK2*940*0002",
        "AK5*R*5",
        "AK9*P*2*2*1",
        "SE*8*0002",
        "GE*1*78",
        "IEA*2*000000777",
    ]
) + "~"  # fmt: skip


def test_945_and_997_read_from_a_hand_made_interchange() -> None:
    advice, acknowledgment = read_edi(HAND_MADE_945_997).documents

    assert isinstance(advice, WarehouseShippingAdvice)
    assert (advice.order_number, advice.shipment_number, advice.purchase_order) == (
        "SO-1001",
        "SHP-55",
        "PO-9",
    )
    assert (advice.shipped_date, advice.carrier, advice.total_quantity) == (
        date(2026, 11, 26),
        "UPSN",
        Decimal(13),
    )
    assert [(ln.status, ln.quantity, ln.shipped_quantity, ln.item.sku) for ln in advice.lines] == [
        ("CC", Decimal(10), Decimal(10), "SKU-000001"),
        ("CP", Decimal(5), Decimal(3), "SKU-000002"),
    ]
    assert isinstance(acknowledgment, FunctionalAcknowledgment)
    assert (acknowledgment.group_control_number, acknowledgment.group_status) == ("4411", "P")
    assert [(t.control_number, t.status) for t in acknowledgment.transactions] == [
        ("0001", "A"),
        ("0002", "R"),
    ]


# ---------------------------------------------------------------- events


def _valid(event: dict[str, Any]) -> dict[str, Any]:
    return parse_event(event, now=NOW).to_json()


def test_855_becomes_a_valid_po_acknowledged_with_line_statuses() -> None:
    (event,) = edi_events(_read("node-x12/855.edi"))

    stored = _valid(event)

    assert (stored["event_type"], stored["reference"], stored["source"]) == (
        "po_acknowledged",
        "POTEST1112",
        "edi",
    )
    assert stored["occurred_at"] == "2020-10-15T15:34:00Z"
    assert stored["data"] == {
        "supplier_code": "1556150",
        "lines": [
            {"line_number": 1, "status": "accepted", "quantity": 3.0},
            {"line_number": 2, "status": "rejected"},
            {"line_number": 3, "status": "rejected"},
            {"line_number": 4, "status": "accepted", "quantity": 2.0},
        ],
    }


def test_850_810_and_945_become_valid_catalogue_events() -> None:
    (created,) = edi_events(_read("olmelabs-EdiEngine/850.OK.edi"))
    (invoiced,) = edi_events(_read("indice-EDI.Net/x12.810a.edi"))
    shipped = edi_events(read_edi(HAND_MADE_945_997).documents)

    assert _valid(created)["location_code"] == "0003947268292"
    assert _valid(created)["data"]["lines"][5] == {
        "line_number": 6,
        "sku": "067504-118",
        "quantity": 696.0,
        "due_date": "2010-12-14",
    }
    assert _valid(invoiced)["data"]["total"] == "365.96"
    assert [_valid(e)["event_type"] for e in shipped] == ["order_shipped"]  # 997: no event
    assert _valid(shipped[0])["data"] == {"shipment_number": "SHP-55", "carrier": "UPSN"}


def test_856_gives_one_asn_per_po_and_po_shipped_without_a_delivery_date() -> None:
    with_eta = edi_events(_read("olmelabs-EdiEngine/856.Crossdock.OK.edi"))
    without_eta = edi_events(_read("node-x12/856.edi"))

    assert [(e["event_type"], e["data"]["po_number"]) for e in with_eta] == [
        ("asn_received", "POREF00"),
        ("asn_received", "POREF01"),
    ]
    # this sample's items name no PO line (LIN01, SN101 empty): the intake refuses it
    with pytest.raises(InvalidEvent, match="po_line"):
        parse_event(with_eta[0], now=NOW)
    assert [_valid(e)["data"] for e in without_eta] == [
        {"po_number": "99999817", "supplier_code": "1 EDI SOURCE"}
    ]


def test_documents_that_reuse_a_control_number_get_distinct_event_ids() -> None:
    events = edi_events(_read("indice-EDI.Net/x12.850.issue135.edi"))

    assert len({e["event_id"] for e in events}) == 2
