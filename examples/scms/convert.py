"""Convert the USAID SCMS shipment history into Crossdock canonical purchase orders.

Usage (from the repository root):

    python examples/scms/convert.py --out /tmp/scms
    python examples/scms/convert.py --data ../shared/data --out /tmp/scms

The script reads `<data>/scms/shipments_2006_2013.csv` at run time and writes one CSV
per canonical entity, plus `extras/shipping.csv` (shipment mode and fulfil-via per PO
line, which the canonical model has no field for). Dates it cannot read are written
empty and counted, never dropped: see README.md next to this file.
"""

from __future__ import annotations

import argparse
import re
import time
import unicodedata
from pathlib import Path

import pandas as pd

from crossdock.domain.canonical import entity

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
SOURCE_FILE = Path("scms") / "shipments_2006_2013.csv"
SHIPPING_FILE = Path("extras") / "shipping.csv"
DATE_FORMATS = ("%d-%b-%y", "%m/%d/%Y")
DATE_COLUMNS = {
    "order_date": "po sent to vendor date",
    "promised_date": "scheduled delivery date",
    "received_date": "delivered to client date",
}
UOM = "PACK"


def code(prefix: str, text: str) -> str:
    """An upper-case code from free text: 'Orgenics, Ltd' -> 'SUP-ORGENICS-LTD'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Z0-9]+", "-", ascii_text.upper()).strip("-")
    return f"{prefix}-{slug[:48].rstrip('-')}"


def parse_dates(column: pd.Series) -> pd.Series:
    """Dates written like 2-Jun-06 or 3/19/2010; anything else becomes NaT."""
    parsed = pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns]")
    text = column.astype("string").str.strip()
    for date_format in DATE_FORMATS:
        attempt = pd.to_datetime(text, format=date_format, errors="coerce")
        parsed = parsed.fillna(attempt)
    return parsed


def read_shipments(data_dir: Path) -> pd.DataFrame:
    path = data_dir / SOURCE_FILE
    shipments = pd.read_csv(path, dtype=str, keep_default_na=False)
    shipments.columns = [column.strip().lower() for column in shipments.columns]
    expected = {"po / so #", "vendor", "country", "fulfill via", "shipment mode", "asn/dn #"}
    expected |= set(DATE_COLUMNS.values())
    missing = expected - set(shipments.columns)
    if missing:
        raise ValueError(f"{path} lacks columns {sorted(missing)}")
    return shipments


def date_report(shipments: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per canonical date field, how many cells could not be read, by what they said."""
    report: dict[str, dict[str, int]] = {}
    for field, source in DATE_COLUMNS.items():
        unread = shipments.loc[parse_dates(shipments[source]).isna(), source]
        report[field] = {
            str(k): int(v) for k, v in unread.replace("", "(empty)").value_counts().items()
        }
    return report


def number(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce")


def build(shipments: pd.DataFrame) -> dict[str, pd.DataFrame]:
    dates = {field: parse_dates(shipments[source]) for field, source in DATE_COLUMNS.items()}
    po_number = shipments["po / so #"].str.strip()
    supplier = shipments["vendor"].map(lambda name: code("SUP", name))
    location = shipments["country"].map(lambda name: code("CTRY", name))
    descriptions = sorted(shipments["item description"].unique())
    sku_of = {text: f"SCMS-{index + 1:04d}" for index, text in enumerate(descriptions)}
    sku = shipments["item description"].map(sku_of)
    line_number = po_number.groupby(po_number).cumcount() + 1
    iso = {field: values.dt.strftime("%Y-%m-%d") for field, values in dates.items()}
    lines = pd.DataFrame(
        {
            "po_number": po_number,
            "line_number": line_number,
            "sku": sku,
            "ordered_quantity": number(shipments["line item quantity"]),
            "unit_price": number(shipments["pack price"]),
            "promised_date": iso["promised_date"],
            "asn_number": shipments["asn/dn #"].str.strip().replace("", None),
            "received_date": iso["received_date"],
            "received_quantity": number(shipments["line item quantity"]),
            "uom": UOM,
        }
    )
    orders = pd.DataFrame(
        {
            "po_number": po_number,
            "supplier_code": supplier,
            "location_code": location,
            "order_date": iso["order_date"],
            "status": "received",
        }
    ).drop_duplicates("po_number")
    suppliers = (
        pd.DataFrame({"supplier_code": supplier, "name": shipments["vendor"].str.strip()})
        .drop_duplicates("supplier_code")
        .sort_values("supplier_code")
    )
    locations = (
        pd.DataFrame(
            {
                "location_code": location,
                "name": shipments["country"].str.strip(),
                "location_type": "branch",
                "region": shipments["country"].str.strip(),
            }
        )
        .drop_duplicates("location_code")
        .sort_values("location_code")
    )
    items = pd.DataFrame(
        {"sku": sku, "description": shipments["item description"], "uom": UOM}
        | {"unit_cost": number(shipments["pack price"])}
    )
    items = (
        items.groupby(["sku", "description", "uom"], as_index=False)["unit_cost"]
        .median()
        .sort_values("sku")
    )
    shipping = pd.DataFrame(
        {
            "po_number": po_number,
            "line_number": line_number,
            "mode": shipments["shipment mode"].str.strip().replace("", None),
            "lane": shipments["fulfill via"].str.strip().replace("", None),
        }
    )
    return {
        "suppliers": suppliers,
        "locations": locations,
        "items": items,
        "purchase_orders": orders,
        "purchase_order_lines": lines,
        "shipping": shipping,
    }


def write_entity(frame: pd.DataFrame, name: str, out_dir: Path) -> int:
    """Write `<name>.csv` in the spec's column order (the extras file as it is)."""
    if name == "shipping":
        path = out_dir / SHIPPING_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        spec_order = [field for field in entity(name).field_names if field in frame.columns]
        extra = set(frame.columns) - set(spec_order)
        if extra:
            raise ValueError(f"{name} has columns the canonical model does not know: {extra}")
        frame = frame[spec_order]
        path = out_dir / f"{name}.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return len(frame)


def convert(data_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write the canonical folder for SCMS; returns rows written per file.

    Also returns, under `unreadable_<field>`, the number of rows whose date for that
    field could not be read and was written empty.
    """
    shipments = read_shipments(data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {name: write_entity(frame, name, out_dir) for name, frame in build(shipments).items()}
    for field, reasons in date_report(shipments).items():
        counts[f"unreadable_{field}"] = sum(reasons.values())
    return counts


def load_lines(out_dir: Path) -> pd.DataFrame:
    """The converted PO lines joined with their PO and shipping extras, dates parsed.

    Columns: the canonical PO line and PO columns plus `mode` and `lane`: the frame
    `crossdock.planning.lead_times.learn_lead_times` expects.
    """
    lines = pd.read_csv(out_dir / "purchase_order_lines.csv", dtype={"po_number": str})
    orders = pd.read_csv(out_dir / "purchase_orders.csv", dtype={"po_number": str})
    shipping = pd.read_csv(out_dir / SHIPPING_FILE, dtype={"po_number": str})
    joined = lines.merge(orders, on="po_number", how="left", validate="many_to_one")
    joined = joined.merge(shipping, on=["po_number", "line_number"], how="left")
    for column in ("order_date", "promised_date", "received_date"):
        joined[column] = pd.to_datetime(joined[column], format="%Y-%m-%d")
    return joined


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help=f"folder holding scms/ (default: {DEFAULT_DATA_DIR})",
    )
    parser.add_argument("--out", type=Path, required=True, help="canonical folder to write")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = convert(args.data, args.out)
    elapsed = time.perf_counter() - started
    for name, rows in counts.items():
        if not name.startswith("unreadable_"):
            print(f"{name:>22}: {rows:>6} rows")
    for field, reasons in date_report(read_shipments(args.data)).items():
        for said, rows in reasons.items():
            print(f"{field:>22}: {rows:>6} rows written empty (the file says {said!r})")
    print(f"wrote {args.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
