"""Real databases for integration tests: a SQLite file and a fresh PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from tests.conftest import require

POSTGRES_ADMIN_URL = os.environ.get(
    "CROSSDOCK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped after the test."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"crossdock_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        require(
            condition=False,
            reason=f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error.orig}",
        )
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on the embedded store and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crossdock.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def crossdock(database_url: str) -> Iterator[Crossdock]:
    """A migrated Crossdock on `database_url`."""
    wired = bootstrap(Settings(database_url=database_url))
    wired.migrate()
    yield wired
    wired.engine.dispose()


from tests.integration.broker_fixtures import bus_config, private_nats  # noqa: E402, F401 - fixtures
