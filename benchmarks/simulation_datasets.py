"""Canonical import folders from two real data sets, for replay in the network simulator.

    python benchmarks/simulation_datasets.py dominicks OUT_FOLDER [--dcs N]
    python benchmarks/simulation_datasets.py stallion OUT_FOLDER

Reads ../shared/data at run time (never copied into the repository) and writes one CSV
per canonical entity, which `crossdock import OUT_FOLDER` loads with nothing quarantined.

Invented terms (the data has none), with the reason for each:
- unit_cost = 70% of the item's median selling price (unit_price): a 30% gross margin.
- Lanes run DC -> branch only, transit 7 days (one weekly period), no capacity limit.
- Supplier lead time: quoted 14 days (Dominick's, fresh juice) or 30 (Stallion). The PO
  history's actual lead times are the quote plus lateness drawn (numpy seed 0) from the
  real SCMS shipments (delivered minus scheduled date), clipped to -7..+42 days; one draw
  per PO (a PO arrives as one shipment, so its lines share it). 60 POs, one line per
  item, over the two years before the first demand period, all received before it: they
  teach the lead-time learner and never touch the replay. No receipts file: the learner
  reads the PO lines' received_date.
- Starting stock, counted the day before the first period: each branch holds its own
  mean demand over the cover (2 weeks, or 1 month), the DC the same cover of its
  branches' total. Means use the whole history (missing periods count as zero).
- MOQ 0 and order multiple 1: any case size would be invented too.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crossdock.domain.canonical import entity

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DAY = "%Y-%m-%d"
COST_SHARE = 0.7
TRANSIT_DAYS = 7
LATENESS_RANGE = (-7, 42)
HISTORY_POS = 60
# bayesm documents each Dominick's brand with its carton size. exp(logmove) is always a
# whole number of cartons in ounces, so the file counts ounces and quantities here are
# cartons (uom EA): exp(logmove) / ounces per carton (see examples/dominicks/README.md).
OUNCES = {1: 64, 2: 96, 3: 64, 4: 64, 5: 64, 6: 96, 7: 64, 8: 64, 9: 64, 10: 64, 11: 128}
# Kilts Center week decode: week 1 starts Thursday 1989-09-14; weeks 40-160 run from
# 1990-06-14 to 1992-10-01.
WEEK_ONE = pd.Timestamp("1989-09-14")
OJ_FREIGHT = 0.05  # $ per carton DC -> store: about 2% of a $2.50 carton
STALLION_FREIGHT = 15.0  # $ per hectolitre DC -> agency: about 1% of the list price
STALLION_PROMO_DISCOUNT = 0.15  # a month is promoted at >= 15% below the regular price
SUPPLIER_COLUMNS = ["supplier_code", "name", "country", "default_lead_time_days"]


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    folder: Path
    bucket: str  # "W" or "MS"
    periods: int
    items: int
    locations: int
    item_locations: int
    first_date: str
    last_date: str


def write_dominicks(folder: Path, *, dcs: int = 1) -> DatasetInfo:
    """Dominick's orange juice: 11 brands at 63 stores, fed by `dcs` DCs (store-number blocks).

    One unit = one carton. unit_price = the brand's median shelf price per ounce over all
    store-weeks x its carton size (64, 96 or 128 oz); unit_cost = 70% of that.
    store_demographics.csv has no zone or coordinates, so with dcs > 1 the stores, sorted
    by number, are cut into `dcs` nearly equal blocks (no geography implied). A week with
    deal or feat > 0 is one promotion row (kind feature when featured, else deal; code
    OJ-W<week>, one week long); discount_rate = 1 - price / the store-brand's median price
    over weeks with neither deal nor feature (0 when not below it: a coupon's value is
    unknown).
    """
    raw = pd.read_csv(DATA / "dominicks" / "orange_juice_weekly.csv")
    ounces = raw["brand"].map(OUNCES)
    prices = raw[[f"price{brand}" for brand in OUNCES]].to_numpy()
    per_oz = pd.Series(prices[np.arange(len(raw)), raw["brand"] - 1])
    sku, store = raw["brand"].map("OJ-B{:02d}".format), raw["store"].map("STORE-{:03d}".format)
    price = (per_oz * ounces).round(4)
    promoted = (raw["deal"] == 1) | (raw["feat"] > 0)
    regular = price.where(~promoted).groupby([sku, store]).transform("median").fillna(price)
    demand = pd.DataFrame(
        {
            "sku": sku,
            "location_code": store,
            "date": WEEK_ONE + pd.to_timedelta((raw["week"] - 1) * 7, unit="D"),
            "quantity": np.rint(np.exp(raw["logmove"]) / ounces).astype("int64"),
            "price": price,
            "promoted": promoted,
            "discount_rate": (1 - price / regular).clip(0, 1).round(4),
            "kind": np.where(raw["feat"] > 0, "feature", "deal"),
            "code": raw["week"].map("OJ-W{:03d}".format),
        }
    )
    list_price = (per_oz.groupby(raw["brand"]).median() * pd.Series(OUNCES)).round(4)
    items = pd.DataFrame(
        {
            "sku": list_price.index.map("OJ-B{:02d}".format),
            "description": [f"Orange juice brand {b}, {OUNCES[b]} oz" for b in list_price.index],
            "uom": "EA",
            "unit_price": list_price.to_numpy(),
            "category": "Refrigerated orange juice",
        }
    )
    stores = np.sort(store.unique())
    codes = ["DC-CHI"] if dcs == 1 else [f"DC-CHI-{i}" for i in range(1, dcs + 1)]
    blocks = zip(codes, np.array_split(stores, dcs), strict=True)
    parent = {branch: dc for dc, block in blocks for branch in block}
    supplier = ("SUP-OJ", "Orange juice packers", "US", 14)
    return _write_folder(
        folder, "dominicks", "W", demand, items, parent, supplier, freight=OJ_FREIGHT, cover=2
    )


def write_stallion(folder: Path) -> DatasetInfo:
    """Stallion: 23 SKUs at 44 agencies fed by one DC; monthly demand in hectolitres.

    The agencies carry no geography beyond population and income, so one DC feeds them
    all. Every source row is a demand row (volume clipped at 0; unit_price = price_actual
    when positive, else empty). An item's unit_price is its median positive price_regular.
    A month with price_actual at least 15% below price_regular (about a quarter of months)
    is a price_cut promotion for that calendar month (code PC-<yyyy-mm>).
    """
    raw = pd.read_parquet(DATA / "stallion" / "stallion_monthly.parquet")
    price = raw["price_actual"].where(raw["price_actual"] > 0).round(4)
    regular = raw["price_regular"].where(raw["price_regular"] > 0)
    discount = (1 - price / regular).round(4)
    date = pd.to_datetime(raw["date"]).dt.to_period("M").dt.start_time
    demand = pd.DataFrame(
        {
            "sku": raw["sku"].astype(str),
            "location_code": raw["agency"].astype(str).str.upper().str.replace("_", "-"),
            "date": date,
            "quantity": raw["volume"].clip(lower=0.0).round(4),
            "price": price,
            "promoted": discount >= STALLION_PROMO_DISCOUNT,
            "discount_rate": discount,
            "kind": "price_cut",
            "code": "PC-" + date.dt.strftime("%Y-%m"),
        }
    )
    list_price = regular.groupby(demand["sku"]).median().round(4)
    items = pd.DataFrame(
        {
            "sku": list_price.index,
            "description": "Stallion beverage " + list_price.index,
            "uom": "HL",
            "unit_price": list_price.to_numpy(),
            "category": "Beverages",
        }
    )
    parent = dict.fromkeys(sorted(demand["location_code"].unique()), "DC-MX")
    supplier = ("SUP-STALLION", "Stallion breweries", "MX", 30)
    return _write_folder(
        folder, "stallion", "MS", demand, items, parent, supplier, freight=STALLION_FREIGHT, cover=1
    )


def _write_folder(
    folder: Path,
    name: str,
    bucket: str,
    demand: pd.DataFrame,
    items: pd.DataFrame,
    parent: dict[str, str],
    supplier: tuple[str, str, str, int],
    *,
    freight: float,
    cover: int,
) -> DatasetInfo:
    """Every file, from `demand` (one row per branch, item and period: sku, location_code,
    date, quantity, price, promoted, and the promotion's discount_rate, kind and code)."""
    code, lead_days = supplier[0], supplier[3]
    items = items.assign(unit_cost=(items["unit_price"] * COST_SHARE).round(4), lifecycle="active")
    first, periods = demand["date"].min(), demand["date"].nunique()
    mean = _mean_demand(demand, parent, periods)
    snapshot = (first - pd.Timedelta(days=1)).strftime("%Y-%m-%dT18:00:00+00:00")
    orders, lines = _purchase_history(mean, items, code, lead_days, first=first, cover=cover)
    folder.mkdir(parents=True, exist_ok=True)
    for entity_name, frame in {
        "items": items,
        "locations": _locations(parent),
        "lanes": _lanes(parent, freight),
        "suppliers": pd.DataFrame([supplier], columns=SUPPLIER_COLUMNS),
        "supply_terms": _supply_terms(items, code, lead_days),
        "demand_history": _demand_history(demand),
        "promotions": _promotions(demand, bucket),
        "inventory_positions": _inventory_positions(mean, snapshot, cover),
        "purchase_orders": orders,
        "purchase_order_lines": lines,
    }.items():
        _write(folder, entity_name, frame)
    return DatasetInfo(
        name=name,
        folder=folder,
        bucket=bucket,
        periods=periods,
        items=len(items),
        locations=len(set(parent.values())) + len(parent),
        item_locations=len(mean),
        first_date=first.strftime(DAY),
        last_date=demand["date"].max().strftime(DAY),
    )


def _locations(parent: dict[str, str]) -> pd.DataFrame:
    """The DCs (top level), then every branch with its DC as parent and region."""
    dcs = sorted(set(parent.values()))
    top = pd.DataFrame({"location_code": dcs, "name": dcs, "location_type": "dc", "region": dcs})
    fed = pd.DataFrame(
        {
            "location_code": list(parent),
            "name": list(parent),
            "location_type": "branch",
            "region": list(parent.values()),
            "parent_location_code": list(parent.values()),
        }
    )
    return pd.concat([top, fed], ignore_index=True)


def _lanes(parent: dict[str, str], freight: float) -> pd.DataFrame:
    """DC -> each of its branches: one weekly period of transit, no capacity limit."""
    return pd.DataFrame(
        {
            "from_location_code": list(parent.values()),
            "to_location_code": list(parent),
            "transit_days": TRANSIT_DAYS,
            "cost_per_unit": freight,
            "mode": "truck",
        }
    )


def _supply_terms(items: pd.DataFrame, supplier: str, lead_days: int) -> pd.DataFrame:
    terms = items[["sku"]].assign(supplier_code=supplier, lead_time_days=lead_days, moq=0)
    return terms.assign(order_multiple=1, unit_price=items["unit_cost"], is_primary=True)


def _demand_history(demand: pd.DataFrame) -> pd.DataFrame:
    return demand[["sku", "location_code", "quantity"]].assign(
        demand_date=demand["date"].dt.strftime(DAY),
        unit_price=demand["price"],
        on_promotion=demand["promoted"],
    )


def _promotions(demand: pd.DataFrame, bucket: str) -> pd.DataFrame:
    """One row per promoted branch, item and period, covering the whole period."""
    rows = demand[demand["promoted"]]
    last_day = pd.offsets.MonthEnd(0) if bucket == "MS" else pd.Timedelta(days=6)
    return pd.DataFrame(
        {
            "promotion_code": rows["code"],
            "sku": rows["sku"],
            "location_code": rows["location_code"],
            "start_date": rows["date"].dt.strftime(DAY),
            "end_date": (rows["date"] + last_day).dt.strftime(DAY),
            "promo_price": rows["price"],
            "discount_rate": rows["discount_rate"],
            "kind": rows["kind"],
            "status": "confirmed",
        }
    )


def _mean_demand(demand: pd.DataFrame, parent: dict[str, str], periods: int) -> pd.DataFrame:
    """Mean demand per period of every branch-item (absent periods count as zero: every
    period of the span is in the data), then of every DC-item (its branches' total)."""
    total = demand.groupby(["sku", "location_code"])["quantity"].sum()
    branches = (total / periods).reset_index(name="mean")
    branches["dc"] = branches["location_code"].map(parent)
    dcs = branches.groupby(["sku", "dc"])["mean"].sum().reset_index()
    return pd.concat([branches, dcs.assign(location_code=dcs["dc"])], ignore_index=True)


def _inventory_positions(mean: pd.DataFrame, snapshot: str, cover: int) -> pd.DataFrame:
    """`cover` periods of mean demand on hand everywhere, nothing in transit or on order."""
    return mean[["sku", "location_code"]].assign(
        snapshot_at=snapshot, on_hand=np.ceil(mean["mean"] * cover), in_transit=0.0, on_order=0.0
    )


def scms_lateness() -> np.ndarray:
    """Days late (delivered minus scheduled) of every SCMS line with both dates, clipped."""
    raw = pd.read_csv(DATA / "scms" / "shipments_2006_2013.csv", dtype=str)
    scheduled, delivered = (
        pd.to_datetime(raw[column], format="%d-%b-%y", errors="coerce")
        for column in ("scheduled delivery date", "delivered to client date")
    )
    late = (delivered - scheduled).dt.days.dropna().to_numpy(np.int64)
    return np.clip(late, *LATENESS_RANGE)


def _purchase_history(
    mean: pd.DataFrame,
    items: pd.DataFrame,
    supplier: str,
    lead_days: int,
    *,
    first: pd.Timestamp,
    cover: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """60 received POs over two years, DCs in turn, each buying `cover` periods of its
    network's mean demand of every item; all received at least a week before `first`."""
    last_order = first - pd.Timedelta(days=lead_days + LATENESS_RANGE[1] + 7)
    order_dates = last_order - pd.to_timedelta(np.rint(np.linspace(730, 0, HISTORY_POS)), "D")
    late = np.random.default_rng(0).choice(scms_lateness(), size=HISTORY_POS)
    at_dc = mean[mean["location_code"] == mean["dc"]]
    dcs = sorted(at_dc["location_code"].unique())
    orders = pd.DataFrame(
        {
            "po_number": [f"PO-{supplier}-{i:03d}" for i in range(1, HISTORY_POS + 1)],
            "supplier_code": supplier,
            "location_code": [dcs[i % len(dcs)] for i in range(HISTORY_POS)],
            "order_date": order_dates.strftime(DAY),
            "status": "received",
        }
    )
    promised = order_dates + pd.Timedelta(days=lead_days)
    head = orders.assign(promised=promised, received=promised + pd.to_timedelta(late, "D"))
    lines = head.merge(at_dc, on="location_code").sort_values(
        ["po_number", "sku"], ignore_index=True
    )
    quantity = np.maximum(np.ceil(lines["mean"] * cover), 1.0)
    return orders, pd.DataFrame(
        {
            "po_number": lines["po_number"],
            "line_number": lines.groupby("po_number").cumcount() + 1,
            "sku": lines["sku"],
            "ordered_quantity": quantity,
            "unit_price": lines["sku"].map(items.set_index("sku")["unit_cost"]),
            "promised_date": lines["promised"].dt.strftime(DAY),
            "received_date": lines["received"].dt.strftime(DAY),
            "received_quantity": quantity,
        }
    )


def _write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    """`<name>.csv` in the canonical column order; booleans as true/false, no index."""
    columns = [field for field in entity(name).field_names if field in frame.columns]
    unknown = set(frame.columns) - set(columns)
    if unknown:
        raise ValueError(f"{name}: columns the canonical model does not know: {sorted(unknown)}")
    frame = frame[columns].copy()
    for column in columns:
        if frame[column].dtype == bool:
            frame[column] = frame[column].map({True: "true", False: "false"})
    frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=("dominicks", "stallion"))
    parser.add_argument("folder", type=Path, help="canonical folder to write")
    parser.add_argument("--dcs", type=int, default=1, help="Dominick's: number of DCs")
    args = parser.parse_args(argv)
    if args.dataset == "dominicks":
        info = write_dominicks(args.folder, dcs=args.dcs)
    else:
        info = write_stallion(args.folder)
    for key, value in vars(info).items():
        print(f"{key:>15}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
