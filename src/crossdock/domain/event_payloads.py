"""The `data` payload of each event type: one pydantic model per type, unknown keys
refused (the catalogue in `event_catalogue.py` says which type uses which)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

MAX_ID_LENGTH: Final = 200
MAX_TEXT_LENGTH: Final = 200
FUTURE_TOLERANCE: Final = timedelta(minutes=5)


# ---------------------------------------------------------------- payload building blocks


def _iso_date(value: object) -> object:
    if isinstance(value, datetime):
        raise ValueError("a date without a time (YYYY-MM-DD) is expected")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("not an ISO 8601 date (YYYY-MM-DD)")


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_LENGTH)
]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
LineNumber = Annotated[int, Field(strict=True, ge=1)]
Days = Annotated[int, Field(strict=True, ge=1)]
Units = Annotated[float, Field(strict=True, gt=0)]
UnitsOrZero = Annotated[float, Field(strict=True, ge=0)]
Money = Annotated[Decimal, Field(ge=0)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Payload(BaseModel):
    """Base of every `data` model: unknown keys refused, numbers finite, read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _NumberedLines(Payload):
    """A payload whose `lines` each carry a `line_number` that must be unique."""

    @field_validator("lines", check_fields=False)
    @classmethod
    def _line_numbers_unique(cls, lines: list[Any]) -> list[Any]:
        seen: set[int] = set()
        for line in lines:
            if line.line_number in seen:
                raise ValueError(f"line_number {line.line_number} appears twice")
            seen.add(line.line_number)
        return lines


class NoPayload(Payload):
    """Nothing beyond the envelope: `data` is absent, null or {}."""


class OrderLine(Payload):
    line_number: LineNumber = Field(description="Line number on the order (>= 1, unique).")
    sku: Text = Field(description="Item ordered.")
    quantity: Units = Field(description="Units ordered (> 0).")
    requested_date: IsoDate = Field(description="Day the customer wants it.")


class ChangedOrderLine(OrderLine):
    quantity: UnitsOrZero = Field(description="Units now ordered (>= 0; 0 = line cut).")


class OrderCreated(_NumberedLines):
    customer_code: Text = Field(description="Ordering customer.")
    lines: list[OrderLine] = Field(min_length=1, description="What the order asks for.")


class OrderChanged(_NumberedLines):
    customer_code: Text = Field(description="Ordering customer.")
    lines: list[ChangedOrderLine] = Field(
        min_length=1, description="Every line as it now stands, not only the changed ones."
    )


class OrderShipped(Payload):
    shipment_number: Text | None = Field(None, description="Carrier or WMS shipment number.")
    carrier: Text | None = Field(None, description="Carrier code.")


class OrderExceptionRaised(Payload):
    line_number: LineNumber = Field(description="Order line short.")
    customer_code: Text = Field(description="Ordering customer.")
    exception: Literal["stock_hold", "backorder", "short_pick"] = Field(
        description="What the order exception agent found."
    )
    needed_by: IsoDate = Field(description="Day the units are needed at the shipping warehouse.")


class PurchaseOrderLine(Payload):
    line_number: LineNumber = Field(description="PO line number (>= 1, unique).")
    sku: Text = Field(description="Item ordered.")
    quantity: Units = Field(description="Units ordered (> 0).")
    due_date: IsoDate = Field(description="Day the goods are due at the receiving site.")


class PoCreated(_NumberedLines):
    supplier_code: Text = Field(description="Supplier the PO is placed with.")
    lines: list[PurchaseOrderLine] = Field(min_length=1, description="What the PO orders.")


class AcknowledgedLine(Payload):
    line_number: LineNumber = Field(description="PO line number (>= 1, unique).")
    status: Literal["accepted", "changed", "rejected"] = Field(
        description="The supplier's answer for the line."
    )
    quantity: UnitsOrZero | None = Field(None, description="Units the supplier will ship.")
    promised_date: IsoDate | None = Field(None, description="Day the supplier promises.")

    @model_validator(mode="after")
    def _a_change_says_what_changed(self) -> AcknowledgedLine:
        if self.status == "changed" and self.quantity is None and self.promised_date is None:
            raise ValueError("a changed line needs quantity or promised_date")
        return self


class PoAcknowledged(_NumberedLines):
    supplier_code: Text = Field(description="Acknowledging supplier.")
    lines: list[AcknowledgedLine] = Field(min_length=1, description="The answer line by line.")


class ChangedPoLine(Payload):
    line_number: LineNumber = Field(description="PO line number (>= 1, unique).")
    quantity: UnitsOrZero | None = Field(None, description="New quantity (>= 0).")
    promised_date: IsoDate | None = Field(None, description="New promised day.")

    @model_validator(mode="after")
    def _says_what_changed(self) -> ChangedPoLine:
        if self.quantity is None and self.promised_date is None:
            raise ValueError("a changed line needs quantity or promised_date")
        return self


class PoChanged(_NumberedLines):
    supplier_code: Text = Field(description="Supplier of the PO.")
    lines: list[ChangedPoLine] = Field(min_length=1, description="Only the lines that changed.")


class PoRejected(Payload):
    supplier_code: Text = Field(description="Rejecting supplier.")
    line_numbers: list[LineNumber] | None = Field(
        None, min_length=1, description="Rejected lines; absent means the whole PO."
    )


class PoUnacknowledged(Payload):
    supplier_code: Text = Field(description="Supplier the PO was sent to.")
    order_date: IsoDate = Field(description="Day the PO was sent.")
    days_waiting: Days = Field(description="Days since the PO was sent, on the day checked.")
    line_numbers: list[LineNumber] = Field(
        min_length=1, description="Lines the supplier has not acknowledged (unique)."
    )

    @field_validator("line_numbers")
    @classmethod
    def _line_numbers_unique(cls, numbers: list[int]) -> list[int]:
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            raise ValueError(f"line_number {repeated[0]} appears twice")
        return numbers


class PoShipped(Payload):
    po_number: Text | None = Field(
        None, description="PO shipped against, if `reference` is an ASN."
    )
    supplier_code: Text | None = Field(None, description="Shipping supplier.")
    expected_arrival: IsoDate | None = Field(None, description="Day the goods should arrive.")


class AsnLine(Payload):
    po_line: LineNumber = Field(description="PO line shipped against (may repeat per carton).")
    sku: Text = Field(description="Item shipped.")
    quantity: Units = Field(description="Units shipped (> 0).")


class AsnReceived(Payload):
    po_number: Text = Field(description="PO the shipment fills.")
    supplier_code: Text = Field(description="Shipping supplier.")
    expected_arrival: IsoDate = Field(description="Day the goods should arrive.")
    lines: list[AsnLine] = Field(min_length=1, description="What is on the truck.")


class ShipmentDelayed(Payload):
    new_eta: IsoDate = Field(description="Day it is now expected.")
    previous_eta: IsoDate | None = Field(None, description="Day it was expected before.")
    carrier: Text | None = Field(None, description="Carrier code.")

    @model_validator(mode="after")
    def _later_than_before(self) -> ShipmentDelayed:
        if self.previous_eta is not None and self.new_eta <= self.previous_eta:
            raise ValueError(
                f"new_eta {self.new_eta} is not after previous_eta {self.previous_eta}"
            )
        return self


class GoodsReceived(Payload):
    receipt_number: Text | None = Field(None, description="WMS receipt number (GR-...).")
    po_line: LineNumber | None = Field(None, description="PO line received against.")
    asn_number: Text | None = Field(None, description="ASN the goods came with.")


class InvoiceLine(Payload):
    po_line: LineNumber = Field(description="PO line invoiced.")
    quantity: Units = Field(description="Units invoiced (> 0).")
    unit_price: Money = Field(description="Price per unit (decimal, >= 0).")


class InvoiceReceived(Payload):
    po_number: Text = Field(description="PO invoiced.")
    supplier_code: Text = Field(description="Invoicing supplier.")
    lines: list[InvoiceLine] = Field(min_length=1, description="What is invoiced.")
    total: Money = Field(description="Invoice total as stated by the supplier (decimal, >= 0).")
    currency: Currency | None = Field(None, description="ISO 4217 code (EUR, USD).")


class TransferLine(Payload):
    line_number: LineNumber = Field(description="Transfer line number (>= 1, unique).")
    sku: Text = Field(description="Item moved.")
    quantity: Units = Field(description="Units to move (> 0).")


class TransferCreated(_NumberedLines):
    to_location_code: Text = Field(description="Receiving site.")
    lines: list[TransferLine] = Field(min_length=1, description="What moves.")


class TransferShipped(Payload):
    to_location_code: Text | None = Field(None, description="Receiving site.")
    expected_arrival: IsoDate | None = Field(None, description="Day it should arrive.")


class TransferReceived(Payload):
    from_location_code: Text | None = Field(None, description="Shipping site.")


class ShortPick(Payload):
    line_number: LineNumber | None = Field(None, description="Order line picked short.")
    ordered_quantity: Units | None = Field(None, description="Units the line asked for.")
    picked_quantity: UnitsOrZero | None = Field(None, description="Units actually picked.")

    @model_validator(mode="after")
    def _picked_less_than_ordered(self) -> ShortPick:
        ordered, picked = self.ordered_quantity, self.picked_quantity
        if ordered is not None and picked is not None and picked >= ordered:
            raise ValueError(f"picked_quantity {picked} is not short of ordered {ordered}")
        return self


class InventoryAdjusted(Payload):
    on_hand_after: UnitsOrZero | None = Field(None, description="Book quantity after it.")


class DemandAnomaly(Payload):
    actual: UnitsOrZero | None = Field(None, description="Units demanded in the window.")
    expected: UnitsOrZero | None = Field(None, description="Units forecast for the window.")
    window_days: Days | None = Field(None, description="Length of the window, days.")


class DemandSpike(Payload):
    actual: UnitsOrZero = Field(description="Units demanded in the window.")
    expected: UnitsOrZero = Field(description="Units forecast for the window.")
    window_days: Days = Field(description="Length of the window, days (>= 1).")

    @model_validator(mode="after")
    def _above_expectation(self) -> DemandSpike:
        if self.actual <= self.expected:
            raise ValueError(f"actual {self.actual} is not above expected {self.expected}")
        return self
