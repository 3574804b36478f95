"""NATS JetStream for tests: the machine's server at 127.0.0.1:4222 (a namespace of
streams per test, deleted after it), or a private server this test starts and stops."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from crossdock.adapters.bus.jetstream import JetStream, JetStreamConfig
from tests.conftest import require

NATS_URL = os.environ.get("CROSSDOCK_TEST_NATS_URL", "nats://127.0.0.1:4222")
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def bus_config() -> Iterator[JetStreamConfig]:
    """A fresh namespace on the machine's JetStream; its streams are deleted after."""
    host, port = NATS_URL.removeprefix("nats://").split(":")
    require(_reachable(host, int(port)), f"NATS JetStream not reachable at {NATS_URL}")
    config = JetStreamConfig(
        url=NATS_URL, namespace=f"t{uuid.uuid4().hex[:10]}", ack_wait_seconds=3.0
    )
    yield config
    asyncio.run(_delete(config))


async def _delete(config: JetStreamConfig) -> None:
    bus = JetStream(config)
    await bus.connect()
    await bus.delete_streams()
    await bus.close()


class NatsServer:
    """A nats-server with JetStream on its own port and store, to stop and restart."""

    def __init__(self, store: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.store = store
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _reachable("127.0.0.1", self.port):
            assert time.monotonic() < deadline, "nats-server did not start in 10 s"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_nats(tmp_path: Path) -> Iterator[NatsServer]:
    """Our own JetStream server (the machine's must not be restarted under others)."""
    require(Path(NATS_SERVER).exists(), f"nats-server not installed at {NATS_SERVER}")
    server = NatsServer(tmp_path / "jetstream")
    server.start()
    yield server
    server.stop()
