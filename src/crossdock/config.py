"""Typed settings, read from the environment (prefix CROSSDOCK_) when first asked for."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import SecretStr
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
