"""Reading an import folder: CSV, gzipped CSV and Parquet, one file per entity."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crossdock.adapters.files.errors import UnreadableFile
from crossdock.adapters.files.reader import read_file, read_folder

ITEMS_CSV = "sku,uom,unit_cost\nA1,EA,2.50\nB2, CS ,\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_cells_are_read_as_the_text_written_with_row_numbers(tmp_path):
    write(tmp_path / "items.csv", ITEMS_CSV)
    scan = read_folder(tmp_path)
    [items] = scan.files
    assert (items.entity, items.source) == ("items", "items.csv")
    assert items.frame.to_dict("list") == {
        "sku": ["A1", "B2"],
        "uom": ["EA", " CS "],
        "unit_cost": ["2.50", ""],
        "_row": [1, 2],
    }
    assert scan.ignored == []


def test_words_pandas_would_read_as_missing_stay_text(tmp_path):
    write(tmp_path / "items.csv", "sku,uom,unit_cost\nNA,N/A,null\n")
    [items] = read_folder(tmp_path).files
    assert items.frame.iloc[0].tolist() == ["NA", "N/A", "null", 1]


def test_gzipped_csv_reads_like_plain_csv(tmp_path):
    with gzip.open(tmp_path / "items.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(ITEMS_CSV)
    [items] = read_folder(tmp_path).files
    assert items.frame["sku"].tolist() == ["A1", "B2"]


def test_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path):
    (tmp_path / "items.csv").write_bytes(b"\xef\xbb\xbf" + ITEMS_CSV.encode())
    [items] = read_folder(tmp_path).files
    assert list(items.frame.columns) == ["sku", "uom", "unit_cost", "_row"]


def test_header_names_are_trimmed_and_lower_cased(tmp_path):
    write(tmp_path / "items.csv", " SKU ,Uom,unit_cost\nA1,EA,1\n")
    [items] = read_folder(tmp_path).files
    assert list(items.frame.columns) == ["sku", "uom", "unit_cost", "_row"]


def test_parquet_keeps_its_native_types(tmp_path):
    table = pa.table(
        {
            "sku": ["A1", "A1"],
            "location_code": ["BR1", "BR1"],
            "demand_date": pa.array(
                [pd.Timestamp("2026-11-01").date(), pd.Timestamp("2026-11-02").date()]
            ),
            "quantity": [3.0, 4.0],
        }
    )
    pq.write_table(table, tmp_path / "demand_history.parquet")
    [demand] = read_folder(tmp_path).files
    assert demand.frame["quantity"].tolist() == [3.0, 4.0]
    assert demand.frame["demand_date"].dt.day.tolist() == [1, 2]
    assert demand.frame["_row"].tolist() == [1, 2]


def test_files_come_back_in_load_order_and_others_are_ignored_with_a_reason(tmp_path):
    write(tmp_path / "demand_history.csv", "sku,location_code,demand_date,quantity\n")
    write(tmp_path / "items.csv", ITEMS_CSV)
    write(tmp_path / "notes.txt", "hello")
    write(tmp_path / "widgets.csv", "a,b\n1,2\n")
    (tmp_path / "archive").mkdir()
    scan = read_folder(tmp_path)
    assert [found.entity for found in scan.files] == ["items", "demand_history"]
    assert [(path.name, why.split(":")[0]) for path, why in scan.ignored] == [
        ("archive", "is a folder"),
        ("notes.txt", "is not a .csv, .csv.gz or .parquet file"),
        (
            "widgets.csv",
            (
                "'widgets' is not an entity; files are named after one of items, "
                "locations, suppliers, customers, lanes, supply_terms, "
                "reason_code_mappings, inventory_positions, demand_history, "
                "promotions, sales_orders, sales_order_lines, purchase_orders, "
                "purchase_order_lines, transfer_orders, transfer_order_lines, "
                "receipts, events"
            ),
        ),
    ]


def test_a_second_file_for_the_same_entity_is_ignored(tmp_path):
    write(tmp_path / "items.csv", ITEMS_CSV)
    with gzip.open(tmp_path / "items.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(ITEMS_CSV)
    scan = read_folder(tmp_path)
    assert [found.path.name for found in scan.files] == ["items.csv"]
    assert scan.ignored == [
        (
            tmp_path / "items.csv.gz",
            "items is already read from items.csv: give each entity one file",
        )
    ]


def test_a_single_file_path_is_read_alone(tmp_path):
    path = write(tmp_path / "items.csv", ITEMS_CSV)
    write(tmp_path / "locations.csv", "location_code,location_type\nDC,dc\n")
    assert [found.entity for found in read_folder(path).files] == ["items"]


def test_row_with_the_wrong_number_of_fields_is_kept_and_explained(tmp_path):
    write(tmp_path / "items.csv", "sku,uom,unit_cost\nA1,EA,1\nB2,CS,2,extra\nC3,EA\n")
    [items] = read_folder(tmp_path).files
    assert items.frame.to_dict("list") == {
        "sku": ["A1", "B2", "C3"],
        "uom": ["EA", "CS", "EA"],
        "unit_cost": ["1", "2", ""],
        "_malformed": [
            "",
            "it has 4 fields where the header has 3: 'B2,CS,2,extra'",
            "it has 2 fields where the header has 3: 'C3,EA'",
        ],
        "_row": [1, 2, 3],
    }


def test_quoted_commas_and_line_breaks_stay_inside_their_cell(tmp_path):
    write(
        tmp_path / "items.csv",
        'sku,description,uom,unit_cost\nA1,"Bolt, M8\nzinc",EA,1\nB2,Nut,EA,1\n',
    )
    [items] = read_folder(tmp_path).files
    assert items.frame["description"].tolist() == ["Bolt, M8\nzinc", "Nut"]
    assert items.frame["_row"].tolist() == [1, 2]


def test_blank_lines_are_not_rows(tmp_path):
    write(tmp_path / "items.csv", "sku,uom,unit_cost\n\nA1,EA,1\n\n\nB2,CS,2\n")
    [items] = read_folder(tmp_path).files
    assert items.frame["sku"].tolist() == ["A1", "B2"]
    assert items.frame["_row"].tolist() == [1, 2]


def test_header_only_file_is_an_empty_frame(tmp_path):
    write(tmp_path / "items.csv", "sku,uom,unit_cost\n")
    [items] = read_folder(tmp_path).files
    assert len(items.frame) == 0
    assert list(items.frame.columns) == ["sku", "uom", "unit_cost", "_row"]


def test_corrupt_parquet_is_an_unreadable_file_naming_it(tmp_path):
    path = tmp_path / "items.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(
        UnreadableFile, match=r"cannot read .*items\.parquet: not a readable Parquet"
    ):
        read_folder(tmp_path)


def test_binary_file_named_csv_is_an_unreadable_file(tmp_path):
    path = tmp_path / "items.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    with pytest.raises(UnreadableFile) as caught:
        read_folder(tmp_path)
    assert caught.value.path == path
    assert caught.value.reason.startswith("not UTF-8 text")


def test_text_in_another_encoding_is_an_unreadable_file(tmp_path):
    (tmp_path / "items.csv").write_bytes(
        "sku,description,uom,unit_cost\nA1,Café,EA,1\n".encode("cp1252")
    )
    with pytest.raises(UnreadableFile, match="not UTF-8 text"):
        read_folder(tmp_path)


def test_corrupt_gzip_is_an_unreadable_file(tmp_path):
    (tmp_path / "items.csv.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(UnreadableFile, match=r"items\.csv\.gz"):
        read_folder(tmp_path)


def test_empty_file_needs_a_header(tmp_path):
    write(tmp_path / "items.csv", "")
    with pytest.raises(UnreadableFile, match="the file is empty: a header row is required"):
        read_folder(tmp_path)


def test_file_whose_first_row_is_data_is_refused_rather_than_losing_that_row(tmp_path):
    write(tmp_path / "items.csv", "A1,EA,2.50\nB2,CS,1\n")
    with pytest.raises(UnreadableFile, match=r"the first row \(A1, EA, 2.50\) names none"):
        read_folder(tmp_path)


def test_file_separated_by_semicolons_is_refused_with_a_hint(tmp_path):
    write(tmp_path / "items.csv", "sku;uom;unit_cost\nA1;EA;2,50\n")
    with pytest.raises(UnreadableFile, match="columns must be separated by commas"):
        read_folder(tmp_path)


def test_repeated_column_name_is_refused(tmp_path):
    write(tmp_path / "items.csv", "sku,uom,SKU\nA1,EA,A1\n")
    with pytest.raises(UnreadableFile, match="column 'sku' appears twice"):
        read_folder(tmp_path)


def test_missing_path_is_an_unreadable_file(tmp_path):
    with pytest.raises(UnreadableFile, match="no such file or folder"):
        read_folder(tmp_path / "nowhere")


def test_read_file_reads_one_named_entity(tmp_path):
    path = write(tmp_path / "export_2026.csv", ITEMS_CSV)
    assert read_file("items", path).frame["sku"].tolist() == ["A1", "B2"]


def test_windows_line_endings_doubled_quotes_and_no_final_newline(tmp_path):
    (tmp_path / "items.csv").write_bytes(
        b'sku,description,uom,unit_cost\r\nA1,"Bolt ""big""",EA,1\r\nB2,Nut,EA,2'
    )
    [items] = read_folder(tmp_path).files
    assert items.frame["description"].tolist() == ['Bolt "big"', "Nut"]
    assert items.frame["unit_cost"].tolist() == ["1", "2"]
