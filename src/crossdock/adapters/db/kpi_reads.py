"""The KPI dashboard's reads in SQL, summed by the database: order lines by requested
date, stock as of a day, demand by day, expedite spend, decision times from the ledger
and the plan runs' forecast backtests. The same statements on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Float, and_, case, cast, distinct, func, select
from sqlalchemy.dialects.postgresql import JSONB

from crossdock.adapters.db.agent_reads.days import day
from crossdock.adapters.db.tables import audit_ledger, canonical_tables, plan_runs, recommendations
from crossdock.service_layer.kpi_ports import (
    AgentProposals,
    DayDemand,
    DayFill,
    DecisionTiming,
    ExpediteSpend,
    ForecastBacktest,
    StockOn,
)

_orders = canonical_tables["sales_orders"]
_lines = canonical_tables["sales_order_lines"]
_positions = canonical_tables["inventory_positions"]
_demand = canonical_tables["demand_history"]
_items = canonical_tables["items"]
_EXECUTED = ("executing", "committed")
_DECIDED = ("auto_approved", "approved", "modified", "rejected")


class SqlKpiReads:
    """`KpiReads` over SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def order_fill(self, *, start: date, end: date) -> list[DayFill]:
        shipped = func.coalesce(_lines.c.shipped_quantity, 0.0)
        query = (
            select(
                _orders.c.requested_date,
                func.count(),
                func.sum(case((shipped >= _lines.c.ordered_quantity, 1), else_=0)),
                func.sum(_lines.c.ordered_quantity),
                func.sum(shipped),
            )
            .join(_orders, _orders.c.order_number == _lines.c.order_number)
            .where(
                _orders.c.requested_date >= start,
                _orders.c.requested_date <= end,
                _orders.c.status != "cancelled",
            )
            .group_by(_orders.c.requested_date)
            .order_by(_orders.c.requested_date)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            DayFill(
                day=_day(requested),
                lines=int(lines),
                lines_filled=int(filled or 0),
                ordered=float(ordered or 0),
                shipped=float(sent or 0),
            )
            for requested, lines, filled, ordered, sent in rows
        ]

    def stock_on(self, days: Sequence[date]) -> list[StockOn]:
        out = []
        with self.engine.connect() as connection:
            for when in days:
                row = connection.execute(_stock_as_of(when)).one()
                if not row.item_locations:
                    continue
                out.append(
                    StockOn(
                        day=when,
                        item_locations=int(row.item_locations),
                        at_zero=int(row.at_zero or 0),
                        units=float(row.units or 0),
                        value_at_cost=_money(row.value_at_cost),
                        uncosted=int(row.uncosted or 0),
                    )
                )
        return out

    def demand_by_day(self, *, start: date, end: date) -> list[DayDemand]:
        query = (
            select(
                _demand.c.demand_date,
                func.sum(_demand.c.quantity),
                func.sum(_demand.c.quantity * _items.c.unit_cost),
            )
            .outerjoin(_items, _items.c.sku == _demand.c.sku)
            .where(_demand.c.demand_date >= start, _demand.c.demand_date <= end)
            .group_by(_demand.c.demand_date)
            .order_by(_demand.c.demand_date)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            DayDemand(day=_day(when), units=float(units or 0), value_at_cost=_money(value))
            for when, units, value in rows
        ]

    def expedite_spend(self, *, start: datetime, end: datetime) -> list[ExpediteSpend]:
        c = recommendations.c
        query = (
            select(c.status_changed_at, c.expedite_cost)
            .where(
                c.status.in_(_EXECUTED),
                c.status_changed_at >= start,
                c.status_changed_at < end,
                c.expedite_cost != 0,
            )
            .order_by(c.status_changed_at)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [ExpediteSpend(at=_aware(at), expedite_cost=_money(cost)) for at, cost in rows]

    def decision_timings(self, *, start: datetime, end: datetime) -> list[DecisionTiming]:
        ledger = audit_ledger.c
        steps = (
            select(
                ledger.recommendation_id.label("id"),
                func.min(case((ledger.event == "created", ledger.at))).label("created_at"),
                func.min(case((ledger.event == "request_approval", ledger.at))).label(
                    "requested_at"
                ),
                func.min(case((ledger.to_status.in_(_DECIDED), ledger.at))).label("decided_at"),
            )
            .where(ledger.recommendation_id.is_not(None))
            .group_by(ledger.recommendation_id)
            .subquery()
        )
        query = (
            select(steps, recommendations.c.kind)
            .join(recommendations, recommendations.c.id == steps.c.id)
            .where(steps.c.decided_at >= start, steps.c.decided_at < end)
            .order_by(steps.c.id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            DecisionTiming(
                recommendation_id=int(row.id),
                kind=str(row.kind),
                created_at=None if row.created_at is None else _aware(row.created_at),
                requested_at=None if row.requested_at is None else _aware(row.requested_at),
                decided_at=_aware(row.decided_at),
            )
            for row in rows
        ]

    def forecast_backtests(self, *, start: date, end: date) -> list[ForecastBacktest]:
        wape = _backtest(self.engine.dialect.name, "backtest_wape")
        bias = _backtest(self.engine.dialect.name, "backtest_bias")
        per_item_location = (
            select(
                recommendations.c.plan_run_id,
                recommendations.c.to_code,
                recommendations.c.sku,
                func.avg(wape).label("wape"),
                func.avg(bias).label("bias"),
            )
            .join(plan_runs, plan_runs.c.id == recommendations.c.plan_run_id)
            .where(
                plan_runs.c.status == "succeeded",
                plan_runs.c.as_of >= start,
                plan_runs.c.as_of <= end,
                wape.is_not(None),
            )
            .group_by(
                recommendations.c.plan_run_id, recommendations.c.to_code, recommendations.c.sku
            )
            .subquery()
        )
        query = (
            select(
                per_item_location.c.plan_run_id,
                plan_runs.c.as_of,
                per_item_location.c.to_code,
                func.count(distinct(per_item_location.c.sku)),
                func.avg(per_item_location.c.wape),
                func.avg(per_item_location.c.bias),
                func.count(per_item_location.c.bias),
            )
            .join(plan_runs, plan_runs.c.id == per_item_location.c.plan_run_id)
            .group_by(
                per_item_location.c.plan_run_id, plan_runs.c.as_of, per_item_location.c.to_code
            )
            .order_by(per_item_location.c.plan_run_id, per_item_location.c.to_code)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            ForecastBacktest(
                plan_run_id=int(run),
                as_of=_day(as_of),
                location_code=str(location),
                item_locations=int(count),
                mean_wape=float(mean),
                mean_bias=None if bias is None else float(bias),
                biased=int(biased),
            )
            for run, as_of, location, count, mean, bias, biased in rows
        ]

    def proposals(self, *, start: datetime, end: datetime) -> list[AgentProposals]:
        r, ledger = recommendations.c, audit_ledger.c
        query = (
            select(
                r.proposed_by,
                func.count(),
                func.sum(r.order_value),
                func.count(r.order_value),
            )
            .join(audit_ledger, ledger.recommendation_id == r.id)
            .where(ledger.event == "created", ledger.at >= start, ledger.at < end)
            .group_by(r.proposed_by)
            .order_by(r.proposed_by)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            AgentProposals(
                proposed_by=None if by is None else str(by),
                proposed=int(count),
                order_value=_money(value),
                with_order_value=int(valued),
            )
            for by, count, value, valued in rows
        ]


def _stock_as_of(when: date) -> Any:
    """Sums over each item-location's newest snapshot taken before the end of `when`."""
    until = datetime.combine(when + timedelta(days=1), time.min, UTC)
    newest = (
        select(
            _positions.c.sku,
            _positions.c.location_code,
            func.max(_positions.c.snapshot_at).label("snapshot_at"),
        )
        .where(_positions.c.snapshot_at < until)
        .group_by(_positions.c.sku, _positions.c.location_code)
        .subquery()
    )
    on_hand = _positions.c.on_hand
    return (
        select(
            func.count().label("item_locations"),
            func.sum(case((on_hand <= 0, 1), else_=0)).label("at_zero"),
            func.sum(on_hand).label("units"),
            func.sum(case((on_hand > 0, on_hand * _items.c.unit_cost), else_=0)).label(
                "value_at_cost"
            ),
            func.sum(case((_items.c.unit_cost.is_(None), 1), else_=0)).label("uncosted"),
        )
        .select_from(_positions)
        .join(
            newest,
            and_(
                newest.c.sku == _positions.c.sku,
                newest.c.location_code == _positions.c.location_code,
                newest.c.snapshot_at == _positions.c.snapshot_at,
            ),
        )
        .outerjoin(_items, _items.c.sku == _positions.c.sku)
    )


def _backtest(dialect: str, score: str) -> Any:
    """A plan recommendation's backtest `score` (drivers.forecast.<score>) as a number."""
    if dialect == "postgresql":
        drivers = cast(recommendations.c.drivers, JSONB)
        return cast(drivers["forecast"][score].astext, Float)
    return cast(func.json_extract(recommendations.c.drivers, f"$.forecast.{score}"), Float)


def _day(value: object) -> date:
    found = day(value)
    assert found is not None
    return found


def _money(value: object) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def _aware(moment: datetime) -> datetime:
    # SQLite gives times back naive; they were written in UTC
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
