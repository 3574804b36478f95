import pytest

from crossdock.domain.errors import UnknownReasonCode
from crossdock.domain.reason_codes import (
    ALL_SITES,
    ReasonCode,
    ReasonCodeMap,
    ReasonCodeMapping,
)

MAP = ReasonCodeMap(
    [
        ReasonCodeMapping("BR-NORTH", "SHORT", ReasonCode.SHORT_PICK),
        ReasonCodeMapping("BR-SOUTH", "SP", ReasonCode.SHORT_PICK),
        ReasonCodeMapping(ALL_SITES, "CR", ReasonCode.CREDIT_HOLD),
        ReasonCodeMapping("BR-SOUTH", "CR", ReasonCode.CUSTOMER_REQUEST),
    ]
)


def test_two_sites_codes_for_a_short_pick_both_become_short_pick():
    assert MAP.canonical("SHORT", location_code="BR-NORTH") is ReasonCode.SHORT_PICK
    assert MAP.canonical("SP", location_code="BR-SOUTH") is ReasonCode.SHORT_PICK


def test_a_sites_own_mapping_wins_over_the_all_sites_one():
    assert MAP.canonical("CR", location_code="BR-SOUTH") is ReasonCode.CUSTOMER_REQUEST
    assert MAP.canonical("CR", location_code="BR-NORTH") is ReasonCode.CREDIT_HOLD


def test_matching_ignores_case_and_blanks():
    assert MAP.canonical(" short ", location_code="BR-NORTH") is ReasonCode.SHORT_PICK


def test_a_canonical_code_passes_through_unmapped():
    assert MAP.canonical("damaged", location_code="BR-EAST") is ReasonCode.DAMAGED


def test_a_code_mapped_only_at_another_site_is_unknown_here():
    with pytest.raises(UnknownReasonCode) as raised:
        MAP.canonical("SP", location_code="BR-NORTH")
    assert raised.value.site_code == "SP"
    assert raised.value.location_code == "BR-NORTH"
    assert "add it to reason_code_mappings" in str(raised.value)
