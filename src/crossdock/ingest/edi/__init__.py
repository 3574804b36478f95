"""EDI X12 intake: an X12 file in, canonical documents and events out.

Pure: text in, dataclasses and JSON-ready events out; reading the file and storing the
events belong to the command line and the event intake. See docs/connectors.md
("EDI X12") for what is read and how it maps.
"""

from crossdock.ingest.edi.errors import InvalidEdi, Position
from crossdock.ingest.edi.events import edi_events
from crossdock.ingest.edi.reading import (
    EdiFile,
    UnreadTransaction,
    decode_edi,
    document_json,
    read_edi,
)

__all__ = [
    "EdiFile",
    "InvalidEdi",
    "Position",
    "UnreadTransaction",
    "decode_edi",
    "document_json",
    "edi_events",
    "read_edi",
]
