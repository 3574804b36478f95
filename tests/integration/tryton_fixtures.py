"""A real Tryton for the connector's tests: a database made by `trytond-admin` with the
stock, purchase and sale modules and the small network of `tryton_network.py`, once per
test run and backend (SQLite file, PostgreSQL template database; the xdist workers of a
run share them), then copied for each test and served by a `trytond` process of its own
on a free loopback port.

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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

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


def _run_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder the test processes of this run share: under xdist, in the run's common
    temp folder and named by the run's id (so no other run's is read); without xdist,
    in this session's own temp folder."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        folder = tmp_path_factory.getbasetemp() / name
    else:
        folder = tmp_path_factory.getbasetemp().parent / f"{name}-{run}"
    folder.mkdir(exist_ok=True)
    return folder


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """The run's lock on `folder`: one test process at a time builds, copies or drops."""
    with (folder / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _being_built(folder: Path) -> bool:
    """Whether another test process holds the run's lock on `folder` just now."""
    with (folder / "build.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def _postgres_reachable() -> bool:
    admin = create_engine(POSTGRES_ADMIN_URL)
    try:
        with admin.connect():
            return True
    except OperationalError:
        return False
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def tryton_sqlite_template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict]:
    """A prepared SQLite Tryton database file, and what the network builder made.

    The test processes of one run share it (about a minute to build): the first to ask
    builds it under the run's lock, the others wait and read it. A process that would
    wait builds the PostgreSQL template meanwhile, if PostgreSQL is there and no other
    process has yet: the two workers reach the Tryton tests together, and the two builds
    then overlap instead of following each other with one worker idle."""
    require(condition=(BIN / "trytond-admin").exists(),
            reason="Tryton is not installed (the test extra installs it)")  # fmt: skip
    folder = _run_folder(tmp_path_factory, "tryton-template")
    built = folder / "network.json"
    if not built.exists() and _being_built(folder) and _postgres_reachable():
        request.getfixturevalue("tryton_postgres_template")
    with _locked(folder):
        if not built.exists():
            built.write_text(json.dumps(_sqlite_template(folder)))
    return folder / "template.sqlite", dict(json.loads(built.read_text()))


def _sqlite_template(folder: Path) -> dict[str, Any]:
    (folder / "template.sqlite").touch()
    return _admin(folder, "sqlite://", "template")


@dataclass(frozen=True)
class PostgresTemplate:
    """The run's prepared PostgreSQL Tryton database, and the folder whose lock guards
    it: `CREATE DATABASE ... TEMPLATE` refuses while any other session is on the
    template, so copies are made one at a time under the lock (they take a second)."""

    database: str
    network: dict[str, Any]
    folder: Path

    def copy(self, name: str, admin: Engine) -> None:
        with _locked(self.folder), admin.connect() as db:
            db.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.database}"'))


@pytest.fixture(scope="session")
def tryton_postgres_template(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PostgresTemplate]:
    """A prepared PostgreSQL Tryton database to copy, and what the builder made.

    Built once per run (about two minutes) like the SQLite one: the first test process to
    ask builds it under the run's lock, the others wait. Each process counts itself in
    `users`; the last to finish drops the template (and a process that asks after that
    builds it again)."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    folder = _run_folder(tmp_path_factory, "tryton-pg")
    built, users = folder / "network.json", folder / "users"
    try:
        with _locked(folder):
            if not built.exists():
                name = f"tryton_template_{uuid.uuid4().hex[:10]}"
                with admin.connect() as db:
                    db.execute(text(f'CREATE DATABASE "{name}"'))
                network = _admin(folder, PG_URI, name)
                built.write_text(json.dumps({"database": name, "network": network}))
            users.write_text(str(int(users.read_text() or 0) + 1 if users.exists() else 1))
        made = json.loads(built.read_text())
        yield PostgresTemplate(made["database"], dict(made["network"]), folder)
        with _locked(folder):
            left = int(users.read_text()) - 1
            users.write_text(str(left))
            if left == 0:
                built.unlink()
                with admin.connect() as db:
                    db.execute(text(f'DROP DATABASE IF EXISTS "{made["database"]}" WITH (FORCE)'))
    finally:
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
        template: PostgresTemplate = request.getfixturevalue("tryton_postgres_template")
        name = f"tryton_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        template.copy(name, admin)
        server = TrytonServer("postgres", name, folder, PG_URI, network=template.network)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if server.backend == "postgres":
            with admin.connect() as db:
                db.execute(text(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)'))
            admin.dispose()
