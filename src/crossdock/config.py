"""Typed settings, read from the environment (prefix CROSSDOCK_) when first asked for."""

from __future__ import annotations

from functools import lru_cache

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
