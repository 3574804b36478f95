"""Every generated network obeys the canonical model, whatever its size and seed."""

from __future__ import annotations

import datetime

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import promotion_days

from crossdock.demo import SNAPSHOT_HOUR_UTC, DemoOptions, generate_demo_network
from crossdock.demo.promotions import PLANNED_DAYS
from crossdock.domain.canonical import ENTITIES, Entity, FieldKind
from crossdock.domain.reason_codes import ReasonCode, ReasonCodeMap, ReasonCodeMapping

FUTURE_ALLOWED = {"promised_date", "requested_date", "expected_date", "start_date", "end_date"}
DTYPES = {
    FieldKind.INTEGER: "Int64",
    FieldKind.QUANTITY: "float64",
    FieldKind.MONEY: "float64",
    FieldKind.RATE: "float64",
    FieldKind.BOOLEAN: "boolean",
    FieldKind.DATE: "datetime64[us]",
    FieldKind.TIMESTAMP: "datetime64[us, UTC]",
}


def assert_canonical(frames: dict[str, pd.DataFrame], end_date: datetime.date) -> None:
    """Columns, dtypes, required fields, codes, minimums, keys, references, dates, uoms."""
    assert list(frames) == [entity.name for entity in ENTITIES]
    for entity in ENTITIES:
        frame = frames[entity.name]
        assert list(frame.columns) == list(entity.field_names), entity.name
        assert not frame.duplicated(list(entity.natural_key)).any(), entity.name
        for field in entity.fields:
            _assert_field(frames, entity, field.name, end_date)
        if entity.uom_field:
            item_uom = frames["items"].set_index("sku")["uom"]
            expected = frame["sku"].astype(object).map(item_uom)
            assert (frame["uom"].astype(object) == expected).all(), entity.name
    _assert_reason_codes_map(frames)


def _assert_field(
    frames: dict[str, pd.DataFrame], entity: Entity, name: str, end_date: datetime.date
) -> None:
    field = entity.field(name)
    column = frames[entity.name][name]
    where = f"{entity.name}.{name}"
    present = column.dropna()
    if field.required:
        assert len(present) == len(column), f"{where} has missing values"
    if field.kind in (FieldKind.TEXT, FieldKind.CODE):
        assert present.map(type).eq(str).all(), f"{where} holds non-text"
    else:
        assert str(column.dtype) == DTYPES[field.kind], f"{where} is {column.dtype}"
    if field.allowed:
        assert set(present) <= set(field.allowed), f"{where}: {set(present) - set(field.allowed)}"
    if field.minimum is not None:
        assert (present.astype(float) >= field.minimum).all(), f"{where} below {field.minimum}"
    if field.maximum is not None:
        assert (present.astype(float) <= field.maximum).all(), f"{where} above {field.maximum}"
    if field.not_before is not None:
        earlier = frames[entity.name][field.not_before]
        assert not (column < earlier).any(), f"{where} before {field.not_before}"
    if field.references:
        target_entity, target_field = field.references
        unresolved = set(present) - set(frames[target_entity][target_field])
        assert not unresolved, f"{where} does not resolve: {sorted(unresolved)[:5]}"
    if field.kind is FieldKind.DATE:
        assert (present >= pd.Timestamp("2000-01-01")).all(), where
        if name not in FUTURE_ALLOWED:
            assert (present <= pd.Timestamp(end_date)).all(), f"{where} after end_date"
    if field.kind is FieldKind.TIMESTAMP:
        latest = pd.Timestamp(end_date, tz="UTC") + pd.Timedelta(hours=SNAPSHOT_HOUR_UTC)
        assert (present <= latest).all(), f"{where} after end_date {SNAPSHOT_HOUR_UTC}:00 UTC"


def _assert_reason_codes_map(frames: dict[str, pd.DataFrame]) -> None:
    mappings = frames["reason_code_mappings"]
    reasons = ReasonCodeMap(
        ReasonCodeMapping(row.scope, row.site_code, ReasonCode(row.reason_code))
        for row in mappings.itertuples()
    )
    for entity_name, field_name in (
        ("sales_orders", "hold_reason"),
        ("receipts", "reason_code"),
        ("events", "reason_code"),
    ):
        rows = frames[entity_name].dropna(subset=[field_name])
        for code, location in zip(rows[field_name], rows["location_code"], strict=True):
            reasons.canonical(code, location_code=location)  # raises when unmapped


def assert_history_is_daily_and_sparse(
    frames: dict[str, pd.DataFrame], options: DemoOptions
) -> None:
    demand = frames["demand_history"]
    first = pd.Timestamp(options.end_date) - pd.Timedelta(days=options.days - 1)
    assert (demand["demand_date"] >= first).all()
    assert (demand["quantity"] >= 1).all()
    assert (demand["quantity"] == demand["quantity"].round()).all()
    assert len(frames["inventory_positions"]) == options.skus * options.warehouses


def assert_promotions_match_demand(frames: dict[str, pd.DataFrame], options: DemoOptions) -> None:
    """A demand day is on promotion exactly when a confirmed promotion covers it; every
    promotion runs at every warehouse; the calendar reaches 8 weeks past the history."""
    promotions = frames["promotions"]
    warehouses = promotions.groupby("promotion_code")["location_code"].nunique()
    assert (warehouses == options.warehouses).all()
    last_day = pd.Timestamp(options.end_date)
    assert (promotions["start_date"] <= last_day + pd.Timedelta(days=PLANNED_DAYS)).all()
    assert (promotions.loc[promotions["status"] == "cancelled", "start_date"] > last_day).all()
    covered = promotion_days(promotions[promotions["status"] == "confirmed"])
    demand = frames["demand_history"].astype({"sku": object, "location_code": object})
    flagged = demand.merge(covered, on=["sku", "location_code", "demand_date"], how="left")
    assert len(flagged) == len(demand)
    assert (flagged["on_promotion"] == flagged["covered"].notna()).all()


def assert_every_dc_feeds_at_most_eight_branches(frames: dict[str, pd.DataFrame]) -> None:
    locations = frames["locations"].set_index("location_code")
    branches = locations[locations["location_type"] == "branch"]
    parents = locations.loc[branches["parent_location_code"], "location_type"]
    assert (parents == "dc").all()
    assert branches["parent_location_code"].value_counts().max() <= 8
    lane_frame = frames["lanes"]
    lanes = set(zip(lane_frame["from_location_code"], lane_frame["to_location_code"], strict=True))
    feeds = locations["parent_location_code"].dropna()
    assert {(parent, child) for child, parent in feeds.items()} <= lanes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    skus=st.integers(5, 60),
    warehouses=st.integers(2, 12),
    days=st.integers(28, 120),
    seed=st.integers(0, 2**32 - 1),
    end_date=st.dates(datetime.date(2015, 1, 1), datetime.date(2035, 12, 31)),
)
def test_any_small_network_obeys_the_canonical_model(
    skus: int, warehouses: int, days: int, seed: int, end_date: datetime.date
) -> None:
    options = DemoOptions(skus=skus, warehouses=warehouses, days=days, seed=seed, end_date=end_date)

    frames = generate_demo_network(options)

    assert_canonical(frames, end_date)
    assert_history_is_daily_and_sparse(frames, options)
    assert_every_dc_feeds_at_most_eight_branches(frames)
    assert_promotions_match_demand(frames, options)


def test_the_default_network_obeys_the_canonical_model() -> None:
    options = DemoOptions(end_date=datetime.date(2025, 6, 30))

    frames = generate_demo_network(options)

    assert_canonical(frames, options.end_date)
    assert_history_is_daily_and_sparse(frames, options)
    assert_every_dc_feeds_at_most_eight_branches(frames)
    assert_promotions_match_demand(frames, options)
