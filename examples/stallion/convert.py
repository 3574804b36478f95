"""Convert the Stallion beverage-distributor data into a Crossdock canonical folder.

Usage (from the repository root):

    python examples/stallion/convert.py --out /tmp/stallion
    python examples/stallion/convert.py --data ../shared/data --out /tmp/stallion

The script reads `<data>/stallion/stallion_monthly.parquet` at run time and writes one
CSV per canonical entity. Every mapping decision is explained in README.md next to
this file; the numbers below are the ones it describes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from crossdock.domain.canonical import entity

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
SOURCE_FILE = Path("stallion") / "stallion_monthly.parquet"
SOURCE_COLUMNS = (
    "agency",
    "sku",
    "date",
    "volume",
    "price_regular",
    "price_actual",
    "discount_in_percent",
    "avg_population_2017",
)

UOM = "HL"  # volume is in hectolitres; prices are per hectolitre
# Agencies in areas of at least this many people are served by the metro DC.
METRO_POPULATION = 1_000_000
METRO_DC, REGIONAL_DC = "DC-METRO", "DC-REGIONAL"
# A month counts as promoted when the average selling price is at least this far
# below the regular price (about one selling month in three). `discount_in_percent`
# is positive even in the few months sold above the regular price, hence the check
# that the actual price is below the regular one.
PROMOTION_DISCOUNT_PERCENT = 15.0
# Invented terms (the data has none); see README.md.
ASSUMED_GROSS_MARGIN = 0.25
SUPPLIER_CODE = "STALLION-BREWERIES"
SUPPLIER_LEAD_TIME_DAYS = 7
PRIMARY_LANE_DAYS, PRIMARY_LANE_COST = 2, 20.0
BACKUP_LANE_DAYS, BACKUP_LANE_COST = 4, 35.0
DC_TO_DC_DAYS, DC_TO_DC_COST = 2, 15.0


def agency_code(agency: str) -> str:
    """`Agency_01` -> `AGENCY-01`."""
    return agency.upper().replace("_", "-")


def read_monthly(data_dir: Path) -> pd.DataFrame:
    """The monthly agency x SKU file, with agency and SKU as plain strings."""
    path = data_dir / SOURCE_FILE
    monthly = pd.read_parquet(path)
    missing = set(SOURCE_COLUMNS) - set(monthly.columns)
    if missing:
        raise ValueError(f"{path} lacks columns {sorted(missing)}")
    monthly = monthly[list(SOURCE_COLUMNS)].copy()
    for column in ("agency", "sku"):
        monthly[column] = monthly[column].astype(str)
    return monthly


def build_demand_history(monthly: pd.DataFrame) -> pd.DataFrame:
    """Non-zero months only; negative or missing volumes are written for the importer."""
    demand = monthly[monthly["volume"].isna() | (monthly["volume"] != 0)]
    no_price_recorded = (demand["price_regular"] == 0) & (demand["price_actual"] == 0)
    promoted = (demand["discount_in_percent"] >= PROMOTION_DISCOUNT_PERCENT) & (
        demand["price_actual"] < demand["price_regular"]
    )
    frame = pd.DataFrame(
        {
            "sku": demand["sku"],
            "location_code": demand["agency"].map(agency_code),
            "demand_date": demand["date"].dt.to_period("M").dt.start_time.dt.strftime("%Y-%m-%d"),
            "quantity": demand["volume"],
            "unit_price": demand["price_actual"].round(4).mask(no_price_recorded),
            "on_promotion": promoted.astype("boolean").mask(no_price_recorded),
            "uom": UOM,
        }
    )
    return frame.sort_values(["sku", "location_code", "demand_date"], ignore_index=True)


def build_items(monthly: pd.DataFrame) -> pd.DataFrame:
    """One item per SKU: list price = median regular price; cost = list less a margin."""
    rows = []
    for sku, months in monthly.groupby("sku", sort=True):
        list_price = months.loc[months["price_regular"] > 0, "price_regular"].median()
        rows.append(
            {
                "sku": sku,
                "description": f"Stallion beverage {sku}",
                "uom": UOM,
                "unit_cost": _money(list_price * (1 - ASSUMED_GROSS_MARGIN)),
                "unit_price": _money(list_price),
                "category": "Beverages",
            }
        )
    return pd.DataFrame(rows)


def _money(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 4)


def build_locations(monthly: pd.DataFrame) -> pd.DataFrame:
    """Two DCs, then each agency as a branch of the DC its population size points to."""
    population = monthly.groupby("agency", sort=True)["avg_population_2017"].max()
    rows = [
        {
            "location_code": METRO_DC,
            "name": "Metro DC (simulated)",
            "location_type": "dc",
            "region": "Metro",
            "parent_location_code": None,
        },
        {
            "location_code": REGIONAL_DC,
            "name": "Regional DC (simulated)",
            "location_type": "dc",
            "region": "Regional",
            "parent_location_code": None,
        },
    ]
    for agency, people in population.items():
        metro = bool(people >= METRO_POPULATION)
        rows.append(
            {
                "location_code": agency_code(str(agency)),
                "name": str(agency),
                "location_type": "branch",
                "region": "Metro" if metro else "Regional",
                "parent_location_code": METRO_DC if metro else REGIONAL_DC,
            }
        )
    return pd.DataFrame(rows)


def build_lanes(locations: pd.DataFrame) -> pd.DataFrame:
    """DC to DC both ways; each agency from its own DC and, slower, from the other."""
    rows = [
        _lane(METRO_DC, REGIONAL_DC, DC_TO_DC_DAYS, DC_TO_DC_COST),
        _lane(REGIONAL_DC, METRO_DC, DC_TO_DC_DAYS, DC_TO_DC_COST),
    ]
    branches = locations[locations["location_type"] == "branch"]
    for branch, parent in zip(
        branches["location_code"], branches["parent_location_code"], strict=True
    ):
        backup = REGIONAL_DC if parent == METRO_DC else METRO_DC
        rows.append(_lane(parent, branch, PRIMARY_LANE_DAYS, PRIMARY_LANE_COST))
        rows.append(_lane(backup, branch, BACKUP_LANE_DAYS, BACKUP_LANE_COST))
    return pd.DataFrame(rows)


def _lane(origin: str, destination: str, days: int, cost: float) -> dict[str, object]:
    return {
        "from_location_code": origin,
        "to_location_code": destination,
        "transit_days": days,
        "cost_per_unit": cost,
        "mode": "truck",
    }


def build_suppliers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "supplier_code": [SUPPLIER_CODE],
            "name": ["Stallion breweries (brand owner)"],
            "country": ["MX"],
            "default_lead_time_days": [SUPPLIER_LEAD_TIME_DAYS],
        }
    )


def build_supply_terms(items: pd.DataFrame) -> pd.DataFrame:
    """Every SKU from the brand owner's breweries at the item's cost; no MOQ."""
    return pd.DataFrame(
        {
            "supplier_code": SUPPLIER_CODE,
            "sku": items["sku"],
            "lead_time_days": SUPPLIER_LEAD_TIME_DAYS,
            "unit_price": items["unit_cost"],
            "is_primary": True,
        }
    )


def write_entity(frame: pd.DataFrame, name: str, out_dir: Path) -> int:
    """Write `<name>.csv` with the spec's column order; booleans as true/false."""
    spec_order = [field for field in entity(name).field_names if field in frame.columns]
    extra = set(frame.columns) - set(spec_order)
    if extra:
        raise ValueError(f"{name} has columns the canonical model does not know: {extra}")
    frame = frame[spec_order].copy()
    for column in frame.columns:
        if frame[column].dtype in (bool, "boolean"):
            frame[column] = frame[column].map({True: "true", False: "false"}, na_action="ignore")
    frame.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n")
    return len(frame)


def convert(data_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write the canonical folder for Stallion; returns rows written per entity."""
    monthly = read_monthly(data_dir)
    items = build_items(monthly)
    locations = build_locations(monthly)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = {
        "items": items,
        "locations": locations,
        "suppliers": build_suppliers(),
        "lanes": build_lanes(locations),
        "supply_terms": build_supply_terms(items),
        "demand_history": build_demand_history(monthly),
    }
    return {name: write_entity(frame, name, out_dir) for name, frame in frames.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help=f"folder holding stallion/ (default: {DEFAULT_DATA_DIR})",
    )
    parser.add_argument("--out", type=Path, required=True, help="canonical folder to write")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = convert(args.data, args.out)
    elapsed = time.perf_counter() - started
    for name, rows in counts.items():
        print(f"{name:>16}: {rows:>7} rows")
    print(f"wrote {args.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
