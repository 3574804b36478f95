"""The workbench API over a real store: a production-mode app with one person per role
needed, examples/basic imported in-process when asked, and signed-in headers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from crossdock.bootstrap import Crossdock, bootstrap
from crossdock.config import Settings
from crossdock.entrypoints.api import create_app
from crossdock.service_layer.identity import add_person
from crossdock.service_layer.importing import import_sources
from tests.helpers import EXAMPLES

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
BASIC_AS_OF = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
SECRET = "k" * 48
# username -> (roles, sites); planners and admins see no supplier cost, buyers,
# finance and auditors do; `nora` plans for BR01 and BR1 only.
PEOPLE: dict[str, tuple[list[str], list[str] | None]] = {
    "pat": (["planner"], None),
    "bea": (["buyer"], None),
    "fin": (["finance"], None),
    "aud": (["auditor"], None),
    "adm": (["admin"], None),
    "sam": (["customer_service"], None),
    "nora": (["planner"], ["BR01", "BR1"]),
}


@dataclass
class Workbench:
    wired: Crossdock
    client: TestClient
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def headers(self, username: str) -> dict[str, str]:
        if username not in self._headers:
            response = self.client.post(
                "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            self._headers[username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return self._headers[username]

    def get(self, path: str, username: str, **params: Any) -> Any:
        response = self.client.get(f"/api/v1{path}", params=params, headers=self.headers(username))
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def open_workbench(
    database_url: str, *, people: tuple[str, ...] = tuple(PEOPLE), basic: bool = False
) -> Iterator[Workbench]:
    """A migrated store with `people` (names of `PEOPLE`), examples/basic if `basic`."""
    wired = bootstrap(Settings(database_url=database_url, mode="production", secret_key=SECRET))
    wired.migrate()
    for name in people:
        roles, sites = PEOPLE[name]
        add_person(
            wired.governance, username=name, roles=roles, sites=sites, password=PASSWORD, now=NOW
        )
    if basic:
        frames, _ = wired.read_sources(EXAMPLES / "basic")
        outcome = import_sources(
            frames, store=wired.store, kind="import", description="basic", as_of=BASIC_AS_OF
        )
        assert outcome.report.to_dict()["totals"]["rows_quarantined"] == 0
    with TestClient(create_app(wired)) as client:
        yield Workbench(wired=wired, client=client)
    wired.engine.dispose()
