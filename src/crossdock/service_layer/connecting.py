"""Connections at work: read a system of record into the canonical model, write approved
recommendations back as drafts, and follow those drafts until the ERP's users act.

- `sync`: what changed since the connection's cursor lands as one import run (kind
  `connector`), validated and quarantined like any import; the cursor moves only when
  the run succeeded, so a failed sync is read again next time.
- `push`: each approved (auto-approved, modified) recommendation of a kind the
  connector writes goes to `executing` (a ledger entry, as the system), then to the
  connector. Written: the document is recorded on it (`erp_document`, a `draft_written`
  entry) and it stays `executing` until its users act. The ERP cannot be reached: it
  stays `executing` with the error and the time of the next try (`erp_error`,
  `erp_retry_at`, an `erp_unreachable` entry), tried again with a growing wait; nothing
  is lost, and the connector finds the document by its reference if the first try did
  write it. The ERP refuses it: `failed`, with the ERP's own message as the reason.
- `read_back`: drafts the ERP's users confirmed move to `committed`, those they
  cancelled or deleted to `cancelled`.

Every step is a lifecycle decision (`deciding.decide`) or a ledger entry of its own.
Documents are named `<connection>:<the connector's id>` (`tryton:purchase.purchase,12`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crossdock.domain.lifecycle import Action, Status
from crossdock.governance.access import SYSTEM
from crossdock.governance.ledger import EntryDraft
from crossdock.governance.policy import PolicySet
from crossdock.service_layer.connector_ports import (
    Connection,
    ConnectionStore,
    Connector,
    DraftStore,
    ErpRejected,
    ErpUnavailable,
    PendingDraft,
)
from crossdock.service_layer.deciding import Decide, decide
from crossdock.service_layer.governance_ports import (
    ConcurrentDecision,
    GovernanceStore,
    StatusChange,
)
from crossdock.service_layer.importing import ImportOutcome, import_sources
from crossdock.service_layer.ports import CanonicalStore

FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=1)
_NOT_WRITTEN = {"recommend_only"}  # policy tiers Crossdock never writes into the ERP


@dataclass
class PushReport:
    """What one push did, by recommendation id."""

    written: dict[int, str] = field(default_factory=dict)  # id -> document
    unreachable: dict[int, str] = field(default_factory=dict)  # id -> error
    refused: dict[int, str] = field(default_factory=dict)  # id -> the ERP's message
    skipped: dict[int, str] = field(default_factory=dict)  # id -> why

    def to_json(self) -> dict[str, Any]:
        return {
            "written": {str(k): v for k, v in self.written.items()},
            "unreachable": {str(k): v for k, v in self.unreachable.items()},
            "refused": {str(k): v for k, v in self.refused.items()},
            "skipped": {str(k): v for k, v in self.skipped.items()},
        }


@dataclass
class ReadBackReport:
    committed: dict[int, str] = field(default_factory=dict)  # id -> the ERP's state
    cancelled: dict[int, str] = field(default_factory=dict)
    waiting: int = 0  # still drafts

    def to_json(self) -> dict[str, Any]:
        return {
            "committed": {str(k): v for k, v in self.committed.items()},
            "cancelled": {str(k): v for k, v in self.cancelled.items()},
            "waiting": self.waiting,
        }


def sync(
    connector: Connector,
    connection: Connection,
    *,
    store: CanonicalStore,
    connections: ConnectionStore,
    now: datetime,
    full: bool = False,
    progress: Callable[[str, int], Any] | None = None,
) -> ImportOutcome | None:
    """Read what changed since the cursor (everything when `full`) as one import run;
    None when nothing was read. A failure is recorded on the connection and raised."""
    try:
        snapshot = connector.read(since=None if full else connection.cursor)
        if not snapshot.frames:
            connections.record_sync(connection.name, at=now, status="succeeded",
                                    cursor=snapshot.cursor)  # fmt: skip
            return None
        outcome = import_sources(
            snapshot.frames,
            store=store,
            kind="connector",
            description=f"{connection.kind} {connection.name}",
            as_of=snapshot.as_of,
            progress=progress,
        )
    except Exception as error:
        connections.record_sync(connection.name, at=now, status="failed", error=str(error))
        raise
    connections.record_sync(connection.name, at=now, status="succeeded", cursor=snapshot.cursor)
    return outcome


def push(
    connector: Connector,
    *,
    governance: GovernanceStore,
    drafts: DraftStore,
    now: datetime,
    policy: PolicySet | None = None,
) -> PushReport:
    """Write every approved recommendation the connector can take as a draft."""
    report = PushReport()
    for pending in drafts.drafts_to_write(sorted(connector.capabilities.writes), now=now):
        rec = pending.draft.recommendation_id
        if pending.tier in _NOT_WRITTEN:
            report.skipped[rec] = "recommend-only under its policy: act on it in the ERP"
            continue
        if pending.status != Status.EXECUTING.value:
            try:
                decide(governance, Decide(recommendation_id=rec, action=Action.EXECUTE,
                                          reason=f"writing a draft into {connector.name}"),
                       actor=SYSTEM, now=now, policy=policy)  # fmt: skip
            except Exception as error:  # noqa: BLE001 - one refusal never stops the rest
                report.skipped[rec] = str(error)
                continue
        _write(connector, pending, governance=governance, drafts=drafts, now=now, report=report)
    return report


def read_back(
    connector: Connector, *, governance: GovernanceStore, drafts: DraftStore, now: datetime
) -> ReadBackReport:
    """Move drafts the ERP's users confirmed to committed, cancelled ones to cancelled."""
    report = ReadBackReport()
    written = drafts.drafts_written(connector.name)
    prefix = f"{connector.name}:"
    states = connector.document_states(
        [p.erp_document.removeprefix(prefix) for p in written if p.erp_document]
    )
    for pending in written:
        document = pending.erp_document or ""
        state = states.get(document.removeprefix(prefix))
        rec = pending.draft.recommendation_id
        if state is None or state.status == "draft":
            report.waiting += 1
            continue
        if state.status == "confirmed":
            action, reason = Action.COMMIT, f"confirmed in {connector.name} ({state.erp_state})"
            report.committed[rec] = state.erp_state
        else:
            gone = "deleted" if state.status == "missing" else "cancelled"
            action, reason = Action.CANCEL, f"the draft was {gone} in {connector.name}"
            report.cancelled[rec] = state.erp_state
        decide(governance, Decide(recommendation_id=rec, action=action, reason=reason,
                                  erp_document=document), actor=SYSTEM, now=now)  # fmt: skip
    return report


def retry_wait(attempts: int) -> timedelta:
    """How long after the `attempts`-th failed try the next one is due."""
    wait: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LAST_RETRY)


def _write(
    connector: Connector,
    pending: PendingDraft,
    *,
    governance: GovernanceStore,
    drafts: DraftStore,
    now: datetime,
    report: PushReport,
) -> None:
    rec, attempts = pending.draft.recommendation_id, pending.erp_attempts + 1
    try:
        document = f"{connector.name}:{connector.write_draft(pending.draft)}"
    except ErpUnavailable as error:
        retry_at = now + retry_wait(attempts)
        drafts.record_erp_try(rec, error=str(error), attempts=attempts, retry_at=retry_at)
        governance.append([_entry(rec, "erp_unreachable", now, reason=str(error),
                                  detail={"connection": connector.name, "attempt": attempts,
                                          "retry_at": retry_at.isoformat()})])  # fmt: skip
        report.unreachable[rec] = str(error)
        return
    except ErpRejected as error:
        drafts.record_erp_try(rec, error=str(error), attempts=attempts, retry_at=None)
        decide(governance, Decide(recommendation_id=rec, action=Action.FAIL,
                                  reason=f"{connector.name} refused it: {error}"),
               actor=SYSTEM, now=now)  # fmt: skip
        report.refused[rec] = str(error)
        return
    _record(governance, rec, document, attempts=attempts, connection=connector.name, now=now)
    report.written[rec] = document


def _record(
    governance: GovernanceStore,
    rec: int,
    document: str,
    *,
    attempts: int,
    connection: str,
    now: datetime,
) -> None:
    """The document on the recommendation, still `executing`, with its ledger entry."""
    for _ in range(3):
        state = governance.recommendation(rec)
        if state is None:
            return
        change = StatusChange(
            recommendation_id=rec,
            expected_version=state.version,
            to_status=Status.EXECUTING,
            at=now,
            fields={"erp_document": document, "erp_error": None, "erp_retry_at": None,
                    "erp_attempts": attempts},
        )  # fmt: skip
        entry = _entry(rec, "draft_written", now, document=document,
                       detail={"connection": connection, "attempt": attempts})  # fmt: skip
        try:
            governance.apply([change], [entry])
            return
        except ConcurrentDecision:
            continue  # someone decided meanwhile: read it again


def _entry(
    rec: int,
    event: str,
    now: datetime,
    *,
    reason: str | None = None,
    document: str | None = None,
    detail: dict[str, Any] | None = None,
) -> EntryDraft:
    return EntryDraft(
        actor=SYSTEM.username,
        event=event,
        at=now,
        recommendation_id=rec,
        from_status=Status.EXECUTING.value,
        to_status=Status.EXECUTING.value,
        reason=reason,
        erp_document=document,
        detail=detail or {},
    )


def run_connections(
    connections: ConnectionStore,
    open_connector: Callable[[Connection], Connector],
    *,
    store: CanonicalStore,
    governance: GovernanceStore,
    drafts: DraftStore,
    policy: Callable[[], PolicySet | None],
    now: datetime,
) -> dict[str, Any]:
    """The scheduled job: for every connection to a system of record, sync, write the
    approved drafts and read their states back. One connection failing is reported and
    the others still run; an inbox folder is watched by `crossdock connect drop`."""
    summary: dict[str, Any] = {}
    for connection in connections.connections():
        try:
            connector = open_connector(connection)
        except Exception as error:  # noqa: BLE001 - reported, the others still run
            summary[connection.name] = {"error": str(error)}
            continue
        try:
            if connector.capabilities.events:
                continue
            done: dict[str, Any] = {}
            if connector.capabilities.reads:
                imported = sync(connector, connection, store=store, connections=connections,
                                now=now)  # fmt: skip
                done["import_run_id"] = imported.run_id if imported else None
            if connector.capabilities.writes:
                done["push"] = push(connector, governance=governance, drafts=drafts, now=now,
                                    policy=policy()).to_json()  # fmt: skip
                done["read_back"] = read_back(
                    connector, governance=governance, drafts=drafts, now=now
                ).to_json()
            summary[connection.name] = done
        except Exception as error:  # noqa: BLE001 - reported, the others still run
            summary[connection.name] = {"error": str(error)}
        finally:
            connector.close()
    return summary
