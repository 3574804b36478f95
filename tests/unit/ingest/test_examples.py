"""The example folders: `basic` imports cleanly, `bad_rows` fails exactly as its README says."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossdock.adapters.files.reader import read_folder
from crossdock.domain.canonical import ENTITIES
from crossdock.ingest import DataQualityReport, EntityValidation, validate_batch
from tests.unit.ingest.support import AS_OF

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def validate_folder(name: str) -> list[EntityValidation]:
    scan = read_folder(EXAMPLES / name)
    assert scan.ignored == [] or [path.name for path, _ in scan.ignored] == ["README.md"]
    return validate_batch(scan.files, as_of=AS_OF)


def expected_faults(readme: Path) -> set[tuple[str, int, str, str]]:
    """(file, row, field, check) from the README's table of expected faults."""
    faults = set()
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].endswith(".csv"):
            faults.add((cells[0], int(cells[1]), cells[2], cells[3]))
    return faults


@pytest.fixture(scope="module")
def basic() -> list[EntityValidation]:
    return validate_folder("basic")


@pytest.fixture(scope="module")
def bad_rows() -> list[EntityValidation]:
    return validate_folder("bad_rows")


def test_basic_has_one_file_per_entity(basic):
    assert [result.entity.name for result in basic] == [spec.name for spec in ENTITIES]


def test_basic_is_accepted_without_a_single_issue(basic):
    report = DataQualityReport.of(basic)
    assert report.issues().empty
    assert report.totals.rows_accepted == report.totals.rows_read == 319


def test_bad_rows_finds_exactly_the_faults_its_readme_lists(bad_rows):
    issues = DataQualityReport.of(bad_rows).issues()
    found = set(
        zip(issues["source"], issues["row_number"], issues["field"], issues["check"], strict=True)
    )
    assert len(found) == len(issues)
    assert found == expected_faults(EXAMPLES / "bad_rows" / "README.md")


def test_bad_rows_accounts_for_every_row(bad_rows):
    totals = DataQualityReport.of(bad_rows).totals
    assert (totals.rows_read, totals.rows_accepted, totals.rows_quarantined, totals.warnings) == (
        104,
        43,
        61,
        2,
    )
    for result in bad_rows:
        assert result.rows_read == result.rows_accepted + result.quarantined_rows, result.source
        assert result.rows_accepted > 0, result.source


def test_bad_rows_covers_every_row_level_check(bad_rows):
    checks = set(DataQualityReport.of(bad_rows).issues()["check"])
    assert checks == {
        "unknown_column",
        "malformed_row",
        "missing_required",
        "not_numeric",
        "not_integer",
        "invalid_date",
        "invalid_boolean",
        "invalid_code",
        "negative_quantity",
        "below_minimum",
        "above_maximum",
        "unknown_reference",
        "uom_mismatch",
        "future_date",
        "date_order",
        "unknown_reason_code",
        "duplicate",
        "stale_snapshot",
    }
