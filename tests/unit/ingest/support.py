"""Building raw frames and validating them, the way the importer does."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime

import pandas as pd

from crossdock.domain.canonical import entity
from crossdock.domain.reason_codes import ReasonCode, ReasonCodeMap, ReasonCodeMapping
from crossdock.ingest import EntityValidation, KnownKeys, validate_entity

AS_OF = datetime(2026, 11, 21, 12, tzinfo=UTC)
ITEM_UOMS = {"A1": "EA", "B2": "CS"}
REASON_CODES = ReasonCodeMap(
    [
        ReasonCodeMapping("BR1", "SHORT", ReasonCode.SHORT_PICK),
        ReasonCodeMapping("BR2", "SP", ReasonCode.SHORT_PICK),
        ReasonCodeMapping("*", "CH", ReasonCode.CREDIT_HOLD),
    ]
)


def known_keys() -> KnownKeys:
    return KnownKeys(
        {
            ("items", "sku"): {"A1", "B2"},
            ("locations", "location_code"): {"DC", "BR1", "BR2"},
            ("customers", "customer_code"): {"C1"},
            ("suppliers", "supplier_code"): {"S1"},
        }
    )


def raw_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Rows as the CSV reader returns them: text everywhere, '' where empty, plus _row."""
    frame = pd.DataFrame(rows, dtype="str").fillna("")
    frame["_row"] = range(1, len(frame) + 1)
    return frame


def validate(
    entity_name: str,
    rows: list[dict[str, str]] | pd.DataFrame,
    *,
    known: Mapping[tuple[str, str], Collection[str]] | None = None,
    item_uoms: Mapping[str, str] = ITEM_UOMS,
    reason_codes: ReasonCodeMap = REASON_CODES,
    as_of: datetime = AS_OF,
) -> EntityValidation:
    raw = rows if isinstance(rows, pd.DataFrame) else raw_frame(rows)
    return validate_entity(
        entity(entity_name),
        raw,
        source=f"{entity_name}.csv",
        known=known_keys() if known is None else known,
        item_uoms=item_uoms,
        reason_codes=reason_codes,
        as_of=as_of,
    )


def found(validation: EntityValidation) -> list[tuple[int, str, str, str]]:
    """(row_number, field, value, check) of every issue line."""
    issues = validation.issues
    return list(
        zip(
            issues["row_number"].tolist(),
            issues["field"].tolist(),
            issues["value"].tolist(),
            issues["check"].tolist(),
            strict=True,
        )
    )


def reason_of(validation: EntityValidation, row_number: int) -> str:
    reasons = validation.issues.loc[validation.issues["row_number"] == row_number, "reason"]
    assert len(reasons) == 1, reasons.tolist()
    return str(reasons.iloc[0])


def nothing_dropped(validation: EntityValidation) -> bool:
    return validation.rows_read == validation.rows_accepted + validation.quarantined_rows


def demand(sku: str = "A1", day: str = "2026-11-10", quantity: str = "4", **extra: str):
    return {
        "sku": sku,
        "location_code": "BR1",
        "demand_date": day,
        "quantity": quantity,
        **extra,
    }


def promotion(
    sku: str = "A1",
    start: str = "2026-12-01",
    end: str = "2026-12-14",
    location: str = "BR1",
    **extra: str,
) -> dict[str, str]:
    return {
        "promotion_code": "WINTER",
        "sku": sku,
        "location_code": location,
        "start_date": start,
        "end_date": end,
        **extra,
    }
