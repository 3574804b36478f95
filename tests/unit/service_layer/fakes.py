"""An in-memory CanonicalStore for service-layer tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from crossdock.domain.canonical import ENTITIES, Entity
from crossdock.domain.reason_codes import ReasonCode, ReasonCodeMapping
from crossdock.service_layer.ports import (
    EntityStatus,
    PlanningData,
    PlanRunRecord,
    QuarantineLine,
    RowsWritten,
    StoreStatus,
)


class FakeStore:
    def __init__(self, *, fail_on: str | None = None) -> None:
        self.tables: dict[str, pd.DataFrame] = {}
        self.quarantined: list[dict[str, Any]] = []
        self.runs: dict[int, dict[str, Any]] = {}
        self.landed_order: list[str] = []
        self.fail_on = fail_on
        self.plan_runs: list[PlanRunRecord] = []
        self.recommendations: list[pd.DataFrame] = []
        self.signals: list[pd.DataFrame] = []

    def start_run(self, *, kind: str, source: str, started_at: datetime) -> int:
        run_id = len(self.runs) + 1
        self.runs[run_id] = {"kind": kind, "source": source, "status": "running"}
        return run_id

    def finish_run(
        self, run_id: int, *, status: str, finished_at: datetime, report: Mapping[str, Any]
    ) -> None:
        self.runs[run_id].update(status=status, report=dict(report))

    def existing_values(self, entity: str, field: str) -> set[str]:
        table = self.tables.get(entity)
        return set() if table is None else set(table[field].dropna().astype(str))

    def item_uoms(self) -> dict[str, str]:
        items = self.tables.get("items")
        return {} if items is None else dict(zip(items["sku"], items["uom"], strict=True))

    def reason_code_mappings(self) -> list[ReasonCodeMapping]:
        table = self.tables.get("reason_code_mappings")
        if table is None:
            return []
        return [
            ReasonCodeMapping(scope, site, ReasonCode(code))
            for scope, site, code in zip(
                table["scope"], table["site_code"], table["reason_code"], strict=True
            )
        ]

    def land(
        self,
        entity: Entity,
        accepted: pd.DataFrame,
        issues: pd.DataFrame,
        *,
        source: str,
        run_id: int,
        at: datetime,
        progress: RowsWritten | None = None,
    ) -> None:
        if entity.name == self.fail_on:
            raise OSError(f"disk full while writing {entity.name}")
        previous = self.tables.get(entity.name)
        combined = accepted if previous is None else pd.concat([previous, accepted])
        self.tables[entity.name] = combined.drop_duplicates(list(entity.natural_key), keep="last")
        self.landed_order.append(entity.name)
        if not issues.empty:
            self.quarantined.extend(issues[issues["severity"] == "error"].to_dict("records"))

    def status(self) -> StoreStatus:
        return StoreStatus(
            database="fake",
            schema_revision="fake",
            entities={
                spec.name: EntityStatus(rows=len(self.tables.get(spec.name, ())), latest=None)
                for spec in ENTITIES
            },
            open_quality_issues={},
        )

    def open_quarantine(
        self, *, entity: str | None = None, check: str | None = None, limit: int = 100
    ) -> list[QuarantineLine]:
        return []

    def delete_canonical_records(self) -> None:
        self.tables.clear()

    # -- planning: hands over everything, undated; the use case must cut at as_of itself

    def planning_data(
        self,
        *,
        as_of: date,
        bucket_days: int = 1,
        with_drivers: bool = False,
        recent_days: int = 0,
    ) -> PlanningData:
        def table(name: str) -> pd.DataFrame:
            return self.tables.get(name, pd.DataFrame()).reset_index(drop=True)

        orders = table("purchase_orders")[
            ["po_number", "supplier_code", "location_code", "order_date", "status"]
        ]
        sales_columns = ["order_number", "customer_code", "location_code", "order_date"]
        sales = table("sales_orders")[[*sales_columns, "requested_date", "status"]]
        return PlanningData(
            items=table("items"),
            locations=table("locations"),
            lanes=table("lanes"),
            suppliers=table("suppliers"),
            customers=table("customers"),
            supply_terms=table("supply_terms"),
            demand_history=table("demand_history"),
            inventory_positions=table("inventory_positions"),
            purchase_order_lines=table("purchase_order_lines").merge(orders, on="po_number"),
            sales_order_lines=table("sales_order_lines").merge(sales, on="order_number"),
            import_run_id=max(self.runs, default=None),
            recent_demand=table("demand_history") if recent_days > 0 else pd.DataFrame(),
            promotions=table("promotions"),
        )

    def save_plan(
        self, run: PlanRunRecord, recommendations: pd.DataFrame, signals: pd.DataFrame
    ) -> int:
        self.plan_runs.append(run)
        self.recommendations.append(recommendations.copy())
        self.signals.append(signals.copy())
        return len(self.plan_runs)
