"""Convert Dominick's refrigerated orange juice data into a Crossdock canonical folder.

Usage (from the repository root):

    python examples/dominicks/convert.py --out /tmp/dominicks
    python examples/dominicks/convert.py --data ../shared/data --out /tmp/dominicks

The script reads `<data>/dominicks/orange_juice_weekly.csv` at run time and writes one
CSV per canonical entity. Every mapping decision is explained in README.md next to
this file; the numbers below are the ones it describes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd

from crossdock.domain.canonical import entity

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
SOURCE_FILE = Path("dominicks") / "orange_juice_weekly.csv"

# Week 1 of the Dominick's database ran Thursday 1989-09-14 to Wednesday 1989-09-20
# (the Kilts Center's week decode table); every week starts on a Thursday.
WEEK_ONE_START = dt.date(1989, 9, 14)

# bayesm's documentation of `orangeJuice` names each brand and its carton size. The
# file's units are ounces: exp(logmove) is always a multiple of the brand's size.
BRANDS: dict[int, tuple[str, int, str]] = {
    # brand: (description, ounces per carton, supplier code)
    1: ("Tropicana Premium 64 oz", 64, "SUP-TROPICANA"),
    2: ("Tropicana Premium 96 oz", 96, "SUP-TROPICANA"),
    3: ("Florida's Natural 64 oz", 64, "SUP-FLORIDAS-NATURAL"),
    4: ("Tropicana 64 oz", 64, "SUP-TROPICANA"),
    5: ("Minute Maid 64 oz", 64, "SUP-MINUTE-MAID"),
    6: ("Minute Maid 96 oz", 96, "SUP-MINUTE-MAID"),
    7: ("Citrus Hill 64 oz", 64, "SUP-CITRUS-HILL"),
    8: ("Tree Fresh 64 oz", 64, "SUP-TREE-FRESH"),
    9: ("Florida Gold 64 oz", 64, "SUP-FLORIDA-GOLD"),
    10: ("Dominick's 64 oz", 64, "SUP-DOMINICKS-PL"),
    11: ("Dominick's 128 oz", 128, "SUP-DOMINICKS-PL"),
}
SUPPLIER_NAMES = {
    "SUP-TROPICANA": "Tropicana (brand owner)",
    "SUP-FLORIDAS-NATURAL": "Florida's Natural (brand owner)",
    "SUP-MINUTE-MAID": "Minute Maid (brand owner)",
    "SUP-CITRUS-HILL": "Citrus Hill (brand owner)",
    "SUP-TREE-FRESH": "Tree Fresh (brand owner)",
    "SUP-FLORIDA-GOLD": "Florida Gold (brand owner)",
    "SUP-DOMINICKS-PL": "Dominick's private-label packer",
}
# Invented: cartons per case (64 oz: 8, 96 oz and 128 oz: 4).
CARTONS_PER_CASE = {64: 8, 96: 4, 128: 4}
# Invented supply and transport terms (the data has none); see README.md.
SUPPLIER_LEAD_TIME_DAYS = 7
DC_TO_STORE_TRANSIT_DAYS = 1
DC_TO_STORE_COST_PER_CARTON = 0.10
DC_TO_DC_TRANSIT_DAYS = 1
DC_TO_DC_COST_PER_CARTON = 0.05

# Regional DCs by store-number range (the data carries no store geography).
DC_RANGES: tuple[tuple[str, str, int, int], ...] = (
    # (code, region, first store number, last store number)
    ("DC-A", "Zone A", 0, 69),
    ("DC-B", "Zone B", 70, 104),
    ("DC-C", "Zone C", 105, 999),
)


def sku_for(brand: int) -> str:
    """The SKU code of a Dominick's brand number."""
    return f"OJ-{brand:02d}"


def store_code(store: int) -> str:
    """The location code of a Dominick's store."""
    return f"STORE-{store:03d}"


def dc_for(store: int) -> tuple[str, str]:
    """The (DC code, region) that replenishes a store."""
    for code, region, first, last in DC_RANGES:
        if first <= store <= last:
            return code, region
    raise ValueError(f"store {store} is outside every DC range")


def week_start(week: pd.Series) -> pd.Series:
    """The Thursday each Dominick's week number starts on."""
    start = pd.Timestamp(WEEK_ONE_START)
    return start + pd.to_timedelta((week.astype("int64") - 1) * 7, unit="D")


def read_weekly(data_dir: Path) -> pd.DataFrame:
    """The weekly movement file, with the brand's own shelf price and size added."""
    path = data_dir / SOURCE_FILE
    weekly = pd.read_csv(path)
    expected = {"store", "brand", "week", "logmove", "deal", "feat", "profit"}
    missing = expected - set(weekly.columns)
    if missing:
        raise ValueError(f"{path} lacks columns {sorted(missing)}")
    unknown = {int(brand) for brand in weekly["brand"].unique()} - set(BRANDS)
    if unknown:
        raise ValueError(f"{path} has brands {sorted(unknown)} that bayesm does not document")
    price_columns = [f"price{brand}" for brand in BRANDS]
    prices = weekly[price_columns].to_numpy()
    own_column = weekly["brand"].to_numpy() - 1
    weekly["price_per_oz"] = prices[np.arange(len(weekly)), own_column]
    weekly["ounces"] = weekly["brand"].map({b: spec[1] for b, spec in BRANDS.items()})
    weekly["carton_price"] = weekly["price_per_oz"] * weekly["ounces"]
    return weekly


def build_demand_history(weekly: pd.DataFrame) -> pd.DataFrame:
    """One row per store, brand and week: cartons sold, shelf price, promotion flag."""
    cartons = np.rint(np.exp(weekly["logmove"]) / weekly["ounces"]).astype("int64")
    demand = pd.DataFrame(
        {
            "sku": weekly["brand"].map(sku_for),
            "location_code": weekly["store"].map(store_code),
            "demand_date": week_start(weekly["week"]).dt.strftime("%Y-%m-%d"),
            "quantity": cartons,
            "unit_price": weekly["carton_price"].round(4),
            "on_promotion": (weekly["deal"] == 1) | (weekly["feat"] > 0),
            "uom": "EA",
        }
    )
    return demand.sort_values(["sku", "location_code", "demand_date"], ignore_index=True)


def build_promotions(weekly: pd.DataFrame) -> pd.DataFrame:
    """One row per store, brand and run of consecutive deal (or feature) weeks at one price.

    A deal run is kind `deal`, a feature run kind `feature`; a week with both is in
    one of each. The code names the kind and the week the run starts (`DEAL-W041`),
    like a weekly circular, so one code covers every store and brand that started a
    run that week. The run ends on the Wednesday of its last week.
    """
    parts = [
        _promotion_runs(weekly[weekly["deal"] == 1], "deal", "DEAL"),
        _promotion_runs(weekly[weekly["feat"] > 0], "feature", "FEAT"),
    ]
    promotions = pd.concat(parts, ignore_index=True)
    return promotions.sort_values(
        ["start_date", "promotion_code", "sku", "location_code"], ignore_index=True
    )


def _promotion_runs(weeks: pd.DataFrame, kind: str, prefix: str) -> pd.DataFrame:
    weeks = weeks.sort_values(["store", "brand", "week"])
    price = weeks["carton_price"].round(4)
    same_series = (weeks["store"] == weeks["store"].shift()) & (
        weeks["brand"] == weeks["brand"].shift()
    )
    continues = same_series & (weeks["week"] == weeks["week"].shift() + 1)
    continues &= price == price.shift()
    run = (~continues).cumsum()
    runs = (
        weeks.assign(price=price, run=run)
        .groupby("run")
        .agg(
            store=("store", "first"),
            brand=("brand", "first"),
            first_week=("week", "first"),
            last_week=("week", "last"),
            price=("price", "first"),
        )
    )
    return pd.DataFrame(
        {
            "promotion_code": [f"{prefix}-W{week:03d}" for week in runs["first_week"]],
            "sku": runs["brand"].map(sku_for).to_numpy(),
            "location_code": runs["store"].map(store_code).to_numpy(),
            "start_date": week_start(runs["first_week"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "end_date": (week_start(runs["last_week"]) + pd.Timedelta(days=6))
            .dt.strftime("%Y-%m-%d")
            .to_numpy(),
            "promo_price": runs["price"].to_numpy(),
            "kind": kind,
        }
    )


def build_items(weekly: pd.DataFrame) -> pd.DataFrame:
    """One item per brand; list price and cost are medians over the brand's store-weeks."""
    margin = weekly["profit"].where((weekly["profit"] > 0) & (weekly["profit"] < 100))
    weekly = weekly.assign(carton_cost=weekly["carton_price"] * (1 - margin / 100))
    per_brand = weekly.groupby("brand").agg(
        unit_price=("carton_price", "median"), unit_cost=("carton_cost", "median")
    )
    rows: list[dict[str, object]] = []
    for brand, unit_price, unit_cost in zip(
        per_brand.index, per_brand["unit_price"], per_brand["unit_cost"], strict=True
    ):
        description, ounces, _ = BRANDS[int(brand)]
        case = CARTONS_PER_CASE[ounces]
        rows.append(
            {
                "sku": sku_for(int(brand)),
                "description": f"Refrigerated orange juice, {description} carton",
                "uom": "EA",
                "pack_size": case,
                "order_multiple": case,
                "unit_cost": round(float(unit_cost), 4),
                "unit_price": round(float(unit_price), 4),
                "lifecycle": "active",
                "category": "Refrigerated orange juice",
            }
        )
    return pd.DataFrame(rows)


def build_locations(stores: list[int]) -> pd.DataFrame:
    """The regional DCs that serve at least one store, then the stores as branches."""
    served = sorted({dc_for(store) for store in stores})
    rows = [
        {
            "location_code": code,
            "name": f"Regional DC {code[-1]} (simulated)",
            "location_type": "dc",
            "region": region,
            "parent_location_code": None,
        }
        for code, region in served
    ]
    for store in stores:
        code, region = dc_for(store)
        rows.append(
            {
                "location_code": store_code(store),
                "name": f"Dominick's store {store}",
                "location_type": "branch",
                "region": region,
                "parent_location_code": code,
            }
        )
    return pd.DataFrame(rows)


def build_lanes(locations: pd.DataFrame) -> pd.DataFrame:
    """DC to each of its stores, and every DC to every other DC (for rebalancing)."""
    rows: list[dict[str, object]] = []
    dcs = locations.loc[locations["location_type"] == "dc", "location_code"].tolist()
    for origin in dcs:
        rows.extend(
            {
                "from_location_code": origin,
                "to_location_code": destination,
                "transit_days": DC_TO_DC_TRANSIT_DAYS,
                "cost_per_unit": DC_TO_DC_COST_PER_CARTON,
                "mode": "truck",
            }
            for destination in dcs
            if destination != origin
        )
    branches = locations[locations["location_type"] == "branch"]
    rows.extend(
        {
            "from_location_code": parent,
            "to_location_code": branch,
            "transit_days": DC_TO_STORE_TRANSIT_DAYS,
            "cost_per_unit": DC_TO_STORE_COST_PER_CARTON,
            "mode": "truck",
        }
        for branch, parent in zip(
            branches["location_code"], branches["parent_location_code"], strict=True
        )
    )
    return pd.DataFrame(rows)


def build_suppliers(brands: list[int]) -> pd.DataFrame:
    codes = sorted({BRANDS[brand][2] for brand in brands})
    return pd.DataFrame(
        {
            "supplier_code": codes,
            "name": [SUPPLIER_NAMES[code] for code in codes],
            "country": "US",
            "default_lead_time_days": SUPPLIER_LEAD_TIME_DAYS,
        }
    )


def build_supply_terms(items: pd.DataFrame) -> pd.DataFrame:
    """Each brand bought from its brand owner at the item's cost, in whole cases."""
    brand_of = {sku_for(brand): brand for brand in BRANDS}
    return pd.DataFrame(
        {
            "supplier_code": [BRANDS[brand_of[sku]][2] for sku in items["sku"]],
            "sku": items["sku"],
            "lead_time_days": SUPPLIER_LEAD_TIME_DAYS,
            "moq": items["pack_size"],
            "order_multiple": items["pack_size"],
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
        if frame[column].dtype == bool:
            frame[column] = frame[column].map({True: "true", False: "false"})
    frame.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n")
    return len(frame)


def convert(data_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write the canonical folder for Dominick's; returns rows written per entity."""
    weekly = read_weekly(data_dir)
    stores = sorted(int(store) for store in weekly["store"].unique())
    brands = sorted(int(brand) for brand in weekly["brand"].unique())
    items = build_items(weekly)
    locations = build_locations(stores)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = {
        "items": items,
        "locations": locations,
        "suppliers": build_suppliers(brands),
        "lanes": build_lanes(locations),
        "supply_terms": build_supply_terms(items),
        "demand_history": build_demand_history(weekly),
        "promotions": build_promotions(weekly),
    }
    return {name: write_entity(frame, name, out_dir) for name, frame in frames.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help=f"folder holding dominicks/ (default: {DEFAULT_DATA_DIR})",
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
