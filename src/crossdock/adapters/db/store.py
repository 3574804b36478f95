"""The SQL store: canonical records, import runs and the quarantine, on SQLite or PostgreSQL."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import (
    Connection,
    Date,
    Engine,
    Integer,
    String,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from crossdock.adapters.db.bulk import upsert_frame
from crossdock.adapters.db.migrate import current_revision
from crossdock.adapters.db.tables import (
    canonical_tables,
    demand_signals,
    import_runs,
    plan_runs,
    quarantine,
    recommendations,
)
from crossdock.domain.canonical import ENTITIES, Entity
from crossdock.domain.reason_codes import ReasonCode, ReasonCodeMapping
from crossdock.service_layer.ports import (
    RECOMMENDATION_COLUMNS,
    EntityStatus,
    PlanningData,
    PlanRunRecord,
    QuarantineLine,
    RowsWritten,
    StoreStatus,
)

_QUARANTINE_BATCH = 5_000
_RECOMMENDATION_BATCH = 5_000
_READ_CHUNK_ROWS = 100_000  # rows typed at a time when reading large tables for a plan
_PO_LINE_CODES = ("po_number", "sku", "supplier_code", "location_code", "status")
_PO_LINE_NUMBERS = ("ordered_quantity", "received_quantity", "unit_price")
_PO_LINE_DATES = (
    "order_date",
    "promised_date",
    "acknowledged_date",
    "shipped_date",
    "received_date",
)
_MONEY_COLUMNS = (
    *(column for column in RECOMMENDATION_COLUMNS if column.endswith("cost")),
    "savings",
    "marginal_savings",
)


class SqlCanonicalStore:
    """Implements `CanonicalStore` over one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- import runs -------------------------------------------------------------

    def start_run(self, *, kind: str, source: str, started_at: datetime) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(import_runs).values(
                    kind=kind, source=source, started_at=started_at, status="running"
                )
            )
            run_id = result.inserted_primary_key
            assert run_id is not None
            return int(run_id[0])

    def finish_run(
        self, run_id: int, *, status: str, finished_at: datetime, report: Mapping[str, Any]
    ) -> None:
        totals = report.get("totals", {})
        with self.engine.begin() as connection:
            connection.execute(
                update(import_runs)
                .where(import_runs.c.id == run_id)
                .values(
                    status=status,
                    finished_at=finished_at,
                    rows_read=totals.get("rows_read", 0),
                    rows_accepted=totals.get("rows_accepted", 0),
                    rows_quarantined=totals.get("rows_quarantined", 0),
                    warnings=totals.get("warnings", 0),
                    report=json.dumps(report, default=str),
                )
            )

    # -- what is already known ---------------------------------------------------

    def existing_values(self, entity: str, field: str) -> set[str]:
        column = canonical_tables[entity].c[field]
        with self.engine.connect() as connection:
            values = connection.execute(select(column).distinct().where(column.is_not(None)))
            return {str(value) for (value,) in values}

    def item_uoms(self) -> dict[str, str]:
        items = canonical_tables["items"]
        with self.engine.connect() as connection:
            rows = connection.execute(select(items.c.sku, items.c.uom)).all()
            return {str(sku): str(uom) for sku, uom in rows}

    def reason_code_mappings(self) -> list[ReasonCodeMapping]:
        table = canonical_tables["reason_code_mappings"]
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.scope, table.c.site_code, table.c.reason_code)
            ).all()
        return [ReasonCodeMapping(scope, site, ReasonCode(code)) for scope, site, code in rows]

    # -- landing a file ------------------------------------------------------------

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
        with self.engine.begin() as connection:
            upsert_frame(
                connection,
                canonical_tables[entity.name],
                entity,
                accepted,
                import_run_id=run_id,
                progress=progress,
            )
            connection.execute(
                update(quarantine)
                .where(
                    quarantine.c.entity == entity.name,
                    quarantine.c.source_file == source,
                    quarantine.c.resolved_at.is_(None),
                )
                .values(resolved_at=at, resolved_by_run_id=run_id)
            )
            errors = issues[issues["severity"] == "error"] if not issues.empty else issues
            records = [
                {
                    "import_run_id": run_id,
                    "entity": entity.name,
                    "source_file": source,
                    "row_number": int(issue.row_number),  # type: ignore[arg-type]
                    "natural_key": issue.key,
                    "field": issue.field,
                    "value": None if pd.isna(issue.value) else str(issue.value),  # type: ignore[arg-type]
                    "check_name": issue.check,
                    "reason": issue.reason,
                    "raw": issue.raw,
                    "created_at": at,
                }
                for issue in errors.itertuples(index=False)
            ]
            for start in range(0, len(records), _QUARANTINE_BATCH):
                connection.execute(insert(quarantine), records[start : start + _QUARANTINE_BATCH])

    def delete_canonical_records(self) -> None:
        with self.engine.begin() as connection:
            for table in reversed(list(canonical_tables.values())):
                connection.execute(delete(table))

    # -- status --------------------------------------------------------------------

    def status(self) -> StoreStatus:
        entities: dict[str, EntityStatus] = {}
        with self.engine.connect() as connection:
            for entity in ENTITIES:
                table = canonical_tables[entity.name]
                rows = connection.execute(select(func.count()).select_from(table)).scalar_one()
                latest = None
                if entity.freshness_field is not None:
                    newest = connection.execute(
                        select(func.max(table.c[entity.freshness_field]))
                    ).scalar_one()
                    latest = None if newest is None else _iso(newest)
                entities[entity.name] = EntityStatus(rows=int(rows), latest=latest)
            open_issues: dict[str, dict[str, int]] = {}
            open_rows = (
                select(
                    quarantine.c.entity,
                    quarantine.c.check_name,
                    quarantine.c.source_file,
                    quarantine.c.row_number,
                )
                .where(quarantine.c.resolved_at.is_(None))
                .distinct()
                .subquery()
            )
            grouped = connection.execute(
                select(open_rows.c.entity, open_rows.c.check_name, func.count()).group_by(
                    open_rows.c.entity, open_rows.c.check_name
                )
            ).all()
            for entity_name, check, count in grouped:
                open_issues.setdefault(entity_name, {})[check] = int(count)
            last = (
                connection.execute(select(import_runs).order_by(import_runs.c.id.desc()).limit(1))
                .mappings()
                .first()
            )
        last_run = None
        if last is not None:
            last_run = {
                key: _iso(value) if isinstance(value, datetime) else value
                for key, value in last.items()
                if key != "report"
            }
        return StoreStatus(
            database=self.engine.url.render_as_string(hide_password=True),
            schema_revision=current_revision(self.engine),
            entities=entities,
            open_quality_issues=open_issues,
            last_run=last_run,
        )

    def open_quarantine(
        self, *, entity: str | None = None, check: str | None = None, limit: int = 100
    ) -> list[QuarantineLine]:
        query = select(quarantine).where(quarantine.c.resolved_at.is_(None))
        if entity is not None:
            query = query.where(quarantine.c.entity == entity)
        if check is not None:
            query = query.where(quarantine.c.check_name == check)
        query = query.order_by(
            quarantine.c.entity, quarantine.c.source_file, quarantine.c.row_number, quarantine.c.id
        ).limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            QuarantineLine(
                import_run_id=row["import_run_id"],
                entity=row["entity"],
                source_file=row["source_file"],
                row_number=row["row_number"],
                natural_key=row["natural_key"],
                field=row["field"],
                value=row["value"],
                check=row["check_name"],
                reason=row["reason"],
            )
            for row in rows
        ]

    # -- planning ------------------------------------------------------------------

    def planning_data(
        self,
        *,
        as_of: date,
        bucket_days: int = 1,
        with_drivers: bool = False,
        recent_days: int = 0,
    ) -> PlanningData:
        """See `PlanningStore`. The two large tables are read in chunks into typed columns
        (`_read_frame`): demand_history with sku and location_code as categoricals,
        demand_date as datetime64 and quantity as float64; purchase_order_lines with only
        the columns a plan uses (`_po_lines_query`), dates as datetime64 and codes sharing
        one string per distinct value."""
        t = canonical_tables
        end_of_day = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), UTC)
        positions = t["inventory_positions"]
        newest = (
            select(
                positions.c.sku,
                positions.c.location_code,
                func.max(positions.c.snapshot_at).label("snapshot_at"),
            )
            .where(positions.c.snapshot_at < end_of_day)
            .group_by(positions.c.sku, positions.c.location_code)
            .subquery()
        )
        latest_positions = select(positions).join(
            newest,
            (positions.c.sku == newest.c.sku)
            & (positions.c.location_code == newest.c.location_code)
            & (positions.c.snapshot_at == newest.c.snapshot_at),
        )
        demand = t["demand_history"]
        po, pol = t["purchase_orders"], t["purchase_order_lines"]
        so, sol = t["sales_orders"], t["sales_order_lines"]
        with self.engine.connect() as connection:

            def frame(query: Any) -> pd.DataFrame:
                result = connection.execute(query)
                return pd.DataFrame(result.all(), columns=list(result.keys()))

            return PlanningData(
                items=frame(select(t["items"])),
                locations=frame(select(t["locations"])),
                lanes=frame(select(t["lanes"])),
                suppliers=frame(select(t["suppliers"])),
                customers=frame(select(t["customers"])),
                supply_terms=frame(select(t["supply_terms"])),
                demand_history=_read_frame(
                    connection,
                    _demand_query(
                        demand,
                        as_of=as_of,
                        bucket_days=bucket_days,
                        dialect=connection.dialect.name,
                        with_drivers=with_drivers,
                    ),
                    categories=("sku", "location_code"),
                    dates=("demand_date",),
                    numbers=("quantity", *(_DRIVERS if with_drivers else ())),
                ),
                recent_demand=_read_frame(
                    connection,
                    _recent_demand_query(demand, as_of=as_of, days=recent_days),
                    categories=("sku", "location_code"),
                    dates=("demand_date",),
                    numbers=("quantity", "on_promotion"),
                ),
                promotions=_read_frame(
                    connection,
                    _promotions_query(t["promotions"], as_of=as_of),
                    dates=("start_date", "end_date"),
                    numbers=("promo_price", "discount_rate"),
                ),
                inventory_positions=frame(latest_positions),
                purchase_order_lines=_read_frame(
                    connection,
                    _po_lines_query(po, pol, as_of=as_of),
                    interned=_PO_LINE_CODES,
                    dates=_PO_LINE_DATES,
                    numbers=_PO_LINE_NUMBERS,
                ),
                sales_order_lines=frame(
                    select(
                        sol,
                        so.c.customer_code,
                        so.c.location_code,
                        so.c.order_date,
                        so.c.requested_date,
                        so.c.status,
                    )
                    .join(so, so.c.order_number == sol.c.order_number)
                    .where(so.c.order_date <= as_of, so.c.status != "cancelled")
                ),
                import_run_id=connection.execute(
                    select(func.max(import_runs.c.id)).where(import_runs.c.status != "running")
                ).scalar_one(),
            )

    def save_plan(
        self, run: PlanRunRecord, recommendations_frame: pd.DataFrame, signals: pd.DataFrame
    ) -> int:
        rows = recommendations_frame.loc[:, list(RECOMMENDATION_COLUMNS)].copy()
        rows["expected_arrival_date"] = [
            None if pd.isna(day) else pd.Timestamp(day).date()
            for day in rows["expected_arrival_date"]
        ]
        records: list[dict[str, Any]] = [
            {str(k): v for k, v in record.items()}
            for record in rows.astype(object).where(rows.notna(), None).to_dict("records")
        ]
        for record in records:
            for column in _MONEY_COLUMNS:
                record[column] = _money(record[column])
            record["quantity"] = float(record["quantity"])
            record["confidence"] = float(record["confidence"])
            if record["order_value"] is not None:
                record["order_value"] = _money(record["order_value"])
            if record["line_number"] is not None:
                record["line_number"] = int(record["line_number"])
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(plan_runs).values(
                    started_at=run.started_at,
                    finished_at=run.finished_at,
                    as_of=run.as_of,
                    status=run.status,
                    import_run_id=run.import_run_id,
                    recommendations=len(records),
                    money_at_risk=_money(run.money_at_risk),
                    expected_savings=_money(run.expected_savings),
                    settings=json.dumps(run.settings, default=str),
                    summary=json.dumps(run.summary, default=str),
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            plan_run_id = int(key[0])
            for record in records:
                record["plan_run_id"] = plan_run_id
                record["import_run_id"] = run.import_run_id
            for start in range(0, len(records), _RECOMMENDATION_BATCH):
                connection.execute(
                    insert(recommendations), records[start : start + _RECOMMENDATION_BATCH]
                )
            sensed = [
                {**{str(k): v for k, v in row.items()}, "plan_run_id": plan_run_id}
                for row in signals.to_dict("records")
            ]
            for row in sensed:
                row["actual"], row["expected"] = float(row["actual"]), float(row["expected"])
            for start in range(0, len(sensed), _RECOMMENDATION_BATCH):
                connection.execute(
                    insert(demand_signals), sensed[start : start + _RECOMMENDATION_BATCH]
                )
        return plan_run_id


_DRIVERS = ("unit_price", "on_promotion")


def _promoted(demand: Any) -> ColumnElement[Any]:
    """1.0 on a promoted day, 0.0 otherwise (missing reads as not promoted)."""
    return case((demand.c.on_promotion.is_(True), 1.0), else_=0.0)


def _demand_query(
    demand: Any, *, as_of: date, bucket_days: int, dialect: str, with_drivers: bool = False
) -> Any:
    """Demand up to `as_of`, summed per block of `bucket_days` counted back from it.

    Summing in SQL keeps a weekly plan from holding every daily row in memory. Each block
    is dated on its last day with demand, so block totals and last-demand dates are exact.
    `with_drivers` adds the block's mean `unit_price` (over days with a price) and
    `on_promotion` (the share of its days with demand that were promoted).
    """
    if bucket_days <= 1:
        drivers = (demand.c.unit_price, _promoted(demand).label("on_promotion"))
        return select(
            demand.c.sku,
            demand.c.location_code,
            _as_text(demand.c.demand_date).label("demand_date"),
            demand.c.quantity,
            *(drivers if with_drivers else ()),
        ).where(demand.c.demand_date <= as_of)
    if dialect == "sqlite":
        days_back = func.cast(
            func.julianday(literal(as_of.isoformat())) - func.julianday(demand.c.demand_date),
            Integer(),
        )
    else:
        days_back = literal(as_of, Date()) - demand.c.demand_date
    block = days_back // bucket_days
    averaged = (
        func.avg(demand.c.unit_price).label("unit_price"),
        func.avg(_promoted(demand)).label("on_promotion"),
    )
    summed = (
        select(
            demand.c.sku,
            demand.c.location_code,
            func.max(demand.c.demand_date).label("demand_date"),
            func.sum(demand.c.quantity).label("quantity"),
            *(averaged if with_drivers else ()),
        )
        .where(demand.c.demand_date <= as_of)
        .group_by(demand.c.sku, demand.c.location_code, block)
        .subquery()
    )
    return select(
        summed.c.sku,
        summed.c.location_code,
        _as_text(summed.c.demand_date).label("demand_date"),
        summed.c.quantity,
        *((summed.c.unit_price, summed.c.on_promotion) if with_drivers else ()),
    )


def _recent_demand_query(demand: Any, *, as_of: date, days: int) -> Any:
    """Daily demand of the `days` days ending on `as_of`, with the promotion flag (none
    when `days` is 0)."""
    first = as_of - timedelta(days=max(days, 1) - 1)
    return select(
        demand.c.sku,
        demand.c.location_code,
        _as_text(demand.c.demand_date).label("demand_date"),
        demand.c.quantity,
        _promoted(demand).label("on_promotion"),
    ).where(
        demand.c.demand_date >= first,
        demand.c.demand_date <= as_of,
        literal(days > 0),
    )


def _promotions_query(promotions: Any, *, as_of: date) -> Any:
    """Promotions still running or planned after `as_of`, cancelled ones left out."""
    return select(
        promotions.c.promotion_code,
        promotions.c.sku,
        promotions.c.location_code,
        _as_text(promotions.c.start_date).label("start_date"),
        _as_text(promotions.c.end_date).label("end_date"),
        promotions.c.promo_price,
        promotions.c.discount_rate,
    ).where(
        promotions.c.end_date > as_of,
        or_(promotions.c.status.is_(None), promotions.c.status != "cancelled"),
    )


def _po_lines_query(po: Any, pol: Any, *, as_of: date) -> Any:
    """The PO line columns a plan uses, joined with their PO; dates as text (`_as_text`)."""
    line_dates = ("promised_date", "acknowledged_date", "shipped_date", "received_date")
    return (
        select(
            pol.c.po_number,
            pol.c.line_number,
            pol.c.sku,
            po.c.supplier_code,
            po.c.location_code,
            po.c.status,
            *(pol.c[name] for name in _PO_LINE_NUMBERS),
            _as_text(po.c.order_date).label("order_date"),
            *(_as_text(pol.c[name]).label(name) for name in line_dates),
        )
        .join(po, po.c.po_number == pol.c.po_number)
        .where(po.c.order_date <= as_of, po.c.status != "cancelled")
    )


def _read_frame(
    connection: Connection,
    query: Any,
    *,
    categories: Sequence[str] = (),
    interned: Sequence[str] = (),
    dates: Sequence[str] = (),
    numbers: Sequence[str] = (),
) -> pd.DataFrame:
    """The rows of `query` fetched in chunks, each chunk typed as soon as it arrives.

    Rows never pile up as Python tuples and strings: `categories` (codes such as sku)
    become pandas categoricals, one string per distinct value; `interned` columns stay
    plain object columns whose rows share one object per distinct value; `dates`
    (selected through `_as_text`) become datetime64, `numbers` float64. Other columns keep
    the driver's values.
    """
    result = connection.execution_options(stream_results=True, yield_per=_READ_CHUNK_ROWS).execute(
        query
    )
    names = list(result.keys())
    shared: dict[object, object] = {}

    def typed(rows: Sequence[Any]) -> pd.DataFrame:
        chunk = pd.DataFrame(rows, columns=names)
        for column in interned:
            values = [shared.setdefault(value, value) for value in chunk[column]]
            chunk[column] = pd.Series(values, index=chunk.index, dtype=object)
        for column in categories:
            chunk[column] = pd.Categorical(chunk[column])
        for column in dates:
            chunk[column] = pd.to_datetime(chunk[column])
        for column in numbers:
            chunk[column] = chunk[column].astype("float64")
        return chunk

    chunks = [typed(rows) for rows in result.partitions()] or [typed([])]
    frame = pd.concat([chunk.drop(columns=list(categories)) for chunk in chunks])
    frame = frame.reset_index(drop=True)
    for column in categories:
        frame[column] = union_categoricals(
            [chunk[column] for chunk in chunks], sort_categories=True
        )
    return frame[names]


def _as_text(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A date column read without per-row conversion (ISO text on SQLite, dates elsewhere)."""
    return type_coerce(column, String())


def _money(value: object) -> Decimal:
    """Money for a Numeric(18, 4) column: rounded to 4 places, 0 when missing."""
    number = 0.0 if value is None else float(value)  # type: ignore[arg-type]
    number = number if math.isfinite(number) else 0.0
    return Decimal(f"{number:.4f}")


def _iso(value: object) -> str:
    """ISO 8601; timestamps always carry their offset (SQLite hands them back naive, in UTC)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat()) if callable(isoformat) else str(value)
