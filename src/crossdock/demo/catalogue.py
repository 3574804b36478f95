"""Master data: items by category, suppliers with lead-time habits, customers by tier."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from crossdock.demo.frames import FloatArray, IntArray, TextArray
from crossdock.demo.network import NATIONAL_REGION, Network
from crossdock.domain.canonical import CRITICALITY, LIFECYCLE, SERVICE_TIERS


@dataclass(frozen=True, slots=True)
class Category:
    """A product family and how its demand moves through the year."""

    name: str
    share: float
    nouns: tuple[str, ...]
    peak_day_of_year: int | None = None  # yearly seasonality peak, if seasonal
    amplitude: float = 0.0  # in log space: demand swings by exp(+-amplitude)
    weather_season: int | None = None  # day of year when weather spikes hit it
    weather_regions: tuple[str, ...] = ()  # regions that weather hits, when the network has them


COLD = ("North", "East", "Central", "Mountain", "Lakes", "Plains", "Atlantic")
HOT = ("South", "West", "Gulf", "Pacific", "Valley", "Central", "Plains")
CATEGORIES = (
    Category("Fasteners", 0.16, ("Hex bolt", "Lag screw", "Wood screw", "Anchor", "Washer")),
    Category("Plumbing", 0.12, ("Ball valve", "Elbow", "Coupling", "Pipe clamp", "Trap"),
             weather_season=20, weather_regions=COLD),  # freezes burst pipes
    Category("Electrical", 0.12, ("Breaker", "Wire nut", "Conduit", "Junction box", "Plug")),
    Category("HVAC", 0.08, ("Air filter", "Capacitor", "Thermostat", "Blower motor", "Duct"),
             peak_day_of_year=200, amplitude=0.6, weather_season=200,
             weather_regions=HOT),  # heat waves
    Category("Safety", 0.08, ("Glove", "Safety glasses", "Hard hat", "Respirator", "Vest")),
    Category("Janitorial", 0.08, ("Mop head", "Trash liner", "Degreaser", "Towel", "Soap")),
    Category("Tools", 0.10, ("Drill bit", "Hacksaw", "Wrench", "Tape measure", "Plier")),
    Category("Adhesives", 0.06, ("Epoxy", "Sealant", "Tape", "Caulk", "Glue")),
    Category("Packaging", 0.06, ("Carton", "Stretch film", "Strap", "Label", "Void fill"),
             peak_day_of_year=320, amplitude=0.3),
    Category("Fluid Power", 0.05, ("Hose", "Fitting", "Cylinder", "Seal kit", "Pump")),
    Category("Lighting", 0.04, ("LED lamp", "Ballast", "Floodlight", "Tube", "Fixture")),
    Category("Snow & Ice", 0.05, ("Ice melt", "Snow shovel", "Sand bag", "Scraper", "Heat cable"),
             peak_day_of_year=15, amplitude=0.9, weather_season=15,
             weather_regions=COLD),  # snowstorms
)  # fmt: skip
ADJECTIVES = ("Heavy-duty", "Standard", "Stainless", "Galvanised", "Pro", "Compact", "Economy")


class Reliability(IntEnum):
    """How a supplier keeps its promises."""

    RELIABLE = 0  # on time, acknowledges and sends ASNs
    LATE = 1  # chronically late by a week or two
    ERRATIC = 2  # early or very late, no telling
    UNACKNOWLEDGING = 3  # rarely acknowledges or sends ASNs; roughly on time


RELIABILITY_SHARES = (0.45, 0.25, 0.15, 0.15)
COUNTRIES = ("US", "US", "US", "US", "US", "CA", "MX", "CN", "DE", "IN", "TW")
SUPPLIER_WORDS = (
    ("Apex", "Summit", "Keystone", "Pioneer", "Atlas", "Beacon", "Crown", "Delta", "Eagle",
     "Frontier", "Granite", "Harbor", "Iron", "Liberty", "Meridian", "Northstar", "Orion"),
    ("Industrial Supply", "Manufacturing", "Products", "Components", "Distribution",
     "Fastener Co.", "Tool Works", "Chemicals", "Electric"),
)  # fmt: skip
CUSTOMER_WORDS = (
    ("Acme", "Bluewater", "Cedar", "Dynamic", "Evergreen", "Fulton", "Greenfield", "Highland",
     "Lakeside", "Metro", "Riverside", "Sterling", "Tri-County", "Valley", "Westside"),
    ("Plumbing", "Electric", "Mechanical", "Builders", "Facilities", "Maintenance",
     "Contractors", "Hospital", "School District", "Manufacturing"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Items, suppliers, supply terms and customers, as parallel arrays."""

    skus: TextArray
    descriptions: TextArray
    uoms: TextArray
    pack_sizes: IntArray
    order_multiples: IntArray
    unit_costs: FloatArray
    unit_prices: FloatArray
    criticality: TextArray
    lifecycle: TextArray
    category: IntArray  # index into CATEGORIES
    supplier_codes: TextArray
    supplier_names: TextArray
    supplier_countries: TextArray
    supplier_lead_days: IntArray
    supplier_reliability: IntArray
    supplier_transit_days: IntArray  # ship -> receive
    term_supplier: IntArray
    term_sku: IntArray
    term_lead_days: IntArray
    term_moq: FloatArray
    term_order_multiple: IntArray
    term_price: FloatArray
    term_is_primary: np.ndarray
    customer_codes: TextArray
    customer_names: TextArray
    customer_tiers: TextArray
    customer_regions: TextArray

    @property
    def primary_term(self) -> IntArray:
        """Index of each SKU's primary supply term."""
        out = np.empty(len(self.skus), dtype=np.int64)
        out[self.term_sku[self.term_is_primary]] = np.flatnonzero(self.term_is_primary)
        return out


def build_catalogue(skus: int, network: Network, rng: np.random.Generator) -> Catalogue:
    category = rng.choice(len(CATEGORIES), skus, p=_shares())
    uom = rng.choice(np.array(["EA", "CS", "KG"], dtype=object), skus, p=[0.83, 0.11, 0.06])
    pack = np.where(uom == "EA", rng.choice([1, 1, 1, 2, 5, 10, 12, 25, 50], skus), 1)
    pack = np.where(uom == "KG", rng.choice([1, 5, 25], skus), pack)
    multiple = pack * rng.choice([1, 1, 1, 1, 2, 5], skus)
    cost = np.round(np.clip(rng.lognormal(2.0, 1.1, skus), 0.05, 5000.0), 4).astype(np.float64)
    lifecycle = rng.choice(np.array(LIFECYCLE, dtype=object), skus, p=[0.05, 0.875, 0.06, 0.015])
    suppliers = 20 + round(4 * math.log2(max(1.0, skus / 500)))
    reliability = rng.permutation(_split(suppliers, RELIABILITY_SHARES))
    country = rng.choice(np.array(COUNTRIES, dtype=object), suppliers)
    imported = country != "US"
    lead = np.where(
        imported,
        rng.integers(35, 76, suppliers),
        np.clip(rng.lognormal(math.log(9), 0.45, suppliers), 3, 28).round(),
    ).astype(np.int64)
    transit = np.where(imported, rng.integers(18, 31, suppliers), rng.integers(1, 5, suppliers))
    terms = _supply_terms(skus, lead, multiple, cost, rng)
    customers = max(25, skus // 8)
    branch_regions = sorted({network.regions[i] for i in network.branch_indices})
    regions = np.array([*branch_regions, NATIONAL_REGION], dtype=object)
    region_p = np.r_[np.full(len(branch_regions), 0.92 / len(branch_regions)), 0.08]
    return Catalogue(
        skus=np.array([f"SKU-{i:06d}" for i in range(1, skus + 1)], dtype=object),
        descriptions=_descriptions(category, rng),
        uoms=uom,
        pack_sizes=pack.astype(np.int64),
        order_multiples=multiple.astype(np.int64),
        unit_costs=cost,
        unit_prices=np.round(cost * rng.uniform(1.18, 1.9, skus), 2),
        criticality=rng.choice(np.array(CRITICALITY, dtype=object), skus, p=[0.15, 0.45, 0.40]),
        lifecycle=lifecycle,
        category=category.astype(np.int64),
        supplier_codes=np.array([f"SUP-{i:03d}" for i in range(1, suppliers + 1)], dtype=object),
        supplier_names=_names(SUPPLIER_WORDS, suppliers, rng),
        supplier_countries=country,
        supplier_lead_days=lead,
        supplier_reliability=reliability.astype(np.int64),
        supplier_transit_days=transit.astype(np.int64),
        **terms,
        customer_codes=np.array([f"CUST-{i:05d}" for i in range(1, customers + 1)], dtype=object),
        customer_names=_names(CUSTOMER_WORDS, customers, rng),
        customer_tiers=rng.choice(
            np.array(SERVICE_TIERS, dtype=object), customers, p=[0.15, 0.35, 0.50]
        ),
        customer_regions=rng.choice(regions, customers, p=region_p),
    )


def _supply_terms(
    skus: int,
    supplier_lead: IntArray,
    multiple: np.ndarray,
    cost: FloatArray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """A primary supplier for every SKU (big suppliers carry more) and some secondaries."""
    suppliers = len(supplier_lead)
    weight = 1.0 / np.arange(1, suppliers + 1) ** 0.8
    primary = rng.permutation(suppliers)[rng.choice(suppliers, skus, p=weight / weight.sum())]
    has_second = rng.random(skus) < 0.3
    second = (primary + rng.integers(1, suppliers, skus)) % suppliers
    sku = np.r_[np.arange(skus), np.flatnonzero(has_second)]
    supplier = np.r_[primary, second[has_second]]
    is_primary = np.r_[np.ones(skus, dtype=bool), np.zeros(int(has_second.sum()), dtype=bool)]
    n = len(sku)
    base = supplier_lead[supplier]
    varied = rng.random(n) < 0.25
    lead = np.where(varied, np.maximum(1, np.round(base * rng.uniform(0.8, 1.2, n))), base)
    term_multiple = multiple[sku]
    moq = term_multiple * rng.choice([1, 1, 2, 5, 10], n)
    price = cost[sku] * np.where(is_primary, rng.uniform(0.97, 1.03, n), rng.uniform(1.02, 1.1, n))
    order = np.lexsort((sku, supplier))
    return {
        "term_supplier": supplier[order].astype(np.int64),
        "term_sku": sku[order].astype(np.int64),
        "term_lead_days": lead[order].astype(np.int64),
        "term_moq": moq[order].astype(np.float64),
        "term_order_multiple": term_multiple[order].astype(np.int64),
        "term_price": np.round(price[order], 4),
        "term_is_primary": is_primary[order],
    }


def _descriptions(category: IntArray, rng: np.random.Generator) -> TextArray:
    adjective = rng.integers(0, len(ADJECTIVES), len(category))
    noun = rng.integers(0, 5, len(category))
    size = rng.choice([6, 8, 10, 12, 16, 20, 25, 32, 40, 50, 75, 100], len(category))
    return np.array(
        [
            f"{ADJECTIVES[a]} {CATEGORIES[c].nouns[n].lower()} {s}"
            for a, c, n, s in zip(adjective, category, noun, size, strict=True)
        ],
        dtype=object,
    )


def _names(words: tuple[tuple[str, ...], ...], count: int, rng: np.random.Generator) -> TextArray:
    first = rng.integers(0, len(words[0]), count)
    second = rng.integers(0, len(words[1]), count)
    return np.array(
        [f"{words[0][a]} {words[1][b]}" for a, b in zip(first, second, strict=True)], dtype=object
    )


def _shares() -> FloatArray:
    shares = np.array([c.share for c in CATEGORIES], dtype=np.float64)
    return np.asarray(shares / shares.sum(), dtype=np.float64)


def _split(total: int, shares: tuple[float, ...]) -> IntArray:
    """`total` labels 0..k-1 in proportion to `shares`, every label at least once."""
    counts = np.maximum(1, np.floor(np.array(shares) * total)).astype(np.int64)
    counts[0] += total - counts.sum()
    return np.repeat(np.arange(len(shares)), counts)
