"""Daily demand per item-location: classes, weekly and yearly rhythm, promotions, spikes.

Each item-location draws orders as a Poisson process whose rate moves with the
weekday, the season, a trend, the item's life (launch ramp, fade-out), national
promotions and weather spikes; a day with demand draws a quantity around the
item-location's mean. The rate and the spread of quantities set its
Syntetos-Boylan class (ADI cut 1.32, CV² cut 0.49): a distributor's long tail of
intermittent and lumpy items beside smooth and erratic fast movers.

Work is done in blocks of SKUs (all their warehouses at once) as dense
float32 matrices, so memory stays bounded whatever the network size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from crossdock.demo.catalogue import CATEGORIES, Catalogue
from crossdock.demo.frames import BoolArray, FloatArray, IntArray
from crossdock.demo.network import Network, Role

SMOOTH, ERRATIC, INTERMITTENT, LUMPY = range(4)
CLASS_SHARES_BY_ROLE = {  # smooth, erratic, intermittent, lumpy
    Role.NATIONAL_DC: (0.06, 0.05, 0.47, 0.42),
    Role.REGIONAL_DC: (0.06, 0.05, 0.47, 0.42),
    Role.BRANCH: (0.31, 0.18, 0.30, 0.21),
    Role.SLOW_BRANCH: (0.10, 0.08, 0.46, 0.36),
    Role.TIGHT_BRANCH: (0.33, 0.18, 0.29, 0.20),
}
SHARE_OF_SKU_CLASS = 0.55  # how often an item-location follows its SKU's class
WEEKDAY_FACTORS = np.array([1.12, 1.16, 1.14, 1.10, 1.00, 0.38, 0.10])  # Mon..Sun
SIZE_ELASTICITY = 0.6  # share of a rate change that shows in the size of a day's demand
RECENT_DAYS = 56  # the window "recent demand" (and so weeks of supply) is measured over
PROMOTED_SHARE = 0.3  # of SKUs; each runs national promotions (at every warehouse)
PROMOTIONS_PER_YEAR = 1.5  # per promoted SKU
PROMOTION_DAYS = (7, 15)  # a promotion runs 7 to 14 days
ROWS_PER_BLOCK = 8192


@dataclass(frozen=True, slots=True)
class WeatherSpike:
    """A few days when weather multiplied demand for a category in a region."""

    category: int
    region: str
    start_day: int
    end_day: int  # exclusive
    lift: float


@dataclass(frozen=True, slots=True)
class DailyDemand:
    """Sparse daily demand: one entry per item-location and day with demand.

    Item-location `il` is SKU `il // warehouses` at warehouse `il % warehouses`.
    """

    item_location: npt.NDArray[np.int32]
    day: npt.NDArray[np.int16] | npt.NDArray[np.int32]
    quantity: npt.NDArray[np.float32]
    unit_price: FloatArray
    on_promotion: BoolArray


@dataclass(frozen=True, slots=True)
class PromotionWindows:
    """National promotions: SKU `sku[i]` is on promotion at every warehouse from day
    `start[i]` up to, not including, day `end[i]`.

    Days count from the first day of history; a window may run on past its last day.
    Windows of one SKU may overlap: the SKU is on promotion on any day one covers.
    """

    sku: IntArray
    start: IntArray
    end: IntArray
    discount: FloatArray  # per SKU (not per window): the share off its list price


@dataclass(frozen=True, slots=True)
class DemandHistory:
    """What the rest of the network is sized from: demand per item-location, spikes and
    the promotions that ran."""

    recent_daily: FloatArray  # mean units a day over the last RECENT_DAYS days
    mean_daily: FloatArray  # mean units a day over the whole history
    mean_size: FloatArray  # mean units on a day with demand (0 when none)
    spikes: tuple[WeatherSpike, ...]
    promotions: PromotionWindows


@dataclass(frozen=True, slots=True)
class _SkuRhythm:
    """What moves every warehouse's demand for a SKU together."""

    weights: npt.NDArray[np.float32]  # (skus, 3) on the season cos and sin waves and the trend
    promotions: PromotionWindows
    promo_lift: FloatArray  # per SKU, log space
    start_day: IntArray  # demand before this day is zero (launch)
    stop_day: IntArray  # demand from this day on is zero (discontinued)
    fade_day: IntArray  # demand fades from this day on
    fade_days: FloatArray  # e-folding time of the fade


def simulate_demand(
    *,
    days: int,
    history_start: np.datetime64,
    network: Network,
    catalogue: Catalogue,
    seed: np.random.SeedSequence,
    on_block: Callable[[int], None],
) -> tuple[DailyDemand, DemandHistory]:
    """Simulate `days` days of demand for every item-location of the network.

    `on_block(n)` is called after each block with the item-locations it covered.
    """
    setup_seed, *block_seeds = seed.spawn(1 + _blocks(len(catalogue.skus), network.size))
    rng = np.random.default_rng(setup_seed)
    warehouses = network.size
    rhythm = _sku_rhythm(days, catalogue, rng)
    rate, size, sigma = _item_location_parameters(network, len(catalogue.skus), rng)
    spikes = _weather_spikes(days, history_start, network, catalogue, rng)
    day_of_week = (
        (history_start.astype("datetime64[D]").astype(np.int64) + 3) + np.arange(days)
    ) % 7
    weekly = (WEEKDAY_FACTORS / WEEKDAY_FACTORS.mean())[day_of_week].astype(np.float32)
    seasons = _season_waves(days, history_start)

    parts: list[tuple[np.ndarray, ...]] = []
    day_type = np.int16 if days <= np.iinfo(np.int16).max else np.int32
    skus_per_block = max(1, ROWS_PER_BLOCK // warehouses)
    recent_total = np.zeros(len(rate))
    units_total = np.zeros(len(rate))
    demand_days = np.zeros(len(rate))
    for block, first_sku in enumerate(range(0, len(catalogue.skus), skus_per_block)):
        skus = np.arange(first_sku, min(first_sku + skus_per_block, len(catalogue.skus)))
        rows = slice(first_sku * warehouses, (skus[-1] + 1) * warehouses)
        block_rng = np.random.default_rng(block_seeds[block])
        sku_factor, promo = _sku_factors(skus, days, rhythm, seasons)
        factor = np.repeat(sku_factor, warehouses, axis=0)
        factor *= weekly
        _apply_spikes(factor, skus, spikes, network, catalogue)
        factor *= rate[rows, None]
        has_demand = block_rng.standard_exponential(factor.shape, dtype=np.float32) < factor
        row, day = np.nonzero(has_demand)
        del has_demand
        level = (factor[row, day] / rate[rows][row]) ** SIZE_ELASTICITY
        spread = sigma[rows][row]
        noise = block_rng.standard_normal(len(row), dtype=np.float32) * spread - spread**2 / 2
        quantity = np.maximum(1.0, np.rint(size[rows][row] * level * np.exp(noise)))
        quantity = quantity.astype(np.float32)
        sku = skus[row // warehouses]
        on_promotion = promo[row // warehouses, day]
        price = catalogue.unit_prices[sku] * np.where(
            on_promotion, 1.0 - rhythm.promotions.discount[sku], 1.0
        )
        price *= 1.0 - 0.04 * block_rng.random(len(row))
        il = row + rows.start
        recent = day >= days - RECENT_DAYS
        recent_total += np.bincount(il[recent], quantity[recent], minlength=len(rate))
        units_total += np.bincount(il, quantity, minlength=len(rate))
        demand_days += np.bincount(il, minlength=len(rate))
        parts.append(
            (il.astype(np.int32), day.astype(day_type), quantity, np.round(price, 2), on_promotion)
        )
        on_block(len(skus) * warehouses)

    columns = [np.concatenate(column) for column in zip(*parts, strict=True)]
    del parts
    daily = DailyDemand(
        item_location=columns[0],
        day=columns[1],
        quantity=columns[2],
        unit_price=columns[3],
        on_promotion=columns[4],
    )
    return daily, DemandHistory(
        recent_daily=recent_total / min(days, RECENT_DAYS),
        mean_daily=units_total / days,
        mean_size=np.divide(
            units_total, demand_days, out=np.zeros(len(rate)), where=demand_days > 0
        ),
        spikes=spikes,
        promotions=rhythm.promotions,
    )


def block_count(skus: int, warehouses: int) -> int:
    """How many blocks (and so progress steps) the simulation takes."""
    return _blocks(skus, warehouses)


def _blocks(skus: int, warehouses: int) -> int:
    per_block = max(1, ROWS_PER_BLOCK // warehouses)
    return -(-skus // per_block)


def _season_waves(days: int, history_start: np.datetime64) -> npt.NDArray[np.float32]:
    dates = history_start.astype("datetime64[D]") + np.arange(days)
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.int64)
    angle = 2 * np.pi * day_of_year / 365.25
    trend_years = (np.arange(days) - days / 2) / 365.25
    return np.stack([np.cos(angle), np.sin(angle), trend_years]).astype(np.float32)


def _sku_factors(
    skus: IntArray, days: int, rhythm: _SkuRhythm, seasons: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.float32], BoolArray]:
    """Each SKU's multiplier on its demand rate per day, and its promotion days."""
    log_factor = rhythm.weights[skus] @ seasons
    first, last = skus[0], skus[-1]
    promotions = rhythm.promotions
    windows = (promotions.sku >= first) & (promotions.sku <= last)
    sku = promotions.sku[windows] - first
    edges = np.zeros((len(skus), days + 1), dtype=np.int16)
    np.add.at(edges, (sku, promotions.start[windows]), 1)
    np.add.at(edges, (sku, np.minimum(days, promotions.end[windows])), -1)
    promo = np.cumsum(edges[:, :days], axis=1) > 0
    log_factor += promo * rhythm.promo_lift[skus, None].astype(np.float32)
    changing = np.flatnonzero(
        (rhythm.start_day[skus] > 0)
        | (rhythm.fade_day[skus] < days)
        | (rhythm.stop_day[skus] < days)
    )
    if len(changing):
        sku = skus[changing]
        t = np.arange(days)[None, :]
        start, stop = rhythm.start_day[sku, None], rhythm.stop_day[sku, None]
        ramp = np.clip((t - start + 1) / 30.0, 1e-9, 1.0)
        fade = np.maximum(0, t - rhythm.fade_day[sku, None]) / rhythm.fade_days[sku, None]
        life = np.log(ramp) - fade
        life[(t < start) | (t >= stop)] = -np.inf
        log_factor[changing] += life.astype(np.float32)
    return np.exp(log_factor), promo


def _sku_rhythm(days: int, catalogue: Catalogue, rng: np.random.Generator) -> _SkuRhythm:
    skus = len(catalogue.skus)
    amplitude = np.array([c.amplitude for c in CATEGORIES])[catalogue.category]
    peak = np.array([c.peak_day_of_year or 0 for c in CATEGORIES], dtype=float)[catalogue.category]
    mildly_seasonal = (amplitude == 0) & (rng.random(skus) < 0.1)
    amplitude = np.where(mildly_seasonal, rng.uniform(0.2, 0.4, skus), amplitude)
    peak = np.where(mildly_seasonal, rng.uniform(0, 365, skus), peak)
    phase = 2 * np.pi * peak / 365.25
    weights = np.stack(
        [amplitude * np.cos(phase), amplitude * np.sin(phase), rng.normal(0.0, 0.12, skus)],
        axis=1,
    ).astype(np.float32)

    promoted = np.flatnonzero(rng.random(skus) < PROMOTED_SHARE)
    windows = np.maximum(1, rng.poisson(PROMOTIONS_PER_YEAR * days / 365.25, len(promoted)))
    promo_sku = np.repeat(promoted, windows)
    promo_start = rng.integers(0, max(1, days - 7), len(promo_sku))
    promo_end = promo_start + rng.integers(*PROMOTION_DAYS, len(promo_sku))  # may pass `days`

    lifecycle = catalogue.lifecycle
    start = np.zeros(skus, dtype=np.int64)
    stop = np.full(skus, days, dtype=np.int64)
    fade = np.full(skus, days, dtype=np.int64)
    new = lifecycle == "new"
    start[new] = rng.integers(int(0.6 * days), max(int(0.6 * days) + 1, days - 10), new.sum())
    fading = (lifecycle == "phase_out") | (lifecycle == "discontinued")
    fade[fading] = rng.integers(int(0.25 * days), int(0.6 * days) + 1, fading.sum())
    gone = lifecycle == "discontinued"
    stop[gone] = np.minimum(days - 7, fade[gone] + rng.integers(14, max(15, days // 4), gone.sum()))
    promo_lift = rng.uniform(0.4, 1.0, skus)
    discount = rng.uniform(0.08, 0.25, skus)
    return _SkuRhythm(
        weights=weights,
        promotions=PromotionWindows(
            sku=promo_sku.astype(np.int64),
            start=promo_start.astype(np.int64),
            end=promo_end.astype(np.int64),
            discount=discount,
        ),
        promo_lift=promo_lift,
        start_day=start,
        stop_day=stop,
        fade_day=fade,
        fade_days=rng.uniform(0.1, 0.3, skus) * days,
    )


def _item_location_parameters(
    network: Network, skus: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.float32], FloatArray, FloatArray]:
    """Orders a day, mean units on a day with demand, and spread, per item-location."""
    warehouses = network.size
    shares = np.array([CLASS_SHARES_BY_ROLE[r] for r in network.roles])
    sku_class = rng.choice(4, skus, p=CLASS_SHARES_BY_ROLE[Role.BRANCH])
    cumulative = np.cumsum(shares, axis=1)
    location = np.tile(np.arange(warehouses), skus)
    own_class = (rng.random(skus * warehouses)[:, None] > cumulative[location]).sum(axis=1)
    follows_sku = rng.random(skus * warehouses) < SHARE_OF_SKU_CLASS
    klass = np.where(follows_sku, np.repeat(sku_class, warehouses), np.minimum(own_class, 3))
    n = len(klass)
    frequent = klass <= ERRATIC
    spread = (klass == ERRATIC) | (klass == LUMPY)
    rate = np.where(frequent, _log_uniform(rng, 3.5, 25.0, n), _log_uniform(rng, 0.02, 0.5, n))
    scale = network.demand_scale[location]
    size = np.where(
        frequent,
        rate * _log_uniform(rng, 1.0, 6.0, n) * scale,
        np.where(spread, _log_uniform(rng, 2.0, 30.0, n), _log_uniform(rng, 1.0, 5.0, n))
        * np.sqrt(scale),
    )
    sigma = np.where(spread, rng.uniform(0.8, 1.25, n), rng.uniform(0.1, 0.35, n))
    return rate.astype(np.float32), size, sigma


def _weather_spikes(
    days: int,
    history_start: np.datetime64,
    network: Network,
    catalogue: Catalogue,
    rng: np.random.Generator,
) -> tuple[WeatherSpike, ...]:
    regions = sorted({network.regions[i] for i in network.branch_indices})
    weather = [i for i, c in enumerate(CATEGORIES) if c.weather_season is not None]
    count = min(12, 4 + len(catalogue.skus) * network.size // 25_000)
    dates = history_start.astype("datetime64[D]") + np.arange(days)
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.int64)
    spikes = []
    for category in rng.choice(weather, count):
        season = CATEGORIES[category].weather_season or 0
        exposed = [r for r in regions if r in CATEGORIES[category].weather_regions] or regions
        distance = np.abs((day_of_year - season + 182) % 365 - 182)
        candidates = np.flatnonzero(distance < 30)
        start = int(rng.choice(candidates) if len(candidates) else rng.integers(0, days))
        spikes.append(
            WeatherSpike(
                category=int(category),
                region=str(rng.choice(exposed)),
                start_day=start,
                end_day=min(days, start + int(rng.integers(2, 7))),
                lift=float(rng.uniform(2.5, 5.0)),
            )
        )
    return tuple(sorted(spikes, key=lambda s: s.start_day))


def _apply_spikes(
    factor: npt.NDArray[np.float32],
    skus: IntArray,
    spikes: tuple[WeatherSpike, ...],
    network: Network,
    catalogue: Catalogue,
) -> None:
    branch = np.array([r >= Role.BRANCH for r in network.roles])
    regions = np.array(network.regions, dtype=object)
    for spike in spikes:
        hit_location = branch & (regions == spike.region)
        hit = (catalogue.category[skus] == spike.category)[:, None] & hit_location[None, :]
        rows = np.flatnonzero(hit.ravel())
        if len(rows):
            factor[rows, spike.start_day : spike.end_day] *= np.float32(spike.lift)


def _log_uniform(rng: np.random.Generator, low: float, high: float, n: int) -> FloatArray:
    return np.exp(rng.uniform(np.log(low), np.log(high), n))
