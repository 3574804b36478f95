"""The composition root: the only module that wires concrete adapters to the service layer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from crossdock.adapters.db.agent_store import SqlAgentData
from crossdock.adapters.db.connection_store import SqlConnectionStore
from crossdock.adapters.db.engine import make_engine
from crossdock.adapters.db.event_store import SqlEventStore
from crossdock.adapters.db.governance_store import SqlGovernanceStore
from crossdock.adapters.db.migrate import current_revision, head_revision, upgrade_to_head
from crossdock.adapters.db.schedule_store import SqlScheduleStore
from crossdock.config import Settings, get_settings
from crossdock.domain.errors import CrossdockError
from crossdock.governance.credentials import check_secret
from crossdock.governance.policy import PolicySet

if TYPE_CHECKING:
    from crossdock.adapters.bus.jetstream import JetStream
    from crossdock.adapters.db.copilot_reads import SqlCopilotReads
    from crossdock.adapters.db.evidence_reads import SqlEvidenceReads
    from crossdock.adapters.db.exception_reads import SqlExceptionReads
    from crossdock.adapters.db.knowledge_store import SqlKnowledgeStore
    from crossdock.adapters.db.kpi_reads import SqlKpiReads
    from crossdock.adapters.db.network_reads import SqlNetworkReads
    from crossdock.adapters.db.outcome_store import SqlOutcomeStore
    from crossdock.adapters.db.store import SqlCanonicalStore
    from crossdock.adapters.db.work_queue_reads import SqlWorkQueueReads
    from crossdock.copilot.model import Answer
    from crossdock.governance.access import Principal
    from crossdock.service_layer.assistant_ports import ChatModel
    from crossdock.service_layer.cadence import ScheduledJob
    from crossdock.service_layer.connector_ports import Connection, Connector
    from crossdock.service_layer.copilot_search import PassageSearch
    from crossdock.service_layer.ports import SourceFrame

# The canonical and outcome stores, the file reader, the broker client and the
# scheduled jobs (which plan) pull in pandas, NATS or the planning engine: they are
# imported where first used, so a command that needs none of them (`crossdock events
# status`, `crossdock audit verify`) starts without paying for them.


class DatabaseNotReady(CrossdockError):
    """The database is missing its schema or is behind the code's migrations."""


@dataclass
class Crossdock:
    """A configured Crossdock: settings, the database engine and the stores over it.

    The canonical and outcome stores, which work on pandas frames, are built on first
    use."""

    settings: Settings
    engine: Engine
    governance: SqlGovernanceStore
    events: SqlEventStore
    agent_data: SqlAgentData
    schedules: SqlScheduleStore

    @cached_property
    def store(self) -> SqlCanonicalStore:
        """The canonical records, import runs and plans."""
        from crossdock.adapters.db.store import SqlCanonicalStore  # noqa: PLC0415

        return SqlCanonicalStore(self.engine)

    @cached_property
    def connections(self) -> SqlConnectionStore:
        """Connections to systems of record, and the recommendations' ERP write-back."""
        return SqlConnectionStore(self.engine)

    @cached_property
    def evidence_reads(self) -> SqlEvidenceReads:
        """What a recommendation's evidence charts read: history, stock, supply, receipts."""
        from crossdock.adapters.db.evidence_reads import SqlEvidenceReads  # noqa: PLC0415

        return SqlEvidenceReads(self.engine)

    @cached_property
    def exceptions(self) -> SqlExceptionReads:
        """What needs a person besides recommendations (dead letters, quarantine ...)."""
        from crossdock.adapters.db.exception_reads import SqlExceptionReads  # noqa: PLC0415

        return SqlExceptionReads(self.engine)

    @cached_property
    def knowledge(self) -> SqlKnowledgeStore:
        """The copilot's documents, their versions and passages."""
        from crossdock.adapters.db.knowledge_store import SqlKnowledgeStore  # noqa: PLC0415

        return SqlKnowledgeStore(self.engine)

    @cached_property
    def kpi_reads(self) -> SqlKpiReads:
        """The KPI dashboard's reads."""
        from crossdock.adapters.db.kpi_reads import SqlKpiReads  # noqa: PLC0415

        return SqlKpiReads(self.engine)

    @cached_property
    def copilot_reads(self) -> SqlCopilotReads:
        """What the copilot's read-only tools read: orders, stock, POs, the plan."""
        from crossdock.adapters.db.copilot_reads import SqlCopilotReads  # noqa: PLC0415

        return SqlCopilotReads(self.engine)

    @cached_property
    def passage_search(self) -> PassageSearch:
        """The copilot's search indexes, with embeddings when the `semantic` extra is
        installed and CROSSDOCK_COPILOT_EMBEDDINGS is not off."""
        from crossdock.adapters.embeddings import available_embedder  # noqa: PLC0415
        from crossdock.service_layer.copilot_search import PassageSearch  # noqa: PLC0415

        return PassageSearch(available_embedder(self.settings))

    def chat_model(self) -> ChatModel | None:
        """The copilot's language model the settings name; None: answer grounded."""
        if not self.settings.copilot_llm_url:
            return None
        from crossdock.adapters.llm.openai_chat import OpenAIChat  # noqa: PLC0415

        key = self.settings.copilot_llm_api_key
        return OpenAIChat(
            base_url=self.settings.copilot_llm_url,
            model=self.settings.copilot_llm_model,
            api_key=None if key is None else key.get_secret_value(),
            timeout_seconds=self.settings.copilot_llm_timeout_seconds,
        )

    def ask_copilot(
        self,
        question: str,
        *,
        actor: Principal,
        now: datetime,
        history: Sequence[str] = (),
        use_model: bool = True,
    ) -> Answer:
        """The copilot's answer to `question` for `actor` (service_layer/assistant.py),
        with the tools, documents, draft filing and model wired here."""
        from crossdock.service_layer.assistant import ask  # noqa: PLC0415
        from crossdock.service_layer.copilot_drafts import draft_filer  # noqa: PLC0415
        from crossdock.service_layer.copilot_tools import CopilotTools  # noqa: PLC0415
        from crossdock.service_layer.knowledge import visible_passages  # noqa: PLC0415

        tools = CopilotTools(
            reads=self.copilot_reads,
            queue=self.work_queue_reads,
            kpi_reads=self.kpi_reads,
            outcomes=self.outcomes,
            principal=actor,
            today=now.date(),
        )
        passages = visible_passages(self.knowledge, actor)
        return ask(
            question,
            actor=actor,
            now=now,
            toolbox=tools,
            retrieve=self.passage_search.retrieve(passages, on=now.date()),
            ledger=self.governance,
            file_draft=draft_filer(
                sink=self.agent_data, governance=self.governance, policy=self.approval_policy
            ),
            model=self.chat_model() if use_model else None,
            history=history,
        )

    @cached_property
    def network(self) -> SqlNetworkReads:
        """The network view's reads: warehouses, stock, orders and transfers."""
        from crossdock.adapters.db.network_reads import SqlNetworkReads  # noqa: PLC0415

        return SqlNetworkReads(self.engine)

    def connector(self, connection: Connection) -> Connector:
        """A connector for `connection`, from the installed connectors (entry points)."""
        from crossdock.adapters.connectors.registry import open_connector  # noqa: PLC0415

        return open_connector(connection)

    @cached_property
    def work_queue_reads(self) -> SqlWorkQueueReads:
        """The planner's work queue: open recommendations by money at risk, the ledger."""
        from crossdock.adapters.db.work_queue_reads import SqlWorkQueueReads  # noqa: PLC0415

        return SqlWorkQueueReads(self.engine)

    @cached_property
    def outcomes(self) -> SqlOutcomeStore:
        """What decided recommendations turned out to be worth."""
        from crossdock.adapters.db.outcome_store import SqlOutcomeStore  # noqa: PLC0415

        return SqlOutcomeStore(self.engine)

    def broker(self) -> JetStream | None:
        """The message broker the settings name, not yet connected; None: in-process."""
        from crossdock.adapters.bus.jetstream import (  # noqa: PLC0415
            BrokerUnavailable,
            JetStream,
            JetStreamConfig,
        )

        url = self.settings.bus_url
        if not url:
            return None
        if not url.startswith(("nats://", "tls://")):
            raise BrokerUnavailable(
                f"CROSSDOCK_BUS_URL {url!r} is not a NATS address (nats://host:4222)"
            )
        return JetStream(
            JetStreamConfig(
                url=url,
                namespace=self.settings.bus_namespace,
                ack_wait_seconds=self.settings.bus_ack_wait_seconds,
            )
        )

    def approval_policy(self) -> PolicySet | None:
        """The active approval policy, rebuilt from the files as they were loaded."""
        stored = self.governance.active_policy()
        return None if stored is None else PolicySet.from_texts(stored.documents)

    def scheduled_jobs(self) -> list[ScheduledJob]:
        """The jobs the worker runs on a schedule, as the settings set them."""
        from crossdock.service_layer.plan_settings import (  # noqa: PLC0415
            load_plan_settings,
            plan_settings,
        )
        from crossdock.service_layer.scheduled_jobs import (  # noqa: PLC0415
            scheduled_jobs as job_registry,
        )

        given = self.settings.plan_settings
        connections = partial(_run_connections, self)
        return job_registry(
            planning=self.store,
            governance=self.governance,
            events=self.events,
            acknowledgements=self.schedules,
            approval_policy=self.approval_policy,
            plan_settings=load_plan_settings(given) if given else plan_settings({}),
            acknowledgement_days=self.settings.po_acknowledgement_days,
            schedules=self.settings.schedules,
            connections=connections,
        )

    def signing_secret(self) -> str:
        """The secret that signs access tokens; refuses to run without one outside demo."""
        given = self.settings.secret_key
        return check_secret(given.get_secret_value() if given else None, mode=self.settings.mode)

    def migrate(self) -> str:
        """Create or migrate the schema; returns the revision now in place."""
        return upgrade_to_head(self.engine)

    def require_current_schema(self) -> None:
        """Raise DatabaseNotReady unless the schema is at the newest migration."""
        revision = current_revision(self.engine)
        if revision != head_revision():
            where = self.engine.url.render_as_string(hide_password=True)
            state = "not initialised" if revision is None else f"at revision {revision}"
            raise DatabaseNotReady(f"database {where} is {state}: run `crossdock init`")

    def read_sources(self, path: Path) -> tuple[list[SourceFrame], list[tuple[Path, str]]]:
        """Entity files under `path` as source frames, and the files that were ignored."""
        from crossdock.adapters.files.reader import read_folder  # noqa: PLC0415
        from crossdock.service_layer.ports import SourceFrame  # noqa: PLC0415

        scan = read_folder(path)
        frames = [
            SourceFrame(entity=found.entity, source=str(found.path), frame=found.frame)
            for found in scan.files
        ]
        return frames, list(scan.ignored)


def _run_connections(crossdock: Crossdock, now: datetime) -> dict[str, Any]:
    """The `connections` job over this Crossdock's stores and installed connectors
    (imported when it runs: the import path pulls in pandas)."""
    from crossdock.service_layer.connecting import run_connections  # noqa: PLC0415

    return run_connections(
        crossdock.connections,
        crossdock.connector,
        store=crossdock.store,
        governance=crossdock.governance,
        drafts=crossdock.connections,
        policy=crossdock.approval_policy,
        now=now,
    )


def bootstrap(settings: Settings | None = None) -> Crossdock:
    """Wire Crossdock for `settings` (default: read from the environment)."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    return Crossdock(
        settings=settings,
        engine=engine,
        governance=SqlGovernanceStore(engine),
        events=SqlEventStore(engine),
        agent_data=SqlAgentData(engine, remember=settings.agent_memory),
        schedules=SqlScheduleStore(engine),
    )
