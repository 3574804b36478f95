"""The Tryton connector: reads the network out of Tryton and writes approved transfers
and buys back as draft documents (docs/connectors.md has the set-up).

Settings of a connection (`crossdock connect add NAME --kind tryton --set key=value`):

- `mode`: `jsonrpc` (a running trytond, the default) or `proteus` (Tryton in this process);
- `url` (jsonrpc): the server, e.g. `http://127.0.0.1:8000`;
- `database`: the Tryton database name;
- `user`: the Tryton user Crossdock acts as (default `admin`);
- `password_env` (jsonrpc): the environment variable holding that user's password;
- `config_file` (proteus): trytond's configuration file;
- `default_service_tier`: the tier of customers with no gold/silver/bronze category;
- `timeout`, `retries`: seconds per call, tries before the server counts as down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from crossdock.adapters.connectors.tryton.connector import TrytonConnector
from crossdock.adapters.connectors.tryton.session import (
    JsonRpcSession,
    ProteusSession,
    TrytonRpc,
)
from crossdock.service_layer.connector_ports import ConnectorError


class _Factory:
    kind = "tryton"
    settings_help: Mapping[str, str] = {
        "mode": "jsonrpc (a running trytond, default) or proteus (Tryton in this process)",
        "url": "jsonrpc: the server, e.g. http://127.0.0.1:8000",
        "database": "the Tryton database",
        "user": "the Tryton user Crossdock acts as (default admin)",
        "password_env": "jsonrpc: environment variable holding the user's password",
        "config_file": "proteus: trytond's configuration file",
        "default_service_tier": "tier of customers with no gold/silver/bronze category (silver)",
        "timeout": "seconds per call (30)",
        "retries": "tries before the server counts as down (3)",
    }

    def __call__(self, name: str, settings: Mapping[str, str]) -> TrytonConnector:
        unknown = sorted(set(settings) - set(self.settings_help))
        if unknown:
            raise ConnectorError(
                f"connection {name!r}: unknown Tryton setting(s) {', '.join(unknown)}; "
                f"known: {', '.join(self.settings_help)}"
            )
        database = _required(name, settings, "database")
        mode = settings.get("mode", "jsonrpc")
        user = settings.get("user", "admin")
        rpc: TrytonRpc
        if mode == "proteus":
            rpc = ProteusSession(database, user=user, config_file=settings.get("config_file"))
        elif mode == "jsonrpc":
            variable = _required(name, settings, "password_env")
            password = os.environ.get(variable)
            if password is None:
                raise ConnectorError(
                    f"connection {name!r}: password_env={variable!r} but ${variable} is not set"
                )
            rpc = JsonRpcSession(
                _required(name, settings, "url"), database, user=user, password=password,
                timeout=float(settings.get("timeout", "30")),
                retries=int(settings.get("retries", "3")),
            )  # fmt: skip
        else:
            raise ConnectorError(f"connection {name!r}: mode={mode!r}: use jsonrpc or proteus")
        return TrytonConnector(
            name, rpc, default_service_tier=settings.get("default_service_tier", "silver")
        )


def _required(name: str, settings: Mapping[str, str], key: str) -> str:
    value = settings.get(key)
    if not value:
        raise ConnectorError(f"connection {name!r}: the Tryton setting {key!r} is required")
    return value


factory = _Factory()

__all__ = ["TrytonConnector", "factory"]
