"""The Tryton JSON-RPC session without a server (httpx's mock transport): values travel
as Tryton's JSON, an expired session logs in again (twice at most, then Tryton counts as
unavailable), a server that does not answer is tried with a growing wait and then counts
as unavailable, and Tryton's refusals keep its own words. The same against a real
trytond: tests/integration/test_tryton_connector.py."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from crossdock.adapters.connectors.registry import UnknownConnector, factories, factory
from crossdock.adapters.connectors.tryton.session import JsonRpcSession
from crossdock.adapters.connectors.tryton.values import from_json, to_json
from crossdock.service_layer.connecting import retry_wait
from crossdock.service_layer.connector_ports import ConnectorError, ErpRejected, ErpUnavailable


def test_values_travel_as_trytons_json_and_back():
    values = [date(2026, 11, 29), datetime(2026, 11, 29, 8, 30, tzinfo=UTC),
              Decimal("6.20"), timedelta(days=14), {"nested": [date(2026, 1, 2)]}]  # fmt: skip
    sent = to_json(values)
    assert sent[0] == {"__class__": "date", "year": 2026, "month": 11, "day": 29}
    assert sent[2] == {"__class__": "Decimal", "decimal": "6.20"}
    assert from_json(json.loads(json.dumps(sent))) == values


class _Tryton:
    """A scripted server: answers in order; records what was asked."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.asked.append((body["method"], request.headers.get("Authorization")))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            return httpx.Response(answer)
        return httpx.Response(200, json={"id": body["id"], **answer})


LOGIN = {"result": [1, "token", None]}


def _session(server: _Tryton, waits: list[float] | None = None) -> JsonRpcSession:
    return JsonRpcSession("http://erp", "acme", user="crossdock", password="secret",
                          transport=httpx.MockTransport(server),
                          sleep=(waits if waits is not None else []).append)  # fmt: skip


def test_an_expired_session_logs_in_again_and_asks_once_more():
    server = _Tryton(LOGIN, {"result": 3}, 401, LOGIN, {"result": 4})
    session = _session(server)
    assert session.execute("stock.location", "search_count", [], context={}) == 3
    assert session.execute("stock.location", "search_count", [], context={}) == 4
    assert session.logins == 2
    assert [method for method, _ in server.asked] == [
        "common.db.login", "model.stock.location.search_count",
        "model.stock.location.search_count", "common.db.login",
        "model.stock.location.search_count",
    ]  # fmt: skip
    assert str(server.asked[1][1]).startswith("Session ")


def test_sessions_that_keep_ending_make_tryton_unavailable_not_a_crash():
    server = _Tryton(LOGIN, 401, LOGIN, 401, LOGIN, 401)
    session = _session(server)
    with pytest.raises(ErpUnavailable, match="ended 2 new sessions"):
        session.execute("stock.location", "search_count", [], context={})
    assert session.logins == 3
    assert not server.answers  # every answer used: three logins, three tries


def test_a_server_that_does_not_answer_is_tried_with_a_growing_wait_then_unavailable():
    refused = httpx.ConnectError("Connection refused")
    waits: list[float] = []
    session = _session(_Tryton(refused, refused, refused), waits)
    with pytest.raises(ErpUnavailable, match="did not answer after 3 tries"):
        session.preferences()
    assert waits == [0.5, 1.0]
    # a 5xx counts as not answering; an answer after it is taken
    assert _session(_Tryton(LOGIN, 502, {"result": {"company": 1}})).preferences() == {"company": 1}


def test_trytons_refusals_keep_its_own_words():
    error = {"error": ["UserError", ['A value is required for field "Party".', "", None]]}
    session = _session(_Tryton(LOGIN, error))
    with pytest.raises(ErpRejected, match='UserError: A value is required for field "Party"'):
        session.execute("purchase.purchase", "create", [{}], context={})
    with pytest.raises(ErpRejected, match="refused the login of 'crossdock'"):
        _session(_Tryton(403)).preferences()


def test_the_retry_wait_doubles_up_to_an_hour():
    assert [retry_wait(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_wait(20) == timedelta(hours=1)


def test_the_registry_finds_the_installed_connectors_by_entry_point():
    found = factories()
    assert {"tryton", "file_drop"} <= set(found)
    assert "password_env" in found["tryton"].settings_help
    with pytest.raises(UnknownConnector, match="no connector of kind 'sap'"):
        factory("sap")
    with pytest.raises(ConnectorError, match="password_env='NOPE_NOT_SET' but \\$NOPE_NOT_SET"):
        found["tryton"]("erp", {"url": "http://erp", "database": "acme",
                                "password_env": "NOPE_NOT_SET"})  # fmt: skip
    with pytest.raises(ConnectorError, match="unknown Tryton setting"):
        found["tryton"]("erp", {"database": "acme", "colour": "blue"})
