"""A real Tryton for the connector's tests: a database made by `trytond-admin` with the
stock, purchase and sale modules and the small network of `tryton_network.py`, once per
test session and backend (SQLite file, PostgreSQL template database), then copied for
each test and served by a `trytond` process of its own on a free loopback port.

Sessions expire `SESSION_SECONDS` after login on these servers (`session.max_age`;
Tryton's default is 30 days), so the connector's re-login is exercised for real.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import require
from tests.integration.conftest import POSTGRES_ADMIN_URL

PASSWORD = "tryton-admin-password"
SESSION_SECONDS = 5
MODULES = ("stock", "purchase", "sale", "stock_supply", "purchase_request")
BIN = Path(sys.executable).parent
NETWORK = Path(__file__).with_name("tryton_network.py")
PG_URI = "postgresql://postgres@127.0.0.1:5432/"


@dataclass
class TrytonServer:
    """A running trytond on one database; stop and start it again at will."""

    backend: str
    database: str
    folder: Path
    uri: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    network: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config(self) -> Path:
        return self.folder / "trytond.conf"

    def env(self) -> dict[str, str]:
        """The environment trytond (and an in-process proteus) reads its database from."""
        return {**os.environ, "TRYTOND_DATABASE__URI": self.uri,
                "TRYTOND_DATABASE__PATH": str(self.folder)}  # fmt: skip

    def start(self) -> None:
        self.port = self.port or _free_port()
        self.config.write_text(
            f"[web]\nlisten = 127.0.0.1:{self.port}\n"
            f"[database]\nuri = {self.uri}\npath = {self.folder}\n"
            f"[session]\ntimeout = {SESSION_SECONDS}\nmax_age = {SESSION_SECONDS}\n"
        )
        log = (self.folder / "trytond.log").open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "trytond"), "-c", str(self.config), "-d", self.database],
            stdout=log, stderr=subprocess.STDOUT, env=self.env(),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"trytond exited: {(self.folder / 'trytond.log').read_text()}")
            try:
                login = httpx.post(
                    f"{self.url}/{self.database}/rpc/",
                    json={"id": 0, "method": "common.db.login",
                          "params": ["admin", {"password": PASSWORD}, "en"]},
                    timeout=5,
                )  # fmt: skip
                if login.status_code == 200 and "result" in login.json():
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError("trytond did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def call(self, model: str, method: str, *args: Any) -> Any:
        """As one of the ERP's users would: log in and call (for the tests' own checks)."""
        from crossdock.adapters.connectors.tryton.session import JsonRpcSession  # noqa: PLC0415

        session = JsonRpcSession(self.url, self.database, user="admin", password=PASSWORD)
        try:
            return session.execute(model, method, *args, context=session.preferences())
        finally:
            session.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _admin(folder: Path, uri: str, database: str) -> dict[str, Any]:
    """trytond-admin with the modules, then the network; what the network builder says."""
    password = folder / "admin-password"
    password.write_text(PASSWORD + "\n")
    env = {**os.environ, "TRYTOND_DATABASE__URI": uri, "TRYTOND_DATABASE__PATH": str(folder),
           "TRYTONPASSFILE": str(password)}  # fmt: skip
    subprocess.run(
        [str(BIN / "trytond-admin"), "-d", database, "--email", "admin@example.com",
         "-u", *MODULES, "--activate-dependencies"],
        env=env, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    built = subprocess.run(
        [sys.executable, str(NETWORK), database],
        env=env, check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return dict(json.loads(built.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="session")
def tryton_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A prepared SQLite Tryton database file, and what the network builder made.

    Under xdist the workers of one run share it (about a minute to build): the first to
    ask builds it under a file lock in the run's common temp folder, the others wait and
    read it. The folder is named by the run's id, so no other run's template is read."""
    require(condition=(BIN / "trytond-admin").exists(),
            reason="Tryton is not installed (the test extra installs it)")  # fmt: skip
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        folder = tmp_path_factory.mktemp("tryton-template")
        return folder / "template.sqlite", _sqlite_template(folder)
    folder = tmp_path_factory.getbasetemp().parent / f"tryton-template-{run}"
    folder.mkdir(exist_ok=True)
    built = folder / "network.json"
    with (folder / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not built.exists():
            built.write_text(json.dumps(_sqlite_template(folder)))
    return folder / "template.sqlite", dict(json.loads(built.read_text()))


def _sqlite_template(folder: Path) -> dict[str, Any]:
    (folder / "template.sqlite").touch()
    return _admin(folder, "sqlite://", "template")


@pytest.fixture(scope="session")
def tryton_postgres_template(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict]]:
    """A prepared PostgreSQL Tryton database to copy, and what the builder made."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"tryton_template_{uuid.uuid4().hex[:10]}"
    with admin.connect() as db:
        db.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        network = _admin(tmp_path_factory.mktemp("tryton-pg"), PG_URI, name)
        yield name, network
    finally:
        with admin.connect() as db:
            db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def tryton(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TrytonServer]:
    """A trytond serving a fresh copy of the prepared network, on SQLite or PostgreSQL."""
    folder = tmp_path / "tryton"
    folder.mkdir()
    if request.param == "sqlite":
        template, network = request.getfixturevalue("tryton_sqlite_template")
        shutil.copy(template, folder / "erp.sqlite")
        server = TrytonServer("sqlite", "erp", folder, "sqlite://", network=network)
    else:
        source, network = request.getfixturevalue("tryton_postgres_template")
        name = f"tryton_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as db:
            db.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        server = TrytonServer("postgres", name, folder, PG_URI, network=network)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if server.backend == "postgres":
            with admin.connect() as db:
                db.execute(text(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)'))
            admin.dispose()
