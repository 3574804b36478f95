"""The reason codes each demo site writes, and how they map to canonical ones.

Real networks disagree about codes: one WMS writes `SHORT` for a short pick,
another `SP`, a third `PS`; most branches hold orders for credit as `CRHOLD` but
the legacy ERP at some writes `CR`. The demo gives every warehouse one of three
dialects so the mapping table has work to do.
"""

from __future__ import annotations

import numpy as np

from crossdock.demo.frames import TextArray
from crossdock.domain.reason_codes import ALL_SITES, ReasonCode

R = ReasonCode

# Codes every site writes the same way (scope "*").
SHARED_CODES: dict[ReasonCode, str] = {
    R.CREDIT_HOLD: "CRHOLD",
    R.PRICING_HOLD: "PRC",
    R.ADDRESS_HOLD: "ADDR",
    R.CUSTOMER_REQUEST: "CUSTREQ",
    R.QUALITY_HOLD: "QC",
    R.DEMAND_SPIKE: "WX",
    R.SUPPLIER_LATE: "VLATE",
}

# Codes that differ by site (scope = the location code).
DIALECTS: tuple[dict[ReasonCode, str], ...] = (
    {
        R.SHORT_PICK: "SHORT",
        R.DAMAGED: "DMG",
        R.COUNT_ADJUSTMENT: "CC",
        R.OVER_RECEIPT: "OVER",
        R.SUPPLIER_SHORT_SHIP: "VSHORT",
        R.AWAITING_STOCK: "BO",
    },
    {
        R.SHORT_PICK: "SP",
        R.DAMAGED: "DAM",
        R.COUNT_ADJUSTMENT: "CYC",
        R.OVER_RECEIPT: "OR",
        R.SUPPLIER_SHORT_SHIP: "SS",
        R.AWAITING_STOCK: "NOSTK",
        R.CREDIT_HOLD: "CR",  # the legacy ERP these sites still run
    },
    {
        R.SHORT_PICK: "PS",
        R.DAMAGED: "BRK",
        R.COUNT_ADJUSTMENT: "ADJ",
        R.OVER_RECEIPT: "OVR",
        R.SUPPLIER_SHORT_SHIP: "SHIPSHORT",
        R.AWAITING_STOCK: "WAITSTK",
    },
)


def dialect_of(location_index: int) -> int:
    """Which dialect the warehouse at `location_index` writes."""
    return location_index % len(DIALECTS)


def site_code(reason: ReasonCode, location_index: int) -> str:
    """The code the warehouse at `location_index` writes for `reason`."""
    dialect = DIALECTS[dialect_of(location_index)]
    return dialect.get(reason) or SHARED_CODES[reason]


def site_codes_by_location(reason: ReasonCode, locations: int) -> TextArray:
    """`site_code(reason, i)` for every location index, as a lookup array."""
    return np.array([site_code(reason, i) for i in range(locations)], dtype=object)


def mapping_rows(location_codes: tuple[str, ...]) -> dict[str, list[str]]:
    """Columns of reason_code_mappings: shared codes, then each site's own."""
    scope = [ALL_SITES] * len(SHARED_CODES)
    codes = list(SHARED_CODES.values())
    reasons = [reason.value for reason in SHARED_CODES]
    for index, location_code in enumerate(location_codes):
        for reason, code in DIALECTS[dialect_of(index)].items():
            scope.append(location_code)
            codes.append(code)
            reasons.append(reason.value)
    return {"scope": scope, "site_code": codes, "reason_code": reasons}
