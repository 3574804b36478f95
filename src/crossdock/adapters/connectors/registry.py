"""The connector registry: every connector installed, found through the
`crossdock.connectors` entry point group (pyproject.toml), so the core never names one
and a package of a distributor's own adds a connector by declaring an entry point:

    [project.entry-points."crossdock.connectors"]
    my_wms = "my_package.connector:factory"

A factory has a `kind`, a `settings_help` (setting -> what it is) and builds a
`Connector` from a connection's name and settings (service_layer/connector_ports.py).
"""

from __future__ import annotations

from importlib.metadata import entry_points

from crossdock.service_layer.connector_ports import (
    Connection,
    Connector,
    ConnectorError,
    ConnectorFactory,
)

GROUP = "crossdock.connectors"


class UnknownConnector(ConnectorError):
    """No installed connector of that kind."""


def factories() -> dict[str, ConnectorFactory]:
    """Every installed connector factory, by kind."""
    found: dict[str, ConnectorFactory] = {}
    for entry in entry_points(group=GROUP):
        factory = entry.load()
        found[str(getattr(factory, "kind", entry.name))] = factory
    return found


def factory(kind: str) -> ConnectorFactory:
    """The factory of connectors of `kind`.

    Raises:
        UnknownConnector: none is installed; names the kinds that are.
    """
    for entry in entry_points(group=GROUP):
        if entry.name == kind:
            loaded: ConnectorFactory = entry.load()
            return loaded
    known = ", ".join(sorted(e.name for e in entry_points(group=GROUP))) or "none"
    raise UnknownConnector(f"no connector of kind {kind!r} is installed (installed: {known})")


def open_connector(connection: Connection) -> Connector:
    """A connector for `connection`, built by its kind's factory."""
    return factory(connection.kind)(connection.name, connection.settings)
