"""Typed settings, read from the environment (prefix CROSSDOCK_) when first asked for."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./crossdock.db"


class Settings(BaseSettings):
    """Where Crossdock keeps its data and how it runs.

    `CROSSDOCK_DATABASE_URL` selects the store: the embedded default is a SQLite file
    in the working directory; `postgresql+psycopg://user@host:5432/db` scales out.
    """

    model_config = SettingsConfigDict(env_prefix="CROSSDOCK_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    stale_snapshot_days: int = 2
    # `demo` allows the built-in demo secret and demo users; anything else needs
    # CROSSDOCK_SECRET_KEY (32+ characters) to sign people's access tokens.
    mode: Literal["production", "demo"] = "production"
    secret_key: SecretStr | None = None
    access_token_minutes: int = 60
    # audit entries older than this may be purged (after export); None keeps all
    audit_retention_days: int | None = None
    # a broker between the outbox and the workers: nats://host:4222 (JetStream); None
    # delivers in-process from the database (the embedded default)
    bus_url: str | None = None
    bus_namespace: str = "crossdock"
    bus_ack_wait_seconds: float = 30.0
    # agents that run per site rather than for the whole network: agent name to site
    # codes, as JSON in the environment (docs/agents.md, Agents per site)
    agent_sites: dict[str, list[str]] = {}
    # reads the agents remember per worker between imports (docs/agents.md, Throughput);
    # 0 reads everything anew for every event
    agent_memory: int = Field(default=50_000, ge=0)
    # logs of long-running commands: text or json lines on stderr
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    # when the worker runs each scheduled job, over the defaults (docs/agents.md, Cadence):
    # `plan=daily@02:00, po_acknowledgement=every 1h`; `off` stops a job
    schedules: str = ""
    # a PO line still unacknowledged this many days after the PO was sent is chased
    po_acknowledgement_days: int = 2
    # TOML plan settings the scheduled plan runs with (as `crossdock plan --settings`)
    plan_settings: Path | None = None
    # the copilot ranks passages by embeddings as well as BM25 when the `semantic` extra
    # is installed; false keeps BM25 only (docs/copilot.md, Retrieval)
    copilot_embeddings: bool = True
    # the copilot's language model, any OpenAI-compatible chat-completions server (vLLM,
    # Ollama, llama.cpp server, a hosted provider): its base URL (".../v1"), model and
    # key; without a URL the copilot answers with its deterministic grounded answerer
    copilot_llm_url: str | None = None
    copilot_llm_model: str = "default"
    copilot_llm_api_key: SecretStr | None = None
    copilot_llm_timeout_seconds: float = Field(default=60.0, gt=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
