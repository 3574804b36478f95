"""The SQL governance store: recommendation status changes that apply only to the
version read, the hash-chained audit ledger, users, API tokens and approval policies.

Concurrency: a status change is one `UPDATE ... WHERE id = :id AND version = :read`;
when two people decide at once only one update matches, the other transaction rolls
back. Appends to the ledger go through `audit_chain.append_entries`, which chains them
one transaction at a time behind the single `audit_head` row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Float,
    and_,
    cast,
    delete,
    desc,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import ColumnElement

from crossdock.adapters.db.audit_chain import append_entries, lock_head
from crossdock.adapters.db.tables import (
    api_tokens,
    approval_policies,
    approvals,
    audit_head,
    audit_ledger,
    canonical_tables,
    recommendations,
    users,
)
from crossdock.domain.lifecycle import Status
from crossdock.governance.access import Principal, Role
from crossdock.governance.ledger import ChainHead, EntryDraft, LedgerEntry
from crossdock.service_layer.governance_ports import (
    Approval,
    ConcurrentDecision,
    RecommendationState,
    StatusChange,
    StoredPolicy,
)
from crossdock.service_layer.listing_ports import (
    Key,
    LedgerFilter,
    PageRequest,
    RecommendationFilter,
    page_rows,
)

_LEDGER_BATCH = 2_000
_CONSISTENT_READ_TRIES = 5
_OPEN = (
    Status.PROPOSED,
    Status.AUTO_APPROVED,
    Status.PENDING_APPROVAL,
    Status.APPROVED,
    Status.MODIFIED,
)


class SqlGovernanceStore:
    """`GovernanceStore` over SQLAlchemy; the same code on SQLite and PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------ recommendations

    def recommendation(self, recommendation_id: int) -> RecommendationState | None:
        # The row and its approvals come from two statements; approvals only change with
        # a version bump in the same transaction, so an unchanged version read after
        # both proves they belong together. Otherwise someone decided in between: again.
        version = select(recommendations.c.version).where(recommendations.c.id == recommendation_id)
        seen = 0
        with self.engine.connect() as connection:
            for _ in range(_CONSISTENT_READ_TRIES):
                row = connection.execute(
                    select(recommendations).where(recommendations.c.id == recommendation_id)
                ).first()
                if row is None:
                    return None
                given = connection.execute(
                    select(approvals)
                    .where(approvals.c.recommendation_id == recommendation_id)
                    .order_by(approvals.c.step)
                ).all()
                seen = int(row.version)
                if connection.execute(version).scalar_one() == seen:
                    return _state(dict(row._mapping), given)
        raise ConcurrentDecision(recommendation_id=recommendation_id, expected_version=seen)

    def open_recommendations(
        self, *, plan_run_id: int | None = None, agents_only: bool = False
    ) -> list[RecommendationState]:
        query = select(recommendations).where(recommendations.c.status == Status.PROPOSED.value)
        if plan_run_id is not None:
            query = query.where(recommendations.c.plan_run_id == plan_run_id)
        if agents_only:
            query = query.where(recommendations.c.agent.is_not(None))
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(recommendations.c.id)).all()
        return [_state(dict(row._mapping), ()) for row in rows]

    def recommendation_rows(
        self,
        *,
        status: str | None = None,
        plan_run_id: int | None = None,
        ids: Sequence[int] | None = None,
        sites: frozenset[str] | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        query = select(recommendations)
        if sites is not None:  # in the query, so the limit counts only rows they may see
            query = query.where(recommendations.c.to_code.in_(sorted(sites)))
        if ids is not None:
            query = query.where(recommendations.c.id.in_(list(ids)))
        else:
            newest = select(func.max(recommendations.c.plan_run_id)).scalar_subquery()
            if plan_run_id is None:  # the newest plan's, and what agents proposed
                query = query.where(
                    (recommendations.c.plan_run_id == newest)
                    | recommendations.c.plan_run_id.is_(None)
                )
            else:
                query = query.where(recommendations.c.plan_run_id == plan_run_id)
        if status is not None:
            query = query.where(recommendations.c.status == status)
        query = query.order_by(desc(recommendations.c.savings), recommendations.c.id).limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [_readable(dict(row._mapping)) for row in rows]

    def recommendation_page(
        self, *, where: RecommendationFilter, page: PageRequest
    ) -> tuple[list[dict[str, Any]], Key | None]:
        # The keyset is (savings as a float, id): the same expression sorts and seeks, so
        # a row's key compares equal to itself on both databases (SQLite keeps the money
        # as REAL, PostgreSQL as NUMERIC).
        savings = cast(recommendations.c.savings, Float)
        query = select(recommendations, savings.label("_savings")).where(
            *_recommendation_conditions(self.engine.dialect.name, where)
        )
        if page.after is not None:
            seen_savings, seen_id = page.after
            query = query.where(
                or_(
                    savings < seen_savings,
                    and_(savings == seen_savings, recommendations.c.id > seen_id),
                )
            )
        query = (
            query.order_by(desc(savings), recommendations.c.id)
            .offset(page.offset)
            .limit(page.limit + 1)
        )
        with self.engine.connect() as connection:
            rows = [dict(row._mapping) for row in connection.execute(query)]
        shown, after = page_rows(rows, page, lambda row: (float(row["_savings"]), int(row["id"])))
        return [_readable({k: v for k, v in r.items() if k != "_savings"}) for r in shown], after

    def superseded(self, *, plan_run_id: int) -> list[RecommendationState]:
        query = (
            select(recommendations)
            .where(
                recommendations.c.plan_run_id < plan_run_id,
                recommendations.c.status.in_([status.value for status in _OPEN]),
            )
            .order_by(recommendations.c.id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [_state(dict(row._mapping), ()) for row in rows]

    def last_order_quantities(self) -> dict[tuple[str, str], float]:
        po = canonical_tables["purchase_orders"]
        pol = canonical_tables["purchase_order_lines"]
        newest = (
            select(
                pol.c.sku,
                po.c.supplier_code,
                pol.c.ordered_quantity,
                func.row_number()
                .over(
                    partition_by=(pol.c.sku, po.c.supplier_code),
                    order_by=(desc(po.c.order_date), desc(po.c.po_number)),
                )
                .label("rank"),
            )
            .join(po, po.c.po_number == pol.c.po_number)
            .subquery()
        )
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(newest.c.sku, newest.c.supplier_code, newest.c.ordered_quantity).where(
                    newest.c.rank == 1
                )
            ).all()
        return {(str(sku), str(supplier)): float(qty) for sku, supplier, qty in rows}

    def apply(
        self, changes: Sequence[StatusChange], entries: Sequence[EntryDraft]
    ) -> list[LedgerEntry]:
        with self.engine.begin() as connection:
            for change in changes:
                _change(connection, change)
            return append_entries(connection, entries)

    # ------------------------------------------------------------ the audit ledger

    def append(self, entries: Sequence[EntryDraft]) -> list[LedgerEntry]:
        with self.engine.begin() as connection:
            return append_entries(connection, entries)

    def ledger(self, *, recommendation_id: int | None = None) -> Iterator[dict[str, Any]]:
        query = select(audit_ledger).order_by(audit_ledger.c.seq)
        if recommendation_id is not None:
            query = query.where(audit_ledger.c.recommendation_id == recommendation_id)
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=_LEDGER_BATCH).execute(query)
            for row in result:
                yield dict(row._mapping)

    def ledger_page(
        self, *, where: LedgerFilter, page: PageRequest
    ) -> tuple[list[dict[str, Any]], Key | None]:
        query = select(audit_ledger)
        if where.recommendation_id is not None:
            query = query.where(audit_ledger.c.recommendation_id == where.recommendation_id)
        if where.actor is not None:
            query = query.where(audit_ledger.c.actor == where.actor)
        if where.event is not None:
            query = query.where(audit_ledger.c.event == where.event)
        if where.since is not None:
            query = query.where(audit_ledger.c.at >= where.since)
        if page.after is not None:
            query = query.where(audit_ledger.c.seq < page.after[0])
        query = query.order_by(desc(audit_ledger.c.seq)).offset(page.offset).limit(page.limit + 1)
        with self.engine.connect() as connection:
            rows = [dict(row._mapping) for row in connection.execute(query)]
        return page_rows(rows, page, lambda row: (int(row["seq"]),))

    def head(self) -> ChainHead:
        with self.engine.connect() as connection:
            row = connection.execute(select(audit_head).where(audit_head.c.id == 1)).one()
        return ChainHead(
            seq=row.seq, hash=row.hash, anchor_seq=row.anchor_seq, anchor_hash=row.anchor_hash
        )

    def purge_ledger(self, *, before: datetime) -> int:
        with self.engine.begin() as connection:
            lock_head(connection)
            head = connection.execute(select(audit_head).where(audit_head.c.id == 1)).one()
            # a prefix only: the newest entry older than `before`, and all before it
            last = connection.execute(
                select(audit_ledger.c.seq, audit_ledger.c.hash)
                .where(audit_ledger.c.at < before)
                .order_by(desc(audit_ledger.c.seq))
                .limit(1)
            ).first()
            if last is None or last.seq <= head.anchor_seq:
                return 0
            purged = connection.execute(
                delete(audit_ledger).where(audit_ledger.c.seq <= last.seq)
            ).rowcount
            connection.execute(
                update(audit_head)
                .where(audit_head.c.id == 1)
                .values(anchor_seq=last.seq, anchor_hash=last.hash)
            )
            return int(purged)

    # ------------------------------------------------------------ users and tokens

    def principal(self, username: str) -> Principal | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(users).where(users.c.username == username, users.c.active.is_(True))
            ).first()
        if row is None:
            return None
        permissions = json.loads(row.permissions) if row.permissions else {}
        return Principal(
            username=row.username,
            kind=row.kind,
            roles=frozenset(Role(role) for role in json.loads(row.roles)),
            sites=frozenset(json.loads(row.sites)) if row.sites else None,
            agent_actions=_optional_set(permissions.get("actions")),
            agent_data=_optional_set(permissions.get("data")),
        )

    def password_hash(self, username: str) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(
                select(users.c.password_hash).where(
                    users.c.username == username,
                    users.c.active.is_(True),
                    users.c.kind == "person",
                )
            ).scalar_one_or_none()

    def save_user(self, user: Mapping[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(users).where(users.c.username == user["username"]))
            connection.execute(insert(users).values(**user))

    def users(self) -> list[dict[str, Any]]:
        columns = [column for column in users.c if column.name != "password_hash"]
        with self.engine.connect() as connection:
            rows = connection.execute(select(*columns).order_by(users.c.username)).all()
        return [dict(row._mapping) for row in rows]

    def save_api_token(self, *, username: str, name: str, token_hash: str, at: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(api_tokens).values(
                    username=username, name=name, token_hash=token_hash, created_at=at
                )
            )

    def token_user(self, token_hash: str, *, at: datetime) -> str | None:
        with self.engine.begin() as connection:
            row = connection.execute(
                select(api_tokens.c.id, api_tokens.c.username, api_tokens.c.expires_at).where(
                    api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)
                )
            ).first()
            if row is None or (row.expires_at is not None and _aware(row.expires_at) <= at):
                return None
            connection.execute(
                update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=at)
            )
            return str(row.username)

    # ------------------------------------------------------------ approval policies

    def save_policy(self, policy: StoredPolicy) -> None:
        with self.engine.begin() as connection:
            connection.execute(update(approval_policies).values(active=False))
            connection.execute(
                delete(approval_policies).where(approval_policies.c.version == policy.version)
            )
            connection.execute(
                insert(approval_policies).values(
                    version=policy.version,
                    loaded_at=policy.loaded_at,
                    loaded_by=policy.loaded_by,
                    documents=json.dumps(dict(policy.documents)),
                    active=True,
                )
            )

    def active_policy(self) -> StoredPolicy | None:
        return self._policy(approval_policies.c.active.is_(True))

    def policy(self, version: str) -> StoredPolicy | None:
        return self._policy(approval_policies.c.version == version)

    def _policy(self, condition: Any) -> StoredPolicy | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(approval_policies).where(condition)).first()
        if row is None:
            return None
        return StoredPolicy(
            version=row.version,
            documents=json.loads(row.documents),
            loaded_at=row.loaded_at,
            loaded_by=row.loaded_by,
        )


_SUPPLIER_KINDS = ("buy", "expedite")  # their from_code is the supplier


def _recommendation_conditions(
    dialect: str, where: RecommendationFilter
) -> list[ColumnElement[bool]]:
    """The filters as SQL; with no plan run named, the newest plan's rows and what
    agents proposed (as `recommendation_rows`)."""
    c = recommendations.c
    if where.plan_run_id is None:
        newest = select(func.max(c.plan_run_id)).scalar_subquery()
        conditions: list[ColumnElement[bool]] = [
            (c.plan_run_id == newest) | c.plan_run_id.is_(None)
        ]
    else:
        conditions = [c.plan_run_id == where.plan_run_id]
    if where.status is not None:
        conditions.append(c.status == where.status)
    if where.kind is not None:
        conditions.append(c.kind == where.kind)
    if where.agent is not None:
        conditions.append(c.agent == where.agent)
    if where.site is not None:
        conditions.append((c.to_code == where.site) | (c.from_code == where.site))
    if where.supplier is not None:
        conditions.append(c.kind.in_(_SUPPLIER_KINDS) & (c.from_code == where.supplier))
    if where.customer_tier is not None:
        conditions.append(_drivers_text(dialect, "customer_tier") == where.customer_tier)
    if where.sites is not None:
        conditions.append(c.to_code.in_(sorted(where.sites)))
    return conditions


def _drivers_text(dialect: str, key: str) -> ColumnElement[Any]:
    """A top-level text value of the drivers JSON, read by the database."""
    if dialect == "postgresql":
        text: ColumnElement[Any] = cast(recommendations.c.drivers, JSONB)[key].astext
        return text
    return func.json_extract(recommendations.c.drivers, f"$.{key}")


def _change(connection: Connection, change: StatusChange) -> None:
    values = {
        **change.fields,
        "status": change.to_status.value,
        "version": recommendations.c.version + 1,
        "status_changed_at": change.at,
    }
    moved = connection.execute(
        update(recommendations)
        .where(
            recommendations.c.id == change.recommendation_id,
            recommendations.c.version == change.expected_version,
        )
        .values(**values)
    ).rowcount
    if moved != 1:
        raise ConcurrentDecision(
            recommendation_id=change.recommendation_id, expected_version=change.expected_version
        )
    if change.clear_approvals:
        connection.execute(
            delete(approvals).where(approvals.c.recommendation_id == change.recommendation_id)
        )
    if change.approval is not None:
        connection.execute(
            insert(approvals).values(
                recommendation_id=change.recommendation_id,
                approver=change.approval.approver,
                role=change.approval.role,
                step=change.approval.step,
                at=change.approval.at,
            )
        )


def _state(row: Mapping[str, Any], given: Sequence[Any]) -> RecommendationState:
    return RecommendationState(
        id=int(row["id"]),
        plan_run_id=None if row["plan_run_id"] is None else int(row["plan_run_id"]),
        status=Status(row["status"]),
        version=int(row["version"]),
        kind=str(row["kind"]),
        sku=str(row["sku"]),
        from_code=row["from_code"],
        to_code=str(row["to_code"]),
        quantity=float(row["quantity"]),
        expected_arrival_date=row["expected_arrival_date"],
        order_value=_float(row["order_value"]),
        action_cost=float(row["action_cost"]),
        savings=float(row["savings"]),
        confidence=float(row["confidence"]),
        model_version=str(row["model_version"]),
        import_run_id=row["import_run_id"],
        proposed_by=row["proposed_by"],
        modified_by=row["modified_by"],
        approved_quantity=row["approved_quantity"],
        approved_arrival_date=row["approved_arrival_date"],
        approval_policy_version=row["approval_policy_version"],
        routing=json.loads(row["routing"]) if row["routing"] else None,
        risk=_do_nothing_shortage(row["alternatives"]),
        customer_tier=_customer_tier(row["drivers"]),
        agent=row["agent"],
        source_event_id=row["source_event_id"],
        approvals=tuple(
            Approval(approver=a.approver, role=a.role, step=a.step, at=a.at) for a in given
        ),
    )


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    """A row with money as float, dates as ISO text and the JSON columns parsed."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, Decimal):
            out[key] = float(value)
        elif isinstance(value, datetime | date):
            out[key] = value.isoformat()
        elif key in ("alternatives", "drivers", "routing") and isinstance(value, str):
            out[key] = json.loads(value)
        else:
            out[key] = value
    return out


def _do_nothing_shortage(alternatives: str | None) -> float | None:
    for option in json.loads(alternatives or "[]"):
        if option.get("alternative") == "none":
            value = option.get("shortage")
            return None if value is None else float(value)
    return None


def _customer_tier(drivers: str | None) -> str | None:
    """The tier of the customer an agent's proposal serves or takes stock from."""
    parsed = json.loads(drivers or "{}")
    tier = parsed.get("customer_tier") if isinstance(parsed, dict) else None
    return None if tier is None else str(tier)


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _optional_set(values: Sequence[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def _aware(moment: datetime) -> datetime:
    # SQLite gives times back naive; they were written in UTC
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
