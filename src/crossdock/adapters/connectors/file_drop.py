"""The file-drop connector: an inbox folder that senders drop canonical CSV / Parquet
and EDI X12 files into, for systems with no API.

It is not read on a schedule like an ERP: `crossdock connect drop INBOX` watches the
folder and files each file under `processed/` or `rejected/` with a report. This
module wires the canonical file reader to the use case (`service_layer/file_drop.py`,
where the work is) and answers `connect test` with what waits in the inbox.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crossdock.domain.canonical import ENTITIES_BY_NAME
from crossdock.service_layer.connector_ports import (
    Capabilities,
    ConnectorError,
    DocumentState,
    Draft,
    ErpUnavailable,
    Snapshot,
)
from crossdock.service_layer.file_drop import (
    DEFAULT_SETTLE_SECONDS,
    DropReport,
    inbox_contents,
    process_inbox,
)

if TYPE_CHECKING:
    import pandas as pd

    from crossdock.service_layer.event_ports import EventStore
    from crossdock.service_layer.ports import CanonicalStore

KIND = "file_drop"
CAPABILITIES = Capabilities(reads=frozenset(ENTITIES_BY_NAME), writes={}, events=True)


def read_dropped_table(entity: str, path: Path) -> pd.DataFrame:
    """One dropped canonical file as raw text columns plus `_row` (the import reader)."""
    from crossdock.adapters.files.reader import read_file  # noqa: PLC0415 - pandas, pyarrow

    return read_file(entity, path).frame


@dataclass
class FileDropConnector:
    """One inbox folder, as a connection."""

    name: str
    inbox: Path
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    capabilities: Capabilities = CAPABILITIES

    def check(self) -> dict[str, Any]:
        """The inbox, and how many files wait in it (ready, settling, left in `working/`).

        Raises:
            ErpUnavailable: the inbox does not exist, is not a folder, or cannot be
                written (files could not be moved out of it).
        """
        if not self.inbox.is_dir():
            raise ErpUnavailable(f"inbox {self.inbox} does not exist or is not a folder")
        if not os.access(self.inbox, os.W_OK | os.X_OK):
            raise ErpUnavailable(
                f"inbox {self.inbox} is not writable: files cannot be moved to processed/"
            )
        contents = inbox_contents(
            self.inbox, now=datetime.now(UTC), settle_seconds=self.settle_seconds
        )
        return {
            "inbox": str(self.inbox.resolve()),
            "exists": True,
            "writable": True,
            "waiting": len(contents.ready) + len(contents.settling),
            "settling": len(contents.settling),
            "in_working": len(contents.in_working),
        }

    def process(
        self,
        *,
        store: CanonicalStore,
        events: EventStore,
        actor: str,
        now: datetime,
        recover: bool = True,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> DropReport:
        """One pass over the inbox (see `service_layer.file_drop.process_inbox`)."""
        return process_inbox(
            self.inbox,
            reader=read_dropped_table,
            store=store,
            events=events,
            now=now,
            actor=actor,
            settle_seconds=self.settle_seconds,
            recover=recover,
            should_stop=should_stop,
        )

    def read(self, *, since: str | None) -> Snapshot:  # noqa: ARG002 - the protocol
        raise ConnectorError(
            f"connection {self.name!r} is a file drop: it is not read on a schedule; run "
            f"`crossdock connect drop {self.inbox} --as USER` to process what senders drop"
        )

    def write_draft(self, draft: Draft) -> str:
        raise ConnectorError(
            f"connection {self.name!r} is a file drop: it writes nothing back "
            f"(recommendation {draft.recommendation_id} needs an ERP connection)"
        )

    def document_states(
        self,
        documents: Sequence[str],  # noqa: ARG002 - the protocol: nothing is ever written
    ) -> dict[str, DocumentState]:
        return {}

    def close(self) -> None:
        return None


class FileDropFactory:
    """What the `crossdock.connectors` entry point `file_drop` loads."""

    kind = KIND
    settings_help: Mapping[str, str] = {
        "inbox": "The folder senders drop files into (processed/, rejected/ and working/ "
        "are created inside it).",
        "settle_seconds": "Leave a file this many seconds after its last change before "
        f"taking it (default {DEFAULT_SETTLE_SECONDS:g}).",
    }

    def __call__(self, name: str, settings: Mapping[str, str]) -> FileDropConnector:
        """A connector for the inbox `settings["inbox"]`.

        Raises:
            ConnectorError: no inbox given, or settle_seconds is not a number >= 0.
        """
        inbox = settings.get("inbox", "").strip()
        if not inbox:
            raise ConnectorError(f"connection {name!r}: the setting 'inbox' (a folder) is needed")
        given = settings.get("settle_seconds", "").strip()
        try:
            settle = float(given) if given else DEFAULT_SETTLE_SECONDS
        except ValueError:
            settle = -1.0
        if not settle >= 0:  # also refuses nan
            raise ConnectorError(
                f"connection {name!r}: settle_seconds {given!r} is not a number of seconds >= 0"
            )
        return FileDropConnector(name=name, inbox=Path(inbox).expanduser(), settle_seconds=settle)


factory = FileDropFactory()
