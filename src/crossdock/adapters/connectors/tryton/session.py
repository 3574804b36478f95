"""Talking to Tryton: one small interface (`TrytonRpc.execute(model, method, *args)`)
over two transports.

- `JsonRpcSession`: a running `trytond` over JSON-RPC (`POST /<database>/rpc/`). It logs
  in with `common.db.login` and sends `Authorization: Session ...`; when the session
  has expired (after the server's `session.max_age`, or when it restarted without its
  sessions) it logs in again and repeats the call once. A server that does not answer
  is tried again with a growing wait (`retries`, `backoff_seconds`), then
  `ErpUnavailable`: the caller keeps its work and comes back later. A refusal
  (`UserError`, `AccessError`, a failed login) is `ErpRejected` with Tryton's own
  message.
- `ProteusSession`: Tryton in the same process through proteus (`config.set_trytond`),
  for a Crossdock installed beside the ERP's own modules. Tryton's exceptions map the
  same way.

Both hand back Python values (dates, Decimals, timedeltas), so the readers and writers
do not know which one they use.
"""

from __future__ import annotations

import base64
import contextlib
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol

import httpx

from crossdock.adapters.connectors.tryton.values import from_json, to_json
from crossdock.service_layer.connector_ports import ErpRejected, ErpUnavailable

_SESSION_GONE = (401, 403)  # Tryton answers an expired or unknown session so


class TrytonRpc(Protocol):
    """Calls on Tryton's models as the connector's user."""

    def execute(self, model: str, method: str, *args: Any, context: Mapping[str, Any]) -> Any:
        """`model.method(*args, context)`; `context` is added as the last argument."""
        ...

    def preferences(self) -> dict[str, Any]:
        """The user's context (company, language ...), as Tryton's own client loads it."""
        ...

    def close(self) -> None: ...


class JsonRpcSession:
    """A logged-in JSON-RPC session with a running trytond."""

    def __init__(
        self,
        url: str,
        database: str,
        *,
        user: str,
        password: str,
        timeout: float = 30.0,
        retries: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = f"{url.rstrip('/')}/{database}/rpc/"
        self.database = database
        self.user = user
        self._password = password
        self._retries = max(retries, 1)
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._client = httpx.Client(timeout=timeout, transport=transport)
        self._session: str | None = None
        self._ids = 0
        self.logins = 0  # how many times it logged in (a re-login after expiry counts)

    def execute(self, model: str, method: str, *args: Any, context: Mapping[str, Any]) -> Any:
        return self._call(f"model.{model}.{method}", [*args, dict(context)])

    def preferences(self) -> dict[str, Any]:
        return dict(self._call("model.res.user.get_preferences", [True, {}]))

    def close(self) -> None:
        if self._session is not None:
            with contextlib.suppress(ErpUnavailable, ErpRejected):  # it expires on its own
                self._post("common.db.logout", [], session=self._session)
            self._session = None
        self._client.close()

    # -- internals --------------------------------------------------------------------

    def _call(self, method: str, params: list[Any]) -> Any:
        if self._session is None:
            self._login()
        for _ in range(_RELOGINS):
            try:
                return self._post(method, params, session=self._session)
            except _SessionExpired:
                self._login()  # expired between calls: log in again and ask again
        try:
            return self._post(method, params, session=self._session)
        except _SessionExpired as error:
            raise ErpUnavailable(
                f"Tryton ended {_RELOGINS} new sessions before {method} ran "
                f"(HTTP {error}): its session lifetime is shorter than a call takes"
            ) from error

    def _login(self) -> None:
        try:
            result = self._post(
                "common.db.login", [self.user, {"password": self._password}, "en"], session=None
            )
        except _SessionExpired as error:
            raise ErpRejected(f"Tryton refused the login of {self.user!r}") from error
        if not isinstance(result, list) or len(result) < 2:
            raise ErpRejected(f"Tryton refused the login of {self.user!r}: {result!r}")
        user_id, token = result[0], result[1]
        self._session = base64.b64encode(f"{self.user}:{user_id}:{token}".encode()).decode()
        self.logins += 1

    def _post(self, method: str, params: list[Any], *, session: str | None) -> Any:
        self._ids += 1
        body = {"id": self._ids, "method": method, "params": to_json(params)}
        headers = {"Authorization": f"Session {session}"} if session else {}
        last: Exception | None = None
        for attempt in range(self._retries):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = self._client.post(self.endpoint, json=body, headers=headers)
            except httpx.TransportError as error:  # refused, reset, timed out
                last = error
                continue
            if response.status_code in _SESSION_GONE:
                raise _SessionExpired(response.status_code)
            if response.status_code >= 500:
                last = ErpUnavailable(f"Tryton answered HTTP {response.status_code}")
                continue
            if response.status_code >= 400:
                raise ErpRejected(f"Tryton answered HTTP {response.status_code} to {method}")
            return _result(response.json(), method)
        raise ErpUnavailable(
            f"Tryton at {self.endpoint} did not answer after {self._retries} tries: {last}"
        )


class ProteusSession:
    """Tryton in this process, through proteus."""

    def __init__(self, database: str, *, user: str = "admin", config_file: str | None = None):
        from proteus import config  # noqa: PLC0415 - only when Tryton runs in-process

        self.database = database
        self.user = user
        self._config = config.set_trytond(database, user=user, config_file=config_file)
        self.logins = 1

    def execute(self, model: str, method: str, *args: Any, context: Mapping[str, Any]) -> Any:
        from trytond.exceptions import TrytonException  # noqa: PLC0415

        proxy = self._config.get_proxy(model)
        try:
            return getattr(proxy, method)(*args, dict(context))
        except TrytonException as error:
            raise ErpRejected(_tryton_message(error)) from error

    def preferences(self) -> dict[str, Any]:
        return dict(self._config.get_proxy("res.user").get_preferences(True, {}))  # noqa: FBT003

    def close(self) -> None:
        return None


_RELOGINS: Final = 2  # new sessions tried when Tryton says the current one ended


class _SessionExpired(Exception):
    pass


def _result(payload: Mapping[str, Any], method: str) -> Any:
    if "error" in payload and payload["error"] is not None:
        kind, detail = _error(payload["error"])
        raise ErpRejected(f"Tryton refused {method}: {kind}: {detail}")
    return from_json(payload.get("result"))


def _error(error: Any) -> tuple[str, str]:
    """Tryton's error, `[kind, [message, description, ...]]` or `[kind, message]`."""
    if isinstance(error, list) and error:
        kind = str(error[0])
        detail = error[1] if len(error) > 1 else ""
        if isinstance(detail, list):
            detail = " ".join(str(part) for part in detail[:2] if part)
        return kind, str(detail).strip(" -")
    return "error", str(error)


def _tryton_message(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error)
    description = getattr(error, "description", "")
    text = f"{message} {description}".strip(" -")
    return f"Tryton refused it: {type(error).__name__}: {text}"
