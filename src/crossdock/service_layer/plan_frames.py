"""The frames a plan passes between engines, built from the store's canonical frames.

One row per item-location (`PlanFrames.rows`) collects what each engine adds: position,
lead time and horizon, forecast over the horizon, policy levels, projection risk. The
choices (who buys, which lead time, what a shortage costs) are documented in
docs/planning/plan-command.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crossdock.planning.forecasting import ForecastResult
from crossdock.planning.lead_times import LeadTimeModel, learn_lead_times, score_open_lines
from crossdock.planning.policy import size_network
from crossdock.service_layer.plan_drivers import DRIVER_COLUMNS
from crossdock.service_layer.plan_signals import SENSING_DAYS
from crossdock.service_layer.ports import PlanningData

if TYPE_CHECKING:
    from crossdock.service_layer.plan_settings import PlanSettings

OPEN_SALES_STATUSES = ("open", "released", "on_hold", "backordered", "partially_shipped")
SPORADIC = ("intermittent", "lumpy")
PARTS = ("holding", "shortage", "transport", "ordering", "purchase", "expedite")
_Z90 = 1.6448536269514722


def _floats(series: pd.Series, default: float = 0.0) -> np.ndarray:
    return np.asarray(pd.to_numeric(series, errors="coerce").astype("float64").fillna(default))


def _not_primary(flag: object) -> bool:
    return flag is not True and flag != 1


def _day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce", utc=False).dt.normalize()


@dataclass
class PlanFrames:
    """What the engines share: one row per item-location plus the supporting frames."""

    as_of: date
    rows: pd.DataFrame
    history: pd.DataFrame
    po_lines: pd.DataFrame
    sales_lines: pd.DataFrame
    supply_terms: pd.DataFrame
    lanes: pd.DataFrame
    settings: PlanSettings
    suppliers: dict[str, dict[str, Any]] = field(default_factory=dict)
    daily_forecast: pd.DataFrame = field(default_factory=pd.DataFrame)
    lead_time_model: LeadTimeModel | None = None
    recent_demand: pd.DataFrame = field(default_factory=pd.DataFrame)
    promotions: pd.DataFrame = field(default_factory=pd.DataFrame)
    categories: pd.DataFrame = field(default_factory=pd.DataFrame)

    def counts(self) -> dict[str, int]:
        return {
            "item_locations": len(self.rows),
            "demand_rows": len(self.history),
            "open_po_lines": len(self.po_lines),
            "open_sales_lines": len(self.sales_lines),
            "lanes": len(self.lanes),
            "supply_terms": len(self.supply_terms),
            "promotions_ahead": len(self.promotions),
            "recent_daily_demand_rows": len(self.recent_demand),
        }

    # -- lead times ---------------------------------------------------------------

    def add_lead_times(self, *, as_of: date) -> None:
        """Learn lead times per supplier, score open PO lines, set each row's horizon."""
        lines = self.po_lines_history
        received = lines["received_date"].notna().any() if len(lines) else False
        model = learn_lead_times(lines, as_of=as_of.isoformat()) if received else None
        self.lead_time_model = model
        terms = self.supply_terms
        for supplier in sorted(set(terms["supplier_code"].astype(str))):
            quoted = terms.loc[terms["supplier_code"] == supplier, "lead_time_days"]
            info: dict[str, Any] = {
                "mean": float(_floats(quoted).mean()),
                "std": 0.0,
                "n": 0,
                "level": "quoted",
                "key": supplier,
                "distribution": None,
            }
            if model is not None:
                estimate = model.lookup({"supplier_code": supplier})
                dist = estimate.distributions["lead_time"]
                if not dist.is_empty:
                    evidence = estimate.evidence["lead_time"]
                    info.update(
                        mean=dist.mean(),
                        std=dist.std(),
                        n=evidence.n,
                        level=evidence.level,
                        key=evidence.key,
                        distribution=dist,
                    )
            self.suppliers[supplier] = info
        self._score_open_lines(model, as_of=as_of)
        self._row_lead_times()

    @property
    def po_lines_history(self) -> pd.DataFrame:
        return self._all_po_lines

    def _score_open_lines(self, model: LeadTimeModel | None, *, as_of: date) -> None:
        lines = self.po_lines
        lines["p_late"] = np.nan
        lines["evidence_n"] = 0
        lines["expected_receipt_date"] = lines["promised_date"]
        if model is not None and len(lines):
            scores = score_open_lines(model, lines, as_of=as_of.isoformat())
            lines.loc[scores.index, "p_late"] = scores["p_late"]
            lines.loc[scores.index, "evidence_n"] = scores["evidence_n"]
            found = scores["expected_receipt_date"].notna()
            lines.loc[scores.index[found], "expected_receipt_date"] = scores.loc[
                found, "expected_receipt_date"
            ]

    def _row_lead_times(self) -> None:
        rows, settings = self.rows, self.settings
        primary = (
            self.supply_terms.assign(_rank=self.supply_terms["is_primary"].map(_not_primary))
            .sort_values(["sku", "_rank", "lead_time_days"], kind="stable")
            .drop_duplicates("sku")
            .set_index("sku")["supplier_code"]
        )
        supplier = rows["sku"].map(primary)
        info = [self.suppliers.get(str(s)) if pd.notna(s) else None for s in supplier]
        mean = np.array([i["mean"] if i else np.nan for i in info], dtype=np.float64)
        std = np.array([i["std"] if i else 0.0 for i in info], dtype=np.float64)
        n = np.array([i["n"] if i else 0 for i in info], dtype=np.float64)
        lanes = self.lanes.set_index(["from_location_code", "to_location_code"])["transit_days"]
        parent = rows["parent_location_code"]
        lane_days = np.array(
            [
                float(lanes.get((p, loc), np.nan)) if isinstance(p, str) else np.nan
                for p, loc in zip(parent, rows["location_code"], strict=True)
            ]
        )
        from_parent = ~np.isnan(lane_days)
        rows["supplier_code"] = supplier
        rows["parent_code"] = parent.where(from_parent)
        rows["replenished_from"] = np.where(from_parent, parent, supplier)
        rows["lead_time_mean"] = np.where(from_parent, lane_days, np.nan_to_num(mean, nan=14.0))
        rows["lead_time_std"] = np.where(from_parent, 0.0, std)
        rows["lead_time_n"] = np.where(from_parent, np.inf, n)
        protection = np.ceil(rows["lead_time_mean"] + settings.review_period_days)
        rows["horizon_days"] = np.clip(
            np.maximum(protection, settings.horizon_days),
            settings.horizon_days,
            settings.max_horizon_days,
        ).astype(np.int64)

    # -- demand and policy ----------------------------------------------------------

    def add_demand_and_policy(self, forecast: ForecastResult, *, settings: PlanSettings) -> None:
        """Horizon demand from the forecast, daily forecast rows, fill-rate policy levels."""
        rows = self.rows
        step = 7 if settings.forecast_freq == "W" else 1
        fc = forecast.forecasts.sort_values(["unique_id", "ds"], kind="stable")
        periods = int(fc.groupby("unique_id").size().max()) if len(fc) else 1
        index = pd.Index(rows["unique_id"])
        mean = np.zeros((len(rows), periods))
        var = np.zeros((len(rows), periods))
        if len(fc):
            where = index.get_indexer(fc["unique_id"])
            period = fc.groupby("unique_id").cumcount().to_numpy()
            ok = where >= 0
            spread = np.maximum(_floats(fc["hi-90"]) - _floats(fc["mean"]), 0.0) / _Z90
            mean[where[ok], period[ok]] = _floats(fc["mean"])[ok]
            var[where[ok], period[ok]] = spread[ok] ** 2
        horizon = rows["horizon_days"].to_numpy(np.float64)
        weights = np.clip(horizon[:, None] / step - np.arange(periods)[None, :], 0.0, 1.0)
        rows["demand_mean"] = (mean * weights).sum(axis=1)
        rows["demand_std"] = np.sqrt((var * weights).sum(axis=1))
        days = periods * step
        self.daily_forecast = pd.DataFrame(
            {
                "sku": np.repeat(rows["sku"].to_numpy(), days),
                "location_code": np.repeat(rows["location_code"].to_numpy(), days),
                "ds": np.tile(
                    pd.date_range(pd.Timestamp(self.as_of), periods=days + 1)[1:], len(rows)
                ),
                "mean": np.repeat(mean / step, step, axis=1).ravel(),
                "std": np.sqrt(np.repeat(var / step, step, axis=1)).ravel(),
            }
        )
        selection = forecast.selection.set_index("unique_id")
        classes = forecast.classification.set_index("unique_id")
        rows["demand_class"] = rows["unique_id"].map(selection["demand_class"]).fillna("no_demand")
        rows["model"] = rows["unique_id"].map(selection["model"]).fillna("zero")
        rows["backtest_wape"] = rows["unique_id"].map(selection["wape"]).astype("float64")
        rows["backtest_bias"] = rows["unique_id"].map(selection["bias"]).astype("float64")
        rows["last_demand_date"] = rows["unique_id"].map(classes["last_demand"])
        wape = rows["backtest_wape"].to_numpy(np.float64)
        rows["forecast_confidence"] = np.where(
            np.isfinite(wape), np.clip(1.0 - wape, 0.05, 1.0), 0.5
        )
        per_day_mean = rows["demand_mean"].to_numpy(np.float64) / horizon
        per_day_std = rows["demand_std"].to_numpy(np.float64) / np.sqrt(horizon)
        targets = settings.fill_rate_table()
        rows["fill_rate_target"] = targets.lookup(
            rows["criticality"].to_numpy(object), rows["tier"].to_numpy(object)
        )
        levels = size_network(
            demand_mean=per_day_mean,
            demand_std=per_day_std,
            lead_time_mean=rows["lead_time_mean"].to_numpy(np.float64),
            lead_time_std=rows["lead_time_std"].to_numpy(np.float64),
            review_period=float(settings.review_period_days),
            fill_rate=rows["fill_rate_target"].to_numpy(np.float64),
            intermittent=rows["demand_class"].isin(SPORADIC).to_numpy(),
            parent=self.parent_rows(),
        )
        rows["demand_family"] = np.where(levels.is_gamma, "gamma", "normal")
        rows["safety_stock"] = levels.safety_stock
        rows["reorder_point"] = levels.reorder_point
        rows["own_reorder_point"] = levels.own_reorder_point
        rows["dc_wait_days"] = levels.dc_wait
        rows["keep_quantity"] = self.keep_quantity()

    def keep_quantity(self) -> np.ndarray:
        """What each warehouse keeps before it gives stock to another: its reorder point;
        a DC keeps only what its own customers need (its branches are what it is for)."""
        parent = self.parent_rows()
        is_parent = np.zeros(len(self.rows), dtype=np.bool_)
        is_parent[parent[parent >= 0]] = True
        return np.where(
            is_parent,
            self.rows["own_reorder_point"].to_numpy(np.float64),
            self.rows["reorder_point"].to_numpy(np.float64),
        )

    def parent_rows(self) -> np.ndarray:
        """Per row, the row of the warehouse replenishing the same item, or -1."""
        keys = pd.MultiIndex.from_frame(self.rows[["sku", "location_code"]])
        parent = self.rows["parent_code"]
        wanted = pd.MultiIndex.from_arrays(
            [self.rows["sku"], parent.where(parent.notna(), "").astype(str)]
        )
        found = np.asarray(keys.get_indexer(wanted), dtype=np.int64)
        return np.where(parent.notna().to_numpy(), found, -1)

    # -- projection -----------------------------------------------------------------

    def projection_positions(self) -> pd.DataFrame:
        columns = ["sku", "location_code", "on_hand", "allocated", "on_hold", "in_transit"]
        return self.rows[[*columns, "on_order", "backordered"]]

    def projection_receipts(self) -> pd.DataFrame | None:
        lines = self.po_lines
        receipts = pd.DataFrame(
            {
                "sku": lines["sku"],
                "location_code": lines["location_code"],
                "expected_date": _day(lines["expected_receipt_date"]),
                "quantity": lines["open_quantity"],
            }
        ).dropna(subset=["expected_date"])
        return receipts if len(receipts) else None

    def served_daily_demand(self) -> np.ndarray:
        """Per row that replenishes others: its own demand per day plus theirs; NaN
        elsewhere."""
        rows = self.rows
        daily = rows["demand_mean"].to_numpy(np.float64) / rows["horizon_days"].to_numpy(np.float64)
        parent = self.parent_rows()
        child = parent >= 0
        served = daily + np.bincount(parent[child], daily[child], minlength=len(rows))
        is_parent = np.bincount(parent[child], minlength=len(rows)) > 0
        return np.where(is_parent, served, np.nan)

    def projection_policy(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "sku": self.rows["sku"],
                "location_code": self.rows["location_code"],
                "lead_time_days": self.rows["lead_time_mean"],
                "lead_time_std_days": self.rows["lead_time_std"],
                "order_up_to": self.rows["reorder_point"],
                "demand_class": self.rows["demand_class"],
                "last_demand_date": self.rows["last_demand_date"],
                "served_daily_demand": self.served_daily_demand(),
            }
        )

    def add_projection(self, summary: pd.DataFrame) -> None:
        self.rows["stockout_probability"] = summary["stockout_probability"].to_numpy()
        self.rows["days_of_supply"] = summary["days_of_supply"].to_numpy()
        self.rows["first_stockout_date"] = summary["first_stockout_date"].to_numpy()
        self.rows["excess_units"] = summary["excess_units"].to_numpy()
        self.rows["obsolete"] = summary["obsolete"].to_numpy()

    # set by build_frames
    _all_po_lines: pd.DataFrame = field(default_factory=pd.DataFrame)


def build_frames(data: PlanningData, *, as_of: date, settings: PlanSettings) -> PlanFrames:
    """Cut everything at `as_of` (again: the use case does not trust the store for it) and
    lay out one row per item-location of the newest inventory snapshot."""
    cutoff = pd.Timestamp(as_of)
    end_of_day = pd.Timestamp(as_of, tz="UTC") + pd.Timedelta(days=1)
    history = data.demand_history
    history = history[_day(history["demand_date"]) <= cutoff]
    positions = data.inventory_positions
    if len(positions):
        taken = pd.to_datetime(positions["snapshot_at"], utc=True)
        positions = positions[taken < end_of_day].assign(_taken=taken[taken < end_of_day])
        positions = positions.sort_values("_taken", kind="stable").drop_duplicates(
            ["sku", "location_code"], keep="last"
        )
    if positions.empty:
        raise ValueError(
            f"no inventory positions on or before {as_of.isoformat()}: nothing to plan"
        )
    items = data.items.set_index("sku")
    locations = data.locations.set_index("location_code")
    rows = pd.DataFrame(
        {
            "sku": positions["sku"].astype(str).to_numpy(),
            "location_code": positions["location_code"].astype(str).to_numpy(),
        }
    )
    for column in ("on_hand", "allocated", "on_hold", "in_transit", "on_order"):
        rows[column] = _floats(positions[column])
    rows = rows.sort_values(["sku", "location_code"], kind="stable").reset_index(drop=True)
    rows["unique_id"] = rows["sku"] + "@" + rows["location_code"]
    rows["unit_cost"] = _floats(rows["sku"].map(items["unit_cost"]))
    price = _floats(rows["sku"].map(items["unit_price"]), default=np.nan)
    rows["unit_price"] = np.where(
        np.isnan(price), rows["unit_cost"] * (1 + settings.default_margin_rate), price
    )
    rows["criticality"] = rows["sku"].map(items["criticality"])
    rows["order_multiple"] = _floats(rows["sku"].map(items["order_multiple"]), default=1.0)
    rows["parent_location_code"] = rows["location_code"].map(locations["parent_location_code"])
    rows["location_type"] = rows["location_code"].map(locations["location_type"])

    sales = _sales_lines(data, cutoff=cutoff)
    rows["tier"] = rows["location_code"].map(_location_tiers(sales, data.customers))
    open_sales = sales[sales["status"].isin(OPEN_SALES_STATUSES)]
    backordered = open_sales.groupby(["sku", "location_code"])["backordered_quantity"].sum()
    keys = pd.MultiIndex.from_frame(rows[["sku", "location_code"]])
    rows["backordered"] = _floats(pd.Series(backordered.reindex(keys).to_numpy()))
    rows["available"] = np.maximum(rows["on_hand"] - rows["allocated"] - rows["on_hold"], 0.0)

    all_lines, open_lines = _po_lines(data, cutoff=cutoff)
    open_at = open_lines.groupby(["sku", "location_code"])["open_quantity"].sum()
    rows["open_po_quantity"] = _floats(pd.Series(open_at.reindex(keys).to_numpy()))
    rows["can_buy"] = _can_buy(rows, all_lines)
    tier_factor = rows["tier"].map(settings.tier_penalty).fillna(settings.tier_penalty["silver"])
    crit_factor = rows["criticality"].map(settings.criticality_penalty).fillna(1.0)
    margin = rows["unit_price"] - rows["unit_cost"]
    margin = margin.where(margin > 0, rows["unit_cost"] * settings.default_margin_rate)
    rows["shortage_penalty"] = margin * tier_factor * crit_factor
    frames = PlanFrames(
        as_of=as_of,
        rows=rows,
        history=pd.DataFrame(
            {
                "unique_id": _series_ids(history["sku"], history["location_code"]),
                "ds": _day(history["demand_date"]),
                "y": _floats(history["quantity"]),
                **{
                    column: _floats(history[column], default=np.nan)
                    for column in DRIVER_COLUMNS
                    if settings.forecast_drivers and column in history.columns
                },
            }
        ),
        po_lines=open_lines.reset_index(drop=True),
        sales_lines=open_sales,
        supply_terms=data.supply_terms,
        lanes=data.lanes,
        settings=settings,
        recent_demand=_recent(data.recent_demand, cutoff=cutoff),
        promotions=_promotions_ahead(data.promotions, cutoff=cutoff),
        categories=data.items[["sku", "category"]] if "category" in data.items else pd.DataFrame(),
    )
    frames._all_po_lines = all_lines
    return frames


def _recent(demand: pd.DataFrame, *, cutoff: pd.Timestamp) -> pd.DataFrame:
    """The daily demand of the sensing window ending on `cutoff`."""
    if demand.empty:
        return demand
    day = _day(demand["demand_date"])
    first = cutoff - pd.Timedelta(days=SENSING_DAYS - 1)
    return demand[((day >= first) & (day <= cutoff)).to_numpy()].reset_index(drop=True)


def _promotions_ahead(promotions: pd.DataFrame, *, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Promotions that end after `cutoff` and are not cancelled."""
    if promotions.empty:
        return promotions
    status = promotions["status"] if "status" in promotions else pd.Series(index=promotions.index)
    ahead = (_day(promotions["end_date"]) > cutoff) & (status.astype(str) != "cancelled")
    return promotions[ahead.to_numpy()].reset_index(drop=True)


def _can_buy(rows: pd.DataFrame, po_lines: pd.DataFrame) -> np.ndarray:
    """Who may be offered a purchase: DCs and warehouses without a parent buy every item
    they stock; a warehouse replenished by a DC buys only items it has bought before
    (e.g. goods a supplier ships straight to the branch)."""
    bought = pd.MultiIndex.from_frame(
        po_lines[["sku", "location_code"]].astype(str).drop_duplicates()
    )
    keys = pd.MultiIndex.from_frame(rows[["sku", "location_code"]].astype(str))
    independent = (rows["location_type"] == "dc") | rows["parent_location_code"].isna()
    return np.asarray(independent.to_numpy() | keys.isin(bought), dtype=np.bool_)


def _series_ids(sku: pd.Series, location_code: pd.Series) -> np.ndarray:
    """`sku@location_code` per row; rows of one item-location share one string (a plan
    reads millions of demand rows but needs one string per item-location)."""
    sku_at, skus = pd.factorize(sku, use_na_sentinel=False)
    location_at, locations = pd.factorize(location_code, use_na_sentinel=False)
    width = len(locations)
    pair_at, pairs = pd.factorize(sku_at.astype(np.int64) * width + location_at)
    names = [f"{skus[int(pair) // width]}@{locations[int(pair) % width]}" for pair in pairs]
    return np.array(names, dtype=object)[pair_at]


def _sales_lines(data: PlanningData, *, cutoff: pd.Timestamp) -> pd.DataFrame:
    sales = data.sales_order_lines
    sales = sales[_day(sales["order_date"]) <= cutoff].copy()
    sales["ordered_quantity"] = _floats(sales["ordered_quantity"])
    sales["backordered_quantity"] = _floats(sales["backordered_quantity"])
    return sales


def _location_tiers(sales: pd.DataFrame, customers: pd.DataFrame) -> pd.Series:
    """Per location, the service tier buying the most units there (ties: the better tier)."""
    tier = sales["customer_code"].map(customers.set_index("customer_code")["service_tier"])
    volume = sales.assign(tier=tier).dropna(subset=["tier"])
    if volume.empty:
        return pd.Series(dtype=object)
    totals = volume.groupby(["location_code", "tier"])["ordered_quantity"].sum().reset_index()
    rank = totals["tier"].map({"gold": 0, "silver": 1, "bronze": 2})
    totals = totals.assign(_rank=rank).sort_values(
        ["location_code", "ordered_quantity", "_rank"], ascending=[True, False, True]
    )
    return totals.drop_duplicates("location_code").set_index("location_code")["tier"]


def _po_lines(data: PlanningData, *, cutoff: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All PO lines ordered by `cutoff` with later events blanked, and the open ones."""
    lines = data.purchase_order_lines.copy()
    for column in ("order_date", "promised_date", "acknowledged_date", "shipped_date"):
        lines[column] = _day(lines[column])
    lines = lines[lines["order_date"] <= cutoff].copy()
    for column in ("acknowledged_date", "shipped_date"):
        lines.loc[lines[column] > cutoff, column] = pd.NaT
    received = _day(lines["received_date"])
    later = received > cutoff
    lines["received_date"] = received.where(~later)
    received_quantity = _floats(lines["received_quantity"])
    lines["received_quantity"] = np.where(later.to_numpy(), 0.0, received_quantity)
    lines["open_quantity"] = np.maximum(
        _floats(lines["ordered_quantity"]) - lines["received_quantity"], 0.0
    )
    done = (lines["status"] == "received") & lines["received_date"].notna()
    open_lines = lines[(lines["open_quantity"] > 0) & ~done].copy()
    return lines, open_lines


def build_decision_inputs(frames: PlanFrames, *, settings: PlanSettings) -> dict[str, pd.DataFrame]:
    """positions, purchase_orders, lanes and supply_options for `decide`."""
    rows = frames.rows
    positions = pd.DataFrame(
        {
            "sku": rows["sku"],
            "location_code": rows["location_code"],
            "available": rows["available"],
            "in_transit": np.maximum(
                rows["in_transit"] + rows["on_order"] - rows["open_po_quantity"], 0.0
            ),
            "demand_mean": rows["demand_mean"],
            "demand_std": rows["demand_std"],
            "committed_demand": rows["backordered"],
            "demand_family": rows["demand_family"],
            "unit_cost": rows["unit_cost"],
            "holding_rate": settings.holding_rate,
            "shortage_penalty": rows["shortage_penalty"],
            "reorder_point": rows["keep_quantity"],
            "horizon_days": rows["horizon_days"],
            "holding_days": float(settings.review_period_days),
            "parent_code": rows["parent_code"],
            "obsolete": rows["obsolete"],
        }
    )
    lines = frames.po_lines
    as_of = pd.Timestamp(frames.as_of)
    due = _day(lines["promised_date"]).fillna(_day(lines["expected_receipt_date"]))
    line_price = _floats(lines["unit_price"], default=np.nan)
    cost = _floats(lines["sku"].map(rows.drop_duplicates("sku").set_index("sku")["unit_cost"]))
    purchase_orders = pd.DataFrame(
        {
            "po_number": lines["po_number"].astype(str),
            "line_number": lines["line_number"],
            "sku": lines["sku"].astype(str),
            "location_code": lines["location_code"].astype(str),
            "quantity": lines["open_quantity"],
            "unit_price": np.where(np.isnan(line_price), cost, line_price),
            "reschedulable": lines["shipped_date"].isna().to_numpy()
            & (_floats(lines["received_quantity"]) == 0.0),
            "due_in_days": np.maximum((due - as_of).dt.days.fillna(0).to_numpy(np.float64), 0.0),
            "p_late": _floats(lines["p_late"]),
            "expedite_premium": settings.expedite_premium_rate
            * np.where(np.isnan(line_price), cost, line_price),
            "expedite_days": float(settings.expedite_po_days),
        }
    )
    lanes = pd.DataFrame(
        {
            "from_code": frames.lanes["from_location_code"].astype(str),
            "to_code": frames.lanes["to_location_code"].astype(str),
            "cost_per_unit": _floats(frames.lanes["cost_per_unit"], settings.default_lane_cost),
            "transit_days": _floats(frames.lanes["transit_days"]),
            "capacity": _floats(frames.lanes["capacity_units_per_day"], np.nan)
            * settings.review_period_days,
        }
    )
    return {
        "positions": positions,
        "purchase_orders": purchase_orders,
        "lanes": lanes,
        "supply_options": _supply_options(frames, settings=settings),
    }


def _supply_options(frames: PlanFrames, *, settings: PlanSettings) -> pd.DataFrame:
    rows = frames.rows[frames.rows["can_buy"]]
    terms = frames.supply_terms.astype({"sku": str, "supplier_code": str})
    options = rows[["sku", "location_code", "horizon_days", "unit_cost", "order_multiple"]].merge(
        terms, on="sku"
    )
    lead = np.array(
        [math.ceil(frames.suppliers[s]["mean"]) for s in options["supplier_code"]], dtype=float
    )
    lead = np.where(np.isnan(lead), _floats(options["lead_time_days"]), lead)
    p_late = np.zeros(len(options))
    for supplier, at in options.groupby("supplier_code").indices.items():
        dist = frames.suppliers[str(supplier)]["distribution"]
        if dist is not None:
            p_late[at] = dist.survival(options["horizon_days"].to_numpy(np.float64)[at])
    price = _floats(options["unit_price"], default=np.nan)
    price = np.where(np.isnan(price), options["unit_cost"], price)
    multiple = _floats(options["order_multiple_y"], default=np.nan)
    multiple = np.where(np.isnan(multiple), options["order_multiple_x"], multiple)
    return pd.DataFrame(
        {
            "sku": options["sku"],
            "location_code": options["location_code"],
            "supplier_code": options["supplier_code"],
            "unit_price": price,
            "lead_time_days": lead,
            "moq": _floats(options["moq"]),
            "order_multiple": np.maximum(multiple, 1).astype(np.int64),
            "p_late": p_late,
            "ordering_cost": settings.ordering_cost,
            "expedite_premium": settings.expedite_premium_rate * price,
            "expedite_lead_time_days": np.maximum(
                np.ceil(lead * settings.expedite_lead_time_share), 1.0
            ),
        }
    )
