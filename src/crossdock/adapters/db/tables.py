"""Database tables: one per canonical entity, plus import runs and the quarantine.

Canonical tables are derived from `crossdock.domain.canonical`, so the store cannot
drift from the documented model; each change to it needs an Alembic migration (a
test compares the migrated schema with this metadata). Natural keys are primary
keys, so re-importing a file upserts instead of duplicating. Referential integrity
is enforced by the importer, which quarantines rows with unknown references, rather
than by foreign keys: that keeps bulk loads order-independent and fast.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.types import TypeEngine

from crossdock.domain.canonical import ENTITIES, Entity, FieldKind

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Big fact tables are clustered on their natural key (SQLite WITHOUT ROWID).
_CLUSTERED = {"demand_history", "inventory_positions"}

_SQL_TYPES: dict[FieldKind, TypeEngine[Any]] = {
    FieldKind.TEXT: String(),
    FieldKind.CODE: String(),
    FieldKind.INTEGER: Integer(),
    FieldKind.QUANTITY: Float(),
    FieldKind.MONEY: Numeric(18, 4, asdecimal=True),
    FieldKind.RATE: Float(),
    FieldKind.DATE: Date(),
    FieldKind.TIMESTAMP: DateTime(timezone=True),
    FieldKind.BOOLEAN: Boolean(),
}


def site_code_column(field_name: str) -> str:
    """The column that keeps the site's own text next to a mapped reason code."""
    return f"{field_name}_site_code"


def _canonical_table(entity: Entity) -> Table:
    columns: list[Column[Any]] = []
    for field in entity.fields:
        in_key = field.name in entity.natural_key
        columns.append(
            Column(
                field.name,
                _SQL_TYPES[field.kind],
                primary_key=in_key,
                nullable=not (in_key or field.required),
                comment=field.description,
            )
        )
        if field.reason_code:
            columns.append(
                Column(site_code_column(field.name), String(), comment="Code as the site wrote it.")
            )
    columns.append(Column("import_run_id", Integer(), comment="Import run that last wrote it."))
    return Table(
        entity.name,
        metadata,
        *columns,
        comment=entity.description,
        sqlite_with_rowid=entity.name not in _CLUSTERED,
    )


canonical_tables: dict[str, Table] = {entity.name: _canonical_table(entity) for entity in ENTITIES}
# the agents' and the copilot's reads of one item's customer order lines (migration 0017):
# the demo's shipped history makes the lines table too long to scan per item
Index("ix_sales_order_lines_sku", canonical_tables["sales_order_lines"].c.sku)

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("kind", String(), nullable=False, comment="import or demo"),
    Column("source", Text(), nullable=False, comment="Folder, file or demo options."),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(), nullable=False, comment="running, succeeded or failed"),
    Column("rows_read", Integer(), nullable=False, default=0),
    Column("rows_accepted", Integer(), nullable=False, default=0),
    Column("rows_quarantined", Integer(), nullable=False, default=0),
    Column("warnings", Integer(), nullable=False, default=0),
    Column("report", Text(), comment="The data-quality report as JSON."),
    comment="Every import or demo load, with its data-quality report.",
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("import_run_id", Integer(), nullable=False),
    Column("entity", String(), nullable=False),
    Column("source_file", Text(), nullable=False),
    Column("row_number", Integer(), nullable=False, comment="1-based data row, header not counted"),
    Column("natural_key", Text(), comment="The row's natural key as far as it could be read."),
    Column("field", String(), nullable=False),
    Column("value", Text()),
    Column("check_name", String(), nullable=False),
    Column("reason", Text(), nullable=False),
    Column("raw", Text(), comment="The whole row as read, JSON."),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column(
        "resolved_at", DateTime(timezone=True), comment="Set when a later import supersedes it."
    ),
    Column("resolved_by_run_id", Integer()),
    Index(None, "entity", "source_file", "resolved_at"),
    comment="Rows that did not land, with the field, value and reason.",
)

# -- planning output (not derived from the canonical spec) -----------------------------

_MONEY = Numeric(18, 4, asdecimal=True)

plan_runs = Table(
    "plan_runs",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("as_of", Date(), nullable=False, comment="Only data dated on or before it was read."),
    Column(
        "status",
        String(),
        nullable=False,
        comment="succeeded or failed (a failed run: no recommendations; step, error in summary)",
    ),
    Column("import_run_id", Integer(), comment="Newest import run the plan read: its snapshot."),
    Column("recommendations", Integer(), nullable=False, comment="Recommendations stored."),
    Column("money_at_risk", _MONEY, nullable=False, comment="Do-nothing expected shortage cost."),
    Column("expected_savings", _MONEY, nullable=False, comment="Do-nothing minus planned cost."),
    Column("settings", Text(), nullable=False, comment="Engine settings and versions, JSON."),
    Column("summary", Text(), nullable=False, comment="Counts by kind, money, input counts, JSON."),
    comment="Every `crossdock plan` run: as-of date, data snapshot, settings and summary.",
)

# the work queue's rows: open, by money at risk (a partial index, migration 0014)
_OPEN_RECOMMENDATIONS = (
    "status IN ('proposed', 'pending_approval', 'auto_approved', 'approved', 'modified', 'failed')"
)

recommendations = Table(
    "recommendations",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("plan_run_id", Integer(), comment="The plan run that made it; null: an agent."),
    Column(
        "kind",
        String(),
        nullable=False,
        comment="What it proposes: one of governance.policy.KIND_WORKFLOWS (buy, transfer, ...)",
    ),
    Column("sku", String(), nullable=False),
    Column("from_code", String(), comment="Supplier, PO number or shipping warehouse."),
    Column("to_code", String(), nullable=False, comment="Receiving warehouse."),
    Column("po_number", String(), comment="The open PO line expedited, deferred or cancelled."),
    Column("line_number", Integer(), comment="That line's number within its PO."),
    Column("quantity", Float(), nullable=False),
    Column("expected_arrival_date", Date()),
    Column("action_cost", _MONEY, nullable=False, comment="This action's own money."),
    Column("expected_cost", _MONEY, nullable=False, comment="Planned cost where it lands."),
    Column("holding_cost", _MONEY, nullable=False),
    Column("shortage_cost", _MONEY, nullable=False),
    Column("transport_cost", _MONEY, nullable=False),
    Column("ordering_cost", _MONEY, nullable=False),
    Column("purchase_cost", _MONEY, nullable=False),
    Column("expedite_cost", _MONEY, nullable=False),
    Column("do_nothing_cost", _MONEY, nullable=False, comment="Same scope, nothing done."),
    Column("savings", _MONEY, nullable=False, comment="do_nothing_cost - expected_cost"),
    Column(
        "marginal_savings",
        _MONEY,
        nullable=False,
        comment="What the plan would lose without this action alone.",
    ),
    Column(
        "order_value", _MONEY, comment="Quantity x unit price of the goods bought or moved out."
    ),
    Column("scope", Text(), nullable=False, comment="Item-locations the money covers."),
    Column("alternatives", Text(), nullable=False, comment="Options considered, JSON."),
    Column("drivers", Text(), nullable=False, comment="Forecast, lead time, position, JSON."),
    Column("confidence", Float(), nullable=False, comment="0..1, see plan-command.md"),
    Column("model_version", String(), nullable=False),
    Column("policy_version", String(), nullable=False, comment="Sizing policy of the plan."),
    Column("import_run_id", Integer(), comment="Data snapshot the plan read."),
    Column(
        "status",
        String(),
        nullable=False,
        server_default="proposed",
        comment="Lifecycle status, see crossdock.domain.lifecycle.",
    ),
    Column(
        "version",
        Integer(),
        nullable=False,
        server_default="1",
        comment="Bumped by every change: a decision applies only to the version it read.",
    ),
    Column("status_changed_at", DateTime(timezone=True)),
    Column("proposed_by", String(), comment="The agent or user that proposed it."),
    Column("modified_by", String(), comment="Who last changed its quantity or date."),
    Column("approved_quantity", Float(), comment="Quantity as modified; null: as proposed."),
    Column("approved_arrival_date", Date(), comment="Arrival as modified; null: as proposed."),
    Column("approval_policy_version", String(), comment="Approval policy that routed it."),
    Column("routing", Text(), comment="Tier, rule, reasons and approvers, JSON."),
    Column("erp_document", String(), comment="The ERP draft written for it."),
    Column("erp_error", Text(), comment="Last failure to write it."),
    Column("erp_attempts", Integer(), nullable=False, server_default="0"),
    Column("erp_retry_at", DateTime(timezone=True), comment="Next try, if any."),
    Column("status_reason", Text(), comment="Why it was last moved: reason or error."),
    Column("agent", String(), comment="The agent that proposed it from an event."),
    Column("source_event_id", String(), comment="The event it answers."),
    Column("rationale", Text(), comment="The agent's explanation, in words."),
    Column(
        "idempotency_key",
        String(),
        unique=True,
        comment="agent:event:document: a redelivered event proposes nothing twice.",
    ),
    Index(None, "plan_run_id", "kind"),
    Index(None, "status"),
    Index(None, "sku", "to_code"),  # the agents' open buys, transfers and allocations
    Index(
        "ix_recommendations_work_queue",
        "do_nothing_cost",
        "id",
        sqlite_where=text(_OPEN_RECOMMENDATIONS),
        postgresql_where=text(_OPEN_RECOMMENDATIONS),
    ),
    Index(  # the queue filtered by kind (alone or with a site): one kind's rows walked
        "ix_recommendations_work_queue_kind",
        "kind",
        "do_nothing_cost",
        "id",
        sqlite_where=text(_OPEN_RECOMMENDATIONS),
        postgresql_where=text(_OPEN_RECOMMENDATIONS),
    ),
    comment="Typed recommendations of a plan run, with their money explanation.",
)

demand_signals = Table(
    "demand_signals",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("plan_run_id", Integer(), nullable=False),
    Column(
        "event_id", String(), nullable=False, comment="Stable id: the same anomaly, the same id."
    ),
    Column("reason_code", String(), nullable=False, comment="demand_spike or demand_shift"),
    Column("sku", String(), nullable=False),
    Column("location_code", String(), nullable=False),
    Column("start_date", Date(), nullable=False),
    Column("end_date", Date(), nullable=False),
    Column("actual", Float(), nullable=False, comment="Units sold over the anomaly's days."),
    Column("expected", Float(), nullable=False, comment="Units expected over those days."),
    Column("evidence", Text(), nullable=False, comment="The tests' numbers, JSON."),
    Index(None, "plan_run_id", "reason_code"),
    comment="Demand spikes and shifts sensed by a plan run, with their evidence.",
)


approvals = Table(
    "recommendation_approvals",
    metadata,
    Column("recommendation_id", Integer(), primary_key=True, autoincrement=False),
    Column("approver", String(), primary_key=True),
    Column("role", String(), nullable=False, comment="The role the approver acted in."),
    Column("step", Integer(), nullable=False, comment="1: first approval, 2: second."),
    Column("at", DateTime(timezone=True), nullable=False),
    comment="Who approved a recommendation, one row per approver.",
)

audit_ledger = Table(
    "audit_ledger",
    metadata,
    Column("seq", Integer(), primary_key=True, autoincrement=False, comment="1, 2, 3, ..."),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(), nullable=False, comment="User, agent account or system."),
    Column("event", String(), nullable=False, comment="created, approve, reject, modify, ..."),
    Column("recommendation_id", Integer()),
    Column("from_status", String()),
    Column("to_status", String()),
    Column("reason", Text()),
    Column("snapshot_id", Integer(), comment="Import run whose data the decision read."),
    Column("model_version", Text()),
    Column("policy_version", Text(), comment="Approval policy version in force."),
    Column("erp_document", String()),
    Column("detail", Text(), nullable=False, comment="Everything else, canonical JSON."),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, comment="sha256 over the entry and prev_hash."),
    Index(None, "recommendation_id"),
    comment="Append-only, hash-chained record of every step (docs/governance.md).",
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=False, comment="Always 1."),
    Column("seq", Integer(), nullable=False, comment="Newest entry's seq."),
    Column("hash", String(64), nullable=False, comment="Newest entry's hash."),
    Column("anchor_seq", Integer(), nullable=False, comment="Last entry purged by retention."),
    Column("anchor_hash", String(64), nullable=False, comment="Its hash: the chain's start."),
    comment="The chain's newest entry, locked by every append; the retention anchor.",
)

users = Table(
    "users",
    metadata,
    Column("username", String(), primary_key=True),
    Column("display_name", String(), nullable=False),
    Column("kind", String(), nullable=False, comment="person or agent"),
    Column("roles", Text(), nullable=False, comment="JSON list of roles."),
    Column("sites", Text(), comment="JSON list of sites; null: every site."),
    Column("permissions", Text(), comment="Agents: JSON of actions and data allowed."),
    Column("password_hash", Text(), comment="argon2; people only."),
    Column("active", Boolean(), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    comment="People and agent service accounts.",
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("username", String(), nullable=False),
    Column("name", String(), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True, comment="sha256 of the token."),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    comment="Machine tokens; only their hashes are kept.",
)

approval_policies = Table(
    "approval_policies",
    metadata,
    Column("version", String(), primary_key=True, comment="name@version#sha256 prefix"),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("loaded_by", String(), nullable=False),
    Column("documents", Text(), nullable=False, comment="The YAML files as loaded, JSON."),
    Column("active", Boolean(), nullable=False),
    comment="Every approval policy ever loaded; the active one routes new recommendations.",
)

outcomes = Table(
    "recommendation_outcomes",
    metadata,
    Column("recommendation_id", Integer(), primary_key=True, autoincrement=False),
    Column("scored_at", DateTime(timezone=True), nullable=False),
    Column("through", Date(), nullable=False, comment="Demand and receipts read up to here."),
    Column("decision", String(), nullable=False, comment="executed or rejected"),
    Column("stockout_units", Float(), nullable=False),
    Column("excess_units", Float(), nullable=False),
    Column("expedite_cost", _MONEY, nullable=False),
    Column("realised_cost", _MONEY, nullable=False, comment="What the decision cost."),
    Column("alternative_cost", _MONEY, nullable=False, comment="The other choice, likely."),
    Column("realised_value", _MONEY, nullable=False, comment="alternative - realised"),
    Column("detail", Text(), nullable=False, comment="How it was scored, JSON."),
    comment="What happened after each decided recommendation.",
)

inbound_events = Table(
    "inbound_events",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True, comment="Arrival order."),
    Column("event_id", String(), nullable=False, unique=True, comment="The source's id."),
    Column("event_type", String(), nullable=False),
    Column("ordering_key", String(), nullable=False, comment="Handled in order per key."),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("source", String(), nullable=False),
    Column("channel", String(), nullable=False, comment="api, file, connector ..."),
    Column("payload", Text(), nullable=False, comment="The canonical event, JSON."),
    Index(None, "ordering_key", "id"),
    comment="Every canonical event accepted, once per event id.",
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("stage", String(), nullable=False, comment="intake or delivery"),
    Column("channel", String(), nullable=False, comment="Where it came from: file, line, api."),
    Column("event_id", String(), comment="When it could be read."),
    Column("consumer", String(), comment="delivery: the consumer that gave up."),
    Column("field", String()),
    Column("value", Text()),
    Column("reason", Text(), nullable=False),
    Column("attempts", Integer(), nullable=False, default=0),
    Column("raw", Text(), nullable=False, comment="What arrived, as it arrived."),
    Index(None, "stage", "at"),
    comment="Events that could not be accepted or delivered, with the reason.",
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("topic", String(), nullable=False, comment="events.<event_type>, ..."),
    Column("ordering_key", String(), nullable=False),
    Column("message_id", String(), nullable=False, unique=True, comment="Idempotency key."),
    Column("payload", Text(), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column(
        "available_at",
        DateTime(timezone=True),
        nullable=False,
        comment="Due from: now, after a retry's backoff, or when a claim's lease ends.",
    ),
    Column("claimed_by", String(), comment="The worker's claim while it delivers."),
    Column("attempts", Integer(), nullable=False, default=0),
    Column("dispatched_at", DateTime(timezone=True)),
    Column("last_error", Text()),
    Column(
        "published_at",
        DateTime(timezone=True),
        comment="Handed to the broker; null: not yet, or delivered in-process.",
    ),
    Index(None, "dispatched_at", "id"),
    Index("ix_outbox_published_at_id", "published_at", "id"),
    Index(None, "ordering_key", "dispatched_at", "id"),  # each key's waiting run, in order
    comment="Messages written with the change that caused them, delivered after commit.",
)

consumed = Table(
    "consumed_messages",
    metadata,
    Column("consumer", String(), primary_key=True),
    Column("message_id", String(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    comment="Which consumer handled which message: redelivery changes nothing.",
)

connections = Table(
    "connections",
    metadata,
    Column("name", String(), primary_key=True),
    Column("kind", String(), nullable=False, comment="The connector: tryton, file_drop."),
    Column("settings", Text(), nullable=False, comment="JSON; secrets by env var name."),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("cursor", String(), comment="Where the next incremental read starts."),
    Column("last_sync_at", DateTime(timezone=True)),
    Column("last_status", String(), comment="succeeded or failed"),
    Column("last_error", Text()),
    comment="Configured connections to systems of record.",
)

scheduled_jobs = Table(
    "scheduled_jobs",
    metadata,
    Column("job", String(), primary_key=True, comment="plan, po_acknowledgement ..."),
    Column(
        "last_slot",
        DateTime(timezone=True),
        comment="Latest slot claimed: a worker claims a slot only while this is older.",
    ),
    Column("claimed_at", DateTime(timezone=True)),
    Column("claimed_by", String(), comment="host:pid of the worker that claimed it."),
    comment="One row per scheduled job: the compare-and-set that runs each slot once.",
)

schedule_runs = Table(
    "schedule_runs",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("job", String(), nullable=False),
    Column("trigger", String(), nullable=False, comment="schedule, or manual (schedule run)."),
    Column("slot", DateTime(timezone=True), comment="The slot it ran for; null: manual."),
    Column("runner", String(), nullable=False, comment="host:pid of the worker or command."),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("outcome", String(), nullable=False, comment="running, succeeded or failed"),
    Column("error", Text(), comment="Why it failed."),
    Column("summary", Text(), comment="What it did, JSON."),
    Index(None, "job", "id"),
    comment="Every run of a scheduled job: started, finished, outcome, error.",
)

# -- the copilot's knowledge base (docs/copilot.md) -------------------------------------

knowledge_documents = Table(
    "knowledge_documents",
    metadata,
    Column("key", String(), primary_key=True, comment="Stable across versions."),
    Column("title", String(), nullable=False),
    Column("doc_type", String(), nullable=False, comment="sop, supplier_agreement, ..."),
    Column("current_version", Integer(), nullable=False),
    Column("site", String()),
    Column("supplier", String()),
    Column("customer", String()),
    Column("effective_from", Date()),
    Column("effective_to", Date()),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    comment="Copilot documents: the current version's metadata, one row per document.",
)

knowledge_versions = Table(
    "knowledge_versions",
    metadata,
    Column("key", String(), primary_key=True),
    Column("version", Integer(), primary_key=True),
    Column("content_hash", String(), nullable=False, comment="sha256 of the bytes ingested."),
    Column("meta", Text(), nullable=False, comment="The version's DocumentMeta, JSON."),
    Column("source", String(), nullable=False, comment="The file name, or api."),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(), nullable=False, comment="Who ingested it."),
    comment="Every ingested version of every copilot document; the newest is current.",
)

knowledge_passages = Table(
    "knowledge_passages",
    metadata,
    Column("passage_id", String(), primary_key=True, comment="<key>@v<version>#<ordinal>"),
    Column("key", String(), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("ordinal", Integer(), nullable=False),
    Column("heading", Text(), nullable=False, comment="The heading path."),
    Column("text", Text(), nullable=False),
    Column("money_class", String(), comment="supplier_cost, customer_pricing or null."),
    Index(None, "key", "version", "ordinal"),
    comment="The chunks of each document version that retrieval searches and answers cite.",
)
