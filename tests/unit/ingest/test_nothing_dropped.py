"""Whatever the cells hold, every row is either accepted or quarantined with a reason."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crossdock.ingest import Severity
from tests.unit.ingest.support import validate

CELL = st.one_of(
    st.sampled_from(
        [
            "A1",
            "B2",
            "ZZ",
            "BR1",
            "BR9",
            "",
            " ",
            "2026-11-01",
            "2099-01-01",
            "-1",
            "0",
            "3.5",
            "x",
            "true",
            "EA",
            "CS",
            "nan",
        ]
    ),
    st.text(max_size=6),
)
DEMAND_ROW = st.fixed_dictionaries(
    {
        "sku": CELL,
        "location_code": CELL,
        "demand_date": CELL,
        "quantity": CELL,
        "on_promotion": CELL,
        "uom": CELL,
    }
)


@settings(max_examples=150, deadline=None)
@given(st.lists(DEMAND_ROW, max_size=12))
def test_every_row_is_accepted_or_quarantined_never_both_never_neither(rows):
    result = validate("demand_history", rows)
    quarantined = set(result.quarantined_row_numbers.tolist())
    assert result.rows_read == len(rows)
    assert result.rows_accepted + len(quarantined) == len(rows)
    assert quarantined <= set(range(1, len(rows) + 1))
    errors = result.issues[result.issues["severity"] == Severity.ERROR]
    assert (errors["reason"].str.len() > 0).all()
